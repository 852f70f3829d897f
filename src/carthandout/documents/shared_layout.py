"""Paragraphs that share their parsed markup and their line breaks across documents and patients.

Most of every document is the same words for every patient: headings, labels, instructions,
column heads, day numbers. reportlab parses a Paragraph's markup when it is made and breaks its
lines again on every ``wrap`` (a table wraps each cell several times), which was about a third of
the render time. ``SharedLayoutParagraph`` looks both up in per-process caches keyed by the
markup, the style object and the width.

Why sharing is safe: reportlab never changes parsed fragments or a finished line list in place
for the styles used here (left-aligned, no hyphenation, no right-to-left word order): wrapping
builds new lines and splitting builds new paragraphs. A line break result is stored only when it
was computed from the freshly parsed fragments, so a cache hit gives exactly what the paragraph
would have computed itself, whatever the process rendered before (same input, same bytes).
"""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Callable, Hashable

from reportlab.platypus import Paragraph

# Enough for every static paragraph of all documents in both print sizes and languages; a
# patient's own paragraphs (dates, names) pass through and are evicted.
PARSED_ENTRIES = 1024
WRAPPED_ENTRIES = 2048
_MIN_WIDTH = 1e-8  # reportlab's _FUZZ: narrower than this, wrap answers "does not fit" itself


class _LeastRecentlyUsed:
    """A bounded dict that forgets the entry used least recently."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, Any] = OrderedDict()

    def get(self, key: Hashable) -> Any:
        value = self._entries.get(key)
        if value is not None:
            self._entries.move_to_end(key)
        return value

    def put(self, key: Hashable, value: Any) -> None:
        self._entries[key] = value
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def clear(self) -> None:
        self._entries.clear()


_parsed = _LeastRecentlyUsed(PARSED_ENTRIES)
_wrapped = _LeastRecentlyUsed(WRAPPED_ENTRIES)


class SharedLayoutParagraph(Paragraph):
    """A reportlab Paragraph whose parse and line breaks come from the process-wide caches."""

    _parse_key: tuple | None = None
    _parsed_frags: list | None = None

    def _setup(self, text: Any, style: Any, bulletText: Any, frags: Any, cleaner: Callable) -> None:  # noqa: N803
        if frags is not None:  # the two halves of a split paragraph get their fragments handed over
            super()._setup(text, style, bulletText, frags, cleaner)
            return
        # The style object itself is in the key (identity): the cache keeps it alive, so its id
        # is never reused for another style while the entry exists.
        key = (text, style, bulletText, self.caseSensitive)
        parsed = _parsed.get(key)
        if parsed is None:
            super()._setup(text, style, bulletText, None, cleaner)
            parsed = (self.text, self.frags, self.style, self.bulletText)
            _parsed.put(key, parsed)
        else:
            self.text, self.frags, self.style, self.bulletText = parsed
            self.debug = 0
        self._parse_key, self._parsed_frags = key, parsed[1]

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        # Only a wrap from the parsed fragments is shared: after a mixed-font paragraph has been
        # wrapped once, reportlab wraps its word list instead, and that result is not reused.
        if self._parse_key is None or self.frags is not self._parsed_frags or availWidth < _MIN_WIDTH:
            return super().wrap(availWidth, availHeight)
        key = (self._parse_key, availWidth)  # line breaks do not depend on the height offered
        state = _wrapped.get(key)
        if state is None:
            before = dict(self.__dict__)
            result = super().wrap(availWidth, availHeight)
            state = {name: value for name, value in self.__dict__.items() if before.get(name, _wrapped) is not value}
            _wrapped.put(key, state)
            return result
        self.__dict__.update(state)
        return self.width, self.height


def clear_caches() -> None:
    """Forget every shared parse and line break (tests that compare a cold render use this)."""
    _parsed.clear()
    _wrapped.clear()
