"""Dates, numbers and durations as words, in the document's language (babel for locale data)."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Mapping

from babel.dates import format_date as babel_format_date, get_date_format
from babel.numbers import format_decimal

from carthandout.errors import InputError
from carthandout.models import NAMED_DATE_FORMATS

# CLDR pattern letters that a date alone can fill (day, month, year, weekday), and the longest
# run of each that prints a readable date: "ddd" pads the day to "005" (babel 2.19 prints it,
# older babel refuses it), "MMMMM" and "EEEEE" are one letter ("J", "T"), "yyyyy" is "02027".
_LONGEST_FIELD = {"d": 2, "M": 4, "L": 4, "y": 4, "E": 4}


_SAMPLE_DATE = dt.date(2027, 3, 5)


@lru_cache(maxsize=16)  # every patient's context checks the clinic's pattern again
def check_date_format(pattern: str) -> str:
    """Accept a named format or a CLDR date pattern such as ``d MMM y``.

    A pattern must show the day, the month and the year: a log row, a due date or a wallet card
    that says "2027" or "March" alone is no date. A narrow month or weekday (``MMMMM``: "J" for
    January, June and July; ``EEEEE``: "T" for Tuesday and Thursday) and a zero-padded year
    (``yyyyy``: "02027") are refused for the same reason, and so is a pattern babel cannot use.
    """
    if pattern in NAMED_DATE_FORMATS:
        return pattern
    if pattern.replace("''", "").count("'") % 2:
        raise InputError("clinic.date_format", "{value} has a quote (') that is never closed", pattern, sensitive=False)
    unquoted = re.sub(r"'[^']*'", "", pattern)
    letters = {ch for ch in unquoted if ch.isascii() and ch.isalpha()}
    complete = "d" in letters and "y" in letters and letters & {"M", "L"}
    if not complete or letters - set(_LONGEST_FIELD):
        raise InputError(
            "clinic.date_format",
            "{value} is not short, medium, long, full, iso or a date pattern with the day (d), month (M) and "
            "year (y), such as 'd MMM y'",
            pattern, sensitive=False,
        )
    # Quoted text stands between two fields, unless it is digits: "d'1'M" reads as one number.
    _check_fields(pattern, re.sub(r"'([^']*)'", lambda quoted: "" if quoted.group(1).isdigit() else "_", pattern))
    try:
        babel_format_date(_SAMPLE_DATE, pattern, locale="en_US")
    except ValueError as error:  # a pattern babel cannot use in some other way
        raise InputError("clinic.date_format", f"{{value}} is not a date pattern babel can use ({error})", pattern,
                         sensitive=False) from None
    return pattern


NAMED_MONTH_FORMAT = "medium"  # "Mar 5, 2027", "5 mar 2027"


@lru_cache(maxsize=16)  # read for every patient's context
def printed_date_format(date_format: str) -> str:
    """The format every document prints dates in: the clinic's, with the month named where that
    prints it as a number beside the day. "3/5/27" on an English paper and "5/3/2027" on the same
    patient's Spanish one are the same day, and each reads as May 3 somewhere the papers go (the
    wallet card to any emergency room, the record packet to any later doctor)."""
    return NAMED_MONTH_FORMAT if month_is_a_number(date_format) else date_format


def month_is_a_number(date_format: str) -> bool:
    """True for a format that prints the month as a number, unless as year, month, day with the
    whole year ("3/5/27" in English, "5/3/2027" in Spanish: March 5 or May 3, by country;
    "2027/05/03" from yyyy/dd/MM reads as May 3 too, and "27/03/05" from yy/MM/dd as 27 March
    2005). ``iso`` and ``yyyy-MM-dd`` read one way only."""
    if date_format in NAMED_DATE_FORMATS:
        return date_format == "short"
    fields = [run.group(0) for run in re.finditer(r"([A-Za-z])\1*", re.sub(r"'[^']*'", "", date_format))]
    numeric_month = any(field[0] in "ML" and len(field) <= 2 for field in fields)
    year_month_day = [field[0] for field in fields if field[0] in "yMLd"] in (list("yMd"), list("yLd"))
    whole_year = all(len(field) != 2 for field in fields if field[0] == "y")  # yy prints "27"
    return numeric_month and not (year_month_day and whole_year)


def _check_fields(pattern: str, unquoted: str) -> None:
    """Each field once, no longer than it reads right, and a field of one or two digits (d, M)
    never right before another field of digits: ``dMy`` printed 1 November and 11 January 2027
    both as "1112027" (``yyyyMMdd``, of fixed widths, reads one way only)."""
    seen: set[str] = set()
    previous_end, previous_variable = -1, False
    for field in re.finditer(r"([A-Za-z])\1*", unquoted):
        letter, length = field.group(1), len(field.group(0))
        if length > _LONGEST_FIELD[letter]:
            raise InputError("clinic.date_format", f"{{value}}: {field.group(0)} is not a date field "
                             f"({letter} takes 1 to {_LONGEST_FIELD[letter]} letters)", pattern, sensitive=False)
        kind = "M" if letter == "L" else letter
        if kind in seen:
            raise InputError("clinic.date_format", f"{{value}}: {field.group(0)} shows a part of the date twice",
                             pattern, sensitive=False)
        seen.add(kind)
        numeric = letter in "dy" or (letter in "ML" and length <= 2)
        if numeric and previous_variable and field.start() == previous_end:
            raise InputError("clinic.date_format", "{value}: two numbers side by side need something between them "
                             "(d/M/y, d.M.y): dMy prints 1 November and 11 January alike", pattern, sensitive=False)
        previous_end, previous_variable = field.end(), letter in "dML" and length == 1


def _with_unit(count: int, unit: str) -> str:
    """"2 weeks" with a no-break space: a number at a line's end and its unit on the next read apart."""
    return f"{count}\u00a0{unit}"


# babel takes tens of microseconds a call; a cohort's documents print the same days and
# numbers thousands of times.
@lru_cache(maxsize=4096)
def _babel_date(value: dt.date, pattern: str, locale: str) -> str:
    return babel_format_date(value, pattern, locale=locale)


@lru_cache(maxsize=64)
def _pattern_names_weekday(date_format: str, locale: str) -> bool:
    if date_format == "iso":
        return False
    pattern = get_date_format(date_format, locale=locale).pattern if date_format in NAMED_DATE_FORMATS else date_format
    return "E" in re.sub(r"'[^']*'", "", pattern)  # quoted text is printed as it is


@lru_cache(maxsize=1024, typed=True)  # day numbers, weights, thresholds: they repeat
def _babel_number(value: float, locale: str) -> str:
    return format_decimal(value, locale=locale)


@dataclass(frozen=True)
class Formatter:
    locale: str
    date_format: str
    units: Mapping[str, str]

    def date(self, value: dt.date | None) -> str:
        if value is None:
            return ""
        if self.date_format == "iso":
            return value.isoformat()
        return _babel_date(value, self.date_format, self.locale)

    def names_weekday(self) -> bool:
        """Whether the date format prints the weekday itself ("EEE d MMM y": "Fri 5 Mar 2027"; "full")."""
        return _pattern_names_weekday(self.date_format, self.locale)

    def weekday(self, value: dt.date) -> str:
        """"Friday": printed beside dates, it helps patients place them.

        Capitalised because it stands alone on its line (Spanish and French write "viernes" in a sentence).
        """
        name = _babel_date(value, "EEEE", self.locale)
        return name[:1].upper() + name[1:]

    def number(self, value: float) -> str:
        return _babel_number(value, self.locale)

    def exact_number(self, value: Decimal) -> str:
        """Every digit of ``value`` (``number`` keeps three decimals: 72.55555 kg printed as 72.556
        beside a dose computed from 72.55555 did not add up)."""
        return format_decimal(value, locale=self.locale, decimal_quantization=False)

    def days(self, count: int) -> str:
        """7 -> "7 days", 14 -> "2 weeks", 56 -> "8 weeks", 30 -> "30 days"."""
        if count >= 14 and count % 7 == 0:
            weeks = count // 7
            return _with_unit(weeks, self.units["week"] if weeks == 1 else self.units["weeks"])
        return _with_unit(count, self.units["day"] if count == 1 else self.units["days"])

    def hours(self, count: int) -> str:
        """1 -> "1 hour", 2 -> "2 hours"."""
        return _with_unit(count, self.units["hour"] if count == 1 else self.units["hours"])

    def day_range(self, low: int, high: int) -> str:
        if low == high:
            return self.days(low)
        if low % 7 == 0 and high % 7 == 0 and low >= 7:
            return self.units["range"].format(low=low // 7, high=_with_unit(high // 7, self.units["weeks"]))
        # Both ends in days when either is not whole weeks: "10 to 21 days", never "10 to 3 weeks".
        return self.units["range"].format(low=low, high=_with_unit(high, self.units["days"]))

    def temperature(self, fahrenheit: float, celsius: float) -> str:
        return self.units["temperature"].format(
            fahrenheit=self.number(fahrenheit), celsius=self.number(celsius)
        )
