"""Temperature and symptom log: one row a day from the infusion to the end of the caregiver period."""
from __future__ import annotations

import datetime as dt

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from carthandout.content import ContentPack, load_pack
from carthandout.context import DocumentContext
from carthandout.documents.base import RenderedDocument, build_branded_pdf, wide_for_large_print
from carthandout.documents.blocks import (
    BlockRenderer, SideBySideIfItFits, call_box, call_box_only, keep_together, section_by_role,
)
from carthandout.documents.pack_checks import validate_section_pack
from carthandout.documents.row_grid import GridRow, date_column_share, write_in_grid
from carthandout.documents.text_line import date_cell
from carthandout.options import RenderOptions
from carthandout.theme import Theme

DOCUMENT_ID = "temperature-log"
COLUMN_FRACTIONS = (0.25, 0.15, 0.15, 0.25, 0.2)
# Large print: a date at 18 pt ("5 de marzo de 2027") fits on one line, or its rows took three
# lines and a page held three days (thirteen pages for a month's log).
LARGE_PRINT_COLUMN_FRACTIONS = (0.34, 0.14, 0.14, 0.24, 0.14)
DATE_COLUMN_AT_MOST = 0.36  # of the width: the date column widens to its longest date up to this
REQUIRED_LABELS = ("date", "temperature", "temperature_call", "morning", "evening", "symptoms", "called", "call_24h")
# Room to write a temperature or a few words by hand, whatever the type size.
WRITE_IN_HEIGHT = 0.45 * inch


def validate(pack: ContentPack) -> list[str]:
    return validate_section_pack(pack, REQUIRED_LABELS, roles=("normal", "call-box"))


def render(ctx: DocumentContext, theme: Theme, options: RenderOptions) -> RenderedDocument:
    pack = load_pack(DOCUMENT_ID, ctx.language)
    theme = wide_for_large_print(theme)
    blocks = BlockRenderer(ctx, pack, theme)
    return build_branded_pdf(_story(blocks), ctx, pack, theme)


def caregiver_period_days(ctx: DocumentContext) -> list[dt.date]:
    """Every day from the infusion to the last day of the caregiver period, both included."""
    first, last = ctx.schedule.infusion, ctx.schedule.caregiver_until
    return [first + dt.timedelta(days=offset) for offset in range((last - first).days + 1)]


def _story(blocks: BlockRenderer) -> list[Flowable]:
    pack = blocks.pack
    theme = blocks.theme
    calls = section_by_role(pack, "call-box")[0]

    def how_to(width: float | None = None) -> list[Flowable]:
        return [keep_together(blocks.section(section)) for section in pack.data["sections"]
                if section.get("role", "normal") == "normal"]

    opening = [call_box(blocks, calls), *how_to()]
    if theme.large_print:  # landscape: stacked, the two left two pages mostly empty before the table
        opening = [SideBySideIfItFits(lambda width: [call_box_only(blocks, calls, width)], how_to, theme.frame_width,
                                      theme.type.body * 1.5, opening)]
    return [blocks.para(pack.title, "title"), *opening, Spacer(1, theme.type.body * 0.4), _log_table(blocks)]


def _log_table(blocks: BlockRenderer) -> Flowable:
    """Two header rows: "Temperature" spans its morning and evening columns; both repeat on every page."""
    labels = blocks.pack.labels
    top = [blocks.para(labels[key], "cell_bold") if key else "" for key in ("date", "temperature", None, "symptoms", "called")]
    # The threshold repeats with the header, so every page says when to call.
    top[1] = [top[1], blocks.para(labels["temperature_call"], "cell")]
    second = ["", blocks.para(labels["morning"], "cell_bold"), blocks.para(labels["evening"], "cell_bold"), "", ""]
    spans = [("SPAN", (0, 0), (0, 1)), ("SPAN", (1, 0), (2, 0)), ("SPAN", (3, 0), (3, 1)), ("SPAN", (4, 0), (4, 1))]
    days = caregiver_period_days(blocks.ctx)
    rows = [GridRow([date_cell(blocks.ctx, blocks.theme, day), [], [], [], []], min_content_height=WRITE_IN_HEIGHT)
            for day in days]
    return write_in_grid([top, second], rows, blocks.theme, _column_fractions(blocks, days), spans)


def _column_fractions(blocks: BlockRenderer, days: list[dt.date]) -> tuple[float, ...]:
    """The columns' shares of the width, the date's wide enough for the longest date when it can be,
    taking the room from the columns written in words."""
    date, low, high, symptoms, called = LARGE_PRINT_COLUMN_FRACTIONS if blocks.theme.large_print else COLUMN_FRACTIONS
    wider = date_column_share(blocks.ctx, blocks.theme, days, date, DATE_COLUMN_AT_MOST) - date
    given_up = wider / (symptoms + called)
    return date + wider, low, high, symptoms * (1 - given_up), called * (1 - given_up)
