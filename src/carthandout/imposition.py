"""Where wallet cards go on a page: card positions per layout, the back sheet for duplex, offsets.

Pure geometry in PDF points (origin bottom-left, y up); nothing here draws. A layout lists the
card positions of its front sheet in reading order (top-left first). The back sheet holds each
card's back at the mirrored position: a long-edge flip turns the sheet over its vertical axis
(columns swap), a short-edge flip over its horizontal axis (rows swap). ``--back-offset`` then
shifts the whole back sheet, in millimetres as seen on the back, to correct a printer's
registration.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Iterator

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.units import inch, mm

from carthandout.errors import InputError

ID1_CARD = (85.60 * mm, 53.98 * mm)
BUSINESS_CARD = (3.5 * inch, 2.0 * inch)
CARD_LAYOUTS = ("single", "avery-5371", "a4-10up", "foldover")
DUPLEX_FLIPS = ("long", "short")
MAX_BACK_OFFSET_MM = 10.0
FOLDOVER_ROWS = 4
FOLDOVER_ROW_GAP = 6 * mm
CROP_MARK_GAP = 2 * mm
CROP_MARK_LENGTH = 5 * mm
PRINTER_MARGIN = 0.25 * inch  # an office printer prints nothing nearer the sheet's edge

Point = tuple[float, float]
Size = tuple[float, float]


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def top(self) -> float:
        return self.y + self.height

    @property
    def center(self) -> Point:
        return self.x + self.width / 2, self.y + self.height / 2

    def shifted(self, dx: float, dy: float) -> "Rect":
        return Rect(self.x + dx, self.y + dy, self.width, self.height)


@dataclass(frozen=True)
class CardLayout:
    """One card layout: the page, the card size and where each card's faces go."""

    name: str
    page_size: Size
    card_size: Size
    fronts: tuple[Rect, ...]          # card positions on the front sheet, reading order
    fold_backs: tuple[Rect, ...] = ()  # foldover: each card's back beside its front on the same page
    duplex: bool = False              # backs on a second sheet that must line up when printed duplex
    crop_marks: bool = False
    outline: bool = False             # thin guide line around each card (for cutting by hand)

    @property
    def capacity(self) -> int:
        return len(self.fronts)

    @property
    def back_page(self) -> bool:
        """Whether each front sheet is followed by a back sheet (every layout but the fold-over)."""
        return not self.fold_backs

    @property
    def trim_box(self) -> Rect:
        """The area that is cut out of the sheet: all card faces on the front page."""
        return bounding_box((*self.fronts, *self.fold_backs))

    @property
    def pieces(self) -> tuple[Rect, ...]:
        """What is cut out of a full sheet, reading order: each card, or a fold-over card's front
        and back together."""
        if not self.fold_backs:
            return self.fronts
        return tuple(bounding_box((front, back)) for front, back in zip(self.fronts, self.fold_backs))


def layout_for(name: str, paper_size: Size = LETTER) -> CardLayout:
    """The layout called ``name``; ``paper_size`` is used only by the fold-over (plain paper)."""
    if name == "single":
        return CardLayout(name, ID1_CARD, ID1_CARD, (Rect(0, 0, *ID1_CARD),), outline=True)
    if name == "avery-5371":
        # Business-card stock: the perforations are the trim, so a card fills its 3.5 x 2 in cell.
        # An ID-1 card (53.98 mm tall) would not fit the 50.8 mm cell.
        cells = grid(LETTER, BUSINESS_CARD, columns=2, rows=5, left=0.75 * inch, top=0.5 * inch)
        return CardLayout(name, LETTER, BUSINESS_CARD, cells, duplex=True, crop_marks=True)
    if name == "a4-10up":
        return CardLayout(name, A4, ID1_CARD, centered_grid(A4, ID1_CARD, 2, 5), duplex=True, crop_marks=True)
    if name == "foldover":
        return _foldover(paper_size)
    raise InputError("--card-layout", f"unknown card layout {name!r} (use {', '.join(CARD_LAYOUTS)})", sensitive=False)


def grid(page: Size, card: Size, columns: int, rows: int, left: float, top: float,
         row_gap: float = 0.0) -> tuple[Rect, ...]:
    """Cards in rows and columns, reading order, from a top-left corner given as page margins."""
    width, height = card
    return tuple(
        Rect(left + column * width, page[1] - top - (row + 1) * height - row * row_gap, width, height)
        for row in range(rows) for column in range(columns)
    )


def centered_grid(page: Size, card: Size, columns: int, rows: int, row_gap: float = 0.0) -> tuple[Rect, ...]:
    left = (page[0] - columns * card[0]) / 2
    top = (page[1] - rows * card[1] - (rows - 1) * row_gap) / 2
    return grid(page, card, columns, rows, left, top, row_gap)


def _foldover(paper: Size) -> CardLayout:
    """Front and back side by side, the fold between them; rows apart so each pair cuts out alone."""
    pairs = centered_grid(paper, (2 * ID1_CARD[0], ID1_CARD[1]), 1, FOLDOVER_ROWS, FOLDOVER_ROW_GAP)
    fronts = tuple(Rect(p.x, p.y, *ID1_CARD) for p in pairs)
    backs = tuple(Rect(p.x + ID1_CARD[0], p.y, *ID1_CARD) for p in pairs)
    return CardLayout("foldover", paper, ID1_CARD, fronts, fold_backs=backs, crop_marks=True, outline=True)


def mirrored(rect: Rect, page: Size, flip: str) -> Rect:
    """Where the back of ``rect`` lies, in the back page's own coordinates, after the sheet is turned."""
    if flip == "long":
        return Rect(page[0] - rect.right, rect.y, rect.width, rect.height)
    if flip == "short":
        return Rect(rect.x, page[1] - rect.top, rect.width, rect.height)
    raise InputError("--duplex", f"must be one of {', '.join(DUPLEX_FLIPS)}", flip, sensitive=False)


def back_positions(layout: CardLayout, flip: str = "long", offset_mm: Point = (0.0, 0.0)) -> tuple[Rect, ...]:
    """Each card's back on the back sheet, in front order: mirrored for the flip, then offset."""
    if not layout.duplex:
        return layout.fronts
    dx, dy = offset_mm[0] * mm, offset_mm[1] * mm
    return tuple(mirrored(rect, layout.page_size, flip).shifted(dx, dy) for rect in layout.fronts)


def bounding_box(rects: tuple[Rect, ...]) -> Rect:
    left, bottom = min(r.x for r in rects), min(r.y for r in rects)
    return Rect(left, bottom, max(r.right for r in rects) - left, max(r.top for r in rects) - bottom)


Line = tuple[float, float, float, float]


def crop_marks(rects: tuple[Rect, ...], page: Size, gap: float = CROP_MARK_GAP,
               length: float = CROP_MARK_LENGTH) -> list[Line]:
    """Short lines in the margin, outside every card, continuing each cut edge (x1, y1, x2, y2);
    each ends inside what a printer prints (Avery 5371's half-inch margins cut 0.7 mm off 5 mm marks)."""
    box = bounding_box(rects)
    xs = sorted({round(v, 3) for r in rects for v in (r.x, r.right)})
    ys = sorted({round(v, 3) for r in rects for v in (r.y, r.top)})
    width, height = page

    def fitted(margin: float) -> float:
        return min(length, margin - gap - PRINTER_MARGIN)

    lines: list[Line] = []
    for x in xs:
        lines.append((x, box.top + gap, x, box.top + gap + fitted(height - box.top)))
        lines.append((x, box.y - gap, x, box.y - gap - fitted(box.y)))
    for y in ys:
        lines.append((box.x - gap, y, box.x - gap - fitted(box.x), y))
        lines.append((box.right + gap, y, box.right + gap + fitted(width - box.right), y))
    return lines


def chunks(count: int, size: int) -> Iterator[range]:
    """Indexes ``0..count-1`` in groups of ``size`` (one group a sheet)."""
    for start in range(0, count, size):
        yield range(start, min(start + size, count))


_OFFSET = re.compile(r"^\s*([+-]?\d+(?:\.\d+)?)\s*,\s*([+-]?\d+(?:\.\d+)?)\s*$")


def check_back_offset(layout: CardLayout, offset_mm: Point) -> None:
    """A back offset moves the back sheet: a layout without one cannot take it."""
    if offset_mm != (0.0, 0.0) and not layout.duplex:
        raise InputError("--back-offset", f"applies only to duplex sheet layouts, not {layout.name}", sensitive=False)


def parse_back_offset(text: str | None) -> Point:
    """``"DX,DY"`` in millimetres (for example ``1.5,-0.5``); empty means no offset."""
    if text is None or not text.strip():
        return (0.0, 0.0)
    match = _OFFSET.match(text)
    if not match:
        raise InputError("--back-offset", "{value} must be two numbers in mm, DX,DY (for example 1.5,-0.5)",
                         text, sensitive=False)
    dx, dy = float(match.group(1)), float(match.group(2))
    if not all(math.isfinite(v) and abs(v) <= MAX_BACK_OFFSET_MM for v in (dx, dy)):
        raise InputError("--back-offset", f"{{value}} is more than {MAX_BACK_OFFSET_MM:g} mm; "
                         "check the calibration sheet reading", text, sensitive=False)
    return (dx, dy)
