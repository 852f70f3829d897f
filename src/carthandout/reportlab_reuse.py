"""Work reportlab repeats for every PDF although its result is the same: done once per process.

Every document embeds subsets of the same fonts and the same logo. reportlab builds each font
subset again from the font file, and deflates every stream again, for every PDF it writes:
about a fifth of a batch's time, nearly all of it on bytes identical to the previous patient's.
``install()`` puts two bounded caches in front of that work:

- font subsets, keyed by the font file and the characters of the subset (a font file does not
  change while the process runs), kept once they come back a third time: a subset holding the
  letters of one patient's name (an accent the documents' own words do not have) passes through;
- deflated streams, keyed by the exact bytes deflated (font programs, character maps, the logo),
  kept once they come back a third time (a page's own content stream, new every time, passes
  through; a wallet card's face, drawn again on the cohort's card sheets, too).

Both give back exactly the bytes reportlab would have computed, so output stays byte-identical
whatever was rendered before in the process. Their budgets hold what a one-language cohort's
documents share, with room to spare, not much more: kept larger (8 MB each), they filled with
values made for a few patients, and a worker's memory grew with the cohort.

An image drawn in every document (the clinic's logo) is prepared once per process: reportlab's
``drawImage`` hashes the decoded pixels twice and compresses them again for every PDF, most of
a page header's time; ``draw_prepared_image`` registers copies of the finished image objects.

It also gives reportlab's object writer (``pdfdoc.format``, called for every number, name and
value of every dictionary: a form's widgets alone are thousands) a short path for numbers,
names and bytes, and remembers the spelling of each dictionary key; same bytes again.

Five changes it does make. A glyph that shaping makes and no character names (a Devanagari
conjunct) gets the private-use code point U+E000 plus its glyph number, where reportlab gave the
next free one in the order the process met them: a patient's PDF differed with what the same
worker had drawn before (``--jobs 2`` gave other bytes than ``--jobs 1``). And a font subset's
tag (the ``AAAAAA+`` before its name) comes from the subset's program instead of its number in
the document, so that PDFs joined into one (the record packet, the print files) never hold two
different subsets under one name (ISO 32000-1, 9.6.4). And its time stamp, which goes into every
file identifier, is the invariant one whatever SOURCE_DATE_EPOCH says (``FixedTimeStamp``).
And the fonts' ToUnicode maps read shaped Arabic's positional forms as the letters they are
(``_read_as_letters``): reportlab's gave the forms, and the patient's name could not be found.
And the text font's first subset holds the same characters in every document of a language
(``canonical_subsets``), where reportlab numbered them in the order a document met them.
"""
from __future__ import annotations

import copy
import hashlib
import io
import operator
import re
import time
import unicodedata
import zlib
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, NamedTuple

from PIL import Image, ImageOps
from reportlab import rl_config
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.utils import ImageReader, TimeStamp, _digester
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfgen.canvas import Canvas

from carthandout.bounded_cache import BoundedCache
from carthandout.edits import PATIENT_KEY

SUBSET_BYTES = 1280 * 1024  # subsets held, per process (a CJK fallback subset can be large)
DEFLATED_BYTES = 2 * 1024 * 1024  # inputs and outputs held, per process
CMAP_BYTES = 256 * 1024
DEFLATED_KEPT_FROM = 3  # see deflate
SUBSET_KEPT_FROM = 3  # a subset holding one patient's letters is made once, or for a few patients
NUMBER_ARRAY_ENTRIES = 256
NUMBER_ARRAY_KEPT_FROM = 2  # a subset's widths: kept when the subset comes back
NAMES_KEPT = 512  # names and short strings: each new subset brings a new font name, met once
SHORT_TEXT = 64
PRINT_DPI = 300  # an image is never embedded with more pixels than this needs at its drawn size
RESAMPLE_ABOVE = 1.25  # an image with less than this many times the pixels needed is kept as it is
JPEG_QUALITY = 90

_make_subset = ttfonts.TTFontFile.makeSubset
_make_to_unicode_cmap = ttfonts.makeToUnicodeCMap
_add_font_objects = ttfonts.TTFont.addObjects
_add_private_glyph = ttfonts.TTFont._TTFont__addPrivate  # type: ignore[attr-defined]
PRIVATE_USE = range(0xE000, 0xF900)  # the Basic Multilingual Plane's private use area
_subset_tags: dict[int, bytes] = {}  # a font's subset number -> tag, while its objects are added
_programs_now: dict[tuple, Any] = {}  # the subsets' programs, while a font's objects are added
_format = pdfdoc.format
_pdfdoc_encoded = pdfdoc.pdfdocEnc
_format_dictionary = pdfdoc.PDFDictionary.format
_pdf_name = pdfdoc.PDFName


_subsets = BoundedCache(SUBSET_BYTES, keep_from=SUBSET_KEPT_FROM)
_deflated = BoundedCache(DEFLATED_BYTES, keep_from=DEFLATED_KEPT_FROM)
_cmaps = BoundedCache(CMAP_BYTES, keep_from=SUBSET_KEPT_FROM)
_number_arrays = BoundedCache(NUMBER_ARRAY_ENTRIES, keep_from=NUMBER_ARRAY_KEPT_FROM)  # widths, rectangles


class SubsetProgram(NamedTuple):
    data: bytes  # the font program
    tag: bytes  # six capital letters from its digest (``subset_tag``)


def subset_program(face: ttfonts.TTFontFile, subset: list[int]) -> SubsetProgram:
    """``TTFontFile.makeSubset`` and the subset's tag, once per font file and set of characters
    that comes back: within one document's save, from ``_programs_now``."""
    key = _subset_key(face, subset)
    program = _programs_now.get(key) or _subsets.get(key)
    if program is None:
        data = _make_subset(face, subset)
        program = SubsetProgram(data, _content_tag(face.name, data))
        _subsets.put(key, program, len(data))
    return program


def _subset_key(face: ttfonts.TTFontFile, subset: list[int]) -> tuple:
    return face.filename, getattr(face, "subfontNameX", b""), tuple(subset)


def make_subset(face: ttfonts.TTFontFile, subset: list[int]) -> bytes:
    """``TTFontFile.makeSubset`` through ``subset_program``."""
    return subset_program(face, subset).data


def to_unicode_cmap(font_name: str, subset: list[int]) -> str:
    """``ttfonts.makeToUnicodeCMap``, once per subset that comes back (every document embeds the
    same ones), with Arabic's presentation forms read as their letters (``_read_as_letters``)."""
    key = (font_name, tuple(subset))
    cmap = _cmaps.get(key)
    if cmap is None:
        cmap = _unicode_cmap(font_name, subset)
        _cmaps.put(key, cmap, len(cmap))
    return cmap


def _unicode_cmap(font_name: str, subset: list[int]) -> str:
    cmap = _make_to_unicode_cmap(font_name, subset)
    if not any(code in ARABIC_PRESENTATION_FORMS for code in subset):
        return cmap
    # reportlab's map, each presentation form's line giving the letters instead
    return "\n".join(_read_as_letters(line) for line in cmap.split("\n"))


# Shaped Arabic is drawn in the letters' positional forms, and reportlab's map gave those code
# points (U+FExx): a search for the name typed found nothing, and a screen reader read odd signs.
# A ligature reads as its letters in logical order (lam-alef as lam, alef): right for pypdf and
# for search in PDF viewers; poppler and mutool, which reorder a line's glyphs, read it reversed.
ARABIC_PRESENTATION_FORMS = frozenset((*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)))
_BFCHAR_LINE = re.compile(r"^(<[0-9A-F]{2}>) <([0-9A-F]{4})>$")


def _read_as_letters(line: str) -> str:
    """A map line ``<code> <unicode>`` with a presentation form's code point replaced by its letters."""
    found = _BFCHAR_LINE.match(line)
    if not found or int(found[2], 16) not in ARABIC_PRESENTATION_FORMS:
        return line
    letters = unicodedata.normalize("NFKC", chr(int(found[2], 16)))
    if letters.startswith(" ") and all(unicodedata.combining(mark) for mark in letters[1:]):
        letters = letters[1:]  # an isolated vowel mark's form: a space before it split the word
    return f"{found[1]} <{letters.encode('utf-16-be').hex().upper()}>"


def add_private_glyph(font: ttfonts.TTFont, name: str, gid: int, advance: float) -> int:
    """``TTFont.__addPrivate``: the code point for a shaped glyph without a character of its own,
    U+E000 plus its glyph number, the same in every process. A font too big for that (none that
    shaping meets among the bundled ones) falls back to reportlab's numbering."""
    code = PRIVATE_USE.start + gid
    face = font.face
    if face.charToGlyph.get(code) == gid:
        return code
    if code not in PRIVATE_USE or code in face.charToGlyph:
        return _add_private_glyph(font, name, gid, advance)
    face.charToGlyph[code] = gid
    face.glyphToChar.setdefault(gid, []).append(code)
    face.charWidths[code] = advance
    return code


def add_font_objects(font: ttfonts.TTFont, doc: Any) -> None:
    """``TTFont.addObjects``, each subset named with its own tag (``subset_tag``): every document
    numbered its subsets from AAAAAA+, and the record packet held five different programs named
    AAAAAA+AtkinsonHyperlegible-Bold, which a print driver that keys fonts by name may mix up."""
    state = font.state.get(doc)
    subsets = state.subsets if state is not None else []
    try:
        for number, subset in enumerate(subsets):  # reportlab asks for each program again: kept here till then
            program = _programs_now[_subset_key(font.face, subset)] = subset_program(font.face, subset)
            _subset_tags[number] = program.tag
        _add_font_objects(font, doc)
    finally:
        _subset_tags.clear()
        _programs_now.clear()


def subset_tag(number: int) -> bytes:
    """``ttfonts.SUBSETN`` while ``add_font_objects`` runs: the tag it worked out for the subset."""
    return _subset_tags[number]


def _content_tag(face_name: bytes, program: bytes) -> bytes:
    """Six capital letters from a digest of the subset's font program (the same subset, the same tag)."""
    digest = hashlib.sha256(face_name + program).digest()
    return bytes(ord("A") + byte % 26 for byte in digest[:6])


def deflate(data: bytes, *args: Any) -> bytes:
    """``zlib.compress``, once per distinct input that comes back.

    An input is kept only the third time it is seen: a page's content stream, new for every
    patient, or a wallet card's face, drawn twice for a patient in a batch (its own PDF and the
    cohort's card sheets), would otherwise fill the cache with bytes never asked for again: the
    cache grew with the cohort and pushed out the fonts and the logo, which come back in every
    document.
    """
    if args:
        return zlib.compress(data, *args)
    key = bytes(data)
    compressed = _deflated.get(key)
    if compressed is None:
        compressed = zlib.compress(key)
        _deflated.put(key, compressed, len(key) + len(compressed))
    return compressed


def format_element(element: Any, document: Any, toplevel: int = 0) -> bytes:
    """``pdfdoc.format``: numbers, text and bytes directly, anything else as reportlab does."""
    kind = type(element)
    if kind is float or kind is int:
        return fp_str(element).encode("latin-1")  # digits, sign and point: the same in PDFDocEncoding
    if kind is str:  # names and operators repeat; longer text (encoded streams) does not
        return _encoded(element) if len(element) <= SHORT_TEXT else pdfdoc_encoded(element)
    if kind is bytes:
        return element
    if kind is pdfdoc.PDFArray and _NUMBERS.issuperset(map(type, element.sequence)):
        return _number_array(tuple(element.sequence), element.multiline)  # font widths, rectangles
    return _format(element, document, toplevel)


_NUMBERS = frozenset((int, float))


def _number_array(numbers: tuple[float, ...], multiline: Any) -> bytes:
    key = (numbers, multiline)
    formatted = _number_arrays.get(key)
    if formatted is None:
        array = pdfdoc.PDFArray(numbers)
        array.multiline = multiline
        formatted = array.format(None)
        _number_arrays.put(key, formatted)
    return formatted


@lru_cache(maxsize=NAMES_KEPT)
def _encoded(text: str) -> bytes:
    return text.encode("extpdfdoc")


_NOT_IN_PDFDOC = re.compile(rb"[\x18-\x1f]")  # the only ASCII PDFDocEncoding gives other letters (accents)


def pdfdoc_encoded(text: Any) -> Any:
    """``pdfdoc.pdfdocEnc`` (text in PDFDocEncoding; bytes as they are), with ASCII (every object
    header, reference and page stream) encoded directly: the codec's lookup by name and its
    mapping in Python cost more than writing the bytes. The same bytes, and the same error for
    the characters it refuses."""
    if type(text) is str and text.isascii():
        encoded = text.encode("ascii")
        if not _NOT_IN_PDFDOC.search(encoded):
            return encoded
    return _pdfdoc_encoded(text)


pdf_name = lru_cache(maxsize=NAMES_KEPT)(_pdf_name)


@lru_cache(maxsize=2048)
def _key(name: str) -> bytes:
    """A dictionary key as ``PDFDictionary.format`` writes it, with the space after it."""
    return _pdf_name(name).encode("extpdfdoc") + b" "


def format_dictionary(dictionary: pdfdoc.PDFDictionary, document: Any, IND: bytes = b"\n ") -> bytes:  # noqa: N803
    """``PDFDictionary.format``, with each key's spelling remembered: the same bytes."""
    entries = dictionary.dict
    keys = list(entries) if isinstance(entries, OrderedDict) else sorted(entries)
    if not all(type(key) is str for key in keys):
        return _format_dictionary(dictionary, document, IND)
    lines = [_key(key) + format_element(entries[key], document) for key in keys]
    if (dictionary.multiline and rl_config.pdfMultiLine) or dictionary.multiline == "forced":
        return b"<<\n" + IND.join(lines) + b"\n>>"
    for index in reversed(range(6, len(lines), 6)):  # a line break every six entries
        lines.insert(index, b"\n ")
    return b"<<\n" + b" ".join(lines) + b"\n>>"


class PreparedImage(NamedTuple):
    name: str  # what drawImage names it: a digest of the pixels and the mask
    image: pdfdoc.PDFImageXObject  # pixels compressed
    soft_mask: pdfdoc.PDFImageXObject | None  # the alpha channel, when there is one


@lru_cache(maxsize=8)
def prepared_image(path: Path, box: tuple[float, float]) -> PreparedImage:
    """The image objects ``drawImage(ImageReader(path), ..., mask="auto")`` makes, made once.

    ``box`` (width, height in points) is the largest the image is drawn: an image with far more
    pixels than that needs at PRINT_DPI is scaled down first. A 3000-pixel logo from a brand
    kit otherwise made every PDF 6 MB, a cohort's files tens of gigabytes.
    """
    reader = ImageReader(_print_resolution(path, box))
    pixels = reader.getRGBData()  # also splits off the alpha channel, as _dataA
    alpha = reader._dataA
    name = _digester(pixels + (alpha.getRGBData() if alpha else b"auto"))
    image = pdfdoc.PDFImageXObject(name, reader, mask="auto")
    image.name = name
    soft_mask = image.__dict__.pop("_smask", None)
    return PreparedImage(name, image, soft_mask)


def _print_resolution(path: Path, box: tuple[float, float]) -> str | io.BytesIO | Image.Image:
    """The image file, or the image scaled down to PRINT_DPI when drawn as large as ``box`` allows.

    A JPEG stays a JPEG (embedded as it is, so small); anything else becomes RGB pixels, with
    its transparency kept as an alpha channel. An image stored on its side (a camera's EXIF
    orientation) is turned upright, and 16-bit grey is brought to 8 bits: embedded as they are,
    the first printed sideways and the second almost blank (Pillow clips 16-bit values at 255).
    """
    with Image.open(path) as original:
        image = _upright_8_bit(original)
        width, height = image.size
        points_per_pixel = min(box[0] / width, box[1] / height)
        share_needed = points_per_pixel * PRINT_DPI / 72
        has_alpha = image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info
        target = "RGBA" if has_alpha else "RGB"
        size = (max(1, round(width * share_needed)), max(1, round(height * share_needed)))
        if share_needed * RESAMPLE_ABOVE >= 1:  # no pixels to spare: the size as it is
            if image is original:
                return str(path)
            scaled = image.convert(target)
        elif image.mode in _RESIZABLE:  # scaled down first: no full-size copy of a large file's pixels
            scaled = image.resize(size, Image.LANCZOS, reducing_gap=REDUCING_GAP).convert(target)
        else:
            scaled = image.convert(target).resize(size, Image.LANCZOS, reducing_gap=REDUCING_GAP)
        if original.format != "JPEG":
            return scaled
    jpeg = io.BytesIO()
    scaled.save(jpeg, format="JPEG", quality=JPEG_QUALITY)
    jpeg.seek(0)
    return jpeg


_RESIZABLE = ("RGB", "RGBA", "L", "LA")
REDUCING_GAP = 3.0  # Pillow shrinks by whole factors first, then resamples: as good to the eye, far less work
_EXIF_ORIENTATION = 0x0112
_SIXTEEN_BIT_GREY = ("I;16", "I;16B", "I;16L", "I;16N")


def _upright_8_bit(image: Image.Image) -> Image.Image:
    """``image`` itself when it is upright and 8 bits a channel; else an upright 8-bit copy."""
    # A PNG's 32-bit grey can only be 16-bit grey: Pillow before 10.3 opens it as "I", not "I;16".
    sixteen_bit = image.mode in _SIXTEEN_BIT_GREY or (image.mode == "I" and image.format == "PNG")
    if image.getexif().get(_EXIF_ORIENTATION, 1) != 1:
        image = ImageOps.exif_transpose(image)
    if sixteen_bit or image.mode in ("I", "F"):
        grey = image.convert("I") if image.mode in _SIXTEEN_BIT_GREY else image
        scale = 255 / 65535 if sixteen_bit else min(1.0, 255 / (grey.getextrema()[1] or 1))
        image = grey.point(lambda value: value * scale).convert("L")
    return image


def draw_prepared_image(canvas: Canvas, prepared: PreparedImage, x: float, y: float,
                        width: float, height: float) -> None:
    """``canvas.drawImage`` of a prepared image: the same objects and operators, registered from
    copies (the canvas sets attributes on what it registers) instead of made again."""
    canvas._currentPageHasImages = 1
    document = canvas._doc
    registered = document.getXObjectName(prepared.name)
    if not document.idToObject.get(registered, None):
        image = copy.copy(prepared.image)
        canvas._setXObjects(image)
        document.Reference(image, registered)
        document.addForm(prepared.name, image)
        if prepared.soft_mask is not None:
            mask_registered = document.getXObjectName(prepared.soft_mask.name)
            if not document.idToObject.get(mask_registered, None):
                soft_mask = copy.copy(prepared.soft_mask)
                canvas._setXObjects(soft_mask)
                image.smask = document.Reference(soft_mask, mask_registered)
            else:
                image.smask = pdfdoc.PDFObjectReference(mask_registered)
    canvas.saveState()
    canvas.translate(x, y)
    canvas.scale(width, height)
    canvas._code.append(f"/{registered} Do")
    canvas.restoreState()
    canvas._formsinuse.append(prepared.name)


def set_patient_key(canvas: Canvas, key: str) -> None:
    """The document information entry naming the patient the document is for (``edits``)."""
    canvas._doc.info.patient_key = key


def info_without_dates(info: pdfdoc.PDFInfo, document: Any) -> bytes:
    """reportlab's document information dictionary without CreationDate and ModDate. Output is
    the same bytes for the same input, so reportlab's invariant mode wrote 1 January 2000 there,
    which a health record showed as the document's date. Without one, it takes the file's own.
    With the patient's key, when the document is one patient's (``set_patient_key``)."""
    entries = {"Title": info.title, "Author": info.author, "Producer": info.producer, "Creator": info.creator,
               "Subject": info.subject, "Keywords": info.keywords}
    if getattr(info, "patient_key", ""):
        entries[PATIENT_KEY] = info.patient_key
    dictionary = {key: pdfdoc.PDFString(value) for key, value in entries.items()}
    dictionary["Trapped"] = pdfdoc.PDFName(info.trapped)
    return pdfdoc.PDFDictionary(dictionary).format(document)


class FixedTimeStamp(TimeStamp):
    """reportlab's invariant-mode time stamp (1 January 2000), whatever SOURCE_DATE_EPOCH says:
    the stamp goes into every file identifier (/ID), so the variable gave the same input other
    bytes. No date is written in the documents (``info_without_dates``)."""

    def __init__(self, invariant: Any = None) -> None:
        self.t = INVARIANT_TIME
        self.lt = time.gmtime(INVARIANT_TIME)
        self.YMDhms = tuple(self.lt)[:6]
        self.dhh = self.dmm = 0
        self.tzname = "UTC"


INVARIANT_TIME = 946684800.0  # what reportlab's invariant mode stamps


_STATE_NAMES = tuple(Canvas.STATE_ATTRIBUTES)
_state_of = operator.itemgetter(*_STATE_NAMES)


def push_state_stack(canvas: Canvas) -> None:
    """reportlab's, the state kept as a tuple taken in one call: every flowable drawn saves it."""
    canvas.state_stack.append(_state_of(canvas.__dict__))
    canvas._extgstate = canvas._extgstate.pushCopy()


def pop_state_stack(canvas: Canvas) -> None:
    canvas.__dict__.update(zip(_STATE_NAMES, canvas.state_stack.pop()))


_canonical_fonts: frozenset[str] = frozenset()
_characters_written_in: Callable[[str | None], str] = lambda language: ""


def canonical_subsets(font_names: set[str], characters_written_in: Callable[[str | None], str]) -> None:
    """Give each document the same first subset of these fonts, whoever the patient is.

    reportlab numbers a document's characters beyond ASCII in the order it meets them, so a name
    with an accent the documents' words do not have (met on the first page) renumbered every
    character after it: each such patient's documents got font subsets of their own, made,
    deflated and kept again (a third of a cohort of varied names), and the record packet held a
    different program of the text font for every document in it. Now a document's first subset
    is ASCII and ``characters_written_in(language)`` (the document's /Lang; None: every
    language's) in code point order, and any other character opens a second subset: the first
    is the same program in every document of a language, which the packet and the print files
    hold once, and the second holds a patient's few letters.
    """
    global _canonical_fonts, _characters_written_in
    _canonical_fonts, _characters_written_in = frozenset(font_names), characters_written_in


def _seeding_split_string(split_string: Callable) -> Callable:
    def seeding(font: ttfonts.TTFont, text: str, doc: Any, *args: Any) -> Any:
        if doc not in font.state and font.fontName in _canonical_fonts:
            font.state[doc] = _seeded_state(font, _characters_written_in(_document_language(doc)))
        return split_string(font, text, doc, *args)
    seeding.seeds_subsets = True  # type: ignore[attr-defined]
    return seeding


FIRST_SUBSET_FREE_CODES = range(1, 32)  # reportlab's codes 1-31 of the first subset: the rest is ASCII
SECOND_SUBSET = 256


def _seeded_state(font: ttfonts.TTFont, characters: str) -> Any:
    """A font's state in a new document: ``characters`` coded 1, 2, ... in its first subset, and
    the next new character in the second subset (reportlab opens one at code 256)."""
    state = ttfonts.TTFont.State(font._asciiReadable, font)
    if state.frozen or state.nextCode != FIRST_SUBSET_FREE_CODES.start:  # a whole font, or not ASCII-readable
        return state
    has_glyph = font.face.charToGlyph
    codes = [code for code in map(ord, characters) if code in has_glyph and code not in state.assignments]
    for number, code in zip(FIRST_SUBSET_FREE_CODES, codes):
        state.subsets[0][number] = code
        state.assignments[code] = number
    state.nextCode = SECOND_SUBSET
    return state


def _document_language(doc: Any) -> str | None:
    """The language a reportlab document was given (its catalog's /Lang), without its region."""
    language = getattr(getattr(doc, "Catalog", None), "Lang", None)
    return str(getattr(language, "s", "")).split("-")[0] or None


def install() -> None:
    """Route reportlab's subsetting, deflating and object writing through the shortcuts (idempotent)."""
    # reportlab wraps page, form and image streams in ASCII85 by default, a 7-bit armour for mail
    # transports of the 1990s: a quarter more bytes and an encoding pass for every page. The file
    # is binary anyway (the font programs are).
    rl_config.useA85 = 0
    ttfonts.TTFontFile.makeSubset = make_subset
    ttfonts.makeToUnicodeCMap = to_unicode_cmap
    ttfonts.TTFont.addObjects = add_font_objects
    ttfonts.TTFont._TTFont__addPrivate = add_private_glyph  # type: ignore[attr-defined]
    ttfonts.SUBSETN = subset_tag
    pdfdoc.format = format_element
    pdfdoc.pdfdocEnc = pdfdoc_encoded
    pdfdoc.PDFDictionary.format = format_dictionary
    pdfdoc.PDFName = pdf_name
    pdfdoc.PDFInfo.format = info_without_dates
    pdfdoc.TimeStamp = FixedTimeStamp
    Canvas.push_state_stack = push_state_stack
    Canvas.pop_state_stack = pop_state_stack
    if not getattr(ttfonts.TTFont.splitString, "seeds_subsets", False):
        ttfonts.TTFont.splitString = _seeding_split_string(ttfonts.TTFont.splitString)
    if not isinstance(pdfdoc.zlib, _ZlibWithCache):
        pdfdoc.zlib = _ZlibWithCache()


class _ZlibWithCache:
    """Stands in for the ``zlib`` module inside reportlab's pdfdoc: ``compress`` is cached."""

    compress = staticmethod(deflate)

    def __getattr__(self, name: str) -> Any:
        return getattr(zlib, name)


def clear_caches() -> None:
    _subsets.clear()
    _deflated.clear()
    _cmaps.clear()
    _number_arrays.clear()
