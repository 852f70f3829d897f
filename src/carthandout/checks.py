"""``carthandout check``: every content pack, policy profile and the clinic file, all problems listed."""
from __future__ import annotations

import datetime as dt
import re

from dataclasses import dataclass, field
from pathlib import Path

from babel.dates import format_date
from PIL import Image
from reportlab.lib.colors import HexColor

from carthandout.content import available_documents, available_languages, load_common, read_pack
from carthandout.context import effective_policy
from carthandout.documents import DEFAULT_DOCUMENTS, DOCUMENTS
from carthandout.documents.base import LOGO_BOX
from carthandout.errors import CarthandoutError, InputError, counted
from carthandout.formatting import NAMED_MONTH_FORMAT, check_date_format, month_is_a_number
from carthandout.inputs import (EXAMPLE_PATIENT, MADE_UP_NUMBERS, CheckedClinic, checked_clinic, example_path,
                                is_example_copy, load_patient_file)
from carthandout.models import Clinic, parse_patient, phone_digits, probe_patient
from carthandout.options import RenderOptions
from carthandout.pipeline import clinic_problems, prepare, render_documents
from carthandout.policy import CURRENT_LABEL_POLICY, OPTIONAL_VALUES, available_policies, load_policy, shorter_than_label
from carthandout.completeness import check_completeness
from carthandout.readability import DEFAULT_MAX_GRADE, SectionScore, format_table, max_grade_from, score_pack
from carthandout.theme import readable_on


@dataclass(frozen=True)
class CheckReport:
    problems: list[str]
    readability: list[str]  # the reading level of every section, one block of lines per document
    notes: list[str] = field(default_factory=list)  # the clinic file printed otherwise than it says: not wrong


def run_checks(clinic_file: Path | None) -> CheckReport:
    """Every check, with the clinic file read once and every pack scored once."""
    clinic, stand_in, clinic_problems = _checked_clinic(clinic_file)
    max_grade, grade_problems = _max_grade(clinic or stand_in)  # a misspelt field hid the clinic's limit
    scores, score_problems = _readability(max_grade)
    problems = _check_policies() + _check_content() + clinic_problems + check_completeness()
    if clinic is not None and not problems:  # the packs and the clinic are sound: lay them out
        problems += layout_problems(clinic)
    if grade_problems:  # listed once: the clinic's checks may have found it already
        problems += [problem for problem in grade_problems if problem not in problems]
    else:
        problems += score_problems + [score.problem() for score in scores if not score.passed]
    notes = (clinic_notes(clinic) + _example_notes(clinic_file, clinic)) if clinic else []
    notes = _content_doubts() + notes
    return CheckReport(list(dict.fromkeys(problems)), format_table(scores), notes)  # found twice, listed once


def layout_problems(clinic: Clinic) -> list[str]:
    """Every document laid out for the example patient, and for one with only a name and an
    infusion date, in every language, in normal and large print: a box taller than a large-print
    page, or a layout token ({day}) in a handout's prose, stopped only the papers of the patients
    they met, and check had said "valid"."""
    problems: list[str] = []
    for patient in (parse_patient(load_patient_file(example_path(EXAMPLE_PATIENT))), probe_patient()):
        for language in available_languages():
            for large_print in (False, True):
                options = RenderOptions(DEFAULT_DOCUMENTS, language=language, large_print=large_print)
                try:
                    render_documents(prepare(patient, clinic, options), options)
                except CarthandoutError as error:
                    print_size = "large print" if large_print else "normal print"
                    problems.append(f"{error.line(show_values=True)} ({language}, {print_size})")
    return list(dict.fromkeys(problems))


def _example_notes(clinic_file: Path | None, clinic: Clinic) -> list[str]:
    """What ``generate`` warns of, said before anything is printed: a copy of the example that
    still has its made-up numbers passed ``check`` silently, and every page came out marked."""
    if is_example_copy(clinic_file, clinic):
        return [f"note: {MADE_UP_NUMBERS}"]
    if clinic_file is not None and clinic.example:  # the bundled file, named
        return ["note: this is the bundled example clinic: every page printed with it is marked as the example's"]
    return []


EXIF_ORIENTATION = 0x0112
TURNED_A_QUARTER = (5, 6, 7, 8)  # EXIF orientations whose upright image swaps width and height
SHARP_LOGO_PPI = 150  # pixels an inch below which a printed logo looks soft (print files embed up to 300)
NARROW_LOGO_INCHES = 0.3  # a logo twice as tall as wide, or more: a 300 × 1200 one printed 4 mm wide
LOW_LOGO_INCHES = 0.15  # a logo fifteen times as wide as tall, or more: a 3000 × 100 one printed 2 mm high


def clinic_notes(clinic: Clinic) -> list[str]:
    """What the papers print otherwise than the clinic file says, or worse than it could look, or
    a policy whose periods may not be what the clinic meant."""
    return (_color_notes(clinic) + _logo_notes(clinic) + _policy_notes(clinic) + _date_format_notes(clinic)
            + _team_language_notes(clinic) + _locale_notes(clinic) + _phone_notes(clinic))


DIALLED_FROM_ANYWHERE = 9  # a US number has 10 with its area code, one in Spain or Portugal 9


def _phone_notes(clinic: Clinic) -> list[str]:
    """A number without its area code (555-0119), or an extension alone (ext. 121), is printed on
    the wallet card and every footer, and an emergency room in another town cannot dial it."""
    numbers = [("clinic.phone_24h", clinic.phone_24h), ("clinic.phone", clinic.phone),
               *((f"clinic.team[{number}].phone", member.phone) for number, member in enumerate(clinic.team, start=1))]
    return [f"note: {field}: {phone} has {counted(len(phone_digits(phone)), 'digit')}: "
            + ("it is on the wallet card and every page's footer, and " if field == "clinic.phone_24h" else "")
            + "a patient away from home, or an emergency room in another town, cannot dial it; write it with its area "
            "code (or its + and country code)" for field, phone in numbers
            if phone and not phone.lstrip().startswith("+") and len(phone_digits(phone)) < DIALLED_FROM_ANYWHERE]


def _clinic_locale(clinic: Clinic) -> str | None:
    try:
        return load_common(clinic.language).locale
    except CarthandoutError:  # a language with no documents is one of the clinic's problems
        return None


def _locale_notes(clinic: Clinic) -> list[str]:
    """The documents are written for patients of US centers: a center whose own language is
    Spanish may be in Spain or Latin America, where the fever is read in °C and 1.6 × 10⁸
    (160,000,000) as 160 with decimals."""
    locale = _clinic_locale(clinic)
    if locale is None:
        return []
    if clinic.language == "en" or not locale.endswith("_US"):
        return []
    return [f"note: clinic.language: {clinic.language} documents are written for patients of US centers ({locale}): "
            "the fever first in °F, numbers with a decimal point, weeks from Sunday"]


def _team_language_notes(clinic: Clinic) -> list[str]:
    """A team role given in the clinic's language alone prints so in every other language's
    contacts ("Social worker" in a Spanish handout): one note a language, naming the members."""
    notes = []
    for language in [code for code in available_languages() if code != clinic.language]:
        untranslated = [str(number) for number, member in enumerate(clinic.team, start=1)
                        if language not in dict(member.translated_roles)]
        if untranslated:
            whose = (f"the role of member {untranslated[0]} has" if len(untranslated) == 1
                     else f"the roles of members {', '.join(untranslated)} have")
            notes.append(f"note: clinic.team: {whose} no {language} text: {language} documents print "
                         f"{clinic.language} there (give a role as {{{clinic.language}: ..., {language}: ...}})")
    return notes


def _date_format_notes(clinic: Clinic) -> list[str]:
    """Words quoted in a date pattern print in every language: "d 'de' MMMM 'de' y" made the
    English papers say "5 de March de 2027". A format with the month as a number is printed with
    the month named: said, since the papers do not print what the file asks. A format refused is
    one of the clinic's problems, not a note."""
    try:
        check_date_format(clinic.date_format)
    except CarthandoutError:
        return []
    if month_is_a_number(clinic.date_format):
        example = format_date(dt.date(2027, 3, 5), format=NAMED_MONTH_FORMAT,
                              locale=_clinic_locale(clinic) or "en_US")
        return [f"note: clinic.date_format: {clinic.date_format} prints the month as a number, read as day or month "
                f"by country: every paper prints its dates with the month named instead ({NAMED_MONTH_FORMAT}: "
                f"{example})"]
    words = list(dict.fromkeys(quoted for quoted in re.findall(r"'([^']+)'", clinic.date_format)
                               if any(ch.isalpha() for ch in quoted)))
    if not words:
        return []
    return [f"note: clinic.date_format: {clinic.date_format} prints {', '.join(repr(word) for word in words)} in "
            "every language's documents; the named formats (short, medium, long, full) follow each language"]


def _policy_notes(clinic: Clinic) -> list[str]:
    """A caregiver period shorter than the close watch: the temperature log and the handwriting
    boxes follow the caregiver period, so they end before the team stops watching closely. A
    period shorter than the current label's minimum (the source document watches closely for 7
    days, the June 2025 label for at least 2 weeks): the default profile, so said, not refused."""
    try:
        policy = effective_policy(clinic)
    except CarthandoutError:  # a bad policy is one of the clinic's problems
        return []
    overridden = dict(clinic.policy_overrides)
    notes = [f"note: policy: {name} is {counted(value, 'day')}, below the current US label's minimum of {label_value} "
             f"({CURRENT_LABEL_POLICY}), and the papers give the patient the shorter period; "
             + ("the clinic's override sets it: raise it if the center follows the label" if name in overridden
                else f"give policy: {CURRENT_LABEL_POLICY} if the center follows the label")
             for name, value, label_value in shorter_than_label(policy)]
    notes += [f"note: policy: {policy.name} gives no {name} (its sources leave it unconfirmed: see the profile's "
              "notes), so the papers give none; set it in the clinic's overrides if the center has its own"
              for name in OPTIONAL_VALUES if getattr(policy, name) is None]
    days = policy.conditioning_days  # sorted
    if days[-1] - days[0] != len(days) - 1:  # [-5, -4, -13]: a digit too many within the range
        notes.append(f"note: policy: conditioning_days {', '.join(map(str, days))} are not one run of days: the "
                     "papers give a chemo day apart from the others; check for a typo")
    if policy.caregiver_days < policy.monitoring_days:
        notes.append(f"note: policy: caregiver_days ({policy.caregiver_days}) is below monitoring_days "
                     f"({policy.monitoring_days}): the temperature log and handwriting boxes, which follow the "
                     "caregiver period, end before the close watch does")
    return notes


def _color_notes(clinic: Clinic) -> list[str]:
    """A brand colour too light for text is darkened on the papers: say so, and to what."""
    notes = []
    for key, value in (("primary", clinic.primary_color), ("accent", clinic.accent_color)):
        printed = readable_on(HexColor(value))
        if printed.hexval() != HexColor(value).hexval():
            notes.append(f"note: clinic.colors.{key}: {value} is printed as #{printed.hexval()[2:].upper()}, "
                         "darkened to be readable on white (4.5:1 contrast)")
    return notes


def _logo_notes(clinic: Clinic) -> list[str]:
    if clinic.logo is None:
        return []
    try:
        with Image.open(clinic.logo) as image:
            width, height = image.size
            if image.getexif().get(EXIF_ORIENTATION) in TURNED_A_QUARTER:  # printed upright, as a camera shows it
                width, height = height, width
    except (OSError, ValueError):  # a logo that cannot be read is one of the clinic's problems
        return []
    drawn_inches = min(LOGO_BOX[1] * width / height, LOGO_BOX[0]) / 72
    drawn_height = min(LOGO_BOX[0] * height / width, LOGO_BOX[1]) / 72
    notes = []
    if drawn_inches <= NARROW_LOGO_INCHES:
        notes.append(f"note: clinic.logo: it is {height / width:.1f} times as tall as it is wide, so it prints "
                     f"{drawn_inches * 25.4:.0f} mm wide in a {LOGO_BOX[1] / 72 * 25.4:.0f} mm high header; a wide "
                     "version of the logo prints larger")
    if drawn_height <= LOW_LOGO_INCHES:
        notes.append(f"note: clinic.logo: it is {width / height:.1f} times as wide as it is tall, so it prints "
                     f"{drawn_height * 25.4:.0f} mm high in the header's {LOGO_BOX[0] / 72 * 25.4:.0f} mm width; a "
                     "version cropped close, or with the name on two lines, prints larger")
    ppi = width / drawn_inches
    if ppi < SHARP_LOGO_PPI:
        notes.append(f"note: clinic.logo: {width} × {height} pixels print at {ppi:.0f} pixels an inch and will look "
                     f"blurred; one {round(300 * drawn_inches)} pixels wide prints sharp")
    return notes


def _check_policies() -> list[str]:
    problems = []
    for name in available_policies():
        try:
            load_policy(name)
        except CarthandoutError as error:
            problems.append(error.line(show_values=True))
    return problems


def _check_content() -> list[str]:
    problems = []
    for language in available_languages():
        try:
            load_common(language)
        except CarthandoutError as error:
            problems.append(error.line(show_values=True))
        for document in available_documents(language):
            if document not in DOCUMENTS:
                problems.append(f"handouts/{language}/{document}.yaml: no such document")
                continue
            try:
                pack = read_pack(document, language)
                problems += DOCUMENTS[document].validate(pack)
            except CarthandoutError as error:
                problems.append(error.line(show_values=True))
    return problems


def _content_doubts() -> list[str]:
    """Durations written as numbers in any pack: noted, for the author to judge ("4 weeks" where a
    policy value belongs, or "1 to 2 hours after a meal", which is none)."""
    doubts = []
    for language in available_languages():
        for document in available_documents(language):
            try:
                doubts += [f"note: {doubt}" for doubt in read_pack(document, language).doubts]
            except CarthandoutError:
                continue  # _check_content reports it
    return doubts


def _checked_clinic(clinic_file: Path | None) -> tuple[Clinic | None, Clinic | None, list[str]]:
    """The clinic (None when a field does not parse), its stand-in then (the fields that do), and its problems."""
    checked = checked_clinic(clinic_file)
    problems = clinic_problems(checked.clinic) if checked.clinic is not None else every_clinic_problem(checked)
    return checked.clinic, checked.stand_in, [problem.line(show_values=True) for problem in problems]


def every_clinic_problem(checked: CheckedClinic) -> list[CarthandoutError]:
    """A clinic file's problems when a field does not parse: those of its fields, then what the
    fields that parse get wrong (a file with both kinds took two runs)."""
    problems = list(checked.problems)
    if checked.stand_in is not None:
        failed = {problem.field for problem in problems if isinstance(problem, InputError)}
        problems += [problem for problem in clinic_problems(checked.stand_in)
                     if not (isinstance(problem, InputError) and problem.field in failed)]
    return problems


def _max_grade(clinic: Clinic | None) -> tuple[float, list[str]]:
    try:
        return max_grade_from(clinic.extra("readability") if clinic else None), []
    except CarthandoutError as error:
        return DEFAULT_MAX_GRADE, [error.line(show_values=True)]


def _readability(max_grade: float) -> tuple[list[SectionScore], list[str]]:
    scores: list[SectionScore] = []
    problems: list[str] = []
    for language in available_languages():
        for document in available_documents(language):
            try:
                pack = read_pack(document, language)
            except CarthandoutError:
                continue  # _check_content reports it
            try:
                scores += score_pack(pack, max_grade)
            except CarthandoutError as error:
                problems.append(f"{pack.origin}: {error.line(show_values=True)}")
    return scores, problems
