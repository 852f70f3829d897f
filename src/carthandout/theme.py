"""Brand and type: page size, colors checked for contrast, the type scale (normal and large print)."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

from reportlab.lib.colors import Color, HexColor
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4, LETTER
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch

from carthandout.typefaces import text_font
from carthandout.models import Clinic

PAPER = {"letter": LETTER, "a4": A4}
WHITE = HexColor("#FFFFFF")
INK = HexColor("#1A1A1A")
MIN_CONTRAST = 4.5


def _luminance(color: Color) -> float:
    def channel(value: float) -> float:
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return 0.2126 * channel(color.red) + 0.7152 * channel(color.green) + 0.0722 * channel(color.blue)


def contrast_ratio(first: Color, second: Color) -> float:
    """WCAG 2 contrast ratio between two colors."""
    light, dark = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def readable_on(color: Color, background: Color = WHITE) -> Color:
    """``color`` darkened just enough to reach 4.5:1 against ``background``."""
    current = color
    while contrast_ratio(current, background) < MIN_CONTRAST:
        current = Color(current.red * 0.92, current.green * 0.92, current.blue * 0.92)
    return current


def tint(color: Color, amount: float) -> Color:
    """Mix ``color`` with white: amount 0 is white, 1 is the color."""
    return Color(*(1 - amount + amount * c for c in (color.red, color.green, color.blue)))


@dataclass(frozen=True)
class TypeScale:
    body: float
    small: float
    heading: float
    title: float
    leading: float = 1.3


NORMAL_TYPE = TypeScale(body=13, small=12, heading=17, title=22)
LARGE_TYPE = TypeScale(body=18, small=18, heading=22, title=26)  # large print: nothing but the footer under 18 pt


@dataclass(frozen=True)
class Theme:
    page_size: tuple[float, float]
    margin: float
    primary: Color
    accent: Color
    panel: Color
    type: TypeScale
    logo: Path | None
    large_print: bool

    @property
    def frame_width(self) -> float:
        return self.page_size[0] - 2 * self.margin

    def style(self, name: str) -> ParagraphStyle:
        return self._style_sheet[name]

    @cached_property
    def _style_sheet(self) -> dict[str, ParagraphStyle]:
        # Looked up thousands of times a patient: the color's hex spelling only once per theme.
        return _styles(self.type, self.primary.hexval())


def build_theme(clinic: Clinic, paper: str | None = None, large_print: bool = False) -> Theme:
    primary = readable_on(HexColor(clinic.primary_color))
    accent = readable_on(HexColor(clinic.accent_color))
    return Theme(
        page_size=PAPER[paper or clinic.paper],
        margin=0.8 * inch,
        primary=primary,
        accent=accent,
        panel=tint(primary, 0.08),
        type=LARGE_TYPE if large_print else NORMAL_TYPE,
        logo=clinic.logo,
        large_print=large_print,
    )


@lru_cache(maxsize=32)
def _styles(scale: TypeScale, primary: str) -> dict[str, ParagraphStyle]:
    regular, bold = text_font(), text_font(bold=True)
    body = ParagraphStyle(
        "body", fontName=regular, fontSize=scale.body, leading=scale.body * scale.leading,
        alignment=TA_LEFT, textColor=INK, spaceAfter=scale.body * 0.55, splitLongWords=1,
        allowWidows=0, allowOrphans=0,
    )

    def derived(name: str, **overrides: object) -> ParagraphStyle:
        return ParagraphStyle(name, parent=body, **overrides)

    return {
        "body": body,
        "bullet": derived("bullet", leftIndent=scale.body * 1.4, bulletIndent=scale.body * 0.3,
                          spaceAfter=scale.body * 0.3, bulletFontName=regular, bulletFontSize=scale.body),
        "title": derived("title", fontName=bold, fontSize=scale.title, leading=scale.title * 1.2,
                         textColor=HexColor(primary), spaceAfter=scale.body * 0.3),
        "subtitle": derived("subtitle", fontSize=scale.body, spaceAfter=scale.body * 0.8),
        "heading": derived("heading", fontName=bold, fontSize=scale.heading, leading=scale.heading * 1.25,
                           textColor=HexColor(primary), spaceBefore=scale.body * 1.0, spaceAfter=scale.body * 0.45,
                           keepWithNext=1),
        "subheading": derived("subheading", fontName=bold, spaceBefore=scale.body * 0.3, spaceAfter=scale.body * 0.25,
                              keepWithNext=1),
        "box_title": derived("box_title", fontName=bold, fontSize=scale.heading, leading=scale.heading * 1.25,
                             spaceAfter=scale.body * 0.4),
        "cell": derived("cell", spaceAfter=0),
        "cell_bold": derived("cell_bold", fontName=bold, spaceAfter=0),
        "label": derived("label", fontSize=scale.small, leading=scale.small * scale.leading, spaceAfter=0,
                         textColor=HexColor("#333333")),
        "footer": derived("footer", fontSize=scale.small if scale.small < 14 else 12, leading=14, spaceAfter=0,
                          textColor=HexColor("#333333")),
        "header": derived("header", fontName=bold, fontSize=scale.heading, leading=scale.heading * 1.2,
                          textColor=HexColor(primary), spaceAfter=0),
        "call_number": derived("call_number", fontName=bold, fontSize=scale.heading, leading=scale.heading * 1.3,
                               spaceAfter=0),
    }
