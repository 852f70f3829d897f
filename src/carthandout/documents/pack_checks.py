"""What the layout needs of a content pack's sections and blocks, checked before anything is drawn.

An author's slip that the YAML parser accepts must not print a wrong page: bullets given as one
text printed a letter per bullet, a misspelt ``when:`` dropped its block for every patient, a
placeholder that may be empty printed "Your caregiver is ." Each problem names the file, the
section and the block, in words a nurse educator editing the file can act on.
"""
from __future__ import annotations

from typing import Any, Iterable, Iterator, Mapping, Sequence

from carthandout.content import PACK_METADATA_KEYS, PLACEHOLDER, ContentPack
from carthandout.documents.base import FOOTER_CALL_LABEL
from carthandout.documents.blocks import BLOCK_KINDS, condition_names
from carthandout.models import closest_name
from carthandout.placeholders import EMPTY_TOGETHER, KNOWN_PLACEHOLDERS, MAY_BE_EMPTY
from carthandout.schedule import ALL_CONDITIONING_DAYS, SCHEDULE_DATE_NAMES

SECTION_ROLES = ("normal", "call-box", "disclaimer")
SECTION_KEYS = ("id", "heading", "role", "sources", "blocks")
CONDITIONS = ("when", "unless")  # print the block only when the value is filled / only when it is not
CALLOUT_KEYS = ("title", "text", "bullets")
TIMELINE_ROW_KEYS = ("date", "label", "detail", *CONDITIONS)
SCHEDULE_DATES = frozenset({ALL_CONDITIONING_DAYS, *SCHEDULE_DATE_NAMES})  # a timeline row's or calendar mark's


def label_problems(pack: ContentPack, required: Iterable[str], optional: Iterable[str] = ()) -> list[str]:
    """Labels the layout needs and lacks, and labels it never reads: a misspelt ``footer_call``
    dropped the 24-hour line from every page's footer, without a word."""
    required = tuple(required)
    known = (*required, *optional)
    return ([f"{pack.origin}: labels.{key} is missing" for key in required if key not in pack.labels]
            + unknown_key_problems(pack.labels, known, f"{pack.origin}: labels", f"a {pack.id} file's labels"))


def validate_section_pack(pack: ContentPack, required_labels: Iterable[str], call_box: bool = True,
                          parts: Iterable[str] = (), roles: Sequence[str] = SECTION_ROLES) -> list[str]:
    """The checks every section-based document shares: the file's parts (``sections`` and
    ``parts``), sections (of the ``roles`` the document prints), labels (the footer's 24-hour line
    optional), and one call box."""
    problems = (file_part_problems(pack, ("sections", *parts)) + validate_sections(pack, roles)
                + label_problems(pack, required_labels, (FOOTER_CALL_LABEL, *labels_of_blocks(pack)))
                + unguarded_values(pack))
    if call_box and [section.get("role") for section in _sections(pack)].count("call-box") != 1:
        problems.append(f"{pack.origin}: exactly one section needs role: call-box")
    return problems


def file_part_problems(pack: ContentPack, parts: Iterable[str]) -> list[str]:
    """A top-level key that is neither the pack's description nor one of its document's parts is
    never printed (``appendix:`` in a handout): named, with the keys a file of that document has."""
    known = (*sorted(PACK_METADATA_KEYS), *parts)
    return unknown_key_problems(pack.data, known, pack.origin, f"a {pack.id} file")


# Labels a block kind reads, whatever the document: a timeline's column heads, the contacts' row names.
BLOCK_LABELS = {"timeline": ("timeline_date", "timeline_step"),
                "contacts": ("contact_main", "contact_24h", "contact_address", "physician", "caregiver")}


def labels_of_blocks(pack: ContentPack) -> list[str]:
    """The labels the pack's blocks read: a timeline in the caregiver guide reads its column heads."""
    blocks = [block for section in _sections(pack)
              for block in (section.get("blocks") if isinstance(section.get("blocks"), list) else [])]
    return [label for kind, labels in BLOCK_LABELS.items()
            if any(isinstance(block, Mapping) and kind in block for block in blocks) for label in labels]


def _sections(pack: ContentPack) -> list[Mapping[str, Any]]:
    """The pack's sections that are mappings (the others are ``validate_sections``' to name)."""
    sections = pack.data.get("sections")
    return [section for section in sections if isinstance(section, Mapping)] if isinstance(sections, list) else []


def validate_sections(pack: ContentPack, roles: Sequence[str] = SECTION_ROLES) -> list[str]:
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
        problems += _section_problems(section, f"{where} ({section['id']})", roles)
    return problems


def _section_problems(section: Mapping[str, Any], where: str, roles: Sequence[str]) -> list[str]:
    problems = unknown_key_problems(section, SECTION_KEYS, where, "a section")
    if section.get("role", "normal") not in roles:  # a disclaimer in the caregiver guide was never printed
        problems.append(f"{where}: role must be one of {', '.join(roles)} (this document prints no other)")
    if not _is_text(section.get("heading")):
        problems.append(f"{where}: needs a heading (quoted text)")
    problems += sources_problems(section, where, "its statements come")
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
    return (unknown_key_problems(block, (kind, *CONDITIONS), where, f"a {kind} block")
            + condition_problems(block, where)
            + _VALUE_CHECKS[kind](block[kind], where))


def condition_problems(item: Mapping[str, Any], where: str) -> list[str]:
    """``when:`` and ``unless:`` name a value a patient's papers fill ("patient.caregiver");
    ``when:`` may name several, all filled ([patient.caregiver, patient.caregiver_phone])."""
    problems = []
    for condition in CONDITIONS:
        if condition not in item:
            continue
        value = item[condition]
        names = value if condition == "when" and isinstance(value, list) and value else [value]
        if not all(isinstance(name, str) for name in names):  # "when: {patient.caregiver}" is a YAML mapping
            problems.append(f"{where}: {condition}: must name a value without braces (when: patient.caregiver)")
        elif condition == "unless" and value in condition_names(item.get("when")):
            problems.append(f"{where}: when and unless name the same value, so it never prints")
        else:
            problems += [_unknown_value(condition, name, where) for name in names if name not in KNOWN_PLACEHOLDERS]
    return problems


def _unknown_value(condition: str, name: str, where: str) -> str:
    meant = closest_name(name, KNOWN_PLACEHOLDERS)
    return (f"{where}: {condition}: {name!r} is not a value the papers fill"
            + (f" (did you mean {meant}?)" if meant else ""))


def unguarded_values(pack: ContentPack) -> list[str]:
    """Each text, anywhere in the pack, using a value that may be empty (the caregiver, a travel
    time, the clinic's address) outside a block, row or mark with ``when:`` that value: "Your
    caregiver is ." printed for a patient who had named none, "within of travel" on the calendar,
    "signed by" on the checklist."""
    return list(_unguarded(pack.data, f"{pack.origin}: ", ()))


def _unguarded(node: Any, where: str, whens: tuple[Any, ...]) -> Iterator[str]:
    if isinstance(node, str):
        for token in sorted(set(PLACEHOLDER.findall(node)) & MAY_BE_EMPTY - set(whens)):
            yield f"{where}: {{{token}}} may be empty: use it only in a block, row or mark with when: {token}"
    elif isinstance(node, Mapping):
        named = condition_names(node.get("when"))
        inner = (*whens, *named, *(other for group in EMPTY_TOGETHER if group & set(named) for other in group))
        for key, value in node.items():
            if key not in ("sources", *CONDITIONS):
                yield from _unguarded(value, f"{where}{'' if where.endswith(' ') else '.'}{key}", inner)
    elif isinstance(node, list):
        for number, value in enumerate(node, start=1):
            named = f" ({value['id']})" if isinstance(value, Mapping) and isinstance(value.get("id"), str) else ""
            yield from _unguarded(value, f"{where}[{number}]{named}", whens)


def sources_problems(item: Mapping[Any, Any], where: str, what: str) -> list[str]:
    """``item`` (a section, an item, a card face) names the sources ``what`` from, or says it must
    (the keys are checked against the file's ``sources`` as it loads)."""
    return [] if "sources" in item else [f"{where}: needs sources: the keys of the sources {what} from"]


def _text_problems(value: Any, where: str) -> list[str]:
    return [] if _is_text(value) else [f"{where}: must be quoted text"]


def _bullets_problems(value: Any, where: str) -> list[str]:
    if isinstance(value, list) and value and all(_is_text(item) for item in value):
        return []
    return [f"{where}: must be a list of quoted texts, each on its own line starting with \"- \""]


def _callout_problems(value: Any, where: str) -> list[str]:
    if not isinstance(value, Mapping):
        return [f"{where}: must hold title and text (or bullets)"]
    problems = unknown_key_problems(value, CALLOUT_KEYS, where, "a callout")
    if "title" in value:
        problems += _text_problems(value["title"], f"{where}: title")
    if "text" not in value and "bullets" not in value:
        problems.append(f"{where}: needs text or bullets")
    if "text" in value:
        problems += _text_problems(value["text"], f"{where}: text")
    if "bullets" in value:
        problems += _bullets_problems(value["bullets"], f"{where}: bullets")
    return problems


def _timeline_problems(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        return [f"{where}: must be a list of rows ({{date: ..., label: ..., detail: ...}})"]
    problems = []
    for number, row in enumerate(value, start=1):
        at = f"{where}: row {number}"
        if not isinstance(row, Mapping):
            problems.append(f"{at}: must be a mapping ({{date: ..., label: ..., detail: ...}})")
            continue
        problems += unknown_key_problems(row, TIMELINE_ROW_KEYS, at, "a timeline row") + condition_problems(row, at)
        if str(row.get("date", "")).removeprefix("dates.") not in SCHEDULE_DATES:
            problems.append(f"{at}: date must be one of {', '.join(sorted(SCHEDULE_DATES))}")
        problems += _text_problems(row.get("label"), f"{at}: label")
        if "detail" in row:
            problems += _text_problems(row["detail"], f"{at}: detail")
    return problems


def _no_problems(value: Any, where: str) -> list[str]:
    return []  # the contacts table: drawn from the clinic profile and the patient, whatever the value


_VALUE_CHECKS = {"text": _text_problems, "subheading": _text_problems, "bullets": _bullets_problems,
                 "callout": _callout_problems, "timeline": _timeline_problems, "contacts": _no_problems}


def _is_text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def unknown_key_problems(item: Mapping[Any, Any], known: Iterable[str], where: str, what: str) -> list[str]:
    """Each key of ``item`` that is not ``known``, named (with the key meant, when one is close)."""
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
    meant = closest_name(str(key), known)
    return f"{key!r}" + (f" (did you mean {meant}?)" if meant else "")



