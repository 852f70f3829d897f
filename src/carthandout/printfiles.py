"""Print files for a cohort, one part (a few dozen patients) at a time.

Handouts: the part's patients' documents, read back from the files already written and joined
(``pdfjoin``) with their form widgets flattened (printed as they look; a print file is not
filled in on screen); after a document with an odd page count comes a blank page,
so that printed duplex every document (and so every patient) starts on a fresh sheet, and staff
can hand out or keep each document apart (the checklist never shares a sheet with the
handout's contacts page). Wallet cards: every patient of the
part imposed across sheets by ``documents.wallet_card.render_sheets`` (fronts and backs matched for duplex);
a large-print patient's card words on paper pages go with their handouts, not onto card stock.
Building parts keeps memory bounded: one part's pages are held, never the cohort's.
"""
from __future__ import annotations

import functools
import operator
import re
import stat
from dataclasses import dataclass, replace
from pathlib import Path

from carthandout import __version__
from carthandout.context import DocumentContext
from carthandout.content import load_common
from carthandout.documents.base import RenderedDocument, document_versions, joined, subject_in
from carthandout.documents.wallet_card import DOCUMENT_ID as CARD_DOCUMENT_ID, render_large_print_pages, render_sheets
from carthandout.errors import InputError
from carthandout.models import Clinic, Patient
from carthandout.naming import inside
from carthandout.options import RenderOptions
from carthandout.output import PRINT_DIR, ManifestRow, within_umask, write_all_atomic
from carthandout.packet import PACKET_DOCUMENT
from carthandout.protect import protect_documents
from carthandout.pdfjoin import OUTLINED_VIEW, OutlineItem, PdfJoiner, PdfValue, SourcePdf, open_pdf, text_string
from carthandout.pipeline import manifest_row, prepare
from carthandout.policy import policy_record
from carthandout.theme import build_theme

HANDOUTS_DOCUMENT = "print-handouts"
CARDS_DOCUMENT = "print-wallet-cards"
_PART_FILE = re.compile(r"^(handouts|wallet-cards)-part-(\d{3,})\.pdf$")


@dataclass(frozen=True)
class PrintPatient:
    folder: str
    files: tuple[ManifestRow, ...]
    patient: Patient


PART_DIGITS = 3  # at least: part-001


def parts_for(patients: int, part_size: int) -> int:
    """How many print parts ``patients`` patients make, ``part_size`` a part."""
    return -(-patients // part_size)


def part_digits(parts: int) -> int:
    """The digits every part's number is written with in a run of ``parts`` parts: names that sort
    in print order (part-1000 sorted between part-100 and part-101)."""
    return max(PART_DIGITS, len(str(parts)))


@dataclass(frozen=True)
class PrintPart:
    number: int
    patients: tuple[PrintPatient, ...]
    digits: int = PART_DIGITS

    @property
    def record(self) -> str:
        return f"part-{self.number:0{self.digits}d}"


def make_print_part(output_dir: Path, part: PrintPart, clinic: Clinic, options: RenderOptions,
                    mode: int | None = None) -> list[ManifestRow]:
    """Write the part's print files, both or neither (``write_all_atomic``), with ``mode`` when
    given (``earlier_parts_mode``); returns their manifest rows."""
    # the wallet card's pages, in both files, are drawn from each patient's context
    contexts = ({entry.folder: prepare(entry.patient, clinic, options) for entry in part.patients}
                if CARD_DOCUMENT_ID in options.documents else {})
    files = [_handouts(output_dir, part, contexts, clinic, options)]
    if contexts:
        files.append(_cards(part, list(contexts.values()), clinic, options))
    made = [file for file in files if file is not None]
    write_all_atomic([(output_dir / name, document.data) for name, document in made], mode)
    return [manifest_row(name, part.record, document, policy=policy_record(clinic)) for name, document in made]


def part_file(kind: str, part: PrintPart) -> str:
    return f"{PRINT_DIR}/{kind}-{part.record}.pdf"


def _handouts(output_dir: Path, part: PrintPart, contexts: dict[str, DocumentContext], clinic: Clinic,
              options: RenderOptions) -> tuple[str, RenderedDocument] | None:
    password = options.pdf_password or ""
    handouts = PdfJoiner(turn_landscape=True)
    sources: list[ManifestRow] = []
    bookmarks: list[OutlineItem] = []
    for entry in part.patients:
        first_page = len(handouts.page_numbers)
        for row in entry.files:
            source = _handout_source(output_dir, row, contexts.get(entry.folder), options)
            if source is not None:
                handouts.append(source, keep_forms=False)
                sources.append(row)
                if len(handouts.page_numbers) % 2:  # the next document starts on a fresh sheet
                    handouts.add_blank_page(*handouts.page_sizes[-1])
        if len(handouts.page_numbers) > first_page:
            bookmarks.append(OutlineItem(entry.folder, first_page))
    if not sources:
        return None
    producer = f"carthandout {__version__}"
    languages = list(dict.fromkeys(row.language for row in sources))
    catalog: dict[bytes, PdfValue] = dict(OUTLINED_VIEW)
    if len(languages) == 1:  # a cohort of several languages: no one language to name
        catalog[b"/Lang"] = text_string(languages[0])
    title = " / ".join(dict.fromkeys(load_common(language).labels["print_handouts_title"].format(part=part.record)
                                     for language in languages))  # each language of the part, as its subject
    data = handouts.to_bytes(info=dict(Title=title, Author=clinic.name,
                                       Subject=" / ".join(dict.fromkeys(map(subject_in, languages))),
                                       Creator=producer, Producer=producer),
                             catalog=catalog, outline=bookmarks)
    # each document's version, as the record packet names them: "1.2.2;1.1.1" named no document
    handouts_file = RenderedDocument(HANDOUTS_DOCUMENT, data, len(handouts.page_numbers), document_versions(sources),
                                     min(row.reviewed for row in sources), joined(row.language for row in sources))
    [handouts_file] = protect_documents([handouts_file], password)
    return part_file("handouts", part), handouts_file


def _handout_source(output_dir: Path, row: ManifestRow, ctx: DocumentContext | None,
                    options: RenderOptions) -> SourcePdf | None:
    """What the handouts print file takes of one of a patient's files: the document as written;
    for the wallet card (imposed in its own file, on card stock) a large-print patient's card
    words on paper; nothing for the packet, which repeats the others."""
    if row.document == CARD_DOCUMENT_ID:
        if ctx is None or not options.large_print_for(ctx.patient):
            return None
        return SourcePdf(render_large_print_pages(ctx, options).data)
    if row.document == PACKET_DOCUMENT:
        return None
    return open_pdf(output_dir / row.file, options.pdf_password or "")


def _cards(part: PrintPart, contexts: list[DocumentContext], clinic: Clinic,
           options: RenderOptions) -> tuple[str, RenderedDocument]:
    theme = build_theme(clinic, options.paper)  # card-size text for everyone (large print: the handouts file)
    sheets = render_sheets([ctx for ctx in contexts for _ in range(options.copies)], theme, options,
                           large_print_pages=False, part=part.record)
    [sheets] = protect_documents([sheets], options.pdf_password)
    return part_file("wallet-cards", part), replace(sheets, document=CARDS_DOCUMENT)


def check_print_folder(output_dir: Path) -> None:
    """``DIR/print`` is a folder inside DIR, or not there yet: checked before any patient is made,
    so a link pointing elsewhere never receives (or loses) print files."""
    try:
        folder = inside(output_dir, PRINT_DIR)
    except InputError:
        raise InputError("output", f"{PRINT_DIR} leads outside the output folder (a link?)", sensitive=False) from None
    if folder.exists() and not folder.is_dir():
        raise InputError("output", f"{PRINT_DIR} is in the output folder but is not a folder", sensitive=False)


def earlier_parts_mode(output_dir: Path) -> int | None:
    """The permissions every part file in ``print/`` allows (an administrator's 600 on them) within
    the umask, for this run's parts: the earlier ones are removed before any is written. None when
    there are none."""
    parts = [path.lstat().st_mode for path in _part_paths(output_dir)]
    modes = [stat.S_IMODE(mode) for mode in parts if stat.S_ISREG(mode)]  # not a link's
    return within_umask(functools.reduce(operator.and_, modes)) if modes else None


def part_key(file: str) -> tuple[str, int] | None:
    """A print part's kind and number (``print/handouts-part-0007.pdf``: handouts, 7), whatever
    the digits it is written with."""
    match = _PART_FILE.match(Path(file).name)
    return (match[1], int(match[2])) if match else None


def part_files(output_dir: Path) -> set[str]:
    """The print parts in the output folder (``print/handouts-part-001.pdf``, ...)."""
    return {f"{PRINT_DIR}/{path.name}" for path in _part_paths(output_dir)}


def _part_paths(output_dir: Path) -> list[Path]:
    """The print parts' files in ``DIR/print``, in name order (none when it is not a folder)."""
    folder = output_dir / PRINT_DIR
    return sorted(path for path in (folder.iterdir() if folder.is_dir() else ()) if _PART_FILE.match(path.name))


def remove_stale_parts(output_dir: Path, written: set[str]) -> list[tuple[int, str]]:
    """Part files this run did not write (an earlier, larger run's, or a part that failed now):
    printing them would repeat old patients, or old dates. Returns (part, problem) for each that
    could not be removed (a read-only folder): it must not be printed."""
    left = []
    for path in _part_paths(output_dir):
        if f"{PRINT_DIR}/{path.name}" not in written:
            try:
                path.unlink()
            except OSError as error:
                left.append((part_key(path.name)[1], f"{path.name} is an earlier run's and could not be removed "
                                                     f"({error.strerror}): it is out of date, do not print it"))
    return left
