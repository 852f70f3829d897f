"""Text shaping across font changes inside one word.

reportlab shapes a whole word (text between spaces) with the font of its first character, then
draws each glyph in the font of the character it came from. A filled-in value in a script font
that touches authored text, as in ``(محمد)`` or ``{patient.caregiver}.``, is one word with two
fonts: the parenthesis or the full stop then comes out as a wrong glyph (or the name as empty
boxes). ``install()`` makes reportlab shape each same-font run of a word on its own, which keeps
every glyph in the font it was looked up in, and without discretionary ligatures.
"""
from __future__ import annotations

from itertools import groupby
from typing import Any

from reportlab.pdfbase import ttfonts
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import paragraph as reportlab_paragraph

# reportlab turns on discretionary ligatures ("dlig"), which OpenType leaves off unless a reader
# asks: Noto Sans Arabic then draws محمد as one decorative glyph with vowel marks the name never had.
FEATURES = {"kern": True, "liga": True}


def _shape_single_font(word: list[Any], features: Any = None, force: bool = False) -> list[Any]:
    return ttfonts.shapeFragWord(word, features=FEATURES if features is None else features, force=force)


def shape_per_font(word: list[Any], *args: Any, **kwargs: Any) -> list[Any]:
    """``reportlab.pdfbase.ttfonts.shapeFragWord``, one same-font run of the word at a time."""
    if isinstance(word, ttfonts.ShapedFragWord) or any(isinstance(text, ttfonts.ShapedStr) for _, text in word[1:]):
        return word  # shaped before: a paragraph split over two pages is wrapped again
    pieces = word[1:]
    if any(hasattr(style, "cbDefn") for style, _ in pieces):  # images and anchors: leave to reportlab
        return _shape_single_font(word, *args, **kwargs)
    runs = [list(run) for _, run in groupby(pieces, key=lambda piece: piece[0].fontName)]
    if len(runs) < 2:
        return _shape_single_font(word, *args, **kwargs)
    shaped = [_shape_single_font([_width(run), *run], *args, **kwargs) for run in runs]
    if all(result[1:] == run for result, run in zip(shaped, runs)):
        return word
    # The word's class records whether a space follows it: keep it.
    combined = ttfonts.makeShapedFragWord(word)([sum(result[0] for result in shaped)])
    for result in shaped:
        combined.extend(result[1:])
    return combined


def _width(run: list[tuple[Any, str]]) -> float:
    return sum(stringWidth(text, style.fontName, style.fontSize) for style, text in run)


def install() -> None:
    """Use per-font shaping in reportlab paragraphs (idempotent)."""
    reportlab_paragraph.shapeFragWord = shape_per_font
