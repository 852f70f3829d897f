"""Content packs: load and check the words under handouts/, and fill in a patient's fields safely.

Authored text knows one piece of markup, ``**bold**``. Everything else, and every filled-in
value, is escaped: a value is inserted as text after the template is parsed, so it is never read
as markup or as a template.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping

import yaml
from babel import Locale, UnknownLocaleError

from carthandout.errors import ContentError
from carthandout.typefaces import TEXT_FAMILY, Rich, coverage, described, escape, joined_rich, needs_glyph
from carthandout.placeholders import KNOWN_PLACEHOLDERS, LAYOUT_TOKENS
from carthandout.resources import package_dir, read_yaml_document

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
# Tokens common.yaml's labels and units take besides the layout's: the footer's birth date, the
# "(continued)" caption's heading, a print file's part.
COMMON_TOKENS = frozenset({"birth", "heading", "part"})
# Keys of a content pack that describe it rather than hold its words.
PACK_METADATA_KEYS = frozenset({"id", "language", "title", "version", "reviewed", "sources", "labels"})
_VERSION = re.compile(r"^\d+\.\d+(\.\d+)?$")
REQUIRED_TEXT_KEYS = ("id", "language", "title", "version", "reviewed")


@dataclass(frozen=True)
class ContentPack:
    id: str
    language: str
    title: str
    version: str
    reviewed: str
    sources: Mapping[str, str]
    labels: Mapping[str, str]
    data: Mapping[str, Any] = field(repr=False)
    origin: str = ""
    doubts: tuple[str, ...] = ()  # what check fails on and a run warns of, but does not stop: a written duration

    def label(self, key: str) -> str:
        try:
            return self.labels[key]
        except KeyError:
            raise ContentError(f"{self.origin}: labels.{key} is missing") from None


@dataclass(frozen=True)
class CommonWords:
    locale: str
    units: Mapping[str, str]
    labels: Mapping[str, str]


def available_languages() -> list[str]:
    return sorted(p.name for p in package_dir("handouts").iterdir() if p.is_dir() and len(p.name) == 2)


def available_documents(language: str) -> list[str]:
    folder = package_dir("handouts") / language
    if not folder.is_dir():
        return []
    return sorted(p.name[:-5] for p in folder.iterdir() if p.name.endswith(".yaml") and p.name != "common.yaml")


def pack_text(document: str, language: str) -> tuple[str, str]:
    origin = f"handouts/{language}/{document}.yaml"
    node = package_dir("handouts") / language / f"{document}.yaml"
    if language not in available_languages() or not node.is_file():
        raise ContentError(f"{origin}: no content for document {document!r} in language {language!r}")
    return node.read_text(encoding="utf-8"), origin


PackCheck = Callable[[ContentPack], list[str]]
# By document id: what its layout needs of a pack. ``carthandout.documents`` registers each
# document's ``validate`` when it is imported, as every path that renders does.
_LAYOUT_CHECKS: dict[str, PackCheck] = {}


def register_layout_check(document: str, check: PackCheck) -> None:
    """``check`` (a document's ``validate``) runs on each of the document's packs as it loads."""
    _LAYOUT_CHECKS[document] = check


@lru_cache(maxsize=None)
def read_pack(document: str, language: str) -> ContentPack:
    """One content pack read, its common keys and placeholders checked, not yet what its layout
    needs (``carthandout check`` reads packs so, to list every problem of each)."""
    text, origin = pack_text(document, language)
    return parse_pack(text, origin, document, language)


@lru_cache(maxsize=None)
def load_pack(document: str, language: str) -> ContentPack:
    """One content pack, checked whole: its layout's needs too (a section without a heading, a list
    of bullets given as one text). The first problem stops the run, naming the file and the key:
    printing went on with some (a duplicate id) and stopped with an internal error on others."""
    pack = read_pack(document, language)
    problems = _LAYOUT_CHECKS[document](pack) if document in _LAYOUT_CHECKS else []
    if problems:
        more = f" (and {len(problems) - 1} more: carthandout check lists them all)" if len(problems) > 1 else ""
        raise ContentError(problems[0] + more)
    return pack


def parse_pack(text: str, origin: str, document: str, language: str) -> ContentPack:
    text = composed(text)
    raw, node = read_yaml_document(text, origin)
    if not isinstance(raw, Mapping):
        raise ContentError(f"{origin}: must be a mapping")
    for key in REQUIRED_TEXT_KEYS:
        if not isinstance(raw.get(key), str) or not raw[key].strip():
            raise ContentError(f"{origin}: {key} is required and must be quoted text")
    if raw["id"] != document or raw["language"] != language:
        raise ContentError(f"{origin}: id and language must be {document!r} and {language!r}")
    if not _VERSION.match(raw["version"]):
        raise ContentError(f"{origin}: version must look like 1.0.0")
    try:
        dt.date.fromisoformat(raw["reviewed"])
    except ValueError:
        raise ContentError(f"{origin}: reviewed must be a date YYYY-MM-DD") from None
    sources = _string_map(raw.get("sources", {}), f"{origin}: sources")
    labels = _string_map(raw.get("labels", {}), f"{origin}: labels")
    check_placeholders(raw, text, origin)
    check_glyphs(raw, text, origin)
    check_no_text_cut_by_a_comment(node, text, origin)
    check_source_references(raw, sources, origin)
    return ContentPack(raw["id"], language, raw["title"], raw["version"], raw["reviewed"], sources, labels, raw, origin,
                       tuple(written_durations(raw, text, origin)))


@contextmanager
def naming_the_pack(origin: str) -> Iterator[None]:
    """A ContentError raised inside that does not name its file names ``origin``: "placeholder
    {day} has no value here" said nowhere which of a dozen files to open."""
    try:
        yield
    except ContentError as error:
        if str(error).startswith(PACKS_FOLDER):  # it names its file already
            raise
        raise ContentError(f"{origin}: {error}") from None


def composed(text: str) -> str:
    """``text`` with its accents composed (NFC), as patients' fields are: a text pasted from a Mac,
    its accents written as marks of their own, printed "diá" for "día"."""
    return unicodedata.normalize("NFC", text)


def _string_map(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, Mapping):
        raise ContentError(f"{where} must map names to quoted text")
    for key, value in raw.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise ContentError(f"{where}.{key} must be quoted text (\"...\")")
    return dict(raw)


def iter_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for value in node.values():
            yield from iter_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from iter_strings(value)


def check_placeholders(raw: Any, text: str, origin: str, layout_tokens: frozenset[str] = LAYOUT_TOKENS) -> None:
    """Every braced name a placeholder (or one of ``layout_tokens``); a brace without its pair, or
    ``**`` without its closing one, is an error: "Hello {patient.name, welcome" printed as typed,
    "**very important." bolded the rest of its paragraph."""
    for string in iter_strings(raw):
        for token in PLACEHOLDER.findall(string):
            if token not in KNOWN_PLACEHOLDERS and token not in layout_tokens:
                raise ContentError(f"{origin}:{_line_of_string(text, string, '{' + token + '}')}: unknown placeholder "
                                   f"{{{token}}}")
        outside = PLACEHOLDER.sub("", string)
        if "{" in outside or "}" in outside:
            raise ContentError(f"{origin}:{_line_of_string(text, string)}: a brace without its pair: "
                               "write a placeholder as {patient.name}, with no other braces in the text")
        if "***" in string:  # "***very***" printed "*very*" in bold
            raise ContentError(f"{origin}:{_line_of_string(text, string)}: three asterisks: bold is **these words**")
        if string.count("**") % 2:
            raise ContentError(f"{origin}:{_line_of_string(text, string)}: ** opens bold without closing it "
                               "(**these words**)")


def check_no_text_cut_by_a_comment(node: yaml.Node | None, text: str, origin: str) -> None:
    """Unquoted words followed by `` #`` on their line: YAML reads the rest of the line as a
    comment, and "You get this treatment one time # and only one time, through a vein." printed
    "You get this treatment one time"."""
    lines = text.splitlines()
    for key, scalar in _plain_scalars(node):
        end = scalar.end_mark
        after = lines[end.line][end.column:] if end.line < len(lines) else ""
        if key not in NAMING_VALUES and after.lstrip().startswith("#"):
            raise ContentError(f"{origin}:{end.line + 1}: the text stops at \" #\", which YAML reads as the start of "
                               "a comment: put the whole text in quotes (\"...\")")


# Keys whose values name (a date, a condition, a role) rather than say: the same in every language.
NAMING_KEYS = frozenset({"date", "when", "unless", "role", "date_label", "repeat", "audience"})
# Keys whose values are no words to print: unquoted, with a comment after them, they are right.
NAMING_VALUES = NAMING_KEYS | {"id", "sources", "locale", "language", "version", "reviewed", "contacts"}


def _plain_scalars(node: Any, key: str = "", among_words: bool = False) -> Iterator[tuple[str, yaml.ScalarNode]]:
    """The unquoted values under ``node``, each with the key it is given under ("" among labels
    and units, whose keys are any words: a label named ``date`` is printed text)."""
    if isinstance(node, yaml.ScalarNode):
        if node.style is None:
            yield ("" if among_words else key), node
    elif isinstance(node, yaml.MappingNode):
        for key_node, value in node.value:
            name = str(key_node.value)
            yield from _plain_scalars(value, name, among_words or name in ("labels", "units"))
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            yield from _plain_scalars(value, key, among_words)


def check_glyphs(raw: Mapping[str, Any], text: str, origin: str) -> None:
    """Every character the pack prints is in the text font: an arrow or a check mark printed as an
    empty box, and nothing said so (a patient's name falls back to another bundled font; authored
    text does not)."""
    drawn = coverage(TEXT_FAMILY.name)
    for string in iter_strings({key: value for key, value in raw.items() if key != "sources"}):
        missing = next((ch for ch in PLACEHOLDER.sub("", string) if needs_glyph(ch) and ord(ch) not in drawn), None)
        if missing is not None:
            raise ContentError(f"{origin}:{_line_of_string(text, string, missing)}: character {described(missing)} "
                               f"is not in the text font ({TEXT_FAMILY.name}): it would print as an empty box")


# A duration or a threshold written as a number ("4 weeks", "fourteen days", "100.4 °F"): the
# policy's placeholders say it, so that it follows the clinic's profile. A word number counts from
# two: "one day at a time", "un día" are words, not durations.
_UNITS_WORDS = r"one|two|three|four|five|six|seven|eight|nine"
_TENS_WORDS = r"twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_WORD_NUMBER = (rf"two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
                rf"seventeen|eighteen|nineteen|(?:{_TENS_WORDS})(?:[- ](?:{_UNITS_WORDS}))?|"
                r"dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|trece|catorce|quince|dieciséis|"
                r"diecisiete|dieciocho|diecinueve|veinte|veinti\w+|treinta|cuarenta|cincuenta|sesenta|setenta|"
                r"ochenta|noventa")
_NUMBER = rf"(?:\d+(?:[.,]\d+)?(?:\s*(?:-|–|to|a)\s*\d+)?|{_WORD_NUMBER})"  # 4, 2-3, 2 to 3, fourteen
_BETWEEN = r"(?:[\s\u00a0-]+(?:more|full|whole|calendar|extra|más|completas|completos))?"  # 4 more weeks
_DURATION_UNIT = (r"(?:days?|weeks?|wks?|hours?|hrs?|h|months?|nights?|d[ií]as?|semanas?|sem\.|horas?|mes|meses|"
                  r"noches?)(?!\w)")
_WRITTEN_DURATION = re.compile(
    rf"(?<![\w-]){_NUMBER}{_BETWEEN}[\s\u00a0-]*{_DURATION_UNIT}"  # 4 weeks, catorce días, 2-3 weeks, 48 h
    # a temperature: 100.4 °F, 38 ºC, 100.4 F, 38°, 100.4 degrees, 38 grados (not "Suite 4C")
    r"|(?<![\w.,])\d{2,3}(?:[.,]\d+)?"
    r"(?:[\s\u00a0]*[°º][\s\u00a0]*[FC]?|[\s\u00a0]+[FC]\b|[\s\u00a0]*(?:degrees|grados)\b)",
    re.IGNORECASE)
# Phrases that say "always" or name the phone line, not a period a clinic sets.
_ALWAYS = re.compile(r"\b24[- ]hour\b(?!s)|\b(?:24|twenty-four) hours a day\b|\b7 days a week\b|\b24/7\b"
                     r"|\blas 24 horas(?! siguientes)\b|\b(?:línea|teléfono|servicio|atención) de 24 horas\b"
                     r"|\b24 horas (?:del|al) día\b|\b7 días (?:a|de) la semana\b", re.IGNORECASE)


def written_durations(raw: Mapping[str, Any], text: str, origin: str) -> list[str]:
    """Durations and thresholds written as numbers, each as a line naming the file and its line:
    "for at least 4 weeks" printed beside a clinic's 14-day date ("through March 19"). ``check``
    notes them, and ``generate`` and ``batch`` warn: a number that is no policy period (how often
    to take a temperature) is the author's to judge."""
    found = []
    for string in iter_strings({key: value for key, value in raw.items() if key not in ("sources", "reviewed")}):
        for match in _WRITTEN_DURATION.finditer(_ALWAYS.sub("", PLACEHOLDER.sub("", string))):
            found.append(f"{origin}:{_line_of_string(text, string, match.group())}: {match.group()!r} is a duration "
                         "or threshold written as a number: where it is one the clinic's policy sets, use its "
                         "placeholder ({policy.stay_near_period}, {policy.fever_threshold}: docs/content-format.md "
                         "lists them), which follows the clinic's profile")
    return found


def _line_of_string(text: str, string: str, needle: str = "") -> int:
    """The file's line where ``needle`` is, at or after the line where ``string`` starts (found by
    a run of its words that YAML writes as they are: quotes, backslashes and folds aside); else
    that line; else 1."""
    lines = text.splitlines()
    runs = [run.strip() for run in re.split(r"[\"'\\\n]", string)]
    # the longest start that is found: two texts may open with the same thirty characters
    pieces = [run[:length] for length in (80, 30) for run in runs if len(run[:length]) >= 8]
    start = next((number for piece in pieces for number, line in enumerate(lines) if piece in line), 0)
    if needle:
        at = next((number for number in range(start, len(lines)) if needle in lines[number]), None)
        if at is not None:
            return at + 1
    return start + 1


def check_source_references(raw: Mapping[str, Any], sources: Mapping[str, str], origin: str) -> None:
    """Every item that carries ``sources:`` must name keys the file declares."""
    for item in _items_with_sources(raw):
        refs = item.get("sources")
        label = item.get("id", "?")
        if not isinstance(refs, list) or not refs or not all(isinstance(ref, str) for ref in refs):
            raise ContentError(f"{origin}: {label}: sources must list at least one source key ([seed, notes])")
        unknown = [r for r in refs if r not in sources]
        if unknown:
            raise ContentError(f"{origin}: {label}: unknown source {unknown[0]!r} (declared: {', '.join(sources)})")


def _items_with_sources(node: Any, top: bool = True) -> Iterator[Mapping[str, Any]]:
    """Sections and items (mappings with an id below the top level) that cite sources."""
    if isinstance(node, Mapping):
        if not top and "sources" in node and "id" in node:
            yield node
        for key, value in node.items():
            if key != "sources":
                yield from _items_with_sources(value, top=False)
    elif isinstance(node, list):
        for value in node:
            yield from _items_with_sources(value, top=False)


@lru_cache(maxsize=None)
def load_common(language: str) -> CommonWords:
    text, origin = pack_text("common", language)
    text = composed(text)
    raw, node = read_yaml_document(text, origin)
    if not isinstance(raw, Mapping) or not isinstance(raw.get("locale"), str):
        raise ContentError(f"{origin}: locale is required")
    try:
        Locale.parse(raw["locale"])
    except (ValueError, TypeError, UnknownLocaleError):  # es-US, es_XX: every date stopped with "internal error"
        raise ContentError(f"{origin}: locale {raw['locale']!r} is not one babel knows (es_US, en_US)") from None
    units = _string_map(raw.get("units", {}), f"{origin}: units")
    labels = _string_map(raw.get("labels", {}), f"{origin}: labels")
    check_placeholders(raw, text, origin, LAYOUT_TOKENS | COMMON_TOKENS)
    check_no_text_cut_by_a_comment(node, text, origin)
    if language != "en":  # optional in English, but the translation of one English has
        missing = next((key for key in load_common("en").labels if key not in labels), None)
        if missing is not None:  # the English subject or packet title printed on Spanish papers
            raise ContentError(f"{origin}: labels.{missing} is missing (handouts/en/common.yaml has it)")
    for group, words, expected in (("units", units, COMMON_UNITS), ("labels", labels, COMMON_LABELS)):
        _check_common_group(group, words, expected, origin)
    _check_temperature_scales(units["temperature"], origin)
    check_glyphs(raw, text, origin)
    return CommonWords(raw["locale"], units, labels)


# common.yaml's units and labels the layout reads, each with the tokens it fills; a label missing,
# misspelt or given another token stopped every document with "internal error: KeyError".
COMMON_UNITS: dict[str, frozenset[str]] = {
    **{unit: frozenset() for unit in ("day", "days", "week", "weeks", "hour", "hours")},
    "range": frozenset({"low", "high"}), "temperature": frozenset({"fahrenheit", "celsius"}),
}
COMMON_LABELS: dict[str, frozenset[str]] = {
    "footer_page": frozenset({"page", "pages"}), "footer_content": frozenset({"version", "reviewed"}),
    "footer_mrn": frozenset({"mrn"}), "footer_birth": frozenset({"birth"}), "continued": frozenset({"heading"}),
    "example_clinic": frozenset(), "example_stamp": frozenset(),
    "print_handouts_title": frozenset({"part"}), "print_cards_title": frozenset({"part"}),
}
OPTIONAL_COMMON_LABELS = ("pdf_subject", "packet_title")
PACKS_FOLDER = "handouts/"  # how every pack's origin begins
PACKET_PREFIX = "packet_prefix_"  # + a document id: its pages' labels in the record packet


def _check_common_group(group: str, words: Mapping[str, str], expected: Mapping[str, frozenset[str]],
                        origin: str) -> None:
    """Each unit or label present, with exactly the tokens it fills; none that nothing reads."""
    for key, tokens in expected.items():
        if key not in words:
            raise ContentError(f"{origin}: {group}.{key} is missing")
        used = set(PLACEHOLDER.findall(words[key]))
        if used != tokens:  # "{low}" alone printed one number of a range; "{day}" had no value there
            allowed = ", ".join("{" + token + "}" for token in sorted(tokens)) or "no token"
            raise ContentError(f"{origin}: {group}.{key} fills {', '.join(sorted(used)) or 'nothing'}: it takes "
                               f"{allowed}")
    for key in words:
        if key not in expected and key not in OPTIONAL_COMMON_LABELS and not key.startswith(PACKET_PREFIX):
            raise ContentError(f"{origin}: {group}.{key} is read by nothing: a misspelling?")


def _check_temperature_scales(temperature: str, origin: str) -> None:
    """Each scale's number followed by its unit: "{celsius} °F (…)" swapped the scales."""
    for token, unit in (("fahrenheit", "F"), ("celsius", "C")):
        if not re.search(rf"\{{{token}\}}[\s\u00a0]*°[\s\u00a0]*{unit}\b", temperature):
            raise ContentError(f"{origin}: units.temperature: {{{token}}} must be followed by °{unit}")


# The space before a paragraph's last word, when that word is short and neither it nor the word
# before is a placeholder: "even a low one." broke with "one." alone on the last line; a value
# glued to the word after it ("if {patient.name} has:") split a long name inside "has:".
_BEFORE_SHORT_LAST_WORD = re.compile(r"(?<=[^\s}]) (?=[^\s{}]{1,10}$)")


@lru_cache(maxsize=1024)  # the same authored paragraphs for every patient
def last_word_kept(template: str) -> str:
    """An authored paragraph whose last word never stands alone on its last line (a no-break space before it)."""
    return _BEFORE_SHORT_LAST_WORD.sub("\u00a0", template.rstrip(), count=1)


def fill(template: str, fields: Mapping[str, Rich], tokens: Mapping[str, str] | None = None) -> Rich:
    """Authored ``template`` with placeholders replaced by the (already safe) field markup.

    ``tokens`` fills layout tokens such as ``{page}``; their values are escaped too.
    """
    markups, names = _template_parts(template)
    if not names:  # authored words alone: what joining the one part gives
        return Rich(markups[0])
    parts = [Rich(markups[0])]
    for name, markup in zip(names, markups[1:]):
        parts += [_token_value(name, fields, tokens or {}), Rich(markup)]
    return joined_rich(parts)


@lru_cache(maxsize=4096)
def _template_parts(template: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The authored markup around the placeholders (escaped, ``**`` as bold tags) and the placeholders' names.

    Cached: the same templates are filled for every patient.
    """
    markups, names = [], []
    bold = False
    position = 0
    for match in PLACEHOLDER.finditer(template):
        markup, bold = _authored(template[position:match.start()], bold)
        markups.append(markup)
        names.append(match.group(1))
        position = match.end()
    markup, bold = _authored(template[position:], bold)
    markups.append(markup + ("</b>" if bold else ""))
    return tuple(markups), tuple(names)


def _token_value(token: str, fields: Mapping[str, Rich], tokens: Mapping[str, str]) -> Rich:
    if token in fields:
        return fields[token]
    if token in tokens:
        return Rich(escape(tokens[token]))
    raise ContentError(f"placeholder {{{token}}} has no value here")


def _authored(text: str, bold: bool) -> tuple[str, bool]:
    """Escape authored text and turn ``**`` markers into bold tags; returns the bold state after."""
    parts = text.split("**")
    out = []
    for index, part in enumerate(parts):
        if index:
            bold = not bold
            out.append("<b>" if bold else "</b>")
        out.append(_kept_together(escape(part)))
    return "".join(out), bold


# A capital letter standing alone as a word is never the first or last thing on a line: "CAR"
# ending a line and "T-cell" starting the next read as two words, "cancers of B" above "cells" as
# a grade. Bound to the word before it ("CAR T", "células T", "hepatitis B") and the word after
# it ("T cells"). Not A, E, I, O, U or Y: words of their own in English or Spanish.
_LONE_CAPITAL = "[B-DF-HJ-NP-TV-XZ]"
_BEFORE_LONE_CAPITAL = re.compile(rf"(?<=\w) (?={_LONE_CAPITAL}(?!\w))")
_AFTER_LONE_CAPITAL = re.compile(rf"(?<![\w-])({_LONE_CAPITAL}) (?=\w)")


def _kept_together(text: str) -> str:
    return _AFTER_LONE_CAPITAL.sub("\\1\u00a0", _BEFORE_LONE_CAPITAL.sub("\u00a0", text))


def plain(template: str, values: Mapping[str, str]) -> str:
    """The template as plain text (for readability scoring and form fields' tooltips): the
    no-break spaces that keep a value on one line of a page are plain spaces (a tooltip with one
    was written in UTF-16, twice its size)."""
    text = PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template).replace("**", "")
    return text.replace("\u00a0", " ")
