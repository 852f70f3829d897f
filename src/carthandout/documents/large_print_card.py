"""The wallet card's large-print companion: the card's words again at 18 pt on a full page.

A card cannot hold 18 pt text, so in large print the wallet-card PDF gains pages on the normal
paper size that repeat everything on the card, one for its front and one for its back, in the
large-print type scale.
"""
from __future__ import annotations

from typing import Any, Mapping

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame

from carthandout.content import ContentPack
from carthandout.context import DocumentContext
from carthandout.documents.blocks import BlockRenderer, unkept
from carthandout.documents.base import EXAMPLE_STAMP_GAP, ExampleStamp, example_stamp, in_language
from carthandout.theme import Theme

# Card rows: (pack label, placeholder) for the front and the back.
FRONT_ROWS = (("name", "patient.name"), ("infusion_date", "patient.infusion_date"))
BACK_ROWS = (("center", "clinic.name"), ("doctor", "patient.physician"), ("caregiver", "patient.caregiver"),
             ("phone", "patient.caregiver_phone"))


def draw_large_print_pages(canvas: Canvas, front: tuple[DocumentContext, ContentPack],
                           back: tuple[DocumentContext, ContentPack], theme: Theme) -> int:
    """Draw the companion on new pages of ``canvas``: the card's front, then its back, each from
    its own context and words (the back is in the clinic's language, its example stamp too);
    returns the page count."""
    return (_draw_pages(canvas, _front(BlockRenderer(*front, theme)), theme, example_stamp(front[0], theme),
                        front[0].language)
            + _draw_pages(canvas, _back(BlockRenderer(*back, theme)), theme, example_stamp(back[0], theme),
                          back[0].language))


def _draw_pages(canvas: Canvas, story: list[Flowable], theme: Theme, stamp: ExampleStamp | None,
                language: str) -> int:
    width, height = theme.page_size
    top = height - theme.margin
    if stamp:
        stamp_y = height - theme.margin * 0.5 - stamp.height
        top = min(top, stamp_y - EXAMPLE_STAMP_GAP)
    story = unkept(story)  # drawn by a Frame's addFromList, which cannot split a KeepTogether
    pages = 0
    while story:
        canvas.setPageSize(theme.page_size)
        canvas.setTrimBox((0, 0, width, height))
        before = len(story)
        with in_language(canvas, language):
            if stamp:
                stamp.draw(canvas, width - theme.margin - stamp.width, stamp_y)
            frame = Frame(theme.margin, theme.margin, theme.frame_width, top - theme.margin,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
            frame.addFromList(story, canvas)  # draws what fits and removes it from ``story``
        canvas.showPage()
        pages += 1
        if len(story) == before:
            raise RuntimeError("a large-print wallet card paragraph is taller than a page")
    return pages


def _front(blocks: BlockRenderer) -> list[Flowable]:
    front: Mapping[str, Any] = blocks.pack.data["front"]
    return [
        blocks.para(front["headline"], "title"),
        blocks.para(front["drug"], "subheading"),
        *_rows(blocks, FRONT_ROWS),
        blocks.para(front["signs_heading"], "heading"),
        *blocks.blocks([{"bullets": front["signs"]}]),
        blocks.para(front["call_line"], "call_number"),
    ]


def _back(blocks: BlockRenderer) -> list[Flowable]:
    back: Mapping[str, Any] = blocks.pack.data["back"]
    return [blocks.para(back["heading"], "title"), blocks.para(back["note"], "body"), *_rows(blocks, BACK_ROWS)]


def _rows(blocks: BlockRenderer, rows: tuple[tuple[str, str], ...]) -> list[Flowable]:
    """``Label: value`` with the value bold, for the values that are filled in."""
    labels = blocks.pack.labels
    return [blocks.para(labels[label] + " **{" + key + "}**", "body") for label, key in rows
            if blocks.ctx.values.get(key)]
