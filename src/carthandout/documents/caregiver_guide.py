"""Caregiver guide: brain and nerve warning signs, what to do, and a daily handwriting check."""
from __future__ import annotations

from reportlab.lib.units import inch
from reportlab.platypus import Flowable, Spacer

from carthandout.content import ContentPack, load_pack
from carthandout.context import DocumentContext
from carthandout.documents.base import RenderedDocument, build_branded_pdf
from carthandout.documents.blocks import BlockRenderer, call_box, section_by_role
from carthandout.documents.pack_checks import validate_section_pack
from carthandout.documents.row_grid import GridRow, date_column_share, write_in_grid
from carthandout.documents.text_line import date_cell
from carthandout.documents.temperature_log import caregiver_period_days
from carthandout.options import RenderOptions
from carthandout.theme import Theme

DOCUMENT_ID = "caregiver-guide"
REQUIRED_LABELS = ("call_24h", "handwriting_date", "handwriting_copy", "handwriting_sentence")
# Two lines of handwriting at a comfortable size.
HANDWRITING_HEIGHT = 0.8 * inch
DATE_SHARE = 0.25  # of the width, at least: the date column, the rest the box to write in
LARGE_PRINT_DATE_SHARE = 0.32  # "10 de marzo" on one line at 18 pt bold on A4
DATE_SHARE_AT_MOST = 0.42  # the date column widens to its longest date up to this ("25 de marzo de 2027" at 18 pt on A4)


def validate(pack: ContentPack) -> list[str]:
    return validate_section_pack(pack, REQUIRED_LABELS, roles=("normal", "call-box"))


def render(ctx: DocumentContext, theme: Theme, options: RenderOptions) -> RenderedDocument:
    pack = load_pack(DOCUMENT_ID, ctx.language)
    blocks = BlockRenderer(ctx, pack, theme)
    return build_branded_pdf(_story(blocks), ctx, pack, theme)


def _story(blocks: BlockRenderer) -> list[Flowable]:
    pack = blocks.pack
    story: list[Flowable] = [blocks.para(pack.title, "title"), call_box(blocks, section_by_role(pack, "call-box")[0])]
    for section in pack.data["sections"]:
        if section.get("role", "normal") != "normal":
            continue
        story.extend(blocks.kept_section(section))
    story += [Spacer(1, blocks.theme.type.body * 0.4), _handwriting_table(blocks)]
    return story


def _handwriting_table(blocks: BlockRenderer) -> Flowable:
    """One box a day for the caregiver period; the sentence to copy heads every page."""
    labels = blocks.pack.labels
    header = [blocks.para(labels["handwriting_date"], "cell_bold"),
              [blocks.para(labels["handwriting_copy"], "cell"), blocks.para(labels["handwriting_sentence"], "cell_bold")]]
    days = caregiver_period_days(blocks.ctx)
    rows = [GridRow([date_cell(blocks.ctx, blocks.theme, day), []], min_content_height=HANDWRITING_HEIGHT)
            for day in days]
    least = LARGE_PRINT_DATE_SHARE if blocks.theme.large_print else DATE_SHARE
    date_share = date_column_share(blocks.ctx, blocks.theme, days, least, DATE_SHARE_AT_MOST)
    return write_in_grid([header], rows, blocks.theme, (date_share, 1 - date_share))
