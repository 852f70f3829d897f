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
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterator

from carthandout.models import Patient

if TYPE_CHECKING:
    import pypdf

PATIENT_KEY = "CarthandoutPatient"  # document information entry
OUR_PRODUCER = "carthandout"
OUR_ANNOTATIONS = ("/Widget", "/Link")


KEY_PART = 15  # hex digits of each digest in a key


def told_apart_by_infusion_date(patient: Patient) -> bool:
    """Whether a batch tells ``patient`` from another of that name by the infusion date alone."""
    return not patient.mrn and patient.date_of_birth is None


def patient_key(patient: Patient, with_birth_date: bool = False) -> str:
    """Which patient a document is for: from what the document prints, so that the key tells
    nothing its pages do not (a hash of the name and MRN can be checked against a guess, and
    a birth date found by trying every date). The name and MRN, ignoring case and spacing, for
    every document; the birth date too for one that prints it (the checklist: the papers most
    often filled in, and two patients of one name without MRN are told apart by it; and every
    page's footer of a patient without an MRN).

    A patient with neither an MRN nor a birth date was known by the name alone, and two patients
    of one name (a batch's roster holds them apart by their infusion dates) were one: a re-run
    kept one's filled-in checklist in the other's folder. Such a key adds a second part with the
    infusion date every document prints (``is_patients``). ``b``, ``n`` or ``i`` first says
    which. Encrypted with the file."""
    if told_apart_by_infusion_date(patient):
        return "i" + _digest(patient) + _digest(patient, infusion=patient.infusion_date.isoformat())
    birth = patient.date_of_birth.isoformat() if with_birth_date and patient.date_of_birth else ""
    return ("b" if birth else "n") + _digest(patient, birth=birth)


def _digest(patient: Patient, birth: str = "", infusion: str | None = None) -> str:
    parts = ["carthandout-patient", " ".join(patient.mrn.casefold().split()),
             " ".join(patient.name.casefold().split()), birth]
    if infusion is not None:
        parts.append(infusion)
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:KEY_PART]


def key_has_birth_date(key: str | None) -> bool:
    """Whether a ``patient_key`` was made with the birth date (its document prints it)."""
    return bool(key) and key.startswith("b")


def is_patients(key: str | None, patient: Patient, prints_birth_date: bool | None = None,
                by_infusion_date: bool = False) -> bool:
    """Whether a document's key says it is ``patient``'s (False for none, or an unknown kind).
    ``prints_birth_date``: known for the document (the checklist), so a key made without a birth
    date is not taken for a patient who has one; None: as the key says. ``by_infusion_date``: a
    patient without MRN or birth date is told apart by the infusion date too (a batch, whose
    roster does so); without it, a corrected date is the same patient's (``generate``)."""
    if not key or key[0] not in "bni":
        return False
    with_birth_date = key_has_birth_date(key) if prints_birth_date is None else prints_birth_date
    expected = patient_key(patient, with_birth_date)
    if key == expected:
        return True
    if expected[0] != "i" or by_infusion_date:
        return False
    # generate: the name's part, or a file made before the "i" kind by the name alone
    name_part = expected[1:1 + KEY_PART]
    return key == "n" + name_part or (key[0] == "i" and key[1:1 + KEY_PART] == name_part)


UNCHANGED, FILLED, NOT_OURS, UNREADABLE, LOCKED = "unchanged", "filled", "not ours", "unreadable", "locked"


@dataclass(frozen=True)
class HandEdits:
    state: str  # UNCHANGED, FILLED (filled in or annotated), NOT_OURS, UNREADABLE, LOCKED (another password)
    patient: str | None = None  # the patient key the file carries, when it could be read

    @property
    def changed(self) -> bool:
        return self.state != UNCHANGED


def read_hand_edits(data: bytes, password: str | None = None, has_form: bool = False) -> HandEdits:
    """Whether ``data`` was changed by hand since carthandout wrote it. A file that cannot be
    read (not a PDF, damaged, or locked with another password) cannot be told apart from one
    that was. ``has_form``: the document was made with form fields (the checklist); without any
    it was flattened, its entries printed into the page."""
    from pypdf import PdfReader  # only re-runs over changed files pay for importing pypdf (memory in every worker)

    try:
        with quiet_pypdf():
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(password or ""):
                return HandEdits(LOCKED)
            info = reader.metadata or {}
            patient = info.get("/" + PATIENT_KEY)
            state = _state(reader, info, has_form)
    except Exception:  # pypdf raises many kinds of error on a damaged or foreign file
        return HandEdits(UNREADABLE)
    return HandEdits(state, str(patient) if patient is not None else None)


def _state(reader: "pypdf.PdfReader", info: Any, has_form: bool) -> str:
    if not str(info.get("/Producer", "")).startswith(OUR_PRODUCER):
        return NOT_OURS
    fields = reader.get_fields() or {}
    flattened = has_form and not fields
    return FILLED if flattened or _annotated(reader) or _filled_in(fields) else UNCHANGED


@contextmanager
def quiet_pypdf() -> Iterator[None]:
    """pypdf logs what it repairs in a damaged file ("EOF marker not found"): not for stderr,
    where an error is one line."""
    logger = logging.getLogger("pypdf")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _annotated(reader: pypdf.PdfReader) -> bool:
    """An annotation we did not make, or a box ticked by its appearance alone (no value)."""
    for page in reader.pages:
        for reference in page.get("/Annots", None) or ():
            annotation = reference.get_object()
            if annotation.get("/Subtype") not in OUR_ANNOTATIONS:
                return True
            if annotation.get("/AS") not in (None, "/Off") and _checkbox(annotation):
                return True
    return False


def _checkbox(widget: Any) -> bool:
    field_type = widget.get("/FT") or (widget.get("/Parent") or {}).get("/FT")
    return field_type == "/Btn"


def _filled_in(fields: dict[str, Any]) -> bool:
    """A form field whose value is not its default (our pre-filled dates are their default)."""
    for field in fields.values():
        checkbox = field.get("/FT") == "/Btn"
        if _value(field.get("/V"), checkbox) != _value(field.get("/DV"), checkbox):
            return True
    return False


def _value(value: Any, checkbox: bool) -> str:
    if value is None:
        return "/Off" if checkbox else ""
    return str(value)
