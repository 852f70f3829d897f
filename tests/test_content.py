import pytest

from carthandout.content import fill, load_pack, parse_pack
from carthandout.errors import ContentError
from carthandout.typefaces import Rich

PACK = '''id: handout
language: en
title: "T"
version: "1.0.0"
reviewed: "2026-11-20"
sources: {seed: "Source"}
sections:
  - id: one
    heading: "H"
    sources: [seed]
    blocks:
      - text: "Hello {patient.name}"
      - text: "Bad {patient.nmae} here"
'''


def test_unknown_placeholder_names_file_and_line():
    with pytest.raises(ContentError, match=r"handouts/en/handout.yaml:13: unknown placeholder \{patient.nmae\}"):
        parse_pack(PACK, "handouts/en/handout.yaml", "handout", "en")


def test_unknown_source_key_is_an_error():
    text = PACK.replace("Bad {patient.nmae} here", "ok").replace("sources: [seed]", "sources: [label]")
    with pytest.raises(ContentError, match="unknown source 'label'"):
        parse_pack(text, "x.yaml", "handout", "en")


def test_filled_values_are_escaped_and_never_templates():
    value = Rich("Robert &lt;b&gt;Bold&lt;/b&gt; &amp; Sons {clinic.phone}")
    result = fill("Dear **{patient.name}**, call {clinic.phone_24h}.", {
        "patient.name": value, "clinic.phone_24h": Rich("555"),
    })
    assert result.markup == "Dear <b>Robert &lt;b&gt;Bold&lt;/b&gt; &amp; Sons {clinic.phone}</b>, call 555."


def test_authored_angle_brackets_print_literally():
    assert fill("a < b & c", {}).markup == "a &lt; b &amp; c"


def test_shipped_handout_cites_sources_for_every_section():
    pack = load_pack("handout", "en")
    for section in pack.data["sections"]:
        assert section["sources"], section["id"]
        assert set(section["sources"]) <= set(pack.sources)


DURATION_LITERAL = r"\b\d+(\.\d+)?\s*(°|days?|weeks?|hours?|months?|días?|semanas?|horas?|meses?)\b"


def test_durations_and_thresholds_in_prose_come_from_the_policy():
    import re

    from carthandout.content import available_documents, available_languages, iter_strings

    for language in available_languages():
        for document in available_documents(language):
            pack = load_pack(document, language)
            for text in iter_strings({k: v for k, v in pack.data.items() if k not in ("sources", "reviewed")}):
                text = re.sub(r"\b24[ -](hour|horas)", "", text)  # the 24-hour line is a phone service, not a policy
                assert not re.search(DURATION_LITERAL, text, re.IGNORECASE), f"{pack.origin}: {text!r}"


def test_a_restrictions_last_day_is_stated_as_included():
    """"Do not drive until May 1" read as driving on May 1, while the calendar marked May 1 "Still no
    driving" and the log had a row for it. Every end date is now said to include its day:
    "through" in English, "inclusive" in Spanish."""
    import re

    from carthandout.content import available_documents, iter_strings

    ambiguous = {"en": re.compile(r"\buntil (this date|\{dates\.)"),
                 "es": re.compile(r"hasta (esta fecha|este día|el \{dates\.\w+\})(?! inclusive)")}
    for language, pattern in ambiguous.items():
        for document in available_documents(language):
            pack = load_pack(document, language)
            for text in iter_strings(pack.data):
                assert not pattern.search(text), f"{pack.origin}: {text!r}"
