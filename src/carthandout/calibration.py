"""``carthandout calibrate``: a duplex test sheet from which staff read a printer's ``--back-offset``.

The front has a crosshair at the centre of every card position; the back has, at the matching
(mirrored) position, a millimetre scale in x and y. Printed duplex and held up to the light, each
front crosshair shows through at some reading of the back's scales. The scales count + to the
right and up as seen on the back, so the reading is the correction itself: ``--back-offset X,Y``.
Printing the sheet again with that offset should read 0,0; the sheet prints the options it was
made with, and a reading on a sheet printed with an offset adds to it.
"""
from __future__ import annotations

import io
from typing import Mapping

from reportlab.lib.colors import HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from carthandout.content import load_pack
from carthandout.documents.base import Metadata, paragraph
from carthandout.documents.wallet_card import DOCUMENT_ID, card_canvas
from carthandout.errors import InputError
from carthandout.imposition import (MAX_BACK_OFFSET_MM, PRINTER_MARGIN, CardLayout, Point, Rect, back_positions,
                                    bounding_box, layout_for)
from carthandout.theme import INK
from carthandout.typefaces import literal, text_font

SHEET_LAYOUTS = ("avery-5371", "a4-10up")
SCALE_MM = int(MAX_BACK_OFFSET_MM)  # each scale reads every offset --back-offset takes
SCALE_DISTANCE = (SCALE_MM + 2) * mm  # below and beside the target: the two scales never cross
CROSSHAIR_ARM = SCALE_DISTANCE + SCALE_MM * mm  # across both scales however far the back is off
GUIDE = HexColor("#9A9A9A")
LABEL_SIZE = 6.0
TITLE = "Wallet card duplex calibration"


def calibration_sheet(layout_name: str, flip: str = "long", offset_mm: Point = (0.0, 0.0),
                      language: str = "en") -> bytes:
    """The two-page test sheet (front, back) for a duplex sheet layout."""
    if layout_name not in SHEET_LAYOUTS:
        raise InputError("--card-layout", f"calibration is for the duplex sheet layouts ({', '.join(SHEET_LAYOUTS)})",
                         layout_name, sensitive=False)
    layout = layout_for(layout_name)
    words = load_pack(DOCUMENT_ID, language).data["calibration"]
    made_with = _made_with(words, layout_name, flip, offset_mm)
    buffer = io.BytesIO()
    canvas = card_canvas(buffer, layout.page_size, Metadata(TITLE, "carthandout", TITLE, language))
    _front(canvas, layout, (words["front"], made_with))
    _back(canvas, layout, back_positions(layout, flip, offset_mm), (words["back"], made_with))
    canvas.save()
    return buffer.getvalue()


def _made_with(words: Mapping[str, str], layout_name: str, flip: str, offset_mm: Point) -> str:
    """The options the sheet was printed with: a sheet printed again to check an offset cannot be
    told from the first once printed, and its reading adds to the offset it was printed with."""
    options = (_option("--card-layout", layout_name), _option("--duplex", flip), _option("--back-offset", _offset(offset_mm)))
    made = f"{words['printed_with']} {' '.join(options)}."
    if not any(offset_mm):
        return made
    example = (offset_mm[0] + EXAMPLE_READING[0], offset_mm[1] + EXAMPLE_READING[1])
    return f"{made} {words['offset_adds']} {_option('--back-offset', _offset(example))}."


def _option(flag: str, value: str) -> str:
    """An option and its value on one line (the sheet's last line broke between them)."""
    return f"{flag}\u00a0{value}"


EXAMPLE_READING = (0.5, 0.0)  # the reading the sheet's words give as an example


def _offset(offset_mm: Point) -> str:
    return ",".join(f"{round(value, 2) + 0.0:g}" for value in offset_mm)  # + 0.0: never "-0"


def _front(canvas: Canvas, layout: CardLayout, instructions: tuple[str, str]) -> None:
    _instructions(canvas, layout, layout.fronts, instructions)
    for number, rect in enumerate(layout.fronts, start=1):
        _card_frame(canvas, rect, number)
        _crosshair(canvas, *rect.center)
    canvas.showPage()


def _back(canvas: Canvas, layout: CardLayout, backs: tuple[Rect, ...], instructions: tuple[str, str]) -> None:
    _instructions(canvas, layout, backs, instructions)
    for number, rect in enumerate(backs, start=1):
        _card_frame(canvas, rect, number, dashed=True)
        _scales(canvas, *rect.center)
    canvas.showPage()


def _instructions(canvas: Canvas, layout: CardLayout, rects: tuple[Rect, ...], texts: tuple[str, str]) -> None:
    """The how-to in the margin above the cards, the options the sheet was made with below them,
    each inside what a printer prints (two lines above the cards put "Print both sides at 100%"
    5 mm from the sheet's edge). A back offset moves the back's cards, and so the margins: when
    one has no room left, both go in the other."""
    how_to, made_with = texts
    box = bounding_box(rects)
    page_height = layout.page_size[1]
    left, width = layout.trim_box.x, layout.trim_box.width  # the sheet's, not moved: inside the side margins
    above = page_height - PRINTER_MARGIN - box.top - INSTRUCTION_GAP
    below = box.y - PRINTER_MARGIN - INSTRUCTION_GAP
    top, bottom = _fitted(how_to, width, above), _fitted(made_with, width, below)
    if top is None or bottom is None:
        both = _fitted(f"{how_to} {made_with}", width, max(above, below)) or _at_size(
            f"{how_to} {made_with}", INSTRUCTION_SIZES[-1])
        top, bottom = (both, None) if above >= below else (None, both)
    if top is not None:
        top.wrap(width, page_height)
        top.drawOn(canvas, left, box.top + INSTRUCTION_GAP)
    if bottom is not None:
        bottom.drawOn(canvas, left, box.y - INSTRUCTION_GAP - bottom.wrap(width, page_height)[1])


INSTRUCTION_SIZES = (7.5, 7.0, 6.5, 6.0, 5.5)  # points: staff read them once, with the sheet in hand
INSTRUCTION_GAP = 1.5 * mm


def _fitted(text: str, width: float, height: float) -> Paragraph | None:
    """``text`` at the largest of the sizes at which it fits ``height``; None when none does."""
    for size in INSTRUCTION_SIZES:
        para = _at_size(text, size)
        if para.wrap(width, max(height, 0.0))[1] <= height:
            return para
    return None


def _at_size(text: str, size: float) -> Paragraph:
    style = ParagraphStyle("calibration", fontName=text_font(), fontSize=size, leading=size * 1.2, textColor=INK)
    return paragraph(literal(text), style)


def _card_frame(canvas: Canvas, rect: Rect, number: int, dashed: bool = False) -> None:
    canvas.saveState()
    canvas.setStrokeColor(GUIDE)
    canvas.setLineWidth(0.4)
    if dashed:
        canvas.setDash(2, 2)
    canvas.rect(rect.x, rect.y, rect.width, rect.height, stroke=1, fill=0)
    canvas.setFillColor(INK)
    canvas.setFont(text_font(bold=True), 9)
    canvas.drawString(rect.x + 3 * mm, rect.top - 3 * mm - 9, str(number))
    canvas.restoreState()


def _crosshair(canvas: Canvas, x: float, y: float) -> None:
    canvas.saveState()
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.3)
    canvas.lines([(x - CROSSHAIR_ARM, y, x + CROSSHAIR_ARM, y), (x, y - CROSSHAIR_ARM, x, y + CROSSHAIR_ARM)])
    canvas.circle(x, y, 2 * mm, stroke=1, fill=0)
    canvas.restoreState()


def _scales(canvas: Canvas, x: float, y: float) -> None:
    """A millimetre scale for x below the target and one for y beside it; ticks every 0.5 mm.

    The front crosshair's arms reach across both scales. Numbers every 2 mm alternate sides of
    the scale so that neighbouring signed numbers never touch.
    """
    canvas.saveState()
    canvas.setStrokeColor(INK)
    canvas.setFillColor(INK)
    canvas.setLineWidth(0.25)
    canvas.setFont(text_font(), LABEL_SIZE)
    canvas.circle(x, y, 2 * mm, stroke=1, fill=0)
    reach, x_scale_y, y_scale_x = SCALE_MM * mm, y - SCALE_DISTANCE, x + SCALE_DISTANCE
    canvas.lines([(x - reach, x_scale_y, x + reach, x_scale_y), (y_scale_x, y - reach, y_scale_x, y + reach)])
    for half_mm in range(-2 * SCALE_MM, 2 * SCALE_MM + 1):
        value = half_mm / 2
        length = (2.6 if value % 2 == 0 else 1.8 if value.is_integer() else 1.0) * mm
        at = value * mm
        canvas.line(x + at, x_scale_y - length / 2, x + at, x_scale_y + length / 2)
        canvas.line(y_scale_x - length / 2, y + at, y_scale_x + length / 2, y + at)
        if value % 2 == 0:
            _scale_numbers(canvas, x + at, x_scale_y, y_scale_x, y + at, int(value))
    canvas.setFont(text_font(bold=True), LABEL_SIZE + 1)
    canvas.drawRightString(x - reach - 2 * mm, x_scale_y - LABEL_SIZE * 0.35, "X mm")
    canvas.drawCentredString(y_scale_x, y + reach + 2 * mm, "Y mm")
    canvas.restoreState()


def _scale_numbers(canvas: Canvas, x_at: float, x_scale_y: float, y_scale_x: float, y_at: float, value: int) -> None:
    """Numbers below the x scale and right of the y scale, in two staggered rows (away from the corner)."""
    label = f"{value:+d}".replace("-", "\u2212") if value else "0"
    far_row = (value // 2) % 2 == 1
    below = 1.8 * mm + LABEL_SIZE * (0.75 + (1.1 if far_row else 0))
    beside = 1.8 * mm + (4 * mm if far_row else 0)
    canvas.drawCentredString(x_at, x_scale_y - below, label)
    canvas.drawString(y_scale_x + beside, y_at - LABEL_SIZE * 0.35, label)
