"""One patient's document context: the validated inputs, their dates, and every field as text.

This is the step between the computed schedule and the content: it turns the patient, the
clinic, the policy and the schedule into the flat ``{namespace.name}`` values that content packs
use, formatted for the document's language, each already checked against the bundled fonts.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache, partial
from typing import Callable, Mapping, Sequence

from carthandout.content import available_languages, load_common
from carthandout.errors import InputError
from carthandout.typefaces import Rich, rich_value
from carthandout.formatting import Formatter, check_date_format, printed_date_format
from carthandout.models import Clinic, Patient, TeamMember
from carthandout.policy import Policy, load_policy, with_overrides
from carthandout.schedule import SCHEDULE_DATE_NAMES, Schedule, compute_schedule

# Phone numbers are printed without a line break inside: "(217)" at a line's end and "555-0199"
# on the next is easily dialled wrong.
PHONE_VALUES = frozenset({"clinic.phone", "clinic.phone_24h", "patient.caregiver_phone"})
# A space inside one number: after a digit or a closing parenthesis that follows one, before
# a digit (with a "+" or "(" to open it): "+1 (217) 555-0199"; and the spaces that join an
# extension or an hour to its number: "0199 ext. 12", "x 12", "5 pm". Everything else in a
# phone field ("(days)", " - ", "or 4422 after") still wraps, so a long field never has to
# break in the middle of a number.
_NUMBER_SPACE = re.compile(
    r"(?:(?<=\d)|(?<=\d\))|(?<=\bext\.)|(?<=\bext)|(?<=\bx)) (?=\+?\(?\d)"
    r"|(?<=\d) (?=(?:ext\.?|x)\s?\d|[ap]\.?\s?m\b)",
    re.IGNORECASE)


def unbroken(phone: str) -> str:
    """``phone`` with the spaces inside its numbers made no-break (reportlab draws a no-break
    space as a space, so the text layer keeps plain spaces)."""
    return _NUMBER_SPACE.sub("\u00a0", phone)


KEPT_TOWN_LENGTH = 30  # characters of "town, state postcode" kept on one line


def postcode_kept(address: str) -> str:
    """``address`` with each postal code kept on one line with the word before it
    ("IL\u00a062701", "ON\u00a0M5G\u00a02C4"): a ZIP code alone at the start of a line reads
    as a street number. A postal code is the last word of a comma-separated part with a digit
    in it, with the word before it when that has a digit too (a two-part code). A short town
    before it stays on its line too ("Springfield,\u00a0IL\u00a062701"): the line breaks
    between the campus and the town, not between the town and its state."""
    parts = [_postcode_kept_in(part) for part in address.split(", ")]
    for index in range(len(parts) - 1, 0, -1):
        town, code = parts[index - 1], parts[index]
        if "\u00a0" in code and len(town) + len(code) + 2 <= KEPT_TOWN_LENGTH:  # code: a part with a postal code
            parts[index - 1:index + 1] = [town.replace(" ", "\u00a0") + ",\u00a0" + code]
    return ", ".join(parts)


def _postcode_kept_in(part: str) -> str:
    words = part.split(" ")
    if len(words) < 2 or not _has_digit(words[-1]):
        return part
    kept = 3 if len(words) > 2 and _has_digit(words[-2]) else 2
    return " ".join(words[:-kept] + ["\u00a0".join(words[-kept:])])


def _has_digit(word: str) -> bool:
    return any(character.isdigit() for character in word)


def rich_phone(phone: str, field: str) -> Rich:
    """A phone number as safe markup (``rich_value``), never broken over two lines inside a number."""
    return rich_value(unbroken(phone), field)


def rich_address(address: str, field: str) -> Rich:
    """An address as safe markup (``rich_value``), its postal codes never starting a line."""
    return rich_value(postcode_kept(address), field)


def rich_team(clinic: Clinic, language: str) -> list[tuple[Rich, list[Rich]]]:
    """Each team member's role in ``language``, and their name and phone as lines of markup."""
    return [_rich_member(number, member, language) for number, member in enumerate(clinic.team, start=1)]


def _rich_member(number: int, member: TeamMember, language: str) -> tuple[Rich, list[Rich]]:
    where = f"clinic.team[{number}]"
    lines = [rich_value(member.name, f"{where}.name")]
    if member.phone:
        lines.append(rich_phone(member.phone, f"{where}.phone"))
    translated = language in dict(member.translated_roles)
    return rich_value(member.role_in(language), f"{where}.role" + (f".{language}" if translated else "")), lines


def team_checks(clinic: Clinic) -> list[Callable[[], None]]:
    """One check per team member, each raising InputError naming a field no bundled font can print,
    or a language with no documents, in any of the member's languages: ``check_clinic`` runs them
    before the first patient (one error, not one per row of a batch); ``check --clinic`` lists
    every member's problem."""
    languages = sorted({clinic.language, *(language for m in clinic.team for language, _ in m.translated_roles)})
    return [partial(_check_member, number, member, languages) for number, member in enumerate(clinic.team, start=1)]


def _check_member(number: int, member: TeamMember, languages: Sequence[str]) -> None:
    check_translations_available(f"clinic.team[{number}].role", member.translated_roles)
    for language in languages:
        _rich_member(number, member, language)


def check_translations_available(field: str, translated: tuple[tuple[str, str], ...]) -> None:
    """Clinic text given in a language carthandout has no documents in never prints: a typo
    (``sp:`` for ``es:``) left Spanish papers with the English wording."""
    available = available_languages()
    for language, _ in translated:
        if language not in available:
            raise InputError(f"{field}.{language}", f"{{value}} is not an available language "
                             f"(available: {', '.join(available)})", language, sensitive=False)


def rich_date(date: str, field: str) -> Rich:
    """A date as safe markup (``rich_value``), kept on one line: "until March 19, / 2027" and
    "hasta el 29 de / marzo de 2027" split the one fact a reader looks for. (Table cells of dates
    break before the year when they must: ``text_line.year_on_its_own_line``.)"""
    return rich_value(date.replace(" ", "\u00a0"), field)


DATE_VALUES = frozenset({f"dates.{name}" for name in SCHEDULE_DATE_NAMES} | {"patient.infusion_date", "patient.date_of_birth"})
_MARKUP_MAKERS = {**{key: rich_phone for key in PHONE_VALUES}, **{key: rich_date for key in DATE_VALUES},
                  "clinic.address": rich_address}


@dataclass(frozen=True)
class DocumentContext:
    patient: Patient
    clinic: Clinic
    policy: Policy
    schedule: Schedule
    language: str
    formatter: Formatter
    values: Mapping[str, str]
    rich: Mapping[str, Rich]

    @property
    def center_name(self) -> str:
        return self.values["clinic.name"]

    @property
    def physician(self) -> str:
        return self.values["patient.physician"]


@lru_cache(maxsize=64)
def effective_policy(clinic: Clinic) -> Policy:
    return with_overrides(load_policy(clinic.policy), dict(clinic.policy_overrides))


def build_context(patient: Patient, clinic: Clinic, language: str | None = None) -> DocumentContext:
    """Everything one patient's documents need; raises InputError naming a field it cannot print."""
    lang = language or patient.language or clinic.language
    _check_language(lang, "language" if language or patient.language else "clinic.language",
                    sensitive=bool(patient.language) and not language)
    policy = effective_policy(clinic)
    schedule = compute_schedule(patient.infusion_date, policy)
    formatter = _formatter(lang, printed_date_format(check_date_format(clinic.date_format)))
    values = {
        **_patient_values(patient, clinic, formatter),
        **_clinic_values(patient, clinic),
        **_date_values(schedule, formatter),
        **_policy_values(policy, formatter),
    }
    rich = {key: _MARKUP_MAKERS.get(key, rich_value)(text, _field_of(key, patient)) for key, text in values.items()}
    return DocumentContext(patient, clinic, policy, schedule, lang, formatter, values, rich)


def _check_language(language: str, field: str, sensitive: bool = False) -> None:
    """``sensitive``: the patient's own field, whose code comes from a roster cell that may hold
    other data ("AB-123" read as "ab"): shown only with --show-values."""
    available = available_languages()
    if language not in available:
        raise InputError(field, f"{{value}} is not an available language (available: {', '.join(available)})",
                         language, sensitive=sensitive)


@lru_cache(maxsize=16)
def _formatter(language: str, date_format: str) -> Formatter:
    common = load_common(language)
    return Formatter(locale=common.locale, date_format=date_format, units=common.units)


def _field_of(key: str, patient: Patient) -> str:
    """Error messages name the input field: ``patient.name`` -> ``name``, a patient's center -> ``center``,
    the clinic's doctor (a patient without their own) -> ``clinic.physician``."""
    if key == "clinic.name" and patient.center:
        return "center"
    if key == "patient.physician" and not patient.physician:
        return "clinic.physician"
    if key in ("patient.infusion_date", "patient.date_of_birth") or key.startswith("dates."):
        return "clinic.date_format"  # a date prints digits and month names: a character no font has is the pattern's
    namespace, name = key.split(".", 1)
    return name if namespace == "patient" else key


def _patient_values(patient: Patient, clinic: Clinic, fmt: Formatter) -> dict[str, str]:
    return {
        "patient.name": patient.name,
        "patient.caregiver": patient.caregiver,
        "patient.caregiver_phone": patient.caregiver_phone,
        "patient.mrn": patient.mrn,
        "patient.physician": patient.physician or clinic.physician,
        "patient.date_of_birth": fmt.date(patient.date_of_birth),
        "patient.infusion_date": fmt.date(patient.infusion_date),
    }


def _clinic_values(patient: Patient, clinic: Clinic) -> dict[str, str]:
    return {
        "clinic.name": patient.center or clinic.name,
        "clinic.phone": clinic.phone or clinic.phone_24h,
        "clinic.phone_24h": clinic.phone_24h,
        "clinic.address": ", ".join(clinic.address),
    }


def _date_values(schedule: Schedule, fmt: Formatter) -> dict[str, str]:
    named = schedule.named_dates()
    return {f"dates.{name}": fmt.date(named.get(name)) for name in SCHEDULE_DATE_NAMES}


def _travel_values(hours: int | None, fmt: Formatter) -> dict[str, str]:
    """Empty when the profile gives no travel time: a block without it (``unless``)."""
    if hours is None:
        return {"policy.stay_near_travel_hours": "", "policy.stay_near_travel_time": ""}
    return {"policy.stay_near_travel_hours": str(hours), "policy.stay_near_travel_time": fmt.hours(hours)}


def _policy_values(policy: Policy, fmt: Formatter) -> dict[str, str]:
    return {
        "policy.daily_monitoring_period": fmt.days(policy.daily_monitoring_days),
        "policy.monitoring_period": fmt.days(policy.monitoring_days),
        # empty when the close watch ends with the daily checks: a block saying both once (``unless``)
        "policy.close_watch_after_daily_checks": (fmt.days(policy.monitoring_days - policy.daily_monitoring_days)
                                                  if policy.monitoring_days > policy.daily_monitoring_days else ""),
        "policy.stay_near_period": fmt.days(policy.stay_near_days),
        "policy.no_driving_period": fmt.days(policy.no_driving_days),
        "policy.caregiver_period": fmt.days(policy.caregiver_days),
        "policy.manufacturing_period": fmt.day_range(policy.manufacturing_days_min, policy.manufacturing_days_max),
        **_travel_values(policy.stay_near_travel_hours, fmt),
        "policy.fever_threshold": fmt.temperature(policy.fever_threshold_f, policy.fever_threshold_c),
        "policy.fever_threshold_f": fmt.number(policy.fever_threshold_f),
        "policy.fever_threshold_c": fmt.number(policy.fever_threshold_c),
        "policy.live_vaccine_period": fmt.days(policy.live_vaccine_weeks * 7),
        "policy.conditioning_day_count": str(len(policy.conditioning_days)),
        "policy.conditioning_period": fmt.days(len(policy.conditioning_days)),
    }
