"""Joining finished PDFs: the record packet and the cohort's print files.

The PDFs joined are our own: reportlab's output, or pypdf's for a file decrypted first. Both have
a classic cross-reference table and generation-0 objects, which is all this reader accepts.
Objects are copied as bytes with their references renumbered; streams are never decoded, so a
page costs a few microseconds to copy where qpdf (through pikepdf) took over a millisecond per
document just to open and copy it.

An object whose renumbered bytes equal one already written is not written again: the font
programs, the logo and the font dictionaries each document repeats are stored once. Pages and
annotations are never shared that way (each belongs to exactly one place in the page tree), nor
the appearance a working form field draws itself with (filling it rewrites that stream).
Same PDFs in, same bytes out: the file identifier is a digest of the content.
"""
from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path
from typing import Callable, Iterator, NamedTuple, Sequence, Union

from reportlab.pdfbase import pdfmetrics  # noqa: F401  registers reportlab's codecs, PDFDocEncoding among them

from carthandout.bounded_cache import BoundedCache
from carthandout.errors import CarthandoutError

Source = Union[bytes, Path]
PdfValue = Union[dict, list, "Ref", "Written", bytes]  # bytes: a token as read (number, name, string)


# A joined file's catalog entries for a viewer: its bookmarks shown, its title in the window's bar
# (not the file name); the record packet and the handouts print file both have bookmarks.
OUTLINED_VIEW: dict[bytes, PdfValue] = {b"/PageMode": b"/UseOutlines", b"/ViewerPreferences": {b"/DisplayDocTitle": b"true"}}


class OutlineItem(NamedTuple):
    """A bookmark of a joined file, and the bookmarks under it (shown closed)."""

    title: str
    page: int  # the page's index in the joined file
    top: float | None = None  # where on the page it opens; None: the whole page
    children: Sequence["OutlineItem"] = ()


class Ref(NamedTuple):
    """A reference to an object of the source PDF."""

    number: int


class Written(NamedTuple):
    """A reference to an object of the joined PDF."""

    number: int


class PdfFormatError(CarthandoutError):
    """A PDF this reader does not handle (never one we wrote ourselves)."""


_STARTXREF = re.compile(rb"startxref\s+(\d+)")
_XREF_HEADER = re.compile(rb"xref\s+")
_XREF_SECTION = re.compile(rb"(\d+)\s+(\d+)[ \t]*\r?\n")
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) ([nf])")
_TRAILER = re.compile(rb"\s*trailer\s*")
_OBJECT_HEADER = re.compile(rb"\d+\s+\d+\s+obj\s*")
# A literal string without unescaped nested parentheses (how reportlab and pypdf write them all);
# "(" alone starts one that has them, read by _string_end.
_PLAIN_STRING = rb"\([^()\\]*+(?:\\.[^()\\]*+)*+\)"
# In an object's bytes: a string (skipped: text is not a reference), a reference, or the start of
# stream data. A hex string can hold neither parentheses nor an R, so it needs no case of its own.
_SCAN = re.compile(rb"(" + _PLAIN_STRING + rb")|(\()|(?<!\d)(\d++)\s++\d++\s++R\b|>>\s*stream\r?\n", re.S)
_SCAN_NESTED_STRING, _SCAN_REFERENCE = 2, 3
_STRING_SPECIAL = re.compile(rb"[()\\]")
_PLAIN_STRING_RE = re.compile(_PLAIN_STRING, re.S)
_SPACE = rb"\s*(?:%[^\r\n]*\s*)*"  # white space and comments (reportlab comments its trailer)
_TOKEN = re.compile(_SPACE + rb"(?:(<<)|(\[)|(>>|\])|(" + _PLAIN_STRING + rb")|(\()|(\d+)\s+\d+\s+R\b"
                    rb"|(/[^\s/\[\]()<>{}%]*|<[0-9A-Fa-f\s]*>|[-+.\d]+|true|false|null))", re.S)
_OPEN_DICT, _OPEN_ARRAY, _CLOSE, _STRING, _NESTED_STRING, _REFERENCE, _ATOM = range(1, 8)
_REF_ARRAY = re.compile(rb"((?:\s*\d+\s+\d+\s+R\b)*)\s*\]")
_REF_NUMBER = re.compile(rb"(\d+)\s+\d+\s+R")
_NUMBER_ARRAY = re.compile(rb"((?:\s*[-+]?[\d.]+)*)\s*\]")
_INHERITED = (b"/Resources", b"/MediaBox", b"/CropBox", b"/Rotate")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


class SourcePdf:
    """A finished, unencrypted PDF, read lazily: an object is parsed only when asked for."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        found = _STARTXREF.search(data, max(0, len(data) - 1024))
        if found is None:
            raise PdfFormatError("no cross-reference table")
        xref_at = int(found.group(1))
        self._spans, trailer_at = _read_xref(data, xref_at)
        self._parsed: dict[int, PdfValue] = {}
        self.trailer, _ = parse_value(data, trailer_at)
        if b"/Encrypt" in self.trailer:
            raise PdfFormatError("encrypted: decrypt it before joining")

    def body(self, number: int) -> bytes:
        """The object's bytes between ``N 0 obj`` and ``endobj``."""
        try:
            start, end = self._spans[number]
        except KeyError:
            raise PdfFormatError(f"object {number} is referenced but missing") from None
        header = _OBJECT_HEADER.match(self.data, start, end)
        tail = self.data.rfind(b"endobj", start, end)
        if header is None or tail < 0:
            raise PdfFormatError(f"object {number} is not where the cross-reference table says")
        return self.data[header.end():tail].rstrip()

    def is_stream(self, number: int) -> bool:
        return self.body(number).endswith(b"endstream")

    def get(self, number: int) -> PdfValue:
        """The object parsed (for a stream, its dictionary); callers copy before changing it."""
        parsed = self._parsed.get(number)
        if parsed is None:
            parsed = self._parsed[number] = parsed_body(self.body(number))
        return parsed

    def get_without_strings(self, number: int) -> PdfValue:
        """The object parsed with its literal strings emptied, for reading its numbers, names and
        references: form widgets differ between patients only in their strings (field names,
        tooltips, values), so their shapes are parsed once (``parsed_body``) instead of once each."""
        return parsed_body(_PLAIN_STRING_RE.sub(b"()", self.body(number)))

    def resolve(self, value: PdfValue) -> PdfValue:
        return self.get(value.number) if isinstance(value, Ref) else value

    @property
    def catalog(self) -> dict:
        return self.resolve(self.trailer[b"/Root"])

    def info_text(self, key: bytes) -> str:
        info = self.resolve(self.trailer.get(b"/Info", {}))
        token = self.resolve(info.get(key, b"()"))
        return decode_text(token) if isinstance(token, bytes) else ""

    def pages(self) -> Iterator[tuple[int, dict]]:
        """(object number, attributes inherited from the page tree) of every page, in order."""
        yield from self._leaves(self.catalog[b"/Pages"], {})

    def page_tree_nodes(self) -> Iterator[int]:
        stack = [self.catalog[b"/Pages"]]
        while stack:
            ref = stack.pop()
            node = self.get(ref.number)
            if node.get(b"/Type") == b"/Pages":
                yield ref.number
                stack.extend(self.resolve(node.get(b"/Kids", [])))

    def _leaves(self, ref: Ref, inherited: dict) -> Iterator[tuple[int, dict]]:
        node = self.get(ref.number)
        if node.get(b"/Type") != b"/Pages":
            yield ref.number, inherited
            return
        inherited = {**inherited, **{key: node[key] for key in _INHERITED if key in node}}
        for kid in self.resolve(node.get(b"/Kids", [])):
            yield from self._leaves(kid, inherited)


def _read_xref(data: bytes, xref_at: int) -> tuple[dict[int, tuple[int, int]], int]:
    """Each object's byte span, and where the trailer dictionary starts."""
    header = _XREF_HEADER.match(data, xref_at)
    if header is None:
        raise PdfFormatError("a cross-reference stream (only tables are read)")
    offsets: dict[int, int] = {}
    position = header.end()
    while (section := _XREF_SECTION.match(data, position)) is not None:
        first, count = int(section.group(1)), int(section.group(2))
        table = data[section.end():section.end() + 20 * count]
        for index, (offset, _, kind) in enumerate(_XREF_ENTRY.findall(table)):
            if kind == b"n":
                offsets[first + index] = int(offset)
        position = section.end() + 20 * count
    trailer = _TRAILER.match(data, position)
    if trailer is None:
        raise PdfFormatError("no trailer after the cross-reference table")
    starts = sorted(offsets.values()) + [xref_at]
    ends = dict(zip(starts, starts[1:]))
    return {number: (offset, ends[offset]) for number, offset in offsets.items()}, trailer.end()


# Parsed objects shared between the PDFs a process reads: each patient's documents repeat most of
# their small objects byte for byte (form widgets and their appearances, font dictionaries, page
# tree nodes), so the print files' flattening, which reads every widget, parses each shape once.
SHARED_PARSE_MAX_BYTES = 2048
SHARED_PARSE_BUDGET = 1024 * 1024  # counted as ten times the object's bytes (about what the parsed form takes); a patient's repeats fit
_shared_parses = BoundedCache(SHARED_PARSE_BUDGET)
_shared_splits = BoundedCache(SHARED_PARSE_BUDGET // 2)


def clear_caches() -> None:
    """Forget the shared parses (tests that compare a cold join use this)."""
    _shared_parses.clear()
    _shared_splits.clear()


def parsed_body(body: bytes) -> PdfValue:
    """``parse_value`` of an object's bytes, shared between sources (never changed in place)."""
    if len(body) > SHARED_PARSE_MAX_BYTES:
        return parse_value(body, 0)[0]
    parsed = _shared_parses.get(body)
    if parsed is None:
        parsed = parse_value(body, 0)[0]
        _shared_parses.put(body, parsed, 10 * len(body))
    return parsed


def parse_value(data: bytes, position: int) -> tuple[PdfValue, int]:
    """The PDF object starting at ``position`` (after any white space), and where it ends."""
    containers: list = []  # dictionaries and arrays still open, innermost last
    keys: list = []  # for each open dictionary, the key awaiting its value (None: a key comes next)
    while True:
        token = _TOKEN.match(data, position)
        if token is None:
            raise PdfFormatError(f"unreadable object syntax at byte {position}")
        kind, position = token.lastindex, token.end()
        if kind == _OPEN_DICT or (kind == _OPEN_ARRAY and (whole := _whole_array(data, position)) is None):
            containers.append({} if kind == _OPEN_DICT else [])
            keys.append(None)
            continue
        if kind == _OPEN_ARRAY:
            value, position = whole
        elif kind == _CLOSE:
            value = containers.pop()
            keys.pop()
        elif kind == _NESTED_STRING:
            position = _string_end(data, token.start(kind))
            value = data[token.start(kind):position]
        elif kind == _REFERENCE:
            value = Ref(int(token.group(kind)))
        else:
            value = token.group(kind)
        if not containers:
            return value, position
        if isinstance(containers[-1], list):
            containers[-1].append(value)
        elif keys[-1] is None:
            keys[-1] = value
        else:
            containers[-1][keys[-1]] = value
            keys[-1] = None


def _whole_array(data: bytes, position: int) -> tuple[list, int] | None:
    """An array of references (/Kids, /Annots, /Fields) or of numbers (/Widths, /Rect) read in one go."""
    refs = _REF_ARRAY.match(data, position)
    if refs is not None:
        return [Ref(int(found)) for found in _REF_NUMBER.findall(refs.group(1))], refs.end()
    numbers = _NUMBER_ARRAY.match(data, position)
    if numbers is not None:
        return numbers.group(1).split(), numbers.end()
    return None


def _string_end(data: bytes, start: int) -> int:
    """Just past the literal string opening at ``start``: nested parentheses balance, escapes skip."""
    depth, position = 0, start
    while (special := _STRING_SPECIAL.search(data, position)) is not None:
        position = special.end()
        if special.group() == b"\\":
            position += 1
            continue
        depth += 1 if special.group() == b"(" else -1
        if depth == 0:
            return position
    raise PdfFormatError(f"unterminated string at byte {start}")


def renumbered(body: bytes, new_number: Callable[[int], int]) -> bytes:
    """``body`` with every reference outside strings and stream data replaced through ``new_number``."""
    chunks, numbers = _split_at_references(body)
    if not numbers:
        return body
    parts = [chunks[0]]
    for number, chunk in zip(numbers, chunks[1:]):
        parts += [b"%d 0 R" % new_number(number), chunk]
    return b"".join(parts)


def _split_at_references(body: bytes) -> tuple[tuple[bytes, ...], tuple[int, ...]]:
    """The bytes around each reference, and the referenced numbers; shared like ``parsed_body``."""
    if len(body) > SHARED_PARSE_MAX_BYTES:
        return _scan_references(body)
    split = _shared_splits.get(body)
    if split is None:
        split = _scan_references(body)
        _shared_splits.put(body, split, 2 * len(body))
    return split


def _scan_references(body: bytes) -> tuple[tuple[bytes, ...], tuple[int, ...]]:
    chunks, numbers, copied_to, position = [], [], 0, 0
    while (found := _SCAN.search(body, position)) is not None:
        position = found.end()
        if found.lastindex == _SCAN_NESTED_STRING:
            position = _string_end(body, found.start())
        elif found.lastindex == _SCAN_REFERENCE:
            chunks.append(body[copied_to:found.start()])
            numbers.append(int(found.group(_SCAN_REFERENCE)))
            copied_to = position
        elif found.lastindex is None:
            break  # stream data follows: never read as syntax
    chunks.append(body[copied_to:])
    return tuple(chunks), tuple(numbers)


def serialized(value: PdfValue, new_number: Callable[[int], int]) -> bytes:
    """A parsed value written back, source references renumbered through ``new_number``."""
    if isinstance(value, Ref):
        return b"%d 0 R" % new_number(value.number)
    if isinstance(value, Written):
        return b"%d 0 R" % value.number
    if isinstance(value, dict):
        return b"<< " + b" ".join(key + b" " + serialized(item, new_number) for key, item in value.items()) + b" >>"
    if isinstance(value, list):
        return b"[ " + b" ".join(serialized(item, new_number) for item in value) + b" ]"
    return value


def decode_text(token: bytes) -> str:
    """A PDF text string token, literal ``(...)`` or hex ``<...>``, as Python text."""
    if token.startswith(b"<"):
        raw = bytes.fromhex(token[1:-1].decode("ascii"))
    else:
        raw = re.sub(rb"\\([0-7]{1,3}|\r\n|.)", _unescape, token[1:-1], flags=re.S)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("extpdfdoc")  # PDFDocEncoding: reportlab writes "’" as 0x90, "•" as 0x80


def _unescape(match: re.Match) -> bytes:
    escaped = match.group(1)
    if escaped[:1].isdigit():
        return bytes([int(escaped, 8) & 0xFF])
    if escaped in (b"\n", b"\r", b"\r\n"):
        return b""  # a line continuation
    return _ESCAPES.get(escaped, escaped)


def text_string(value: str) -> bytes:
    """``value`` as a PDF text string: literal when plain ASCII, else UTF-16 with a byte order mark."""
    if value.isascii() and value.isprintable():
        return b"(" + re.sub(rb"([()\\])", rb"\\\1", value.encode("ascii")) + b")"
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def pdf_number(value: float) -> bytes:
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return b"0" if text in ("-0", "") else text.encode("ascii")


class PdfJoiner:
    """Pages of several PDFs into one; ``to_bytes`` writes the result.

    ``turn_landscape``: for a file printed duplex on the long edge, each landscape page turned
    upright with its top at the bound edge (the left of a sheet's front, the right of its back).
    Left to the printer, every landscape page was turned one way: the back of a landscape sheet
    came out upside down as the pages are turned.
    """

    def __init__(self, turn_landscape: bool = False) -> None:
        self.turn_landscape = turn_landscape
        self._bodies: list[bytes | None] = [None]  # index = object number; 0 is never used
        self._shared: dict[bytes, int] = {}
        self.pages_root = self.reserve()
        self.page_numbers: list[int] = []
        self.page_sizes: list[tuple[float, float]] = []
        self.fields: list[int] = []
        self.form: dict | None = None  # the AcroForm's entries but /Fields, in joined numbers

    def reserve(self) -> int:
        self._bodies.append(None)
        return len(self._bodies) - 1

    def set(self, number: int, body: bytes) -> None:
        self._bodies[number] = body

    def add(self, body: bytes, shareable: bool = True) -> int:
        """``body`` as a new object, or the number of an identical one already there."""
        if shareable and body in self._shared:
            return self._shared[body]
        number = self.reserve()
        self.set(number, body)
        if shareable:
            self._shared[body] = number
        return number

    def add_stream(self, content: bytes) -> int:
        return self.add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))

    def append(self, source: SourcePdf, keep_forms: bool) -> int:
        """Every page of ``source``; returns the index of the first one.

        ``keep_forms``: the form widgets stay and are listed in the joined AcroForm (reportlab's
        fields are widget and field in one object, names unique per patient). Without it the
        widgets are flattened into the page content (pre-filled dates print as they look) and the
        pages carry no annotations: for printing, where nothing is filled in on screen.
        """
        first = len(self.page_numbers)
        _DocumentCopy(self, source, keep_forms).copy_pages()
        return first

    def add_blank_page(self, width: float, height: float) -> None:
        if self.turn_landscape:
            width, height = min(width, height), max(width, height)
        body = b"<< /Type /Page /Parent %d 0 R /MediaBox [ 0 0 %s %s ] /Resources << >> >>" % (
            self.pages_root, pdf_number(width), pdf_number(height))
        self.page_numbers.append(self.add(body, shareable=False))
        self.page_sizes.append((width, height))

    def to_bytes(self, info: dict[str, str], catalog: dict[bytes, PdfValue],
                 outline: Sequence[OutlineItem] = ()) -> bytes:
        """The joined PDF: ``info`` as document information, ``catalog`` entries added to the
        catalog, and ``outline``'s bookmarks."""
        kids = b" ".join(b"%d 0 R" % page for page in self.page_numbers)
        self.set(self.pages_root, b"<< /Type /Pages /Count %d /Kids [ %s ] >>" % (len(self.page_numbers), kids))
        entries: dict[bytes, PdfValue] = {b"/Type": b"/Catalog", b"/Pages": Written(self.pages_root), **catalog}
        if outline:
            entries[b"/Outlines"] = Written(self._outline(outline))
        if self.form is not None:
            fields = b"[ " + b" ".join(b"%d 0 R" % field for field in self.fields) + b" ]"
            entries[b"/AcroForm"] = {**self.form, b"/Fields": fields}
        root = self.add(serialized(entries, _unused), shareable=False)
        info_number = self.add(serialized({b"/" + key.encode("ascii"): text_string(value)
                                           for key, value in info.items()}, _unused), shareable=False)
        return self._file(root, info_number)

    def _outline(self, items: Sequence[OutlineItem]) -> int:
        root = self.reserve()
        first, last = self._outline_items(items, root)
        # /Count: the bookmarks shown when the file opens, the top level (the ones under them are closed)
        self.set(root, b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>" % (first, last, len(items)))
        return root

    def _outline_items(self, items: Sequence[OutlineItem], parent: int) -> tuple[int, int]:
        """Writes ``items`` under ``parent``; returns the first's and the last's object numbers."""
        numbers = [self.reserve() for _ in items]
        for index, (item, number) in enumerate(zip(items, numbers)):
            entries = [b"/Title " + text_string(item.title), b"/Parent %d 0 R" % parent]
            entries += [b"/%s %d 0 R" % (key, numbers[at]) for key, at in ((b"Prev", index - 1), (b"Next", index + 1))
                        if 0 <= at < len(numbers)]
            if item.children:  # closed (a negative count): a document's headings are one click away
                first, last = self._outline_items(item.children, number)
                entries.append(b"/First %d 0 R /Last %d 0 R /Count -%d" % (first, last, len(item.children)))
            page = self.page_numbers[item.page]
            entries.append(b"/Dest [ %d 0 R /Fit ]" % page if item.top is None
                           else b"/Dest [ %d 0 R /XYZ null %s null ]" % (page, pdf_number(item.top)))
            self.set(number, b"<< " + b" ".join(entries) + b" >>")
        return numbers[0], numbers[-1]

    def _file(self, root: int, info: int) -> bytes:
        out = io.BytesIO()
        out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(self._bodies[1:], start=1):
            offsets.append(out.tell())
            out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
        xref_at = out.tell()
        with out.getbuffer() as written:  # sha256: a third of md5's time here (the processor does it)
            digest = hashlib.sha256(written).hexdigest()[:32].encode("ascii")
        out.write(b"xref\n0 %d\n0000000000 65535 f \n" % len(self._bodies))
        out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
        out.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [ <%s> <%s> ] >>\nstartxref\n%d\n%%%%EOF\n"
                  % (len(self._bodies), root, info, digest, digest, xref_at))
        return out.getvalue()


def _unused(number: int) -> int:
    raise AssertionError(f"source reference {number} in a value built for the joined PDF")


class _DocumentCopy:
    """One source PDF's pages copied into a joiner: source object numbers mapped to joined ones."""

    def __init__(self, joiner: PdfJoiner, source: SourcePdf, keep_forms: bool) -> None:
        self.joiner, self.source, self.keep_forms = joiner, source, keep_forms
        self.numbers: dict[int, int] = {node: joiner.pages_root for node in source.page_tree_nodes()}
        self.in_progress: set[int] = set()
        self.unshared: set[int] = set()  # annotations: each belongs to one page

    def copy_pages(self) -> None:
        pages = list(self.source.pages())
        for page, _ in pages:  # numbered first: annotations and links point at pages
            self.numbers[page] = self.joiner.reserve()
        for page, inherited in pages:
            self._copy_page(page, inherited)
        if self.keep_forms:
            self._list_fields()

    def new_number(self, old: int) -> int:
        """The joined object for source object ``old``, copied (with what it references) on first use."""
        if old in self.numbers:
            return self.numbers[old]
        if old in self.in_progress:  # a cycle: number it now, fill it in when its copy finishes
            self.numbers[old] = self.joiner.reserve()
            return self.numbers[old]
        self.in_progress.add(old)
        body = renumbered(self.source.body(old), self.new_number)
        self.in_progress.discard(old)
        if old in self.numbers:
            self.joiner.set(self.numbers[old], body)
        else:
            self.numbers[old] = self.joiner.add(body, shareable=old not in self.unshared)
        return self.numbers[old]

    def _copy_page(self, page_number: int, inherited: dict) -> None:
        page = {**inherited, **self.source.get(page_number), b"/Parent": Written(self.joiner.pages_root)}
        annotations = [ref for ref in self.source.resolve(page.pop(b"/Annots", [])) if isinstance(ref, Ref)]
        if self.keep_forms and annotations:
            self.unshared.update(ref.number for ref in annotations)
            self.unshared.update(number for ref in annotations for number in self._own_appearances(ref))
            page[b"/Annots"] = annotations
        elif annotations:
            self._flatten(page, annotations)
        number = self.numbers[page_number]
        size = _size(self.source.resolve(page.get(b"/MediaBox", [b"0", b"0", b"612", b"792"])))
        if self.joiner.turn_landscape and size[0] > size[1]:
            front = len(self.joiner.page_numbers) % 2 == 0
            turned = int(self.source.resolve(page.get(b"/Rotate", b"0"))) + (270 if front else 90)
            page[b"/Rotate"] = b"%d" % (turned % 360)
        self.joiner.set(number, serialized(page, self.new_number))
        self.joiner.page_numbers.append(number)
        self.joiner.page_sizes.append(size)

    def _own_appearances(self, ref: Ref) -> Iterator[int]:
        """A working field's appearance streams (not its states'): filling a text field rewrites
        the stream it has, so two fields sharing one showed each other's value."""
        appearances = self.source.resolve(self.source.get_without_strings(ref.number).get(b"/AP", {}))
        for key in (b"/N", b"/D", b"/R"):
            appearance = appearances.get(key)
            if isinstance(appearance, Ref) and self.source.is_stream(appearance.number):
                yield appearance.number

    def _list_fields(self) -> None:
        """The source's form fields (widgets are copied with their pages) listed in the joined AcroForm."""
        form = self.source.resolve(self.source.catalog.get(b"/AcroForm", {}))
        fields = self.source.resolve(form.get(b"/Fields", []))
        self.joiner.fields.extend(self.new_number(ref.number) for ref in fields if isinstance(ref, Ref))
        if fields and self.joiner.form is None:
            self._take_form()

    def _take_form(self) -> None:
        form = dict(self.source.resolve(self.source.catalog.get(b"/AcroForm", {})))
        form.pop(b"/Fields", None)
        self.joiner.form = _written(form, self.new_number)

    def _flatten(self, page: dict, annotations: list[Ref]) -> None:
        """Each printable annotation's appearance drawn into the page, as a viewer prints it."""
        placed = [_placement(self.source, ref) for ref in annotations]
        placed = [entry for entry in placed if entry is not None]
        if not placed:
            return
        resources = dict(self.source.resolve(page.get(b"/Resources", {})))
        xobjects = dict(self.source.resolve(resources.get(b"/XObject", {})))
        drawing = [b"Q"]
        for index, (appearance, matrix) in enumerate(placed):
            name = b"/CarthandoutFlat%d" % index
            xobjects[name] = appearance
            drawing.append(b"q %s cm %s Do Q" % (b" ".join(pdf_number(value) for value in matrix), name))
        resources[b"/XObject"] = xobjects
        page[b"/Resources"] = resources
        contents = page.get(b"/Contents", [])
        if isinstance(contents, Ref) and not self.source.is_stream(contents.number):
            contents = self.source.get(contents.number)
        contents = contents if isinstance(contents, list) else [contents]
        page[b"/Contents"] = [Written(self.joiner.add_stream(b"q")), *contents,
                              Written(self.joiner.add_stream(b"\n".join(drawing)))]


def _written(value: PdfValue, new_number: Callable[[int], int]) -> PdfValue:
    """A parsed source value with its references already renumbered into the joined PDF."""
    if isinstance(value, Ref):
        return Written(new_number(value.number))
    if isinstance(value, dict):
        return {key: _written(item, new_number) for key, item in value.items()}
    if isinstance(value, list):
        return [_written(item, new_number) for item in value]
    return value


_HIDDEN, _PRINT = 2, 4


def _placement(source: SourcePdf, ref: Ref) -> tuple[Ref, tuple[float, ...]] | None:
    """(appearance stream, matrix placing it on the page) of a printable annotation, else None."""
    annotation = source.get_without_strings(ref.number)
    flags = int(source.resolve(annotation.get(b"/F", b"0")))
    normal = source.resolve(annotation.get(b"/AP", {})).get(b"/N")
    if isinstance(normal, Ref) and not source.is_stream(normal.number):
        normal = source.get(normal.number)
    if isinstance(normal, dict):  # one appearance per state: the current one
        normal = normal.get(annotation.get(b"/AS"))
    if flags & _HIDDEN or not flags & _PRINT or not isinstance(normal, Ref):
        return None
    form = source.get(normal.number)
    rect = _floats(source.resolve(annotation[b"/Rect"]))
    bbox = _floats(source.resolve(form.get(b"/BBox", [b"0", b"0", b"1", b"1"])))
    matrix = _floats(source.resolve(form.get(b"/Matrix", [b"1", b"0", b"0", b"1", b"0", b"0"])))
    return normal, _fit(bbox, matrix, rect)


def _fit(bbox: list[float], matrix: list[float], rect: list[float]) -> tuple[float, ...]:
    """The matrix mapping the appearance's transformed bounding box onto the annotation's rectangle
    (PDF 32000-1, 12.5.5)."""
    a, b, c, d, e, f = matrix
    corners = [(a * x + c * y + e, b * x + d * y + f) for x in (bbox[0], bbox[2]) for y in (bbox[1], bbox[3])]
    left, bottom = min(x for x, _ in corners), min(y for _, y in corners)
    width, height = max(x for x, _ in corners) - left, max(y for _, y in corners) - bottom
    rect_left, rect_bottom = min(rect[0], rect[2]), min(rect[1], rect[3])
    scale_x = abs(rect[2] - rect[0]) / width if width else 1.0
    scale_y = abs(rect[3] - rect[1]) / height if height else 1.0
    return scale_x, 0.0, 0.0, scale_y, rect_left - left * scale_x, rect_bottom - bottom * scale_y


def _floats(values: list) -> list[float]:
    return [float(value) for value in values]


def _size(mediabox: list) -> tuple[float, float]:
    left, bottom, right, top = _floats(mediabox)
    return right - left, top - bottom


def open_pdf(source: Source, password: str = "") -> SourcePdf:
    """A PDF from its bytes (as rendered) or from a file already written (encrypted with ``password``)."""
    data = source if isinstance(source, (bytes, bytearray)) else Path(source).read_bytes()
    return SourcePdf(decrypted(bytes(data), password) if password else bytes(data))


def decrypted(data: bytes, password: str) -> bytes:
    """An encrypted PDF of ours rewritten without encryption (pypdf), to be joined."""
    from pypdf import PdfReader, PdfWriter  # only runs that encrypt pay for importing pypdf

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        reader.decrypt(password)
    writer = PdfWriter(clone_from=reader)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
