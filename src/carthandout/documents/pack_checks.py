"""What the layout needs of a content pack's sections and blocks, checked before anything is drawn.

An author's slip that the YAML parser accepts must not print a wrong page: bullets given as one
text printed a letter per bullet, a misspelt ``when:`` dropped its block for every patient, a
placeholder that may be empty printed "Your caregiver is ." Each problem names the file, the
section and the block, in words a nurse educator editing the file can act on.
"""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Mapping

from carthandout.content import PLACEHOLDER, ContentPack, iter_strings
from carthandout.documents.blocks import BLOCK_KINDS
from carthandout.placeholders import KNOWN_PLACEHOLDERS, MAY_BE_EMPTY
from carthandout.schedule import ALL_CONDITIONING_DAYS, SCHEDULE_DATE_NAMES

SECTION_ROLES = ("normal", "call-box", "disclaimer")
SECTION_KEYS = ("id", "heading", "role", "sources", "blocks")
CONDITIONS = ("when", "unless")  # print the block only when the value is filled / only when it is not
CALLOUT_KEYS = ("title", "text", "bullets")
TIMELINE_ROW_KEYS = ("date", "label", "detail", *CONDITIONS)
SCHEDULE_DATES = frozenset({ALL_CONDITIONING_DAYS, *SCHEDULE_DATE_NAMES})  # a timeline row's or calendar mark's


def missing_labels(pack: ContentPack, required: Iterable[str]) -> list[str]:
    return [f"{pack.origin}: labels.{key} is missing" for key in required if key not in pack.labels]


def validate_section_pack(pack: ContentPack, required_labels: Iterable[str], call_box: bool = True) -> list[str]:
    """The checks every section-based document shares: sections, labels, and one call box."""
    problems = validate_sections(pack) + missing_labels(pack, required_labels)
    sections = pack.data.get("sections")
    mapped = [section for section in sections if isinstance(section, Mapping)] if isinstance(sections, list) else []
    if call_box and [section.get("role") for section in mapped].count("call-box") != 1:
        problems.append(f"{pack.origin}: exactly one section needs role: call-box")
    return problems


def validate_sections(pack: ContentPack) -> list[str]:
    """Problems in a pack's ``sections``; placeholders and source keys are checked as it loads."""
    sections = pack.data.get("sections")
    if not isinstance(sections, list) or not sections:
        return [f"{pack.origin}: sections must be a non-empty list"]
    problems: list[str] = []
    seen: set[str] = set()
    for index, section in enumerate(sections, start=1):
        where = f"{pack.origin}: sections[{index}]"
        if not isinstance(section, Mapping) or not _is_text(section.get("id")):
            problems.append(f"{where}: needs an id")
            continue
        if section["id"] in seen:
            problems.append(f"{where}: duplicate id {section['id']!r}")
        seen.add(section["id"])
        problems += _section_problems(section, f"{where} ({section['id']})")
    return problems


def _section_problems(section: Mapping[str, Any], where: str) -> list[str]:
    problems = _unknown_keys(section, SECTION_KEYS, where, "a section")
    if section.get("role", "normal") not in SECTION_ROLES:
        problems.append(f"{where}: role must be one of {', '.join(SECTION_ROLES)}")
    if not _is_text(section.get("heading")):
        problems.append(f"{where}: needs a heading (quoted text)")
    if "sources" not in section:
        problems.append(f"{where}: needs sources: the keys of the sources its statements come from")
    blocks = section.get("blocks")
    if not isinstance(blocks, list) or not blocks:
        return problems + [f"{where}: blocks must be a non-empty list"]
    for number, block in enumerate(blocks, start=1):
        problems += block_problems(block, f"{where}: block {number}")
    return problems


def block_problems(block: Any, where: str) -> list[str]:
    """A block's problems: its kind, its keys, its value, and its condition."""
    kinds = [kind for kind in BLOCK_KINDS if isinstance(block, Mapping) and kind in block]
    if len(kinds) != 1:
        return [f"{where}: needs exactly one of {', '.join(BLOCK_KINDS)}"
                + (f"; unknown key {_named(block, BLOCK_KINDS)}" if isinstance(block, Mapping) and not kinds else "")]
    kind = kinds[0]
    where = f"{where} ({kind})"
    return (_unknown_keys(block, (kind, *CONDITIONS), where, f"a {kind} block")
            + condition_problems(block, where)
            + _value_problems(kind, block, where))


def _value_problems(kind: str, block: Mapping[str, Any], where: str) -> list[str]:
    if kind == "timeline":  # each row printed under its own condition too
        return _timeline_problems(block[kind], where, block.get("when"))
    return _VALUE_CHECKS[kind](block[kind], where) + unguarded_problems(block[kind], [block.get("when")], where)


def condition_problems(item: Mapping[str, Any], where: str) -> list[str]:
    """``when:`` and ``unless:`` name a value a patient's papers fill ("patient.caregiver")."""
    problems = []
    for condition in CONDITIONS:
        if condition not in item:
            continue
        value = item[condition]
        if not isinstance(value, str):  # "when: {patient.caregiver}" is a YAML mapping
            problems.append(f"{where}: {condition}: must name a value without braces (when: patient.caregiver)")
        elif value not in KNOWN_PLACEHOLDERS:
            meant = _closest(value, KNOWN_PLACEHOLDERS)
            problems.append(f"{where}: {condition}: {value!r} is not a value the papers fill"
                            + (f" (did you mean {meant}?)" if meant else ""))
    return problems


def unguarded_problems(value: Any, whens: Iterable[Any], where: str) -> list[str]:
    """A value that may be empty (the caregiver, a travel time) printed only under ``when:`` it is
    filled (``whens``: the block's, and a timeline row's own); without it, "Your caregiver is ."
    printed for a patient who had named none."""
    whens = list(whens)
    used = {token for text in iter_strings(value) for token in PLACEHOLDER.findall(text)}
    return [f"{where}: {{{token}}} may be empty: give the block when: {token}"
            for token in sorted(used & MAY_BE_EMPTY) if token not in whens]


def _text_problems(value: Any, where: str) -> list[str]:
    return [] if _is_text(value) else [f"{where}: must be quoted text"]


def _bullets_problems(value: Any, where: str) -> list[str]:
    if isinstance(value, list) and value and all(_is_text(item) for item in value):
        return []
    return [f"{where}: must be a list of quoted texts, each on its own line starting with \"- \""]


def _callout_problems(value: Any, where: str) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"{where}: must hold title and text (or bullets)"]
    problems = _unknown_keys(value, CALLOUT_KEYS, where, "a callout")
    if "title" in value:
        problems += _text_problems(value["title"], f"{where}: title")
    if "text" not in value and "bullets" not in value:
        problems.append(f"{where}: needs text or bullets")
    if "text" in value:
        problems += _text_problems(value["text"], f"{where}: text")
    if "bullets" in value:
        problems += _bullets_problems(value["bullets"], f"{where}: bullets")
    return problems


def _timeline_problems(value: Any, where: str, block_when: Any = None) -> list[str]:
    if not isinstance(value, list) or not value:
        return [f"{where}: must be a list of rows ({{date: ..., label: ..., detail: ...}})"]
    problems = []
    for number, row in enumerate(value, start=1):
        at = f"{where}: row {number}"
        if not isinstance(row, Mapping):
            problems.append(f"{at}: must be a mapping ({{date: ..., label: ..., detail: ...}})")
            continue
        problems += _unknown_keys(row, TIMELINE_ROW_KEYS, at, "a timeline row") + condition_problems(row, at)
        if str(row.get("date", "")).removeprefix("dates.") not in SCHEDULE_DATES:
            problems.append(f"{at}: date must be one of {', '.join(sorted(SCHEDULE_DATES))}")
        problems += _text_problems(row.get("label"), f"{at}: label")
        if "detail" in row:
            problems += _text_problems(row["detail"], f"{at}: detail")
        problems += unguarded_problems([row.get("label"), row.get("detail")], [block_when, row.get("when")], at)
    return problems


def _no_problems(value: Any, where: str) -> list[str]:
    return []  # the contacts table: drawn from the clinic profile and the patient, whatever the value


_VALUE_CHECKS = {"text": _text_problems, "subheading": _text_problems, "bullets": _bullets_problems,
                 "callout": _callout_problems, "contacts": _no_problems}  # a timeline's: _timeline_problems


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _unknown_keys(item: Mapping[Any, Any], known: Iterable[str], where: str, what: str) -> list[str]:
    known = tuple(known)
    return [f"{where}: unknown key {_named_key(key, known)} ({what} has {', '.join(known)})"
            for key in item if key not in known]


def _named(block: Mapping[Any, Any], known: Iterable[str]) -> str:
    """The block's first key that is no condition, as ``_named_key`` says it."""
    others = [key for key in block if key not in CONDITIONS]
    return _named_key(others[0], tuple(known)) if others else "(none)"


def _named_key(key: Any, known: tuple[str, ...]) -> str:
    if isinstance(key, bool):  # YAML reads an unquoted on, off, yes or no as true or false
        return f"{key} (an unquoted on, off, yes or no: quote it)"
    meant = _closest(str(key), known)
    return f"{key!r}" + (f" (did you mean {meant}?)" if meant else "")


def _closest(word: str, names: Iterable[str]) -> str | None:
    meant = difflib.get_close_matches(word, sorted(names), n=1, cutoff=0.75)
    return meant[0] if meant else None
