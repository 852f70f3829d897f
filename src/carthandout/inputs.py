"""Reading input files: the clinic profile and a patient file (YAML, read safely)."""
from __future__ import annotations

import os
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from carthandout import models
from carthandout.content import available_languages
from carthandout.errors import CarthandoutError, ContentError, InputError
from carthandout.models import (ROSTER_FIELDS, Clinic, field_for_header, misspelt_field, named_as_a_field, parse_clinic,
                                phone_digits)
from carthandout.resources import load_yaml_file, package_dir

EXAMPLE_CLINIC = "clinic.yaml"
MADE_UP_NUMBERS = ("the clinic profile has the example clinic's made-up phone numbers, so every page is marked as "
                   "the example's: put your center's own numbers in it")
EXAMPLE_PATIENT = "patient.yaml"


def example_path(name: str) -> Path:
    return Path(str(package_dir("examples") / name))


def load_clinic(path: Path | None) -> Clinic:
    """The clinic profile at ``path``, or the bundled example clinic. Marked as the example (its
    papers say so on every page) when it is the bundled file, however it was named, or a copy
    that still has one of its made-up phone numbers: the README points clinics at that file."""
    return _clinic_from(_clinic_yaml(path or example_path(EXAMPLE_CLINIC)), path)


class CheckedClinic(NamedTuple):
    clinic: Clinic | None  # None when a field does not parse
    problems: list[CarthandoutError]  # of its fields
    stand_in: Clinic | None  # the fields that parse, to check what needs a whole clinic


def checked_clinic(path: Path | None) -> CheckedClinic:
    """``load_clinic``'s clinic, or every problem of its fields (``check``). The file is read once:
    a pipe (``--clinic <(...)``) reads as empty the second time, and every problem was reported as
    "the clinic file must be a mapping of fields"."""
    file = path or example_path(EXAMPLE_CLINIC)
    try:
        raw = _clinic_yaml(file)
    except CarthandoutError as error:
        return CheckedClinic(None, [error], None)
    try:
        return CheckedClinic(_clinic_from(raw, path), [], None)
    except CarthandoutError as error:
        stand_in, problems = models.clinic_despite_problems(raw, file.parent, available_languages())
        return CheckedClinic(None, problems or [error], stand_in)


def _clinic_from(raw: Any, path: Path | None) -> Clinic:
    example = example_path(EXAMPLE_CLINIC)
    clinic = parse_clinic(raw, (path or example).parent, available_languages())
    numbers = _numbers(clinic.phone_24h, clinic.phone, *(member.phone for member in clinic.team))
    is_example = path is None or same_file(path, example) or bool(numbers & _made_up_numbers())
    return replace(clinic, example=is_example)


def is_example_copy(clinic_file: Path | None, clinic: Clinic) -> bool:
    """A clinic file of the user's that still has the example's made-up phone numbers (not the
    bundled file itself, which names the example on purpose): its papers are marked as the example's."""
    return clinic.example and clinic_file is not None and not same_file(clinic_file, example_path(EXAMPLE_CLINIC))


def same_file(path: Path, other: Path) -> bool:
    """The same file on disk, however it is named (a link, a hard link, ``..``)."""
    try:
        return os.path.samefile(path, other)
    except OSError:
        return False


@lru_cache(maxsize=1)
def _made_up_numbers() -> frozenset[str]:
    """The example's phone numbers, its team's too, as their last ten digits: "217-555-0199",
    "+1 217 555 0199" and "(217)555-0199" are the same made-up number. (Read from its YAML: the
    whole profile would decode its logo again.) A copy with its own center numbers still printed
    the example's made-up pharmacist and nurse."""
    raw = load_yaml_file(example_path(EXAMPLE_CLINIC))
    return _numbers(raw.get("phone_24h"), raw.get("phone"), *(member.get("phone") for member in raw.get("team") or []))


def _numbers(*phones: Any) -> frozenset[str]:
    """Each phone number given, as its last ten digits."""
    return frozenset({phone_digits(str(phone or ""))[-10:] for phone in phones} - {""})


def _clinic_yaml(path: Path) -> Any:
    try:
        return load_yaml_file(path)
    except ContentError as exc:
        raise InputError("clinic", str(exc), sensitive=False) from None


def load_patient_file(path: Path) -> dict[str, Any]:
    """Raw patient fields from a YAML file (validated later, together with any flags)."""
    try:
        # named by the field alone: a patient's file may be named after them ("Rosa_Delgado.yaml")
        raw = load_yaml_file(path, private=True, key_shown=_names_a_field, origin="")
    except ContentError as exc:
        raise InputError("patient", str(exc)) from None
    if raw is None:  # an empty file: the flags give the fields
        return {}
    if isinstance(raw, list):
        raise InputError("patient", "the file is a list of patients: make their documents with carthandout batch")
    if not isinstance(raw, Mapping):
        raise InputError("patient", "the patient file must be a mapping of field: value")
    return _keys_as_fields(raw)


def _names_a_field(key: Any) -> bool:
    return isinstance(key, str) and field_for_header(key) is not None


def _keys_as_fields(raw: Mapping[Any, Any]) -> dict[str, Any]:
    """A patient file's keys as the fields they name, read as a roster's column headers are
    (``Name``, ``Infusion Date``): the same words were refused in a file and taken in a roster.
    A key that names no field is refused by its place in the file (it may be patient data in the
    wrong place), unless it is a misspelt field name, refused by name with the others."""
    fields: dict[str, Any] = {}
    for number, (key, value) in enumerate(raw.items(), start=1):
        field = field_for_header(str(key)) or str(key)
        if field not in ROSTER_FIELDS and not misspelt_field(field):
            raise InputError("patient", f"{{value}} is not a patient field (known: {', '.join(ROSTER_FIELDS)})",
                             field, sensitive=not named_as_a_field(field),
                             hidden=f"key {number} of the file (--show-values shows it)")
        if field in fields:
            raise InputError(field, "is given twice in the patient file (keys differing in case or spacing)",
                             sensitive=False)
        fields[field] = value
    return fields
