"""Calendar: one month grid a page, from the first chemo day to the last milestone, each
milestone marked in its day cell with words and a heavy border (never by color alone), and
listed in full under the month."""
from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Mapping

from babel import Locale
from babel.dates import format_skeleton, get_day_names
from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, Spacer, Table, TableStyle

from carthandout.content import ContentPack, fill, load_common, load_pack
from carthandout.context import DocumentContext
from carthandout.documents.base import (
    RenderedDocument, build_branded_pdf, filled, heading_paragraph, page_body_height, paragraph, wide_for_large_print,
)
from carthandout.documents.blocks import GRID_COLOR, GRID_WIDTH, HEADER_RULE_WIDTH, BlockRenderer, data_table, shown
from carthandout.documents.pack_checks import (CONDITIONS, SCHEDULE_DATES, condition_problems, sources_problems,
                                               unknown_key_problems, validate_section_pack)
from carthandout.documents.row_grid import GridLines, GridRow, RowGrid, stack_height
from carthandout.documents.text_line import date_cell, plain_text
from carthandout.options import RenderOptions
from carthandout.schedule import ALL_CONDITIONING_DAYS
from carthandout.theme import Theme, tint
from carthandout.typefaces import Rich, rich_value, text_font

DOCUMENT_ID = "calendar"
REQUIRED_LABELS = ("month_dates", "more_marks")
OUTSIDE_MONTH = HexColor("#EFEFEF")
MARK_BORDER_WIDTH = 3.0  # a marked day's heavy border
# A month starts where the page has room for it with its weeks shrunk to this share of their room
# to write (the large-print calendar's first month, a few points short, left page 1 to its title).
# In large print a week's room above its day number is under a line, too little to write in: a
# month may give it all up.
ROOM_TO_WRITE_KEPT = 0.6
LARGE_PRINT_ROOM_TO_WRITE_KEPT = 0.0
# The last month's weeks may give up more to keep its list of dates on its page: nothing follows
# the list, and its last rows alone made a last page four fifths blank (137 of 328 calendars of a
# sweep had such a page).
LAST_MONTH_ROOM_TO_WRITE_KEPT = 0.25


@dataclass(frozen=True)
class Mark:
    day: dt.date
    short: str
    long: str


MARK_KEYS = ("date", "short", "long", *CONDITIONS)


def validate(pack: ContentPack) -> list[str]:
    problems = validate_section_pack(pack, REQUIRED_LABELS, call_box=False, parts=("milestones",),
                                     roles=("normal", "disclaimer"))
    milestones = pack.data.get("milestones")
    marks = milestones.get("marks") if isinstance(milestones, Mapping) else None
    if not isinstance(marks, list) or not marks:
        return problems + [f"{pack.origin}: milestones.marks must be a non-empty list"]
    problems += sources_problems(milestones, f"{pack.origin}: milestones", "its marks come")
    for number, mark in enumerate(marks, start=1):
        where = f"{pack.origin}: milestones.marks[{number}]"
        if not isinstance(mark, Mapping) or not isinstance(mark.get("date"), str) or mark["date"] not in SCHEDULE_DATES:
            problems.append(f"{where}: date must be one of {', '.join(sorted(SCHEDULE_DATES))}")
        elif not all(isinstance(mark.get(key), str) and mark[key].strip() for key in ("short", "long")):
            problems.append(f"{where}: needs short and long text")
        else:
            problems += condition_problems(mark, where) + unknown_key_problems(mark, MARK_KEYS, where, "a mark")
    return problems


def render(ctx: DocumentContext, theme: Theme, options: RenderOptions) -> RenderedDocument:
    pack = load_pack(DOCUMENT_ID, ctx.language)
    theme = wide_for_large_print(theme)
    blocks = BlockRenderer(ctx, pack, theme)
    return build_branded_pdf(_story(blocks), ctx, pack, theme)


def patient_marks(ctx: DocumentContext, pack: ContentPack) -> list[Mark]:
    """The pack's milestones on the patient's dates, in date order."""
    named = ctx.schedule.named_dates()
    marks = []
    for entry in (mark for mark in pack.data["milestones"]["marks"] if shown(mark, ctx)):
        days = ctx.schedule.conditioning if entry["date"] == ALL_CONDITIONING_DAYS else (named[entry["date"]],)
        marks += [Mark(day, entry["short"], entry["long"]) for day in days]
    return sorted(marks, key=lambda mark: mark.day)


def months_between(first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """(year, month) for every month from ``first`` to ``last``, both included."""
    months = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        months.append((year, month))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _story(blocks: BlockRenderer) -> list[Flowable]:
    marks = patient_marks(blocks.ctx, blocks.pack)
    story: list[Flowable] = [blocks.para(blocks.pack.title, "title")]
    for section in blocks.pack.data["sections"]:
        story += blocks.section(section)
    months = months_between(marks[0].day, marks[-1].day)
    for year, month in months:
        story += _month(blocks, year, month, [m for m in marks if (m.day.year, m.day.month) == (year, month)],
                        last=(year, month) == months[-1])
    return story


def _month(blocks: BlockRenderer, year: int, month: int, marks: list[Mark], last: bool = False) -> list[Flowable]:
    """The month's grid (starting a page unless it fits, its weeks shrunk at most to
    ``ROOM_TO_WRITE_KEPT``), then its marked dates in full (``last``: the calendar's last month,
    whose weeks may shrink further to keep them on its page)."""
    name = format_skeleton("yMMMM", dt.date(year, month, 1), locale=blocks.ctx.formatter.locale)
    by_day = _marks_by_day(marks)
    grid = _month_grid(blocks, name[:1].upper() + name[1:], year, month, by_day)
    title_style = blocks.theme.style("cell_bold")
    listing_words = fill(blocks.pack.labels["month_dates"], blocks.ctx.rich, {"month": name})
    listing_title = paragraph(listing_words, title_style)
    rows = [[date_cell(blocks.ctx, blocks.theme, day), _long_labels(blocks, day_marks)] for day, day_marks in by_day.items()]
    room_kept = LARGE_PRINT_ROOM_TO_WRITE_KEPT if blocks.theme.large_print else ROOM_TO_WRITE_KEPT
    width = blocks.theme.frame_width
    if grid.height_shrunk(width, 0.0) > page_body_height(blocks.ctx, blocks.theme):
        # Taller than a page whatever it gives up, it breaks once wherever it starts: a new page
        # for it left the page before it mostly empty (in large print, page 1 held the title alone).
        start = CondPageBreak(grid.start_height(width))
    else:
        start = CondPageBreak(grid.height_shrunk(width, room_kept))
    if not rows:
        return [start, grid, Spacer(1, blocks.theme.type.body)]
    # the title is a header row: it repeats if the list runs onto the next page
    listing = data_table([[listing_title, ""], *rows], blocks.theme, (0.36, 0.64), header=True)
    listing.setStyle(TableStyle([("SPAN", (0, 0), (-1, 0))]))
    listing.continued_title = lambda: paragraph(_continued_words(blocks, listing_words), title_style)
    listing.spaceBefore = blocks.theme.type.body  # dropped at the top of a page, where a Spacer would stay
    # The month's weeks give up some room to write to keep its dates on its page: a page held a
    # month's list of one date alone.
    kept_for_list = min(room_kept, LAST_MONTH_ROOM_TO_WRITE_KEPT) if last else room_kept
    grid.room_below = (listing.wrap(blocks.theme.frame_width, 1e9)[1] + listing.spaceBefore, kept_for_list)
    return [start, grid, listing]


def _month_grid(
    blocks: BlockRenderer, title: str, year: int, month: int, by_day: Mapping[dt.date, list[Mark]],
) -> RowGrid:
    """Month title and weekday names on top (both repeat if a tall month runs onto a second page).

    The two header rows are a Table; the weeks are drawn by RowGrid with the same geometry, colors
    and line order (grid, then the rule under the weekdays, then each milestone's heavy border).
    """
    theme, locale = blocks.theme, blocks.ctx.formatter.locale
    first_weekday = Locale.parse(locale).first_week_day
    weeks = calendar.Calendar(firstweekday=first_weekday).monthdatescalendar(year, month)
    column = theme.frame_width / 7
    pad = theme.type.body * (0.25 if theme.large_print else 0.35)  # large print: a six-week month with marks fits a page
    styles = _cell_styles(theme)
    weekdays = _weekday_names(locale, first_weekday, styles["weekday"], column - 2 * pad)
    def header_titled(title_line: Paragraph) -> Table:
        return _grid_header(theme, title_line, weekdays, column, pad)

    header = header_titled(heading_paragraph(rich_value(title, "language"), styles["month"]))  # a bookmark
    def weeks_showing(shown: int | None) -> list[list[list[Flowable]]]:
        return [[_day_cell(blocks, day, month, by_day.get(day, []), styles, shown) for day in week] for week in weeks]

    # Every mark in its day's cell; in large print, if that makes the month taller than a page even
    # with its weeks shrunk to their words (RowGrid), the first mark of each day and "and 3 more":
    # one page, or fewer pages of it.
    # A marked day's heavy border takes half its width inside the cell: its last word touched it. Large
    # print's padding clears it, and its months fill their pages.
    under_marks = 0.0 if theme.large_print else MARK_BORDER_WIDTH / 2 + 0.5
    boxed = [[day.month == month and day in by_day for day in week] for week in weeks]
    room_under = [under_marks if any(week) else 0.0 for week in boxed]
    body = weeks_showing(None)
    words = _words_heights(body, column - 2 * pad, pad, room_under)
    if theme.large_print and sum(words) > page_body_height(blocks.ctx, theme) - header.wrap(theme.frame_width, 0)[1]:
        body = weeks_showing(1)
        words = _words_heights(body, column - 2 * pad, pad, room_under)
    room_to_write = theme.type.body * (2.5 if theme.large_print else 4.2)
    heights = [max(room_to_write, height) for height in words]
    marked_fill = tint(theme.primary, 0.10)
    rows = [GridRow(cells, height=height,
                    fills=[OUTSIDE_MONTH if day.month != month else marked_fill if day in by_day else None for day in week],
                    boxed=week_boxed)
            for week, week_boxed, cells, height in zip(weeks, boxed, body, heights)]
    # A month taller than a page (large print, many marks on one day) goes on under its title "(continued)":
    # the same title twice read as two calendars.
    return RowGrid(header, [column] * 7, rows, pad, GridLines(GRID_WIDTH, GRID_COLOR),
                   header_rule=GridLines(HEADER_RULE_WIDTH, theme.primary),
                   cell_box=GridLines(MARK_BORDER_WIDTH, theme.primary),
                   shrink_to_fit=True, room_under_boxed=under_marks,
                   continued_header=lambda: header_titled(paragraph(_continued(blocks, title), styles["month"])))


def _continued(blocks: BlockRenderer, title: str) -> Rich:
    return _continued_words(blocks, rich_value(title, "language"))


def _continued_words(blocks: BlockRenderer, heading: Rich) -> Rich:
    return fill(load_common(blocks.ctx.language).labels["continued"], {"heading": heading})


def _grid_header(theme: Theme, title: Paragraph, weekdays: list[str], column: float, pad: float) -> Table:
    """The month's title and the weekday names: a Table whose rows repeat if the month breaks over a page."""
    style = _cell_styles(theme)["weekday"]
    weekday_row = [paragraph(rich_value(name, "language"), style) for name in weekdays]
    header = Table([[title, *([""] * 6)], weekday_row], colWidths=[column] * 7, repeatRows=2, hAlign="LEFT")
    header.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), text_font()),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("SPAN", (0, 0), (-1, 0)),
        ("GRID", (0, 1), (-1, -1), GRID_WIDTH, GRID_COLOR),
        ("BACKGROUND", (0, 1), (-1, 1), tint(theme.primary, 0.12)),
        ("LINEBELOW", (0, 1), (-1, 1), HEADER_RULE_WIDTH, theme.primary),
        *((side, (0, 0), (-1, -1), pad) for side in ("TOPPADDING", "BOTTOMPADDING", "LEFTPADDING", "RIGHTPADDING")),
        ("LEFTPADDING", (0, 0), (0, 0), 0),
    ]))
    return header


def _words_heights(body: list[list[list[Flowable]]], width: float, pad: float, room_under: list[float]) -> list[float]:
    """Each week's height for its words alone, and the room under them its framed days need."""
    return [max(stack_height(cell, width) for cell in row) + 2 * pad + under for row, under in zip(body, room_under)]


def _long_labels(blocks: BlockRenderer, marks: list[Mark]) -> list[Flowable]:
    """One mark as a line; several on the same day as bullets, so each stands apart."""
    if len(marks) == 1:
        return [blocks.para(marks[0].long, "cell")]
    return [paragraph(blocks.rich(mark.long), blocks.theme.style("bullet"), bulletText="•") for mark in marks]


def _marks_by_day(marks: list[Mark]) -> dict[dt.date, list[Mark]]:
    by_day: dict[dt.date, list[Mark]] = {}
    for mark in marks:
        by_day.setdefault(mark.day, []).append(mark)
    return by_day


def _day_cell(blocks: BlockRenderer, day: dt.date, month: int, marks: list[Mark],
              styles: Mapping[str, ParagraphStyle], shown: int | None = None) -> list[Flowable]:
    """The day's number and the short words of its marks: the first ``shown`` of them (None: all),
    then "and 3 more". In large print four marks on one day (the US label's 2-week milestones)
    made a week so tall that the month broke over two or three pages; the list under it has them all."""
    if day.month != month:
        return []
    # Day numbers are most of the grid's words: a plain text line draws them at a fraction of a Paragraph's cost.
    number = plain_text(blocks.ctx.formatter.number(day.day), styles["marked_number" if marks else "number"])
    listed = marks[:shown]
    # several marks on one day read as one phrase ("Daily checks end Close watch ends"): a bullet
    # each, in the line rather than hanging, which in a narrow cell broke "vigilancia" mid-word
    bullet = "•\u00a0" if len(listed) > 1 else ""
    words = [paragraph(blocks.rich(bullet + mark.short), styles["mark"]) for mark in listed]
    if shown is not None and len(marks) > shown:
        more = blocks.ctx.formatter.number(len(marks) - shown)
        words.append(filled(blocks.ctx, blocks.pack.labels["more_marks"], styles["more"], count=more))
    return [number, *words]


def _weekday_names(locale: str, first_weekday: int, style: ParagraphStyle, width: float) -> list[str]:
    """Full weekday names when they all fit a column, else the abbreviated ones."""
    order = [(first_weekday + offset) % 7 for offset in range(7)]
    for form in ("wide", "abbreviated"):
        names = get_day_names(form, locale=locale)
        candidates = [names[day] for day in order]
        if all(stringWidth(name, style.fontName, style.fontSize) <= width for name in candidates):
            return candidates
    return candidates


@lru_cache(maxsize=16)  # one set of style objects per theme, so day cells share their layout (shared_layout.py)
def _cell_styles(theme: Theme) -> dict[str, ParagraphStyle]:
    cell, bold = theme.style("cell"), theme.style("cell_bold")
    small = theme.type.small  # grid words are labels: a step smaller than the body in normal print
    return {
        "month": ParagraphStyle("calendar-month", parent=theme.style("heading"), spaceBefore=0, spaceAfter=0),
        "weekday": ParagraphStyle("calendar-weekday", parent=bold, fontSize=small, leading=small * 1.2),
        "number": ParagraphStyle("calendar-number", parent=cell),
        "marked_number": ParagraphStyle("calendar-marked-number", parent=bold),
        "mark": ParagraphStyle("calendar-mark", parent=bold, fontSize=small, leading=small * 1.15,
                               spaceBefore=small * 0.2),
        "more": ParagraphStyle("calendar-more", parent=cell, fontSize=small, leading=small * 1.15,
                               spaceBefore=small * 0.2),
    }
