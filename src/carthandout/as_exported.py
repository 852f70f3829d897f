"""A patient's fields read as staff say their health-record export writes them: the name's parts
joined, names turned from "Last, First" and given capitals, dates read in a country's order."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from carthandout.errors import InputError
from carthandout.local_dates import dates_in_order
from carthandout.models import NAME_PARTS
from carthandout.name_order import name_from_parts, names_capitalized, names_turned


@dataclass(frozen=True)
class ExportReading:
    """How the export writes names and dates (``--last-name-first``, ``--capitalize-names``,
    ``--date-order``)."""
    last_name_first: bool = False
    capitalize_names: bool = False
    date_order: str | None = None


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
