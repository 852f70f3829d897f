"""Text that fits one line, drawn without a Paragraph's layout machinery, and the date cells made of it.

Dates, weekdays and day numbers are most of the words of the logs, the calendar and the
timeline: drawn as ``TextLine`` they cost a fraction of a Paragraph and look the same.
"""
from __future__ import annotations

import datetime as dt
from functools import lru_cache
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable

from carthandout.context import DocumentContext
from carthandout.documents.base import paragraph
from carthandout.theme import Theme
from carthandout.typefaces import TEXT_FAMILY, family_for, literal, needs_shaping


class TextLine(Flowable):
    """Plain text that fits one line, drawn where a Paragraph would put it, without its layout machinery.

    Only for text the text font covers with no shaping and no whitespace a Paragraph would
    collapse (``plain_text`` checks); when the line does not fit the width offered it becomes
    the Paragraph it stands for.
    """

    def __init__(self, text: str, style: ParagraphStyle) -> None:
        super().__init__()
        self.text, self.style = text, style
        self._text_width = _text_width(text, style.fontName, style.fontSize)
        self._wrapped: Flowable | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._text_width > availWidth:
            if self._wrapped is None:
                self._wrapped = paragraph(literal(year_on_its_own_line(self.text, self.style, availWidth)), self.style)
            return self._wrapped.wrap(availWidth, availHeight)
        self._wrapped = None
        return self._text_width, self.style.leading

    def getSpaceBefore(self) -> float:  # noqa: N802 (reportlab's name)
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.style.spaceAfter

    def draw(self) -> None:
        if self._wrapped is not None:
            self._wrapped.drawOn(self.canv, 0, 0)
            return
        text = self.canv.beginText()
        self.add_to(text, 0, 0)
        self.canv.drawText(text)

    def add_to(self, text: Any, x: float, y: float) -> bool:
        """Adds the line at (x, y) to a text object (one per page is cheaper than one per line); False if it wrapped."""
        if self._wrapped is not None:
            return False
        style = self.style
        text.setFont(style.fontName, style.fontSize, style.leading)
        text.setFillColor(style.textColor)
        text.setTextOrigin(x, y + style.leading - style.fontSize)  # a Paragraph's first baseline
        text.textLine(self.text)  # ends with T* like a Paragraph's line, so text extraction sees a line break
        return True


def year_on_its_own_line(text: str, style: ParagraphStyle, width: float) -> str:
    """A date too wide for its cell broken once, before its year ("20 de marzo" / "de 2027",
    "March 12," / "2027"), when both parts fit: broken wherever the words fell, one row read
    "20 de / marzo de / 2027" and the next "21 de marzo / de 2027". Other text as it is."""
    words = text.split(" ")
    if len(words) < 3 or not (words[-1].isdigit() and len(words[-1]) == 4):
        return text
    year_words = 2 if len(words[-2]) <= 3 and words[-2].isalpha() else 1  # "de 2027", "del 2027"
    head, tail = words[:-year_words], words[-year_words:]
    if max(_text_width(" ".join(part), style.fontName, style.fontSize) for part in (head, tail)) > width:
        return text
    return "\u00a0".join(head) + " " + "\u00a0".join(tail)


def kept_date(date: str, style: ParagraphStyle, width: float) -> str:
    """A date to set in running text of ``width``: whole on one line where it fits ("A más tardar
    el 25 de / noviembre de 2027" split it), else broken only before its year."""
    if _text_width(date, style.fontName, style.fontSize) <= width:
        return date.replace(" ", "\u00a0")
    return year_on_its_own_line(date, style, width)


def plain_text(text: str, style: ParagraphStyle) -> Flowable:
    """Authored or formatted text (a date, a weekday) as a cheap ``TextLine`` when that draws the same, else a Paragraph."""
    return TextLine(text, style) if _is_plain(text) else paragraph(literal(text), style)


@lru_cache(maxsize=4096)
def _is_plain(text: str) -> bool:
    """Text a Paragraph would draw as it is: no whitespace to collapse, no shaping, all in the text font."""
    collapses = text != text.strip() or "  " in text or any(ch in text for ch in "\t\n\r")
    return not collapses and not needs_shaping(text) and family_for(text) == TEXT_FAMILY.name


@lru_cache(maxsize=4096)
def _text_width(text: str, font_name: str, font_size: float) -> float:
    return stringWidth(text, font_name, font_size)


def date_cell(ctx: DocumentContext, theme: Theme, day: dt.date) -> list[Flowable]:
    """A table cell with the date in bold and its weekday below, unless the clinic's date format
    names the weekday already ("Wednesday, September 1, 2027" had "Wednesday" under it again, and
    "Fri 5 Mar 2027" "Friday")."""
    cell = [plain_text(ctx.formatter.date(day), theme.style("cell_bold"))]
    if not ctx.formatter.names_weekday():
        cell.append(plain_text(ctx.formatter.weekday(day), theme.style("cell")))
    return cell
