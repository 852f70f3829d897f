"""Safe, unique output names for a cohort: one folder per patient inside the batch folder.

Pure functions, no file system access except ``inside`` (which resolves paths). A name is built
from a template, reduced to portable ASCII (no separators, no ``..``, no reserved Windows device
names, bounded length) and made unique case-insensitively, because Windows and macOS file
systems do not tell ``ABC`` from ``abc``.
"""
from __future__ import annotations

import re
import string
import unicodedata
from pathlib import Path
from typing import Mapping, NamedTuple

from carthandout.errors import InputError

# Fields a template may use; ``name`` and ``mrn`` identify the patient.
TEMPLATE_FIELDS = ("row", "mrn", "name")
IDENTIFYING_FIELDS = ("mrn", "name")
NO_NAMES_TEMPLATE = "patient-{row}"
MAX_STEM_LENGTH = 60
MAX_FIELD_LENGTH = 40
_WINDOWS_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_RUNS = re.compile(r"([-_.])[-_.]+")


def check_template(template: str, no_names: bool) -> str:
    """A usable name template: only known ``{field}`` slots, no format specs or attribute access."""
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise InputError("--name-template", f"is not a valid template ({exc})", sensitive=False) from None
    used = [field for _, field, spec, conversion in parts if field is not None]
    for _, field, spec, conversion in parts:
        if field is None:
            continue
        if field not in TEMPLATE_FIELDS:
            raise InputError("--name-template", "{value} is not one of {row}, {mrn}, {name}", f"{{{field}}}", sensitive=False)
        if spec or conversion:
            raise InputError("--name-template", f"{{{field}}} takes no format or conversion (such as :>9 or !r)",
                             sensitive=False)
    if not used:
        raise InputError("--name-template", "must contain {row}, {mrn} or {name}", sensitive=False)
    if no_names and any(field in IDENTIFYING_FIELDS for field in used):
        raise InputError("--name-template", "uses {mrn} or {name}, which --no-names-in-filenames forbids", sensitive=False)
    return template


# Latin letters with no decomposition to a base letter: without these they would vanish.
_NO_DECOMPOSITION = str.maketrans({
    "Ł": "L", "ł": "l", "Ø": "O", "ø": "o", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i",
    "ß": "ss", "Æ": "AE", "æ": "ae", "Œ": "OE", "œ": "oe", "Þ": "Th", "þ": "th", "Ð": "D", "ð": "d",
})


def ascii_slug(text: str) -> str:
    """Portable ASCII: accents dropped (é -> e), anything else unsafe becomes one hyphen."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_NO_DECOMPOSITION))
    ascii_text = decomposed.encode("ascii", "ignore").decode("ascii")
    return _RUNS.sub(r"\1", _UNSAFE.sub("-", ascii_text)).strip("-_.")


def safe_stem(text: str, fallback: str) -> str:
    """``text`` as a file or folder name that is safe on every system; ``fallback`` if nothing is left."""
    stem = ascii_slug(text)[:MAX_STEM_LENGTH].strip("-_.")
    if not stem:
        stem = fallback
    if stem.split(".", 1)[0].lower() in _WINDOWS_DEVICES:
        stem = f"_{stem}"
    return stem


class PatientStem(NamedTuple):
    stem: str  # the (not yet unique) folder name
    verbatim: bool  # typed: the template, with no row number, filled with the values as typed gives the same name


def patient_stem(fields: Mapping[str, str], row: int, template: str | None, no_names: bool) -> PatientStem:
    """The (not yet unique) name for one patient.

    Default: the MRN when there is one, else the name and the row number; with ``no_names``
    only the row number. Each value is reduced to ASCII and shortened on its own so that the
    row number survives a very long name.
    """
    raw = {"row": str(row), "mrn": fields.get("mrn", ""), "name": fields.get("name", "")}
    values = {**raw, "mrn": ascii_slug(raw["mrn"])[:MAX_FIELD_LENGTH], "name": ascii_slug(raw["name"])[:MAX_FIELD_LENGTH]}
    if template is None:
        template = default_template(values, no_names)
    elif _names_an_empty_field(template, values) and safe_stem(template.format(**values), ""):
        # "ward-{mrn}" for a row without an MRN: "ward", "ward-2" in roster order, so a row added
        # above handed one patient's folder to another; with the row number, as the default does
        template += "-{row}"
    stem = safe_stem(template.format(**values), NO_NAMES_TEMPLATE.format(row=row))
    # Typed as it is, when the fields make it unchanged and no row number is in it: a row number
    # changes as rows are inserted, so "Fourth-5" is never held against the MRN Fourth-5.
    return PatientStem(stem, stem == template.format(**raw) and "{row}" not in template)


def _names_an_empty_field(template: str, values: Mapping[str, str]) -> bool:
    """Whether ``template`` names a patient's field that is empty here, and not the row number."""
    named = {field for _, field, _, _ in string.Formatter().parse(template) if field}
    return "row" not in named and any(not values[field] for field in named)


def default_template(values: Mapping[str, str], no_names: bool) -> str:
    if no_names:
        return NO_NAMES_TEMPLATE
    if values["mrn"]:
        return "{mrn}"
    return "{name}-{row}" if values["name"] else NO_NAMES_TEMPLATE


class UniqueNames:
    """Hands out names that never collide (case-insensitively), in the order asked: a, a-2, a-3.

    Hand out the names given verbatim first, each as it is (``claim_exact``), then the rest with
    ``claim``: the folder ``RCC-0042`` then belongs to the patient whose MRN is RCC-0042, never to
    one whose MRN "RCC 0042" was made safe into the same name, and ``RCC-0042-2`` to the patient
    whose MRN it is, never to a second row of RCC-0042.
    """

    def __init__(self, reserved: tuple[str, ...] = ()) -> None:
        self._taken = {name.lower() for name in reserved}

    def claim_exact(self, stem: str) -> str | None:
        """``stem`` itself when nobody has it yet, else None (nothing is taken)."""
        if stem.lower() in self._taken:
            return None
        self._taken.add(stem.lower())
        return stem

    def claim(self, stem: str) -> str:
        candidate, number = stem, 1
        while candidate.lower() in self._taken:
            number += 1
            suffix = f"-{number}"
            candidate = stem[: MAX_STEM_LENGTH - len(suffix)] + suffix
        self._taken.add(candidate.lower())
        return candidate


def inside(directory: Path, relative: str) -> Path:
    """``directory / relative``, refusing anything that resolves outside ``directory`` (e.g. a
    symlink), or anywhere but there: a patient's folder linked to another patient's put one
    patient's wallet card in the other's folder."""
    root = directory.resolve()
    path = root / relative
    target = path.resolve()
    if target == root or root not in target.parents:
        raise InputError("output", "{value} would be written outside the output folder", relative,
                         hidden="the patient's folder")
    if any(part.is_symlink() for part in (path, *path.parents) if root in part.parents):
        raise InputError("output", "{value} is a link to another folder: it must be a folder of its own", relative,
                         hidden="the patient's folder")
    return target
