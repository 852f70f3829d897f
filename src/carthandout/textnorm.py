"""Normalise free text typed by staff: NFC, tidy whitespace, refuse what cannot be printed faithfully."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
# Zero-width and direction-override characters are invisible on paper and can hide or reorder text.
_INVISIBLE = {"\u200b", "\u2060", "\ufeff", "\u00ad", "\u180e", "\u034f"}
_BIDI_CONTROLS = {chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200E, 0x200F, 0x061C)}
# ZWNJ and ZWJ spell words right in joining and Indic scripts (they steer shaping); after any other
# letter they do nothing but could draw as a box, so they are dropped there.
JOINERS = frozenset({"\u200c", "\u200d"})  # zero-width (non-)joiners: shaping controls, no glyph
_SHAPED_SCRIPT = re.compile("[\u0590-\u08ff\u0900-\u0dff\u1000-\u109f\u1780-\u17ff\ua8e0-\ua8ff\ufb1d-\ufeff]")
_REFUSED_CATEGORIES = {
    "Cc": "a control character",
    "Cf": "an invisible formatting character",
    "Cs": "a broken surrogate",
    "Co": "a private-use character",
    "Cn": "an unassigned code point",
}


def without_invisible(value: str) -> str:
    """``value`` with the zero-width and direction characters a paste can bring left out."""
    return "".join(ch for ch in value if ch not in _INVISIBLE and ch not in _BIDI_CONTROLS)


def normalise_text(value: str) -> str:
    """Return ``value`` as NFC with invisible characters dropped and whitespace collapsed.

    Raises ``ValueError`` naming the character (as U+XXXX, never the value) for characters that
    have no place in a printed document: controls, private-use and unassigned code points,
    formatting characters, and U+FFFD left behind by a wrong encoding.
    """
    text = unicodedata.normalize("NFC", value)
    _check_not_misdecoded(text)  # before the soft hyphen and the no-break space that "í" and "à" leave go
    text = _keep_needed_joiners(without_invisible(text))
    for ch in text:
        _check_printable(ch)
    _check_accents(text)
    return _SPACES.sub(" ", text).strip()


# A UTF-8 file opened as Windows-1252 and saved again (Excel does it to a CSV it is given) turns
# "José" into "JosÃ©": each accented letter two to four characters, a lead (one of these) and
# continuations (what Windows-1252 shows for the bytes 0x80 to 0xBF). The soft hyphen is one
# ("í" misread leaves it): left in, as the other invisible characters a paste brings are not.
_PASTED_INVISIBLE = (_INVISIBLE - {"\u00ad"}) | _BIDI_CONTROLS
# The five bytes Windows-1252 leaves undefined come through as these controls ("Í" as "Ã\x8d").
_CP1252_UNDEFINED = frozenset("\x81\x8d\x8f\x90\x9d")
_CONTINUATIONS = "".join(chr(byte) if chr(byte) in _CP1252_UNDEFINED else bytes([byte]).decode("cp1252")
                         for byte in range(0x80, 0xC0))
_MISREAD = re.compile(f"([\u00c2-\u00f4])([{re.escape(_CONTINUATIONS)}]{{1,3}})")
# A real name's accented letter before a pasted no-break space, a dash, a quote or an accent typed
# for an apostrophe ("Voß ", "MARTÍ PUJOL", "BØ–HANSEN", "ANDRÉ’S", "JOSÉ´S", "PEPÉ»") reads as UTF-8
# too: not counted where the word goes on as such a word would (no small letter after it, an
# accented capital only after a capital). "Ã" before one is always a misread letter ("à", "Ö").
_TYPOGRAPHIC = frozenset("\u00a0\u2018\u2019\u201c\u201d\u2022\u2013\u2014\u00ab\u00bb\u2039\u203a\u201e\u201a\u00b4")
# What "Â" and a following character misread from: a no-break space, a middle dot (Catalan l·l),
# the ordinal indicators ("MÂª Luisa", "NÂº 3").
_MISREAD_AFTER_A_CIRCUMFLEX = frozenset("\u00a0\u00b7\u00aa\u00ba")


def _check_not_misdecoded(text: str) -> None:
    """Refuse text with a sequence that reads, as UTF-8, as a letter of its word's script or as
    common punctuation ("JosÃ©", "TrÆ°Æ¡ng", "Oâ€™Brien", "Ð\x90Ð½Ð½Ð°"). Zero-width and direction
    characters, which a paste brings and Windows-1252 cannot hold, are left aside first."""
    visible = "".join(ch for ch in text if ch not in _PASTED_INVISIBLE)
    if any(_is_misread(visible, found) for found in _MISREAD.finditer(visible)):
        raise ValueError("reads as UTF-8 text opened in the wrong encoding (é turned into Ã©): "
                         "take it again from the original, saved as UTF-8")


def _is_misread(text: str, found: re.Match) -> bool:
    lead, continuations = found[1], found[2]
    needed = 1 if lead < "\u00e0" else 2 if lead < "\u00f0" else 3
    if len(continuations) < needed or _reads_as_written(text, found.start(), lead, continuations[0]):
        return False
    try:
        meant = _as_cp1252_bytes(lead + continuations[:needed]).decode("utf-8")
    except UnicodeError:
        return False
    if "\u2010" <= meant <= "\u2027" or (lead == "\u00c2" and meant in _MISREAD_AFTER_A_CIRCUMFLEX):
        return True  # a curly apostrophe or a dash ("Oâ€™Brien"), a no-break space, "ª"
    beside = text[found.start() - 1:found.start()] + text[found.start() + 1 + needed:found.start() + 2 + needed]
    latin_word = any(ch.isascii() and ch.isalpha() for ch in beside)
    return unicodedata.category(meant).startswith("L") and (not latin_word or _script(meant) in _LATIN_NAMES)


_LATIN_NAMES = ("LATIN", "MODIFIER", "FEMININE", "MASCULINE")  # how letters a Latin word may hold are named


def _reads_as_written(text: str, start: int, lead: str, follower: str) -> bool:
    """Whether an accented letter and the mark after it ("BØ–", "Voß ") stand as a real name has them."""
    if lead == "\u00c3" or follower not in _TYPOGRAPHIC:
        return False
    after = text[start + 2:start + 3]
    before = text[start - 1:start] if start else ""
    goes_on_in_small_letters = after.isalpha() and after.islower()  # "Å\xa0koda" is "Škoda"
    capital_after_small = lead.isupper() and before.isalpha() and before.islower()  # "EglÄ—" is "Eglė"
    return not goes_on_in_small_letters and not capital_after_small


def _script(letter: str) -> str:
    """The first word of a letter's Unicode name: LATIN, CYRILLIC, THAI, NKO, MODIFIER ..."""
    return unicodedata.name(letter, "").split(" ")[0]


def _as_cp1252_bytes(text: str) -> bytes:
    return b"".join(bytes([ord(ch)]) if ch in _CP1252_UNDEFINED else ch.encode("cp1252") for ch in text)


# Accents left on a Latin, Greek or Cyrillic letter once NFC has composed what it can (ą́ keeps
# one: Lithuanian, Yoruba, Navajo). Two such marks are drawn raising the rest of the line (and
# three ran up into the line above on the wallet card).
MAX_STACKED_ACCENTS = 1


def _check_accents(text: str) -> None:
    """An accent with no letter under it (after a space it sat on the space: "Ána´Bob"), or more
    loose accents on one letter of an unshaped script than print well."""
    base, stacked = " ", 0
    for ch in text:
        if unicodedata.category(ch) != "Mn":
            base, stacked = ch, 0
            continue
        if base.isspace():
            raise ValueError(f"has an accent U+{ord(ch):04X} with no letter before it")
        stacked += 1
        if stacked > MAX_STACKED_ACCENTS and not _SHAPED_SCRIPT.match(base):
            raise ValueError(f"has accents stacked on one letter that cannot be printed together (U+{ord(ch):04X})")


def _keep_needed_joiners(text: str) -> str:
    return "".join(
        ch for index, ch in enumerate(text)
        if ch not in JOINERS or (index and _SHAPED_SCRIPT.match(text[index - 1]) is not None)
    )


def _check_printable(ch: str) -> None:
    if ch.isspace() or ch in JOINERS:
        return
    if ch == "\ufffd":
        raise ValueError("contains U+FFFD (REPLACEMENT CHARACTER): the text was damaged by a wrong encoding")
    if ch == "\ufffc":  # a pasted picture or form object's stand-in: a font draws it as a dotted box
        raise ValueError("contains U+FFFC (OBJECT REPLACEMENT CHARACTER): a pasted object, not text")
    kind = _REFUSED_CATEGORIES.get(unicodedata.category(ch))
    if kind:
        raise ValueError(f"contains {kind} U+{ord(ch):04X}, which cannot be printed")
