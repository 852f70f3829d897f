"""One patient through the whole flow: validated inputs -> context -> rendered documents -> files."""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cached_property, partial
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Mapping, NamedTuple, Sequence

from carthandout import schedule
from carthandout.as_exported import CLINIC_SECTION as EXPORTS_SECTION, clinic_reading
from carthandout.context import DocumentContext, build_context, effective_policy, team_checks
from carthandout.documents import DOCUMENTS, wallet_card
from carthandout.documents.base import RenderedDocument
from carthandout.content import naming_the_pack
from carthandout.errors import CarthandoutError, InputError, SeveralProblems, raise_together
from carthandout.folders import EditGuard, FolderPlan, document_file, keep_edited, plan_folder, remove_stale
from carthandout.formatting import check_date_format
from carthandout.models import Clinic, Patient, probe_patient
from carthandout.options import RenderOptions
from carthandout.output import ManifestRow, sha256_hex, write_all_atomic
from carthandout.packet import PACKET_DOCUMENT, PACKET_FILE_STEM, build_packet
from carthandout.policy import policy_record
from carthandout.protect import protect_documents
from carthandout.readability import max_grade_from
from carthandout.theme import Theme, build_theme


def check_clinic(clinic: Clinic, documents: Sequence[str] = tuple(DOCUMENTS),
                 patients: Iterable[Patient | None] = (None,)) -> Clinic:
    """The clinic settings every patient's documents read, checked once, before the first patient:
    a bad one is one error, not one per row of a batch. ``patients``: those the run prints wallet
    cards for (None: one with nothing of their own); none, to check the card later. Raises the
    CarthandoutError, or SeveralProblems (the first named, and how many more)."""
    problems = _problems_of(_clinic_checks(clinic, documents, patients))
    raise_together(problems)
    return clinic


def clinic_problems(clinic: Clinic) -> list[CarthandoutError]:
    """Every problem ``check_clinic`` would raise together (``carthandout check --clinic`` listed
    only the first: a file with three mistakes took three runs)."""
    return _problems_of(_clinic_checks(clinic, tuple(DOCUMENTS), (None,)))


def _problems_of(checks: Iterable[Callable[[], object]]) -> list[CarthandoutError]:
    """Each check's problems; a problem that later checks run into again is listed once."""
    problems: list[CarthandoutError] = []
    for check in checks:
        try:
            check()
        except CarthandoutError as error:
            for problem in error.problems if isinstance(error, SeveralProblems) else [error]:
                if str(problem) not in {str(known) for known in problems}:
                    problems.append(problem)
    return problems


def _clinic_checks(clinic: Clinic, documents: Sequence[str],
                   patients: Iterable[Patient | None]) -> list[Callable[[], object]]:
    owned = [module for module in DOCUMENTS.values() if hasattr(module, "check_clinic")]
    return [
        lambda: check_date_format(clinic.date_format),
        lambda: effective_policy(clinic),
        lambda: max_grade_from(clinic.extra("readability")),  # used by `check` only, but a bad one is a bad file
        lambda: clinic_reading(clinic.extra(EXPORTS_SECTION)),
        lambda: build_context(probe_patient(), clinic),  # the clinic's language, and a font for every clinic value
        *team_checks(clinic),  # and for every team member's
        *[partial(module.check_clinic, clinic) for module in owned],  # a document that owns a clinic section
        lambda: check_card_words(clinic, documents, patients),
    ]


def check_card_words(clinic: Clinic, documents: Sequence[str], patients: Iterable[Patient | None]) -> None:
    """When the run makes wallet cards: the clinic's words fit the card of each of ``patients``."""
    if wallet_card.DOCUMENT_ID in documents:
        wallet_card.check_clinic_words_fit(clinic, patients)


_PACKET_NAMES = {PACKET_DOCUMENT, PACKET_FILE_STEM.replace("_", "-")}  # as --doc names are read


def check_documents(names: Sequence[str]) -> tuple[str, ...]:
    """The documents named, each once; a name is read in any case, with a space or an underscore
    for its hyphen ("Wallet card")."""
    chosen = []
    for name in names:
        document = re.sub(r"[\s_]+", "-", name.strip().lower())
        if document in _PACKET_NAMES:
            raise InputError("--doc", f"{name!r}: the record packet is made with every run, of the documents named "
                             f"(available: {', '.join(DOCUMENTS)})", sensitive=False)
        if document not in DOCUMENTS:
            raise InputError("--doc", f"unknown document {name!r} (available: {', '.join(DOCUMENTS)})", sensitive=False)
        chosen.append(document)
    return tuple(dict.fromkeys(chosen))


def prepare(patient: Patient, clinic: Clinic, options: RenderOptions) -> DocumentContext:
    """Everything but the layout: raises InputError before any page is drawn."""
    refuse_a_birth_date_to_come(patient)
    return build_context(patient, clinic, options.language)


def refuse_a_birth_date_to_come(patient: Patient) -> None:
    """A birth date after the day of the run is a typo (2026 for 1926), printed as the patient's
    second identifier in every footer ("Born December 1, 2026")."""
    if patient.date_of_birth is not None and patient.date_of_birth > schedule.today():
        raise InputError("date_of_birth", "{value} is after today", patient.date_of_birth)


def render_documents(ctx: DocumentContext, options: RenderOptions) -> list[RenderedDocument]:
    theme = build_theme(ctx.clinic, options.paper, options.large_print_for(ctx.patient))
    return [_rendered(name, ctx, theme, options) for name in options.documents]


def _rendered(name: str, ctx: DocumentContext, theme: Theme, options: RenderOptions) -> RenderedDocument:
    with naming_the_pack(f"handouts/{ctx.language}/{name}.yaml (or its common.yaml)"):
        return DOCUMENTS[name].render(ctx, theme, options)


class WrittenFiles(NamedTuple):
    rows: list[ManifestRow]
    kept: list[tuple[str, str]]  # (file, where its edited copy is kept), relative to the folder


@dataclass(frozen=True)
class PatientFiles:
    """One patient's documents rendered and checked against the folder, not yet written."""

    directory: Path
    prefix: str
    record: str
    row: str
    plan: FolderPlan
    documents: tuple[RenderedDocument, ...]
    policy: str

    @cached_property
    def rows(self) -> list[ManifestRow]:
        """The manifest's rows of the documents, as ``write`` will write them (each row hashes its
        document: computed once)."""
        return [manifest_row(document_file(self.prefix, doc.document), self.record, doc, self.row, self.policy)
                for doc in self.documents]

    def write(self) -> WrittenFiles:
        """This patient's files changed by hand kept aside, the documents written (all or none), a
        batch folder's old documents removed."""
        kept = self.keep_edited()
        return WrittenFiles(self.put_in_place(), kept)

    def keep_edited(self) -> list[tuple[str, str]]:
        """This patient's files changed by hand kept aside: (file, its kept copy), relative."""
        return keep_edited(self.directory, self.plan)

    def put_in_place(self) -> list[ManifestRow]:
        """The documents written (all or none), a batch folder's old documents removed."""
        write_all_atomic([(self.directory / row.file, doc.data) for row, doc in zip(self.rows, self.documents)])
        remove_stale(self.directory, self.plan)
        return self.rows


def render_patient_files(
    directory: Path, ctx: DocumentContext, options: RenderOptions, prefix: str = "", record: str = "1", row: str = "",
    recorded: Mapping[str, str] = MappingProxyType({}), own_folder: bool = False,
) -> PatientFiles:
    """One patient's documents and record packet rendered, what the folder holds checked first
    (``folders.plan_folder``): this patient's files changed by hand (a checklist filled in on
    screen) are to be kept aside, another's stop the run before anything changes. ``recorded``,
    the earlier manifest's digests (``output.recorded_digests``), spares reading the files it
    lists unchanged. ``own_folder``: a batch's patient folder, where documents not made this run
    are removed."""
    planned = [document_file(prefix, document) for document in (*options.documents, PACKET_DOCUMENT)]
    # a batch's folder (own_folder): its roster tells patients of one name apart by their infusion dates
    guard = EditGuard(ctx.patient, options.pdf_password, recorded, by_infusion_date=own_folder)
    plan = plan_folder(directory, prefix, planned, guard, own_folder)
    rendered = render_documents(ctx, options)
    packet = build_packet(ctx, [record_copy(document, ctx, options) for document in rendered])
    documents = protect_documents([*rendered, packet], options.pdf_password)
    return PatientFiles(directory, prefix, record, row, plan, tuple(documents), policy_record(ctx.clinic))


def record_copy(document: RenderedDocument, ctx: DocumentContext, options: RenderOptions) -> RenderedDocument:
    """What the record packet holds of ``document``: the document itself, except that the wallet
    card is there once and at card size, however it was laid out for printing (``--copies 3``
    put three cards in the health record, ``avery-5371`` a whole sheet)."""
    if document.document != wallet_card.DOCUMENT_ID or (options.card_layout == "single" and options.copies == 1):
        return document
    one_card = replace(options, card_layout="single", copies=1, back_offset_mm=(0.0, 0.0))
    theme = build_theme(ctx.clinic, options.paper, options.large_print_for(ctx.patient))
    return wallet_card.render(ctx, theme, one_card)


def manifest_row(relative: str, record: str, doc: RenderedDocument, row: str = "", policy: str = "") -> ManifestRow:
    return ManifestRow(record, doc.document, relative, doc.pages, sha256_hex(doc.data),
                       doc.language, doc.version, doc.reviewed, row, policy)
