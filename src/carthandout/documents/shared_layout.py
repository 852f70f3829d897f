"""Paragraphs that share their parsed markup and their line breaks across documents and patients.

Most of every document is the same words for every patient: headings, labels, instructions,
column heads, day numbers. reportlab parses a Paragraph's markup when it is made and breaks its
lines again on every ``wrap`` (a table wraps each cell several times), which was about a third of
the render time. ``SharedLayoutParagraph`` looks both up in per-process caches keyed by the
markup, the style object and the width. Drawing the same lines again produces the same PDF
operators, provided the document codes the characters the same way in its font subsets (checked
on every replay), so they are recorded once and replayed.

Why sharing is safe: reportlab never changes parsed fragments or a finished line list in place
for the styles used here (left-aligned, no hyphenation, no right-to-left word order): wrapping
builds new lines and splitting builds new paragraphs. A line break result is stored only when it
was computed from the freshly parsed fragments, so a cache hit gives exactly what the paragraph
would have computed itself, whatever the process rendered before (same input, same bytes).
"""
from __future__ import annotations

import copy
import weakref
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.pdfdoc import PDFDocument
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Paragraph
from reportlab.platypus.paragraph import textTransformFrags
from reportlab.platypus.paraparser import ParaParser

from carthandout.bounded_cache import BoundedCache
from carthandout.documents.bookmarks import note_drawn
from carthandout.pdfjoin import text_string

# Enough for every static paragraph of all documents in both print sizes and languages; a
# patient's own paragraphs (dates, names) pass through and are evicted. Line breaks are kept
# only for text met before (its parse came from the cache): a name met once never takes one of
# their entries, which are the biggest (about 2.4 KB).
PARSED_ENTRIES = 1024
WRAPPED_ENTRIES = 1024
CODED_ENTRIES = 1024  # 91% of lookups found (4096: 94%, and 5 MB a worker)
_MIN_WIDTH = 1e-8  # reportlab's _FUZZ: narrower than this, wrap answers "does not fit" itself


_parsed = BoundedCache(PARSED_ENTRIES)
_wrapped = BoundedCache(WRAPPED_ENTRIES)
_coded = BoundedCache(CODED_ENTRIES)
_plain_probes = BoundedCache(PARSED_ENTRIES)
PLAIN_PROBE = "plain"


@contextmanager
def marked_span(canvas: Any, entry: str, text: str) -> Iterator[None]:
    """What is drawn inside, in a marked-content /Span whose properties give ``entry`` as ``text``
    (/ActualText: what it reads as; /Lang: the language it is written in)."""
    canvas._code.append(f"/Span <</{entry} {text_string(text).decode('ascii')}>> BDC")
    try:
        yield
    finally:
        canvas._code.append("EMC")


class SharedLayoutParagraph(Paragraph):
    """A reportlab Paragraph whose parse and line breaks come from the process-wide caches."""

    _parse_key: tuple | None = None
    _parsed_frags: list | None = None
    _lines_shared = False  # True once its line breaks came from the cache: the same text seen before
    _met_before = False  # its parse came from the cache
    _last_shared_wrap: tuple[float, tuple[float, float]] | None = None  # (width, size) of its last shared wrap
    _shared_frags: list | None = None  # its fragments as that wrap left them
    # What the paragraph reads as, for text extraction, when its glyphs do not say it (shaped
    # Devanagari came out as private-use characters). Set on a whole paragraph only (a split half
    # has none), by ``documents.base.paragraph``.
    actual_text: str | None = None
    bookmark: str | None = None  # a heading's title in the document's outline (``documents.bookmarks``)

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Callable) -> None:  # noqa: N803
        if frags is not None:  # the two halves of a split paragraph get their fragments handed over
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        # The style object itself is in the key (identity): the cache keeps it alive, so its id
        # is never reused for another style while the entry exists.
        key = (text, style, bulletText, self.caseSensitive)
        parsed = _parsed.get(key)
        if parsed is None:
            parsed = _parsed_plain(text, style, self.caseSensitive, cleaner) if bulletText is None else None
            if parsed is None:
                super()._setup(text, style, bulletText, None, cleaner)
                parsed = (self.text, self.frags, self.style, self.bulletText)
            _parsed.put(key, parsed)
        else:
            self._met_before = True
        self.text, self.frags, self.style, self.bulletText = parsed
        self.debug = 0
        self._parse_key, self._parsed_frags = key, parsed[1]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._parse_key is None or availWidth < _MIN_WIDTH:
            return super().wrap(availWidth, availHeight)
        last = self._last_shared_wrap
        # A table wraps each cell again to draw it: the same width, the same lines. A split that
        # found no room drops blPara: wrap anew.
        if (last is not None and last[0] == availWidth and "blPara" in self.__dict__
                and self.frags is self._shared_frags):
            return last[1]
        # Only a wrap from the parsed fragments is shared: after a mixed-font paragraph has been
        # wrapped once, reportlab wraps its word list instead, and that result is not reused.
        if self.frags is not self._parsed_frags:
            return super().wrap(availWidth, availHeight)
        size = self._shared_wrap(availWidth, availHeight)
        self._last_shared_wrap = (availWidth, size)
        self._shared_frags = self.frags  # a mixed-font paragraph's are now its word list
        return size

    def _shared_wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        key = (self._parse_key, availWidth)  # line breaks do not depend on the height offered
        state = _wrapped.get(key)
        if state is None:
            if not self._met_before:
                return super().wrap(availWidth, availHeight)
            before = dict(self.__dict__)
            result = super().wrap(availWidth, availHeight)
            state = {name: value for name, value in self.__dict__.items() if before.get(name, _wrapped) is not value}
            _wrapped.put(key, state)
            return result
        self.__dict__.update(state)
        self._lines_shared = True
        return self.width, self.height

    def will_repeat(self) -> None:
        """Record this wrapped paragraph's drawing for replay although its lines were not shared:
        one paragraph object drawn again and again (the header band's on every page, a wallet
        card's authored lines on every patient's card) is repeated text as surely as a line met
        before."""
        if "blPara" in self.__dict__:
            self._lines_shared = True
            self._shared_frags = self.frags

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N802,N803
        if self.bookmark is not None:
            note_drawn(canvas, self.bookmark, x, y + self.height)
        if self.actual_text is None:
            self._draw_on(canvas, x, y, _sW)
            return
        with marked_span(canvas, "ActualText", self.actual_text):
            self._draw_on(canvas, x, y, _sW)

    def _draw_on(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        """Replayed lines go straight into the page: the same ``q``, ``cm`` and ``Q`` as
        ``Flowable.drawOn`` writes around them, without its save and restore of canvas state."""
        code = self._recorded_code(canvas._doc)
        if code is None or getattr(self, "_showBoundary", 0):
            super().drawOn(canvas, x, y, _sW)
            return
        x = self._hAlignAdjust(x, _sW)
        canvas._code.append("q")
        canvas._code.append(f"{fp_str(1, 0, 0, 1, x, y)} cm")
        canvas._code.extend(code)
        canvas._code.append("Q")

    def draw(self) -> None:
        """Shared lines are drawn once per process and their PDF operators recorded for replay.

        The operators name font subsets and character codes that each document assigns in the
        order it first meets them. A replay is exact only where this document already has the
        very names and codes the recorded drawing used: checked every time, else drawn anew.
        """
        if not self._may_replay():
            return super().draw()
        canvas = self.canv
        code = self._recorded_code(canvas._doc)
        if code is not None:
            canvas._code.extend(code)
            return None
        start = len(canvas._code)
        with _fonts_used() as used:
            super().draw()
        code = canvas._code[start:]
        fonts = _replayable_fonts(used, code, self._parsed_frags or self.frags)
        codes = None if fonts is None else _font_codes(fonts, canvas._doc)
        self.blPara._replay = (weakref.ref(self.blPara), code, fonts, codes)
        return None

    def _may_replay(self) -> bool:
        # Only lines already met once are recorded: a patient's own words (met once) would be
        # recorded for nothing.
        return (self._lines_shared and "blPara" in self.__dict__ and self.frags is self._shared_frags
                and not self.style.shaping)

    def _recorded_code(self, doc: PDFDocument) -> list[str] | None:
        if not self._may_replay():
            return None
        recorded = self.blPara.__dict__.get("_replay")
        if recorded is None or recorded[0]() is not self.blPara:  # a clone of the lines carries it too
            return None
        _, code, fonts, codes = recorded
        return code if fonts is not None and codes == _font_codes(fonts, doc) else None


def _parsed_plain(text: str, style: Any, case_sensitive: int, cleaner: Callable) -> tuple | None:
    """What reportlab's parse makes of text without tags or entities (a patient's own paragraphs,
    met once: most of the parsing left), without running the markup parser: one fragment, a copy
    of the one it makes for any other plain text in that style, with this text. None for markup."""
    if "<" in text or "&" in text:
        return None
    cleaned = cleaner(text)
    probe = _plain_probe(style, case_sensitive)
    if not cleaned or probe is None:
        return None
    parsed_style, probe_fragment = probe
    fragment = copy.copy(probe_fragment)
    fragment.text = cleaned
    fragments = [fragment]
    textTransformFrags(fragments, parsed_style)
    return cleaned, fragments, parsed_style, None


def _plain_probe(style: Any, case_sensitive: int) -> tuple | None:
    """The parser's style and single fragment for a plain word in ``style``, parsed once per style."""
    key = (style, case_sensitive)
    probe = _plain_probes.get(key)
    if probe is None:
        parser = ParaParser()
        parser.caseSensitive = case_sensitive
        parsed_style, fragments, bullet_fragments = parser.parse(PLAIN_PROBE, style)
        one_fragment = fragments is not None and len(fragments) == 1 and not bullet_fragments
        probe = (parsed_style, fragments[0]) if one_fragment else False
        _plain_probes.put(key, probe)
    return probe or None


def clear_caches() -> None:
    """Forget every shared parse, line break and drawing (tests that compare a cold render use this)."""
    _parsed.clear()
    _wrapped.clear()
    _coded.clear()
    _plain_probes.clear()


_fonts_touched: list[tuple[str, str]] | None = None
_split_string = TTFont.splitString
_internal_font_name = PDFDocument.getInternalFontName


def _recording_split_string(font: TTFont, text: str, doc: Any, *args: Any) -> Any:
    if _fonts_touched is not None:
        _fonts_touched.append((font.fontName, text))
    return _split_string(font, text, doc, *args)


def _recording_internal_font_name(doc: PDFDocument, name: str) -> Any:
    if _fonts_touched is not None:
        _fonts_touched.append((name, ""))
    return _internal_font_name(doc, name)


_format_text = PDFTextObject._formatText


def _remembered_format_text(text_object: PDFTextObject, text: Any) -> str:
    """``PDFTextObject._formatText`` for TrueType text, the operators remembered per process.

    Text drawn anew (a table's dates and day numbers, a line that a replay could not take) asks
    the font to code it character by character, a tenth of a document's drawing. The same text,
    font, size and leading, starting in the same subset, give the same operators wherever the
    document codes its characters as it did when they were made (``_font_codes``, checked every
    time, as for replays); then coding them again would change nothing in the document either.
    """
    if type(text) is not str or _fonts_touched is not None:  # shaped text; a drawing being recorded
        return _format_text(text_object, text)
    name = text_object._fontname
    key = (name, text_object._fontsize, text_object._leading, text_object._curSubset, text)
    doc = text_object._canvas._doc
    remembered = _coded.get(key)
    if remembered is not None:
        fonts, codes, code, last_subset = remembered
        if codes == _font_codes(fonts, doc):
            text_object._curSubset = last_subset
            return code
    code = _format_text(text_object, text)
    if getattr(getFont(name), "_dynamicFont", 0):
        fonts = {name: tuple(sorted(_coded_characters(text)))}
        _coded.put(key, (fonts, _font_codes(fonts, doc), code, text_object._curSubset))
    return code


TTFont.splitString = _recording_split_string
PDFDocument.getInternalFontName = _recording_internal_font_name
PDFTextObject._formatText = _remembered_format_text


@contextmanager
def _fonts_used() -> Iterator[list[tuple[str, str]]]:
    """(font name, text) for every font and text a drawing asks the document to encode."""
    global _fonts_touched
    outer, _fonts_touched = _fonts_touched, []
    used = _fonts_touched
    try:
        yield used
    finally:
        _fonts_touched = outer
        if outer is not None:
            outer.extend(used)


def _replayable_fonts(used: list[tuple[str, str]], code: list[str], frags: list) -> dict[str, tuple[int, ...]] | None:
    """Font name -> the characters encoded in it; None when a replay could not be exact
    (links or images, whose objects the document must hold; graphics states, likewise)."""
    if any(getattr(frag, "link", None) or hasattr(frag, "cbDefn") for frag in frags) or any(" gs" in op for op in code):
        return None
    chars: dict[str, set[int]] = {}
    for name, text in used:
        chars.setdefault(name, set()).update(_coded_characters(text))
    return {name: tuple(sorted(codes)) for name, codes in chars.items()}


def _coded_characters(text: str) -> set[int]:
    """The characters a TrueType font codes for ``text``: reportlab codes a no-break space as a space."""
    return {32 if c == 0xA0 else c for c in map(ord, text)}


def _font_codes(fonts: dict[str, tuple[int, ...]], doc: PDFDocument) -> tuple:
    """How ``doc`` names those fonts and codes those characters now."""
    result = []
    for name, chars in fonts.items():
        font = getFont(name)
        state = font.state.get(doc) if getattr(font, "_dynamicFont", 0) else None
        result.append((doc.fontMapping.get(name), state and tuple(map(state.assignments.get, chars))))
    return tuple(result)

