"""The readability gate and the completeness check of `carthandout check`."""
import re

import pytest

from carthandout import completeness
from carthandout.content import available_documents, available_languages, load_pack, parse_pack
from carthandout.readability import mask, max_grade_from, reading_units, reading_text, readable_strings, score_pack
from carthandout.errors import InputError
from carthandout.resources import package_dir

from conftest import run_cli

HARD_EN = ("Notwithstanding comprehensive pharmacovigilance, individualized immunological "
           "complications necessitate multidisciplinary institutional management considerations.")
HARD_ES = ("La farmacovigilancia institucional multidisciplinaria considera imprescindible la "
           "caracterización inmunológica individualizada de complicaciones extraordinariamente heterogéneas.")


def pack_text(document: str, language: str) -> str:
    return (package_dir("handouts") / language / f"{document}.yaml").read_text(encoding="utf-8")


def reparse(text: str, document: str = "handout", language: str = "en"):
    return parse_pack(text, f"handouts/{language}/{document}.yaml", document, language)


@pytest.fixture(scope="module")
def check_output():
    return run_cli("check")


def test_table_lists_every_section_of_every_pack(check_output):
    rows = {tuple(line.split()[:2]) for line in check_output.output.splitlines() if line.startswith("  ")}
    expected = {(language, unit) for language in available_languages() for document in available_documents(language)
                for unit, node in reading_units(load_pack(document, language).data)
                if reading_text(list(readable_strings(node)))}
    assert expected <= rows
    assert ("es", "call-right-away") in rows and ("en", "disclaimer") in rows


def test_shipped_content_passes(check_output):
    assert check_output.exit_code == 0, check_output.output
    assert "FAIL" not in check_output.output


def test_a_harder_section_fails_with_its_name():
    text = pack_text("handout", "en").replace(
        "Keep going to your blood tests.", HARD_EN + " " + HARD_EN)
    scores = {s.section: s for s in score_pack(reparse(text), 8)}
    assert not scores["long-term"].passed
    assert scores["long-term"].grade > 8
    assert all(s.passed for name, s in scores.items() if name != "long-term")
    assert "section long-term: reads at grade" in scores["long-term"].problem()


def test_a_harder_spanish_section_fails():
    text = pack_text("handout", "es").replace("Siga yendo a sus análisis de sangre.", HARD_ES + " " + HARD_ES)
    scores = {s.section: s for s in score_pack(reparse(text, language="es"), 8)}
    assert scores["long-term"].measure == "Fernández-Huerta"
    assert scores["long-term"].score < 60 and not scores["long-term"].passed
    assert scores["caregiver"].passed


def test_drug_names_and_placeholders_are_masked():
    masked = mask("YESCARTA (axicabtagene ciloleucel) or tocilizumab for {patient.name} until {dates.infusion}.")
    assert not re.search(r"yescarta|axicabtagene|ciloleucel|tocilizumab|\{", masked, re.IGNORECASE)
    assert mask("axicabtagén ciloleucel") == "X"
    # masked: a drug name does not make an easy sentence hard
    plain = reparse(pack_text("handout", "en"))
    with_drug = reparse(pack_text("handout", "en").replace(
        "Results are different for each person.", "Results with axicabtagene ciloleucel are different for each person."))
    plain_grade, drug_grade = ({s.section: s.grade for s in score_pack(p, 8)}["long-term"] for p in (plain, with_drug))
    assert drug_grade == pytest.approx(plain_grade, abs=0.5)


def test_clinic_limit_is_used(write_yaml):
    clinic = write_yaml("clinic.yaml", 'name: "C"\nphone_24h: "(217) 555-0199"\nreadability: {max_grade: 2}\n')
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    assert "(limit grade 2)" in result.output
    assert re.search(r"handouts/en/handout\.yaml: section \S+: reads at grade [\d.]+ .*limit of grade 2", result.output)


@pytest.mark.parametrize("settings, field", [
    ({"max_grade": "easy"}, "clinic.readability.max_grade"),
    ({"max_grade": 40}, "clinic.readability.max_grade"),
    ({"max_grade": True}, "clinic.readability.max_grade"),
    ({"grade": 8}, "clinic.readability.grade"),
    ("8", "clinic.readability"),
])
def test_bad_limit_names_the_field(settings, field):
    with pytest.raises(InputError) as error:
        max_grade_from(settings)
    assert error.value.field == field
    assert max_grade_from(None) == 8 and max_grade_from({"max_grade": 6}) == 6


def test_completeness_catches_a_removed_section_label_and_placeholder():
    english = load_pack("handout", "en")
    text = pack_text("handout", "es")
    start = text.index("  - id: long-term")
    text = text[:start] + text[text.index("  - id: contacts"):]
    text = text.replace('  call_24h: "Llame de día o de noche al {clinic.phone_24h}"\n', "")
    text = text.replace("hasta el {dates.caregiver_until} inclusive.", "hasta esa fecha.")
    problems = completeness.compare_packs(english, reparse(text, language="es"))
    assert "handouts/es/handout.yaml: sections/long-term is missing" in problems
    assert "handouts/es/handout.yaml: labels.call_24h is missing" in problems
    assert "handouts/es/handout.yaml: sections/caregiver: placeholder {dates.caregiver_until} missing" in problems
    assert completeness.compare_packs(english, load_pack("handout", "es")) == []


def test_completeness_catches_a_version_behind_english():
    english = load_pack("handout", "en")
    text = pack_text("handout", "es").replace(f'version: "{english.version}"', 'version: "0.9.0"')
    problems = completeness.compare_packs(english, reparse(text, language="es"))
    assert problems == [f"handouts/es/handout.yaml: version is '0.9.0', English has '{english.version}'"]


def test_completeness_catches_a_missing_document(monkeypatch):
    real = completeness.available_documents
    monkeypatch.setattr(completeness, "available_documents",
                        lambda language: [d for d in real(language) if language == "en" or d != "handout"])
    assert "handouts/es/handout.yaml: missing (handouts/en/handout.yaml exists)" in completeness.check_completeness()


def test_shipped_languages_are_complete():
    assert completeness.check_completeness() == []


def test_a_quoted_limit_is_named_as_text_not_as_a_grade_out_of_range():
    """max_grade: "8" said "8 is not a school grade from 1 to 18"."""
    with pytest.raises(InputError) as error:
        max_grade_from({"max_grade": "8"})
    assert error.value.line() == "clinic.readability.max_grade: must be a number, not text (write it without quotes)"
