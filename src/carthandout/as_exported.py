"""A patient's fields read as staff say their health-record export writes them: the name's parts
joined, names turned from "Last, First" and given capitals, dates read in a country's order."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from carthandout.errors import InputError, raise_together
from carthandout.local_dates import DATE_ORDERS, dates_in_order
from carthandout.models import NAME_PARTS, READ_AS_EMPTY, closest_name, fields_saying_no_value, parse_flag, unknown_keys
from carthandout.name_order import (IN_CAPITALS, WRITTEN_LAST_FIRST, fields_in_capitals, fields_written_last_first,
                                    name_from_parts, names_capitalized, names_turned)


@dataclass(frozen=True)
class ExportReading:
    """How the export writes names and dates (``--last-name-first``, ``--capitalize-names``,
    ``--date-order``)."""
    last_name_first: bool = False
    capitalize_names: bool = False
    date_order: str | None = None

    def with_flags(self, last_name_first: bool, capitalize_names: bool, date_order: str | None) -> "ExportReading":
        """This reading (the clinic's) with what the command's flags add: a flag given wins."""
        return ExportReading(self.last_name_first or last_name_first, self.capitalize_names or capitalize_names,
                             date_order or self.date_order)


CLINIC_SECTION = "exports"
_SETTINGS = ("last_name_first", "capitalize_names", "date_order")


def clinic_reading(settings: Any) -> ExportReading:
    """The clinic file's ``exports`` mapping (how the center's health-record exports write names
    and dates, so that no run forgets a flag) -> ExportReading. Raises InputError naming the setting."""
    if settings is None:
        return ExportReading()
    where = f"clinic.{CLINIC_SECTION}"
    if not isinstance(settings, Mapping):
        raise InputError(where, "must be a mapping such as {date_order: month-first, last_name_first: yes}",
                         sensitive=False)
    problems = [_unknown_setting(where, key) for key in unknown_keys(settings, _SETTINGS)]
    order = settings.get("date_order")
    if order is not None and order not in DATE_ORDERS:
        problems.append(InputError(f"{where}.date_order", f"{{value}} is not {' or '.join(DATE_ORDERS)}", order,
                                   sensitive=False))
    flags: dict[str, bool] = {}
    for name in ("last_name_first", "capitalize_names"):
        try:
            flags[name] = parse_flag(f"{where}.{name}", settings.get(name))
        except InputError as problem:
            problems.append(problem)
    raise_together(problems)
    return ExportReading(flags["last_name_first"], flags["capitalize_names"], order)


def _unknown_setting(where: str, key: str) -> InputError:
    meant = closest_name(key, _SETTINGS)
    hint = f"did you mean {meant}?" if meant else f"known: {', '.join(_SETTINGS)}"
    return InputError(f"{where}.{key}", f"unknown field ({hint})", sensitive=False)


def read_as_told(fields: Mapping[str, Any], reading: ExportReading) -> tuple[dict[str, Any], list[InputError]]:
    """The fields as ``reading`` says, and a problem for each that cannot be read so (parts that
    cannot be joined, a date that is none in the order given), left out of them."""
    try:
        read, problems = name_from_parts(fields), []
    except InputError as problem:  # the other fields are still read and checked
        read, problems = {key: value for key, value in fields.items() if key not in NAME_PARTS}, [problem]
    read = names_turned(read) if reading.last_name_first else read
    read = names_capitalized(read) if reading.capitalize_names else read
    read, date_problems = dates_in_order(read, reading.date_order)
    return read, problems + date_problems


# What a field's warning says, in the order the warnings are given.
NOTES = (READ_AS_EMPTY, WRITTEN_LAST_FIRST, IN_CAPITALS)


def export_notes(given: Mapping[str, Any], read: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(note, field) for each warning a patient's fields deserve, as given (a word for nothing) and
    as read (a name still written "Last, First" or in capitals); never their values."""
    return ([(READ_AS_EMPTY, name) for name in fields_saying_no_value(given)]
            + [(WRITTEN_LAST_FIRST, name) for name in fields_written_last_first(read)]
            + [(IN_CAPITALS, name) for name in fields_in_capitals(read)])
