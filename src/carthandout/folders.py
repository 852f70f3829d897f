"""What a patient's folder already holds, checked before a run changes anything in it.

A re-run replaces a patient's documents, and in a batch's patient folder (written only by
carthandout) removes those it no longer makes. Before that, each file is read back (``edits``):

- one changed by hand (a checklist filled in on screen) that says it is this patient's is kept
  beside it as ``<document>.edited.pdf`` (``keep_edited``);
- one changed by hand that is another patient's, does not say whose it is, or cannot be read,
  stops the patient's run before anything is rendered or written (InputError): kept among
  this patient's papers it could be someone else's. Folders named by row hold another patient
  once a roster's order changes; ``generate`` may be given any folder;
- so do copies an earlier run kept (``<document>.edited.pdf``) that are not this patient's, and
  any other PDF in the folder that is another patient's, changed by hand ("checklist
  (filled).pdf"); the user's own PDFs, and plain copies of ours, stay.

Every file to move away is named in one error, so staff fix the folder in one go.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Mapping, NamedTuple

from carthandout.documents import DOCUMENTS
from carthandout.documents.checklist import DOCUMENT_ID as CHECKLIST
from carthandout.edits import LOCKED, UNREADABLE, HandEdits, is_patients, read_hand_edits, told_apart_by_infusion_date
from carthandout.errors import InputError
from carthandout.models import Patient
from carthandout.output import EDITED_MARK, check_replaceable, keep_copy, regular_file_bytes, sha256_hex, temporaries_of
from carthandout.packet import PACKET_DOCUMENT, PACKET_FILE_STEM


class EditGuard(NamedTuple):
    """What a run needs to tell a file it replaces from one changed by hand."""
    patient: Patient  # whose files these are
    password: str | None  # to read the earlier files of an encrypted run
    recorded: Mapping[str, str] = MappingProxyType({})  # the earlier manifest's digests: files not read again
    by_infusion_date: bool = False  # a batch: patients without MRN or birth date are told apart by it, as its roster does


@dataclass(frozen=True)
class FolderPlan:
    edited: list[tuple[str, bytes]]  # this patient's files changed by hand, to keep before they are replaced
    stale: list[str]  # documents to remove once the new ones are written (a folder only carthandout writes)


def document_file(prefix: str, document: str) -> str:
    return f"{prefix}{PACKET_FILE_STEM if document == PACKET_DOCUMENT else document}.pdf"


def plan_folder(directory: Path, prefix: str, planned: Iterable[str], guard: EditGuard, own_folder: bool) -> FolderPlan:
    """Every check before anything changes. ``own_folder``: a batch's patient folder, whose
    documents not made this run are removed; else (``generate``) they are left, and stop the
    run only when they are another patient's, changed by hand (the user's own files stay)."""
    planned = sorted(planned)
    stale = stale_documents(directory, prefix, set(planned))
    for relative in [*planned, *(stale if own_folder else ())]:
        check_replaceable(directory / relative)  # a folder in its place: before anything is kept or written
    refusals: list[tuple[str, str]] = []  # every file to move away, in one message
    _check_other_files(directory, prefix, {*planned, *stale}, guard, refusals)
    if own_folder:
        plan = FolderPlan(_hand_edited(directory, [*planned, *stale], guard, refusals), stale)
    else:
        _hand_edited(directory, stale, guard, refusals, known_others_only=True)
        plan = FolderPlan(_hand_edited(directory, planned, guard, refusals), [])
    if refusals:
        raise InputError("output", _refusal(refusals), sensitive=False)
    return plan


def keep_edited(directory: Path, plan: FolderPlan) -> list[tuple[str, str]]:
    """The plan's files changed by hand kept beside them; returns (file, where it is kept)."""
    return [(relative, keep_copy(directory / relative, data).relative_to(directory).as_posix())
            for relative, data in plan.edited]


def remove_stale(directory: Path, plan: FolderPlan) -> None:
    for relative in plan.stale:
        (directory / relative).unlink(missing_ok=True)


def _hand_edited(directory: Path, files: Iterable[str], guard: EditGuard, refusals: list[tuple[str, str]],
                known_others_only: bool = False) -> list[tuple[str, bytes]]:
    """Those of ``files`` changed by hand, with their bytes; into ``refusals`` each that is not
    this patient's or (unless ``known_others_only``) does not say whose it is."""
    edited = []
    for relative in files:
        data = regular_file_bytes(directory / relative)
        if data is None or sha256_hex(data) == guard.recorded.get(relative):
            continue
        edits, theirs = _read_back(relative, data, guard)
        if edits.changed:
            if not theirs and not (known_others_only and edits.patient is None):
                refusals.append((relative, _not_theirs(edits, guard)))
            edited.append((relative, data))
    return edited


def _read_back(relative: str, data: bytes | None, guard: EditGuard) -> tuple[HandEdits, bool]:
    """What a file says of itself: whether it was changed by hand, and whether it is this
    patient's. The checklist was made with form fields and prints the birth date (its key has it);
    another document's key says whether it was made with the birth date (its footer printed it)."""
    checklist = Path(relative).name.split(".")[0] == CHECKLIST
    edits = read_hand_edits(data, guard.password, has_form=checklist) if data is not None else HandEdits(UNREADABLE)
    return edits, is_patients(edits.patient, guard.patient, prints_birth_date=checklist or None,
                              by_infusion_date=guard.by_infusion_date)


def _check_other_files(directory: Path, prefix: str, documents: set[str], guard: EditGuard,
                       refusals: list[tuple[str, str]]) -> None:
    """The folder's other PDFs: a copy an earlier run kept must be this patient's, and none may
    be another patient's papers of ours changed by hand ("checklist (filled).pdf", saved under a
    name of its own). A PDF of the user's own, saying nothing of a patient, stays; so does a
    plain copy of one of ours (staff keep "handout for printing.pdf"; a corrected name would
    otherwise be refused for it)."""
    folder = directory / prefix if prefix else directory
    if not folder.is_dir():
        return
    for path in sorted(folder.iterdir()):
        if (path.suffix.lower() != ".pdf" or f"{prefix}{path.name}" in documents or path.is_symlink()
                or not path.is_file()):
            continue
        kept_copy = bool(_KEPT_COPY.match(path.name))
        edits, theirs = _read_back(path.name, regular_file_bytes(path), guard)
        if not (kept_copy or (edits.changed and edits.patient is not None)):
            continue
        if not theirs:
            earlier = "was kept by an earlier run and " if kept_copy else ""
            refusals.append((path.name, earlier + _not_theirs(edits, guard, kept=kept_copy)))


DOCUMENT_STEMS = (*DOCUMENTS, PACKET_FILE_STEM)  # the names of a patient's files, and of their kept copies
_KEPT_COPY = re.compile(rf"^(?:{'|'.join(map(re.escape, DOCUMENT_STEMS))})\.{EDITED_MARK}(?:-\d+)?\.pdf$")
# the temporary files of a patient's documents and of their kept copies, left by a killed run
PATIENT_TEMPORARIES = tuple(pattern for stem in DOCUMENT_STEMS for pattern in (
    temporaries_of(f"{stem}.pdf"), f".{stem}.{EDITED_MARK}*.pdf.*.part"))  # stems: letters and hyphens


def _refusal(refusals: list[tuple[str, str]]) -> str:
    """One line for every file the staff must move away before the run can go on, each reason
    once with the files it holds for (seven files of one folder repeated the same words seven times)."""
    if len(refusals) == 1:
        [(relative, reason)] = refusals
        return f"{Path(relative).name} here {reason}: move it away, then run again"
    by_reason: dict[str, list[str]] = {}
    for relative, reason in refusals:
        by_reason.setdefault(reason, []).append(Path(relative).name)
    listed = "; ".join(f"{names[0]} {reason}" if len(names) == 1 else f"{', '.join(names)}: each {reason}"
                       for reason, names in by_reason.items())
    return f"{len(refusals)} files here are not this patient's to keep: {listed}; move them away, then run again"


def _not_theirs(edits: HandEdits, guard: EditGuard, kept: bool = False) -> str:
    if edits.state == LOCKED:  # left unchecked, a run without --encrypt said "locked with another password"
        return ("is encrypted with a password this run was not given (--encrypt and the password it was made "
                "with), so neither whose it is nor whether it was filled in can be told")
    if edits.state == UNREADABLE:
        return ("cannot be read (damaged, or not a PDF), so neither whose it is nor whether "
                "it was filled in can be told")
    changed = "" if kept else " and was changed by hand since it was made (filled in on screen?)"
    if edits.patient is None:
        return f"does not say whose it is (made by another program, or an earlier carthandout){changed}"
    if guard.by_infusion_date and told_apart_by_infusion_date(guard.patient):
        return ("is another patient's, or this one's before a corrected name or infusion date, or made by an "
                "earlier carthandout by the name alone (without an MRN or birth date, a batch tells patients of "
                f"one name apart by their infusion dates){changed}")
    return f"is another patient's (or this one's before a corrected name, MRN or birth date){changed}"


def stale_documents(directory: Path, prefix: str, written: set[str]) -> list[str]:
    """The documents' file names in ``directory`` that this run did not write."""
    names = (document_file(prefix, document) for document in (*DOCUMENTS, PACKET_DOCUMENT))
    return [relative for relative in names if relative not in written and os.path.lexists(directory / relative)]


def tidy_shared_folder(directory: Path, written: set[str], recorded: Mapping[str, str],
                       password: str | None = None) -> tuple[list[str], list[str]]:
    """``generate``'s folder may hold other files: a document this run did not make is removed
    only when it is carthandout's as it was made (the earlier manifest lists it unchanged, or it
    reads back so: an earlier patient's papers go even without a manifest); a checklist filled in
    on screen is kept, and so is a file of the user's that has a document's name. Returns the
    files removed and the files left. ``recorded``: the earlier manifest's digests."""
    removed, left = [], []
    for relative in stale_documents(directory, "", written):
        path = directory / relative
        if _as_made(path, recorded.get(relative), password) and _removed(path):
            removed.append(relative)
        else:
            left.append(relative)
    return removed, left


def _removed(path: Path) -> bool:
    try:
        path.unlink(missing_ok=True)
    except OSError:  # open in a viewer (Windows), or a read-only folder: left, with the note
        return False
    return True


def _as_made(path: Path, sha256: str | None, password: str | None) -> bool:
    data = regular_file_bytes(path)
    if data is None:
        return False
    return sha256_hex(data) == sha256 or not read_hand_edits(data, password).changed
