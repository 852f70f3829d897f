"""Long tables of rows (a row a day, a checklist item a row) drawn straight on the canvas instead of through a platypus Table.

A reportlab Table wraps every cell several times, merges its style commands per cell and draws
each cell through a general path; for the write-in logs (a row a day, most cells empty boxes)
and the checklist's items (four form fields a row) that was most of their render time.
``RowGrid`` draws the same picture directly: the header rows stay a real Table (laid out once,
drawn again at the top of every page), the body rows are measured once and drawn with the
Table's own geometry (top-aligned cells, the same padding), the lines drawn last, and the grid
splits between whole rows like a Table with repeated header rows does.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Table, TableStyle

from carthandout.context import DocumentContext
from carthandout.documents.blocks import (GRID_COLOR, GRID_WIDTH, MIN_ROWS_AT_BREAK, ROW_RULE_COLOR, ROW_RULE_WIDTH,
                                         Continuable, balanced_break, data_table, table_padding)
from carthandout.documents.text_line import TextLine
from carthandout.theme import Theme

SHRINK_SAFETY = 0.999  # of the room a shrunk grid may keep: its rows' sum never rounds over the page


@dataclass(frozen=True)
class GridRow:
    """One body row: each cell's flowables (top-aligned) and the least content height of the row.

    ``height`` fixes the row's height instead; ``fills`` gives a cell's background color (None: none)
    and ``boxed`` marks the cells framed with the grid's ``cell_box`` line.
    """

    cells: Sequence[Sequence[Flowable]]
    min_content_height: float = 0.0
    height: float | None = None
    fills: Sequence[Any] = ()
    boxed: Sequence[bool] = ()


@dataclass(frozen=True)
class GridLines:
    width: float
    color: Any


def date_column_share(ctx: DocumentContext, theme: Theme, days: Sequence[dt.date], least: float,
                      most: float) -> float:
    """The share of the width a column of ``date_cell``s needs to set its longest date on one line,
    from ``least`` up to ``most`` ("December 10, 2027" put its year on a line of its own, and those
    rows stood taller than the others)."""
    style = theme.style("cell_bold")
    longest = max(stringWidth(ctx.formatter.date(day), style.fontName, style.fontSize) for day in days)
    return min(max(least, (longest + 2 * table_padding(theme) + 1) / theme.frame_width), most)


def write_in_grid(header_rows: list[list[Any]], rows: Sequence[GridRow], theme: Theme, fractions: tuple[float, ...],
                  header_spans: Sequence[tuple[Any, ...]] = ()) -> RowGrid:
    """What ``data_table(header_rows + rows, header=len(header_rows), grid=True)`` draws, at a fraction of the cost."""
    header = data_table(header_rows, theme, fractions, header=len(header_rows), grid=True)
    if header_spans:
        header.setStyle(TableStyle(list(header_spans)))
    widths = [theme.frame_width * fraction for fraction in fractions]
    # a large-print row is a quarter of a page: one alone under the header is no stray
    return RowGrid(header, widths, rows, table_padding(theme), GridLines(GRID_WIDTH, GRID_COLOR),
                   row_rule=GridLines(ROW_RULE_WIDTH, ROW_RULE_COLOR),
                   min_rows_at_break=1 if theme.large_print else MIN_ROWS_AT_BREAK)


class RowGrid(Continuable, Flowable):
    """Header rows (a Table, repeated on every page) above body rows that split between rows
    (under a ``continued`` caption, when it has one).

    ``lines`` (if any) box every cell; ``row_rule`` (if any) is drawn under each row first, as a
    Table draws its commands in order: the grid covers it, but rasterizers can still let it show.
    """

    def __init__(self, header: Table, column_widths: Sequence[float], rows: Sequence[GridRow], padding: float,
                 lines: GridLines | None, row_rule: GridLines | None = None, header_rule: GridLines | None = None,
                 cell_box: GridLines | None = None, side_padding: float | None = None,
                 shrink_to_fit: bool = False, min_rows_at_break: int = MIN_ROWS_AT_BREAK,
                 continued_header: Callable[[], Table] | None = None, room_under_boxed: float = 0.0) -> None:
        super().__init__()
        self.header, self.column_widths, self.rows = header, list(column_widths), list(rows)
        self.padding, self.lines, self.row_rule = padding, lines, row_rule
        # left and right of a cell's content; above and below it is ``padding``
        self.side_padding = padding if side_padding is None else side_padding
        # Drawn after the grid, as a Table draws later line commands over earlier ones.
        self.header_rule, self.cell_box = header_rule, cell_box
        self.room_under_boxed = room_under_boxed  # under the words of a row with a cell framed by ``cell_box``
        # Rows may drop to their content's height (below ``GridRow.height``) rather than split
        # over two pages: a month's grid split in two no longer reads as a calendar.
        self.shrink_to_fit = shrink_to_fit
        # Rows kept on each side of a page break. Rows a page holds only a few of (large-print
        # checklist items) may stand one under the repeated header: two left pages a third empty.
        self.min_rows_at_break = min_rows_at_break
        # Makes the header over the rows a page break moves on (a month's title "(continued)"), if
        # not ``header``: made only when the grid breaks (most never do).
        self.continued_header = continued_header
        # (height, share of room to write kept), set by the caller: rows give up room above their
        # content, keeping at least that share, to leave the height below the grid on its page (a
        # month's list of dates).
        self.room_below: tuple[float, float] | None = None
        # The height of what follows that must stand on the page of the last rows (the checklist's
        # sign-off, alone on a last page, was cut off from the items it signs for): set by the
        # caller; rows move to the next page with it when it would not fit under them.
        self.kept_with_last = 0.0
        self.hAlign = "LEFT"
        self._heights: list[float] | None = None
        self._full_heights: list[float] = []
        self._contents: list[float] | None = None
        self._header_height: float | None = None

    def _measure(self, width: float) -> None:
        if self._header_height is None:
            self._header_height = self.header.wrap(width, 1e9)[1]
        if self._heights is None:
            self._heights = [self._row_height(row) for row in self.rows]
            self._full_heights = list(self._heights)

    def _row_height(self, row: GridRow) -> float:
        return row.height if row.height is not None else self._content_height(row)

    def _content_height(self, row: GridRow) -> float:
        inner = [width - 2 * self.side_padding for width in self.column_widths]
        content = max([row.min_content_height] + [stack_height(cell, w) for cell, w in zip(row.cells, inner)])
        return content + 2 * self.padding + (self.room_under_boxed if any(row.boxed) else 0.0)

    def start_height(self, width: float) -> float:
        """The header and the first rows a page break leaves together: the least of the grid a page holds."""
        self._measure(width)
        return self._header_height + sum(self._heights[:self.min_rows_at_break])

    def height_shrunk(self, width: float, room_kept: float) -> float:
        """The grid's height with each row keeping ``room_kept`` (0 to 1) of its room above its content."""
        self._measure(width)
        return self._header_height + sum(least + max(0.0, full - least) * room_kept
                                         for full, least in zip(self._full_heights, self._content_heights()))

    def _content_heights(self) -> list[float]:
        if self._contents is None:
            self._contents = [self._content_height(row) for row in self.rows]
        return self._contents

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self._measure(availWidth)
        if self.room_below is not None:
            self._heights = self._heights_leaving_room_below(availHeight, *self.room_below)
        self.width = sum(self.column_widths)
        self.height = self._header_height + sum(self._heights)
        if self._rows_to_move(self.height, availHeight):
            return self.width, availHeight + 1  # asked to split: its last rows go on with what follows
        return self.width, self.height

    def _rows_to_move(self, used: float, available: float) -> int:
        """How many last rows move on with what must follow them (``kept_with_last``), when the grid
        fits but that does not; 0 when none move."""
        if not (self.kept_with_last and used <= available < used + self.kept_with_last and len(self.rows) > 1):
            return 0
        return self._rows_going_with_what_follows()

    def _rows_going_with_what_follows(self) -> int:
        """As many last rows as a break leaves on each side, else one, such that, under a caption
        and the header, they and what must follow them fit on a page; 0 when none can."""
        frame = getattr(self, "_frame", None)
        choices = (self.min_rows_at_break, 1) if len(self.rows) >= 2 * self.min_rows_at_break else (1,)
        if frame is None:
            return choices[0]
        page_has = frame._height - self._caption_height() - self._header_height - self.kept_with_last
        return next((count for count in choices if sum(self._heights[-count:]) <= page_has), 0)

    def _kept_for_what_follows(self, keep: int, fitting: int) -> int:
        """``keep`` rows before a break, or another number when the rows after it could not share a
        page with what must follow them: they broke again, or stood alone, one row on a page. Then
        as many rows stay as leave just those that go with what follows, or one fewer than
        ``keep``, so that the page between holds two rows."""
        if not self.kept_with_last or not 0 < keep < len(self.rows):
            return keep
        going, rest = self._rows_going_with_what_follows(), len(self.rows) - keep
        frame = getattr(self, "_frame", None)
        if rest <= going or frame is None:
            return keep
        if self._caption_height() + self._header_height + sum(self._heights[keep:]) + self.kept_with_last \
                <= frame._height:
            return keep
        if going and len(self.rows) - going <= fitting:
            return len(self.rows) - going
        one_row_alone = rest - going == 1
        return keep - 1 if one_row_alone and keep - 1 >= self.min_rows_at_break else keep

    def _caption_height(self) -> float:
        if self.continued is None:
            return 0.0
        caption = self.continued()
        return caption.wrap(self.width, 1e9)[1] + caption.getSpaceBefore() + caption.getSpaceAfter()

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._measure(availWidth)
        used, fitting = self._header_height, 0
        for height in self._heights:
            if used + height > availHeight:
                break
            used += height
            fitting += 1
        moved = self._rows_to_move(used, availHeight) if fitting == len(self.rows) else 0
        if fitting < len(self.rows) and self.shrink_to_fit:
            shrunk = self._shrunk_to(availHeight)
            if shrunk is not None:
                return [shrunk]
        if moved:
            keep = len(self.rows) - moved
        else:
            keep = balanced_break(fitting, len(self.rows), self.at_top(), self.min_rows_at_break)
            keep = self._kept_for_what_follows(keep, fitting)
        if keep == 0:
            return []
        if keep == len(self.rows):
            return [self]
        first, *rest = self.captioned([self._part(0, keep), self._part(keep, len(self.rows))])
        # rows moved on for what follows them start the next page, though they would fit on this one
        return [first, PageBreak(), *rest] if moved else [first, *rest]

    def _heights_leaving_room_below(self, available: float, below: float, least_kept: float) -> list[float]:
        full = self._full_heights
        if self._header_height + sum(full) + below <= available:
            return full
        if self.height_shrunk(sum(self.column_widths), least_kept) + below > available:
            return full  # what follows goes on the next page, as it would anyway
        return self._shrunk_heights(full, available - below) or full

    def _shrunk_heights(self, heights: list[float], height: float) -> list[float] | None:
        """``heights`` in ``height`` with the header, each row giving up the same share of its room
        above its content (so the weeks of a month stay alike), or None when even its content does not fit."""
        content = self._content_heights()
        spare = height - self._header_height - sum(content)
        room = sum(full - least for full, least in zip(heights, content))
        if spare < 0 or room <= 0:
            return None
        kept = min(1.0, spare / room) * SHRINK_SAFETY
        return [least + (full - least) * kept for full, least in zip(heights, content)]

    def _shrunk_to(self, height: float) -> RowGrid | None:
        """The whole grid in ``height`` (``_shrunk_heights``), or None when even its content does not fit."""
        heights = self._shrunk_heights(self._heights, height)
        if heights is None:
            return None
        shrunk = self._part(0, len(self.rows))
        shrunk._heights = shrunk._full_heights = heights
        return shrunk

    def _part(self, start: int, end: int) -> RowGrid:
        # A new object, not a copy: the document template marks flowables it has postponed.
        header = self.continued_header() if start and self.continued_header is not None else self.header
        # The rest of a shrinkable grid may shrink onto its next page (a month taller than a page
        # took three: the rest was drawn at full height); the part that fitted need not.
        part = RowGrid(header, self.column_widths, self.rows[start:end], self.padding, self.lines,
                       self.row_rule, self.header_rule, self.cell_box, self.side_padding,
                       shrink_to_fit=self.shrink_to_fit and start > 0, min_rows_at_break=self.min_rows_at_break,
                       continued_header=self.continued_header)
        part._heights = self._heights[start:end]
        part._full_heights = list(part._heights)
        part.kept_with_last = self.kept_with_last if end == len(self.rows) else 0.0
        part._header_height = self._header_height if header is self.header else None  # measured when wrapped
        return part

    def draw(self) -> None:
        canvas = self.canv
        top = self.height - self._header_height
        self.header.drawOn(canvas, 0, top)
        columns = [0.0]
        for width in self.column_widths:
            columns.append(columns[-1] + width)
        boundaries = [top]
        for height in self._heights:
            boundaries.append(boundaries[-1] - height)
        self._fill_cells(columns, boundaries)
        text = canvas.beginText()
        for row, row_top in zip(self.rows, boundaries):
            for cell, left, right in zip(row.cells, columns, columns[1:]):
                text = _draw_stack(canvas, text, cell, left + self.side_padding, row_top - self.padding,
                                   right - left - 2 * self.side_padding)
        canvas.drawText(text)
        canvas.saveState()
        canvas.setLineCap(1)  # what a Table's line commands use
        canvas.setLineJoin(1)
        if self.row_rule is not None:
            canvas.setStrokeColor(self.row_rule.color)
            canvas.setLineWidth(self.row_rule.width)
            for y in boundaries[1:]:
                canvas.line(columns[0], y, columns[-1], y)
        if self.lines is not None:
            self._draw_grid(columns, boundaries)
        if self.header_rule is not None:
            canvas.setStrokeColor(self.header_rule.color)
            canvas.setLineWidth(self.header_rule.width)
            canvas.line(columns[0], boundaries[0], columns[-1], boundaries[0])
        if self.cell_box is not None:
            self._box_cells(columns, boundaries)
        canvas.restoreState()

    def _draw_grid(self, columns: list[float], boundaries: list[float]) -> None:
        canvas = self.canv
        canvas.setStrokeColor(self.lines.color)
        canvas.setLineWidth(self.lines.width)
        for y in boundaries[1:]:
            canvas.line(columns[0], y, columns[-1], y)
        for x in columns:
            canvas.line(x, boundaries[0], x, boundaries[-1])

    def _fill_cells(self, columns: list[float], boundaries: list[float]) -> None:
        canvas = self.canv
        for row, top, bottom in zip(self.rows, boundaries, boundaries[1:]):
            for fill, left, right in zip(row.fills, columns, columns[1:]):
                if fill is not None:
                    canvas.setFillColor(fill)
                    canvas.rect(left, bottom, right - left, top - bottom, stroke=0, fill=1)

    def _box_cells(self, columns: list[float], boundaries: list[float]) -> None:
        """Each boxed cell's top, bottom, left and right sides, in a Table's BOX order."""
        canvas = self.canv
        canvas.setStrokeColor(self.cell_box.color)
        canvas.setLineWidth(self.cell_box.width)
        for row, top, bottom in zip(self.rows, boundaries, boundaries[1:]):
            for boxed, left, right in zip(row.boxed, columns, columns[1:]):
                if boxed:
                    canvas.line(left, top, right, top)
                    canvas.line(left, bottom, right, bottom)
                    canvas.line(left, bottom, left, top)
                    canvas.line(right, bottom, right, top)


def stack_height(cell: Sequence[Flowable], width: float) -> float:
    """A Table cell's content height: every flowable's space around it except before the first and after the last."""
    if not cell:
        return 0.0
    total = 0.0
    for flowable in cell:
        total += flowable.wrap(width, 1e9)[1] + flowable.getSpaceBefore() + flowable.getSpaceAfter()
    return total - cell[0].getSpaceBefore() - cell[-1].getSpaceAfter()


def _draw_stack(canvas: Any, text: Any, cell: Sequence[Flowable], x: float, top: float, width: float) -> Any:
    """The flowables of a top-aligned cell, placed as a Table places them; text lines go into ``text``.

    Anything else is drawn at once, after the lines gathered so far, so the page's text stays in
    reading order (text extraction and screen readers follow it). Returns the text object to go on with.
    """
    y = top + (cell[0].getSpaceBefore() if cell else 0.0)
    for flowable in cell:
        height = flowable.wrap(width, 1e9)[1]
        y -= flowable.getSpaceBefore() + height
        if not (isinstance(flowable, TextLine) and flowable.add_to(text, x, y)):
            canvas.drawText(text)
            text = canvas.beginText()
            flowable.drawOn(canvas, x, y)
        y -= flowable.getSpaceAfter()
    return text
