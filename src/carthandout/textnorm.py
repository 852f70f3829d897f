"""Normalise free text typed by staff: NFC, tidy whitespace, refuse invisible or control characters."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Zero-width and direction-override characters are invisible on paper and can hide or reorder text.
# ZWJ and ZWNJ (U+200D, U+200C) stay: several scripts need them to spell words right.
_INVISIBLE = {"\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e"}
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}


def normalise_text(value: str) -> str:
    """Return ``value`` as NFC with invisible characters dropped and whitespace collapsed.

    Raises ``ValueError`` for control characters, which have no place in a printed document.
    """
    text = unicodedata.normalize("NFC", value)
    text = "".join(ch for ch in text if ch not in _INVISIBLE and ch not in _BIDI_CONTROLS)
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and not ch.isspace():
            raise ValueError(f"contains a control or unassigned character U+{ord(ch):04X}")
    return _SPACES.sub(" ", text).strip()
