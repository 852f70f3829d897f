"""Reading a cohort roster: CSV, YAML or Excel (.xlsx), one patient a row, streamed.

Column headers are patient field names, matched ignoring case, spaces, punctuation and
underscores ("Infusion Date" is ``infusion_date``, "Weight (kg)" ``weight_kg``). The header is
checked when the roster is opened, so an unknown column stops the run before anything is
rendered. Rows are numbered as a spreadsheet user counts them: the header is row 1, the first
patient row 2 (a YAML list's first item too, as if under a header row). Empty rows are skipped but still counted. Values stay
raw: ``models.parse_patient`` validates them.
"""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import operator
import re
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterable, Iterator, Mapping, NamedTuple, Sequence
from xml.parsers import expat

from carthandout.errors import ContentError, InputError, counted
from carthandout.models import (NAME_PARTS, ROSTER_FIELDS, field_for_header, header_key, header_misspelling,
                                misspelt_field, named_as_a_field)
from carthandout.resources import check_regular_file, load_yaml_file

ROSTER = "roster"
FIRST_ITEM_ROW = 2  # a YAML list's items are numbered as a sheet's rows under its header row
ROSTER_MAX_BYTES = 100_000_000  # ten thousand patients take a few megabytes in any of the formats
# Excel's own limits: a sheet numbering a row or column past them was not written by a spreadsheet,
# and openpyxl makes an empty row for every number skipped (a 5 KB file made 10^12 of them).
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
XLSX_PART_MAX_BYTES = 100_000_000  # a worksheet of ten thousand patients unpacks to about 10 MB
# A cell longer than the csv module's 131,072 characters stopped the whole batch ("not valid CSV"):
# any cell a roster can hold fails its own row as too long.
csv.field_size_limit(ROSTER_MAX_BYTES)
CSV_DELIMITERS = (",", ";", "\t")
# One piece of a number format: "quoted text", \x, a spacer (_x) or fill (*x), a [color],
# [$-409] or [condition], a digit placeholder (0 # ?), a character Excel shows as it is, or anything else.
_FORMAT_PIECE = re.compile(r'"([^"]*)"|\\(.)|_.|\*.|\[[^\]]*\]|([0#?])|([$\-+/():!^&\'~{}<>= ])|(.)')
EXACT_DIGITS_BELOW = 10 ** 15  # integers with more digits than Excel keeps
EXCEL_DIGITS = 15  # what Excel keeps of a number, and shows of it at most


@dataclass(frozen=True)
class RosterRow:
    """One patient's raw fields; ``problems`` is set when the row itself is malformed."""

    number: int
    fields: dict[str, Any]
    problems: tuple[InputError, ...] = ()  # the row's own (one), or each unusable cell's


class Roster:
    """An opened roster: its columns are known to be patient fields; ``rows()`` streams the patients."""

    def __init__(self, path: Path, sheet: str | None = None, ignored: Sequence[str] = ()) -> None:
        self.path = path
        try:  # before its name: a pipe ("63") or /dev/zero was told to be a .csv
            check_regular_file(path, path.name, ROSTER_MAX_BYTES)
        except ContentError as error:
            raise InputError(ROSTER, str(error), sensitive=False) from None
        self.kind = roster_kind(path)
        if sheet is not None and self.kind != "xlsx":
            raise InputError(ROSTER, "--sheet is for an Excel .xlsx roster", sensitive=False)
        if ignored and self.kind == "yaml":
            raise InputError(ROSTER, "--ignore-column is for a CSV or .xlsx roster", sensitive=False)
        self.sheet: str | None = None
        self.shown_sheets: list[str] = []  # the workbook's visible sheets in tab order, when none was named
        self._sheet_marks: SheetMarks | None = None
        if self.kind == "yaml":
            self._items = _load_yaml_items(path)
            unknown_item_keys(self._items)
        elif self.kind == "xlsx":
            self.sheet, header, self.shown_sheets = patient_sheet(path, sheet)
            self.columns = column_fields(_checked_header(header), ignored)
        else:
            self.columns = column_fields(self._csv_header(), ignored)

    def rows(self) -> Iterator[RosterRow]:
        if self.kind == "yaml":
            return _yaml_rows(self._items)
        return _table_rows(self.columns, self._data_rows())

    def hidden(self) -> HiddenParts:
        """The sheet's rows hidden, filtered out or shrunk to nothing in Excel, and the fields of its
        hidden columns: read like any other, worth a warning (staff who filtered a sheet to one
        clinic's patients get the others' papers too; a hidden weight column goes on the dose line)."""
        if self.sheet is None:
            return HiddenParts(set(), [])
        marks = self._marks()
        fields = [field for index, field in enumerate(self.columns, start=1) if field and index in marks.hidden_columns]
        return HiddenParts(marks.hidden_rows, fields)

    def _marks(self) -> SheetMarks:
        """What the sheet's XML says of its merged cells and hidden rows and columns, read once."""
        if self._sheet_marks is None:
            with _workbook(self.path) as workbook:
                self._sheet_marks = _scanned_marks(workbook[self.sheet])
        return self._sheet_marks

    def _csv_header(self) -> list[Any]:
        rows = _csv_rows(self.path)
        try:
            first = next(rows, None)
        finally:
            rows.close()
        if first is None:
            raise InputError(ROSTER, "the roster is empty: row 1 must hold the column names (patient fields)",
                             sensitive=False)
        return _checked_header(first[1])

    def _data_rows(self) -> Iterator[tuple[int, list[Any]]]:
        rows = self._raw_rows()
        next(rows, None)
        yield from rows

    def _raw_rows(self) -> Iterator[tuple[int, list[Any]]]:
        return _csv_rows(self.path) if self.sheet is None else _xlsx_rows(self.path, self.sheet, self._marks().merged)


def _checked_header(cells: list[Any]) -> list[Any]:
    if not any(_present(cell) for cell in cells):
        raise InputError(ROSTER, "row 1 must hold the column names (patient fields)", sensitive=False)
    return cells


def open_roster(path: Path, sheet: str | None = None, ignored: Sequence[str] = ()) -> Roster:
    """Open and check a roster; raises InputError (exit 2) for an unreadable file or unknown column.
    ``sheet`` names the worksheet of an .xlsx roster (default: the one whose header names patient
    fields); ``ignored``, the titles of columns to leave out (a health-record export's "Room")."""
    return Roster(path, sheet, ignored)


def roster_kind(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    if suffix in (".yaml", ".yml"):
        return "yaml"
    if suffix == ".xlsx":
        return "xlsx"
    raise InputError(ROSTER, "{value}: use a .csv (or .tsv, .txt), .yaml (.yml) or .xlsx file", path.name,
                     sensitive=False)


LEFT_OUT = ""  # the "field" of a column the run was told to leave out: its cells are never read


def column_fields(header: Iterable[Any], ignored: Sequence[str] = ()) -> list[str | None]:
    """The patient field of each column (None for a column without a header, ``LEFT_OUT`` for one
    named by ``ignored``)."""
    titles = ["" if cell is None else str(cell).strip() for cell in header]
    left_out = _titles_left_out(titles, ignored)
    unknown_columns([title for title in titles if title and title not in left_out])
    columns = [LEFT_OUT if title in left_out else field_for_header(title) if title else None for title in titles]
    columns = _given_names_beside_surnames(titles, columns)
    named = [column for column in columns if column]
    for column in named:
        if named.count(column) > 1:
            raise InputError(ROSTER, f"two columns name the field {column}", sensitive=False)
    parts = [title for title, column in zip(titles, columns) if column in NAME_PARTS]
    if parts and "name" in columns:
        raise InputError(ROSTER, f"columns {titles[columns.index('name')]} and {', '.join(parts)} both give the "
                         "patient's name: leave one out with --ignore-column TITLE", sensitive=False)
    return columns


# Spanish "Nombre" is the whole name alone, the given names beside "Apellidos" (a surname column).
_GIVEN_NAMES_BESIDE_SURNAMES = ("nombre", "nombres", "nombredelpaciente", "nombresdelpaciente")


def _given_names_beside_surnames(titles: Sequence[str], columns: list[str | None]) -> list[str | None]:
    if "last_name" not in columns:
        return columns
    return ["first_name" if column == "name" and header_key(title) in _GIVEN_NAMES_BESIDE_SURNAMES else column
            for title, column in zip(titles, columns)]


def _titles_left_out(titles: Sequence[str], ignored: Sequence[str]) -> set[str]:
    """The header's titles that ``ignored`` names, ignoring case, spaces and punctuation; one that
    names no title is refused (a typo would leave the unknown column's error unexplained)."""
    left_out = set()
    for asked in ignored:
        matching = {title for title in titles if title and header_key(title) == header_key(asked)}
        if not matching:
            raise InputError("--ignore-column", "{value} is not a column of the roster's header", asked,
                             sensitive=False)
        left_out |= matching
    return left_out


def unknown_columns(titles: Iterable[str]) -> None:
    """Raise InputError naming every title that is not a patient field, unless it may be a
    patient's details: then by its position, shown only with ``--show-values``."""
    titles = list(dict.fromkeys(titles))
    unknown = [title for title in titles if field_for_header(title) is None]
    if not unknown:
        return
    known = f"(known: {', '.join(ROSTER_FIELDS)})"
    positions = [titles.index(title) + 1 for title in unknown]
    shown = [_title_named(title) for title in unknown]
    if len(unknown) == len(titles):
        # A roster saved without its header row makes a patient's details the "titles", and so
        # does a title typed above the header: none of them names a patient field. Only a title
        # that misspells one is named ("Infusion Dtae"): "Nam" or "Centre" may be a patient's.
        misspelt = [bool(header_misspelling(title)) for title in unknown]
        unnamed = [str(position) for position, named in zip(positions, misspelt) if not named]
        parts = [text for text, named in zip(shown, misspelt) if named]
        hint = ""
        if unnamed:
            parts.append(f"number {', '.join(unnamed)}")
            hint = " (row 1 names no patient fields: it must hold the column names; is the header row missing, or a " \
                   "title above it?)"
        raise InputError(ROSTER, f"unknown column {{value}} {known}", ", ".join(shown), hidden=", ".join(parts) + hint)
    # A header row (one title names a field) names its unknown titles ("Infusion date (Day 0)",
    # "Room"), but not one holding a date, a phone number or a record number: a patient's details.
    hidden = [f"number {position} (a patient's details? --show-values shows it)" if _looks_like_details(title)
              else text for title, text, position in zip(unknown, shown, positions)]
    raise InputError(ROSTER, f"unknown column {{value}} {known}; a column not for the papers: --ignore-column TITLE",
                     ", ".join(shown), sensitive=hidden != shown, hidden=", ".join(hidden))


_DETAILS_DIGITS = 4  # "1961-08-19", "(217) 555-0123", "RCC-004417"; not "Infusion date (Day 0)"


def _looks_like_details(title: str) -> bool:
    return sum(character.isdigit() for character in title) >= _DETAILS_DIGITS


def _title_named(title: str) -> str:
    """The title, with the field it is a misspelling of: "Infusion Dtae (did you mean infusion_date?)"."""
    meant = header_misspelling(title)
    return f"{title} (did you mean {meant}{_UNITS.get(meant, '')}?)" if meant else title


_UNITS = {"weight_kg": ", in kilograms"}  # "Weight" renamed as suggested, in pounds, gave a wrong dose line


def unknown_item_keys(items: Sequence[Any]) -> None:
    """Raise InputError for the keys of a YAML roster's items that are no patient field, naming the
    rows of the items that have them (the first item is row 2). The keys are named only when each
    is a misspelt field name (``physican``) or written as one (``discharge_date``, ``named_as_a_field``):
    any other may be a patient's details in the wrong place
    (``- Rosa Delgado: {...}``, ``Rosa Delgado: "2027-03-05"``), shown only with ``--show-values``."""
    rows: dict[str, list[int]] = {}
    for number, item in enumerate(items, start=FIRST_ITEM_ROW):
        for key in item if isinstance(item, Mapping) else ():
            if field_for_header(str(key)) is None:
                rows.setdefault(str(key), []).append(number)
    if not rows:
        return
    unknown = list(rows)
    numbers = sorted({number for found in rows.values() for number in found})
    items = "item" if len(numbers) == 1 else "items"
    raise InputError(
        ROSTER, f"{rows_named(numbers)}: unknown field {{value}} in the {items} (known: {', '.join(ROSTER_FIELDS)})",
        ", ".join(unknown), sensitive=not all(misspelt_field(key) or named_as_a_field(key) for key in unknown),
        hidden="(a key that may be a patient's details: each item maps field names to values)",
    )


ROWS_NAMED = 10  # a line naming rows names this many, then how many more


def rows_named(numbers: Sequence[int]) -> str:
    """"row 4", "rows 2, 5, 9", "rows 2, 3, ... and 990 more"."""
    return f"row{'s' if len(numbers) > 1 else ''} {listed([str(number) for number in numbers])}"


def listed(items: Sequence[str]) -> str:
    """"a, b, c", the first ``ROWS_NAMED`` of them, then how many more: "a, b, ... and 990 more"."""
    more = f" and {len(items) - ROWS_NAMED} more" if len(items) > ROWS_NAMED else ""
    return ", ".join(items[:ROWS_NAMED]) + more


def _table_rows(columns: list[str | None], rows: Iterable[tuple[int, list[Any]]]) -> Iterator[RosterRow]:
    for number, cells in rows:
        if not any(_present(cell) for cell in cells):
            continue
        if any(_present(cell) for cell in cells[len(columns):]):
            problems = (InputError(ROSTER, "the row has more cells than there are columns"),)
        elif any(column is None and _present(cell) for column, cell in zip(columns, cells)):
            problems = (InputError(ROSTER, "a value sits in a column without a header"),)
        else:  # every cell with no usable value: #REF!, a formula without its result, ...
            problems = tuple(InputError(column, cell.problem(), sensitive=False) for column, cell in zip(columns, cells)
                             if column and isinstance(cell, CellProblem))
        # a cell with no usable value is left out: the row's other fields are still checked
        values = {column: _field_value(column, cell) for column, cell in zip(columns, cells)
                  if column and _present(cell) and not isinstance(cell, CellProblem)}
        yield RosterRow(number, values, problems)


def _present(cell: Any) -> bool:
    return cell is not None and not (isinstance(cell, str) and not cell.strip())


# --- CSV -------------------------------------------------------------------------------------

def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    """Rows of a UTF-8 CSV (a byte order mark is fine), or of UTF-16 text with its byte order mark
    (Excel's "Unicode Text" export), numbered from 1; the delimiter is sniffed."""
    try:
        with path.open("r", encoding=_text_encoding(path), newline="") as stream:
            first_line = stream.readline()
            delimiter = _separator_hint(first_line)
            if delimiter is None:  # no hint: the first line is the header, read it again
                delimiter = _sniff_delimiter(first_line)
                stream.seek(0)
            row_delimiters = 1
            lines = _LinesRead(stream)
            for number, cells in enumerate(_strict_rows(csv.reader(lines, delimiter=delimiter, strict=True), lines,
                                                        delimiter), start=1):
                cells = _with_spaced_quotes(cells, lines.last, delimiter)
                if number == 1:
                    row_delimiters = max(1, len(cells) - 1)
                _check_quotes_closed(number, cells, delimiter, row_delimiters)
                yield number, [cell if isinstance(cell, CellProblem) else _as_excel_shows(cell) for cell in cells]
    except OSError as exc:
        raise InputError(ROSTER, f"cannot be read ({exc.strerror})", sensitive=False) from None
    except UnicodeDecodeError as error:
        raise _not_utf8(_first_line_not_utf8(path) if error.encoding.startswith("utf-8") else None) from None
    except csv.Error as exc:
        raise InputError(ROSTER, f"is not valid CSV ({exc})", sensitive=False) from None


def _with_spaced_quotes(cells: list[Any], line: str, delimiter: str) -> list[Any]:
    """A line typed by hand with a space after each delimiter (``RCC-1, "Delgado, Rosa", 2027-03-05``)
    read as its writer meant: a quote after the space opens a quoted cell. CSV reads such a quote
    as text, so a delimiter inside it split the cell and every later value moved a column on.
    A line the spaced reading cannot read ("Bud" Smith, a nickname in quotes), or reads with a
    cell starting or ending with a delimiter (ditto marks, '", "'), stays as read."""
    spaced_quote = any(isinstance(cell, str) and cell.startswith(" ") and cell.lstrip(" ").startswith('"')
                       for cell in cells)
    if not spaced_quote or any(isinstance(cell, str) and ("\n" in cell or "\r" in cell) for cell in cells):
        return cells
    try:
        spaced = next(csv.reader([line], delimiter=delimiter, skipinitialspace=True, strict=True))
    except csv.Error:
        return cells
    # '", "': two ditto marks typed with a space, not a quoted cell: the cells between taken as one
    return cells if any(cell.strip().startswith(delimiter) or cell.strip().endswith(delimiter) for cell in spaced) \
        else spaced


# ="001001": how a CSV keeps leading zeros for Excel, which shows 001001 (a formula giving text)
_EXCEL_TEXT = re.compile(r'^="(.*)"$', re.DOTALL)
# '001001: an apostrophe before what Excel would read as a number (also "(217)", a negative one),
# a date or a formula keeps it text; Excel shows it without the apostrophe, which printed on the
# papers. Before a letter it may be a name's own ('Olani).
_TEXT_MARK = re.compile(r"^'(?=[0-9+=@(-])")


def _as_excel_shows(cell: str) -> str:
    return _TEXT_MARK.sub("", _EXCEL_TEXT.sub(r"\1", cell))


class _LinesRead:
    """The lines of a text stream, the last one read kept: the line of a row the reader refused."""

    def __init__(self, stream: Any) -> None:
        self.stream, self.last = stream, ""

    def __iter__(self) -> _LinesRead:
        return self

    def __next__(self) -> str:
        self.last = next(self.stream)
        return self.last


def _strict_rows(reader: Any, lines: _LinesRead, delimiter: str) -> Iterator[list[str]]:
    """The reader's rows; a quote it cannot close where a cell ends stops the run naming its row.

    Read leniently, a quote left open ran on to the end of the file (its row read with the rest of
    the roster in one cell), or until a later row's quoted cell closed it: the rows between were
    one cell of the first, their patients named nowhere. A quote closed early within a patient's
    own line ("Bud" Smith, a nickname typed in quotes) takes no other row: that row fails, naming
    its cells, and the rows after it are read."""
    number = 0
    while True:
        line_before = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            if "unexpected end of data" in str(error):
                raise _runaway_quote(number + 1, "opens a cell and is never closed") from None
            if "expected after" not in str(error):
                raise
            if number == 0 or reader.line_num != line_before + 1:  # the header, or lines taken from other rows
                raise _runaway_quote(number + 1, "closes a cell before the cell ends (or a quote left open is closed "
                                                 "by a later row's, taking the rows between)") from None
            early = _early_quote_cells(lines.last.rstrip("\r\n"), delimiter)
            if early is None:  # the rest of the line was never read: it opens a cell that runs on
                raise _runaway_quote(number + 1, "closes a cell early, and a later cell of the row opens one still "
                                                 "open where the line ends, taking the next lines") from None
            cells = next(csv.reader([lines.last], delimiter=delimiter))  # the line alone, read leniently
            for index in early:
                cells[index] = QuoteEndsCellEarly(cells[index])
        number += 1
        yield cells


def _early_quote_cells(line: str, delimiter: str) -> list[int] | None:
    """The cells of ``line`` whose opening quote closes before the cell ends (spaces after it are
    no more than spaces), or None when a quoted cell is still open where the line ends."""
    early: list[int] = []
    index, position = 0, 0
    while True:
        cell_end = line.find(delimiter, position)
        if line.startswith('"', position):
            closed = _quoted_cell_end(line, position + 1)
            if closed is None:
                return None
            cell_end = line.find(delimiter, closed)
            if line[closed:len(line) if cell_end < 0 else cell_end].strip(" "):
                early.append(index)
        if cell_end < 0:
            return early
        index, position = index + 1, cell_end + 1


def _quoted_cell_end(line: str, position: int) -> int | None:
    """Just after a quoted cell's closing quote, looking from just after its opening one ("" is a
    quote in the cell); None when the line ends first."""
    while position < len(line):
        if line[position] == '"':
            if line[position + 1:position + 2] != '"':
                return position + 1
            position += 1
        position += 1
    return None


def _runaway_quote(number: int, what: str) -> InputError:
    return InputError(ROSTER, f"row {number}: a quote (\") {what}: close the quote where its cell ends, or remove it",
                      sensitive=False)


def _check_quotes_closed(number: int, cells: list[str], delimiter: str, row_delimiters: int) -> None:
    """A quote opened in a cell and left open makes the lines after it part of that cell, up to the
    next quote: their patients named nowhere, or their values given to this row (a lone " typed as
    a ditto mark took the next row's caregiver, phone and weight). Such a cell opens or ends with a
    delimiter (a ditto mark's cell starts with its row's next one), or holds a row's worth of them
    (``row_delimiters``: the rest of its row and the start of the next) written as a program writes
    them, with text right after a delimiter ("Ann Lee,2027-03-05").
    A cell typed over lines rarely holds both: "Luis Delgado, son" Alt+Enter "(evenings)",
    "Smith,Jane MD" Alt+Enter "Hematology", "Bob" Alt+Enter "Mon, Wed, Fri, Sat" all read.
    Delimiters on a cell's first line count only as many as the rest of its row would hold: a
    last column's note "Meds: acyclovir,fluconazole,..." Alt+Enter "Allergy: PCN" reads too,
    unless its row has more cells than the header (what the taken row left after the quote)."""
    too_many_cells = len(cells) > row_delimiters + 1  # the swallowed row's cells after the closing quote
    for index, cell in enumerate(cells):
        if ("\n" in cell or "\r" in cell) and (cell.startswith(delimiter) or cell.endswith(delimiter) or (
                (too_many_cells or _row_delimiters_held(cell, delimiter, row_delimiters - index) >= row_delimiters)
                and _cells_written(cell, delimiter))):
            raise _runaway_quote(number, "opens a cell that runs on over the next lines of the file, taking their rows "
                                         "with it (a cell typed over lines that holds a row's worth of "
                                         f"{_DELIMITER_NAMES.get(delimiter, delimiter)}s reads so too)")


def _row_delimiters_held(cell: str, delimiter: str, rest_of_row: int) -> int:
    """The delimiters of rows a cell may have taken: those on its later lines, and those on its
    first line up to the ``rest_of_row`` its own row has after it."""
    first_line, _, later_lines = cell.replace("\r", "\n").partition("\n")
    return later_lines.count(delimiter) + min(first_line.count(delimiter), max(rest_of_row, 0))


def _cells_written(text: str, delimiter: str) -> bool:
    """Whether a delimiter in ``text`` is followed by more text with no space between."""
    return any(following and not following.startswith((" ", "\u00a0", "\n", "\r"))
               for following in text.split(delimiter)[1:])


_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}


def _text_encoding(path: Path) -> str:
    with path.open("rb") as stream:
        start = stream.read(4096)
    if start[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        return "utf-16"
    if start.count(b"\0") * 8 > len(start):  # UTF-16 without its byte order mark, or not text at all
        raise _not_utf8()  # (a stray NUL in UTF-8 text fails its own row, as a control character)
    return "utf-8-sig"


def _not_utf8(line: int | None = None) -> InputError:
    first = f"from line {line}: " if line else ""
    return InputError(ROSTER, f"is not UTF-8 text ({first}save it as \"CSV UTF-8\")", sensitive=False)


def _first_line_not_utf8(path: Path) -> int | None:
    """The number of the file's first line that is not UTF-8 (one row pasted from another file
    into a UTF-8 roster): text decodes in blocks, so the row being read when it failed is not it."""
    try:
        data = path.read_bytes()  # at most the roster's size limit
    except OSError:
        return None
    for number, line in enumerate(_LINE_ENDS.split(data), start=1):  # a Mac's "CSV (Macintosh)" ends lines with CR
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            return number
    return None


_LINE_ENDS = re.compile(rb"\r\n|\r|\n")


def _separator_hint(line: str) -> str | None:
    """Excel's ``sep=;`` first line names the delimiter; Excel hides it, so rows count after it."""
    text = line.rstrip("\r\n")
    return text[4] if text.startswith("sep=") and len(text) == 5 else None


def _sniff_delimiter(header_line: str) -> str:
    """The delimiter the header line uses most: spreadsheets export , or ; (by locale) or tabs."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in CSV_DELIMITERS}
    best = max(CSV_DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


# --- Excel -----------------------------------------------------------------------------------

@contextmanager
def _workbook(path: Path, formulas: bool = False) -> Iterator[Any]:
    """The workbook, read-only, its cells' values as last computed (``formulas``: the formulas)."""
    from openpyxl import load_workbook  # only when an .xlsx roster is read: it costs import time

    _check_unpacked_size(path)
    try:
        workbook = load_workbook(path, read_only=True, data_only=not formulas)
    except OSError as exc:
        raise InputError(ROSTER, f"cannot be read ({exc.strerror})", sensitive=False) from None
    except Exception:  # zipfile/openpyxl raise many types for a file that is not a workbook
        raise InputError(ROSTER, _not_a_workbook(path), sensitive=False) from None
    try:
        yield workbook
    finally:
        workbook.close()


# How a file of Microsoft's older container format starts: a workbook with a password to open it
# (the .xlsx encrypted inside one), or an Excel 97-2003 .xls renamed.
_COMPOUND_FILE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def _not_a_workbook(path: Path) -> str:
    try:
        with path.open("rb") as stream:
            start = stream.read(len(_COMPOUND_FILE))
    except OSError:
        start = b""
    if start == _COMPOUND_FILE:
        return ("is a workbook with a password to open it, or an Excel 97-2003 workbook: save a copy as an Excel "
                ".xlsx workbook without a password (keep it where only staff can read it)")
    return "is not an Excel .xlsx workbook"


def _check_unpacked_size(path: Path) -> None:
    """A workbook is a zip: 300 KB of it held a 300 MB cell, which openpyxl read whole (3.7 GB,
    then MemoryError, and the batch was lost). A roster's parts unpack to a few megabytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            largest = max((member.file_size for member in archive.infolist()), default=0)
    except (OSError, zipfile.BadZipFile):
        return  # openpyxl says what is wrong with it
    if largest > XLSX_PART_MAX_BYTES:
        raise InputError(ROSTER, f"unpacks to a part of {largest:,} bytes (at most {XLSX_PART_MAX_BYTES:,}): "
                         "it holds far more than a roster", sensitive=False)


# A sheet may be titled with a patient's name ("Delgado, Rosa"): sheets are named only when
# asked (--show-values), else by their place among the workbook's tabs.
SHEET_NAMES_HIDDEN = "--show-values shows their names"


def patient_sheet(path: Path, wanted: str | None) -> tuple[str, list[Any], list[str]]:
    """The worksheet to read, its first row and the workbook's visible tabs in order (chart
    sheets too; none when ``wanted`` names the sheet).

    ``wanted`` is matched in any case, as Excel does. Without it: the one visible sheet with a
    patient below a header naming a field only patients have (an instructions sheet, a sheet of
    drop-down lists or an empty template beside the roster are not read; two such sheets stop
    the run). A roster's column that is no patient field (an export's "Room") never makes another
    sheet the roster: it is named as unknown. A hidden sheet is read only when named: an old
    month kept out of sight."""
    with _workbook(path) as workbook:
        names = [sheet.title for sheet in workbook.worksheets]  # chart sheets hold no rows
        if wanted is not None:
            wanted = _sheet_named(wanted, names)
            return wanted, _first_row(workbook[wanted]), []
        tabs = [name for name in workbook.sheetnames if _visible(workbook[name])]
        shown = [name for name in names if name in tabs]
        headers = {name: _first_row(workbook[name]) for name in shown or names}
        rosters = [name for name, header in headers.items() if _names_a_roster(header)]
        with_patients = [name for name, header in headers.items()
                         if _names_a_patient_field(header) and _has_rows(workbook[name])]
        if not rosters:
            hidden = [name for name in names if name not in headers and _names_a_roster(_first_row(workbook[name]))]
            if hidden:
                raise InputError(ROSTER, "the sheet that holds patients is hidden ({value}): name it with --sheet",
                                 ", ".join(hidden), hidden="--show-values shows its name")
    if len(with_patients) > 1:
        positions = [str(tabs.index(name) + 1) for name in with_patients if name in tabs]
        raise InputError(ROSTER, "sheets {value} all hold patients: choose one with --sheet", ", ".join(with_patients),
                         hidden=f"{', '.join(positions)} of the tabs ({SHEET_NAMES_HIDDEN})")
    # No sheet names a roster's columns: the one naming most patient fields is the roster with a
    # column to fix (the error then names that column, not an instructions sheet's text).
    chosen = (with_patients or rosters or [max(headers, key=lambda name: len(_fields_named(headers[name]) - {None}))])[0]
    return chosen, headers[chosen], tabs


def _visible(sheet: Any) -> bool:
    return getattr(sheet, "sheet_state", "visible") == "visible"


def _sheet_named(wanted: str, names: list[str]) -> str:
    """The sheet ``wanted`` names, in its case or another; the names are in errors only with --show-values."""
    if wanted in names:
        return wanted
    same = [name for name in names if name.casefold() == wanted.casefold()]
    if len(same) > 1:
        raise InputError(ROSTER, "has sheets {value}: give --sheet exactly as one is named", ", ".join(same),
                         hidden=f"named as --sheet gives it but for their case ({SHEET_NAMES_HIDDEN})")
    if not same:
        raise InputError(ROSTER, "has no sheet named as --sheet gives it ({value})",
                         f"--sheet {wanted!r}; sheets: {', '.join(names)}",
                         hidden=f"{counted(len(names), 'sheet')}; {SHEET_NAMES_HIDDEN}")
    return same[0]


def _first_row(sheet: Any) -> list[Any]:
    sheet.reset_dimensions()
    return [_cell_value(cell) for cell in next(sheet.iter_rows(min_row=1, max_row=1), ())]


def _names_a_roster(header: list[Any]) -> bool:
    """Whether the header names the patient's name (whole or in parts) and the infusion date."""
    fields = _fields_named(header)
    return "infusion_date" in fields and bool(fields & {"name", *NAME_PARTS})


def _names_a_patient_field(header: list[Any]) -> bool:
    """Whether the header names a field only a sheet of patients has (an MRN, an infusion date):
    a roster whose name columns are titled otherwise ("Last", "First") still holds patients,
    where a sheet of drop-down lists (physicians, languages) does not."""
    return bool(_fields_named(header) & {"name", "infusion_date", "mrn", "date_of_birth", *NAME_PARTS})


def _fields_named(header: list[Any]) -> set[str | None]:
    return {field_for_header(str(cell).strip()) for cell in header if _present(cell)}


def _has_rows(sheet: Any) -> bool:
    """Whether a row below the header holds a value."""
    return any(any(_present(_cell_value(cell)) for cell in row) for row in sheet.iter_rows(min_row=2, max_row=EXCEL_MAX_ROWS))


def _xlsx_rows(path: Path, sheet: str, merged_ranges: list[tuple[int, int, int]]) -> Iterator[tuple[int, list[Any]]]:
    """Rows of the sheet, numbered as Excel shows them, with cells as plain values (``merged_ranges``:
    ``SheetMarks.merged``)."""
    with _workbook(path) as workbook, _workbook(path, formulas=True) as formulas:
        worksheet, formula_sheet = workbook[sheet], formulas[sheet]
        # In read-only mode openpyxl trusts the size the file states; a tool that wrote a stale
        # one would make rows and columns vanish without a word.
        worksheet.reset_dimensions()
        formula_sheet.reset_dimensions()
        merged = MergedColumns(merged_ranges)
        # The same sheet read for its formulas alongside: a formula whose result the file does not
        # hold (a roster written by a script, never opened in a spreadsheet) reads as empty. One
        # whose saved result is empty text (=IFERROR(VLOOKUP(...),""), t="str") is a blank cell.
        rows = (read.iter_rows(min_row=1, max_row=EXCEL_MAX_ROWS + 1) for read in (worksheet, formula_sheet))
        for number, (cells, written) in enumerate(zip(*rows), start=1):
            if number > EXCEL_MAX_ROWS:
                raise InputError(ROSTER, f"numbers a row past Excel's last ({EXCEL_MAX_ROWS:,}): not a sheet a "
                                 "spreadsheet saved; open it in one and save it again", sensitive=False)
            yield number, merged.shown(number, [
                UncomputedFormula("") if _uncomputed(cell, source) else _cell_value(cell)
                for cell, source in zip(cells, written)])


def _uncomputed(cell: Any, source: Any) -> bool:
    return cell.value is None and getattr(source, "data_type", None) == "f" and getattr(cell, "data_type", None) != "str"


_CELL_RANGE = re.compile(r"([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)")


class SheetMarks(NamedTuple):
    """What openpyxl's read-only sheets leave out, read from the sheet's XML."""

    merged: list[tuple[int, int, int]]  # (column, first row, last row), 1-based, below the header
    hidden_rows: set[int]  # marked hidden, or of no height
    hidden_columns: set[int]


class HiddenParts(NamedTuple):
    rows: set[int]
    fields: list[str]  # of hidden columns


def _scanned_marks(worksheet: Any) -> SheetMarks:
    """The sheet's merged ranges (each cell of one reads empty but its first: they follow the rows)
    and its hidden rows and columns, in one streamed pass over its XML, and none when the XML
    mentions neither (most rosters: a fifth of the time to parse the sheet)."""
    from openpyxl.utils.cell import column_index_from_string

    marks = SheetMarks([], set(), set())

    def element_started(name: str, attributes: dict[str, str]) -> None:
        tag = name.rpartition(" ")[2]
        hidden = attributes.get("hidden") in ("1", "true")
        if tag == "mergeCell":
            found = _CELL_RANGE.fullmatch(attributes.get("ref", ""))
            if found and int(found[2]) >= 2:
                marks.merged.append((column_index_from_string(found[1]), int(found[2]), int(found[4])))
        elif tag == "row" and attributes.get("r", "").isdigit() and (hidden or _no_height(attributes.get("ht"))):
            marks.hidden_rows.add(int(attributes["r"]))
        elif tag == "col" and hidden and attributes.get("min", "").isdigit() and attributes.get("max", "").isdigit():
            last = min(int(attributes["max"]), EXCEL_MAX_COLUMNS)  # a range past Excel's last column filled memory
            marks.hidden_columns.update(range(int(attributes["min"]), last + 1))

    with worksheet._get_source() as source:  # noqa: SLF001 (read-only sheets offer no other way)
        if not _mentions(source, b"mergeCell", b"hidden=", b'ht="0'):
            return marks
    parser = expat.ParserCreate(namespace_separator=" ")  # streamed: no tree of the sheet's cells
    parser.StartElementHandler = element_started
    with worksheet._get_source() as source:  # noqa: SLF001
        parser.ParseFile(source)
    return marks


def _no_height(height: str | None) -> bool:
    try:
        return height is not None and float(height) == 0
    except ValueError:
        return False


def _mentions(stream: Any, *words: bytes, chunk_size: int = 1 << 20) -> bool:
    """Whether any of ``words`` is in the stream, read a chunk at a time."""
    overlap = max(len(word) for word in words)
    tail = b""
    while chunk := stream.read(chunk_size):
        if any(word in tail + chunk for word in words):
            return True
        tail = chunk[-overlap:]
    return False


class MergedColumns:
    """Cells merged down a column read as Excel shows them: the first cell's value on every row
    (a physician or "yes" for large print merged over a group of patients read as empty below
    its first row). The other columns of a range merged across columns stay empty."""

    def __init__(self, ranges: list[tuple[int, int, int]]) -> None:
        self._ranges = sorted(ranges, key=lambda found: found[1])
        self._values: dict[tuple[int, int], Any] = {}

    def shown(self, number: int, cells: list[Any]) -> list[Any]:
        # A row with nothing of its own stays empty (skipped): a merge run on past the last patient,
        # or over a blank row, made rows of it that failed for want of a name.
        filled = any(_present(cell) for cell in cells)
        for column, first, last in self._ranges:
            if first > number:
                break
            if number == first:
                self._values[column, first] = cells[column - 1] if column <= len(cells) else None
            elif number <= last and filled:
                _put(cells, column, self._values.get((column, first)))
        return cells


def _put(cells: list[Any], column: int, value: Any) -> None:
    """``value`` in the row's ``column`` (1-based). A row read in read-only mode ends at its last
    written cell: below a merge's first row, a merge down the last column has no cell there."""
    if column > len(cells):
        if value is None:
            return
        cells.extend([None] * (column - len(cells)))
    cells[column - 1] = value


class CellProblem(str):
    """A cell that holds no usable value: the row is refused with ``problem``, its class's ``message``."""

    message = ""

    def problem(self) -> str:
        return self.message


class QuoteEndsCellEarly(CellProblem):
    """A CSV cell whose quote closes before the cell ends ("Bud" Smith): the row is refused, the rest read."""

    message = ('a quote (") closes the cell before it ends: remove the quotes, or put the whole cell in quotes '
               'with each quote inside it doubled ("")')


class SpreadsheetError(CellProblem):
    """What a cell shows when its formula failed (#REF!, #N/A): never a patient's value."""

    def problem(self) -> str:
        return f"the cell shows the spreadsheet error {self}"


class InexactNumber(CellProblem):
    """A whole number too long for a spreadsheet to keep: Excel keeps 15 significant digits, so a
    20-digit MRN typed into a number cell comes back with other digits at its end."""

    message = "the number is too long for a spreadsheet to keep exactly: format the column as text and type it again"


class ScientificNumber(CellProblem):
    """A number the cell shows in scientific notation (1.23E+08): its digits are neither what was
    typed nor what the sheet shows (an MRN typed 1234E5 printed as 123400000)."""

    message = "the cell shows a number in scientific notation (1.23E+08): format the column as text or as a number"


class PercentNumber(CellProblem):
    """A number the cell shows as a percentage: a weight of 72.5 formatted 0.0% shows 7250.0%."""

    message = "the cell shows the number as a percentage: format the column as a number"


class FractionNumber(CellProblem):
    """A number the cell shows as a fraction (# ?/?): a weight of 55.55 shows 55 5/9."""

    message = "the cell shows the number as a fraction: format the column as a number with decimals"


class TextForNumber(CellProblem):
    """A number whose format shows text in its place ("N/A", [=0]"none"): the sheet shows no number."""

    message = "the cell's format shows text in place of its number: format the column as a number or as text"


class HiddenNumber(CellProblem):
    """A number whose format shows nothing (;;;): the sheet shows a blank cell."""

    message = "the cell's format hides its number (;;;): the sheet shows it blank; format the column to show it"


class UncomputedFormula(CellProblem):
    """A formula cell whose file holds no result: openpyxl and other scripts write formulas without one."""

    message = "the cell holds a formula with no result saved: open the roster in a spreadsheet program and save it"


def _cell_value(cell: Any) -> Any:
    value = cell.value
    if getattr(cell, "data_type", None) == "e":
        return SpreadsheetError(value)
    if isinstance(value, dt.datetime):
        return value.date()  # Excel stores every date as a date and time; a day is all a field takes
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return _number_text(value, getattr(cell, "number_format", "General"))
    if isinstance(value, str):
        return _shown_text(_EXCEL_ESCAPE.sub(_unescaped, value), getattr(cell, "number_format", "General"))
    return value


# Excel writes a character XML cannot hold as _xHHHH_: a line break pasted into a cell is _x000D_
# before the break. openpyxl leaves the escape as it is, and it printed on the card ("María_x000D_ López").
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _unescaped(escape: re.Match) -> str:
    return chr(int(escape[1], 16))


def _shown_text(text: str, number_format: str) -> str:
    """Text as its format's text section shows it: "4417" under "RCC-"@ is RCC-4417 (an MRN typed
    as text and one typed as a number read alike); "160" under @" lb" is 160 lb, refused as a weight
    (it was read as 160 kg)."""
    sections = _SECTION_BREAK.split(number_format or "")
    section = sections[3] if len(sections) > 3 else sections[0] if len(sections) == 1 else ""
    if "@" not in section or not _format_words(section):
        return text
    shown = "".join(text if piece == "@" else quoted or escaped or (piece if piece.strip() in "-()/:" else "")
                    for quoted, escaped, piece in _TEXT_PIECE.findall(section))
    return ShownNumber(shown, text, _format_words(section))


_TEXT_PIECE = re.compile(r'"([^"]*)"|\\(.)|(_.|\*.|\[[^\]]*\]|.)')  # quoted, escaped, or anything else


def _number_text(value: int | float, number_format: str) -> int | float | str:
    """Numbers as text where a field wants text: an MRN of 004417 formatted "000000" keeps its zeros.

    Whether a field wants text is decided later; here integral numbers become their digits, padded
    when the cell format pads them, and other numbers stay numbers (a weight of 72.5), with the
    text the format shows beside them (a unit).
    """
    if value < 0:  # no patient field is negative: the number as typed, for the field's own check to refuse
        return str(int(value)) if float(value).is_integer() else value
    section = _section_for(value, number_format)
    if number_format and not section.strip():  # ;;; shows nothing: what staff see is a blank cell
        return HiddenNumber("")
    bare = _FORMAT_DECORATION.sub("", section)
    if _SCIENTIFIC.search(bare):
        return ScientificNumber("")
    if "%" in bare:
        return PercentNumber("")
    if not _DIGIT_PLACEHOLDER.search(bare) and "general" not in bare.lower() and "@" not in bare and _format_words(section):
        return TextForNumber("")
    if isinstance(value, float):  # the 15 digits Excel keeps: 72.99999999999999 is the 73 it shows
        value = float(f"{value:.{EXCEL_DIGITS}g}")
    if _FRACTION.search(bare):  # a whole number shows whole: 55 in # ?/? is 55
        return str(int(value)) if float(value).is_integer() else FractionNumber("")
    if float(value).is_integer():
        if abs(value) >= EXACT_DIGITS_BELOW:
            return InexactNumber(value)
        text: int | float | str = _shown_digits(str(int(value)), section)
    else:
        text = _shown_decimals(value, section)
    unit = _format_words(section)
    if not unit:
        return text
    if isinstance(text, ShownNumber):
        return ShownNumber(text, text.digits, unit)
    return ShownNumber(f"{text} {unit}", str(text), unit)


_SCIENTIFIC = re.compile(r"[eE][+-]")
_FRACTION = re.compile(r"[#?0]\s*/\s*[#?0-9]")  # # ?/?, # ??/100: 55.55 shows as 55 5/9


def _format_words(section: str) -> str:
    """The text a number format shows beside the number (``0" lb"``, ``0\\ \\l\\b``, ``0 "#"``):
    a weight formatted in pounds was read as that many kilograms. A currency sign is no word
    (Excel's Accounting format quotes its "$")."""
    words = "".join(quoted or escaped for quoted, escaped, *_ in _FORMAT_PIECE.findall(section))
    return _CURRENCY_SIGNS.sub("", words).strip()


_CURRENCY_SIGNS = re.compile(r"[$€£¥]")


# Digit placeholders around an optional decimal point: 0.0, #,##0.00, ?0.0 (aligned), 0.0# (up to two)
_DECIMALS_FORMAT = re.compile(r"^[#?,]*0*(?:\.(0*)([#?]*))?$")
_CURRENCY_AND_SPACE = re.compile(r"[$€£¥\s]")
_FORMAT_DECORATION = re.compile(r'"[^"]*"|\\.|_.|\*.|\[[^\]]*\]')  # text, escaped characters, spacers, fills, [Red], [$-409]


def _shown_decimals(value: float, section: str) -> float | str:
    """A fraction as many decimals as its format shows: a weight computed from pounds
    (=165/2.2046, formatted 0.0) is the 74.8 staff see, not 74.84350902658078."""
    pattern = _CURRENCY_AND_SPACE.sub("", _FORMAT_DECORATION.sub("", section))
    match = _DECIMALS_FORMAT.match(pattern)
    if match is None or not pattern:  # General and the like: the number as Excel keeps it (``_number_text``)
        return value
    zeros, optional = len(match.group(1) or ""), len(match.group(2) or "")
    shown = str(Decimal(repr(value)).quantize(Decimal(1).scaleb(-(zeros + optional)), rounding=ROUND_HALF_UP))
    while optional and shown.endswith("0") and len(shown.partition(".")[2]) > zeros:  # 0.0#: 72.30 shows 72.3
        shown, optional = shown[:-1], optional - 1
    return shown.rstrip(".")


def _shown_digits(digits: str, section: str) -> str:
    """The digits as a format of digit placeholders and text shows them: 4417 in "RCC-"000000 is
    RCC-004417, in #000000 004417, in 000-0000 000-4417, in (###) ###-#### with ten digits a
    phone number: what staff see in the cell (colors, locales, spacers and fills show nothing).
    Any other format (decimals, grouped thousands, which a locale may show as 1.234.567): the digits alone."""
    pieces: list[_Piece] = []  # the format's text and its placeholders (0 # ?), in order
    for quoted, escaped, placeholder, plain, other in _FORMAT_PIECE.findall(section):
        if other:
            return digits
        pieces.append(_Piece(placeholder, True) if placeholder else _Piece(quoted or escaped or plain))
    slots = [index for index, piece in enumerate(pieces) if piece.placeholder]
    if not slots:
        return digits
    padded = digits.zfill(sum(piece.placeholder and piece.text == "0" for piece in pieces))
    placed = _placed(padded, pieces, slots)
    shown = "".join(placed.get(index, piece.text) for index, piece in enumerate(pieces))
    if not shown.strip():
        return digits
    return ShownNumber(shown, padded) if shown != padded else padded


_DIGIT_PLACEHOLDER = re.compile(r"[0#?]")
_DIGIT_PLACEHOLDERS = {"0": "0", "#": "", "?": " "}  # what each shows where the number has no digit left


class _Piece(NamedTuple):
    text: str
    placeholder: bool = False  # a digit placeholder, not text shown as it is


def _placed(padded: str, pieces: list[_Piece], slots: list[int]) -> dict[int, str]:
    """Each placeholder's digit, filled from the right; digits left over go into the first."""
    placed: dict[int, str] = {}
    left = padded
    for index in reversed(slots):
        placed[index] = left[-1] if left else _DIGIT_PLACEHOLDERS[pieces[index].text]
        left = left[:-1]
    placed[slots[0]] = left + placed[slots[0]]
    return placed


def _section_for(value: float, number_format: str) -> str:
    """The section of a format that shows ``value`` (not negative): the first, unless conditions
    choose another ([<=9999999]###-####;(###) ###-####, Excel's phone number); zero takes the
    third when there is one (0;-0;"none")."""
    sections = _SECTION_BREAK.split(number_format or "")
    if any(_CONDITION.search(section) for section in sections[:2]):
        for section in sections[:2]:
            condition = _CONDITION.search(section)
            if condition is None or _holds(value, condition.group(1), float(condition.group(2))):
                return section
        return sections[2] if len(sections) > 2 else sections[0]
    return sections[2] if value == 0 and len(sections) > 2 else sections[0]


_SECTION_BREAK = re.compile(r';(?=(?:[^"]*"[^"]*")*[^"]*$)')  # a semicolon outside quoted text
_CONDITION = re.compile(r"\[(<=|>=|<>|<|>|=)\s*(-?\d+(?:\.\d+)?)\]")
_COMPARISONS = {"<=": operator.le, ">=": operator.ge, "<>": operator.ne, "<": operator.lt, ">": operator.gt,
                "=": operator.eq}


def _holds(value: float, comparison: str, bound: float) -> bool:
    return _COMPARISONS[comparison](value, bound)


class ShownNumber(str):
    """A number cell as its format shows it with text around the digits ("RCC-"0000): an MRN takes
    it so ("RCC-0042", not "42"); a weight takes the number with the ``unit`` its format shows (its
    field refuses any but kg); any other field takes ``digits``."""

    def __new__(cls, shown: str, digits: str, unit: str = "") -> "ShownNumber":
        number = super().__new__(cls, shown)
        number.digits, number.unit = digits, unit
        return number


SHOWN_AS_FORMATTED = ("mrn", "caregiver_phone")  # "+"0 shows +442079460000: the digits alone lost the +
WITH_UNIT = "weight_kg"


def _field_value(column: str, cell: Any) -> Any:
    if isinstance(cell, ShownNumber):
        if column in SHOWN_AS_FORMATTED:
            return str(cell)
        return f"{cell.digits} {cell.unit}" if column == WITH_UNIT and cell.unit else cell.digits
    return cell


# --- YAML ------------------------------------------------------------------------------------

def _load_yaml_items(path: Path) -> list[Any]:
    try:
        items = load_yaml_file(path, private=True, repeated_keys_allowed=True, max_bytes=ROSTER_MAX_BYTES)
    except ContentError as exc:
        raise InputError(ROSTER, str(exc), sensitive=False) from None
    if not isinstance(items, list):
        raise InputError(ROSTER, "a YAML roster must be a list of patients (- name: ...)", sensitive=False)
    return items


def _yaml_rows(items: list[Any]) -> Iterator[RosterRow]:
    """Each item, numbered as a sheet's row under its header would be (the first is row 2): the same
    patients get the same rows, and so the same folders and files, in a CSV, a sheet or a YAML list."""
    for number, item in enumerate(items, start=FIRST_ITEM_ROW):
        if item is None:
            continue
        if not isinstance(item, Mapping):
            yield RosterRow(number, {}, (InputError(ROSTER, f"item {number - 1} of the list is not a mapping of "
                                                            "field: value"),))
            continue
        fields = [field_for_header(str(key)) for key in item]
        repeated = {field_for_header(str(key)) for key in getattr(item, "repeated_keys", ())}
        twice = next((name for name in fields if name and (name in repeated or fields.count(name) > 1)), None)
        # the item's other fields are still checked (without them, "name: is required" too)
        values = {field: value for field, value in zip(fields, item.values()) if field != twice and _present(value)}
        given_twice = InputError(twice, f"is given twice in item {number - 1} of the list", sensitive=False)
        yield RosterRow(number, values, (given_twice,) if twice else ())
