"""One patient through the whole flow: validated inputs -> context -> rendered documents -> files."""
from __future__ import annotations

import os
from dataclasses import replace
from functools import partial
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

from carthandout.context import DocumentContext, build_context, check_team, effective_policy
from carthandout.documents import DOCUMENTS, wallet_card
from carthandout.documents.base import RenderedDocument
from carthandout.edits import UNREADABLE, HandEdits, patient_key, read_hand_edits
from carthandout.errors import CarthandoutError, InputError
from carthandout.formatting import check_date_format
from carthandout.models import Clinic, Patient, probe_patient
from carthandout.options import RenderOptions
from carthandout.output import ManifestRow, keep_copy, regular_file_bytes, sha256_hex, write_all_atomic
from carthandout.packet import PACKET_DOCUMENT, PACKET_FILE_STEM, build_packet
from carthandout.protect import protect_documents
from carthandout.readability import max_grade_from
from carthandout.theme import build_theme


def check_clinic(clinic: Clinic, documents: Sequence[str] = tuple(DOCUMENTS),
                 patients: Iterable[Patient | None] = (None,)) -> Clinic:
    """The clinic settings every patient's documents read, checked once, before the first patient:
    a bad one is one error, not one per row of a batch. ``patients``: those the run prints wallet
    cards for (None: one with nothing of their own); none, to check the card later. Raises CarthandoutError."""
    for check in _clinic_checks(clinic, documents, patients):
        check()
    return clinic


def clinic_problems(clinic: Clinic) -> list[CarthandoutError]:
    """Every problem ``check_clinic`` would raise one at a time (``carthandout check --clinic``
    listed only the first: a file with three mistakes took three runs). A problem that later
    checks run into again is listed once."""
    problems: list[CarthandoutError] = []
    for check in _clinic_checks(clinic, tuple(DOCUMENTS), (None,)):
        try:
            check()
        except CarthandoutError as error:
            if str(error) not in {str(problem) for problem in problems}:
                problems.append(error)
    return problems


def _clinic_checks(clinic: Clinic, documents: Sequence[str],
                   patients: Iterable[Patient | None]) -> list[Callable[[], object]]:
    owned = [module for module in DOCUMENTS.values() if hasattr(module, "check_clinic")]
    return [
        lambda: check_date_format(clinic.date_format),
        lambda: effective_policy(clinic),
        lambda: max_grade_from(clinic.extra("readability")),  # used by `check` only, but a bad one is a bad file
        lambda: build_context(probe_patient(), clinic),  # the clinic's language, and a font for every clinic value
        lambda: check_team(clinic),  # and for every team member's
        *[partial(module.check_clinic, clinic) for module in owned],  # a document that owns a clinic section
        lambda: check_card_words(clinic, documents, patients),
    ]


def check_card_words(clinic: Clinic, documents: Sequence[str], patients: Iterable[Patient | None]) -> None:
    """When the run makes wallet cards: the clinic's words fit the card of each of ``patients``."""
    if wallet_card.DOCUMENT_ID in documents:
        wallet_card.check_clinic_words_fit(clinic, patients)


def check_documents(names: Sequence[str]) -> tuple[str, ...]:
    for name in names:
        if name not in DOCUMENTS:
            raise InputError("--doc", f"unknown document {name!r} (available: {', '.join(DOCUMENTS)})", sensitive=False)
    return tuple(dict.fromkeys(names))


def prepare(patient: Patient, clinic: Clinic, options: RenderOptions) -> DocumentContext:
    """Everything but the layout: raises InputError before any page is drawn."""
    return build_context(patient, clinic, options.language)


def render_documents(ctx: DocumentContext, options: RenderOptions) -> list[RenderedDocument]:
    theme = build_theme(ctx.clinic, options.paper, options.large_print_for(ctx.patient))
    return [DOCUMENTS[name].render(ctx, theme, options) for name in options.documents]


class WrittenFiles(NamedTuple):
    rows: list[ManifestRow]
    kept: list[tuple[str, str]]  # (file, where its edited copy is kept), relative to the folder


class EditGuard(NamedTuple):
    """What a run needs to tell a file it replaces from one changed by hand (``edits``)."""
    patient: str  # edits.patient_key of the patient whose files these are
    password: str | None  # to read the earlier files of an encrypted run
    recorded: Mapping[str, str] = MappingProxyType({})  # the earlier manifest's digests: files not read again


def edit_guard(ctx: DocumentContext, options: RenderOptions,
               recorded: Mapping[str, str] = MappingProxyType({})) -> EditGuard:
    return EditGuard(patient_key(ctx.patient), options.pdf_password, recorded)


def write_patient_files(
    directory: Path, ctx: DocumentContext, options: RenderOptions, prefix: str = "", record: str = "1", row: str = "",
    recorded: Mapping[str, str] = MappingProxyType({}),
) -> WrittenFiles:
    """Render and write one patient's files and their record packet: the path ``generate`` and
    ``batch`` share. A file changed by hand since it was written (a checklist filled in on
    screen) is kept aside before it is replaced; ``recorded``, the earlier manifest's digests
    (``output.recorded_digests``), spares reading the files it lists unchanged."""
    rendered = render_documents(ctx, options)
    packet = build_packet(ctx, [record_copy(document, ctx, options) for document in rendered])
    documents = protect_documents([*rendered, packet], options.pdf_password)
    return write_documents(directory, prefix, record, documents, edit_guard(ctx, options, recorded), row)


def record_copy(document: RenderedDocument, ctx: DocumentContext, options: RenderOptions) -> RenderedDocument:
    """What the record packet holds of ``document``: the document itself, except that the wallet
    card is there once and at card size, however it was laid out for printing (``--copies 3``
    put three cards in the health record, ``avery-5371`` a whole sheet)."""
    if document.document != wallet_card.DOCUMENT_ID or (options.card_layout == "single" and options.copies == 1):
        return document
    one_card = replace(options, card_layout="single", copies=1, back_offset_mm=(0.0, 0.0))
    theme = build_theme(ctx.clinic, options.paper, options.large_print_for(ctx.patient))
    return wallet_card.render(ctx, theme, one_card)


def document_file(prefix: str, document: str) -> str:
    return f"{prefix}{PACKET_FILE_STEM if document == PACKET_DOCUMENT else document}.pdf"


def write_patient_folder(
    directory: Path, ctx: DocumentContext, options: RenderOptions, prefix: str, record: str, row: str,
    recorded: Mapping[str, str] = MappingProxyType({}),
) -> WrittenFiles:
    """``write_patient_files`` into a folder only carthandout writes (a batch's patient folder):
    documents an earlier run left there that this run does not make (another patient's, or an
    older date) are removed, those changed by hand kept aside first. Another patient's changed
    by hand fails it before anything is written."""
    stale = _stale_documents(directory, prefix, planned_files(prefix, options))
    kept = keep_hand_edits(directory, stale, edit_guard(ctx, options, recorded))
    written = write_patient_files(directory, ctx, options, prefix, record, row, recorded)
    for relative in stale:
        (directory / relative).unlink(missing_ok=True)
    return WrittenFiles(written.rows, written.kept + kept)


def keep_hand_edits(directory: Path, files: Iterable[str], guard: EditGuard) -> list[tuple[str, str]]:
    """Each of ``files`` changed by hand since carthandout wrote it kept beside it under a new
    name (``output.keep_copy``); returns (file, where it is kept). Raises InputError, before
    any is kept, when one is not this patient's, or does not say whose it is (``hand_edited``)."""
    return [(relative, keep_copy(directory / relative, data).relative_to(directory).as_posix())
            for relative, data in hand_edited(directory, files, guard)]


def hand_edited(directory: Path, files: Iterable[str], guard: EditGuard,
                known_others_only: bool = False) -> list[tuple[str, bytes]]:
    """Those of ``files`` changed by hand, with their bytes. One that is not this patient's, or
    (unless ``known_others_only``) does not say whose it is, must not be kept among their papers
    (folders named by row hold another patient once the roster's order changes): InputError,
    so the file is moved away by hand."""
    edited = []
    for relative in files:
        data = regular_file_bytes(directory / relative)
        if data is None or sha256_hex(data) == guard.recorded.get(relative):
            continue
        edits = read_hand_edits(data, guard.password)
        if edits.changed:
            if edits.patient != guard.patient and not (known_others_only and edits.patient is None):
                raise InputError("output", f"{Path(relative).name} here {_not_theirs(edits)}: move it away, then run "
                                 "again", sensitive=False)
            edited.append((relative, data))
    return edited


def _not_theirs(edits: HandEdits) -> str:
    if edits.state == UNREADABLE:
        return ("cannot be read (locked with another password, or damaged), so neither whose it is nor whether "
                "it was filled in can be told")
    if edits.patient is None:
        return "was changed by hand and does not say whose it is (made by another program, or an earlier carthandout)"
    return ("is another patient's (or this one's before a corrected name or MRN) and was changed by hand since it "
            "was made (filled in on screen?)")


def check_left_documents(directory: Path, planned: set[str], guard: EditGuard) -> None:
    """``generate``: the documents it will leave as they are (not made this run) hold nothing
    changed by hand of another patient (InputError otherwise): one folder, one patient. A file
    that does not say whose it is (the user's own) is left, with a note (``tidy_shared_folder``)."""
    hand_edited(directory, _stale_documents(directory, "", planned), guard, known_others_only=True)


def planned_files(prefix: str, options: RenderOptions) -> set[str]:
    """The files a run writes for one patient: each document and the record packet."""
    return {document_file(prefix, document) for document in (*options.documents, PACKET_DOCUMENT)}


def tidy_shared_folder(directory: Path, written: set[str], earlier: Sequence[Mapping[str, str]]) -> tuple[list[str], list[str]]:
    """``generate``'s folder may hold other files: a document this run did not make is removed
    only when the earlier run's manifest lists it and it is unchanged since (a checklist filled in
    on screen is kept, and so is a file of the user's that has a document's name). Returns the
    files removed and the files left."""
    ours = {row["file"]: row["sha256"] for row in earlier}
    removed, left = [], []
    for relative in _stale_documents(directory, "", written):
        if _unchanged(directory / relative, ours.get(relative)) and _removed(directory / relative):
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


def _unchanged(path: Path, sha256: str | None) -> bool:
    try:
        return sha256 is not None and not path.is_symlink() and sha256_hex(path.read_bytes()) == sha256
    except OSError:
        return False


def _stale_documents(directory: Path, prefix: str, written: set[str]) -> list[str]:
    """The documents' file names in ``directory`` that this run did not write."""
    names = (document_file(prefix, document) for document in (*DOCUMENTS, PACKET_DOCUMENT))
    return [relative for relative in names if relative not in written and os.path.lexists(directory / relative)]


def write_documents(
    directory: Path, prefix: str, record: str, documents: Sequence[RenderedDocument], guard: EditGuard, row: str = "",
) -> WrittenFiles:
    """Write the PDFs as ``<prefix><document>.pdf`` (the packet as ``record_packet.pdf``), all or
    none of them (``write_all_atomic``); flushed to disk when the manifest lists them. Those they
    replace that were changed by hand are kept aside first (``keep_hand_edits``)."""
    files = [(document_file(prefix, doc.document), doc) for doc in documents]
    kept = keep_hand_edits(directory, [relative for relative, _ in files], guard)
    write_all_atomic([(directory / relative, doc.data) for relative, doc in files])
    return WrittenFiles([manifest_row(relative, record, doc, row) for relative, doc in files], kept)


def manifest_row(relative: str, record: str, doc: RenderedDocument, row: str = "") -> ManifestRow:
    return ManifestRow(record, doc.document, relative, doc.pages, sha256_hex(doc.data),
                       doc.language, doc.version, doc.reviewed, row)
