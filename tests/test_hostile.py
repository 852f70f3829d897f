"""Hostile and odd input in every field: it prints literally or is a clean error, never a crash.

Hypothesis builds patient records (and small rosters) out of markup, template syntax, control and
invisible characters, path pieces, reserved file names, long runs and every bundled script.
"""
from __future__ import annotations

import unicodedata
from pathlib import Path

import pypdf
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import run_cli
from carthandout.textnorm import normalise_text
from carthandout.typefaces import needs_shaping

# Printed literally (after NFC and whitespace tidying; invisible and direction controls dropped).
PRINTABLE = [
    "<b>", "</para>", "<font face='x'>", "&amp;", "&#65;", "<", ">", "&", '"', "'",
    "{patient.name}", "{{", "}}", "**", "${HOME}", "%s", "{0}", "\\", "/", "../", "..\\", "C:\\",
    "CON", "NUL", "LPT1", "aux.pdf", ".", "..", "~", "\t", "\n", "\r\n", "  ", "\u00a0", "\u3000",
    "\u200b", "\u200c", "\u200d", "\u202e", "\u2066", "\ufeff", "\u00ad", "e\u0301",
    "Ana", "Quiñones", "İsmail", "Łucja", "Ωμέγα", "Анна", "محمد", "דוד", "अमित", "王小明", "김민준",
    "X" * 30, "-", "_", "555-0100", " ",
]
# Refused with a clean error naming the field: controls, private use, damaged text, no font.
REFUSED = ["\x00", "\x07", "\x1b[31m", "\ue000", "\ufffd", "\U0001f600", "\U000e0041", "\ufdd0"]
FIELDS = ("name", "caregiver", "mrn", "physician", "center")

latin = st.characters(min_codepoint=0x20, max_codepoint=0x24F, exclude_categories=("Cc", "Cf", "Cn", "Co", "Cs"))
value = st.lists(st.sampled_from(PRINTABLE) | st.text(latin, max_size=4), min_size=1, max_size=4).map("".join)
def has_letter(text: str) -> bool:
    return any(unicodedata.category(character).startswith("L") for character in normalise_text(text))


record = st.fixed_dictionaries({field: value for field in FIELDS}).filter(lambda fields: has_letter(fields["name"]))  # a name needs one
BOUNDED = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def generate(root: Path, fields: dict[str, str]):
    args = [arg for field, raw in fields.items() for arg in (f"--{field}", raw)]
    return run_cli("generate", *args, "--infusion-date", "2028-02-27", "--doc", "handout", "-o", root / "out")


def files_under(root: Path) -> set[Path]:
    return {path for path in root.rglob("*") if path.is_file()}


def squeeze(text: str) -> str:
    return "".join(unicodedata.normalize("NFC", text).split())


def assert_printed(value: str, text: str) -> None:
    """The normalised value reads back (right-to-left and Indic text: see test_scripts)."""
    expected = normalise_text(value)
    if not needs_shaping(expected):
        assert squeeze(expected) in squeeze(text)


@BOUNDED
@given(record)
def test_odd_records_print_literally(tmp_path_factory, fields):
    root = tmp_path_factory.mktemp("hostile")
    result = generate(root, fields)
    out = root / "out"
    assert files_under(root) == files_under(out)  # nothing written beside the output folder
    if result.exit_code == 2:  # refusals here: a value too long, or two scripts glued into one word
        line = result.stderr.strip()
        assert line.startswith("error: ") and "\n" not in line, line
        assert "is too long" in line or "one word mixes" in line, line
        return
    assert result.exit_code == 0, result.output
    text = " ".join(page.extract_text() for page in pypdf.PdfReader(out / "handout.pdf").pages)
    for raw in fields.values():
        assert_printed(raw, text)


@BOUNDED
@given(record, st.sampled_from(FIELDS), st.sampled_from(REFUSED))
def test_unprintable_characters_are_a_clean_error_naming_the_field(tmp_path_factory, fields, field, bad):
    root = tmp_path_factory.mktemp("refused")
    fields = {**fields, field: fields[field][:10] + bad}
    result = generate(root, fields)
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line and line.startswith("error: ")
    assert line.startswith(f"error: {field}: ") or "is too long" in line or "one word mixes" in line, line
    assert "U+" in line or "is too long" in line
    assert not files_under(root)


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(record, min_size=1, max_size=3))
def test_any_roster_stays_inside_the_output_folder(tmp_path_factory, records):
    root = tmp_path_factory.mktemp("roster")
    roster = root / "roster.yaml"
    rows = [{**fields, "infusion_date": "2028-02-27"} for fields in records]
    roster.write_text(yaml.safe_dump(rows, allow_unicode=True), encoding="utf-8")
    out = root / "out"
    result = run_cli("batch", roster, "--doc", "handout", "--jobs", "1", "-o", out)
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    assert files_under(root) - files_under(out) == {roster}
    for pdf in (path for path in out.rglob("*.pdf") if path.is_file()):
        assert pypdf.PdfReader(pdf).pages
