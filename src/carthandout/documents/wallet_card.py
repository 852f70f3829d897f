"""The wallet warning card: front and back laid out once per patient, then placed by a layout.

Two steps. ``lay_out_card`` fits the card's words into the card's safe zone (text shrinks in small
steps, never below its minimum; a field that still does not fit is an InputError naming it) and
returns finished faces. ``render_sheets`` places faces on pages in the layout chosen with
``--card-layout`` (geometry in ``carthandout.imposition``): one card a page, ten a sheet with a
matching back sheet for duplex printing, or fold-over pairs.
"""
from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Callable, Iterable, Mapping, NamedTuple, Sequence

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.colors import Color, HexColor
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from carthandout import __version__
from carthandout.content import ContentPack, fill, load_common, load_pack, naming_the_pack
from carthandout.context import DocumentContext, build_context
from carthandout.documents.base import (DocumentCanvas, Metadata, RenderedDocument, footer_prints_birth_date,
                                        in_language, joined, metadata_for, paragraph, saved_pdf, subject_in)
from carthandout.documents.pack_checks import (file_part_problems, label_problems, sources_problems, unguarded_values,
                                               unknown_key_problems)
from carthandout.documents.large_print_card import draw_large_print_pages
from carthandout.errors import ContentError, InputError
from carthandout.imposition import (
    CardLayout, Line, Rect, Size, back_positions, bounding_box, chunks, crop_marks, layout_for,
)
from carthandout.models import (PROBE_INFUSION_DATE, PROBE_NAME, Clinic, Patient, phone_digits, probe_patient,
                                unknown_keys)
from carthandout.options import RenderOptions
from carthandout.reportlab_reuse import set_patient_key
from carthandout.theme import INK, PAPER, Theme, build_theme, tint
from carthandout.typefaces import Rich, text_font

DOCUMENT_ID = "wallet-card"
REQUIRED_LABELS = ("name", "infusion_date", "center", "doctor", "caregiver", "phone")
FRONT_KEYS = ("headline", "drug", "signs_heading", "signs", "call_line")
BACK_KEYS = ("heading", "note")

SAFE_ZONE = 3 * mm            # printers register duplex sheets to about 1-2 mm
CORNER_RADIUS = 3.18 * mm     # ID-1
QR_SIDE = 13 * mm
QR_QUIET_MODULES = 2          # plus the white space around it inside the safe zone
QR_GAP = 2 * mm
GROUP_GAP = 4.0               # points between the top and bottom groups of a face
LEADING = 1.17
SIZE_STEP = 0.25
SIGN_SEPARATOR = "\u00a0\u2022 "  # the bullet stays on the line of the sign before it
# Guide lines (to write on, cut or fold along) dark enough to survive a black-and-white copy (#9A9A9A was lost)
GUIDE_GRAY = HexColor("#6E6E6E")

HEADLINE_MIN, WARNING_MIN, TEXT_MIN = 12.0, 9.0, 7.0
WALLET_CARD_SETTINGS = ("qr",)


def validate(pack: ContentPack) -> list[str]:
    problems = (file_part_problems(pack, ("front", "back", "calibration")) + label_problems(pack, REQUIRED_LABELS)
                + unguarded_values(pack))
    for side, keys in (("front", FRONT_KEYS), ("back", BACK_KEYS)):
        section = pack.data.get(side)
        if not isinstance(section, Mapping):
            problems.append(f"{pack.origin}: {side} must be a mapping")
            continue
        where = f"{pack.origin}: {side}"
        problems += unknown_key_problems(section, ("id", "sources", *keys), where, f"the card's {side}")
        problems += sources_problems(section, where, "its words come")
        for key in keys:
            value = section.get(key)
            wanted_list = key == "signs"
            if wanted_list and not (isinstance(value, list) and value
                                    and all(isinstance(v, str) and v.strip() for v in value)):
                problems.append(f"{pack.origin}: {side}.{key} must be a non-empty list of text")
            elif not wanted_list and not (isinstance(value, str) and value.strip()):
                problems.append(f"{pack.origin}: {side}.{key} must be text")
    return problems


# ---------------------------------------------------------------- fitting text into the card

@dataclass(frozen=True)
class CardText:
    """One paragraph of a card face and how far it may shrink."""

    rich: Rich
    preferred: float
    minimum: float
    max_lines: int
    field: str                 # what an error names: an input field, or the pack key for authored text
    from_input: bool = True    # False: authored words (a too-long text is a content problem)
    bold: bool = False
    color: Color = INK
    space_before: float = 0.0
    write_in: bool = False     # an empty value: draw a line after the label to write on


@dataclass(frozen=True)
class FittedText:
    text: CardText
    para: Paragraph
    size: float
    height: float

    @property
    def lines(self) -> int:
        return len(self.para.blPara.lines)


@lru_cache(maxsize=256)
def _style(size: float, bold: bool, color: str) -> ParagraphStyle:
    return ParagraphStyle(
        f"card-{size}-{int(bold)}-{color}", fontName=text_font(bold), fontSize=size, leading=size * LEADING,
        textColor=HexColor(color), spaceBefore=0, spaceAfter=0, splitLongWords=0,
    )


def _set(text: CardText, width: float, size: float) -> FittedText | None:
    """``text`` at ``size`` if it keeps within its lines and no word is wider than ``width``."""
    wrapped = _wrapped(text.rich, size, text.bold, text.color.hexval(), width)
    if wrapped is None or len(wrapped[0].blPara.lines) > text.max_lines:
        return None
    return FittedText(text, wrapped[0], size, wrapped[1])


@lru_cache(maxsize=256)
def _wrapped(rich: Rich, size: float, bold: bool, color: str, width: float) -> tuple[Paragraph, float] | None:
    """A wrapped paragraph and its height, or None when a word is wider than ``width``.

    Cached: the authored lines are the same on every patient's card, and a wrapped paragraph can
    be drawn any number of times. A card has about a dozen; the patient's own two or three are
    new each time, so a small cache keeps every authored line while a large one only filled up
    with names (2,048 entries took about 1,000 patients to fill: memory that grew with the cohort).
    """
    para = paragraph(rich, _style(size, bold, color))
    _, height = para.wrap(width, 10_000)
    if para.minWidth() > width + 0.01:
        return None
    return para, height


def _sizes(preferred: float, minimum: float) -> list[float]:
    count = int(round((preferred - minimum) / SIZE_STEP))
    return [preferred - i * SIZE_STEP for i in range(count)] + [minimum]


def _largest_fit(text: CardText, width: float) -> FittedText:
    for size in _sizes(text.preferred, text.minimum):
        fitted = _set(text, width, size)
        if fitted is not None:
            return fitted
    smallest = paragraph(text.rich, _style(text.minimum, text.bold, text.color.hexval()))
    if smallest.minWidth() > width:
        raise _too_long(text, f"has a word wider than the card even at {text.minimum:g} pt")
    raise _too_long(text, f"needs more than {text.max_lines} line(s) even at {text.minimum:g} pt")


def _too_long(text: CardText, why: str) -> Exception:
    if text.from_input:
        return InputError(text.field, f"is too long for the wallet card: it {why}")
    return ContentError(f"{text.field}: too long for the wallet card: it {why}")


def _group_height(group: Sequence[FittedText]) -> float:
    return sum(f.height + (f.text.space_before if i else 0) for i, f in enumerate(group))


def fit_face(top: Sequence[CardText], bottom: Sequence[CardText], widths: tuple[float, float],
             height: float, beside_bottom: float = 0.0) -> tuple[list[FittedText], list[FittedText]]:
    """Fit two groups of texts into ``height``: the top group from the top, the bottom one from the bottom.

    Each text first takes the largest size at which it keeps within its own line limit. If the
    face is still too tall, every text shrinks together, each stopping at its minimum; if even
    that is too tall, the longest filled-in value is named in the error.
    """
    first_top = [_largest_fit(t, widths[0]) for t in top]
    first_bottom = [_largest_fit(t, widths[1]) for t in bottom]

    def total(t: list[FittedText], b: list[FittedText]) -> float:
        return _group_height(t) + GROUP_GAP + max(_group_height(b), beside_bottom)

    fitted = (first_top, first_bottom)
    scale = 1.0
    while total(*fitted) > height + 0.01:
        at_minimum = all(f.size <= f.text.minimum for f in fitted[0] + fitted[1])
        if at_minimum:
            raise _overfull(fitted[0] + fitted[1])
        scale -= 0.03
        fitted = (_scaled(first_top, widths[0], scale), _scaled(first_bottom, widths[1], scale))
    return fitted


def _scaled(group: list[FittedText], width: float, scale: float) -> list[FittedText]:
    out = []
    for fitted in group:
        size = max(fitted.text.minimum, round(fitted.size * scale / SIZE_STEP) * SIZE_STEP)
        # Fewer lines at a smaller size is the rule; keep the larger fit if a smaller one breaks it.
        out.append(_set(fitted.text, width, size) or fitted)
    return out


def _overfull(fitted: list[FittedText]) -> Exception:
    from_input = [f for f in fitted if f.text.from_input and f.lines > 1]
    if from_input:
        culprit = max(from_input, key=lambda f: f.lines)
        return _too_long(culprit.text, "leaves no room for the rest of the card even at the smallest sizes")
    authored = max(fitted, key=lambda f: f.lines)
    return _too_long(authored.text, "leaves no room for the rest of the card even at the smallest sizes")


# ---------------------------------------------------------------- card faces

@dataclass(frozen=True)
class CardFace:
    """One side of one card, laid out relative to the card's bottom-left corner."""

    size: Size
    texts: tuple[tuple[Paragraph, float, float], ...]
    rules: tuple[tuple[Line, Color, float], ...]   # (line, color, width)
    language: str  # the language of its words, marked on the face where it is drawn
    qr: tuple[str, Rect] | None = None
    stamp: tuple[str, Color] | None = None  # "EXAMPLE" across the face, behind the text


@dataclass(frozen=True)
class Card:
    front: CardFace
    back: CardFace


def lay_out_card(ctx: DocumentContext, theme: Theme, card_size: Size) -> Card:
    """Both faces of one patient's card; raises InputError naming a field that cannot fit."""
    pack = load_pack(DOCUMENT_ID, ctx.language)
    qr_data = tel_uri(ctx.values["clinic.phone_24h"]) if wallet_card_settings(ctx.clinic)["qr"] else None
    back_ctx, back_pack = _for_clinicians(ctx, pack)
    with naming_the_pack(pack.origin):
        front_top, front_bottom = _front_texts(ctx, pack, theme)
    with naming_the_pack(back_pack.origin):
        back_top, back_bottom = _back_texts(back_ctx, back_pack, theme)
    return Card(
        front=replace(_face(card_size, front_top, front_bottom, theme, ctx.language, qr_data),
                      stamp=_example_stamp(ctx, theme)),
        back=replace(_face(card_size, back_top, back_bottom, theme, back_ctx.language), stamp=_example_stamp(back_ctx, theme)),
    )


def _example_stamp(ctx: DocumentContext, theme: Theme) -> tuple[str, Color] | None:
    """"EXAMPLE" across a face printed with the bundled example clinic, in the face's language."""
    if not ctx.clinic.example:
        return None
    return load_common(ctx.language).labels["example_stamp"], theme.accent


def _for_clinicians(ctx: DocumentContext, pack: ContentPack) -> tuple[DocumentContext, ContentPack]:
    """The context and words of the back, the side for doctors and emergency staff: in the
    clinic's language, the one spoken by the doctors around it. A Spanish-speaking patient of a
    US center showed an emergency room "Para médicos y personal de emergencias ... (SLC)"."""
    if ctx.language == ctx.clinic.language:
        return ctx, pack
    return build_context(ctx.patient, ctx.clinic, ctx.clinic.language), load_pack(DOCUMENT_ID, ctx.clinic.language)


def _front_texts(ctx: DocumentContext, pack: ContentPack, theme: Theme) -> tuple[list[CardText], list[CardText]]:
    words, labels, origin = pack.data["front"], pack.labels, f"{pack.origin}: front"
    authored = _authored_maker(ctx, origin)
    signs = SIGN_SEPARATOR.join(words["signs"])
    top = [
        authored("headline", words["headline"], 14, HEADLINE_MIN, 2, bold=True, color=theme.primary),
        authored("drug", words["drug"], 9.5, 8, 2, bold=True, space_before=1),
        _row(ctx, labels["name"], "patient.name", "name", 10, 2, space_before=3),
        _row(ctx, labels["infusion_date"], "patient.infusion_date", "infusion_date", 9.5, 1, space_before=1),
    ]
    bottom = [
        authored("signs_heading", words["signs_heading"], 9.5, WARNING_MIN, 2, bold=True, color=theme.accent),
        authored("signs", signs, 9.5, WARNING_MIN, 5, bold=True, space_before=1),
        CardText(fill(words["call_line"], ctx.rich), 11, WARNING_MIN, 2, "clinic.phone_24h", bold=True,
                 space_before=3),
    ]
    return top, bottom


def _back_texts(ctx: DocumentContext, pack: ContentPack, theme: Theme) -> tuple[list[CardText], list[CardText]]:
    words, labels = pack.data["back"], pack.labels
    authored = _authored_maker(ctx, f"{pack.origin}: back")
    top = [
        authored("heading", words["heading"], 11, WARNING_MIN, 2, bold=True, color=theme.primary),
        _note(ctx, words["note"], authored),
    ]
    center_field = "center" if ctx.patient.center else "clinic.name"
    physician_field = "physician" if ctx.patient.physician else "clinic.physician"
    bottom = [
        _row(ctx, labels["center"], "clinic.name", center_field, 8.5, 2),
        _row(ctx, labels["doctor"], "patient.physician", physician_field, 8.5, 2, space_before=1.5),
        _row(ctx, labels["caregiver"], "patient.caregiver", "caregiver", 8.5, 2, space_before=1.5),
        _row(ctx, labels["phone"], "patient.caregiver_phone", "caregiver_phone", 8.5, 1, space_before=1.5),
    ]
    return top, bottom


ORDINARY_NUMBER_LENGTH = 20  # "+44 20 7946 0958", "(217) 555-0199 x12": no reason for a note not to fit


def _note(ctx: DocumentContext, template: str, authored: Callable[..., CardText]) -> CardText:
    """The back's note, which names the 24-hour number: one too long for the card is the number's
    fault when the number is unusually long, else the note's words (a lengthened note was blamed
    on a 14-character number, and the nurse editing it was sent to the clinic file)."""
    if len(ctx.clinic.phone_24h) > ORDINARY_NUMBER_LENGTH:
        return CardText(fill(template, ctx.rich), 9, TEXT_MIN, 7, "clinic.phone_24h", space_before=2)
    return authored("note", template, 9, TEXT_MIN, 7, space_before=2)


def _authored_maker(ctx: DocumentContext, origin: str):
    def authored(key: str, template: str, preferred: float, minimum: float, max_lines: int, **style: Any) -> CardText:
        return CardText(fill(template, ctx.rich), preferred, minimum, max_lines, f"{origin}.{key}",
                        from_input=False, **style)
    return authored


def _row(ctx: DocumentContext, label: str, key: str, field: str, preferred: float, max_lines: int,
         space_before: float = 0.0) -> CardText:
    """``Label: value`` with the value bold; an empty value leaves a line to write on by hand."""
    if not ctx.values.get(key):
        return CardText(fill(label, ctx.rich), preferred, TEXT_MIN, 1, field, space_before=space_before,
                        write_in=True)
    return CardText(fill(label + " **{" + key + "}**", ctx.rich), preferred, TEXT_MIN, max_lines, field,
                    space_before=space_before)


def _face(size: Size, top: list[CardText], bottom: list[CardText], theme: Theme, language: str,
          qr_data: str | None = None) -> CardFace:
    inner = Rect(SAFE_ZONE, SAFE_ZONE, size[0] - 2 * SAFE_ZONE, size[1] - 2 * SAFE_ZONE)
    qr_room = QR_SIDE + QR_GAP if qr_data else 0.0
    top_fit, bottom_fit = fit_face(top, bottom, (inner.width, inner.width - qr_room), inner.height,
                                   beside_bottom=QR_SIDE if qr_data else 0.0)
    for fitted in top_fit + bottom_fit:
        if not fitted.text.from_input:  # authored: the same paragraph (``_wrapped``) on every patient's card
            fitted.para.will_repeat()
    texts: list[tuple[Paragraph, float, float]] = []
    rules: list[tuple[Line, Color, float]] = []
    y = inner.top
    for index, fitted in enumerate(top_fit):
        y -= fitted.height + (fitted.text.space_before if index else 0)
        texts.append((fitted.para, inner.x, y))
        rules += _write_in_line(fitted, inner, y)
    bottom_height = _group_height(bottom_fit)
    y = inner.y + bottom_height
    rule_y = inner.y + max(bottom_height, QR_SIDE if qr_data else 0.0) + GROUP_GAP / 2
    rules.append(((inner.x, rule_y, inner.right, rule_y), theme.accent, 0.75))
    for index, fitted in enumerate(bottom_fit):
        if index:
            y -= fitted.text.space_before
        y -= fitted.height
        texts.append((fitted.para, inner.x, y))
        rules += _write_in_line(fitted, inner, y)
    qr = (qr_data, Rect(inner.right - QR_SIDE, inner.y, QR_SIDE, QR_SIDE)) if qr_data else None
    return CardFace(size, tuple(texts), tuple(rules), language, qr)


def _write_in_line(fitted: FittedText, inner: Rect, y: float) -> list[tuple[Line, Color, float]]:
    if not fitted.text.write_in:
        return []
    label_width = max(fitted.para.getActualLineWidths0())
    baseline = y + fitted.height - fitted.size - 1
    return [((inner.x + label_width + 3, baseline, inner.right, baseline), GUIDE_GRAY, 0.5)]


def draw_face(canvas: Canvas, face: CardFace, x: float, y: float, turned: bool = False) -> None:
    """Draw one card face with its bottom-left corner at (x, y); every layout uses this.
    ``turned``: upside down in its place (a back printed for a short-edge flip)."""
    canvas.saveState()
    if turned:
        canvas.translate(x + face.size[0], y + face.size[1])
        canvas.rotate(180)
    else:
        canvas.translate(x, y)
    with in_language(canvas, face.language):
        _draw_face_content(canvas, face)
    canvas.restoreState()


def _draw_face_content(canvas: Canvas, face: CardFace) -> None:
    if face.stamp:
        _draw_stamp(canvas, face.size, *face.stamp)
    for para, px, py in face.texts:
        para.drawOn(canvas, px, py)
    for (x1, y1, x2, y2), color, width in face.rules:
        canvas.setStrokeColor(color)
        canvas.setLineWidth(width)
        canvas.line(x1, y1, x2, y2)
    if face.qr:
        draw_qr(canvas, *face.qr)


EXAMPLE_STAMP_TINT = 0.22  # light enough to read the card through, plain enough to see at once
EXAMPLE_STAMP_ANGLE = 28
# The stamp's letters are outlined in the full colour: a black-and-white copy drops the light
# fill, and the card then passed for a real one with a made-up number.
EXAMPLE_STAMP_OUTLINE = 0.6


def _draw_stamp(canvas: Canvas, size: Size, text: str, outline: Color) -> None:
    """A card printed with the bundled example clinic says so across both faces: its 24-hour
    number is made up."""
    canvas.saveState()
    canvas.translate(size[0] / 2, size[1] / 2)
    canvas.rotate(EXAMPLE_STAMP_ANGLE)
    font = text_font(bold=True)
    font_size = 0.8 * size[0] / (stringWidth(text, font, 1) or 1)  # across most of the card's width
    canvas.setFillColor(tint(outline, EXAMPLE_STAMP_TINT))
    canvas.setStrokeColor(outline)
    canvas.setLineWidth(EXAMPLE_STAMP_OUTLINE)
    text_object = canvas.beginText()
    text_object.setTextRenderMode(2)  # fill, then stroke
    text_object.setFont(font, font_size)
    text_object.setTextOrigin(-stringWidth(text, font, font_size) / 2, -font_size * 0.35)
    text_object.textOut(text)
    canvas.drawText(text_object)
    canvas.restoreState()


# ---------------------------------------------------------------- the QR code

_TEL_ALLOWED = re.compile(r"^\+?[\d\s().\-/]+$")
_TRUNK_ZERO = re.compile(r"\(\s*0\s*\)")  # "+44 (0)20": the 0 is dialled only from inside the country
_ALTERNATIVES = re.compile(r"/|\s-\s|\s\(")  # what may start another number or an extension
E164_MAX_DIGITS = 15  # with the country code
NATIONAL_MAX_DIGITS = 13  # without it (a trunk zero and the longest national numbers)
SHORTEST_DIGITS = 3  # "911"; "+49 (0)" or "1/2" dial nothing
WHOLE_NUMBER_DIGITS = 7  # "555-0199" on each side of a "/" is two numbers; "030/1234567" one


def tel_uri(phone: str) -> str:
    """``(217) 555-0199`` -> ``tel:2175550199``; a number with letters or extensions is refused,
    and so are two numbers ("555-0199 / 555-0100": the QR code dialled them run together).
    An international number's trunk zero is dropped: ``+44 (0)20 7946 0958`` dials +44 20 ...
    """
    international = phone.lstrip().startswith("+")
    if not _TEL_ALLOWED.match(phone):
        raise InputError("clinic.phone_24h", "{value} cannot go into the wallet card's QR code: use only digits, "
                         "spaces, + ( ) - . /", phone, sensitive=False)
    # After a whole number, "/ 01", " - 12" or " (12)" is another number or an extension: dialled
    # run together ("444-2000/01" as 444200001). Before it, "030/1234567" is an area code.
    parts = _ALTERNATIVES.split(phone)
    if any(len(phone_digits(part)) >= WHOLE_NUMBER_DIGITS for part in parts[:-1]):
        raise InputError("clinic.phone_24h", "{value} holds more than one number, or an extension: the wallet "
                         "card's QR code dials one number", phone, sensitive=False)
    digits = phone_digits(_TRUNK_ZERO.sub("", phone) if international else phone)
    longest = E164_MAX_DIGITS if international else NATIONAL_MAX_DIGITS
    if len(digits) < SHORTEST_DIGITS:
        raise InputError("clinic.phone_24h", "{value} has too few digits to dial for the wallet card's QR code",
                         phone, sensitive=False)
    if len(digits) > longest:
        raise InputError("clinic.phone_24h", f"{{value}} has more digits than one phone number ({longest}): the "
                         "wallet card's QR code dials one number", phone, sensitive=False)
    return "tel:" + ("+" if international else "") + digits


@lru_cache(maxsize=64)
def qr_runs(data: str) -> tuple[int, tuple[tuple[int, int, int], ...]]:
    """The QR symbol for ``data`` as (module count, dark runs (row, column, length)); built once.

    Building the symbol is the slow part of a card (about 5 ms of reportlab's 16): every card
    with the same number reuses it.
    """
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(data)
    code.make()
    count = code.getModuleCount()
    runs = []
    for row in range(count):
        column = 0
        while column < count:
            if code.isDark(row, column):
                start = column
                while column < count and code.isDark(row, column):
                    column += 1
                runs.append((row, start, column - start))
            else:
                column += 1
    return count, tuple(runs)


def draw_qr(canvas: Canvas, data: str, box: Rect) -> None:
    count, runs = qr_runs(data)
    module = box.width / (count + 2 * QR_QUIET_MODULES)
    left, top = box.x + QR_QUIET_MODULES * module, box.top - QR_QUIET_MODULES * module
    canvas.saveState()
    canvas.setFillColor(HexColor("#000000"))
    path = canvas.beginPath()
    for row, column, length in runs:
        path.rect(left + column * module, top - (row + 1) * module, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def check_clinic(clinic: Clinic) -> None:
    """``carthandout check --clinic`` and every run: raise InputError for a bad ``wallet_card:`` section
    (and, with the QR code, a 24-hour number it cannot dial)."""
    if wallet_card_settings(clinic)["qr"]:
        tel_uri(clinic.phone_24h)


def check_clinic_words_fit(clinic: Clinic, patients: Iterable[Patient | None] = (None,)) -> None:
    """Raise InputError for clinic words too long for the card of any of ``patients`` (None: a
    patient with nothing of their own, in the clinic's language). Checked once, on a stand-in
    patient with short values of their own: a clinic name, a 24-hour number or a date format too
    long for the card failed every patient of a batch, row by row. The clinic's name and doctor
    count only on the cards that print them, those of patients without their own center or
    doctor; a patient's own values are checked with their card."""
    for variant in dict.fromkeys(map(_card_variant, patients)):
        _check_clinic_words_fit(clinic, *variant)


class _CardVariant(NamedTuple):
    """What a patient's card takes from the clinic."""

    language: str | None  # None: the clinic's
    own_center: bool
    own_physician: bool


def _card_variant(patient: Patient | None) -> _CardVariant:
    if patient is None:
        return _CardVariant(None, False, False)
    return _CardVariant(patient.language or None, bool(patient.center), bool(patient.physician))


def _check_clinic_words_fit(clinic: Clinic, language: str | None, own_center: bool, own_physician: bool) -> None:
    def probe(infusion_date: dt.date) -> Patient:
        return replace(probe_patient(infusion_date), center=PROBE_NAME if own_center else "",
                       physician=PROBE_NAME if own_physician else "")

    formatter = build_context(probe(PROBE_INFUSION_DATE), clinic, language).formatter
    year = (PROBE_INFUSION_DATE + dt.timedelta(days=n) for n in range(365))
    ctx = build_context(probe(max(year, key=lambda day: len(formatter.date(day)))), clinic, language)
    theme = build_theme(clinic)
    try:
        lay_out_card(ctx, theme, layout_for("single", theme.page_size).card_size)
    except InputError as error:
        if error.field.startswith("clinic."):
            raise
        raise InputError("clinic.date_format", "makes the infusion date too long for the wallet card",
                         sensitive=False) from None


def check_patient_card(ctx: DocumentContext, options: RenderOptions) -> None:
    """Raise InputError naming a value of the patient's too long for their card: a batch checks
    every row so before it renders any (``--check`` called such a row ready)."""
    theme = build_theme(ctx.clinic, options.paper, options.large_print_for(ctx.patient))
    lay_out_card(ctx, theme, layout_for(options.card_layout, theme.page_size).card_size)


def wallet_card_settings(clinic: Clinic) -> dict[str, bool]:
    """The clinic profile's ``wallet_card:`` section, checked (``qr: true`` adds the QR code)."""
    raw = clinic.extra("wallet_card") or {}
    if not isinstance(raw, Mapping):
        raise InputError("clinic.wallet_card", "must be a mapping such as {qr: true}", sensitive=False)
    unknown = unknown_keys(raw, WALLET_CARD_SETTINGS)
    if unknown:
        raise InputError(f"clinic.wallet_card.{unknown[0]}", f"unknown setting (known: {', '.join(WALLET_CARD_SETTINGS)})",
                         sensitive=False)
    qr = raw.get("qr", False)
    if not isinstance(qr, bool):
        raise InputError("clinic.wallet_card.qr", "must be true or false", qr, sensitive=False)
    return {"qr": qr}


# ---------------------------------------------------------------- pages

def render(ctx: DocumentContext, theme: Theme, options: RenderOptions) -> RenderedDocument:
    """One patient's card, ``options.copies`` times, in the chosen layout."""
    if options.copies < 1:
        raise InputError("--copies", "must be 1 or more", options.copies, sensitive=False)
    return render_sheets([ctx] * options.copies, theme, options)


def render_sheets(contexts: Sequence[DocumentContext], theme: Theme, options: RenderOptions,
                  large_print_pages: bool = True, part: str | None = None) -> RenderedDocument:
    """Many cards, one per context and in order, over as many sheets as needed, backs matched for duplex.

    ``large_print_pages``: a large-print patient's card words follow the sheets (their own
    wallet-card.pdf); a cohort's card sheets go on card stock, so their print file leaves them
    to ``render_large_print_pages``. ``part``: the print part the sheets are (its name in the title,
    whatever the number of patients in it).
    Raises InputError (naming the field, not the record: the caller knows which record it was)
    for the first card that cannot fit.
    """
    if not contexts:
        raise ValueError("render_sheets needs at least one card")
    layout = layout_for(options.card_layout, theme.page_size)
    laid_out: dict[int, Card] = {}
    for ctx in contexts:
        if id(ctx) not in laid_out:
            laid_out[id(ctx)] = lay_out_card(ctx, theme, layout.card_size)
    cards = [laid_out[id(ctx)] for ctx in contexts]
    packs = [load_pack(DOCUMENT_ID, language) for language in dict.fromkeys(ctx.language for ctx in contexts)]
    buffer = io.BytesIO()
    with_large_print = large_print_pages and any(options.large_print_for(ctx.patient) for ctx in contexts)
    canvas = card_canvas(buffer, layout.page_size, _metadata(contexts, packs, part, with_large_print))
    backs = back_positions(layout, options.duplex, options.back_offset_mm)
    pages = 0
    for sheet in chunks(len(cards), layout.capacity):
        on_sheet = [cards[i] for i in sheet]
        pages += _draw_front_sheet(canvas, layout, on_sheet)
        if layout.back_page:
            pages += _draw_back_sheet(canvas, layout, on_sheet, backs[: len(on_sheet)], options.duplex == "short" and layout.duplex)
    if large_print_pages:
        # On the sheets' paper when the cards are on sheets (Avery 5371 is Letter even for an A4
        # clinic): one paper size in the printer for a patient's own file.
        companion_paper = _paper_of(layout.page_size) or options.paper
        for ctx in {id(ctx): ctx for ctx in contexts}.values():
            if options.large_print_for(ctx.patient):
                pages += _draw_large_print(canvas, ctx, build_theme(ctx.clinic, companion_paper, large_print=True))
    return RenderedDocument(DOCUMENT_ID, saved_pdf(canvas, buffer), pages, joined(pack.version for pack in packs),
                            joined(pack.reviewed for pack in packs), joined(pack.language for pack in packs))


def render_large_print_pages(ctx: DocumentContext, options: RenderOptions) -> RenderedDocument:
    """A large-print patient's card words alone, on the run's paper (for a cohort's handouts print file)."""
    pack = load_pack(DOCUMENT_ID, ctx.language)
    theme = build_theme(ctx.clinic, options.paper, large_print=True)  # the run's paper, else the clinic's
    buffer = io.BytesIO()
    canvas = card_canvas(buffer, theme.page_size, metadata_for(ctx, pack, footer_prints_birth_date(ctx)))
    pages = _draw_large_print(canvas, ctx, theme)
    return RenderedDocument(DOCUMENT_ID, saved_pdf(canvas, buffer), pages, pack.version, pack.reviewed, pack.language)


def _draw_large_print(canvas: Canvas, ctx: DocumentContext, theme: Theme) -> int:
    """A card cannot hold 18 pt text: the card's words again on paper-size pages, each side in its card's language."""
    pack = load_pack(DOCUMENT_ID, ctx.language)
    return draw_large_print_pages(canvas, (ctx, pack), _for_clinicians(ctx, pack), theme)


def _paper_of(size: Size) -> str | None:
    """The paper name of a page size (None for a card-size page)."""
    return next((name for name, paper in PAPER.items() if tuple(paper) == tuple(size)), None)


def _metadata(contexts: Sequence[DocumentContext], packs: Sequence[ContentPack], part: str | None,
              with_large_print: bool) -> Metadata:
    """One patient's card: as for their other documents (its patient key with the birth date when
    its large-print pages' footer prints it). A cohort's sheets: each language's title
    (a print part's, naming the part, also for one patient: printer queues told parts apart by
    name only), and a language only when every card is in it (a Spanish card on sheets said to be
    English)."""
    if part is None and len({id(ctx) for ctx in contexts}) == 1:
        return metadata_for(contexts[0], packs[0], with_large_print and footer_prints_birth_date(contexts[0]))
    titles = [load_common(pack.language).labels["print_cards_title"].format(part=part) if part else pack.title
              for pack in packs]
    return Metadata(" / ".join(dict.fromkeys(titles)), contexts[0].clinic.name,
                    " / ".join(dict.fromkeys(subject_in(pack.language) for pack in packs)),
                    packs[0].language if len(packs) == 1 else "")


def card_canvas(buffer: io.BytesIO, page_size: Size, meta: Metadata) -> Canvas:
    """A deterministic canvas with the document's metadata, starting in the bundled text font."""
    canvas = DocumentCanvas(buffer, pagesize=page_size, invariant=1, initialFontName=text_font(), lang=meta.language or None)
    canvas.setTitle(meta.title)
    canvas.setAuthor(meta.author)
    canvas.setSubject(meta.subject)
    canvas.setCreator(f"carthandout {__version__}")
    canvas.setProducer(f"carthandout {__version__}")
    canvas.setViewerPreference("DisplayDocTitle", "true")
    set_patient_key(canvas, meta.patient)
    return canvas


def _draw_front_sheet(canvas: Canvas, layout: CardLayout, cards: list[Card]) -> int:
    fronts = layout.fronts[: len(cards)]
    folds = layout.fold_backs[: len(cards)]
    for card, rect in zip(cards, fronts):
        draw_face(canvas, card.front, rect.x, rect.y)
    for card, rect in zip(cards, folds):
        draw_face(canvas, card.back, rect.x, rect.y)
        _fold_line(canvas, rect)
    _finish_page(canvas, layout, layout.pieces[: len(cards)])
    return 1


def _draw_back_sheet(canvas: Canvas, layout: CardLayout, cards: list[Card], backs: Sequence[Rect], turned: bool) -> int:
    """``turned``: a sheet turned over its short edge puts each back upside down behind its front;
    drawn turned, a cut card's back reads upright when the card is turned over sideways, as it does
    after a long-edge flip or a fold."""
    for card, rect in zip(cards, backs):
        draw_face(canvas, card.back, rect.x, rect.y, turned)
    # No crop marks on the back: a misregistered second set would only confuse the cutting.
    _finish_page(canvas, layout, tuple(backs), marks=False)
    return 1


def _finish_page(canvas: Canvas, layout: CardLayout, rects: tuple[Rect, ...], marks: bool = True) -> None:
    canvas.saveState()
    if layout.outline:
        canvas.setStrokeColor(GUIDE_GRAY)
        canvas.setLineWidth(0.5)
        for rect in rects:
            canvas.roundRect(rect.x, rect.y, rect.width, rect.height, CORNER_RADIUS, stroke=1, fill=0)
    if layout.crop_marks and marks:
        canvas.setStrokeColor(HexColor("#000000"))
        canvas.setLineWidth(0.3)
        # Card stock (the duplex sheets): the whole sheet's cut lines, on a sheet of fewer cards
        # too, as marks around only the cards printed fell on the stock's unused cards. A fold-over
        # sheet is plain paper: only the cards printed are cut out.
        canvas.lines(crop_marks(layout.pieces if layout.duplex else rects, layout.page_size))
    canvas.restoreState()
    box = bounding_box(rects)
    canvas.setTrimBox((box.x, box.y, box.right, box.top))
    canvas.showPage()
    canvas.setTrimBox(None)  # reportlab keeps a box for later pages; each page sets its own


def _fold_line(canvas: Canvas, back: Rect) -> None:
    """The fold between a fold-over card's front (left) and back (right)."""
    canvas.saveState()
    canvas.setStrokeColor(GUIDE_GRAY)
    canvas.setLineWidth(0.5)
    canvas.setDash(3, 2)
    canvas.line(back.x, back.y, back.x, back.top)
    canvas.restoreState()
