"""The command line: parses arguments, calls the pipeline, reports. No layout or business logic."""
from __future__ import annotations

import errno
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from contextlib import contextmanager
from typing import Any, Callable, Iterator, NoReturn, Sequence

import click

from carthandout import __version__
from carthandout.completeness import translations_behind
from carthandout.content import available_documents, available_languages, load_pack, read_pack
from carthandout.documents import DEFAULT_DOCUMENTS, DOCUMENTS, wallet_card
from carthandout.errors import CarthandoutError, InputError, counted, raise_together
from carthandout.calibration import SHEET_LAYOUTS, calibration_sheet
from carthandout.folders import PATIENT_TEMPORARIES, tidy_shared_folder
from carthandout.imposition import CARD_LAYOUTS, DUPLEX_FLIPS, layout_for, parse_back_offset
from carthandout.inputs import (EXAMPLE_CLINIC, EXAMPLE_PATIENT, MADE_UP_NUMBERS, example_path, is_example_copy,
                                 checked_clinic, load_patient_file, same_file)
from carthandout.models import NAME_PARTS, Clinic, Patient, parse_patient
from carthandout.as_exported import (CLINIC_SECTION as EXPORTS_SECTION, ExportReading, clinic_reading, export_notes,
                                      read_as_told)
from carthandout.local_dates import DATE_ORDERS
from carthandout.output import (
    ERRORS_FILE, MANIFEST_FILE, PRINT_DIR, FolderLock, cannot_write, check_manifest_is_ours, check_replaceable,
    earlier_manifest, interrupts_ignored, recorded_digests, remove_leftover_temporaries, temporaries_of, write_atomic,
    write_manifest,
)
from carthandout.options import DEFAULT_PART_SIZE, RenderOptions
from carthandout.protect import DEFAULT_PASSWORD_ENV, MIN_PASSWORD_LENGTH, check_password_flags, pdf_password
from carthandout.pipeline import check_card_words, check_clinic, check_documents, prepare, render_patient_files
from carthandout.schedule import infusion_date_doubt
from carthandout.streams import null_device_on

EXIT_OK, EXIT_PARTIAL, EXIT_BAD_INPUT = 0, 1, 2


class UserPath(click.Path):
    """A path with its leading ``~`` expanded: the shell leaves ``--output=~/papers`` as typed, and
    the papers went into a folder named "~" in the current one. An empty one is refused."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and not value.strip():  # an unset $OUTDIR: the papers went into the current folder
            folder_hint = "" if self.file_okay else " (. for the current folder)"
            self.fail(f"is empty: give a path{folder_hint}", param, ctx)
        return super().convert(os.path.expanduser(value) if isinstance(value, str) else value, param, ctx)


class CommandLineText(click.ParamType):
    """Text typed on the command line, as the text it is. Under a C locale without UTF-8 mode,
    Python reads "İnce" as bytes it could not decode (U+DCC4 ...): the error named a "broken
    surrogate" and showed a byte of the name; a sheet "Año" was not found; "ñ" left a folder name."""

    name = "text"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return value.encode("utf-8", "surrogateescape").decode("utf-8")
        except UnicodeError:
            return value  # not UTF-8 bytes either: refused with the rest of the field's checks


TEXT = CommandLineText()


def say(line: str, report: bool = False) -> None:
    """A line on stdout. For a run whose product is its files (what was written), a reader gone
    (``| head -1``) or a full device loses these lines, never the run, its exit code or its
    warnings on stderr: click ended the run with exit 1 at the first line after the pipe closed,
    and a full stdout was reported as an output folder that could not be written. A ``report``
    (``check``, ``docs``, ``batch --check``: the lines are the product) that cannot be written
    on a full device fails the run."""
    try:
        click.echo(line)
    except OSError as error:
        if report and error.errno != errno.EPIPE:
            report_lost(error)
        null_device_on(sys.stdout.fileno())  # later lines, and the flush at exit ("Exception ignored ...")
        if error.errno != errno.EPIPE:
            click.echo(f"warning: the lines for stdout could not be printed ({error.strerror})", err=True)


def report_lost(error: OSError) -> NoReturn:
    """A report (the lines are the product) that stdout could not take: the run fails."""
    null_device_on(sys.stdout.fileno())  # the flush at exit ("Exception ignored ...")
    click.echo(f"error: stdout: cannot write the report ({error.strerror})", err=True)
    sys.exit(EXIT_BAD_INPUT)


PATIENT_OPTIONS = (
    ("--name", "name", "Patient's name."),
    ("--infusion-date", "infusion_date", "Infusion date (day 0): YYYY-MM-DD, or with the month named (\"March 5, 2027\")."),
    ("--caregiver", "caregiver", "Caregiver's name."),
    ("--caregiver-phone", "caregiver_phone", "Caregiver's phone."),
    ("--mrn", "mrn", "Medical record number."),
    ("--date-of-birth", "date_of_birth", "Date of birth: YYYY-MM-DD, or with the month named."),
    ("--center", "center", "Treating center's name where it differs from the clinic profile's (a campus or unit); "
                           "its phone numbers and address stay the profile's, so for another institution use its own --clinic."),
    ("--physician", "physician", "Treating physician."),
    ("--language --lang", "language", "Language of the documents: en or es (default: the patient's, then the clinic's)."),
    ("--weight-kg", "weight_kg", "Body weight in kg (for the staff dose line)."),
)


def encrypt_options(command: Any) -> Any:
    """``--encrypt`` and ``--password-env``, shared by the commands that write PDFs."""
    command = click.option("--password-env", type=TEXT, default=None, metavar="NAME",
                           help=f"With --encrypt: the environment variable holding the PDF password, at least "
                                f"{MIN_PASSWORD_LENGTH} characters (default: {DEFAULT_PASSWORD_ENV}; "
                                "unset, you are asked).")(command)
    return click.option("--encrypt", is_flag=True,
                        help="Encrypt every PDF with AES-256; the password never goes on the command line.")(command)


def export_options(command: Any) -> Any:
    """``--last-name-first``, ``--capitalize-names`` and ``--date-order``: how a health-record export
    writes names and dates."""
    command = click.option("--capitalize-names", is_flag=True,
                           help="Names are written in capitals, as health-record exports write them: print them "
                                "with a capital to each word (\"Rosa M de la Cruz\").")(command)
    command = click.option("--date-order", type=click.Choice(DATE_ORDERS, case_sensitive=False), default=None,
                           help="Read dates written 3/5/2027 month first (US) or day first; without it (or the clinic "
                                "profile's exports: date_order) they are refused, as countries read them "
                                "differently.")(command)
    return click.option("--last-name-first", is_flag=True,
                        help="Names are written \"Last, First\", as health-record exports write them: print the "
                             "patient's, the caregiver's and the physician's \"First Last\".")(command)


def duplex_options(command: Any) -> Any:
    """``--duplex`` and ``--back-offset``: how a card sheet's back lines up with its front."""
    command = click.option("--back-offset", default=None, metavar="DX,DY",
                           help="Shift the back sheet DX,DY mm to correct the printer (read off `carthandout calibrate`).")(command)
    return click.option("--duplex", type=click.Choice(DUPLEX_FLIPS, case_sensitive=False), default="long",
                        show_default=True,
                        help="How the printer turns the sheet for the back: over its long or its short edge.")(command)


def note_duplex_unused(options: RenderOptions) -> None:
    """A note when ``--duplex`` is given for cards printed without a back sheet (the card size and
    the fold-over): the flip asked for changes nothing, and the printer needs no setting for it."""
    source = click.get_current_context().get_parameter_source("duplex")
    cards = wallet_card.DOCUMENT_ID in options.documents
    if cards and source == click.core.ParameterSource.COMMANDLINE and not layout_for(options.card_layout).duplex:
        sheets = ", ".join(name for name in CARD_LAYOUTS if layout_for(name).duplex)
        click.echo(f"note: --duplex applies to the card sheets printed on both sides ({sheets}); "
                   f"{options.card_layout} cards have no back sheet, so it changes nothing", err=True)


def card_options(command: Any) -> Any:
    """``--card-layout``, ``--copies`` and the duplex options: how wallet cards go on paper."""
    command = duplex_options(command)
    command = click.option("--copies", type=click.IntRange(1, 100), default=1, show_default=True,
                           help="Wallet cards per patient.")(command)
    return click.option("--card-layout", type=click.Choice(CARD_LAYOUTS, case_sensitive=False), default="single",
                        show_default=True,
                        help="Wallet card: one card a page, Avery 5371 sheet, A4 10-up sheet, or fold-over.")(command)


def patient_options(command: Any) -> Any:
    for flags, dest, help_text in reversed(PATIENT_OPTIONS):
        command = click.option(*flags.split(), dest, type=TEXT, default=None, help=help_text)(command)
    return command


def load_every_pack(chosen: Sequence[str]) -> None:
    """The chosen documents' packs in every language, checked whole before a batch reads its rows: a
    pack the layout cannot print failed every row of the run (exit 1), and --check passed it."""
    for language in available_languages():
        for document in chosen:
            load_pack(document, language)


def printed_packs(chosen: Sequence[str], languages: set[str], clinic: Clinic) -> list[tuple[str, str]]:
    """(document, language) of the packs a run prints: each document in the patients' languages,
    and the wallet card's back in the clinic's."""
    packs = [(document, language) for language in sorted(languages) for document in chosen]
    if wallet_card.DOCUMENT_ID in chosen:
        packs.append((wallet_card.DOCUMENT_ID, clinic.language))
    return list(dict.fromkeys(packs))


def pack_warnings(packs: Sequence[tuple[str, str]]) -> list[str]:
    """The warnings on ``packs`` a run prints (check notes or fails on them too): a translation of
    another version than the English, a duration written as a number."""
    return translations_behind(packs) + [f"warning: {doubt}" for document, language in packs
                                         for doubt in read_pack(document, language).doubts]


def export_reading(clinic: Clinic, last_name_first: bool, capitalize_names: bool, date_order: str | None) -> ExportReading:
    """How the export writes names and dates: the clinic profile's ``exports``, and the flags."""
    return clinic_reading(clinic.extra(EXPORTS_SECTION)).with_flags(last_name_first, capitalize_names, date_order)


def fail(error: CarthandoutError, show_values: bool = False) -> None:
    click.echo(f"error: {error.line(show_values)}", err=True)
    sys.exit(EXIT_BAD_INPUT)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="carthandout")
def cli() -> None:
    """Personalised PDFs for patients receiving CAR T-cell therapy and their caregivers."""


@cli.command()
@patient_options
@click.option("--patient", "patient_file", type=UserPath(dir_okay=False, path_type=Path),
              help="Patient fields as YAML (flags win over the file).")
@click.option("--clinic", "clinic_file", type=UserPath(dir_okay=False, path_type=Path),
              help="Clinic profile (YAML). Default: the bundled example clinic.")
@click.option("--doc", "documents", type=TEXT, multiple=True, help="Document to make (repeatable). Default: all.")
@click.option("--paper", type=click.Choice(["letter", "a4"], case_sensitive=False), default=None, help="Paper size (default: the clinic's).")
@click.option("--large-print", is_flag=True, default=None, help="Large print: 18 pt body text.")
@click.option("--show-values", is_flag=True, help="Include the offending values in error messages (PHI).")
@export_options
@encrypt_options
@card_options
@click.option("-o", "--output", "output_dir", required=True, type=UserPath(file_okay=False, path_type=Path),
              help="Folder for the PDFs and manifest.csv.")
def generate(patient_file: Path | None, clinic_file: Path | None, documents: tuple[str, ...], paper: str | None,
             large_print: bool | None, show_values: bool, output_dir: Path, encrypt: bool = False,
             password_env: str | None = None, card_layout: str = "single", copies: int = 1,
             duplex: str = "long", back_offset: str | None = None, last_name_first: bool = False,
             date_order: str | None = None, capitalize_names: bool = False, **fields: str | None) -> None:
    """Make one patient's documents."""
    try:
        if str(patient_file) == str(clinic_file) == "-":  # the clinic read an input the patient had used up
            raise InputError("--clinic", "cannot read standard input too: --patient - reads it", sensitive=False)
        given = load_patient_file(patient_file) if patient_file else {}
        if fields.get("name") is not None:  # the flag wins over the file's name, whole or in parts
            given = {key: value for key, value in given.items() if key not in NAME_PARTS}
        given.update({key: value for key, value in fields.items() if value is not None})
        unchecked = clinic_for_run(clinic_file)
        reading = export_reading(unchecked, last_name_first, capitalize_names, date_order)
        raw, problems = read_as_told(given, reading)
        if problems:
            raise problems[0]
        patient = parse_patient(raw)
        chosen = check_documents(documents or DEFAULT_DOCUMENTS)
        clinic = check_clinic(unchecked, chosen, [patient])
        options = RenderOptions(chosen, paper, None, large_print or None,
                                card_layout=card_layout, duplex=duplex, back_offset_mm=parse_back_offset(back_offset),
                                copies=copies)
        note_duplex_unused(options)
        ctx = prepare(patient, clinic, options)
        options = replace(options, pdf_password=pdf_password(encrypt, password_env))
        with FolderLock(output_dir):  # before the folder is read: a run finishing there changes it
            remove_leftover_temporaries(output_dir, (*PATIENT_TEMPORARIES, temporaries_of(MANIFEST_FILE)))
            check_manifest_is_ours(output_dir)
            earlier = earlier_manifest(output_dir)
            check_not_a_batch_folder(output_dir, earlier)
            check_replaceable(output_dir / MANIFEST_FILE)  # before any document is replaced
            recorded = recorded_digests(earlier)
            files = render_patient_files(output_dir, ctx, options, recorded=recorded)
            with interrupts_ignored():  # the documents renamed into place and the manifest listing them: one step
                rows, kept = files.write()
                removed, left = tidy_shared_folder(output_dir, {row.file for row in rows}, recorded,
                                                   options.pdf_password)
                write_manifest(output_dir, rows)
    except CarthandoutError as error:
        fail(error, show_values)
    for row in rows:
        say(f"wrote {output_dir / row.file} ({row.pages} page{'' if row.pages == 1 else 's'})")
    for name, copy in kept:
        click.echo(f"note: {name} had changed since the run that made it (filled in on screen?): "
                   f"kept as {output_dir / copy} before it was replaced", err=True)
    for name in removed:
        say(f"removed {output_dir / name} (an earlier run's document, not made this time)")
    for name in left:
        click.echo(f"note: left {output_dir / name} as it is (not made by an earlier run here, or changed since): "
                   "it is not part of this run's set", err=True)
    for row in rows:
        if row.document == wallet_card.DOCUMENT_ID:
            _note_card_and_paper_pages(output_dir / row.file, row.pages, options, patient)
    for note, name in export_notes(given, raw):
        click.echo(f"warning: {name}: {note}", err=True)
    doubt = infusion_date_doubt(ctx.schedule)
    if doubt:
        click.echo(f"warning: infusion_date: {doubt}", err=True)
    for line in pack_warnings(printed_packs(chosen, {ctx.language}, clinic)):
        click.echo(line, err=True)
    warn_if_example_clinic(clinic_file, clinic)


def clinic_for_run(clinic_file: Path | None) -> Clinic:
    """``load_clinic``'s clinic. A file with problems stops the run naming the first, and how many
    more ``check`` lists: the count left out those found once the fields that read were checked."""
    checked = checked_clinic(clinic_file)
    if checked.clinic is not None:
        return checked.clinic
    from carthandout.checks import every_clinic_problem  # check's imports, on this path alone
    raise_together(every_clinic_problem(checked))
    raise AssertionError("a clinic that does not parse has problems")


def _note_card_and_paper_pages(path: Path, pages: int, options: RenderOptions, patient: Patient) -> None:
    """One card a page in large print: card-size pages, then the large-print pages on paper, in one
    file. Sent whole to one printer, one kind came out scaled."""
    if options.card_layout != "single" or not options.large_print_for(patient):
        return
    cards = 2 * options.copies  # a front and a back each
    click.echo(f"note: {path}: pages 1-{cards} are card size (a card printer), pages {cards + 1}-{pages} "
               "the card in large print on paper (an office printer): print them apart", err=True)


def check_not_a_batch_folder(output_dir: Path, earlier: list[dict[str, str]]) -> None:
    """``generate`` in a batch's folder replaced the cohort's manifest with its own one patient's,
    and in one of its patients' folders (or print/) put another patient's documents among the
    cohort's. The folder is judged where it really is (a link to a patient's folder wrote through)."""
    real = output_dir.resolve()
    if _holds_a_batch(real, earlier) or _holds_a_batch(real.parent, earlier_manifest(real.parent)):
        raise InputError("--output", "the folder holds a batch's files, or is a folder of a batch: "
                         "give generate a folder of its own", sensitive=False)


def check_batch_folder(output_dir: Path) -> None:
    """A batch written into another batch's print/ or patient folder (at any depth) nested a
    cohort among that run's files; one written into generate's folder replaced its manifest and
    left that patient's papers unlisted beside the cohort."""
    folder = output_dir.resolve()
    check_manifest_is_ours(folder)
    own = earlier_manifest(folder)
    if own and not any(row.get("row") for row in own):
        raise InputError("--output", "the folder holds one patient's papers from generate: "
                         "give batch a folder of its own", sensitive=False)
    for below, ancestor in zip((folder, *folder.parents), folder.parents):
        rows = earlier_manifest(ancestor)
        if not _is_batch_output(ancestor, rows):
            continue
        if below.name == PRINT_DIR or below.name in {row.get("record") for row in rows}:
            raise InputError("--output", "the folder is inside another batch's print/ or patient folder: "
                             "give batch a folder of its own", sensitive=False)
        return


def check_roster_apart(roster_file: Path, output_dir: Path) -> None:
    """A roster where the run writes its record (``manifest.csv``, ``errors.csv`` or ``print/`` in
    the output folder) was replaced by it, without a word: the cohort's list was lost."""
    roster, folder = roster_file.resolve(), output_dir.resolve()
    # compared as files, not names: where names ignore case (macOS, Windows) Manifest.csv is manifest.csv
    record = any(same_file(roster, folder / name) for name in (MANIFEST_FILE, ERRORS_FILE))
    in_print = any(parent.parent == folder and parent.name.casefold() == PRINT_DIR for parent in roster.parents)
    if record or in_print:
        raise InputError("roster", f"is where the run writes {MANIFEST_FILE}, {ERRORS_FILE} or {PRINT_DIR}/ in the "
                         "output folder: move or rename it, or give another --output", sensitive=False)


def _is_batch_output(folder: Path, manifest: list[dict[str, str]]) -> bool:
    """A batch's output folder for certain: its manifest lists rows, or (every row failed) errors.csv
    stands beside it (a print/ folder alone may be anyone's)."""
    return any(row.get("row") for row in manifest) or all((folder / name).exists() for name in (ERRORS_FILE, MANIFEST_FILE))


def _holds_a_batch(folder: Path, manifest: list[dict[str, str]]) -> bool:
    """A batch's output folder, ``manifest`` its rows (a batch whose every row failed lists no
    rows: its errors.csv or print/ gives it away)."""
    return (folder / ERRORS_FILE).exists() or (folder / PRINT_DIR).is_dir() or any(row.get("row") for row in manifest)


def warn_if_example_clinic(clinic_file: Path | None, clinic: Clinic, done: str = "printed") -> None:
    """After a run without --clinic, or with a copy of the example clinic that still has its
    made-up phone numbers: papers printed with them would send a patient to them. Said last, so
    that an error stays the one line on stderr. (Naming the bundled file, as ``demo`` does, is
    asking for the example.)"""
    if clinic_file is None:
        click.echo(f"warning: no --clinic given: {done} with the bundled example clinic (made-up center, doctor "
                   "and phone numbers, and every page marked as the example's); give --clinic FILE for real papers",
                   err=True)
    elif is_example_copy(clinic_file, clinic):
        click.echo(f"warning: {MADE_UP_NUMBERS}", err=True)


@cli.command()
@click.option("-o", "--output", "output_dir", default="carthandout-demo", show_default=True,
              type=UserPath(file_okay=False, path_type=Path), help="Folder for the example's documents.")
@click.option("--paper", type=click.Choice(["letter", "a4"], case_sensitive=False), default=None,
              help="Paper size (default: the example clinic's, letter).")
@click.pass_context
def demo(ctx: click.Context, output_dir: Path, paper: str | None) -> None:
    """Make every document for the bundled example patient and clinic."""
    ctx.invoke(generate, patient_file=example_path(EXAMPLE_PATIENT), clinic_file=example_path(EXAMPLE_CLINIC), documents=(),
               paper=paper, large_print=None, show_values=False, output_dir=output_dir,
               **{dest: None for _, dest, _ in PATIENT_OPTIONS})


@cli.command()
@click.option("--card-layout", type=click.Choice(SHEET_LAYOUTS, case_sensitive=False), default=SHEET_LAYOUTS[0],
              show_default=True,
              help="The card sheet to calibrate.")
@duplex_options
@click.option("-o", "--output", "output_file", required=True, type=UserPath(dir_okay=False, path_type=Path),
              help="The test sheet PDF to write.")
def calibrate(card_layout: str, duplex: str, back_offset: str | None, output_file: Path) -> None:
    """Print a duplex test sheet to read a printer's --back-offset (see docs/wallet-card.md)."""
    try:
        data = calibration_sheet(card_layout, duplex, parse_back_offset(back_offset))
    except CarthandoutError as error:
        fail(error)
    write_atomic(output_file, data)
    say(f"wrote {output_file} (front and back: print both sides at 100%)")


@cli.command()
@click.option("--clinic", "clinic_file", type=UserPath(path_type=Path),  # one that cannot be read is a problem listed
              help="Clinic profile (YAML) to validate too. Default: the bundled example clinic.")
def check(clinic_file: Path | None) -> None:
    """Validate every content pack, policy profile and the clinic file; print each section's reading level."""
    from carthandout.checks import run_checks  # here: other commands start faster

    report = run_checks(clinic_file)
    problems = report.problems
    for line in [*report.readability, *report.notes]:
        say(line, report=True)
    for problem in problems:
        say(problem, report=True)
    if problems:
        click.echo(f"{len(problems)} problem(s) found", err=True)
        sys.exit(EXIT_PARTIAL)
    say("all content packs, policy profiles and the clinic profile are valid, complete and readable", report=True)


@cli.command()
@click.argument("roster_file", metavar="ROSTER", type=UserPath(dir_okay=False, path_type=Path))
@click.option("-o", "--output", "output_dir", type=UserPath(file_okay=False, path_type=Path),
              help="Folder for the patients' folders, print/, manifest.csv and errors.csv (required, "
                   "except with --check).")
@click.option("--clinic", "clinic_file", type=UserPath(dir_okay=False, path_type=Path),
              help="Clinic profile (YAML). Default: the bundled example clinic.")
@click.option("--doc", "documents", type=TEXT, multiple=True, help="Document to make (repeatable). Default: all.")
@click.option("--paper", type=click.Choice(["letter", "a4"], case_sensitive=False), default=None, help="Paper size (default: the clinic's).")
@click.option("--jobs", type=click.IntRange(1, 256), default=None, help="Worker processes (default: one per core).")
@click.option("--check", "check_only", is_flag=True, help="Validate every row, render nothing.")
@click.option("--print-part-size", "part_size", type=click.IntRange(1), default=DEFAULT_PART_SIZE, show_default=True,
              help="Patients per print file.")
@click.option("--no-names-in-filenames", "no_names", is_flag=True,
              help="Name folders patient-<row> (no name, no MRN); the default with --encrypt.")
@click.option("--name-template", type=TEXT, default=None, help="Folder name from {row}, {mrn}, {name} (default: MRN, else name-row).")
@click.option("--show-values", is_flag=True, help="Include the offending values in error messages (PHI).")
@click.option("--ignore-column", "ignored_columns", type=TEXT, multiple=True, metavar="TITLE",
              help="A roster column to leave out (repeatable): a health-record export's \"Room\" or \"Notes\".")
@click.option("--sheet", type=TEXT, default=None,
              help="Worksheet of an .xlsx roster (default: the one whose first row names patient fields).")
@export_options
@card_options
@encrypt_options
def batch(roster_file: Path, output_dir: Path | None, clinic_file: Path | None, documents: tuple[str, ...],
          paper: str | None, jobs: int | None, check_only: bool, part_size: int, no_names: bool,
          name_template: str | None, show_values: bool, card_layout: str, copies: int, duplex: str,
          back_offset: str | None, sheet: str | None = None, ignored_columns: tuple[str, ...] = (), encrypt: bool = False,
          password_env: str | None = None, last_name_first: bool = False, date_order: str | None = None,
          capitalize_names: bool = False) -> None:
    """Make every patient's documents from a roster (CSV, YAML or .xlsx), and the print files."""
    from carthandout.batch import (  # here: other commands start faster
        BatchSettings, default_jobs, jobs_notice, run_batch, validate_roster,
    )
    from carthandout.naming import check_template
    from carthandout.printfiles import check_print_folder, parts_for
    from carthandout.roster import open_roster

    if output_dir is None and not check_only:
        raise click.UsageError("Missing option '-o' / '--output'.")
    # Encrypted files leave the building, in folders: those are named patient-<row> unless a
    # --name-template says otherwise (the MRN or the name was on every folder and in manifest.csv).
    no_names_given = no_names
    no_names = no_names or (encrypt and name_template is None)
    try:
        template = check_template(name_template, no_names) if name_template is not None else None
        chosen = check_documents(documents or DEFAULT_DOCUMENTS)
        # The wallet card's fit is checked once the rows say what the cards print (language, center, doctor).
        started = time.perf_counter()  # the summary's time counts reading the roster (not a password typed)
        roster = open_roster(roster_file, sheet, ignored_columns)
        clinic = check_clinic(clinic_for_run(clinic_file), chosen, ())
        load_every_pack(chosen)
        settings = BatchSettings(output_dir or Path.cwd(), jobs or default_jobs(), part_size, template, no_names,
                                 show_values, export_reading(clinic, last_name_first, capitalize_names, date_order))
        options = RenderOptions(chosen, paper, card_layout=card_layout,
                                duplex=duplex, back_offset_mm=parse_back_offset(back_offset), copies=copies)
        note_duplex_unused(options)
        check_password_flags(encrypt, password_env)
        if not check_only:
            asked = time.perf_counter()
            options = replace(options, pdf_password=pdf_password(encrypt, password_env))
            started += time.perf_counter() - asked
        checked = validate_roster(roster, clinic, options, settings, cards=check_only)
        check_card_words(clinic, chosen, [job.patient for job in checked.jobs])
        if not check_only:
            check_print_folder(settings.output_dir)
            check_roster_apart(roster_file, settings.output_dir)
            check_batch_folder(settings.output_dir)
            lock = FolderLock(settings.output_dir)
    except CarthandoutError as error:
        fail(error, show_values)
    except KeyboardInterrupt:
        click.echo("interrupted while checking the roster: nothing was written", err=True)
        sys.exit(130)
    patients, problems = checked.jobs, checked.problems
    languages = {job.patient.language or clinic.language for job in patients}
    for line in ([problem.line() for problem in problems] + checked.notices
                 + pack_warnings(printed_packs(chosen, languages, clinic)) + jobs_notice(settings.jobs)):
        click.echo(line, err=True)
    if check_only:
        say(f"checked: {counted(len(patients), 'patient')} ready, "
            f"{counted(len({p.row for p in problems}), 'row')} with problems", report=True)
        warn_if_example_clinic(clinic_file, clinic, "checked")
        sys.exit(EXIT_PARTIAL if problems else EXIT_OK)
    # Signals stop the run only while its workers run; its report is printed whole (a SIGTERM
    # after the first Ctrl-C ended the process between the record and the summary).
    with lock, interrupts_ignored():
        with progress_bar(len(patients) + parts_for(len(patients), part_size), "rendering") as advance:
            result = run_batch(patients, problems, clinic, options, settings, advance, started)
        later = [*result.problems[len(problems):], *result.part_problems]
        for line in [problem.line() for problem in later] + result.notices:
            with terminal_gone_tolerated():
                click.echo(line, err=True)
        with terminal_gone_tolerated():
            say(result.summary())
    with terminal_gone_tolerated():
        if encrypt and name_template is None and not no_names_given:
            click.echo("note: the folders are named by the roster's row (patient-5 holds row 5): --encrypt keeps "
                       "names and MRNs off them; --name-template {mrn} names them by MRN", err=True)
        warn_if_example_clinic(clinic_file, clinic)
    sys.exit(result.exit_code)


@contextmanager
def terminal_gone_tolerated() -> Iterator[None]:
    """A run's report to a terminal that has closed (the SIGHUP that stopped it): what cannot be
    printed is dropped, and the run ends with its own exit code. The write failed (EIO) and the
    run ended with exit 1 and an error about the output folder, its files all written."""
    try:
        yield
    except OSError as error:
        if error.errno != errno.EIO:
            raise
        for stream in (sys.stdout, sys.stderr):  # the closed terminal's: a file or a pipe still takes its lines
            if stream is not None and stream.isatty():
                null_device_on(stream.fileno())


@contextmanager
def progress_bar(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr, only when stderr is a terminal; labels never carry patient data."""
    stream = sys.stderr
    if stream is None or not stream.isatty():  # None: stderr closed (2>&-)
        yield lambda steps: None
        return
    # click's own time left averages the time a step took since the bar began, the workers'
    # start-up included: it said 3 minutes left for a run that ended 10 seconds later
    bar = click.progressbar(length=length, label=label, file=stream, show_eta=False, item_show_func=lambda left: left)
    with terminal_gone_tolerated():  # the bar's own writes only: a failing disk's EIO is the run's
        bar.__enter__()
    try:
        yield _shown_while_it_can_be(_with_time_left(bar.update, length))
    finally:
        with terminal_gone_tolerated():
            bar.render_finish()


def _shown_while_it_can_be(update: Callable[[int], None]) -> Callable[[int], None]:
    """``update``, its writes dropped once the terminal it draws on has closed: the bar is no
    reason to stop a run."""
    def step(steps: int) -> None:
        with terminal_gone_tolerated():
            update(steps)

    return step


def _with_time_left(update: Callable[..., None], length: int) -> Callable[[int], None]:
    """``update``, given the time left as reckoned from the pace since the first step."""
    first: list[float] = []  # when the first step came, and how many were done then
    done = 0

    def step(steps: int) -> None:
        nonlocal done
        done += steps
        now = time.monotonic()
        if not first:
            first.extend((now, done))
        # results come a chunk at a time: a second's pace at least
        pace = (now - first[0]) / (done - first[1]) if done > first[1] and now - first[0] >= 1 else None
        # "": click keeps the last text shown for None, and said "0:00 left" at 100%
        update(steps, "" if pace is None or done >= length else _time_left(pace * (length - done)))

    return step


def _time_left(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}:{seconds:02d} left"


@cli.command(name="docs")
def list_documents() -> None:
    """List the documents and the languages they are available in."""
    languages = available_languages()
    for document in DOCUMENTS:
        have = [lang for lang in languages if document in available_documents(lang)]
        say(f"{document:<16} {', '.join(have)}", report=True)


def _click_stdout_failed(error: OSError) -> bool:
    """True when ``error`` came from click writing its own lines to stdout (``--help`` on a full
    device), which do not go through ``say``."""
    traceback = error.__traceback__
    while traceback is not None:
        frame = traceback.tb_frame
        if (frame.f_globals.get("__name__") == "click.utils" and frame.f_code.co_name == "echo"
                and not frame.f_locals.get("err")):
            return True
        traceback = traceback.tb_next
    return False


_NO_ARGUMENTS = getattr(click.exceptions, "NoArgsIsHelpError", ())  # click 8.2 and later


def main() -> None:
    try:
        sys.exit(cli.main(prog_name="carthandout", standalone_mode=False))
    except _NO_ARGUMENTS as error:  # `carthandout` alone: its help, as asked for
        say(error.ctx.get_help() if error.ctx else "", report=True)
        sys.exit(EXIT_OK)
    except click.UsageError as error:  # one line, as every other error: click's own spends four
        # an option missing its value is reported without the command's context: named from the line
        named = next((arg for arg in sys.argv[1:] if arg in cli.commands), None)
        command = error.ctx.command_path if error.ctx else " ".join(filter(None, ("carthandout", named)))
        click.echo(f"error: {error.format_message()} (see {command} --help)", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except click.ClickException as error:
        error.show()
        sys.exit(error.exit_code)
    except click.Abort:  # Ctrl-C at a prompt (the PDF password)
        click.echo("interrupted", err=True)
        sys.exit(130)
    except CarthandoutError as error:
        fail(error)
    except OSError as error:  # the output folder holds something in the way, or is not writable
        if _click_stdout_failed(error):  # click's own lines (--help, --version) on a full device
            report_lost(error)
        click.echo(f"error: output: {cannot_write(error)}", err=True)
        sys.exit(EXIT_BAD_INPUT)
    except Exception as error:  # a bug: one line, no patient data, details only when asked
        if os.environ.get("CARTHANDOUT_DEBUG"):
            raise
        click.echo(f"internal error: {type(error).__name__} (set CARTHANDOUT_DEBUG=1 for details)", err=True)
        sys.exit(70)
