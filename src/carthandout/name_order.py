"""Names as health-record exports write them, read as the papers say them.

Exports split a name into columns ("First Name", "Last Name"), or write it "Last, First"
("DELGADO, ROSA MARIA"). The caregiver guide puts the name in sentences: "Stay with Delgado, Rosa
all day" and "Delgado, Rosa must not drive" read as two people. Parts are joined in their order;
"Last, First" is turned around only when staff say the roster writes names that way
(``--last-name-first``), and named in a warning when they have not. So are names written in
capitals, as many exports write them ("Stay with MAREK KOWALSKI all day"): ``--capitalize-names``
writes each word with a capital (particles such as "de la" in small letters, "McDonald").
"""
from __future__ import annotations

import re
from typing import Any, Mapping

from carthandout.errors import InputError
from carthandout.models import NAME_MAX_LENGTH, NAME_PARTS, parse_text, refuse_spreadsheet_error, stands_for_no_value

# The fields whose values are people's names: in sentences, on the wallet card.
PERSON_FIELDS = ("name", "caregiver", "physician")
WRITTEN_LAST_FIRST = "written Last, First: printed as written (--last-name-first prints it First Last)"
# A name's last part after a comma that is no given name: "Rosa Delgado, Jr." is First Last already.
_GENERATIONS = frozenset({"jr", "sr", "ii", "iii", "iv", "2nd", "3rd"})  # not V: an initial as often
_CREDENTIALS = frozenset({"md", "do", "phd", "np", "pa", "pa-c", "rn", "dnp", "mbbs", "aprn", "pharmd"})
_SUFFIXES = _GENERATIONS | _CREDENTIALS
# A title written before the family name ("Dr. Rao, Anika"): it goes before the whole name.
_TITLES = frozenset({"dr", "dra", "mr", "mrs", "ms", "sr", "sra"})
# Words after a comma that say who someone is, not their given name: "Luis Delgado, son" (and any
# "...-in-law").
_RELATIONS = frozenset({
    "son", "daughter", "wife", "husband", "spouse", "partner", "mother", "father", "mom", "dad", "sister", "brother",
    "friend", "parent", "child", "niece", "nephew", "aunt", "uncle", "cousin", "grandson", "granddaughter",
    "grandmother", "grandfather", "grandma", "grandpa", "stepson", "stepdaughter", "stepmother", "stepfather",
    "girlfriend", "boyfriend", "fiance", "fiancé", "fiancée", "guardian", "neighbor", "caregiver",
    "hijo", "hija", "esposa", "esposo", "madre", "padre", "mamá", "papá", "hermana", "hermano", "amiga", "amigo",
    "pareja", "nieta", "nieto", "sobrina", "sobrino", "tía", "tío", "prima", "primo", "abuela", "abuelo", "suegra",
    "suegro", "cuñada", "cuñado", "yerno", "nuera", "novia", "novio", "tutora", "tutor", "cuidadora", "cuidador",
    "vecina", "vecino"})
# The commas a name may be written with: Latin, Arabic (،) and full-width (，).
_COMMAS = re.compile("[,\u060c\uff0c]")
_SPACES = re.compile(r"\s+")
IN_CAPITALS = "written in capitals: printed so (--capitalize-names writes each word with a capital)"
# Words of a name written in small letters inside it ("Ana de la Cruz", "Joao da Silva"). Not "van"
# (Nguyen Van An), "do" (a family name), nor a letter alone: "Robert E Lee", "Ana Y Lopez".
_PARTICLES = frozenset({"de", "del", "della", "la", "las", "los", "da", "das", "dos", "di", "du", "von", "der", "den",
                        "ten", "ter", "bin", "ibn"})
_AFTER_COMMA = re.compile(r",(?=\S)")  # "DELGADO,ROSA": a space after it, as "Delgado, Rosa" is written
_ROMAN = re.compile(r"^(?:II|III|IV|VI{0,3}|IX|X)$")
_PIECES = re.compile(r"([-'\u2019\u060c\uff0c])")  # Hernández-Villanueva, O'Neil, RAO，ANIKA: each piece capitalized


def name_from_parts(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with the name's parts (``first_name``, ``middle_name``, ``last_name``,
    ``second_last_name``, ``name_suffix``) joined into ``name``, in that order; as they are when no part is given. A part
    that says nothing ("N/A", "-") is left out, as an optional field's is read as empty. A part that
    is not text or shows a spreadsheet's error, parts beside a whole name, and parts too long
    together raise InputError naming the field."""
    given = {part: fields[part] for part in NAME_PARTS if fields.get(part) not in (None, "")}
    rest = {key: value for key, value in fields.items() if key not in NAME_PARTS}
    if not given:
        return rest
    if rest.get("name") not in (None, ""):
        raise InputError("name", f"is given whole and in parts ({', '.join(given)}): keep one", sensitive=False)
    words = [_part(part, value) for part, value in given.items()]
    joined = " ".join(word for word in words if word)
    if len(joined) > NAME_MAX_LENGTH:
        raise InputError("name", f"joined from {', '.join(given)} is too long ({len(joined)} characters, at most "
                                 f"{NAME_MAX_LENGTH})", joined)
    return {"name": joined, **rest} if joined else rest


def _part(part: str, value: Any) -> str:
    """A part of the name as printed; empty when it says nothing."""
    text = parse_text(part, value, max_length=NAME_MAX_LENGTH)  # a number in YAML: told to quote it
    refuse_spreadsheet_error(part, text)
    return "" if stands_for_no_value(text) else text


def written_last_first(name: Any) -> bool:
    """True for "Delgado, Rosa", "DELGADO,ROSA MARIA", "Delgado, Rosa, Jr." and "Delgado Jr., Rosa";
    False for "Rosa Delgado", "Rosa Delgado, Jr.", "Rosa Perez, RN", "Luis Delgado, son" and names
    with more commas (left as written)."""
    if not isinstance(name, str):
        return False
    parts = [part.strip() for part in _COMMAS.split(name)]
    if len(parts) == 3 and _is_suffix(parts[2]):
        parts = parts[:2]
    return (len(parts) == 2 and all(_has_letter(part) for part in parts) and not _after_whole_name(*parts)
            and not _is_relation(parts[1]))


def _after_whole_name(before: str, after: str) -> bool:
    """True when ``after`` follows a whole name ("Rosa Delgado, Jr.", "Rosa Perez, RN"): a generation,
    or a credential after a name of two words or more ("Vang, Pa" is Pa Vang: Pa is a given name)."""
    word = after.casefold().rstrip(".")
    return word in _GENERATIONS or (word in _CREDENTIALS and " " in before)


def _is_relation(text: str) -> bool:
    word = text.casefold()
    return word in _RELATIONS or word.endswith("-in-law")


def first_last(name: str) -> str:
    """ "Delgado, Rosa María" as "Rosa María Delgado" ("Delgado, Rosa, Jr." as "Rosa Delgado Jr.",
    "Dr. Rao, Anika, MD" as "Dr. Anika Rao, MD"); a name not written Last, First as it is."""
    if not written_last_first(name):
        return name
    last, first, *suffix = (part.strip() for part in _COMMAS.split(name))
    title, _, family = last.partition(" ")
    if family and title.casefold().rstrip(".") in _TITLES:
        first, last = f"{title} {first}", family
    given, _, generation = first.rpartition(" ")
    if given and generation.casefold().rstrip(".") in _GENERATIONS:  # "Delgado, Rosa Jr.": Rosa Delgado Jr.
        first, suffix = given, [generation]
    whole = f"{first} {last}"
    if suffix:
        whole += f", {suffix[0]}" if suffix[0].casefold().rstrip(".") in _CREDENTIALS else f" {suffix[0]}"
    return _SPACES.sub(" ", whole)


def names_turned(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with each person's name written Last, First turned to First Last."""
    return {key: first_last(value) if key in PERSON_FIELDS and isinstance(value, str) else value
            for key, value in fields.items()}


def fields_written_last_first(fields: Mapping[str, Any]) -> list[str]:
    """The person fields of ``fields`` written Last, First: named in a warning (without their values)."""
    return [key for key in PERSON_FIELDS if written_last_first(fields.get(key))]


def in_capitals(name: Any) -> bool:
    """True for a name written wholly in capitals with two letters at least ("DELGADO, ROSA M")."""
    return isinstance(name, str) and name.isupper() and sum(character.isalpha() for character in name) > 1


def capitalized(name: str) -> str:
    """A name written in capitals with a capital to each word ("ROSA M DE LA CRUZ-O'NEIL" as
    "Rosa M de la Cruz-O'Neil", "MCDONALD" as "McDonald"); any other name as it is."""
    if not in_capitals(name):
        return name
    words = _AFTER_COMMA.sub(", ", name).split(" ")
    return " ".join(_word(words, index) for index in range(len(words)))


def _word(words: list[str], index: int) -> str:
    """The word at ``index`` of a name in capitals, as the name would be written."""
    word, bare = words[index], words[index].rstrip(",.")
    after_comma = index > 0 and words[index - 1].endswith(",")
    inner = 0 < index < len(words) - 1 and not word.endswith(",")  # neither the name's first word nor a part's last
    if (index > 0 and _ROMAN.match(bare) and not inner) or (after_comma and bare.casefold() in _CREDENTIALS):
        return word  # Smith III; MD after a comma (Vi, Do and Pa are names too)
    if inner and word.casefold() in _PARTICLES:
        return word.lower()  # de la Cruz, da Silva; not Nguyen Do
    return "".join(_piece(piece) for piece in _PIECES.split(word))


def _piece(piece: str) -> str:
    lower = piece.lower()
    if lower.startswith("mc") and len(lower) > 2:
        return "Mc" + lower[2:].capitalize()
    return lower[:1].upper() + lower[1:]


def names_capitalized(fields: Mapping[str, Any]) -> dict[str, Any]:
    """``fields`` with each person's name written in capitals given a capital to each word."""
    return {key: capitalized(value) if key in PERSON_FIELDS and isinstance(value, str) else value
            for key, value in fields.items()}


def fields_in_capitals(fields: Mapping[str, Any]) -> list[str]:
    """The person fields of ``fields`` written in capitals: named in a warning (without their values)."""
    return [key for key in PERSON_FIELDS if in_capitals(value := fields.get(key)) and not stands_for_no_value(value)]


def _is_suffix(part: str) -> bool:
    return part.casefold().rstrip(".") in _SUFFIXES


def _has_letter(text: str) -> bool:
    return any(character.isalpha() for character in text)
