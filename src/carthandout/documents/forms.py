"""Fillable PDF form fields as flowables, drawn over printed boxes so the page also works on paper.

reportlab's form fields use a standard-14 font (Helvetica here) and write their values in a
single-byte encoding: a value outside it raises ``KeyError`` deep inside reportlab. So a field is
pre-filled only with text that ``form_can_encode`` accepts; callers print anything else on the page.
A pre-filled value is shown (and printed) in the document's own embedded text font: its
appearance is drawn here, not by reportlab. Helvetica is never embedded, and where a system has no
font with its widths (poppler with fontconfig's Noto Sans for it) "January" printed as "J anuary".
Typing into the field makes the viewer draw the new value in Helvetica, as the field's /DA says.
Field names must be unique in a PDF: merged documents with the same names share one value, so
callers prefix every name with a per-patient key (``form_key``).
"""
from __future__ import annotations

import datetime as dt
import hashlib

from typing import Callable

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import (NoEncryption, PDFDictionary, PDFDocument, PDFObject, PDFObjectReference, PDFStream,
                                      PDFString)
from reportlab.pdfbase.pdfmetrics import getFont, stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable

from carthandout.typefaces import face_name, family_for, register_family, text_font

FORM_FONT = "Helvetica"
FIELD_TEXT_INSET = 2.0  # between a text field's edge and what a viewer draws typed in it
BOX_INK = HexColor("#1A1A1A")
FIELD_BORDER = HexColor("#6B6B6B")


def form_can_encode(text: str) -> bool:
    """True when a form field can hold ``text``: printable Latin-1 (the part of WinAnsi reportlab accepts)."""
    return all(0x20 <= ord(ch) <= 0x7E or 0xA0 <= ord(ch) <= 0xFF for ch in text)


def form_key(name: str, mrn: str, infusion_date: dt.date) -> str:
    """A short, stable key for one patient's form fields; reveals nothing of the name or MRN."""
    digest = hashlib.sha256("\x1f".join((mrn, name, infusion_date.isoformat())).encode("utf-8"))
    return digest.hexdigest()[:10]


def value_font(value: str) -> str:
    """The embedded face a pre-filled value is shown in: the text font, or the first fallback that has every letter."""
    family = family_for(value)
    return face_name(register_family(family)) if family else text_font()


def value_width(value: str, font_size: float) -> float:
    return stringWidth(value, value_font(value), font_size)


# Entries that differ between two widgets of the same kind; every other entry is shared.
_OWN_ENTRIES = ("Rect", "T", "TU")
_OWN_TEXT_ENTRIES = _OWN_ENTRIES + ("V", "DV", "AP")  # DV: what a viewer's Reset Form puts back


class _SharedEntries(PDFObject):
    """Widget entries shared by many fields (flags, colours, appearances), formatted once per PDF."""

    def __init__(self, entries: dict) -> None:
        self.dictionary = PDFDictionary(entries)
        self.formatted: bytes | None = None

    def format(self, document: PDFDocument) -> bytes:
        if not isinstance(document.encrypt, NoEncryption):  # strings are encrypted per object: no sharing
            return self.dictionary.format(document)[3:-3]
        if self.formatted is None:
            self.formatted = self.dictionary.format(document)[3:-3]  # the entries, without << >>
        return self.formatted


def _format_value(value: PDFObject, document: PDFDocument) -> bytes:
    """``value.format``, with a shortcut for printable ASCII strings (field names, most tooltips)."""
    if isinstance(value, PDFString) and isinstance(document.encrypt, NoEncryption):
        text = value.s
        if isinstance(text, str) and text.isascii() and text.isprintable():
            return b"(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("ascii") + b")"
    return value.format(document)


class _Widget(PDFObject):
    """A field widget: its own entries (position, name, tooltip, value...) and those shared with its kind."""

    def __init__(self, shared: _SharedEntries, rect: tuple[float, float, float, float], own: dict[bytes, PDFObject]):
        self.shared, self.rect, self.own = shared, rect, own

    def format(self, document: PDFDocument) -> bytes:
        own = b" ".join(key + b" " + _format_value(value, document) for key, value in self.own.items())
        rect = b"/Rect [ " + fp_str(*self.rect).encode("ascii") + b" ]"
        return b"<<\n" + self.shared.format(document) + b"\n " + rect + b" " + own + b"\n>>"


class _SharedStream(PDFObject):
    """One appearance stream written as several identical objects, formatted (and compressed) once per PDF."""

    __RefOnly__ = 1  # a stream is always an indirect object

    def __init__(self, stream: PDFStream):
        self.stream = stream
        self.formatted: bytes | None = None

    def format(self, document: PDFDocument) -> bytes:
        if not isinstance(document.encrypt, NoEncryption):  # streams are encrypted per object: no sharing
            return self.stream.format(document)
        if self.formatted is None:
            self.formatted = self.stream.format(document)
        return self.formatted


class _StreamCopy(PDFObject):
    """An object of its own with the content of a ``_SharedStream``."""

    __RefOnly__ = 1

    def __init__(self, shared: _SharedStream):
        self.shared = shared

    def format(self, document: PDFDocument) -> bytes:
        return self.shared.format(document)


def _add_field(canvas: Canvas, kind: tuple, rect: tuple[float, float, float, float], name: str, tooltip: str,
               make_first: Callable[[], None], text_value: str | None = None,
               value_appearance: PDFObject | None = None) -> None:
    """Add a form field; reportlab makes the first of each ``kind``, later ones reuse its entries.

    reportlab builds every appearance stream and dictionary again for each field, and formats them
    again when saving: the checklist's fields cost more than the rest of its page. Widgets of one
    kind (same size and style) differ only in position, name and tooltip, and a text field
    in its value and appearance. Checkboxes share their appearance streams (a viewer only switches
    /AS); a text field gets its own appearance object, because filling it (pypdf, viewers)
    rewrites the stream it has. ``text_value`` is None for a checkbox; ``value_appearance`` is a
    text field's drawn appearance (``_value_appearance``), which replaces the one reportlab makes.
    """
    templates = canvas.__dict__.setdefault("_carthandout_field_templates", {})
    form, doc = canvas.acroForm, canvas._doc
    is_text = text_value is not None
    if kind not in templates:
        make_first()
        first = doc.idToObject[form.fields[-1].name].dict
        first.pop("P", None)  # see below
        own = _OWN_TEXT_ENTRIES if is_text else _OWN_ENTRIES
        templates[kind] = _SharedEntries({k: v for k, v in first.items() if k not in own})
        if is_text:
            first["V"] = first["DV"] = PDFString(text_value)
            first["AP"] = PDFDictionary({"N": doc.Reference(value_appearance)})
        return
    x, y = canvas.absolutePosition(rect[0], rect[1])
    # No /P (optional): the pages are held until the end for "page x of y", so reportlab named the
    # first page as every widget's page, and a tool trusting /P (pdf-lib's flattening) would draw
    # pages 2 and 3's values on page 1. Viewers find a widget's page from the page's /Annots.
    entries: dict[bytes, PDFObject] = {b"/T": PDFString(name)}
    if tooltip:
        entries[b"/TU"] = PDFString(tooltip)
    if is_text:
        entries[b"/V"] = entries[b"/DV"] = PDFString(text_value)
        entries[b"/AP"] = PDFDictionary({"N": doc.Reference(value_appearance)})
    widget = _Widget(templates[kind], (x, y, x + rect[2], y + rect[3]), entries)
    canvas._addAnnotation(widget)
    form.fields.append(doc.Reference(widget))


def _value_appearance(canvas: Canvas, width: float, height: float, font_size: float, value: str) -> PDFObject:
    """A text field's normal appearance showing ``value`` (if any) in an embedded face, with no
    font when empty: drawn once per PDF and value, an object of its own for every field."""
    drawn = canvas.__dict__.setdefault("_carthandout_value_appearances", {})
    key = (width, height, font_size, value)
    if key in drawn:
        return _StreamCopy(drawn[key])
    xobject = _draw_value_form(canvas, f"carthandout-value-{len(drawn)}", width, height, font_size, value)
    drawn[key] = _SharedStream(canvas._doc.idToObject[xobject])
    return PDFObjectReference(xobject)


def _draw_value_form(canvas: Canvas, name: str, width: float, height: float, font_size: float, value: str) -> str:
    """The value left-aligned and centred on the field's height, as viewers place a one-line value;
    returns the form's object name."""
    canvas.beginForm(name, 0, 0, width, height)
    canvas._code.append(f"/Tx BMC q 0 0 {fp_str(width, height)} re W n")
    if value:
        font = value_font(value)
        face = getFont(font).face
        baseline = (height - (face.ascent - face.descent) * font_size / 1000) / 2 - face.descent * font_size / 1000
        text = canvas.beginText(0, baseline)
        text.setFont(font, font_size)
        text.setFillColor(BOX_INK)
        text.textOut(value)
        canvas.drawText(text)
    canvas._code.append("Q EMC")
    canvas.endForm()
    return canvas._doc.getXObjectName(name)


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
        _add_field(canvas, ("checkbox", self.width), (0, 0, self.width, self.height), self.name, self.tooltip,
                   lambda: canvas.acroForm.checkbox(
                       name=self.name, tooltip=self.tooltip, x=0, y=0, size=self.width, relative=True,
                       buttonStyle="check", borderWidth=0, borderColor=None, fillColor=None, textColor=BOX_INK,
                       fieldFlags="",
                   ))


class TextField(Flowable):
    """A fillable text field; ``boxed`` draws a box on the page to write in by pen. ``fit_typed``:
    text that what is typed in is sized to fit, no larger than ``font_size`` (a date typed in full,
    "February 28, 2027", ran out of a narrow box at 18 pt). A size, not the form's "auto" (0): one
    viewer sized it to the box's height, another not at all."""

    def __init__(self, width: float, height: float, name: str, tooltip: str, value: str = "",
                 font_size: float = 12, boxed: bool = True, border: Color = FIELD_BORDER, fit_typed: str = ""):
        super().__init__()
        if not form_can_encode(value):
            raise ValueError("a form field value must be printable Latin-1 (check form_can_encode first)")
        self.width, self.height = width, height
        self.name, self.tooltip, self.value = name, tooltip, value
        self.font_size, self.boxed, self.border = font_size, boxed, border
        room = width - 2 * FIELD_TEXT_INSET
        self.typed_size = min(font_size, room / stringWidth(fit_typed, FORM_FONT, 1)) if fit_typed else font_size

    def draw(self) -> None:
        canvas = self.canv
        if self.boxed:
            canvas.saveState()
            canvas.setStrokeColor(self.border)
            canvas.setLineWidth(0.75)
            canvas.rect(0, 0, self.width, self.height)
            canvas.restoreState()
        kind = ("text", self.width, self.height, self.font_size, self.typed_size)
        # drawn here when empty too: reportlab's empty appearance names Helvetica, never embedded, as
        # its font, and flattening for print copies that into the page (a preflight's "font not embedded")
        appearance = _value_appearance(canvas, self.width, self.height, self.font_size, self.value)
        _add_field(canvas, kind, (0, 0, self.width, self.height), self.name, self.tooltip,
                   lambda: canvas.acroForm.textfield(
                       name=self.name, tooltip=self.tooltip, value="", x=0, y=0, width=self.width,
                       height=self.height, relative=True, fontName=FORM_FONT, fontSize=self.typed_size,
                       borderWidth=0, borderColor=None, fillColor=None, textColor=BOX_INK, maxlen=200,
                   ), text_value=self.value, value_appearance=appearance)


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
