"""Dates as a spreadsheet writes them in a country's order (3/5/2027), read in the order staff name.

3/5/2027 is March 5 in the US and 3 May elsewhere, so such dates are refused unless the run is told
which (``--date-order month-first``): a health-record export's CSV writes every date so. Read, a
date becomes YYYY-MM-DD before the fields are validated; one that is no date in that order (13/5
month first) is refused, naming its field.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Mapping

from carthandout.errors import InputError
from carthandout.textnorm import without_invisible

DATE_ORDERS = ("month-first", "day-first")
DATE_FIELDS = ("infusion_date", "date_of_birth")
# Four-digit years only: 3/5/27 may be 1927 or 2027, and a birth date read wrongly is a wrong patient.
_LOCAL_DATE = re.compile(r"^([0-9]{1,2})([/.-])([0-9]{1,2})\2([0-9]{4})(?: +(.+))?$")
TWO_DIGIT_YEAR = re.compile(r"^[0-9]{1,2}([/.-])[0-9]{1,2}\1[0-9]{2}(?: +.+)?$")
# The time a date cell exported with its date: midnight only ("0:00", "12:00:00 AM").
_MIDNIGHT = re.compile(r"^(?:0?0:00(?::00)?|12:00(?::00)? ?[Aa][Mm])$")
_SPACES = re.compile(r"\s+")  # a no-break or narrow no-break space before AM, as newer locales write it


def dates_in_order(fields: Mapping[str, Any], order: str | None) -> tuple[dict[str, Any], list[InputError]]:
    """``fields`` with each date written day and month in ``order`` as YYYY-MM-DD (as they are when
    no order is given), and a problem for each that is no date in that order, left out of them."""
    read, problems = dict(fields), []
    for name in DATE_FIELDS if order is not None else ():
        value = read.get(name)
        if isinstance(value, str):
            try:
                read[name] = _iso(name, value, order)
            except InputError as problem:
                problems.append(problem)
                del read[name]
    return read, problems


def _iso(field_name: str, text: str, order: str) -> str:
    written = _tidied(text)
    match = _LOCAL_DATE.match(written)
    if match is None and TWO_DIGIT_YEAR.match(written):
        raise InputError(field_name, "{value} has a two-digit year: write the year in full (61 is 1961 or 2061)", text)
    if match is None:
        return text
    if match[5] is not None and not _MIDNIGHT.match(match[5]):
        raise InputError(field_name, "{value} must be a date, not a date and time", text)
    if match[2] == "." and order == "month-first":  # 05.03.2027: dots are how day-first dates are written
        raise InputError(field_name, "{value} is written with dots, as dates day first are: give --date-order "
                                     "day-first, or write it YYYY-MM-DD", text)
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    month, day = (first, second) if order == "month-first" else (second, first)
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        pass
    if _is_date(year, day, month):  # 03/19/2027 read day first: a real date only in the other order
        other = other_order(order)
        raise DateInOtherOrder(field_name, f"{{value}} is not a real date read {order.replace('-', ' ')}, but is one "
                                           f"read {other.replace('-', ' ')}: check --date-order", text)
    raise InputError(field_name, f"{{value}} is not a real date read {order.replace('-', ' ')} "
                                 f"(--date-order {order})", text)


class DateInOtherOrder(InputError):
    """A date that is none in the order given and is one in the other: the sign that the order
    given is wrong, and that the dates read in it that were real are read wrong (03/05 as 3 May)."""


def orders_of(value: Any) -> frozenset[str] | None:
    """The day-and-month orders in which ``value``, a date written in a country's order (3/5/2027),
    is a real date; None for any other value."""
    match = _LOCAL_DATE.match(_tidied(value)) if isinstance(value, str) else None
    if match is None:
        return None
    first, second, year = int(match[1]), int(match[3]), int(match[4])
    return frozenset(order for order, (month, day) in zip(DATE_ORDERS, ((first, second), (second, first)))
                     if _is_date(year, month, day))


def orders_read_in(fields: Mapping[str, Any]) -> frozenset[str] | None:
    """The orders in which every date of ``fields`` written in a country's order is a real date;
    None when none is written so."""
    found = [orders_of(fields.get(name)) for name in DATE_FIELDS]
    written = [orders for orders in found if orders is not None]
    return frozenset.intersection(*written) if written else None


def _tidied(text: str) -> str:
    return _SPACES.sub(" ", without_invisible(text)).strip()


def other_order(order: str) -> str:
    return DATE_ORDERS[1 - DATE_ORDERS.index(order)]


def _is_date(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True
