"""Bundled fonts: registration, glyph coverage, and per-field font choice.

reportlab draws a missing glyph as an empty box without a word of warning, so every filled-in
value is checked against the real character maps of the bundled fonts. The text font is
Atkinson Hyperlegible; values it cannot print fall back, per field (or per word when no single
font covers the field), to the first font of the chain that covers them. A shaped word
(Arabic, Hebrew, Indic) never switches font inside itself: shaping would break.
"""
from __future__ import annotations

import re
import html
import struct
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple, Sequence

from reportlab.lib.fonts import addMapping, ps2tt, tt2ps
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, TTFontFace

from carthandout import reportlab_reuse, shaping
from carthandout.errors import InputError
from carthandout.resources import package_dir, packaged_path
from carthandout.textnorm import JOINERS

shaping.install()
reportlab_reuse.install()

# Characters the code sets between authored words (bullets, the footer's dot, dashes, quotes).
TYPESET_CHARACTERS = "\u2022\u00b7\u2013\u2014\u2019"
# Accented letters of names, the commonest first (Spanish names' first: the papers' second
# language, and most accented names a US center sees): as many as the text font's first subset
# has room for beside a language's own characters, so that most names need no second subset.
NAME_LETTERS = "áéíóúñÁÉÓÍÚüçàèöäãâêôõøåëïßìòùîûÑÜÇÖÄ"
FIRST_SUBSET_ROOM = 31  # reportlab's codes 1-31; the first subset's others are ASCII


@lru_cache(maxsize=None)
def first_subset_characters(language: str | None) -> str:
    """What the text font's first subset holds beyond ASCII in every document of ``language``
    (every language's, for None), in code point order (``reportlab_reuse.canonical_subsets``):
    every character its documents are written with, then accented letters of names."""
    written = sorted(_written_characters(language))
    letters = [letter for letter in NAME_LETTERS if letter not in written]
    return "".join(sorted(written + letters[:max(0, FIRST_SUBSET_ROOM - len(written))]))


def _written_characters(language: str | None) -> set[str]:
    handouts = package_dir("handouts")
    folders = [handouts / language] if language else sorted(handouts.iterdir(), key=lambda entry: entry.name)
    texts = [entry.read_text(encoding="utf-8") for folder in folders if folder.is_dir()
             for entry in sorted(folder.iterdir(), key=lambda entry: entry.name) if entry.name.endswith(".yaml")]
    found = {character for text in (*texts, TYPESET_CHARACTERS) for character in text if ord(character) > 127}
    return found - {"\u00a0"}  # reportlab sets a no-break space as a space


def escape(text: str) -> str:
    """``&``, ``<`` and ``>`` as entities, so text is never read as paragraph markup.

    (``xml.sax.saxutils.escape`` does the same, but importing it pulls in urllib and http: 60 ms
    of start-up.)
    """
    return html.escape(text, quote=False)


@dataclass(frozen=True)
class FontFamily:
    name: str
    regular: str
    bold: str
    italic: str | None = None
    bold_italic: str | None = None
    # Characters this family is bundled for (a regex character class). A value with none of them
    # never loads the family: the big script fonts stay unread for a plain Latin run.
    serves: str = ""

    def faces(self) -> dict[tuple[int, int], str]:
        """(bold, italic) -> file name; missing styles reuse the nearest face."""
        return {
            (0, 0): self.regular,
            (1, 0): self.bold,
            (0, 1): self.italic or self.regular,
            (1, 1): self.bold_italic or self.bold,
        }

    def may_print(self, text: str) -> bool:
        return not self.serves or re.search(f"[{self.serves}]", text) is not None


TEXT_FAMILY = FontFamily(
    "Atkinson",
    "AtkinsonHyperlegible-Regular.ttf",
    "AtkinsonHyperlegible-Bold.ttf",
    "AtkinsonHyperlegible-Italic.ttf",
    "AtkinsonHyperlegible-BoldItalic.ttf",
)
# Tried in order for text the text font cannot print (fonts/README.md says why these fonts).
FALLBACK_FAMILIES: tuple[FontFamily, ...] = (
    FontFamily("NotoSans", "NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),  # Latin Extended, Greek, Cyrillic
    FontFamily("NotoSansArabic", "NotoSansArabic-Regular.ttf", "NotoSansArabic-Bold.ttf",
               serves="\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"),
    FontFamily("NotoSansHebrew", "NotoSansHebrew-Regular.ttf", "NotoSansHebrew-Bold.ttf",
               serves="\u0590-\u05ff\ufb1d-\ufb4f"),
    FontFamily("NotoSansDevanagari", "NotoSansDevanagari-Regular.ttf", "NotoSansDevanagari-Bold.ttf",
               serves="\u0900-\u097f\ua8e0-\ua8ff\u1cd0-\u1cff"),
    # Chinese and Japanese; 4 MB, so one face (bold prints as regular).
    FontFamily("DroidSansFallback", "DroidSansFallbackFull.ttf", "DroidSansFallbackFull.ttf",
               serves="\u2e80-\u2fdf\u3000-\u30ff\u3190-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
                      "\uf900-\ufaff\uff00-\uffef\U00020000-\U0003134f"),
    FontFamily("NanumSquare", "NanumSquareR.ttf", "NanumSquareB.ttf",  # Korean
               serves="\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff"),
)
FAMILIES = {family.name: family for family in (TEXT_FAMILY, *FALLBACK_FAMILIES)}

# Scripts whose letters change shape or direction: their text is set with shaping on.
_NEEDS_SHAPING = re.compile(
    "[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff"  # Hebrew, Arabic, Syriac, Thaana, NKo and presentation forms
    "\u0900-\u0dff\u1000-\u109f\u1780-\u17ff\ua8e0-\ua8ff\u1cd0-\u1cff]"  # Indic, Myanmar, Khmer
)


def face_name(family: FontFamily, bold: bool = False, italic: bool = False) -> str:
    return f"{family.name}-{'B' if bold else ''}{'I' if italic else ''}".rstrip("-")


reportlab_reuse.canonical_subsets({face_name(TEXT_FAMILY, bool(bold), bool(italic)) for bold in (0, 1) for italic in (0, 1)},
                                   first_subset_characters)


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
    """Code points every face of the family draws (bold text must not box either).

    A character the font maps to a glyph without an outline is not covered: NanumSquare maps
    4,620 Chinese characters to empty glyphs, so "王小明 김민수" printed as blank space and "김민수".
    """
    family = register_family(name)
    faces = [pdfmetrics.getFont(face).face for face in {tt2ps(family.name, bold, italic) for bold, italic in family.faces()}]
    drawn = [_drawn(face) for face in faces]
    return frozenset(code for code in drawn[0] if all(code in other for other in drawn[1:]))


def _drawn(face: TTFontFace) -> set[int]:
    """The code points ``face`` maps to a glyph with an outline, or to a glyph that is blank by
    nature (spaces, joiners, format characters)."""
    blank = _outline_less_glyphs(face)
    return {code for code, glyph in face.charToGlyph.items()
            if glyph not in blank or unicodedata.category(chr(code))[0] in "ZC"}


def _outline_less_glyphs(face: TTFontFace) -> set[int]:
    """Glyph ids whose outline in the ``glyf`` table is empty (a zero-length ``loca`` entry)."""
    if "loca" not in face.table or "head" not in face.table:
        return set()
    face.seek_table("head", 50)
    long_offsets = face.read_short() == 1  # indexToLocFormat
    count = face.numGlyphs
    offsets = struct.unpack_from(f">{count + 1}{'L' if long_offsets else 'H'}", face._ttf_data, face.seek_table("loca"))
    return {glyph for glyph in range(count) if offsets[glyph + 1] == offsets[glyph]}


def needs_glyph(ch: str) -> bool:
    """Joiners steer shaping and take no glyph; every other character must be in the chosen font."""
    return not ch.isspace() and ch not in JOINERS


def covers(name: str, text: str) -> bool:
    """True if the family ``name`` has a glyph for every character of ``text`` that needs one."""
    if not FAMILIES[name].may_print(text):
        return False
    cmap = coverage(name)
    return all(ord(ch) in cmap for ch in text if needs_glyph(ch))


def family_for(text: str) -> str | None:
    """The first family (text font first) that prints every character of ``text``.

    Combining accents that NFC could not join to their letter (Ğ̈, ą́) need marks drawn without
    advancing: the text font's marks advance like letters, the fallback's do not.
    """
    loose_marks = any(unicodedata.category(ch) == "Mn" for ch in text)
    for name in FAMILIES:
        if loose_marks and name == TEXT_FAMILY.name:
            continue
        if covers(name, text):
            return name
    return None


def needs_shaping(text: str) -> bool:
    """Scripts whose letters join or reorder, and accents that must be placed on their letter."""
    return bool(_NEEDS_SHAPING.search(text)) or any(unicodedata.category(ch) == "Mn" for ch in text)


class Rich(NamedTuple):
    """Paragraph markup, plus whether its paragraph must be set with shaping on.

    ``plain``: the text as read, in logical order, where it differs from the markup's text (a
    right-to-left value's words are in the markup in drawing order); kept only for text that
    needs shaping, whose drawn glyphs may not extract as the letters
    (``SharedLayoutParagraph.actual_text``).
    """

    markup: str
    shaping: bool = False
    plain: str | None = None

    @property
    def text(self) -> str:
        return self.plain if self.plain is not None else html.unescape(_TAG.sub("", self.markup))

    def __add__(self, other: "Rich") -> "Rich":  # type: ignore[override]
        return joined_rich((self, other))


_TAG = re.compile(r"<[^>]*>")


def joined_rich(parts: Sequence[Rich]) -> Rich:
    """The parts' markup one after the other; their text too where any part needs shaping."""
    shaping = any(part.shaping for part in parts)
    return Rich("".join(part.markup for part in parts), shaping,
                "".join(part.text for part in parts) if shaping else None)


def bold(rich: Rich) -> Rich:
    """``rich`` set in bold."""
    return rich._replace(markup=f"<b>{rich.markup}</b>")


def literal(text: str) -> Rich:
    """Authored text known to be covered by the text font, escaped."""
    return Rich(escape(text))


@lru_cache(maxsize=512)  # a cohort's clinic and policy values repeat for every patient, dates for many
def rich_value(text: str, field: str) -> Rich:
    """A filled-in value as safe markup: escaped, and in a font that covers every character.

    Raises ``InputError`` naming the field and the character when no bundled font covers it.
    """
    shaping = needs_shaping(text)
    whole = family_for(text)
    pieces: list[tuple[str | None, str]] = []  # (family, text) runs of each word; spaces (None, " ")
    for word in re.split(r"(\s+)", text):
        if word.isspace():
            pieces.append((None, word))
        elif word:
            pieces.extend([(whole, word)] if whole is not None else _word_runs(word, field))
    runs: list[tuple[str, str]] = []
    for family, chunk in _visual_order(pieces):
        if runs and family in (None, runs[-1][0]):
            runs[-1] = (runs[-1][0], runs[-1][1] + chunk)
        else:
            runs.append((family or TEXT_FAMILY.name, chunk))
    return Rich("".join(_wrap(chunk, family) for family, chunk in runs), shaping, text if shaping else None)


_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
_MIRRORED = str.maketrans("()[]{}<>«»‹›", ")(][}{><»«›‹")


def has_right_to_left(text: str) -> bool:
    return _RIGHT_TO_LEFT.search(text) is not None


def _direction(text: str) -> str:
    """"R" (right-to-left letters), "L" (left-to-right letters, or both kinds), or "N" (neither)."""
    kinds = {unicodedata.bidirectional(ch) for ch in text}
    return "L" if "L" in kinds else "R" if kinds & {"R", "AL"} else "N"


def _visual_order(pieces: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """A value's words and font runs in the order a left-to-right line must draw them.

    reportlab shapes each word (each font run of it) right to left, but draws the words and runs
    in typed order: the name ישראל כהן read "כהן ישראל", and ז'ק (Hebrew, an apostrophe from the
    text font, Hebrew) read ק'ז. As the Unicode bidi algorithm orders an isolated value whose
    direction is its first letter's: a right-to-left value is drawn in reverse, its left-to-right
    runs (a Latin surname) keeping their own order; in a left-to-right value each run of
    right-to-left words is reversed. A bracket of its own in right-to-left order is mirrored:
    (محمد) علي. Digits are kept as typed (``_digits_apart``, ``_against_shaping``). A value broken
    over two lines would keep this order across them: a short one is kept on one (``_unbroken``).
    """
    if not any(_RIGHT_TO_LEFT.search(chunk) for _, chunk in pieces):
        return pieces
    pieces = [part for piece in pieces for digits_apart in _digits_apart(piece) for part in _edges_apart(digits_apart)]
    kinds = [_direction(chunk) for _, chunk in pieces]
    base = next((kind for kind in kinds if kind != "N"), None)
    if base is None:  # no letters with a direction (an MRN or phone in Arabic-Indic digits, ،): as typed
        return [_against_shaping(piece, whole=True) for piece in pieces]
    pieces = [_against_shaping(piece) for piece in pieces]
    segments = _runs_of(pieces, kinds, "R" if base == "L" else "L")
    if base == "L":
        ordered = [piece for is_other, segment in segments for piece in (_mirrored(segment[::-1]) if is_other else segment)]
    else:
        ordered = [piece for is_other, segment in segments[::-1] for piece in (segment if is_other else _mirrored(segment))]
    return _unbroken(ordered) if len("".join(chunk for _, chunk in pieces)) <= MAX_UNBROKEN_RIGHT_TO_LEFT else ordered


def _runs_of(pieces: list[tuple[str | None, str]], kinds: list[str],
            other: str) -> list[tuple[bool, list[tuple[str | None, str]]]]:
    """``pieces`` as segments: (True, a run of the ``other`` direction, with the pieces without a
    direction between its own), or (False, one piece)."""
    segments: list[tuple[bool, list[tuple[str | None, str]]]] = []
    index = 0
    while index < len(pieces):
        end = index
        if kinds[index] == other:
            for later in range(index + 1, len(pieces)):
                if kinds[later] == other:
                    end = later
                elif kinds[later] != "N":
                    break
        segments.append((kinds[index] == other, pieces[index:end + 1]))
        index = end + 1
    return segments


# A right-to-left value up to this long is never broken over two lines (its drawn order would run
# across them: its first words started the second line); a longer one may still be.
MAX_UNBROKEN_RIGHT_TO_LEFT = 30


def _unbroken(pieces: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    """The spaces as no-break spaces, each a run of the text font: in the script's font it would
    join its neighbours into one run that HarfBuzz reverses again."""
    return [(TEXT_FAMILY.name, "\u00a0" * len(chunk)) if family is None else (family, chunk) for family, chunk in pieces]


_ASCII_DIGITS = re.compile(r"([0-9]+)")


def _digits_apart(piece: tuple[str | None, str]) -> list[tuple[str | None, str]]:
    """ASCII digits in a right-to-left run as runs of their own, from the text font: shaped with
    the letters, right to left, محمد12 printed 21."""
    family, chunk = piece
    if family in (None, TEXT_FAMILY.name) or not _ASCII_DIGITS.search(chunk) or not _RIGHT_TO_LEFT.search(chunk):
        return [piece]
    return [(TEXT_FAMILY.name if part.isdigit() else family, part) for part in _ASCII_DIGITS.split(chunk) if part]


_SCRIPT_DIGITS = re.compile("[\u0660-\u0669\u06f0-\u06f9]+")


def _against_shaping(piece: tuple[str | None, str], whole: bool = False) -> tuple[str | None, str]:
    """A run with Arabic-Indic or Persian digits, reversed where HarfBuzz will reverse it again:
    it shapes a run of Arabic script right to left, digits too (MRN ١٢٣٤٥٦ printed ٦٥٤٣٢١).
    ``whole``: the run has no letters, and is to read as typed (brackets mirrored back as well);
    else each number is, as the bidi algorithm keeps numbers inside right-to-left text."""
    family, chunk = piece
    if family is None or not _SCRIPT_DIGITS.search(chunk):
        return piece
    if whole:
        return family, chunk[::-1].translate(_MIRRORED)
    return family, _SCRIPT_DIGITS.sub(lambda number: number.group()[::-1], chunk)


def _edges_apart(piece: tuple[str | None, str]) -> list[tuple[str | None, str]]:
    """A left-to-right run with the punctuation at its ends as runs of their own ("-Levi": "-",
    "Levi"), which take the direction of what is around them. A right-to-left run stays whole:
    it is shaped, and reversed, as one."""
    family, chunk = piece
    if _direction(chunk) != "L":
        return [piece]
    strong = [index for index, ch in enumerate(chunk) if unicodedata.bidirectional(ch) in ("L", "R", "AL")]
    first, last = strong[0], strong[-1] + 1
    return [(family, part) for part in (chunk[:first], chunk[first:last], chunk[last:]) if part]


def _mirrored(pieces: list[tuple[str | None, str]]) -> list[tuple[str | None, str]]:
    return [(family, chunk.translate(_MIRRORED) if _direction(chunk) == "N" else chunk) for family, chunk in pieces]


def _word_runs(word: str, field: str) -> list[tuple[str, str]]:
    """One word as (family, text) runs: one family if any prints it all, else a font for each
    run of characters (a CJK name joined to a hyphen or digits: Droid Sans Fallback has no
    Latin; ז'ק or (محمد): the Hebrew and Arabic fonts have no ASCII punctuation). A shaped word's
    runs are shaped one at a time (``shaping``) and ordered right to left by reportlab's bidi."""
    family = family_for(word)
    if family is not None:
        return [(family, word)]
    runs: list[tuple[str, str]] = []
    for cluster in _clusters(word):
        family = family_for(cluster)
        if family is None:
            raise InputError(field, _uncovered_message(cluster), sensitive=True)
        if runs and runs[-1][0] == family:
            runs[-1] = (family, runs[-1][1] + cluster)
        else:
            runs.append((family, cluster))
    return runs


def _clusters(word: str) -> list[str]:
    """Characters with the combining marks and joiners that follow them (they share a font)."""
    clusters: list[str] = []
    for ch in word:
        if clusters and (unicodedata.category(ch).startswith("M") or ch in JOINERS):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _uncovered_message(word: str) -> str:
    for ch in word:
        if needs_glyph(ch) and family_for(ch) is None:
            return f"character {described(ch)} is not in any bundled font, so it cannot be printed"
    # Every character has a font, but no font has them all. A loose accent rules out the text
    # font (family_for), so then the accent is one of the pair.
    marks = [ch for ch in word if unicodedata.category(ch) == "Mn"]
    anchor = marks[0] if marks else word[0]
    family = family_for(anchor) or TEXT_FAMILY.name
    other = next((ch for ch in word if needs_glyph(ch) and not covers(family, ch)), None)
    if other is None:
        return "no single bundled font prints this word's characters together; separate them with a space"
    return (f"one word mixes {described(anchor)} and {described(other)}, which no single bundled font prints "
            "together; separate them with a space")


def described(ch: str) -> str:
    return f"U+{ord(ch):04X} ({unicodedata.name(ch, 'unnamed character')})"


def _wrap(text: str, family: str) -> str:
    if family == TEXT_FAMILY.name:
        return escape(text)
    register_family(family)
    return f'<font face="{family}">{escape(text)}</font>'


_WEIGHT_TAGS = re.compile(r'(<b>|</b>|<font face="[^"]+">)')


@lru_cache(maxsize=1024)  # the same authored markup in the same styles for every patient
def with_inherited_weight(markup: str, style_font: str) -> str:
    """Make fallback runs follow the surrounding weight.

    reportlab's ``<font face="Family">`` resets bold to the face it names, so a name in a bold
    cell would print regular. Each fallback tag is rewritten to the face of the weight in force.
    """
    try:
        bold = ps2tt(style_font)[1]
    except ValueError:  # a standard font such as Helvetica-Bold that no family mapping names
        bold = int("bold" in style_font.lower())
    out = []
    for piece in _WEIGHT_TAGS.split(markup):
        if piece == "<b>":
            bold += 1
        elif piece == "</b>":
            bold -= 1
        elif piece.startswith('<font face="') and piece[12:-2] in FAMILIES:
            piece = f'<font face="{tt2ps(piece[12:-2], int(bold > 0), 0)}">'
        out.append(piece)
    return "".join(out)
