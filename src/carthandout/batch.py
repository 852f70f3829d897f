"""A cohort in one run: roster -> validated rows -> per-patient files (in worker processes) -> print files.

Layout of the output folder::

    DIR/<patient>/<document>.pdf     the same files ``generate`` writes, one folder per patient
    DIR/print/handouts-part-001.pdf  the part's patients' documents, each patient on a fresh sheet
    DIR/print/wallet-cards-part-001.pdf  the part's wallet cards imposed across sheets
    DIR/manifest.csv                 every file, in roster order, with row, content version, review date
    DIR/errors.csv                   row,field,problem for every row that could not be made

Every row is validated before the first page is drawn. Workers render and write whole patients;
the parent only collects manifest rows (in roster order, so the bytes do not depend on ``--jobs``)
and builds nothing large itself. Print files are assembled part by part from the files already
written, so memory does not grow with the cohort.
"""
from __future__ import annotations

import csv
import ctypes
import datetime as dt
import gc
import io
import json
import os
import signal
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from collections import Counter, deque
from contextlib import contextmanager
from dataclasses import astuple, dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from carthandout.as_exported import NOTES, ExportReading, export_notes, read_as_told
from carthandout.collector import BetweenPatients, parent_frozen
from carthandout.context import DocumentContext, effective_policy
from carthandout.documents import wallet_card
from carthandout.errors import CarthandoutError, InputError, counted, printable
from carthandout.folders import PATIENT_TEMPORARIES
from carthandout.local_dates import DATE_FIELDS, DATE_ORDERS, DateInOtherOrder, orders_of, orders_read_in, other_order
from carthandout.models import (INFUSION_YEARS, NAME_PARTS, PROBE_NAME, REQUIRED_PATIENT_FIELDS, ROSTER_FIELDS, Clinic,
                                Patient, parse_date_between, parse_patient)
from carthandout.naming import UniqueNames, inside, patient_stem
from carthandout.options import DEFAULT_PART_SIZE, RenderOptions
from carthandout.output import (
    ERRORS_FILE, MANIFEST_FILE, PRINT_DIR, TERMINATING, ManifestRow, ManifestStream, cannot_write, earlier_manifest,
    ignored_hangup, interrupts_ignored, recorded_digests, regular_file_bytes, remove_leftover_temporaries, sha256_hex,
    spreadsheet_safe, temporaries_of, write_atomic,
)
from carthandout.pipeline import prepare, render_patient_files
from carthandout.printfiles import (
    PART_DIGITS, PrintPart, PrintPatient, earlier_parts_mode, make_print_part, part_digits, part_files, part_key, parts_for,
    remove_stale_parts,
)
from carthandout.roster import HiddenParts, Roster, RosterRow, listed, rows_named
from carthandout.schedule import compute_schedule, infusion_date_doubt

RESERVED_NAMES = (PRINT_DIR, MANIFEST_FILE, ERRORS_FILE)
EXIT_STOPPED = {"SIGINT": 130, "SIGTERM": 143, "SIGHUP": 129, "worker": 70}
STOP_GRACE_SECONDS = 20.0  # for a worker to finish the patient in hand (well under a second)
# Each field of a row is checked on its own with stand-ins for the required fields (models.PROBE_NAME).
# With no usable infusion date of its own, a row's birth date is compared with the last one
# allowed: never "after the infusion date" because another field is wrong.
_PROBE_LAST_INFUSION = dt.date(INFUSION_YEARS[1], 12, 31)


@dataclass(frozen=True)
class BatchSettings:
    output_dir: Path
    jobs: int = 1
    part_size: int = DEFAULT_PART_SIZE
    name_template: str | None = None
    no_names: bool = False
    show_values: bool = False
    reading: ExportReading = ExportReading()  # how the roster writes names and dates


@dataclass(frozen=True)
class RowProblem:
    row: int
    field: str
    problem: str

    def line(self) -> str:
        return f"row {self.row}: {self.field}: {self.problem}"


@dataclass(frozen=True)
class PatientJob:
    row: int
    folder: str
    patient: Patient


@dataclass(frozen=True)
class PatientResult:
    files: tuple[ManifestRow, ...] = ()
    problem: RowProblem | None = None
    kept: tuple[tuple[str, str], ...] = ()  # (file, its edited copy) kept before it was replaced or removed
    removed: tuple[str, ...] = ()  # the names of an earlier run's documents removed, not made this time


@dataclass(frozen=True)
class PartProblem:
    part: int
    problem: str
    stale: bool = False  # an earlier run's part file left behind, not a part of this run that failed

    def line(self) -> str:
        return f"print part {self.part}: {self.problem}"


@dataclass(frozen=True)
class PartResult:
    rows: tuple[ManifestRow, ...] = ()
    problem: PartProblem | None = None


@dataclass
class BatchResult:
    done: int = 0
    failed: int = 0
    files: int = 0
    seconds: float = 0.0
    stopped_by: str | None = None  # "SIGINT", "SIGTERM", "SIGHUP" or "worker": the run did not finish
    problems: list[RowProblem] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)  # not wrong, worth saying: an edited file kept
    part_problems: list[PartProblem] = field(default_factory=list)  # print parts not made; the patients' files are
    folders: set[str] = field(default_factory=set)  # the patients' folders this run wrote
    removed: Counter[str] = field(default_factory=Counter)  # document name -> folders it was removed from
    earlier_parts: set[str] = field(default_factory=set)  # the print parts in the folder before the run
    planned: int = 0  # the patients the run set out to render
    reached: int = 0  # of them, those rendered or failed

    def summary(self) -> str:
        failed_parts = {problem.part for problem in self.part_problems if not problem.stale}
        parts = f"{counted(len(failed_parts), 'print part')} failed, " if failed_parts else ""
        line = (f"{counted(self.done, 'patient')} done, {self.failed} failed, {parts}{counted(self.files, 'file')},"
                f" {self.seconds:.1f} s")
        if self.stopped_by == "worker":
            return line + (" (stopped: a worker process died or was stopped, e.g. out of memory;"
                           " manifest.csv lists what is complete)")
        if self.stopped_by:
            left = self.planned - self.reached
            not_reached = f"{counted(left, 'patient')} not reached; " if left else ""
            return line + f" (interrupted by {self.stopped_by}; {not_reached}manifest.csv lists what is complete)"
        return line

    @property
    def exit_code(self) -> int:
        if self.stopped_by:
            return EXIT_STOPPED[self.stopped_by]
        return 1 if self.failed or self.part_problems else 0


# --- validation ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RosterCheck:
    jobs: list[PatientJob]
    problems: list[RowProblem]
    notices: list[str]  # worth a look but not wrong: the same patient on two rows


def validate_roster(roster: Roster, clinic: Clinic, options: RenderOptions, settings: BatchSettings,
                    cards: bool = True) -> RosterCheck:
    """Every row checked (fields, font coverage, MRNs shared between rows) and named, before anything
    is rendered. ``cards``: each row's wallet card laid out too, when the run makes cards (``--check``;
    a run lays it out as it renders the patient, and the row fails the same way, so it does it once)."""
    read = _check_each_row(roster, clinic, options, settings, cards)
    if not read.valid and not read.problems:  # a header alone, or the wrong sheet: nothing to print is a mistake
        raise InputError("roster", "no patient rows below the column names", sensitive=False)
    refuse_a_wrong_date_order(read.in_other_order, read.given_dates, settings.reading.date_order)
    if roster.kind == "xlsx":  # a YAML roster's unquoted dates are date values too, and never swapped
        refuse_dates_a_spreadsheet_may_have_swapped(read.given_dates)
    repeats = repeated_patients(read.valid)
    valid = [(number, patient) for number, patient in read.valid if number not in repeats.copies]
    conflicts = repeats.problems + clashes_with_failed_rows(valid, read.not_made)
    refused = {problem.row for problem in conflicts}
    not_made = read.not_made + [(number, {"name": patient.name, "mrn": patient.mrn})
                                for number, patient in valid if number in refused]
    jobs, outside = _jobs_in_their_folders([entry for entry in valid if entry[0] not in refused], settings, not_made)
    problems = read.problems + conflicts + outside
    return RosterCheck(jobs, sorted(problems, key=lambda problem: problem.row),
                       sheet_notice(roster, settings.show_values) + repeats.notices + export_notices(read.noted)
                       + date_doubts(jobs, clinic) + hidden_notice(jobs, roster.hidden()))


@dataclass
class _RowsChecked:
    """Each row on its own: the patients it gives, or its problems."""

    valid: list[tuple[int, Patient]] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    not_made: list[tuple[int, Mapping[str, Any]]] = field(default_factory=list)  # refused: their would-be folders
    noted: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (note, field): its rows ("N/A")
    in_other_order: list[int] = field(default_factory=list)  # rows with a date real in the other day-month order only
    given_dates: list[tuple[int, Mapping[str, Any]]] = field(default_factory=list)  # as the roster gives them


def _check_each_row(roster: Roster, clinic: Clinic, options: RenderOptions, settings: BatchSettings,
                    cards: bool) -> _RowsChecked:
    checked = _RowsChecked()
    for given in roster.rows():
        row = _read_as_told(given, settings)
        for note in export_notes(given.fields, row.fields):
            checked.noted.setdefault(note, []).append(row.number)
        checked.given_dates.append((given.number, {name: given.fields.get(name) for name in DATE_FIELDS}))
        if any(isinstance(problem, DateInOtherOrder) for problem in row.problems):
            checked.in_other_order.append(row.number)
        if row.problems:
            errors, patient = _unreadable_row_errors(row, clinic, options, cards), None
        else:
            errors, patient = check_row(row.fields, clinic, options, cards)
        if patient is None:
            checked.not_made.append((row.number, row.fields))
            checked.problems += [_row_problem(row.number, error, settings.show_values) for error in errors]
        else:
            checked.valid.append((row.number, patient))
    return checked


def _unreadable_row_errors(row: RosterRow, clinic: Clinic, options: RenderOptions,
                           cards: bool) -> list[CarthandoutError]:
    """A row whose cells could not all be read: their problems, and when only field values were
    unusable, what the row's other fields get wrong too (one pass fixes the row)."""
    unusable = {problem.field for problem in row.problems}
    if unusable & set(NAME_PARTS):  # the name is what its parts made: not "name: is required" too
        unusable.add("name")
    if not unusable <= set(ROSTER_FIELDS):
        return list(row.problems)
    others, _ = check_row(row.fields, clinic, options, cards)
    return [*row.problems,
            *(error for error in others if not isinstance(error, InputError) or error.field not in unusable)]


def _jobs_in_their_folders(patients: list[tuple[int, Patient]], settings: BatchSettings,
                           not_made: list[tuple[int, Mapping[str, Any]]]) -> tuple[list[PatientJob], list[RowProblem]]:
    """Each patient's job in the folder it is named; a folder that resolves outside DIR (a link in
    DIR pointing elsewhere) fails that patient, not the run."""
    folders = patient_folders(patients, settings, not_made)
    jobs: list[PatientJob] = []
    problems: list[RowProblem] = []
    for number, patient in patients:
        try:
            inside(settings.output_dir, folders[number])
        except InputError as error:
            problems.append(_row_problem(number, error, settings.show_values))
            continue
        jobs.append(PatientJob(number, folders[number], patient))
    return jobs, problems


def refuse_a_wrong_date_order(rows: Sequence[int], given_dates: Sequence[tuple[int, Mapping[str, Any]]],
                              order: str | None) -> None:
    """Stop the run when ``rows`` have dates real only in the other order than the one given (03/19
    read day first), no row's dates (``given_dates``) are real only in the order given, and some
    row's are real in both: those (03/05) were read wrong, 3 May for March 5, and printed so. When
    some rows prove the one order and some the other, or no row could be read wrong, the odd rows
    are typos: they fail."""
    orders_read = [orders_read_in(dates) for _, dates in given_dates]
    read_wrong = frozenset(DATE_ORDERS) in orders_read
    if rows and order and read_wrong and frozenset({order}) not in orders_read:
        other = other_order(order)
        raise InputError("roster", f"the dates of {rows_named(rows)} are real only read {other.replace('-', ' ')}: "
                         f"the roster's dates look {other.replace('-', ' ')}, so the others would be read wrong; "
                         f"give --date-order {other} (nothing was made)", sensitive=False)


def refuse_dates_a_spreadsheet_may_have_swapped(given_dates: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
    """Stop the run when a date column holds date cells beside dates written as text in a country's
    order that are real in one order only (19/03/2027), and no date cell of the sheet is past the
    12th of its month. A CSV of day-first dates opened in a month-first Excel (or the other way
    round) comes out so: what read as a date both ways became a date cell with day and month
    swapped (05/03/2027, 5 March, as May 3), the rest stayed text. A date cell on the 13th or later,
    in any date column, shows the sheet was read in its own order (a small weekly cohort's
    infusion dates all fell on the 2nd to 4th, beside birth dates on the 19th to 25th)."""
    cells = {name: [(number, dates[name]) for number, dates in given_dates if isinstance(dates[name], dt.date)]
             for name in DATE_FIELDS}
    if any(value.day > 12 for column in cells.values() for _, value in column):
        return
    for name in DATE_FIELDS:
        texts = [number for number, dates in given_dates if _real_in_one_order(dates[name])]
        if cells[name] and texts:
            raise InputError("roster", f"{name}: date cells ({rows_named([number for number, _ in cells[name]])}) "
                             f"beside dates written as text in a country's order ({rows_named(texts)}), as a "
                             "spreadsheet leaves a CSV it read in another country's order: the date cells may have "
                             "day and month swapped; open the CSV again in its own order, or type those dates again "
                             "(nothing was made)", sensitive=False)


def _real_in_one_order(value: Any) -> bool:
    """Text a spreadsheet left as text in a date column: a date in a country's order that is real
    only in the order the spreadsheet did not read (it turns the others into date cells)."""
    orders = orders_of(value)
    return orders is not None and len(orders) == 1


def _read_as_told(row: RosterRow, settings: BatchSettings) -> RosterRow:
    """The row as the export writes it (``as_exported``); what cannot be read so, the row's problems."""
    fields, problems = read_as_told(row.fields, settings.reading)
    return replace(row, fields=fields, problems=(*row.problems, *problems))


def date_doubts(jobs: Sequence[PatientJob], clinic: Clinic) -> list[str]:
    """A warning line for each doubt about infusion dates (``schedule.infusion_date_doubt``), naming
    its rows: a cohort reprinted for its records would otherwise give a line a patient."""
    policy = effective_policy(clinic)
    rows: dict[str, list[int]] = {}
    for job in jobs:
        doubt = infusion_date_doubt(compute_schedule(job.patient.infusion_date, policy))
        if doubt:
            rows.setdefault(doubt, []).append(job.row)
    return [f"warning: {rows_named(numbers)}: infusion_date: {doubt}" for doubt, numbers in rows.items()]


def export_notices(noted: Mapping[tuple[str, str], Sequence[int]]) -> list[str]:
    """A warning line for each (note, field), naming its rows; the notes in ``NOTES`` order."""
    ordered = sorted(noted.items(), key=lambda item: NOTES.index(item[0][0]))  # stable: fields as first met
    return [f"warning: {rows_named(numbers)}: {name}: {note}" for (note, name), numbers in ordered]


def sheet_notice(roster: Roster, show_values: bool) -> list[str]:
    """A note saying which sheet was read when the workbook shows others: a sheet taken for
    another's roster is then seen before the papers are handed out. By its place among the tabs,
    by its name only with ``show_values``: a sheet may be titled with a patient's name."""
    shown = roster.shown_sheets
    if len(shown) < 2 or roster.sheet not in shown:
        return []
    if show_values:
        others = counted(len(shown) - 1, "other sheet")
        return [f"note: read the sheet {printable(roster.sheet)} (the workbook shows {others}; --sheet reads another)"]
    return [f"note: read the workbook's sheet {shown.index(roster.sheet) + 1} of {len(shown)}, counting its tabs "
            f"from the left (--sheet reads another; --show-values names it)"]


def hidden_notice(jobs: Sequence[PatientJob], hidden: HiddenParts) -> list[str]:
    """A warning line for the sheet's hidden rows that hold patients, one for its hidden columns."""
    numbers = [job.row for job in jobs if job.row in hidden.rows]
    lines = []
    if numbers:
        lines.append(f"warning: {rows_named(numbers)}: hidden or filtered out in the sheet; printed like the others "
                     "(leave them out of the roster to leave them out of the run)")
    if hidden.fields:
        lines.append(f"warning: {', '.join(hidden.fields)}: in a column hidden in the sheet; printed like the others")
    return lines


def patient_folders(rows: Sequence[tuple[int, Patient]], settings: BatchSettings,
                    not_made: Sequence[tuple[int, Mapping[str, Any]]] = ()) -> dict[int, str]:
    """Each row's folder name, unique; names given verbatim are handed out first (``UniqueNames``).
    Rows not made this time (``not_made``: failed or refused) are named too, and keep their names:
    when a row failed, the next row whose name came out the same took its folder (the one whose
    "RCC 0042" was made safe into RCC-0042, or a name cut to the same 40 letters), and moved back
    once the row was corrected."""
    stems = {number: patient_stem({"name": patient.name, "mrn": patient.mrn}, number, settings.name_template,
                                  settings.no_names) for number, patient in rows}
    stems.update((number, patient_stem(_naming_fields(fields), number, settings.name_template, settings.no_names))
                 for number, fields in not_made)
    names = UniqueNames(RESERVED_NAMES + _files_in(settings.output_dir))
    in_order = sorted(stems.items())  # roster order
    folders = {number: names.claim_exact(stem.stem) for number, stem in in_order if stem.verbatim}
    for number, stem in in_order:
        if folders.get(number) is None:
            folders[number] = names.claim(stem.stem)
    return {number: folders[number] for number, _ in rows}


def _files_in(folder: Path) -> tuple[str, ...]:
    """What in ``folder`` is not a folder (the roster itself, a user's notes): a patient whose MRN
    was a file's name ("r.csv") failed with "File exists" instead of taking the next name."""
    try:
        return tuple(sorted(entry.name for entry in os.scandir(folder) if not entry.is_dir()))
    except OSError:  # not there yet
        return ()


def clashes_with_failed_rows(valid: Sequence[tuple[int, Patient]],
                             not_made: Sequence[tuple[int, Mapping[str, Any]]]) -> list[RowProblem]:
    """A row with the MRN of a row that failed, under another name, is refused as two such valid
    rows are: the failed row was compared with nothing, and the other took its patient's folder
    (one of the two MRNs is wrong, and which is not known)."""
    failed: dict[str, tuple[int, str]] = {}
    for number, fields in not_made:
        naming = _naming_fields(fields)
        mrn, name = naming["mrn"].strip(), naming["name"].strip()
        if mrn and name:
            failed.setdefault(_mrn_compared(mrn), (number, name.casefold()))
    problems = []
    for number, patient in valid:
        other = failed.get(_mrn_compared(patient.mrn)) if patient.mrn else None
        if other and other[1] != patient.name.casefold():
            problems.append(RowProblem(number, "mrn", f"the same MRN as row {other[0]}, which failed, with another "
                                                      "name: check which is right"))
    return problems


def _naming_fields(fields: Mapping[str, Any]) -> dict[str, str]:
    """The name and MRN a folder is named from, of a row that may hold anything."""
    return {key: value if isinstance(value := fields.get(key), str) else "" for key in ("name", "mrn")}


@dataclass(frozen=True)
class Repeats:
    """What ``repeated_patients`` finds: rows refused, warning lines, and rows that copy an earlier
    row field for field (made once)."""
    problems: list[RowProblem]
    notices: list[str]
    copies: set[int]


def repeated_patients(rows: Sequence[tuple[int, Patient]]) -> Repeats:
    """Rows of one patient: one MRN; without MRN, one name and date of birth (one name alone,
    without a birth date, is one patient only on one infusion date: two people share names).

    When a name, date of birth or infusion date differs between them, every one of those rows is
    a problem: one of them is wrong, and a wallet card with another patient's MRN or another
    infusion date is dangerous. When they agree, the same patient is on the roster twice: a
    row copying an earlier one field for field (an export's duplicate) is made once, one that
    differs in another field (a caregiver, a language) twice, each with a warning. Row numbers
    only: no PHI.
    """
    groups: dict[tuple, list[tuple[int, Patient]]] = {}
    for number, patient in rows:
        groups.setdefault(_patient_key(patient), []).append((number, patient))
    problems: list[RowProblem] = []
    notices: list[tuple[int, str]] = []  # (row, warning)
    copies: set[int] = set()
    for group in (group for group in groups.values() if len(group) > 1):
        (first, patient), *others = group
        disagreements = _disagreements(group)
        if not disagreements:
            for number, other in others:
                copy = next((earlier for earlier, seen in group if earlier < number and seen == other), None)
                if copy is not None:
                    copies.add(number)
                    notices.append((number, f"warning: row {number}: the same patient as row {copy}, every field "
                                            "alike: made once"))
                else:
                    notices.append((number, f"warning: row {number}: the same patient as row {first}, another "
                                            "field differing: their documents are made twice"))
            continue
        same = "MRN" if patient.mrn else "name and date of birth"
        for number, _ in group:  # every row: one of them is wrong, and which is not known
            # the row it disagrees with; a row that agrees with each (no birth date) is refused too
            other, field, what = next(((b if a == number else a, field, what) for a, b, field, what in disagreements
                                       if number in (a, b)), disagreements[0][1:])
            problems.append(RowProblem(number, field, f"the same {same} as row {other}, with another {what}:"
                                                      " check which is right"))
    return Repeats(problems, [line for _, line in sorted(notices)], copies)


def _disagreements(group: list[tuple[int, Patient]]) -> list[tuple[int, int, str, str]]:
    """(row, other row, field, what differs) for each pair of the group's rows that disagree."""
    return [(number, other_number, *conflict)
            for index, (number, patient) in enumerate(group) for other_number, other in group[index + 1:]
            if (conflict := _conflict(patient, other)) is not None]


def _patient_key(patient: Patient) -> tuple:
    if patient.mrn:
        return ("mrn", _mrn_compared(patient.mrn))
    if patient.date_of_birth:
        return ("name", patient.name.casefold(), patient.date_of_birth)
    return ("name", patient.name.casefold(), None, patient.infusion_date)


def _conflict(one: Patient, other: Patient) -> tuple[str, str] | None:
    """(field, what differs) when two rows of one patient disagree on who the patient is or when
    they are infused (a wallet card with another patient's name or another infusion date is dangerous)."""
    if one.mrn.casefold() != other.mrn.casefold():  # alike but for leading zeros a spreadsheet dropped from one
        return "mrn", "number of leading zeros" + ("" if _same_person(one, other) else
                                                   " and another name or date of birth (two patients, or one MRN mistyped?)")
    if not _same_person(one, other):
        return "mrn", "name or date of birth"
    if one.infusion_date != other.infusion_date:
        return "infusion_date", "infusion date"
    return None


def _mrn_compared(mrn: str) -> str:
    """An MRN as rows are compared by: a number's leading zeros left out (a spreadsheet drops them)."""
    return (mrn.lstrip("0") or "0") if mrn.isdigit() else mrn.casefold()


def _same_person(one: Patient, other: Patient) -> bool:
    births_agree = one.date_of_birth is None or other.date_of_birth is None or one.date_of_birth == other.date_of_birth
    return one.name.casefold() == other.name.casefold() and births_agree


def check_row(fields: dict[str, Any], clinic: Clinic, options: RenderOptions,
              cards: bool = True) -> tuple[list[CarthandoutError], Patient | None]:
    """The patient, or every problem of the row (not just the first) so staff fix it in one go."""
    try:
        patient = parse_patient(fields)
        ctx = prepare(patient, clinic, options)
        if cards:
            _check_card(ctx, options)
    except CarthandoutError as error:
        problems = field_problems(fields, clinic, options)
        seen = {problem.line(True) for problem in problems}
        return problems + ([] if error.line(True) in seen else [error]), None
    except Exception as error:  # a bug one row's data triggers fails that row, not the cohort; no values in the line
        return [InputError("internal", f"internal error: {type(error).__name__}", sensitive=False)], None
    return [], patient


def _check_card(ctx: DocumentContext, options: RenderOptions) -> None:
    """The patient's own words fit their wallet card, when the run makes cards. The clinic's words
    are checked once for the run (``check_clinic``): one error, not one a row."""
    if wallet_card.DOCUMENT_ID not in options.documents:
        return
    try:
        wallet_card.check_patient_card(ctx, options)
    except InputError:
        try:
            wallet_card.check_clinic_words_fit(ctx.clinic, [ctx.patient])
        except InputError:
            return  # the clinic's words (its name, its date format) do not fit: the clinic check says so
        raise


def field_problems(fields: dict[str, Any], clinic: Clinic, options: RenderOptions) -> list[CarthandoutError]:
    """Each field checked on its own, with valid stand-ins for the other required fields (the
    row's own infusion date when it is valid, so a birth date is still checked against it):
    first as a value, then as printed (its language, its characters in the bundled fonts)."""
    problems: list[CarthandoutError] = []
    for name in REQUIRED_PATIENT_FIELDS:
        if fields.get(name) in (None, ""):
            problems.append(InputError(name, "is required"))
    base = {"name": PROBE_NAME, "infusion_date": _infusion_date_or_last(fields.get("infusion_date"))}
    valid = {}
    for name, value in fields.items():
        try:
            parse_patient({**base, name: value})
            valid[name] = value
        except InputError as error:
            problems.append(error)
    if not _prepares(base, valid, clinic, options):  # one probe for all; a field at a time only when it fails
        for name, value in valid.items():
            try:
                prepare(parse_patient({**base, name: value}), clinic, options)
            except CarthandoutError as error:
                problems.append(error)
    return problems


def _prepares(base: dict[str, Any], fields: dict[str, Any], clinic: Clinic, options: RenderOptions) -> bool:
    try:
        prepare(parse_patient({**base, **fields}), clinic, options)
    except CarthandoutError:
        return False
    return True


def _infusion_date_or_last(raw: Any) -> Any:
    try:
        return parse_date_between("infusion_date", raw, *INFUSION_YEARS) or _PROBE_LAST_INFUSION
    except InputError:
        return _PROBE_LAST_INFUSION


def _row_problem(row: int, error: CarthandoutError, show_values: bool) -> RowProblem:
    if isinstance(error, InputError):
        return RowProblem(row, error.field, error.problem_text(show_values))
    return RowProblem(row, "content", error.line(show_values))


# --- rendering in workers --------------------------------------------------------------------

@dataclass(frozen=True)
class WorkerState:
    output_dir: Path
    clinic: Clinic
    options: RenderOptions
    show_values: bool = False
    recorded: Mapping[str, str] = field(default_factory=dict)  # the earlier manifest's digests
    parent: int = field(default_factory=os.getpid)  # the batch process, made in it
    journal: bool = False  # each worker notes its finished patients beside the run (``FinishedJournal``)
    part_mode: int | None = None  # the earlier parts' permissions, for this run's (``earlier_parts_mode``)


_state: WorkerState | None = None
_collector: BetweenPatients | None = None  # the worker's cycle collection, between its patients


_stop_requested = False


def _init_worker(state: WorkerState) -> None:
    """Each worker: leave Ctrl-C to the parent; on SIGTERM (or SIGHUP, sent to the whole group when
    the terminal closes) finish the patient in hand, then stop."""
    _take_state(state)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for number in TERMINATING:
        if not ignored_hangup(number):
            signal.signal(number, _request_stop)
    _die_with_parent(state.parent)


def _take_state(state: WorkerState) -> None:
    """This process renders with ``state``, its cycle collection run between patients."""
    global _state, _collector
    _state, _collector = state, BetweenPatients()
    _collector.start()


PR_SET_PDEATHSIG = 1  # linux/prctl.h


def _die_with_parent(parent: int) -> None:
    """A worker is killed when the batch process dies: killed with SIGKILL, it left its workers
    running for minutes, blocked on their queue, holding patients' data. What such a kill leaves
    half-written is a ``.part`` the next run removes. Linux only (prctl); on other systems a
    killed batch's workers stay until they are ended by hand."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError, TypeError):
        return
    if os.getppid() != parent:  # the batch process died before prctl took effect
        os._exit(1)


def _request_stop(signum: int, frame: object) -> None:
    global _stop_requested
    _stop_requested = True


def render_patient(job: PatientJob, journal: "FinishedJournal | None" = None) -> PatientResult:
    """Render and write one patient's files; a failure is this row's problem, never the run's.
    ``journal``: the rows are noted there before the files are renamed into place (a worker killed
    in between left a patient written and listed nowhere)."""
    assert _state is not None, "worker not initialised"
    try:
        ctx = prepare(job.patient, _state.clinic, _state.options)
        rendered = render_patient_files(_state.output_dir, ctx, _state.options, f"{job.folder}/", job.folder,
                                        str(job.row), _state.recorded, own_folder=True)
        kept = rendered.keep_edited()
        removed = tuple(Path(name).name for name in rendered.plan.stale)
        if journal is not None:
            journal.note_coming(job.row, PatientResult(tuple(rendered.rows), kept=tuple(kept), removed=removed))
        files = rendered.put_in_place()
    except CarthandoutError as error:
        return PatientResult(problem=_row_problem(job.row, error, _state.show_values))
    except OSError as error:
        return PatientResult(problem=RowProblem(job.row, "output", cannot_write(error)))
    except Exception as error:  # a bug one row's data triggers must not stop the cohort; no values in the line
        return PatientResult(problem=RowProblem(job.row, "internal", f"internal error: {type(error).__name__}"))
    return PatientResult(tuple(files), kept=tuple(kept), removed=removed)


def build_part(part: PrintPart) -> PartResult | None:
    """The part's print files; None when this worker was told to stop before it began. A part
    that cannot be made (a full disk) is that part's problem: the run goes on and still writes
    manifest.csv and errors.csv."""
    assert _state is not None, "worker not initialised"
    if _stop_requested:
        return None
    try:
        return PartResult(tuple(make_print_part(_state.output_dir, part, _state.clinic, _state.options,
                                                _state.part_mode)))
    except OSError as error:
        return PartResult(problem=PartProblem(part.number, cannot_write(error)))
    except Exception as error:  # a bug must not lose the run's manifest; no values in the line
        return PartResult(problem=PartProblem(part.number, f"internal error: {type(error).__name__}"))
    finally:
        release_freed_memory()


def release_freed_memory() -> None:
    """Hand the memory a print part freed back to the system.

    Without this a worker keeps the high-water mark of the biggest part it built (glibc keeps freed
    heap pages), and the process tree grows with the cohort. Elsewhere than glibc this is a no-op.
    """
    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass


class _InProcessExecutor:
    """The executor interface for ``--jobs 1``: no processes to start, the same code path."""

    def submit(self, function: Callable, *args: Any) -> Future:
        done: Future = Future()
        done.set_result(function(*args))
        return done


@contextmanager
def worker_pool(jobs: int, state: WorkerState) -> Iterator[Any]:
    """Worker processes (a dead worker raises BrokenProcessPool rather than hanging the run)."""
    global _state, _collector
    if jobs <= 1:
        previous, outer = _state, _collector
        _take_state(state)
        try:
            yield _InProcessExecutor()
        finally:
            _collector.restore()
            _state, _collector = previous, outer
        return
    with parent_frozen():
        executor = ProcessPoolExecutor(jobs, initializer=_init_worker, initargs=(state,))
        try:
            yield executor
        except BaseException:
            _stop_workers(executor)
            raise
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _stop_workers(executor: ProcessPoolExecutor) -> None:
    """Interrupted: queued work is dropped and each worker finishes the patient in hand, then
    ends (SIGTERM), so what it finished is reported and nothing is left half-written. A worker
    still busy after ``STOP_GRACE_SECONDS``, or a second interruption, ends it at once."""
    processes = list((getattr(executor, "_processes", None) or {}).values())  # no public API before 3.14
    for process in processes:
        process.terminate()
    deadline = threading.Timer(STOP_GRACE_SECONDS, _kill, (processes,))
    deadline.start()
    try:
        executor.shutdown(wait=True, cancel_futures=True)  # results of finished work are delivered
    except (KeyboardInterrupt, Terminated):
        _kill(processes)
    finally:
        deadline.cancel()


def _kill(processes: Sequence[Any]) -> None:
    threading.excepthook = _quiet_about_closed_pipes
    for process in processes:
        process.kill()


_thread_excepthook = threading.excepthook


def _quiet_about_closed_pipes(args: Any) -> None:
    """After workers are killed, the pool's manager thread trips over their closed pipes and
    printed a traceback ("OSError: handle is closed") under the run's clean summary."""
    if not issubclass(args.exc_type, (OSError, EOFError, ValueError)):
        _thread_excepthook(args)


# --- the run ---------------------------------------------------------------------------------

class WorkerStopped(BrokenProcessPool):
    """A worker was sent SIGTERM on its own: it stopped taking patients, so the run stops too."""


class Terminated(BaseException):
    """SIGTERM or SIGHUP in the parent, raised like KeyboardInterrupt so the same clean-up runs: a
    closed terminal window or a dropped SSH session killed the run as SIGKILL does, with no
    report, the earlier run's manifest in place and its temporary files left."""


_INTERRUPTS = {signal.SIGINT: KeyboardInterrupt, **dict.fromkeys(TERMINATING, Terminated)}
_held = 0  # depth of interrupts_held() blocks in progress
_pending: list[int] = []  # signals that arrived while held
_first_interrupt: list[int] = []  # the signal that stopped the run: a second one may replace its exception


@contextmanager
def interrupts_raise() -> Iterator[None]:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt and Terminated, except inside ``interrupts_held``."""
    def handler(signum: int, frame: object) -> None:
        if not _first_interrupt:
            _first_interrupt.append(signum)
        if _held:
            _pending.append(signum)
            return
        raise _INTERRUPTS[signal.Signals(signum)]()

    _first_interrupt.clear()  # kept after the block: the stop is named from it (``_run_workers``)
    previous = {number: signal.signal(number, handler) for number in _INTERRUPTS if not ignored_hangup(number)}
    try:
        yield
    finally:
        for number, earlier in previous.items():
            signal.signal(number, earlier)
        _pending.clear()


@contextmanager
def interrupts_held() -> Iterator[None]:
    """A finished patient's result taken from the workers and recorded as one step: an interruption
    in between lost the patient from the manifest (files written, never listed) or listed it
    twice. One that arrives meanwhile is raised once the step is done."""
    global _held
    _held += 1
    try:
        yield
    finally:
        _held -= 1
    if not _held and _pending:
        raise _INTERRUPTS[signal.Signals(_pending.pop(0))]()


def run_batch(
    jobs: Sequence[PatientJob],
    problems: list[RowProblem],
    clinic: Clinic,
    options: RenderOptions,
    settings: BatchSettings,
    progress: Callable[[int], None] = lambda steps: None,
    started: float | None = None,
) -> BatchResult:
    """Render every job and the print files; always writes manifest.csv and errors.csv. ``started``:
    the ``time.perf_counter()`` the run's time counts from (the roster's reading), by default now."""
    started = time.perf_counter() if started is None else started
    result = BatchResult(problems=list(problems), planned=len(jobs))
    _remove_partial_files(settings.output_dir, jobs, in_dir=True)  # a killed run's
    # Ctrl-C and SIGTERM stop the run only while the workers run (``interrupts_raise``); before and
    # after, they are ignored. A second one while the run wrote its record ended it with the earlier
    # run's manifest ("Aborted!"), and a SIGTERM between the two (its default, to die) the same.
    with ManifestStream(settings.output_dir) as manifest, interrupts_ignored():
        parts = PrintParts(progress, settings.jobs, part_digits(parts_for(len(jobs), settings.part_size)))
        rendered, journal = _run_workers(jobs, clinic, options, settings, result, manifest, parts, progress)
        _wind_up(jobs, settings, result, manifest, parts, rendered, journal)
        manifest.extend(parts.rows)  # print files last
        manifest.commit()
        result.part_problems = parts.problems
        write_atomic(settings.output_dir / ERRORS_FILE,
                     errors_csv(sorted(result.problems, key=lambda problem: problem.row), result.part_problems))
    result.failed = len({problem.row for problem in result.problems})
    result.files = manifest.count
    result.seconds = time.perf_counter() - started
    return result


def _run_workers(
    jobs: Sequence[PatientJob], clinic: Clinic, options: RenderOptions, settings: BatchSettings,
    result: BatchResult, manifest: ManifestStream, parts: "PrintParts", progress: Callable[[int], None],
) -> tuple["RenderedInOrder", "FinishedJournal"]:
    """Every patient and print part through the workers, until done or interrupted (``result.stopped_by``)."""
    recorded = recorded_digests(earlier_manifest(settings.output_dir))
    # Read, the earlier record goes before any file it lists is replaced: a run killed (SIGKILL,
    # a power cut) left it listing print parts already removed and the digests of files since
    # rewritten. A file changed by hand is still told from its own bytes (``edits``).
    (settings.output_dir / MANIFEST_FILE).unlink(missing_ok=True)
    state = WorkerState(settings.output_dir, clinic, options, settings.show_values, recorded, journal=settings.jobs > 1,
                        part_mode=earlier_parts_mode(settings.output_dir))
    rendered = RenderedInOrder(jobs, settings.jobs)
    journal = FinishedJournal(settings.output_dir)
    # The earlier run's parts go before any patient is replaced: kept until the end, an interrupted
    # (or killed) run left them in print/ beside patients it had rewritten, with the old dates.
    result.earlier_parts = part_files(settings.output_dir)
    remove_stale_parts(settings.output_dir, set())
    try:
        with interrupts_raise(), worker_pool(settings.jobs, state) as pool:
            parts.pool = pool
            _render_patients(pool, rendered, settings, result, manifest, parts, progress)
            parts.finish()
    except (KeyboardInterrupt, Terminated) as stopped:
        # the first signal names the stop: a second one during the workers' shutdown raised over it
        result.stopped_by = signal.Signals(_first_interrupt[0]).name if _first_interrupt else \
            "SIGINT" if isinstance(stopped, KeyboardInterrupt) else "SIGTERM"
    except BrokenProcessPool:
        result.stopped_by = "worker"
    return rendered, journal


def _wind_up(jobs: Sequence[PatientJob], settings: BatchSettings, result: BatchResult, manifest: ManifestStream,
             parts: "PrintParts", rendered: "RenderedInOrder", journal: "FinishedJournal") -> None:
    """After the workers: a stopped run reports what they finished too (from the journal when
    their results were lost: a worker that died, or workers killed by a second Ctrl-C), and
    leaves no half-written file; no print part but this run's stays."""
    if result.stopped_by:
        for _, outcome in rendered.finished_ahead(journal.read()):
            _record(outcome, result, manifest)
        parts.collect_finished()
        _remove_partial_files(settings.output_dir, jobs)
    for number, problem in remove_stale_parts(settings.output_dir, {row.file for row in parts.rows}):
        parts.problems.append(PartProblem(number, problem, stale=True))
    journal.remove()
    made = {part_key(row.file) for row in parts.rows}  # by number: a run of 1,000 parts names them part-0001
    gone = sorted(file for file in result.earlier_parts if part_key(file) not in made)
    result.notices += (_removed_notices(result.removed) + _parts_removed_notice(gone)
                       + _papers_left_notice(settings.output_dir, result.folders))


def _removed_notices(removed: Counter[str]) -> list[str]:
    """A line for each document an earlier run made and this one did not (``--doc`` named fewer):
    removed from the patients' folders, as ``generate`` says, counted by folder."""
    return [f"note: {name} removed from {counted(folders, 'patient folder')} (an earlier run's document, not made "
            "this time)" for name, folders in sorted(removed.items())]


def _parts_removed_notice(gone: Sequence[str]) -> list[str]:
    """A line naming an earlier run's print parts this run did not make again (fewer patients, or
    no wallet cards): removed before the first patient, they went without a word."""
    if not gone:
        return []
    return [f"note: {counted(len(gone), 'print part')} of an earlier run removed, not made this time ({listed(gone)})"]


def _papers_left_notice(output_dir: Path, written: set[str]) -> list[str]:
    """A line when folders beside this run's hold papers it did not make: a row that failed this
    time keeps last run's papers, with last run's dates, and nothing said so. Counted, never
    named (a folder's name may be the patient's)."""
    left = [folder for folder in output_dir.iterdir() if folder.is_dir() and folder.name not in written
            and folder.name != PRINT_DIR and any(folder.glob("*.pdf"))]
    if not left:
        return []
    return [f"note: {counted(len(left), 'folder')} in the output folder {'holds' if len(left) == 1 else 'hold'} papers "
            "this run did not make (a row that failed or was not reached, or one no longer in the roster): "
            "they are not in manifest.csv; check them before printing"]


def _render_patients(
    pool: Any, rendered: "RenderedInOrder", settings: BatchSettings, result: BatchResult,
    manifest: ManifestStream, parts: "PrintParts", progress: Callable[[int], None],
) -> None:
    """Patients in roster order; each print part is queued as soon as its patients are written."""
    part: list[PrintPatient] = []
    for job, outcome, done in rendered.results(pool, lambda outcome: _record(outcome, result, manifest)):
        progress(1)
        if not done:
            continue
        part.append(PrintPatient(job.folder, outcome.files, job.patient))
        if len(part) == settings.part_size:
            parts.add(part)
            part = []
        parts.poll()
    if part:
        parts.add(part)


def _record(outcome: PatientResult, result: BatchResult, manifest: ManifestStream) -> bool:
    """The patient's files into the manifest, or its problem into the report; True when done."""
    result.reached += 1
    if outcome.problem is not None:
        result.problems.append(outcome.problem)
        return False
    result.done += 1
    result.folders.add(outcome.files[0].record)
    manifest.extend(outcome.files)
    result.notices.extend(_kept_notice(outcome.files[0].row, name, copy) for name, copy in outcome.kept)
    result.removed.update(outcome.removed)
    return True


def _kept_notice(row: str, name: str, copy: str) -> str:
    """Without the patient's folder: its name may be the patient's."""
    return (f"row {row}: {Path(name).name} had changed since the run that made it (filled in on screen?): "
            f"kept beside it as {Path(copy).name}")


class RenderedInOrder:
    """Patients rendered in chunks by the pool, their results handed on in roster order.

    Only a few chunks are queued ahead, so a print part submitted now runs soon, not after every
    patient (the executor runs work in the order it was submitted).
    """

    def __init__(self, jobs: Sequence[PatientJob], workers: int) -> None:
        self.jobs = jobs
        self.workers = workers
        # in-process (one worker) a chunk saves nothing, and Ctrl-C waits for the chunk in hand
        self.size = max(1, min(8, len(jobs) // (workers * 8))) if workers > 1 else 1
        self.window: deque[tuple[tuple[PatientJob, ...], Future]] = deque()
        self.ready: deque[tuple[PatientJob, PatientResult]] = deque()  # a chunk's results not yet handed on

    def results(self, pool: Any, record: Callable[[PatientResult], bool]) -> Iterator[tuple[PatientJob, PatientResult, bool]]:
        """Each patient's job, result and what ``record`` said of it, once ``record`` has taken it."""
        for start in range(0, len(self.jobs), self.size):
            chunk = tuple(self.jobs[start:start + self.size])
            # with --jobs 1 the chunk is rendered right here: an interruption waits for it, so the
            # patients it wrote are in the window for finished_ahead (raised inside, they were lost)
            with interrupts_held():
                self.window.append((chunk, pool.submit(render_chunk, chunk)))
            if len(self.window) > 2 * self.workers:
                yield from self._next_chunk(record)
        while self.window:
            yield from self._next_chunk(record)

    def _next_chunk(self, record: Callable[[PatientResult], bool]) -> Iterator[tuple[PatientJob, PatientResult, bool]]:
        chunk, future = self.window[0]
        outcomes = future.result()
        with interrupts_held():  # a result is in the window or ready, never in both nor in neither
            self.ready.extend(zip(chunk, outcomes))
            self.window.popleft()
        if len(outcomes) < len(chunk):  # the worker was told to stop (SIGTERM) though the run was not
            raise WorkerStopped()
        while self.ready:
            with interrupts_held():
                job, outcome = self.ready.popleft()
                done = record(outcome)
            yield job, outcome, done

    def finished_ahead(self, noted: Mapping[int, PatientResult] = MappingProxyType({})) -> Iterator[tuple[PatientJob, PatientResult]]:
        """After an interruption: the results that were complete though not yet handed on; of a
        chunk whose result was lost (a broken pool), those ``noted`` in the workers' journal."""
        yield from self.ready
        self.ready.clear()
        for chunk, future in self.window:
            if _succeeded(future):
                yield from zip(chunk, future.result())
            else:
                yield from ((job, noted[job.row]) for job in chunk if job.row in noted)
        self.window.clear()


def _succeeded(future: Future) -> bool:
    """Finished with a result (not cancelled, not failed): what an interrupted run still reports."""
    return future.done() and not future.cancelled() and future.exception() is None


def render_chunk(jobs: tuple[PatientJob, ...]) -> list[PatientResult]:
    """The chunk's patients in order; after a stop request, only those already finished."""
    assert _state is not None, "worker not initialised"
    results = []
    journal = FinishedJournal(_state.output_dir) if _state.journal else None
    for job in jobs:
        if _stop_requested:
            break
        results.append(render_patient(job, journal))
        if journal is not None:
            journal.note(job.row, results[-1])
        if _collector is not None:
            _collector.patient_done()
    return results


class FinishedJournal:
    """Each worker's finished patients, one JSON line each, in a file of its own beside the run.

    A worker killed on its own (the out-of-memory killer) breaks the pool: the results of the
    chunks the other workers had in hand never reach the batch process, though their files are
    written. The journal tells it which they were, so the manifest lists every finished patient.
    Named like a temporary file (``.*.part``): a killed run's journal goes with them.
    """

    PATTERN = ".carthandout-finished-*.part"

    def __init__(self, output_dir: Path) -> None:
        self.output_dir = output_dir
        self.failed = False  # a write failed: a safety net no more, the results still go back

    def note(self, row: int, outcome: PatientResult) -> None:
        self._append({"row": row, **self._fields(outcome)})

    def note_coming(self, row: int, coming: PatientResult) -> None:
        """The files about to be renamed into place, the copies kept aside of those changed by hand
        and the documents to be removed: read as finished only when each file is there with its
        digest (the worker killed after the renames, before ``note``)."""
        self._append({"row": row, "coming": True, **self._fields(coming)})

    @staticmethod
    def _fields(outcome: PatientResult) -> dict[str, Any]:
        return {"files": [list(astuple(file)) for file in outcome.files],
                "problem": None if outcome.problem is None else list(astuple(outcome.problem)),
                "kept": [list(pair) for pair in outcome.kept], "removed": list(outcome.removed)}

    def _append(self, entry: dict[str, Any]) -> None:
        """Best effort: a journal that cannot be written (a full disk) stopped the whole run with
        no manifest, where the patients it would have listed are reported as any others are."""
        if self.failed:
            return
        try:
            self._write(entry)
        except OSError:
            self.failed = True

    def _write(self, entry: dict[str, Any]) -> None:
        path = self.output_dir / self.PATTERN.replace("*", str(os.getpid()))
        with path.open("a", encoding="utf-8") as journal:
            journal.write(json.dumps(entry) + "\n")

    def read(self) -> dict[int, PatientResult]:
        """Row -> result of every patient a worker noted; a line cut short by a kill is skipped."""
        found: dict[int, PatientResult] = {}
        coming: dict[int, PatientResult] = {}
        for entry in self._entries():
            try:
                (coming if entry.get("coming") else found)[entry["row"]] = self._result(entry)
            except (KeyError, TypeError):
                continue
        for row, result in coming.items():
            if row not in found and all(self._in_place(file) for file in result.files):
                found[row] = result
        return found

    @staticmethod
    def _result(entry: dict[str, Any]) -> PatientResult:
        problem = entry["problem"]
        return PatientResult(tuple(ManifestRow(*file) for file in entry["files"]),
                             None if problem is None else RowProblem(*problem),
                             tuple(tuple(pair) for pair in entry["kept"]), tuple(entry["removed"]))

    def _entries(self) -> Iterator[dict[str, Any]]:
        for path in sorted(self.output_dir.glob(self.PATTERN)):
            for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                if isinstance(entry, dict):
                    yield entry

    def _in_place(self, file: ManifestRow) -> bool:
        data = regular_file_bytes(self.output_dir / file.file)
        return data is not None and sha256_hex(data) == file.sha256

    def remove(self) -> None:
        for path in self.output_dir.glob(self.PATTERN):
            path.unlink(missing_ok=True)


class PrintParts:
    """Print parts built alongside the rendering, each queued as soon as its patients are written.

    Up to one part per worker is queued or being built: parts keep pace with the rendering (one
    at a time, they fell behind and a tenth of a cohort's run was spent building the backlog at
    the end) and a worker still holds one part at most (a few MB: raw object bytes, streams never
    decoded). Their manifest rows are collected in part order.
    """

    def __init__(self, progress: Callable[[int], None], workers: int, digits: int = PART_DIGITS) -> None:
        self.pool: Any = None
        self.digits = digits  # of every part's number (``part_digits``)
        self.progress = progress
        self.limit = max(1, workers)
        self.waiting: deque[PrintPart] = deque()
        self.running: deque[Future] = deque()
        self.rows: list[ManifestRow] = []
        self.problems: list[PartProblem] = []
        self.count = 0

    def add(self, patients: list[PrintPatient]) -> None:
        self.count += 1
        self.waiting.append(PrintPart(self.count, tuple(patients), self.digits))
        self.poll()

    def poll(self) -> None:
        while self.running and self.running[0].done():
            with interrupts_held():
                outcome = self.running.popleft().result()
                if outcome is not None:
                    self._record(outcome)
            if outcome is None:
                raise WorkerStopped()
            self.progress(1)
        while self.waiting and len(self.running) < self.limit:
            self.running.append(self.pool.submit(build_part, self.waiting.popleft()))

    def collect_finished(self) -> None:
        """After an interruption: the rows of the parts that were finished, without starting another."""
        for future in self.running:
            if _succeeded(future) and future.result() is not None:
                self._record(future.result())
        self.running.clear()

    def _record(self, outcome: PartResult) -> None:
        self.rows += outcome.rows
        if outcome.problem is not None:
            self.problems.append(outcome.problem)

    def finish(self) -> None:
        while self.running or self.waiting:
            if self.running:
                self.running[0].result()  # wait for it
            self.poll()


def _remove_partial_files(output_dir: Path, jobs: Sequence[PatientJob], in_dir: bool = False) -> None:
    """Temporary files a killed worker could not remove (``output`` names them ``.<name>.*.part``)
    in print/ and the run's patients' folders; ``in_dir``, before the run, those of the run's
    record in DIR, and a patient's documents in every folder of DIR too (of patients this roster
    no longer holds, which no later run would have removed). Only our names: another program's
    hidden .part file stays."""
    for leftover in (output_dir / PRINT_DIR).glob(".*.part"):
        leftover.unlink(missing_ok=True)
    folders = {job.folder for job in jobs} | ({entry.name for entry in _folders_in(output_dir)} if in_dir else set())
    for folder in folders - {PRINT_DIR}:
        remove_leftover_temporaries(output_dir / folder, PATIENT_TEMPORARIES)
    if in_dir:
        remove_leftover_temporaries(output_dir, (temporaries_of(MANIFEST_FILE), temporaries_of(ERRORS_FILE)))
        FinishedJournal(output_dir).remove()  # a killed run's, else read as this run's


def _folders_in(directory: Path) -> list[Path]:
    try:
        return [entry for entry in directory.iterdir() if entry.is_dir() and not entry.is_symlink()]
    except FileNotFoundError:
        return []


def errors_csv(problems: Iterable[RowProblem], part_problems: Iterable[PartProblem] = ()) -> bytes:
    """One line per problem: a row's, then a print part's (no row; ``print part N`` as its field).
    With a byte order mark: staff open it in Excel, which read a UTF-8 file without one as Windows-1252
    ("TelÃ©fono" for a value shown with --show-values)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("row", "field", "problem"))
    for problem in problems:
        writer.writerow(spreadsheet_safe((problem.row, problem.field, problem.problem)))
    for part_problem in part_problems:
        writer.writerow(spreadsheet_safe(("", f"print part {part_problem.part}", part_problem.problem)))
    return buffer.getvalue().encode("utf-8-sig")


def default_jobs() -> int:
    """One worker per core this process may run on (a container's cpuset, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # macOS, Windows
        return os.cpu_count() or 1


def jobs_notice(jobs: int) -> list[str]:
    """A line when more workers are asked for than there are cores: each holds its own fonts and
    layouts (--jobs 32 on 2 cores: 1.5 GB, and slower than 2)."""
    cores = default_jobs()
    if jobs <= cores:
        return []
    return [f"warning: --jobs {jobs} is more than the {counted(cores, 'core')} here: each worker takes its own "
            "memory, and the run is no faster"]
