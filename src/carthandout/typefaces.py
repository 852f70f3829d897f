"""Bundled fonts: registration, glyph coverage, and per-field font choice.

reportlab draws a missing glyph as an empty box without a word of warning, so every filled-in
value is checked against the real character maps of the bundled fonts. The text font is
Atkinson Hyperlegible; values it cannot print fall back, per field (or per word when no single
font covers the field), to the first font of the chain that covers them. Fonts never switch
inside a word: shaping would break.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from xml.sax.saxutils import escape

from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from carthandout.errors import InputError
from carthandout.resources import packaged_path


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: str
    bold: str
    italic: str | None = None
    bold_italic: str | None = None

    def faces(self) -> dict[tuple[int, int], str]:
        """(bold, italic) -> file name; missing styles reuse the nearest face."""
        return {
            (0, 0): self.regular,
            (1, 0): self.bold,
            (0, 1): self.italic or self.regular,
            (1, 1): self.bold_italic or self.bold,
        }


TEXT_FAMILY = FontFamily(
    "Atkinson",
    "AtkinsonHyperlegible-Regular.ttf",
    "AtkinsonHyperlegible-Bold.ttf",
    "AtkinsonHyperlegible-Italic.ttf",
    "AtkinsonHyperlegible-BoldItalic.ttf",
)
# Tried in order for text the text font cannot print.
FALLBACK_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
)
FAMILIES = {family.name: family for family in (TEXT_FAMILY, *FALLBACK_FAMILIES)}

# Scripts whose letters change shape or direction: their text is set with shaping on.
_NEEDS_SHAPING = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"  # Hebrew, Arabic, Syriac, Thaana, NKo and presentation forms
    "\u0900-\u0dff\u1000-\u109f\u1780-\u17ff]"  # Indic scripts, Myanmar, Khmer
)


def face_name(family: FontFamily, bold: bool = False, italic: bool = False) -> str:
    return f"{family.name}-{'B' if bold else ''}{'I' if italic else ''}".rstrip("-")


@lru_cache(maxsize=None)
def register_family(name: str) -> FontFamily:
    """Register a family's faces with reportlab (once per process) so <b> and <i> pick them."""
    family = FAMILIES[name]
    face_by_file: dict[str, str] = {}
    for (bold, italic), filename in family.faces().items():
        if filename not in face_by_file:
            face_by_file[filename] = face_name(family, bool(bold), bool(italic))
            pdfmetrics.registerFont(TTFont(face_by_file[filename], str(packaged_path("fonts", filename))))
        addMapping(family.name, bold, italic, face_by_file[filename])
    return family


def text_font(bold: bool = False, italic: bool = False) -> str:
    """The registered face name of the text font, for styles and canvas drawing."""
    register_family(TEXT_FAMILY.name)
    return face_name(TEXT_FAMILY, bold, italic)


@lru_cache(maxsize=None)
def coverage(name: str) -> frozenset[int]:
    register_family(name)
    font = pdfmetrics.getFont(face_name(FAMILIES[name]))
    return frozenset(font.face.charToGlyph)


def _printable(ch: str) -> bool:
    """Characters that need a glyph (spaces and joiners do not)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Mn") or ch in "\u0640"


def _covered(text: str, family: str) -> bool:
    cmap = coverage(family)
    return all(ord(ch) in cmap for ch in text if _printable(ch))


def family_for(text: str) -> str | None:
    """The first family (text font first) that prints every character of ``text``."""
    for name in FAMILIES:
        if _covered(text, name):
            return name
    return None


def needs_shaping(text: str) -> bool:
    return bool(_NEEDS_SHAPING.search(text))


class Rich(NamedTuple):
    """Paragraph markup, plus whether its paragraph must be set with shaping on."""

    markup: str
    shaping: bool = False

    def __add__(self, other: "Rich") -> "Rich":  # type: ignore[override]
        return Rich(self.markup + other.markup, self.shaping or other.shaping)


def literal(text: str) -> Rich:
    """Authored text known to be covered by the text font, escaped."""
    return Rich(escape(text))


def rich_value(text: str, field: str) -> Rich:
    """A filled-in value as safe markup: escaped, and in a font that covers every character.

    Raises ``InputError`` naming the field and the character when no bundled font covers it.
    """
    shaping = needs_shaping(text)
    whole = family_for(text)
    if whole is not None:
        return Rich(_wrap(text, whole), shaping)
    runs: list[tuple[str, str]] = []
    for word in re.split(r"(\s+)", text):
        if not word:
            continue
        family = runs[-1][0] if word.isspace() and runs else family_for(word)
        if family is None:
            raise InputError(field, _uncovered_message(word), sensitive=True)
        if runs and runs[-1][0] == family:
            runs[-1] = (family, runs[-1][1] + word)
        else:
            runs.append((family, word))
    return Rich("".join(_wrap(chunk, family) for family, chunk in runs), shaping)


def check_coverage(text: str, field: str) -> None:
    """Raise ``InputError`` if any character of ``text`` is in no bundled font."""
    rich_value(text, field)


def _uncovered_message(word: str) -> str:
    for ch in word:
        if _printable(ch) and not any(ord(ch) in coverage(name) for name in FAMILIES):
            return f"character U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed')}) is not in any bundled font"
    return "mixes scripts that no single bundled font covers within one word"


def _wrap(text: str, family: str) -> str:
    if family == TEXT_FAMILY.name:
        return escape(text)
    register_family(family)
    return f'<font face="{family}">{escape(text)}</font>'
