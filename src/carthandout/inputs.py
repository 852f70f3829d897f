"""Reading input files: the clinic profile and a patient file (YAML, read safely)."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from carthandout.errors import ContentError, InputError
from carthandout.models import Clinic, parse_clinic
from carthandout.resources import load_yaml_file, package_dir

EXAMPLE_CLINIC = "clinic.yaml"
EXAMPLE_PATIENT = "patient.yaml"


def example_path(name: str) -> Path:
    return Path(str(package_dir("examples") / name))


def load_clinic(path: Path | None) -> Clinic:
    """The clinic profile at ``path``, or the bundled example clinic (marked as the example,
    whichever way it was chosen: its papers say so on every page)."""
    example = example_path(EXAMPLE_CLINIC)
    path = path or example
    try:
        raw = load_yaml_file(path)
    except ContentError as exc:
        raise InputError("clinic", str(exc), sensitive=False) from None
    return replace(parse_clinic(raw, path.parent), example=path.resolve() == example.resolve())


def load_patient_file(path: Path) -> dict[str, Any]:
    """Raw patient fields from a YAML file (validated later, together with any flags)."""
    try:
        raw = load_yaml_file(path, private=True)
    except ContentError as exc:
        raise InputError("patient", str(exc)) from None
    if raw is None:  # an empty file: the flags give the fields
        return {}
    if isinstance(raw, list):
        raise InputError("patient", "the file is a list of patients: make their documents with carthandout batch")
    if not isinstance(raw, Mapping):
        raise InputError("patient", "the patient file must be a mapping of field: value")
    return {str(key): value for key, value in raw.items()}
