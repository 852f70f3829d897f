"""The wallet card's large-print companion: the card's words again at 18 pt on a full page.

A card cannot hold 18 pt text, so in large print the wallet-card PDF gains pages on the normal
paper size that repeat everything on the card, one for its front and one for its back, in the
large-print type scale, under the brand header and over the footer of every document.
"""
from __future__ import annotations

import io
from typing import Any, Callable, Mapping

from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame

from carthandout.content import ContentPack
from carthandout.context import DocumentContext
from carthandout.documents.blocks import BlockRenderer, unkept
from carthandout.documents.base import brand_header, branded_margins, footer_painter, in_language
from carthandout.theme import Theme

# Card rows: (pack label, placeholder) for the front and the back.
FRONT_ROWS = (("name", "patient.name"), ("infusion_date", "patient.infusion_date"))
BACK_ROWS = (("center", "clinic.name"), ("doctor", "patient.physician"), ("caregiver", "patient.caregiver"),
             ("phone", "patient.caregiver_phone"))


Face = tuple[DocumentContext, ContentPack]
StoryMaker = Callable[[BlockRenderer], list[Flowable]]


def draw_large_print_pages(canvas: Canvas, front: Face, back: Face, theme: Theme) -> int:
    """Draw the companion on new pages of ``canvas``: the card's front, then its back, each from
    its own context and words (the back is in the clinic's language, its header and footer too),
    under the brand header and over the footer every document has ("name · MRN · Page 1 of 2"):
    a back page printed on a sheet of its own said nowhere whose it was. Returns the page count."""
    faces: tuple[tuple[Face, StoryMaker], ...] = ((front, _front), (back, _back))
    scratch = Canvas(io.BytesIO(), pagesize=theme.page_size)  # the pages counted first, for "Page 1 of 2"
    total = sum(_draw_face(scratch, face, make, theme) for face, make in faces)
    drawn = 0
    for face, make in faces:
        drawn += _draw_face(canvas, face, make, theme, (drawn, total))
    return drawn


def _draw_face(canvas: Canvas, face: Face, make: StoryMaker, theme: Theme,
               numbering: tuple[int, int] | None = None) -> int:
    """One side's pages; ``numbering`` (pages before it, pages in all) draws their footers."""
    ctx, pack = face
    story = unkept(make(BlockRenderer(ctx, pack, theme)))  # a Frame's addFromList cannot split a KeepTogether
    paint_header, band = brand_header(ctx, theme)
    top, bottom = branded_margins(theme, band)
    paint_footer = footer_painter(ctx, pack, theme) if numbering else None
    width, height = theme.page_size
    pages = 0
    while story:
        canvas.setPageSize(theme.page_size)
        canvas.setTrimBox((0, 0, width, height))
        before = len(story)
        with in_language(canvas, ctx.language):
            paint_header(canvas, None)
            frame = Frame(theme.margin, bottom, theme.frame_width, height - top - bottom,
                          leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0)
            frame.addFromList(story, canvas)  # draws what fits and removes it from ``story``
            if paint_footer and numbering:
                paint_footer(canvas, numbering[0] + pages + 1, numbering[1])
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
