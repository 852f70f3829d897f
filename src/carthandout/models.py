"""Validated inputs: the patient and the clinic. Parsing turns raw values into frozen models."""
from __future__ import annotations

import datetime as dt
import difflib
import re
import unicodedata
from dataclasses import dataclass, field, fields
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Collection, Iterable, Mapping

from PIL import Image

from carthandout.errors import CarthandoutError, InputError, SeveralProblems, raise_together
from carthandout.local_dates import TWO_DIGIT_YEAR
from carthandout.textnorm import normalise_text, without_invisible

# ASCII digits: \d takes ৪ (4, looks like 8). The year first, the month is next in every country:
# 2027-3-5 and 2027/03/05 are read too.
_ISO_DATE = re.compile(r"^([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})$")
# A date column exported with its time ("2027-03-05 00:00:00", "2027-03-05T00:00:00Z"): the date
# at midnight is that date; any other time is a date and time, as a YAML timestamp is.
_ISO_DATE_TIME = re.compile(
    r"^([0-9]{4}[-/.][0-9]{1,2}[-/.][0-9]{1,2})[T ]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2})(?:\.([0-9]+))?)?Z?$")
# 3/5/2027 is March 5 in the US and 3 May elsewhere: such dates are refused, with a way out.
_LOCAL_DATE = re.compile(
    r"^[0-9]{1,2}[/.-][0-9]{1,2}[/.-][0-9]{2,4}(?: [0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?(?: ?[AaPp][Mm])?)?$")
_HEX_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")
# A language tag as health records write it: "es", "es-MX", "es_US", "es-419". Documents
# exist per language, so only the language part is kept.
_LANGUAGE = re.compile(r"^([a-z]{2})(?:[-_][a-z]{4})?(?:[-_](?:[a-z]{2}|[0-9]{3}))?$")  # es, es-MX, es-Latn-MX, es-419
_DECIMAL_COMMA = re.compile(r"^-?[0-9]+,[0-9]{1,2}$")  # 72,5 as spreadsheets in many countries write it
# Digits and a decimal point only: float() also takes "7_2", "1e2" and other scripts' digits,
# and a weight read wrongly feeds the staff dose line.
_WEIGHT = re.compile(r"^-?[0-9]+(?:\.[0-9]+)?$")  # a minus sign reaches the range check
MAX_TEXT_LENGTH = 200
# Text this many times longer than a field takes is refused before it is tidied (spaces collapsed,
# invisible characters dropped): a 10 MB name took 15 s to tidy before it was refused.
UNTIDY_FACTOR = 20


@dataclass(frozen=True)
class Patient:
    name: str
    infusion_date: dt.date
    caregiver: str = ""
    caregiver_phone: str = ""
    mrn: str = ""
    date_of_birth: dt.date | None = None
    center: str = ""
    physician: str = ""
    language: str = ""
    weight_kg: Decimal | None = None
    large_print: bool = False


PATIENT_FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Patient))
_SEPARATORS = re.compile(r"[\W_]+")
# Column names health-record exports use for the fields ("Patient Name", "DOB"): a roster with
# them stopped with "unknown column" until its header was retyped.
FIELD_ALIASES = {
    "name": ("patient name", "full name", "nombre", "nombres", "nombre del paciente", "nombre completo", "paciente"),
    "date_of_birth": ("dob", "birth date", "birthdate", "fecha de nacimiento"),
    "mrn": ("medical record number", "medical record", "expediente", "número de expediente", "historia clínica"),
    # not "Day 0" alone: "Day 30" was then a misspelt infusion date
    "infusion_date": ("infusion", "date of infusion", "infusion date day 0", "cell infusion date", "fecha de infusión",
                      "fecha de infusión día 0"),
    "caregiver": ("caregiver name", "cuidador", "cuidadora", "nombre del cuidador"),
    "caregiver_phone": ("caregiver phone number", "teléfono del cuidador", "teléfono de la cuidadora"),
    "physician": ("doctor", "attending", "attending physician", "treating physician", "physician name", "provider",
                  "médico", "médica", "médico tratante", "médica tratante", "doctora", "nombre del médico"),
    "center": ("centro", "centro de tratamiento"),
    "language": ("preferred language", "idioma", "idioma preferido"),
    "weight_kg": ("wt kg", "body weight kg", "peso kg"),  # never "Weight" or "Peso" alone: pounds or kilograms?
    "large_print": ("letra grande",),
}
# "Patient MRN", "Patient DOB": a field's title after the word "patient" names the field.
_PATIENT_PREFIX = "patient"


# Columns an export splits the name into ("First Name", "Last Name"): joined into ``name`` when a
# row is read (``name_order.name_from_parts``), in this order.
NAME_PARTS = ("first_name", "middle_name", "last_name", "second_last_name", "name_suffix")
NAME_PART_ALIASES = {
    "first_name": ("given name", "given names", "forename", "primer nombre"),
    "middle_name": ("middle names", "middle initial", "segundo nombre"),
    "last_name": ("family name", "surname", "apellido", "apellidos", "apellido paterno", "primer apellido",
                  "first surname", "first last name", "paternal last name", "paternal surname"),
    # Spanish and Portuguese names carry two surnames, which exports often keep in two columns
    "second_last_name": ("apellido materno", "segundo apellido", "second surname", "maternal last name",
                         "maternal surname"),
    "name_suffix": ("suffix",),
}
NAME_MAX_LENGTH = 120
# What a roster's columns and a patient file's keys may name.
ROSTER_FIELDS = PATIENT_FIELDS + NAME_PARTS


def header_key(header: str) -> str:
    """A column title as it is matched: case, spaces, punctuation, underscores and accents aside
    ("Fecha de infusión", "FECHA DE INFUSION")."""
    unaccented = "".join(ch for ch in unicodedata.normalize("NFKD", header) if not unicodedata.combining(ch))
    return _SEPARATORS.sub("", unaccented).lower()


_FIELD_KEYS = {header_key(spelling): name for name in ROSTER_FIELDS
               for spelling in (name, *FIELD_ALIASES.get(name, ()), *NAME_PART_ALIASES.get(name, ()))}


def field_for_header(header: str) -> str | None:
    """The patient field a roster's column header or a patient file's key names ("Infusion Date",
    "INFUSION_DATE", "infusion-date": case, spaces and underscores aside; or an alias, "DOB"), or None."""
    key = header_key(header)
    return _FIELD_KEYS.get(key) or (_FIELD_KEYS.get(key[len(_PATIENT_PREFIX):])
                                    if key.startswith(_PATIENT_PREFIX) else None)


def header_misspelling(header: str) -> str | None:
    """The patient field a column header misspells ("Infusion Dtae", "Weight"), or None."""
    meant = difflib.get_close_matches(header_key(header), _FIELD_KEYS, n=1, cutoff=0.8)
    return _FIELD_KEYS[meant[0]] if meant else None


REQUIRED_PATIENT_FIELDS = ("name", "infusion_date")


def parse_text(field_name: str, raw: Any, max_length: int = MAX_TEXT_LENGTH, sensitive: bool = True) -> str:
    """Check that ``raw`` is text (not a YAML number or boolean) and normalise it."""
    if raw is None:
        return ""
    if isinstance(raw, bool) or not isinstance(raw, str):
        # quotes make text of a number, a date or yes/no; of a list or a mapping they make nothing
        hint = (" (in YAML put it in quotes; in a spreadsheet format the column as text)"
                if isinstance(raw, (int, float, dt.date)) else "")
        raise InputError(field_name, f"must be text, got {_yaml_kind(raw)}{hint}", raw, sensitive)
    if len(raw) > max_length * UNTIDY_FACTOR:  # far too long whatever tidying takes out: not read through
        raise InputError(field_name, f"is too long ({len(raw)} characters, at most {max_length})", raw, sensitive)
    try:
        text = normalise_text(raw)
    except ValueError as exc:
        raise InputError(field_name, str(exc), raw, sensitive) from None
    if len(text) > max_length:
        raise InputError(field_name, f"is too long ({len(text)} characters, at most {max_length})", raw, sensitive)
    return text


def parse_date(field_name: str, raw: Any, sensitive: bool = True) -> dt.date | None:
    """Accept a ``datetime.date`` (YAML) or a date written year first (``YYYY-MM-DD``, also
    ``2027-3-5`` or ``2027/03/05``, at midnight too: ``2027-03-05 00:00:00``), or with its month named."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, dt.datetime) and raw.tzinfo is None and raw.time() == dt.time():
        return raw.date()  # YAML reads an unquoted 2027-03-05 00:00:00 so: read as the same text quoted is
    if isinstance(raw, dt.datetime):
        raise InputError(field_name, "{value} must be a date (YYYY-MM-DD), not a date and time", raw, sensitive)
    if isinstance(raw, dt.date):
        return raw
    if not isinstance(raw, str):
        raise InputError(field_name, "{value} is not a date in the form YYYY-MM-DD", raw, sensitive)
    text = _date_of_midnight(field_name, without_invisible(raw), sensitive)
    parts, weekday = _iso_date_parts(text) or _named_month_date_parts(text), None
    if parts is None:  # "Mar 5, 2027" is March 5 before "mar" (martes) is a day of the week
        dated, weekday = _without_weekday(text)
        parts = _named_month_date_parts(dated) if weekday is not None else None
    if parts is None:
        raise InputError(field_name, "{value} is not a date in the form YYYY-MM-DD" + _date_hint(text), raw, sensitive)
    try:
        date = dt.date(*parts)
    except ValueError:
        raise InputError(field_name, "{value} is not a real date", raw, sensitive) from None
    if weekday is not None and date.weekday() != weekday:
        raise InputError(field_name, "{value} names another day of the week than its date falls on", raw, sensitive)
    return date


# 46451: a date cell shown as its number (General format), as a CSV of it writes it (1955 to 2173)
_DATE_SERIAL = re.compile(r"^[2-9][0-9]{4}$")
# 5-Mar-27, 5 Mar 27: Excel's d-mmm-yy
_NAMED_MONTH_TWO_DIGIT_YEAR = re.compile(r"^[0-9]{1,2}[- ][^\W\d_]{3,}\.?[- ][0-9]{2}$")


def _date_hint(text: str) -> str:
    """What the message of a date not read adds, by what the text looks like."""
    if _LOCAL_DATE.match(text):
        return _local_date_hint(text)
    if _DATE_SERIAL.match(text):
        return " (a number, as a spreadsheet stores a date: format the column as a date)"
    if _NAMED_MONTH_TWO_DIGIT_YEAR.match(text):
        return " (a two-digit year: write the year in full, e.g. 5 March 2027)"
    return ", or with its month named (March 5, 2027; 5 de marzo de 2027)"


def _local_date_hint(text: str) -> str:
    """What to do with 3/5/2027, which countries read differently; with 3/5/27, whose century is
    a guess too, no --date-order helps."""
    if TWO_DIGIT_YEAR.match(text):
        return " (a two-digit year, and day and month order differs between countries: write it as yyyy-mm-dd, " \
               "e.g. 2027-03-05)"
    return (" (day and month order differs between countries: write it as yyyy-mm-dd, e.g. 2027-03-05,"
            " or give --date-order month-first or day-first)")


def _date_of_midnight(field_name: str, raw: str, sensitive: bool) -> str:
    """``raw`` stripped, its time taken off when it is midnight; any other time is refused."""
    text = raw.strip()
    match = _ISO_DATE_TIME.match(text)
    if match is None:
        return text
    if any(int(part or 0) for part in match.groups()[1:]):  # hours, minutes, seconds, a fraction of one
        raise InputError(field_name, "{value} must be a date (YYYY-MM-DD), not a date and time", raw, sensitive)
    return match[1]


def _iso_date_parts(text: str) -> tuple[int, int, int] | None:
    match = _ISO_DATE.match(text)
    return (int(match[1]), int(match[3]), int(match[4])) if match else None


# Month and language names are read in these languages (and a language's name in its own).
NAMES_READ_IN = ("en", "es")
# A date with its month named cannot be misread, whatever the country: "March 5, 2027",
# "5 March 2027", "5-Mar-2027", "5 de marzo de 2027" (the year written in full).
# "March 5th, 2027", "5th March 2027", "5 de marzo del 2027" too.
_MONTH_FIRST = re.compile(r"^(?P<month>[^\W\d_]+)\.?\s+(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>[0-9]{4})$",
                          re.IGNORECASE)
_DAY_FIRST = re.compile(r"^(?P<day>[0-9]{1,2})(?:st|nd|rd|th)?(?:\s+de\s+|[\s./-]+)(?P<month>[^\W\d_]+)\.?"
                        r"(?:\s+del?\s+|,?\s+|[./-])(?P<year>[0-9]{4})$", re.IGNORECASE)


# Excel's Long Date: "Thursday, December 10, 2026", "jueves, 10 de diciembre de 2026".
_WEEKDAY_FIRST = re.compile(r"^(?P<weekday>[^\W\d_]+)\.?,?\s+(?P<date>\S.*)$")


def _without_weekday(text: str) -> tuple[str, int | None]:
    """``text`` without a day of the week named before its date, and that day (Monday 0), or None."""
    match = _WEEKDAY_FIRST.match(text)
    weekday = _weekday_numbers_by_name().get(_folded(match["weekday"])) if match else None
    return (match["date"], weekday) if match and weekday is not None else (text, None)


@lru_cache(maxsize=1)
def _weekday_numbers_by_name() -> dict[str, int]:
    from babel.dates import get_day_names

    names = {"tues": 1, "thur": 3, "thurs": 3}
    for locale in NAMES_READ_IN:
        for width in ("wide", "abbreviated"):
            for number, name in get_day_names(width, "format", locale=locale).items():
                names[_folded(name.rstrip("."))] = number
    return names


def _named_month_date_parts(text: str) -> tuple[int, int, int] | None:
    match = _MONTH_FIRST.match(text) or _DAY_FIRST.match(text)
    month = _month_numbers_by_name().get(_folded(match["month"])) if match else None
    return (int(match["year"]), month, int(match["day"])) if month else None


@lru_cache(maxsize=1)
def _month_numbers_by_name() -> dict[str, int]:
    from babel.dates import get_month_names

    names = {"sept": 9}
    for locale in NAMES_READ_IN:
        for width in ("wide", "abbreviated"):
            for number, name in get_month_names(width, "format", locale=locale).items():
                names[_folded(name.rstrip("."))] = number
    return names


# Plausible years: a typo such as 9999 is caught here, not as an overflow when dates are computed.
INFUSION_YEARS = (2000, 2099)
BIRTH_YEARS = (1900, 2099)


def parse_date_between(field_name: str, raw: Any, first_year: int, last_year: int) -> dt.date | None:
    value = parse_date(field_name, raw)
    if value is not None and not first_year <= value.year <= last_year:
        raise InputError(field_name, f"{{value}} is outside the years {first_year} to {last_year}", raw)
    return value


_KILOGRAMS = re.compile(r"\s*(?:kgs?|\(kgs?\)|kilos?|kilograms?|kilogramos?)\.?$", re.IGNORECASE)
_POUNDS = re.compile(r"^[0-9.,]+\s*(?:lbs?|\(lbs?\)|pounds?|libras?|#)\.?$", re.IGNORECASE)  # 160 # in the US


# What a field written as text may be read from: a YAML list or mapping is never turned into text
# (nine nested aliases, "billion laughs", made a string of gigabytes).
_SCALARS = (str, int, float, Decimal)


def parse_weight(raw: Any) -> Decimal | None:
    """The weight exactly as written (a float would lose digits the dose line prints)."""
    if raw is None or raw == "":
        return None
    if isinstance(raw, bool) or not isinstance(raw, _SCALARS):  # a list is never written out (YAML aliases nest)
        raise InputError("weight_kg", "must be a number of kilograms", raw)
    text = _KILOGRAMS.sub("", str(raw).strip())  # "80 kg": the column's own unit, written out
    if _DECIMAL_COMMA.match(text):
        text = text.replace(",", ".")
    if not _WEIGHT.match(text):
        if _POUNDS.match(text):
            raise InputError("weight_kg", "{value} is in pounds: give the weight in kilograms", raw)
        raise InputError("weight_kg", "{value} is not a number of kilograms", raw)
    weight = Decimal(text)
    if not 1 <= weight <= 400:
        raise InputError("weight_kg", "{value} is outside 1 to 400 kg", raw)
    return weight


def parse_flag(field_name: str, raw: Any) -> bool:
    if raw is None or raw == "":
        return False
    if isinstance(raw, bool):
        return raw
    if not isinstance(raw, _SCALARS):
        raise InputError(field_name, "must be yes or no", sensitive=False)
    text = unicodedata.normalize("NFC", str(raw)).strip().lower()  # "Si" + a combining accent: Sí
    if text in ("1", "yes", "y", "true", "x", "sí", "si"):  # a Spanish export's Sí
        return True
    if text in ("0", "no", "n", "false"):
        return False
    raise InputError(field_name, "must be yes or no", raw, sensitive=False)


def parse_language(raw: Any, field_name: str = "language", sensitive: bool = True) -> str:
    """A language tag's language (``es-MX`` -> ``es``). ``sensitive``: a patient's roster column
    mapped wrongly can put a name or a phone number here; a clinic's cannot."""
    text = parse_text(field_name, raw, max_length=35, sensitive=False).lower()
    if not text:
        return text
    tag = _LANGUAGE.match(text)
    if tag is not None:
        return tag.group(1)
    named = _THREE_LETTER_CODES.get(text) or _language_codes_by_name().get(_folded(_without_region(text)))
    if named is None:
        raise InputError(field_name, "{value} is not a language code such as en, es or es-MX, or a language's name",
                         raw, sensitive=sensitive)
    return named


# Rosters exported from records often name the language ("Spanish", "Español", "Spanish (Mexico)"):
# a language's name in English, in Spanish and in its own words is read as its code, a region
# after it in brackets aside; records also keep the three-letter codes of ISO 639-2 ("spa").
_REGION_AFTER = re.compile(r"\s*\(([^()]*)\)$")


def _without_region(text: str) -> str:
    """``text`` without a country or region in brackets after it ("Spanish (Mexico)", "English
    (US)"); as it is for anything else in brackets ("English (needs Spanish interpreter)": which
    language is the patient's?), which is then refused."""
    match = _REGION_AFTER.search(text)
    return text[:match.start()] if match and _folded(match[1]) in _region_names() else text


@lru_cache(maxsize=1)
def _region_names() -> frozenset[str]:
    """Countries and regions by code ("mx", "419") and by name in the languages names are read in."""
    from babel import Locale

    names = set()
    for locale in NAMES_READ_IN:
        for code, name in Locale.parse(locale).territories.items():
            names.update((_folded(code), _folded(name)))
    return frozenset(names)
_THREE_LETTER_CODES = {"eng": "en", "spa": "es", "fra": "fr", "fre": "fr", "deu": "de", "ger": "de", "por": "pt",
                       "ita": "it", "zho": "zh", "chi": "zh", "vie": "vi", "kor": "ko", "jpn": "ja", "ara": "ar",
                       "rus": "ru", "hin": "hi", "pol": "pl", "tgl": "tl", "fas": "fa", "per": "fa", "hat": "ht"}


@lru_cache(maxsize=1)
def _language_codes_by_name() -> dict[str, str]:
    from babel import Locale, UnknownLocaleError

    names: dict[str, str] = {}
    for locale in NAMES_READ_IN:
        for code, name in Locale.parse(locale).languages.items():
            if len(code) == 2:
                names.setdefault(_folded(name), code)
    for code in {code for code in Locale.parse("en").languages if len(code) == 2}:
        try:
            own = Locale.parse(code).get_display_name(code)
        except (UnknownLocaleError, ValueError):
            continue
        if own:
            names.setdefault(_folded(own), code)
    return names


def _folded(text: str) -> str:
    """Lower case without accents: "Español", "espanol" and "ESPAÑOL" alike."""
    return "".join(ch for ch in unicodedata.normalize("NFKD", text.strip()) if not unicodedata.combining(ch)).casefold()


_FIELD_LIKE = re.compile(r"[a-z][a-z0-9_]*")  # how field names are written


def _unknown_field(key: str) -> InputError:
    """A key that is no patient field is named in the error when it is a misspelt field name
    (``infusion_dat``); any other may be patient data in the wrong place (``Rosa Delgado: ...``
    or ``delgado: ...`` in a YAML roster), shown only with ``--show-values``."""
    known = f"(known: {', '.join(PATIENT_FIELDS)})"
    meant = misspelt_field(key)
    if meant:
        return InputError(key, f"unknown patient field (did you mean {meant}?) {known}", sensitive=False)
    return InputError("field", f"{{value}} is not a patient field {known}", key, sensitive=not named_as_a_field(key),
                      hidden="a field name")


_NAMED_AS_A_FIELD = re.compile(r"[a-z]+(?:_[a-z]+)+")  # discharge_date, chemo_start
# The words that make a key a field's name, not a patient's (rosa_delgado) or a number (rcc_004417).
_FIELD_WORDS = frozenset({"date", "day", "days", "start", "end", "time", "name", "phone", "number", "id", "code",
                          "type", "status", "notes", "note", "kg", "lb", "weight", "height", "dob", "age", "sex"})


def named_as_a_field(key: str) -> bool:
    """Whether ``key`` is written as a field is (words joined by underscores, one of them a field's
    word), and so is no patient data in the wrong place: ``discharge_date`` is named in its error,
    ``delgado`` and ``rosa_delgado`` are not."""
    return _NAMED_AS_A_FIELD.fullmatch(key) is not None and not _FIELD_WORDS.isdisjoint(key.split("_"))


def misspelt_field(key: str) -> str | None:
    """The patient field ``key`` is a misspelling of (``physican``), if it is written like a field
    name and close to one: only such a key may be named in an error without ``--show-values``."""
    return closest_name(key, ROSTER_FIELDS) if _FIELD_LIKE.fullmatch(key) else None


def number_as_text(text: str) -> str:
    """What to say of a clinic setting's number YAML read as text: quoted ("8"), or written with a
    leading zero (030, +030: YAML reads them as text, so there are no quotes to remove)."""
    fix = "leading zeros" if re.fullmatch(r"[-+]?0\d+", text.strip()) else "quotes"
    return f"must be a number, not text (write it without {fix})"


def closest_name(key: str, names: Iterable[str]) -> str | None:
    """The one of ``names`` that ``key`` is most likely a misspelling of, if any is close."""
    meant = difflib.get_close_matches(key, sorted(names), n=1, cutoff=0.75)
    return meant[0] if meant else None


def _clinic_field_meant(key: str) -> str:
    """" (did you mean address?)" for a misspelt clinic field ("adress", "colours"), else nothing."""
    meant = closest_name(key.lower(), CLINIC_KEYS | CLINIC_EXTRA_KEYS)
    return f" (did you mean {meant}?)" if meant else ""


def unknown_keys(raw: Mapping[Any, Any], known: Iterable[str]) -> list[str]:
    """The keys of ``raw`` that are not ``known``, as text, sorted (YAML keys may be numbers, or null)."""
    return sorted(str(key) for key in set(raw) - set(known))


def parse_patient(raw: Mapping[str, Any]) -> Patient:
    """Validate one patient's raw fields (from flags, a YAML file or a roster row)."""
    unknown = unknown_keys(raw, PATIENT_FIELDS)
    if unknown:
        raise _unknown_field(unknown[0])
    printed = _short_values_printed(raw)
    _refuse_spreadsheet_errors(printed)
    for name in REQUIRED_PATIENT_FIELDS:
        if raw.get(name) in (None, ""):
            raise InputError(name, "is required")
    raw = {**raw, **dict.fromkeys(_saying_nothing(printed))}
    name = parse_text("name", raw.get("name"), max_length=NAME_MAX_LENGTH)
    if not name:
        raise InputError("name", "is required")
    if not any(unicodedata.category(character).startswith("L") for character in name):
        raise InputError("name", "{value} has no letters: a name is needed on every page and on the wallet card", name)
    if _says_nothing(name):
        raise InputError("name", "the value stands for no name (N/A, none, -): a name is needed on every page")
    infusion_date = parse_date_between("infusion_date", raw.get("infusion_date"), *INFUSION_YEARS)
    date_of_birth = parse_date_between("date_of_birth", raw.get("date_of_birth"), *BIRTH_YEARS)
    if date_of_birth and date_of_birth > infusion_date:
        raise InputError("date_of_birth", "{value} is after the infusion date", date_of_birth)
    return Patient(
        name=name,
        infusion_date=infusion_date,
        caregiver=parse_text("caregiver", raw.get("caregiver"), max_length=120),
        caregiver_phone=digits_as_recorded("caregiver_phone",
                                           parse_phone("caregiver_phone", raw.get("caregiver_phone"))),
        mrn=digits_as_recorded("mrn", parse_text("mrn", raw.get("mrn"), max_length=40)),
        date_of_birth=date_of_birth,
        center=parse_text("center", raw.get("center"), max_length=120),
        physician=parse_text("physician", raw.get("physician"), max_length=120),
        language=parse_language(raw.get("language")),
        weight_kg=parse_weight(raw.get("weight_kg")),
        large_print=parse_flag("large_print", raw.get("large_print")),
    )


# What exports put in a cell with nothing to say, compared without case, spaces or a closing dot
# ("N / A", "None."). "NA" in capitals only, and not "Nan" or "Nil": Na, Nan and Nil are names.
_NO_VALUE_WORDS = frozenset({
    "n/a", "n.a", "none", "null", "unknown", "unk", "tbd", "tba", "notapplicable", "notavailable", "n/d",
    "noaplica", "ninguno", "ninguna", "desconocido", "desconocida", "-", "--", "---", "\u2013", "\u2014", "?", "??",
    "???", "<na>"})
# What a program (pandas) writes for a missing value, and "NA": in their own case only ("Nan", "Na" are names).
_NOTHING_AS_WRITTEN = frozenset({"NA", "nan", "NaN", "NaT"})
# What a spreadsheet shows when a formula failed (Excel; LibreOffice's Err:502 too): in a CSV
# export as text. An xlsx roster's error cells fail their row; these do too, on every path.
_SPREADSHEET_ERROR = re.compile(r"^(?:#(?:NULL!|DIV/0!|VALUE!|REF!|NAME\?|NUM!|N/A|GETTING_DATA|SPILL!|CALC!|FIELD!|"
                                r"BLOCKED!|CONNECT!|BUSY!|UNKNOWN!)|Err:\d{3})$", re.IGNORECASE)


def stands_for_no_value(text: str) -> bool:
    """True for "N/A", "none", "-" and the like: a cell an export filled in to say it has nothing.
    Compared as printed: "N/A" with a zero-width space printed N/A."""
    return _says_nothing(_as_printed(text))


def _says_nothing(printed: str) -> bool:
    key = printed.casefold().replace(" ", "").rstrip(".")
    return printed in _NOTHING_AS_WRITTEN or key in _NO_VALUE_WORDS or (printed != "" and key == "")


# Longer than this, a value is neither a word for nothing nor a spreadsheet's error, even with
# invisible characters in it: it is not read through twice (a long one is refused unread).
_SHORT_VALUE = 64


def _short_values_printed(raw: Mapping[str, Any]) -> dict[str, str]:
    """The patient's short text values as the papers would print them, in field order: what both
    the spreadsheet errors and the words for nothing are looked for in."""
    return {name: _as_printed(value) for name in ROSTER_FIELDS  # a name's parts before they are joined too
            if isinstance(value := raw.get(name), str) and len(value) <= _SHORT_VALUE}


def _refuse_spreadsheet_errors(printed: Mapping[str, str]) -> None:
    for field_name, text in printed.items():
        refuse_spreadsheet_error(field_name, text)


def refuse_spreadsheet_error(field_name: str, printed: str) -> None:
    """Raise InputError when ``printed`` is what a spreadsheet shows for a failed formula."""
    if _SPREADSHEET_ERROR.match(printed):
        shown = printed.upper() if printed.startswith("#") else printed
        raise InputError(field_name, f"the cell shows the spreadsheet error {shown}",
                         sensitive=False)  # as an xlsx roster's error cell is told


def _as_printed(text: str) -> str:
    """``text`` as the papers would print it (invisible characters dropped: "#N/A" and a zero-width
    space printed #N/A); as it is when it cannot be printed (refused as printed anyway)."""
    try:
        return normalise_text(text)
    except ValueError:
        return text.strip()


READ_AS_EMPTY = "N/A, none, - or the like: read as empty"


def fields_saying_no_value(raw: Mapping[str, Any]) -> list[str]:
    """The optional fields an export filled with a word for nothing ("N/A", "none", "-"): read as
    empty. As written they printed "Your caregiver is N/A", named the folder N-A, and a weight or a
    phone of "none" failed its row as not a number."""
    return _saying_nothing(_short_values_printed(raw))


def _saying_nothing(printed: Mapping[str, str]) -> list[str]:
    return [name for name, text in printed.items() if name not in REQUIRED_PATIENT_FIELDS and _says_nothing(text)]


# A patient with nothing of their own to check: the clinic's settings and one field at a time are
# checked against these stand-ins.
PROBE_NAME = "A"
PROBE_PHONE = "555 0100"
PROBE_INFUSION_DATE = dt.date(2027, 1, 1)


def probe_patient(infusion_date: dt.date = PROBE_INFUSION_DATE) -> Patient:
    return parse_patient({"name": PROBE_NAME, "infusion_date": infusion_date})


def phone_digits(phone: str) -> str:
    """The ASCII digits a phone dials: full-width or Arabic-Indic ones are read as the digits they are."""
    return "".join(str(unicodedata.digit(ch)) for ch in phone if ch.isdigit())


def parse_phone(field_name: str, raw: Any, sensitive: bool = True, clinics: bool = False) -> str:
    """A phone number as written. Refused: a letter O, I or l touching a digit ("444-2OOO": O dials
    6); in the clinic's numbers (``clinics``), any digit but 0-9 ("२१७", printed in English
    papers as the number to call)."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        raise InputError(field_name, "must be quoted text in YAML (a phone number read as a number loses digits)", raw, sensitive)
    phone = parse_text(field_name, raw, max_length=40, sensitive=sensitive)
    if phone and not any(ch.isdigit() for ch in phone):
        raise InputError(field_name, "{value} has no digits", raw, sensitive)
    if _LOOK_ALIKE_IN_DIGITS.search(phone):
        raise InputError(field_name, "{value} has a letter O, I or l among its digits (a 0 or 1?)", raw, sensitive)
    if clinics and any(ch.isdigit() and not "0" <= ch <= "9" for ch in phone):
        raise InputError(field_name, "{value} must be written with the digits 0-9", raw, sensitive)
    if clinics and isinstance(raw, str) and "\n" in raw.strip():  # printed as one run of digits
        raise InputError(field_name, "is written on two lines: give one number (the team list takes more)", raw,
                         sensitive)
    return phone


_LOOK_ALIKE_IN_DIGITS = re.compile(r"[0-9][OoIl]|[OoIl][0-9]")
_SCIENTIFIC = re.compile(r"^[+-]?\d(?:[.,]\d+)?[eE]\+\d+$")  # 1.23457E+11: Excel's General for 12 digits
_DECIMAL_ZERO = re.compile(r"^\d+\.0+$")  # 12345.0: a program's float of the spreadsheet's number
_THOUSANDS = re.compile(r"^\d{1,3}(?:,\d{3})+$")  # 4,421: a number column formatted #,##0, saved as CSV


def digits_as_recorded(field_name: str, text: str) -> str:
    """``text`` unless a spreadsheet or a program wrote its number as a number: in scientific
    notation ("1.23457E+11": the digits past the sixth are lost) or with ".0" ("12345.0", its
    leading zeros lost with it), or with thousands separators ("4,421"). The CSV path printed them
    on the papers and named the folder so."""
    if _SCIENTIFIC.match(text):
        raise InputError(field_name, "{value} is a number in scientific notation, as a spreadsheet shows a long "
                         "number: its digits are lost (format the column as text and type them again)", text)
    if _DECIMAL_ZERO.match(text):
        raise InputError(field_name, "{value} ends in .0, as a program writes a number: write it as the record "
                         "shows it (any leading zeros were lost too)", text)
    if _THOUSANDS.match(text):
        raise InputError(field_name, "{value} has thousands separators, as a spreadsheet shows a number: write it "
                         "as the record shows it (any leading zeros were lost too)", text)
    return text


@dataclass(frozen=True)
class TeamMember:
    role: str  # in the clinic's language
    name: str
    phone: str = ""
    translated_roles: tuple[tuple[str, str], ...] = ()  # (language, role) for other document languages

    def role_in(self, language: str) -> str:
        """The role in the document's language where the clinic gave it, else in the clinic's."""
        return text_in(language, self.role, self.translated_roles)


@dataclass(frozen=True)
class Clinic:
    name: str
    phone_24h: str
    phone: str = ""
    address: tuple[str, ...] = ()
    team: tuple[TeamMember, ...] = ()
    logo: Path | None = None
    primary_color: str = "#1F4E79"
    accent_color: str = "#C8102E"
    paper: str = "letter"
    date_format: str = "long"
    policy: str = "source-document"
    policy_overrides: tuple[tuple[str, Any], ...] = ()
    physician: str = ""
    language: str = "en"
    name_in_metadata: bool = False
    example: bool = False  # the bundled example clinic: its center, doctor and numbers are made up
    # Raw YAML sections (dicts): compared but not hashed, so a Clinic stays usable as a cache key.
    extras: tuple[tuple[str, Any], ...] = field(default=(), hash=False)

    def extra(self, key: str, default: Any = None) -> Any:
        return dict(self.extras).get(key, default)


CLINIC_KEYS = {
    "name", "phone_24h", "phone", "address", "team", "logo", "colors", "paper", "date_format",
    "policy", "overrides", "physician", "language", "name_in_metadata",
}
# Sections of the clinic file owned by single documents (validated where they are used).
CLINIC_EXTRA_KEYS: set[str] = {"checklist", "wallet_card", "readability", "exports"}
PAPER_SIZES = ("letter", "a4")


def parse_clinic(raw: Any, base_dir: Path, languages: Collection[str] | None = None) -> Clinic:
    """Validate a clinic profile; relative paths (the logo) are read from ``base_dir``; ``languages``:
    those with documents (None: not checked here). Raises the first problem, with how many more
    (``clinic_despite_problems`` lists them all)."""
    values, problems = _clinic_fields(raw, base_dir, languages)
    raise_together(problems)
    return Clinic(**values)


# What a required field that did not parse stands in as, so that ``check`` goes on to the checks
# that need a whole clinic (the overrides, the checklist and wallet-card sections).
_STAND_INS = {"name": "Clinic", "phone_24h": "555 0100"}


def clinic_despite_problems(raw: Any, base_dir: Path,
                            languages: Collection[str] | None = None) -> tuple[Clinic | None, list[CarthandoutError]]:
    """The clinic from the fields that parse (stand-ins for required ones that do not), and the
    problems of the others; None for a file that is no mapping of fields."""
    values, problems = _clinic_fields(raw, base_dir, languages)
    if "policy" not in values:  # overrides checked against another profile than the one named are not its problems
        values.pop("policy_overrides", None)
    return (Clinic(**{**_STAND_INS, **values}) if isinstance(raw, Mapping) else None), problems


def _clinic_fields(raw: Any, base_dir: Path,
                   languages: Collection[str] | None) -> tuple[dict[str, Any], list[CarthandoutError]]:
    """Clinic's fields from ``raw``, each parsed on its own, and every problem found."""
    if not isinstance(raw, Mapping):
        return {}, [InputError("clinic", "the clinic file must be a mapping of fields", sensitive=False)]
    problems: list[CarthandoutError] = [InputError(f"clinic.{key}", "unknown clinic field" + _clinic_field_meant(key),
                                                   sensitive=False)
                                        for key in unknown_keys(raw, CLINIC_KEYS | CLINIC_EXTRA_KEYS)]
    values: dict[str, Any] = {}
    for parse in _clinic_field_parsers(raw, base_dir, values, languages):
        try:
            values.update(parse())
        except PartlyRead as partly:
            values.update(partly.values)
            problems.extend(partly.problems)
        except SeveralProblems as several:  # a team's members, each named
            problems.extend(several.problems)
        except CarthandoutError as error:
            problems.append(error)
    return values, problems


def _clinic_field_parsers(raw: Mapping[str, Any], base_dir: Path, parsed: Mapping[str, Any],
                          languages: Collection[str] | None) -> list[Callable[[], dict[str, Any]]]:
    """One parser a field (or pair of fields), in the order their problems are reported; the
    team's roles are read in the clinic's language once it is ``parsed`` (a language with no
    documents: in any language, so that its error is not taken for the roles')."""
    def text(key: str, required: bool = False) -> str:
        value = parse_text(f"clinic.{key}", raw.get(key), sensitive=False)
        if required and not value:
            raise InputError(f"clinic.{key}", "is required", sensitive=False)
        return value

    return [
        lambda: _parse_colors(raw.get("colors")),
        lambda: {"paper": _parse_paper(text("paper"))},
        lambda: {"policy_overrides": _parse_overrides(raw.get("overrides"))},
        lambda: {"language": _parse_clinic_language(raw.get("language"), languages)},
        lambda: {"name": text("name", required=True)},
        lambda: {"phone_24h": parse_phone("clinic.phone_24h", raw.get("phone_24h"), sensitive=False, clinics=True)
                 or _required("clinic.phone_24h")},
        lambda: {"phone": parse_phone("clinic.phone", raw.get("phone"), sensitive=False, clinics=True)},
        lambda: {"address": _parse_address(raw.get("address"))},
        lambda: {"team": _parse_team(raw.get("team"), parsed.get("language"))},
        lambda: {"logo": _parse_logo(raw.get("logo"), base_dir)},
        lambda: {"date_format": _named_style_lowered(text("date_format")) or "long"},
        # profiles are named in lower case with hyphens: "US-Label-2025", "source_document" mean them
        lambda: {"policy": (text("policy") or "source-document").strip().lower().replace("_", "-")},
        lambda: {"physician": text("physician")},
        lambda: {"name_in_metadata": parse_flag("clinic.name_in_metadata", raw.get("name_in_metadata"))},
        lambda: {"extras": tuple(sorted((k, raw[k]) for k in CLINIC_EXTRA_KEYS if k in raw))},
    ]


def _parse_colors(raw: Any) -> dict[str, str]:
    colors = raw or {}
    if not isinstance(colors, Mapping):
        raise InputError("clinic.colors", "must map primary/accent to #RRGGBB colors", sensitive=False)
    for key, value in colors.items():
        if key not in ("primary", "accent"):
            raise InputError(f"clinic.colors.{key}", "unknown color (use primary, accent)", sensitive=False)
        if value is None:  # `primary: #1F4E79` unquoted: YAML reads the # as the start of a comment
            raise InputError(f"clinic.colors.{key}", 'is empty: in YAML put a color in quotes ("#1F4E79")',
                             sensitive=False)
        if not isinstance(value, str) or not _HEX_COLOR.match(value.strip()):  # "#1F4E79 " as "A4 " is read
            raise InputError(f"clinic.colors.{key}", "{value} is not a #RRGGBB color", value, sensitive=False)
    return {"primary_color": colors.get("primary", Clinic.primary_color).strip(),
            "accent_color": colors.get("accent", Clinic.accent_color).strip()}


def _parse_paper(value: str) -> str:
    paper = value.lower() or "letter"
    if paper not in PAPER_SIZES:
        raise InputError("clinic.paper", "{value} is not letter or a4", paper, sensitive=False)
    return paper


NAMED_DATE_FORMATS = ("short", "medium", "long", "full", "iso")


def _named_style_lowered(date_format: str) -> str:
    """"Long" read as "long", as "A4" is a4; a pattern keeps its case (MM is the month, mm the minute)."""
    return date_format.lower() if date_format.lower() in NAMED_DATE_FORMATS else date_format


def _parse_overrides(raw: Any) -> tuple[tuple[str, Any], ...]:
    """Single policy values as hashable pairs; the policy module checks names and ranges."""
    overrides = raw or {}
    if not isinstance(overrides, Mapping) or not all(isinstance(key, str) for key in overrides):
        raise InputError("clinic.overrides", "must map policy value names to values", sensitive=False)
    pairs, problems = [], []
    for key, value in sorted(overrides.items()):
        # each value's name, type and range are the policy module's to check (it names the value)
        try:
            pairs.append((key, _override_value(key, value)))
        except InputError as error:  # every override's problem at once, not one a run
            problems.append(error)
    if problems:  # the others still read: check finds their names' and ranges' problems too
        raise PartlyRead(problems, {"policy_overrides": tuple(pairs)})
    return tuple(pairs)


class PartlyRead(SeveralProblems):
    """A field's problems, and the values of it that did read (some of a clinic's overrides)."""

    def __init__(self, problems: list[CarthandoutError], values: dict[str, Any]):
        super().__init__(problems)
        self.values = values


def _override_value(key: str, value: Any) -> Any:
    """One override as YAML read it, a list made hashable; refused when empty or of no kind a value has."""
    if value is None or value == "":
        raise InputError(f"clinic.overrides.{key}", "is empty: give it a value, or leave it out", sensitive=False)
    if isinstance(value, list) and all(isinstance(item, _SCALARS + (bool,)) for item in value):
        return tuple(value)
    if not isinstance(value, _SCALARS + (bool,)):
        kind = "a list of day numbers" if key == "conditioning_days" else "a number"
        raise InputError(f"clinic.overrides.{key}", f"must be {kind}, not {_yaml_kind(value)}", sensitive=False)
    return value


def _required(field_name: str) -> str:
    raise InputError(field_name, "is required", sensitive=False)


def _yaml_kind(value: Any) -> str:
    """What YAML read a value as, in a clinic's words."""
    if isinstance(value, bool):  # YAML 1.1 reads yes, no, on and off so
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dt.date):
        return "a date"
    if value is None:
        return "an empty value"
    return {str: "text", list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)


# The contacts table cannot break inside its address: forty lines, or four of 190 characters in
# large print, were taller than a page and stopped the handout with an internal error.
MAX_ADDRESS_LINES = 6
MAX_ADDRESS_LINE_LENGTH = 100


def _parse_address(raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    lines = raw if isinstance(raw, list) else str(raw).splitlines() if isinstance(raw, str) else None
    if lines is None:
        raise InputError("clinic.address", "must be text or a list of lines", sensitive=False)
    numbered = isinstance(raw, list)  # a line that is not text is named by its number: address[3]
    texts = [parse_text(f"clinic.address[{number}]" if numbered else "clinic.address", line,
                        max_length=MAX_ADDRESS_LINE_LENGTH, sensitive=False)
             for number, line in enumerate(lines, start=1)]
    address = tuple(text for text in texts if text)
    if len(address) > MAX_ADDRESS_LINES:
        raise InputError("clinic.address", f"has {len(address)} lines; at most {MAX_ADDRESS_LINES} fit the "
                         "contacts table", sensitive=False)
    return address


def _parse_clinic_language(raw: Any, languages: Collection[str] | None) -> str:
    language = parse_language(raw, "clinic.language", sensitive=False) or "en"
    if languages is not None and language not in languages:
        raise InputError("clinic.language", f"{{value}} is not an available language (available: "
                         f"{', '.join(languages)})", language, sensitive=False)
    return language


def _parse_team(raw: Any, clinic_language: str | None) -> tuple[TeamMember, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise InputError("clinic.team", "must be a list of {role, name, phone}", sensitive=False)
    members, problems = [], []
    for index, item in enumerate(raw, start=1):
        try:
            members.append(_team_member(f"clinic.team[{index}]", item, clinic_language))
        except CarthandoutError as error:
            problems.append(error)
    raise_together(problems)  # every member's problem, not the first alone
    return tuple(members)


def _team_member(where: str, item: Any, clinic_language: str | None) -> TeamMember:
    if not isinstance(item, Mapping):
        raise InputError(where, "must be a mapping such as {role: ..., name: ..., phone: ...}", sensitive=False)
    unknown = sorted(str(key) for key in set(item) - {"role", "name", "phone"})
    if unknown:
        raise InputError(where, f"unknown key {', '.join(unknown)}: a member has only role, name and phone",
                         sensitive=False)
    role, translated = parse_text_by_language(f"{where}.role", item.get("role"), clinic_language,
                                              "is required: it labels the member's row in the contacts")
    member = TeamMember(
        role=role,
        name=parse_text(f"{where}.name", item.get("name"), sensitive=False),
        phone=parse_phone(f"{where}.phone", item.get("phone"), sensitive=False, clinics=True),
        translated_roles=translated,
    )
    if not (member.name or member.phone):
        raise InputError(where, "needs a name or a phone (an empty row printed in the contacts)", sensitive=False)
    return member


def text_in(language: str, default: str, translated: tuple[tuple[str, str], ...]) -> str:
    """Clinic text (``parse_text_by_language``) in ``language`` where given, else ``default``."""
    return dict(translated).get(language, default)


def parse_text_by_language(field_name: str, raw: Any, clinic_language: str | None,
                           required: str = "is required") -> tuple[str, tuple[tuple[str, str], ...]]:
    """Clinic text for every language (``Dental check``), or by language (``{en: Dental check,
    es: Revisión dental}``) with the clinic's language among them: that wording is for the
    documents of a language not given. Returns it and the others as (language, text) pairs.
    ``clinic_language`` None (the clinic's is wrong): the text is checked, not its languages."""
    by_language = raw if isinstance(raw, Mapping) else {clinic_language or "en": raw}
    texts: dict[str, str] = {}
    for key, value in by_language.items():
        written = {True: "yes", False: "no"}.get(key, key) if isinstance(key, bool) else key  # YAML 1.1: no -> False
        where = f"{field_name}.{written}" if isinstance(raw, Mapping) else field_name
        if not isinstance(key, str):  # YAML reads `no:` as false, `1:` as a number
            raise InputError(where, "is not a language code such as en or es (in YAML put it in quotes)",
                             sensitive=False)
        language = parse_language(key, where, sensitive=False)
        if language in texts:
            raise InputError(where, f"gives the text in {language} a second time", sensitive=False)
        texts[language] = parse_text(where, value, sensitive=False)
        if not texts[language]:
            raise InputError(where, required, sensitive=False)
    if clinic_language is None:  # the clinic's language is wrong (its own error): any text will do
        if not texts:
            raise InputError(field_name, required, sensitive=False)
        clinic_language = next(iter(texts))
    if clinic_language not in texts:
        raise InputError(field_name, f"needs the text in the clinic's language ({clinic_language}), "
                         "printed in the documents of any language it is not given in", sensitive=False)
    default = texts.pop(clinic_language)
    return default, tuple(sorted(texts.items()))


# A logo is drawn under an inch tall and embedded at 300 dpi: a few hundred pixels. 12 million is
# a 4000 x 3000 brand file; a 5000-pixel square took a batch's process tree to 492 MB, over its
# 300 MB budget, while every worker decoded it once.
MAX_LOGO_PIXELS = 12_000_000


def _sought_in(written: Path, base_dir: Path) -> str:
    """Where a logo's relative path was looked for: beside the clinic file; from standard input
    (``--clinic -``), the current folder; from a pipe (``--clinic <(...)``), /dev/fd."""
    if written.is_absolute():
        return ""
    if base_dir == Path("."):
        return " in the current folder"
    if base_dir.resolve() in (Path("/dev/fd").resolve(), Path("/proc/self/fd").resolve()):
        return " (a clinic file from a pipe cannot name a logo beside it: give the logo's whole path)"
    return " beside the clinic file"


def _parse_logo(raw: Any, base_dir: Path) -> Path | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str):
        raise InputError("clinic.logo", "must be a file path", sensitive=False)
    written = Path(raw).expanduser() if raw == "~" or raw.startswith("~/") else Path(raw)  # "~logo.png" is a name
    path = (base_dir / written).resolve()
    if path.suffix.lower() not in (".png", ".jpg", ".jpeg"):
        raise InputError("clinic.logo", "{value} must be a PNG or JPEG file", raw, sensitive=False)
    if not path.exists():
        raise InputError("clinic.logo", f"{{value}} does not exist{_sought_in(written, base_dir)}", raw, sensitive=False)
    if not path.is_file():
        raise InputError("clinic.logo", "{value} is not a file (a folder, a device or a pipe)", raw, sensitive=False)
    with path.open("rb") as handle:
        head = handle.read(8)
    if not (head.startswith(b"\x89PNG") or head.startswith(b"\xff\xd8")):
        raise InputError("clinic.logo", "{value} is not a PNG or JPEG image", raw, sensitive=False)
    try:
        with Image.open(path) as image:  # Pillow, which reportlab draws images with
            too_large = image.width * image.height > MAX_LOGO_PIXELS  # known from the header, before decoding
            if not too_large:
                image.load()
    except Image.DecompressionBombError:
        too_large = True
    except Exception:  # Pillow raises many kinds for a damaged file; any of them means the same
        raise InputError("clinic.logo", "{value} cannot be read as an image (damaged file?)", raw, sensitive=False) from None
    if too_large:
        raise InputError("clinic.logo", f"{{value}} has too many pixels to read safely: save it smaller (at most "
                         f"{MAX_LOGO_PIXELS // 1_000_000} million pixels, such as 4000 × 3000)", raw, sensitive=False)
    return path
