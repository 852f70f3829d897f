"""Fillable PDF form fields as flowables, drawn over printed boxes so the page also works on paper.

reportlab's form fields use a standard-14 font (Helvetica here) and write their values in a
single-byte encoding: a value outside it raises ``KeyError`` deep inside reportlab. So a field is
pre-filled only with text that ``form_can_encode`` accepts; callers print anything else on the page.
Field names must be unique in a PDF: merged documents with the same names share one value, so
callers prefix every name with a per-patient key (``form_key``).
"""
from __future__ import annotations

import datetime as dt
import hashlib

from reportlab.lib.colors import Color, HexColor
from reportlab.platypus import Flowable

FORM_FONT = "Helvetica"
BOX_INK = HexColor("#1A1A1A")
FIELD_BORDER = HexColor("#6B6B6B")


def form_can_encode(text: str) -> bool:
    """True when a form field can hold ``text``: printable Latin-1 (the part of WinAnsi reportlab accepts)."""
    return all(0x20 <= ord(ch) <= 0x7E or 0xA0 <= ord(ch) <= 0xFF for ch in text)


def form_key(name: str, mrn: str, infusion_date: dt.date) -> str:
    """A short, stable key for one patient's form fields; reveals nothing of the name or MRN."""
    digest = hashlib.sha256("\x1f".join((mrn, name, infusion_date.isoformat())).encode("utf-8"))
    return digest.hexdigest()[:10]


class TickBox(Flowable):
    """A square to tick by pen, with a form checkbox of the same size over it to tick on screen."""

    def __init__(self, size: float, name: str, tooltip: str, line_width: float = 1.5):
        super().__init__()
        self.width = self.height = size
        self.name, self.tooltip, self.line_width = name, tooltip, line_width

    def draw(self) -> None:
        canvas = self.canv
        canvas.saveState()
        canvas.setStrokeColor(BOX_INK)
        canvas.setLineWidth(self.line_width)
        inset = self.line_width / 2
        canvas.rect(inset, inset, self.width - self.line_width, self.height - self.line_width)
        canvas.restoreState()
        canvas.acroForm.checkbox(
            name=self.name, tooltip=self.tooltip, x=0, y=0, size=self.width, relative=True,
            buttonStyle="check", borderWidth=0, borderColor=None, fillColor=None, textColor=BOX_INK,
            fieldFlags="",
        )


class TextField(Flowable):
    """A fillable text field; ``boxed`` draws a box on the page to write in by pen."""

    def __init__(self, width: float, height: float, name: str, tooltip: str, value: str = "",
                 font_size: float = 12, boxed: bool = True, border: Color = FIELD_BORDER):
        super().__init__()
        if not form_can_encode(value):
            raise ValueError("a form field value must be printable Latin-1 (check form_can_encode first)")
        self.width, self.height = width, height
        self.name, self.tooltip, self.value = name, tooltip, value
        self.font_size, self.boxed, self.border = font_size, boxed, border

    def draw(self) -> None:
        canvas = self.canv
        if self.boxed:
            canvas.saveState()
            canvas.setStrokeColor(self.border)
            canvas.setLineWidth(0.75)
            canvas.rect(0, 0, self.width, self.height)
            canvas.restoreState()
        canvas.acroForm.textfield(
            name=self.name, tooltip=self.tooltip, value=self.value, x=0, y=0, width=self.width,
            height=self.height, relative=True, fontName=FORM_FONT, fontSize=self.font_size,
            borderWidth=0, borderColor=None, fillColor=None, textColor=BOX_INK, maxlen=200,
        )


class SignatureLine(Flowable):
    """A line to sign on by pen (a typed name is not a signature, so no form field)."""

    def __init__(self, width: float, height: float):
        super().__init__()
        self.width, self.height = width, height

    def draw(self) -> None:
        self.canv.saveState()
        self.canv.setStrokeColor(BOX_INK)
        self.canv.setLineWidth(1)
        self.canv.line(0, 1, self.width, 1)
        self.canv.restoreState()
