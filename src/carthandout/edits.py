"""What a person changed in one of carthandout's PDFs since it was written.

Before a re-run replaces or removes a patient's document, the file is read back: a form filled
in on screen (a field whose value is not its default), a comment or drawing added (an annotation
other than our form fields and links), or a file that is not one of ours at all counts as changed
by hand, and is kept (``pipeline``). Judged from the file itself, not from an earlier manifest: a
manifest is rewritten by every run, including runs that did not reach the patient, and is
missing or re-saved by a spreadsheet at times.

Each document carries a key for the patient it was made for (``patient_key``), so that a file
changed by hand is never kept in a folder that now holds another patient's papers.
"""
from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from typing import Any

import pypdf

from carthandout.models import Patient

PATIENT_KEY = "CarthandoutPatient"  # document information entry
OUR_PRODUCER = "carthandout"
OUR_ANNOTATIONS = ("/Widget", "/Link")


def patient_key(patient: Patient) -> str:
    """Which patient a document is for, the same when their dates change. It tells no more than
    the pages do: the name and MRN are on every page (and it is encrypted with the file)."""
    birth = patient.date_of_birth.isoformat() if patient.date_of_birth else ""
    parts = ("carthandout-patient", patient.mrn, patient.name, birth)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class HandEdits:
    changed: bool
    patient: str | None = None  # the patient key the file carries, when it could be read


def read_hand_edits(data: bytes, password: str | None = None) -> HandEdits:
    """Whether ``data`` was changed by hand since carthandout wrote it. A file that cannot be
    read (not a PDF, damaged, or locked with another password) cannot be told apart from one
    that was: it counts as changed."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(password or ""):
            return HandEdits(changed=True)
        info = reader.metadata or {}
        patient = info.get("/" + PATIENT_KEY)
        ours = str(info.get("/Producer", "")).startswith(OUR_PRODUCER)
        changed = not ours or _annotated(reader) or _filled_in(reader)
    except Exception:  # pypdf raises many kinds of error on a damaged or foreign file
        return HandEdits(changed=True)
    return HandEdits(changed, str(patient) if patient is not None else None)


def _annotated(reader: pypdf.PdfReader) -> bool:
    return any(annotation.get_object().get("/Subtype") not in OUR_ANNOTATIONS
               for page in reader.pages for annotation in page.get("/Annots", None) or ())


def _filled_in(reader: pypdf.PdfReader) -> bool:
    """A form field whose value is not its default (our pre-filled dates are their default)."""
    for field in (reader.get_fields() or {}).values():
        checkbox = field.get("/FT") == "/Btn"
        if _value(field.get("/V"), checkbox) != _value(field.get("/DV"), checkbox):
            return True
    return False


def _value(value: Any, checkbox: bool) -> str:
    if value is None:
        return "/Off" if checkbox else ""
    return str(value)
