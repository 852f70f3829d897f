"""Every language has what English has: the documents, their sections and items, labels and placeholders.

English is the reference. A translation must carry the same version and review date (a newer English
text means the translation is out of date), the same source keys, the same label keys with the same
placeholders, and the same ids (sections, and items inside them) with the same placeholders and
sources in each, and the same blocks in each: a bullet added to the English call box and not to the
Spanish one gave Spanish patients another list of signs, and check said nothing. Texts differ
freely; structure and the patient's facts do not.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

from carthandout import content
from carthandout.content import (NAMING_KEYS, PACK_METADATA_KEYS, PLACEHOLDER, ContentPack, available_documents,
                                 available_languages, iter_strings, read_pack)
from carthandout.errors import CarthandoutError
from carthandout.placeholders import KNOWN_PLACEHOLDERS
from carthandout.resources import read_yaml_text

REFERENCE_LANGUAGE = "en"


@dataclass(frozen=True)
class Unit:
    """One part of a pack with an id (a section, an item), what it fills in and what it cites."""

    placeholders: frozenset[str]
    sources: frozenset[str]
    audience: str = "patient"
    node: Any = field(default=None, compare=False)  # what it holds, for the shape of its blocks and lists


def check_completeness() -> list[str]:
    """Problems in every language other than English, compared with English."""
    problems: list[str] = []
    reference_documents = available_documents(REFERENCE_LANGUAGE)
    for language in available_languages():
        if language == REFERENCE_LANGUAGE:
            continue
        problems += compare_common(language)
        documents = available_documents(language)
        for document in reference_documents:
            if document not in documents:
                problems.append(f"handouts/{language}/{document}.yaml: missing (handouts/en/{document}.yaml exists)")
                continue
            try:
                problems += compare_packs(read_pack(document, REFERENCE_LANGUAGE), read_pack(document, language))
            except CarthandoutError:
                continue  # the pack does not load: the content check reports why
        problems += [f"handouts/{language}/{d}.yaml: no English original (handouts/en/{d}.yaml)"
                     for d in documents if d not in reference_documents]
    return problems


def compare_packs(reference: ContentPack, other: ContentPack) -> list[str]:
    where = other.origin
    problems = [f"{where}: {key} is {getattr(other, key)!r}, English has {getattr(reference, key)!r}"
                for key in ("version", "reviewed") if getattr(other, key) != getattr(reference, key)]
    problems += _key_differences(where, "sources", reference.sources, other.sources)
    problems += _key_differences(where, "labels", reference.labels, other.labels)
    problems += _placeholder_differences(where, "labels", _label_tokens(reference.labels), _label_tokens(other.labels))
    problems += compare_units(where, pack_units(reference.data), pack_units(other.data))
    return problems


def compare_units(where: str, reference: Mapping[str, Unit], other: Mapping[str, Unit]) -> list[str]:
    problems = [f"{where}: {path} is missing" for path in reference if path not in other]
    problems += [f"{where}: {path} is not in English" for path in other if path not in reference]
    for path in (p for p in reference if p in other):
        problems += _placeholder_differences(where, path, {path: reference[path].placeholders},
                                             {path: other[path].placeholders})
        if reference[path].sources != other[path].sources:
            problems.append(f"{where}: {path}: sources {sorted(other[path].sources)}, "
                            f"English has {sorted(reference[path].sources)}")
        if reference[path].audience != other[path].audience:
            problems.append(f"{where}: {path}: audience {other[path].audience}, English has {reference[path].audience}")
        difference = shape_difference(reference[path].node, other[path].node, path)
        if difference:
            problems.append(f"{where}: {difference}")
    return problems


def shape_difference(reference: Any, other: Any, path: str) -> str | None:
    """Where ``other`` is built otherwise than ``reference``: a list of another length, a block of
    another kind, other keys ("sections/caregiver.blocks[3].bullets: 2 items, English has 3").
    Parts with an id of their own are compared as units, not here."""
    if isinstance(reference, Mapping) and isinstance(other, Mapping):
        ours, theirs = _compared_keys(reference), _compared_keys(other)
        if sorted(ours) != sorted(theirs):
            return f"{path}: keys {', '.join(sorted(theirs)) or 'none'}, English has {', '.join(sorted(ours)) or 'none'}"
        # a naming value is the same in every language: a Spanish calendar mark dated stay_near_until
        # instead of no_driving_until told patients they could drive four weeks early
        named = next((name for name in sorted(ours) if name in NAMING_KEYS
                      and _as_named(reference[ours[name]]) != _as_named(other[theirs[name]])), None)
        if named is not None:
            return f"{path}.{named}: {other[theirs[named]]!r}, English has {reference[ours[named]]!r}"
        return next(filter(None, (shape_difference(reference[ours[name]], other[theirs[name]], f"{path}.{name}")
                                  for name in sorted(ours))), None)
    if isinstance(reference, list) and isinstance(other, list):
        if _all_units(reference) and _all_units(other):
            return None
        if len(reference) != len(other):
            return f"{path}: {len(other)} items, English has {len(reference)}"
        pairs = enumerate(zip(reference, other), start=1)
        return next(filter(None, (shape_difference(ours, theirs, f"{path}[{number}]") for number, (ours, theirs) in pairs)),
                    None)
    if _kind(reference) != _kind(other):
        return f"{path}: {_kind(other)}, English has {_kind(reference)}"
    if isinstance(reference, str):  # each text fills what its English twin fills: two dates swapped between
        ours, theirs = sorted(set(PLACEHOLDER.findall(reference))), sorted(set(PLACEHOLDER.findall(other)))
        if ours != theirs:  # two sentences of a section printed each other's date
            return f"{path}: fills {', '.join(theirs) or 'nothing'}, English fills {', '.join(ours) or 'nothing'}"
    return None


def _as_named(value: Any) -> Any:
    """A naming value as the layout reads it: ``dates.infusion`` and ``infusion`` name one date, and
    ``when: [a, b]`` the same values as ``[b, a]``."""
    if isinstance(value, list):
        return frozenset(_as_named(item) for item in value if isinstance(item, str))
    return value.removeprefix("dates.") if isinstance(value, str) else value


def _compared_keys(node: Mapping[Any, Any]) -> dict[str, Any]:
    """The keys compared, by their names (YAML reads an unquoted ``on:`` as the key True)."""
    return {str(key): key for key in node if key not in ("sources", "id")}


def _all_units(items: list[Any]) -> bool:
    return bool(items) and all(isinstance(item, Mapping) and isinstance(item.get("id"), str) for item in items)


def _kind(node: Any) -> str:
    if isinstance(node, list):
        return "a list"
    if isinstance(node, Mapping):
        return "a mapping"
    return "text" if isinstance(node, str) else "a value"


def compare_common(language: str) -> list[str]:
    """common.yaml: the same units and labels as English (each with the same tokens)."""
    reference, other = _common_raw(REFERENCE_LANGUAGE), _common_raw(language)
    if reference is None or other is None:
        return []  # does not load: the content check reports why
    where = f"handouts/{language}/common.yaml"
    problems = []
    if reference.get("version") != other.get("version"):
        problems.append(f"{where}: version is {other.get('version')!r}, English has {reference.get('version')!r}")
    for group in ("units", "labels"):
        ours, theirs = _mapping(reference.get(group)), _mapping(other.get(group))
        problems += _key_differences(where, group, ours, theirs)
        problems += _placeholder_differences(where, group, _label_tokens(ours), _label_tokens(theirs))
    return problems


def _mapping(node: Any) -> Mapping[Any, Any]:
    """``node`` where it is a mapping, else none (a group written as a list: the content check says so)."""
    return node if isinstance(node, Mapping) else {}


def _common_versions(language: str) -> tuple[Any, Any]:
    """The English common.yaml's version and ``language``'s."""
    english, translated = _common_raw(REFERENCE_LANGUAGE) or {}, _common_raw(language) or {}
    return english.get("version"), translated.get("version")


def _common_raw(language: str) -> Mapping[str, Any] | None:
    try:
        raw = read_yaml_text(*content.pack_text("common", language))
    except (CarthandoutError, OSError):
        return None
    return raw if isinstance(raw, Mapping) else None


def pack_units(data: Mapping[str, Any]) -> dict[str, Unit]:
    """Every mapping with an id, by path ("sections/caregiver", "groups/before/hiv"); a top-level part
    without ids (a card's front) is one unit named by its key."""
    units: dict[str, Unit] = {}
    for key, value in data.items():
        if key in PACK_METADATA_KEYS:
            continue
        nested = dict(_units_in(value, key))
        units.update(nested or {key: Unit(frozenset(_placeholders(value)), frozenset(), _audience(value), value)})
    return units


def _units_in(node: Any, path: str) -> Iterator[tuple[str, Unit]]:
    if isinstance(node, list):
        for value in node:
            yield from _units_in(value, path)
    elif isinstance(node, Mapping):
        if isinstance(node.get("id"), str):
            path = f"{path}/{node['id']}"
            yield path, Unit(frozenset(_placeholders(node)), frozenset(_source_list(node)), _audience(node), node)
        for key, value in node.items():
            if key != "sources":
                yield from _units_in(value, path)


def _placeholders(node: Any) -> Iterator[str]:
    """Braced tokens in text, and bare field names used as values (``when: patient.caregiver``)."""
    for text in iter_strings(node):
        yield from PLACEHOLDER.findall(text)
        if text in KNOWN_PLACEHOLDERS:
            yield text
        elif f"dates.{text}" in KNOWN_PLACEHOLDERS:  # a row's or mark's date: infusion is dates.infusion
            yield f"dates.{text}"


def _audience(node: Any) -> str:
    return str(node.get("audience", "patient")) if isinstance(node, Mapping) else "patient"


def _source_list(node: Mapping[str, Any]) -> list[str]:
    sources = node.get("sources")
    return [s for s in sources if isinstance(s, str)] if isinstance(sources, list) else []


def _label_tokens(labels: Mapping[str, Any]) -> dict[str, frozenset[str]]:
    return {key: frozenset(_placeholders(value)) for key, value in labels.items()}


def _key_differences(where: str, group: str, reference: Mapping[str, Any], other: Mapping[str, Any]) -> list[str]:
    problems = [f"{where}: {group}.{key} is missing" for key in reference if key not in other]
    return problems + [f"{where}: {group}.{key} is not in English" for key in other if key not in reference]


def _placeholder_differences(where: str, group: str, reference: Mapping[str, frozenset[str]],
                             other: Mapping[str, frozenset[str]]) -> list[str]:
    problems = []
    for key in (k for k in reference if k in other):
        name = key if key.startswith(group) else f"{group}.{key}"
        missing, extra = reference[key] - other[key], other[key] - reference[key]
        if missing:
            problems.append(f"{where}: {name}: placeholder {_braced(missing)} missing")
        if extra:
            problems.append(f"{where}: {name}: placeholder {_braced(extra)} not in English")
    return problems


def _braced(tokens: frozenset[str]) -> str:
    return ", ".join("{" + token + "}" for token in sorted(tokens))


def translations_behind(packs: Iterable[tuple[str, str]]) -> list[str]:
    """A warning for each of ``packs`` (document, language) that is a translation of another
    version than the English: a Spanish pack left at 1.3.7 beside English 1.3.8 printed with no
    word, though its call box had lost a sign the English had gained."""
    packs = list(packs)
    languages = sorted({language for _, language in packs} - {REFERENCE_LANGUAGE})
    warnings = [f"warning: handouts/{language}/common.yaml is version {theirs}, the English {ours}: its words may "
                "not say what the English now do (carthandout check lists the differences)"
                for language in languages for ours, theirs in [_common_versions(language)] if ours != theirs]
    for document, language in packs:
        if language == REFERENCE_LANGUAGE:
            continue
        try:
            english, translated = read_pack(document, REFERENCE_LANGUAGE), read_pack(document, language)
        except CarthandoutError:
            continue  # printing it stops on the reason
        if translated.version != english.version:
            warnings.append(f"warning: {translated.origin} is version {translated.version}, the English "
                            f"{english.version}: its words may not say what the English now do "
                            "(carthandout check lists the differences)")
    return warnings
