"""The command line: exit codes, one-line errors, manifest, check, docs."""
import csv
import hashlib
import io
import os
import re
import shutil
import subprocess
import sys

from pathlib import Path

import pypdf
import pytest

from carthandout import __version__
from conftest import field_values, fill_in_on_screen, page_texts, pdf_text, run_cli


def test_generate_writes_pdfs_and_manifest(tmp_path, example_patient):
    result = run_cli("generate", "--patient", example_patient, "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((tmp_path / "manifest.csv").open()))
    assert {"record", "document", "file", "pages", "sha256"} <= set(rows[0])
    handout = next(r for r in rows if r["document"] == "handout")
    data = (tmp_path / handout["file"]).read_bytes()
    assert hashlib.sha256(data).hexdigest() == handout["sha256"]
    assert int(handout["pages"]) == len(pypdf.PdfReader(tmp_path / handout["file"]).pages)
    assert not list(tmp_path.glob(".*.part"))  # no temporary files left behind


def test_flags_win_over_the_patient_file(tmp_path, example_patient):
    result = run_cli("generate", "--patient", example_patient, "--name", "Flag Name", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0
    text = pdf_text(tmp_path / "handout.pdf")
    assert "Flag Name" in text and "Rosa" not in text
    assert "Luis Delgado" in text  # the file's other fields stay


@pytest.mark.parametrize("args, field", [
    (["--name", "A", "--infusion-date", "2027-02-30"], "infusion_date:"),
    (["--name", "A"], "infusion_date: is required"),
    (["--infusion-date", "2027-02-01"], "name: is required"),
    (["--name", "A", "--infusion-date", "2027-02-01", "--weight-kg", "-3"], "weight_kg:"),
    (["--name", "A", "--infusion-date", "2027-02-01", "--doc", "nope"], "--doc:"),
    (["--name", "A", "--infusion-date", "2027-02-01", "--language", "xx"], "language:"),
])
def test_bad_input_is_one_line_exit_2_nothing_written(tmp_path, args, field):
    out = tmp_path / "out"
    result = run_cli("generate", *args, "-o", out)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and field in result.stderr
    assert "Traceback" not in result.output
    assert not out.exists() or not any(out.iterdir())


def test_yaml_traps_in_patient_file(tmp_path, write_yaml):
    path = write_yaml("p.yaml", "name: no\ninfusion_date: 2027-03-05\n")
    result = run_cli("generate", "--patient", path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "name: must be text" in result.stderr
    path = write_yaml("p.yaml", "name: Ann\ninfusion_date: 2027-03-05\nmrn: 4417\n")
    result = run_cli("generate", "--patient", path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "mrn: must be text" in result.stderr


def test_yaml_numbers_in_octal_hex_or_base_60_are_read_as_written(tmp_path, write_yaml):
    """YAML 1.1 reads an unquoted 072 as octal 58, 1:12 and 0x48 as 72: a weight of 072 kg put
    "x 58 kg" on the staff dose line. They now stay text, for the field's own check."""
    path = write_yaml("p.yaml", "name: Ann\ninfusion_date: 2027-03-05\nweight_kg: 072\nmrn: 0123\n")
    result = run_cli("generate", "--patient", path, "--doc", "checklist", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "out" / "checklist.pdf")
    assert "× 72 kg" in text and "0123" in text
    for weight in ("1:12", "0x48", "0b1001000"):
        path = write_yaml("p.yaml", f"name: Ann\ninfusion_date: 2027-03-05\nweight_kg: {weight}\n")
        result = run_cli("generate", "--patient", path, "--doc", "checklist", "-o", tmp_path / "bad")
        assert result.exit_code == 2 and "weight_kg:" in result.stderr, weight


def test_an_unquoted_impossible_date_in_the_patient_file_names_the_field(tmp_path, write_yaml):
    path = write_yaml("p.yaml", "name: Ann\ninfusion_date: 2027-02-30\n")
    result = run_cli("generate", "--patient", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == "error: infusion_date: the value is not a real date\n"


@pytest.mark.parametrize("text", ["name: !Rosa Delgado\n", "name: *RosaDelgado\n"])
def test_a_yaml_error_in_a_patient_file_does_not_repeat_its_words(tmp_path, write_yaml, text):
    path = write_yaml("p.yaml", text)
    result = run_cli("generate", "--patient", path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and result.stderr.startswith("error: patient: ")
    assert "Rosa" not in result.stderr


def test_a_roster_given_as_the_patient_file_points_to_batch(tmp_path, write_yaml):
    path = write_yaml("cohort.yaml", "- name: Ann\n  infusion_date: '2027-03-05'\n")
    result = run_cli("generate", "--patient", path, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == "error: patient: the file is a list of patients: make their documents with carthandout batch\n"


def test_show_values_reveals_the_value(tmp_path):
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-02-30", "--show-values", "-o", tmp_path)
    assert "infusion_date: 2027-02-30 is not a real date" in result.stderr


def test_bad_clinic_file(tmp_path, write_yaml):
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '555-0100'\npaper: legal\n")
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-02-01", "--clinic", clinic, "-o", tmp_path)
    assert result.exit_code == 2 and "clinic.paper:" in result.stderr


def test_check_passes_on_shipped_content_and_fails_on_bad_clinic(write_yaml):
    assert run_cli("check").exit_code == 0
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '555-0100'\npolicy: made-up\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1 and "made-up" in result.output


def test_check_notes_what_the_papers_print_otherwise_than_the_clinic_file(write_yaml, tmp_path):
    """A brand colour too light for text was darkened and a 40-pixel logo printed blurred, while
    check said only "valid"."""
    from PIL import Image
    Image.new("RGB", (40, 40), "navy").save(tmp_path / "tiny.png")
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '(217) 545-0100'\npolicy: us-label-2025\nlogo: tiny.png\n"
                                  "colors: {primary: '#FFFF00', accent: '#1F4E79'}\n"
                                  "overrides: {stay_near_travel_hours: 2}\n")  # the travel time the label leaves unset, set
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 0, result.output
    notes = [line for line in result.output.splitlines() if line.startswith("note:")]
    assert len(notes) == 2
    assert notes[0].startswith("note: clinic.colors.primary: #FFFF00 is printed as #") and "darkened" in notes[0]
    assert notes[1].startswith("note: clinic.logo: 40 × 40 pixels print at 67 pixels an inch")
    bundled = [line for line in run_cli("check").output.splitlines() if line.startswith("note:")]
    assert [note.split(" is ")[0] for note in bundled] == ["note: policy: monitoring_days"]  # the source document's 7 days


@pytest.mark.parametrize("stored, noted", [((60, 180), True), ((180, 60), False)])
def test_the_logo_note_measures_the_logo_upright_as_it_prints(write_yaml, tmp_path, stored, noted):
    """A camera's JPEG turned by its EXIF orientation prints upright: 60 × 180 stored is 180 × 60
    printed, 1.8 inches wide at 100 pixels an inch."""
    from PIL import Image
    exif = Image.Exif()
    exif[0x0112] = 6  # turned a quarter: shown with width and height swapped
    Image.new("RGB", stored, "navy").save(tmp_path / "logo.jpg", exif=exif)
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nlogo: logo.jpg\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 0, result.output
    assert ("will look blurred" in result.output) is noted


def test_check_notes_a_logo_so_tall_it_prints_a_few_millimetres_wide(write_yaml, tmp_path):
    """A 300 × 1200 logo printed 4 mm wide in the header band, and check said nothing."""
    from PIL import Image
    Image.new("RGB", (300, 1200), "navy").save(tmp_path / "tall.png")
    Image.new("RGB", (1200, 600), "navy").save(tmp_path / "wide.png")
    Image.new("RGB", (600, 1200), "navy").save(tmp_path / "twice.png")  # twice as tall: noted too
    for logo, noted in (("tall.png", True), ("wide.png", False)):
        clinic = write_yaml(f"{logo}.yaml", f"name: X\nphone_24h: '545-0100'\nlogo: {logo}\n")
        notes = [line for line in run_cli("check", "--clinic", clinic).output.splitlines() if "clinic.logo" in line]
        assert notes == (["note: clinic.logo: it is 4.0 times as tall as it is wide, so it prints 4 mm wide in a 15 mm "
                          "high header; a wide version of the logo prints larger"] if noted else [])
    twice = write_yaml("twice.yaml", "name: X\nphone_24h: '545-0100'\nlogo: twice.png\n")
    assert "it is 2.0 times as tall as it is wide" in run_cli("check", "--clinic", twice).output


def test_check_notes_a_logo_so_wide_it_prints_a_few_millimetres_high(write_yaml, tmp_path):
    """A 3000 × 100 logo printed 56 × 1.9 mm, too small to read, and check said nothing (it noted a tall one)."""
    from PIL import Image
    Image.new("RGB", (3000, 100), "navy").save(tmp_path / "strip.png")
    Image.new("RGB", (3000, 300), "navy").save(tmp_path / "banner.png")  # ten to one: 5.6 mm high, readable
    for logo, noted in (("strip.png", True), ("banner.png", False)):
        clinic = write_yaml(f"{logo}.yaml", f"name: X\nphone_24h: '545-0100'\nlogo: {logo}\n")
        notes = [line for line in run_cli("check", "--clinic", clinic).output.splitlines() if "clinic.logo" in line]
        assert notes == (["note: clinic.logo: it is 30.0 times as wide as it is tall, so it prints 2 mm high in the "
                          "header's 56 mm width; a version cropped close, or with the name on two lines, prints "
                          "larger"] if noted else [])


def test_a_logo_path_is_read_as_a_shell_reads_it_and_its_error_says_where_it_looked(tmp_path, monkeypatch):
    """logo: "~/mylogo.png" was "does not exist beside the clinic file", and a clinic file from
    standard input said "beside the clinic file" of the current folder (a clinic administrator's pass)."""
    from PIL import Image
    Image.new("RGB", (600, 200), "navy").save(tmp_path / "mylogo.png")
    (tmp_path / "profiles").mkdir()
    clinic = tmp_path / "profiles" / "clinic.yaml"
    clinic.write_text("name: X\nphone_24h: '545-0100'\nlogo: ~/mylogo.png\n", encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert run_cli("check", "--clinic", clinic).exit_code == 0
    monkeypatch.chdir(tmp_path / "profiles")
    result = run_cli("check", "--clinic", "-", input="name: X\nphone_24h: '545-0100'\nlogo: assets/logo.png\n")
    assert result.exit_code == 1
    assert "clinic.logo: assets/logo.png does not exist in the current folder" in result.output


def test_a_logo_named_with_a_tilde_is_a_name_beside_the_clinic_file(write_yaml, tmp_path):
    """"~logo.png" is no home folder: expanded, it ended check with "internal error: RuntimeError" (a review)."""
    from PIL import Image
    Image.new("RGB", (600, 200), "navy").save(tmp_path / "~logo.png")
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nlogo: ~logo.png\n")
    assert run_cli("check", "--clinic", clinic).exit_code == 0
    missing = write_yaml("d.yaml", "name: X\nphone_24h: '545-0100'\nlogo: ~nobody-here/logo.png\n")
    result = run_cli("check", "--clinic", missing)
    assert result.exit_code == 1 and "clinic.logo: ~nobody-here/logo.png does not exist beside" in result.output


def test_a_checklist_date_of_no_chemo_day_is_told_in_plain_words(write_yaml):
    """The message counted the chemo days with the page's no-break space ("1\u00a0day"), and in
    the clinic's language ("1 día" in an English line) (a review)."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nlanguage: es\noverrides: {conditioning_days: [-3]}\n"
                                  "checklist: {add: [{id: extra, group: steps, text: Extra, "
                                  "date: dates.conditioning_day_2}]}\n")
    result = run_cli("check", "--clinic", clinic)
    assert "is not a day of this policy's chemotherapy, which is 1 day" in result.output, result.output


@pytest.mark.parametrize("text, encoding, expected", [
    ('colors: {primary: "#1F4E79 "}\n', "utf-8", None),  # refused with a space nobody sees; "A4 " was read
    ("policy: US-Label-2025\n", "utf-8", None),  # paper, language and date format are read in any case
    ("policy: source_document\n", "utf-8", None),
    ("colors: {primary: '#0B6E4F'}\n", "utf-16", None),  # Notepad's "Unicode": "is not UTF-8 text"
    ("policy: us-lable-2025\n", "utf-8", "clinic.policy: unknown policy profile 'us-lable-2025' (did you mean "
                                        "us-label-2025? available: source-document, us-label-2025)"),
    ("overrides: {caregiver_days: 030}\n", "utf-8", "caregiver_days must be a number, not text (write it without "
                                                    "leading zeros)"),  # "without quotes": there were none
    ("overrides: {caregiver_days: +030}\n", "utf-8", "(write it without leading zeros)"),
    ("readability: {max_grade: 08}\n", "utf-8", "clinic.readability.max_grade: must be a number, not text (write it "
                                                "without leading zeros)"),
    ("name: Y\n", "utf-32", "is not UTF-8 or UTF-16 text"),  # its mark starts as UTF-16's: "not valid YAML"
    ("---\npolicy: us-label-2025\n---\nlanguage: es\n", "utf-8",  # "but found another document", cut short
     "the file holds more than one YAML document (a --- line starts another)"),
])
def test_clinic_files_as_an_administrator_writes_them(write_yaml, tmp_path, text, encoding, expected):
    """A clinic administrator's pass: what a hand-written profile holds is read, or said plainly."""
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text("name: X\nphone_24h: '545-0100'\n" + text, encoding=encoding)
    result = run_cli("check", "--clinic", clinic)
    assert "Traceback" not in result.output
    if expected is None:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1 and expected in result.output, result.output


def test_check_notes_chemo_days_that_are_not_one_run(write_yaml):
    """[-5, -4, -13], a digit too many within the range, printed a chemo day a week before the others."""
    gap = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\noverrides: {conditioning_days: [-5, -4, -13]}\n")
    result = run_cli("check", "--clinic", gap)
    assert result.exit_code == 0 and ("note: policy: conditioning_days -13, -5, -4 are not one run of days" in result.output)
    run = write_yaml("d.yaml", "name: X\nphone_24h: '545-0100'\noverrides: {conditioning_days: [-6, -5, -4]}\n")
    assert "conditioning_days" not in run_cli("check", "--clinic", run).output


def test_a_travel_time_the_label_leaves_unconfirmed_is_not_printed_unless_the_clinic_sets_one(write_yaml, tmp_path):
    """us-label-2025 printed the source document's "within 2 hours" beside the label's 2 weeks, a
    pairing neither source makes (the clinical notes: "at least 2 weeks close to a healthcare
    facility (whether "2 hours" remains is unconfirmed)"); check noted it, the papers did not."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\npolicy: us-label-2025\n")
    note = ("note: policy: us-label-2025 gives no stay_near_travel_hours (its sources leave it unconfirmed: see the "
            "profile's notes), so the papers give none; set it in the clinic's overrides if the center has its own")
    assert note in run_cli("check", "--clinic", clinic).output
    confirmed = write_yaml("d.yaml", "name: X\nphone_24h: '545-0100'\npolicy: us-label-2025\n"
                                     "overrides: {stay_near_travel_hours: 2}\n")
    assert "stay_near_travel_hours" not in run_cli("check", "--clinic", confirmed).output
    for profile, language, expected, absent in (
            (clinic, "en", "Stay close to X, or to another healthcare facility, for at least 2 weeks", "within"),
            (confirmed, "en", "Stay where you can get to X within 2 hours for at least 2 weeks", "another healthcare"),
            (clinic, "es", "Quédese cerca de su centro de tratamiento (X), o de otro centro de salud,", "no más de")):
        out = tmp_path / f"{profile.stem}-{language}"
        result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--clinic", profile,
                         "--lang", language, "--doc", "handout", "-o", out)
        assert result.exit_code == 0, result.output
        text = pdf_text(out / "handout.pdf")
        assert expected in text and absent not in text


def test_a_one_day_period_is_not_one_days(write_yaml):
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\noverrides: {daily_monitoring_days: 1}\n")
    result = run_cli("check", "--clinic", clinic)
    assert "daily_monitoring_days is 1 day, below" in result.output and "1 days" not in result.output


def date_format_notes(write_yaml, date_format: str) -> list[str]:
    """What check notes of a clinic file's date format (a valid one: check passes)."""
    clinic = write_yaml("c.yaml", f"name: X\nphone_24h: '545-0100'\ndate_format: \"{date_format}\"\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 0, result.output
    return [line for line in result.output.splitlines() if line.startswith("note: clinic.date_format")]


@pytest.mark.parametrize("date_format, noted", [("d 'de' MMMM 'de' y", "'de'"), ("d MMM y", None), ("long", None)])
def test_check_notes_words_a_date_pattern_prints_in_every_language(write_yaml, date_format, noted):
    """"d 'de' MMMM 'de' y" made the English papers say "5 de March de 2027", and check said nothing."""
    notes = date_format_notes(write_yaml, date_format)
    assert notes == ([f"note: clinic.date_format: {date_format} prints {noted} in every language's documents; "
                      "the named formats (short, medium, long, full) follow each language"] if noted else [])


@pytest.mark.parametrize("date_format, noted", [("dd/MM/yyyy", True), ("short", True), ("d.MM.y'3'", True),
                                                ("yyyy-MM-dd", False), ("long", False), ("d MMM y", False)])
def test_check_notes_a_date_format_printed_with_the_month_named(write_yaml, date_format, noted):
    """date_format: dd/MM/yyyy printed "Mar 5, 2027" on every paper, and check said nothing."""
    notes = date_format_notes(write_yaml, date_format)
    assert notes == ([f"note: clinic.date_format: {date_format} prints the month as a number, read as day or month by "
                      "country: every paper prints its dates with the month named instead (medium: Mar 5, 2027)"]
                     if noted else [])


def test_a_refused_date_format_gets_no_note_and_the_note_speaks_the_clinics_language(write_yaml):
    """check noted that "MM/dd" would print the month named while refusing it (generate stops); the
    note's example was English for a Spanish clinic, whose papers print "5 mar 2027"."""
    refused = run_cli("check", "--clinic", write_yaml("r.yaml", "name: X\nphone_24h: '545-0100'\ndate_format: MM/dd\n"))
    assert refused.exit_code == 1 and "note: clinic.date_format" not in refused.output
    spanish = write_yaml("s.yaml", "name: X\nphone_24h: '545-0100'\nlanguage: es\ndate_format: dd/MM/yyyy\n")
    assert "(medium: 5 mar 2027)" in run_cli("check", "--clinic", spanish).output


def test_a_clinic_files_first_problem_comes_with_how_many_more(write_yaml, tmp_path):
    """generate named the first of a clinic file's problems alone, where check listed three."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nphysican: Dr A\ncolors: {primary: navy}\n"
                                  "paper: legal\n")
    generated = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                        "-o", tmp_path / "out")
    assert generated.exit_code == 2
    assert generated.stderr == ("error: clinic.physican: unknown clinic field (did you mean physician?) "
                                "(and 2 more: carthandout check --clinic lists them)\n")
    missing_group = write_yaml("g.yaml", "name: X\nphone_24h: '545-0100'\nchecklist: {add: [{id: dental, text: x}]}\n")
    checked = run_cli("check", "--clinic", missing_group)  # "None is not a group"
    assert "clinic.checklist.add[1].group: is required (tests or steps)" in checked.output


def test_check_notes_a_caregiver_period_shorter_than_the_close_watch(write_yaml):
    """The log and the handwriting boxes follow the caregiver period: with 7 days of it under a
    14-day close watch they stopped a week early, and check said nothing."""
    short = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\npolicy: us-label-2025\n"
                                 "overrides: {caregiver_days: 7}\n")
    result = run_cli("check", "--clinic", short)
    assert result.exit_code == 0, result.output
    assert "note: policy: caregiver_days (7) is below monitoring_days (14)" in result.output
    same = write_yaml("d.yaml", "name: X\nphone_24h: '545-0100'\npolicy: us-label-2025\n"
                                "overrides: {stay_near_travel_hours: 2}\n")  # the travel time the label leaves unset, set
    assert "note: policy:" not in run_cli("check", "--clinic", same).output


def test_check_notes_a_period_shorter_than_the_current_label(write_yaml):
    """The default profile (the source document) tells the patient the team watches closely for
    7 days; the June 2025 label says at least 2 weeks. Said by check, with what to do about it."""
    default = run_cli("check", "--clinic", write_yaml("a.yaml", "name: X\nphone_24h: '545-0100'\n"))
    assert default.exit_code == 0, default.output
    assert ("note: policy: monitoring_days is 7 days, below the current US label's minimum of 14 (us-label-2025), "
            "and the papers give the patient the shorter period; give policy: us-label-2025 if the center follows "
            "the label") in default.output
    assert "stay_near_days" not in default.output  # 4 weeks: longer than the label's, not less
    shortened = run_cli("check", "--clinic", write_yaml("b.yaml", "name: X\nphone_24h: '545-0100'\n"
                                                        "policy: us-label-2025\noverrides: {no_driving_days: 10}\n"))
    assert ("note: policy: no_driving_days is 10 days, below the current US label's minimum of 14 (us-label-2025), "
            "and the papers give the patient the shorter period; the clinic's override sets it: raise it if the "
            "center follows the label") in shortened.output
    assert "monitoring_days is" not in shortened.output
    # the default profile's short value beside an override of another: each note says where its value comes from
    mixed = run_cli("check", "--clinic", write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\n"
                                                    "overrides: {no_driving_days: 10}\n")).output
    assert "monitoring_days is 7 days" in mixed and "give policy: us-label-2025 if" in mixed
    assert "no_driving_days is 10 days" in mixed and "the clinic's override sets it" in mixed


def test_check_lists_every_clinic_problem_at_once(write_yaml):
    """A clinic file with three mistakes took three runs of check: it listed the first."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\ndate_format: dMy\npolicy: made-up\n"
                                  "team: [{role: {en: Nurse, sp: Enfermera}, name: Jo}, {role: Nurse, name: Ann},\n"
                                  "       {role: Pharmacist, name: \"\u0e2a\u0e21\"}]\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    for field in ("clinic.date_format: dMy", "clinic.policy: unknown policy profile", "clinic.team[1].role.sp:",
                  "clinic.team[3].name:"):  # each team member's problem, not the first member's alone
        assert sum(line.startswith(field) for line in result.output.splitlines()) == 1, field


def test_check_reads_a_clinic_file_from_a_pipe_once():
    """`check --clinic <(...)` read the pipe a second time to list every problem, found it empty,
    and said "the clinic file must be a mapping of fields" for a misspelt field."""
    reading, writing = os.pipe()
    os.write(writing, b'name: "Lakeside"\nphone_24h: "(312) 867-4400"\nadress: "1 Main St"\n')
    os.close(writing)
    try:
        result = run_cli("check", "--clinic", f"/dev/fd/{reading}")
    finally:
        os.close(reading)
    assert result.exit_code == 1
    assert "clinic.adress: unknown clinic field (did you mean address?)" in result.output  # as a patient's field is
    assert "mapping" not in result.output


def test_check_notes_a_copy_of_the_example_clinic_still_marked_as_the_example(tmp_path, example_clinic):
    """A copy with its own center numbers but the example's team passed check silently; every page
    generate printed with it was marked as the example's."""
    copy = tmp_path / "clinic.yaml"
    copy.write_text(example_clinic.read_text().replace("555-0199", "867-4400").replace("555-0142", "867-4401"))
    (tmp_path / "logo.png").write_bytes((example_clinic.parent / "logo.png").read_bytes())
    result = run_cli("check", "--clinic", copy)
    assert result.exit_code == 0, result.output
    assert "note: the clinic profile has the example clinic's made-up phone numbers" in result.output
    bundled = run_cli("check", "--clinic", example_clinic)
    assert "note: this is the bundled example clinic" in bundled.output
    assert "example clinic" not in run_cli("check").output  # no file given: checking the example is asked for


def _problem_fields(clinic) -> list[str]:
    """The clinic fields `check` names a problem of, in order; it must find some."""
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    return [line.split(":")[0] for line in result.output.splitlines() if line.startswith("clinic.")]


def test_check_lists_what_needs_a_whole_clinic_beside_the_fields_that_do_not_parse(write_yaml):
    """A misspelt field hid the overrides', the checklist's and the wallet card's problems until it
    was mended: a file with both kinds took two runs."""
    clinic = write_yaml("c.yaml", "name: Lakeside\nphone_24h: '(312) 867-4400'\nadress: 1 Main St\n"
                                  "overrides: {monitoring_days: 0}\nwallet_card: {qrr: true}\n"
                                  "checklist: {remove: [nothing-such]}\n")
    assert _problem_fields(clinic) == ["clinic.adress", "clinic.overrides.monitoring_days",
                                       "clinic.checklist.remove[1]", "clinic.wallet_card.qrr"]
    # overrides are not checked against a profile the file does not name (a policy that did not parse)
    policy = write_yaml("p.yaml", "name: X\nphone_24h: '(312) 867-4400'\npolicy: [us-label-2025]\n"
                                  "overrides: {daily_monitoring_days: 10}\n")
    assert _problem_fields(policy) == ["clinic.policy"]
    # the clinic's reading level limit still holds beside a misspelt field
    strict = write_yaml("r.yaml", "name: X\nphone_24h: '(312) 867-4400'\nreadability: {max_grade: 5}\nadress: x\n")
    assert "(limit grade 5)" in run_cli("check", "--clinic", strict).output
    missing = write_yaml("m.yaml", "phone_24h: '(312) 867-4400'\nlanguage: fr\n")  # no stand-in's problem shown
    lines = [line for line in run_cli("check", "--clinic", missing).output.splitlines() if line.startswith("clinic.")]
    assert lines == ["clinic.language: fr is not an available language (available: en, es)",
                     "clinic.name: is required"]


def test_check_lists_every_problem_of_the_clinics_checklist_section(write_yaml, tmp_path):
    """Inside ``checklist:`` check listed the first problem only."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nchecklist:\n  remove: [nope-1, 7]\n"
                                  "  rename: {nothing-here: x}\n  colour: red\n  add:\n"
                                  "    - {id: Bad Id, group: tests, text: x}\n    - {id: ok-one, group: nogroup, text: y}\n"
                                  "    - {id: ok-two, group: tests, text: z, date: dates.nothing}\n")
    assert _problem_fields(clinic) == [
        "clinic.checklist.colour", "clinic.checklist.remove[1]", "clinic.checklist.remove[2]",
        "clinic.checklist.rename.nothing-here", "clinic.checklist.add[1].id", "clinic.checklist.add[2].group",
        "clinic.checklist.add[3].date"]
    generated = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                        "--doc", "checklist", "-o", tmp_path / "out")
    assert generated.exit_code == 2 and generated.stderr == (
        "error: clinic.checklist.colour: unknown setting (use add, remove, rename)"
        " (and 6 more: carthandout check --clinic lists them)\n")


def test_a_bad_date_format_does_not_hide_the_checklist_sections_problems(write_yaml, tmp_path):
    """The checklist section was checked in a context the bad date format could not be built in:
    check listed the date format alone, and generate said nothing of the rest."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\ndate_format: dMy\n"
                                  "checklist: {remvoe: [x], remove: [nope]}\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    assert [line.split(":")[0] for line in result.output.splitlines() if line.startswith("clinic.")] == [
        "clinic.date_format", "clinic.checklist.remvoe", "clinic.checklist.remove[1]"]
    generated = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                        "-o", tmp_path / "out")
    assert generated.exit_code == 2 and generated.stderr.startswith("error: clinic.date_format: ")
    assert generated.stderr.endswith(" (and 2 more: carthandout check --clinic lists them)\n")


def test_every_bad_override_is_named_at_once(write_yaml, tmp_path):
    """check listed the first bad override alone: a center fixed one value a run."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\n"
                                  "overrides: {monitoring_days: 0, fever_threshold_f: 38, live_vaccine_weeks: 60, "
                                  "monitoring_weeks: 2}\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    assert sorted(line.split(":")[0] for line in result.output.splitlines() if line.startswith("clinic.")) == [
        "clinic.overrides.fever_threshold_f", "clinic.overrides.live_vaccine_weeks",
        "clinic.overrides.monitoring_days", "clinic.overrides.monitoring_weeks"]
    generated = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                        "-o", tmp_path / "out")
    assert generated.exit_code == 2 and generated.stderr.endswith(" (and 3 more: carthandout check --clinic lists them)\n")


def test_generate_says_which_fields_it_read_as_empty(tmp_path):
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--caregiver", "N/A",
                     "--mrn", "none", "--doc", "handout", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert "warning: caregiver: N/A, none, - or the like: read as empty\n" in result.stderr
    assert "warning: mrn: N/A, none, - or the like: read as empty\n" in result.stderr
    assert "N/A" not in pdf_text(tmp_path / "out" / "handout.pdf")


def test_overrides_that_read_are_checked_beside_those_that_do_not(write_yaml):
    """An empty or mistyped override hid the others' names and ranges until it was mended."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\noverrides: {monitoring_dys: 28, stay_near_days: '', "
                                  "no_driving_days: [1, {a: 2}], fever_threshold_f: 200}\n")
    lines = sorted(line.split(":")[0] for line in run_cli("check", "--clinic", clinic).output.splitlines()
                   if line.startswith("clinic."))
    assert lines == [f"clinic.overrides.{name}" for name in
                     ("fever_threshold_f", "monitoring_dys", "no_driving_days", "stay_near_days")]


@pytest.mark.parametrize("other", ["stay_near_travel_hours: 99", "daily_monitoring_dayz: 3",
                                   "conditioning_days: [-5, -5]"])
def test_overrides_that_contradict_each_other_are_named_beside_other_problems(write_yaml, other):
    """A bad override hid that two others contradict each other, until it was mended."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\n"
                                  f"overrides: {{monitoring_days: 10, stay_near_days: 5, {other}}}\n")
    lines = [line for line in run_cli("check", "--clinic", clinic).output.splitlines() if line.startswith("clinic.")]
    assert len(lines) == 2 and lines[0].startswith(f"clinic.overrides.{other.split(':')[0]}: ")
    assert lines[1].startswith("clinic.overrides: stay_near_days is below monitoring_days")


def test_an_override_that_does_not_read_is_not_compared_as_the_profiles_value(write_yaml):
    """monitoring_days out of range, daily_monitoring_days 20: not also "above monitoring_days"
    (the profile's 7), nor for a misspelt monitoring_days."""
    for mistake in ("monitoring_days: 400", "monitoring_dayz: 30"):
        clinic = write_yaml("c.yaml", f"name: X\nphone_24h: '545-0100'\n"
                                      f"overrides: {{{mistake}, daily_monitoring_days: 20, stay_near_days: 30}}\n")
        lines = [line for line in run_cli("check", "--clinic", clinic).output.splitlines()
                 if line.startswith("clinic.")]
        assert len(lines) == 1 and lines[0].startswith(f"clinic.overrides.{mistake.split(':')[0]}: "), lines


def test_generate_and_batch_count_every_problem_check_lists(write_yaml, tmp_path):
    """One empty override, five more wrong: generate said the first alone (no "and 5 more"), and
    each run found the next."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\noverrides: {caregiver_days: '', "
                                  "monitoring_dys: 3, fever_threshold_f: 200, live_vaccine_weeks: 99, "
                                  "stay_near_travel_hours: 0, no_driving_days: 1000}\n")
    listed = [line for line in run_cli("check", "--clinic", clinic).output.splitlines() if line.startswith("clinic.")]
    assert len(listed) == 6
    roster = tmp_path / "r.csv"
    roster.write_text("name,infusion_date\nAnn Lee,2027-03-05\n", encoding="utf-8")
    for result in (run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                           "-o", tmp_path / "out"),
                   run_cli("batch", roster, "--clinic", clinic, "-o", tmp_path / "cohort")):
        assert result.exit_code == 2
        assert result.stderr.startswith(f"error: {listed[0]} (and 5 more: carthandout check --clinic lists them)\n")


def test_a_patient_file_of_dash_is_read_from_standard_input(tmp_path):
    """`gpg -d patient.yaml.gpg | carthandout generate --patient - ...` failed: "-" was a file's name."""
    result = run_cli("generate", "--patient", "-", "--doc", "handout", "-o", tmp_path / "out",
                     input="Name: Ann Lee\nInfusion Date: '2027-03-05'\n")
    assert result.exit_code == 0, result.stderr
    assert "Ann Lee" in pdf_text(tmp_path / "out" / "handout.pdf")


def test_standard_input_is_read_once_and_named_as_such(tmp_path, monkeypatch):
    """--patient - --clinic -: the clinic found the input used up ("must be a mapping of fields");
    a clinic from standard input was named "-" in its errors; a password was asked for only on a
    terminal, and the message said to run in one to someone who was, with --patient - piped in."""
    both = run_cli("generate", "--patient", "-", "--clinic", "-", "-o", tmp_path / "a", input="name: A\n")
    assert both.exit_code == 2
    assert both.stderr == "error: --clinic: cannot read standard input too: --patient - reads it\n"
    clinic = run_cli("check", "--clinic", "-", input="name: [X\n")
    assert "clinic: standard input:" in clinic.output and "clinic: -" not in clinic.output
    monkeypatch.delenv("CARTHANDOUT_PDF_PASSWORD", raising=False)
    piped = run_cli("generate", "--patient", "-", "--encrypt", "-o", tmp_path / "b",
                    input="name: Ann Lee\ninfusion_date: '2027-03-05'\n")
    assert piped.exit_code == 2 and "not a pipe such as --patient -" in piped.stderr


def test_a_misspelt_override_is_told_the_name_it_is_close_to(write_yaml):
    """"daily_monitoring_dayz: unknown policy value (known: ...fourteen names)" left the clinic to spot it."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\n"
                                  "overrides: {daily_monitoring_dayz: 7, driving_restriction_weeks: 8}\n")
    lines = [line for line in run_cli("check", "--clinic", clinic).output.splitlines() if line.startswith("clinic.")]
    assert lines[0] == "clinic.overrides.daily_monitoring_dayz: unknown policy value (did you mean daily_monitoring_days?)"
    assert lines[1].startswith("clinic.overrides.driving_restriction_weeks: unknown policy value (known: ")


def test_every_empty_or_mistyped_override_is_named_at_once(write_yaml):
    """The first empty or mistyped override hid the others: a center fixed one value a run."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\n"
                                  "overrides: {monitoring_days: , stay_near_days: {a: 1}, caregiver_days: 20}\n")
    lines = [line for line in run_cli("check", "--clinic", clinic).output.splitlines() if line.startswith("clinic.")]
    assert lines == ["clinic.overrides.monitoring_days: is empty: give it a value, or leave it out",
                     "clinic.overrides.stay_near_days: must be a number, not a mapping"]


def test_a_quoted_number_override_is_told_to_lose_its_quotes(write_yaml):
    """`stay_near_days: "21"` got "must be a whole number of days": it is one; the quotes were the
    problem, and the docs tell clinics to quote what looks like a number."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\noverrides: {stay_near_days: '21', "
                                  "fever_threshold_f: '100.4'}\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("clinic.")]
    assert lines == [f"clinic.overrides.{name}: {name} must be a number, not text (write it without quotes)"
                     for name in ("fever_threshold_f", "stay_near_days")]


def test_check_lists_every_field_a_clinic_file_cannot_be_read_with(write_yaml, tmp_path):
    """A file whose fields do not parse stopped check at the first of them."""
    clinic = write_yaml("c.yaml", "name: ''\nphone_24h: '545-0100'\npaper: b5\ncolors: {primary: red}\n"
                                  "favourite: blue\nname_in_metadata: perhaps\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    expected = ["clinic.favourite: unknown clinic field", "clinic.colors.primary: red is not a #RRGGBB color",
                "clinic.paper: b5 is not letter or a4", "clinic.name: is required", "clinic.name_in_metadata:"]
    listed = [line for line in result.output.splitlines() if line.startswith("clinic.")]
    assert len(listed) == len(expected) and all(line.startswith(start) for line, start in zip(listed, expected))
    generated = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                        "-o", tmp_path / "out")
    assert generated.exit_code == 2
    assert generated.stderr == "error: clinic.favourite: unknown clinic field (and 4 more: carthandout check --clinic lists them)\n"


def test_a_clinic_file_with_number_keys_or_deep_nesting_gets_a_line_naming_it(write_yaml, tmp_path):
    """Keys of mixed types made sorting them fail, and deep nesting overflowed PyYAML: both were
    'internal error' (exit 70) naming nothing."""
    numbers = write_yaml("n.yaml", "name: A\nphone_24h: '545 0100'\n5: x\nfoo: y\nwallet_card: {5: 1, qr: true}\n")
    result = run_cli("check", "--clinic", numbers)
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("clinic.")] == [
        "clinic.5: unknown clinic field", "clinic.foo: unknown clinic field",
        "clinic.wallet_card.5: unknown setting (known: qr)"]  # listed beside the fields that do not parse
    deep = write_yaml("d.yaml", "name: A\nphone_24h: '545 0100'\naddress: " + "[" * 5000 + "x" + "]" * 5000 + "\n")
    for clinic, expected in ((numbers, "error: clinic.5: unknown clinic field (and 2 more: carthandout check --clinic "
                                       "lists them)"),
                             (deep, f"error: clinic: {deep}: is nested too deeply to be read")):
        result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                         "-o", tmp_path / "out")
        assert result.exit_code == 2 and result.stderr.strip() == expected
    wallet = write_yaml("w.yaml", "name: A\nphone_24h: '545 0100'\nwallet_card: {5: 1, qr: true}\n")
    assert "clinic.wallet_card.5: unknown setting" in run_cli("check", "--clinic", wallet).output


def test_check_lists_a_bad_reading_level_once(write_yaml):
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nreadability: {max_grade: 99}\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 1
    assert sum(line.startswith("clinic.readability.max_grade") for line in result.output.splitlines()) == 1


def test_a_folder_that_cannot_take_a_file_is_named_by_the_file_not_its_temporary(tmp_path, monkeypatch, capsys):
    """A read-only folder gave 'cannot write .manifest.csv.hytnvaxy.part'."""
    import errno

    import carthandout.output as output
    from carthandout.cli import main

    def read_only(*args, dir, prefix, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), f"{dir}/{prefix}x1y2.part")

    monkeypatch.setattr(output.tempfile, "mkstemp", read_only)
    monkeypatch.setattr(sys, "argv", ["carthandout", "generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05",
                                      "--doc", "handout", "-o", str(tmp_path)])
    with pytest.raises(SystemExit) as stopped:
        main()
    assert stopped.value.code == 2
    assert capsys.readouterr().err == "error: output: cannot write handout.pdf (Permission denied)\n"


@pytest.mark.parametrize("command", [["generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05"],
                                     ["batch", "ROSTER"]])
def test_an_empty_output_path_is_refused(tmp_path, monkeypatch, command):
    """-o "$OUTDIR" with the variable unset: the cohort's papers, manifest and print/ went into
    the current folder, exit 0."""
    roster = tmp_path / "r.csv"
    roster.write_text("name,infusion_date\nAnn Lee,2027-03-05\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli(*[str(roster) if part == "ROSTER" else part for part in command], "-o", "")
    assert result.exit_code == 2
    assert "'-o' / '--output': is empty: give a path (. for the current folder)" in result.output
    assert sorted(path.name for path in tmp_path.iterdir()) == ["r.csv"]


def test_a_document_is_named_in_any_case_or_with_a_space(tmp_path):
    """`--doc Handout` and `--doc "wallet card"` were unknown documents, as typed from the help."""
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-02-01", "--doc", "Handout",
                     "--doc", "wallet card", "--doc", "HANDOUT", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.glob("*.pdf")) == ["handout.pdf", "record_packet.pdf", "wallet-card.pdf"]


def test_docs_lists_documents_and_languages():
    result = run_cli("docs")
    assert result.exit_code == 0
    assert any(line.startswith("handout") and "en" in line for line in result.output.splitlines())


def test_version_and_module_entry_point():
    assert __version__ in run_cli("--version").output
    completed = subprocess.run([sys.executable, "-m", "carthandout", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0 and __version__ in completed.stdout


def test_demo_needs_no_input(tmp_path):
    result = run_cli("demo", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "Rosa María Delgado" in pdf_text(tmp_path / "handout.pdf")


def test_lang_is_a_short_form_of_language(tmp_path):
    result = run_cli("generate", "--lang", "es", "--name", "Ana", "--infusion-date", "2027-03-05", "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "5 de marzo de 2027" in pdf_text(tmp_path / "handout.pdf")


@pytest.mark.parametrize("args, expected", [
    (["--infusion-date", "9999-12-30"], "infusion_date: the value is outside the years"),
    (["--infusion-date", "2027-03-05", "--date-of-birth", "2030-01-01"], "date_of_birth: the value is after the infusion"),
])
def test_implausible_dates_are_bad_input(tmp_path, args, expected):
    result = run_cli("generate", "--name", "A", *args, "-o", tmp_path)
    assert result.exit_code == 2 and expected in result.stderr


def clinic_with(write_yaml, extra: str):
    return write_yaml("c.yaml", f"name: X\nphone_24h: '555-0100'\n{extra}\n")


def test_conditioning_days_override_moves_the_chemo_dates(tmp_path, write_yaml):
    clinic = clinic_with(write_yaml, "overrides: {conditioning_days: [-6, -5, -4]}")
    result = run_cli("generate", "--clinic", clinic, "--name", "A", "--infusion-date", "2027-03-10", "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    text = pdf_text(tmp_path / "handout.pdf")
    assert "March 4, 2027" in text and "March 6, 2027" in text and "March 7, 2027" not in text


def test_one_fever_scale_overridden_moves_the_other(tmp_path, write_yaml):
    clinic = clinic_with(write_yaml, "overrides: {fever_threshold_f: 101}")
    result = run_cli("generate", "--clinic", clinic, "--name", "A", "--infusion-date", "2027-03-10",
                     "--doc", "temperature-log", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "101 °F (38.3 °C)" in pdf_text(tmp_path / "temperature-log.pdf")


@pytest.mark.parametrize("extra, field", [
    ("overrides: {fever_threshold_c: 100.4}", "clinic.overrides.fever_threshold_c"),
    ("overrides: {fever_threshold_f: 104}",  # printed "Call right away for a fever of 104 °F (40 °C) or higher"
     "clinic.overrides.fever_threshold_f: fever_threshold_f must be a fever threshold from 99.0 to 102.2"),
    ("overrides: {fever_threshold_c: 35}", "clinic.overrides.fever_threshold_c"),  # below a normal temperature
    ("overrides: {fever_threshold_f: 100.4, fever_threshold_c: 38.1}",  # printed "100.4 °F (38.1 °C)"
     "clinic.overrides: fever_threshold_f and fever_threshold_c are not the same temperature (100.4 °F is 38.0 °C)"),
    ("overrides: {fever_threshold_c: 38.05}",  # printed "100.5 °F (38.05 °C)": no thermometer shows 38.05
     "clinic.overrides.fever_threshold_c: fever_threshold_c must have at most one decimal"),
    ("overrides: {stay_near_days: 3}",  # "stay near until March 13", "watched closely until March 17"
     "clinic.overrides: stay_near_days is below monitoring_days"),
    ("overrides: {caregiver_days: 0}", "clinic.overrides.caregiver_days"),
    ("overrides: {caregiver_days: {a: 1}}", "clinic.overrides.caregiver_days"),
    ("overrides: {dose_cells_per_kg: 2.0e6}",  # YAML reads 2.0e6 as text: "or a list of day numbers" misled
     "clinic.overrides.dose_cells_per_kg: dose_cells_per_kg must be a whole, positive number of cells (such as 2000000)"),
    ("overrides: {name_in_metadata: true}",  # a top-level field under overrides: "must be a number" misled
     "clinic.overrides.name_in_metadata: unknown policy value"),
    ("team: [{rol: Nurse, name: A}]", "clinic.team[1]: unknown key rol: a member has only role, name and phone"),
    ("address: [Main St, 75001]", "clinic.address[2]: must be text, got a number"),  # which line
    ("overrides: {1: 2}", "clinic.overrides"),
    ("logo: corrupt.png", "clinic.logo"),
    ("logo: nothing-here.png", "clinic.logo: nothing-here.png does not exist beside the clinic file"),
    ("overrides: {conditioning_days: [-5, -5, -3]}", "clinic.overrides.conditioning_days"),  # two chemo days on one date
    ("overrides: {conditioning_days: [-1000000]}", "clinic.overrides.conditioning_days"),  # OverflowError
    # a digit too many moved day 1 and every test's due date four weeks early
    ("overrides: {conditioning_days: [-5, -4, -30]}",
     "clinic.overrides.conditioning_days: conditioning_days must be a list of negative day numbers from -14 to -1"),
    ("checklist: {remove: [{a: 1}]}", "clinic.checklist.remove[1]"),  # crashed with TypeError
    ("checklist: {remove: [echocardiogram], rename: {echocardiogram: Echo or MUGA}}",  # the new text printed nowhere
     "clinic.checklist.rename.echocardiogram: the item is removed too: rename it or remove it"),
    ("checklist: {remove: [infusion, monitoring, leukapheresis, manufacturing, conditioning, pet-ct, echocardiogram, "
     "lung-function, hiv, hepatitis-b, hepatitis-c, pregnancy, infection-check, vaccination-history]}",
     "clinic.checklist: removes every item and adds none"),  # printed a checklist of no tests
    ("readability: {max_grade: eight}", "clinic.readability.max_grade"),
    ("language: no", "clinic.language"),  # YAML 1.1 reads no as false; the error named the patient's field
    ("language: fr", "clinic.language"),  # failed each patient at render time, not `check`
    ("language: fr\nteam: [{role: {en: Pharmacy, es: Farmacia}, name: Jo}]",  # named only the roles' missing fr
     "clinic.language: fr is not an available language"),
    ("date_format: \"d MMMM y 'and then words far too long to fit on any wallet card'\"", "clinic.date_format"),
    ("date_format: \"ddd MMM y\"", "clinic.date_format: ddd MMM y: ddd is not"),  # an internal error, or "005"
    ("team: [{}]", "clinic.team[1].role"),  # printed an empty contacts row
    ("team: [{role: Pharmacy}]", "clinic.team[1]"),
    ("team: [null]", "clinic.team[1]"),
    ("overrides: {dose_max_cells: 1}", "clinic.overrides.dose_max_cells: 1 is more than 10 times away"),  # "1 × 10⁰"
    ("overrides: {dose_cells_per_kg: 20000001}", "clinic.overrides.dose_cells_per_kg: 20000001 is more than"),
    ("team: [{role: {es: Farmacia}, name: Jo}]", "clinic.team[1].role: needs the text in the clinic's language (en)"),
    ("team: [{role: {en: Pharmacy, es-MX: Farmacia, es: Farmacia}, name: Jo}]",
     "clinic.team[1].role.es: gives the text in es a second time"),
    ("team: [{role: {en: Pharmacy, spanish!: Farmacia}, name: Jo}]", "clinic.team[1].role.spanish!: spanish! is not a language"),
    ("team: [{role: {en: Pharmacy, es: ''}, name: Jo}]", "clinic.team[1].role.es: is required"),
    ("team: [{role: [Pharmacy], name: Jo}]", "clinic.team[1].role: must be text"),
    ("team: [{role: {en: Pharmacy, sp: Farmacia}, name: Jo}]", "clinic.team[1].role.sp: sp is not an available language"),
    ("team: [{role: {en: Pharmacy, 1: Farmacia}, name: Jo}]", "clinic.team[1].role.1: is not a language code"),
    ("team: [{role: {en: Pharmacy, no: Farmacia}, name: Jo}]", "clinic.team[1].role.no: is not a language code"),
    ("date_format: \"d MMM y'\U0001F600'\"", "clinic.date_format: character U+1F600"),  # named infusion_date
    ("checklist: {rename: {hiv: {en: HIV test, sp: VIH}}}", "clinic.checklist.rename.hiv.sp: sp is not an available"),
    ("colors:\n  primary: #1F4E79", "clinic.colors.primary: is empty: in YAML put a color in quotes"),  # a comment
    ("overrides: {conditioning_days: [-5]}\nchecklist: {add: [{id: a, group: tests, text: x, date: dates.conditioning_day_2}]}",
     "clinic.checklist.add[1].date"),  # the item printed with no date
])
def test_bad_clinic_values_are_one_line(tmp_path, write_yaml, extra, field):
    (tmp_path / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage")
    clinic = clinic_with(write_yaml, extra)
    result = run_cli("generate", "--clinic", clinic, "--name", "A", "--infusion-date", "2027-03-10", "-o", tmp_path / "o")
    assert result.exit_code == 2 and result.stderr.startswith(f"error: {field}")


def test_a_brand_kit_logo_is_embedded_at_print_resolution(tmp_path, write_yaml):
    """A 3000-pixel photographic logo made every PDF 6.5 MB; drawn 0.6 inch tall it needs 180 pixels."""
    from PIL import Image

    Image.effect_noise((3000, 1200), 60).convert("RGB").save(tmp_path / "brand.png")
    clinic = clinic_with(write_yaml, "logo: brand.png")
    result = run_cli("generate", "--clinic", clinic, "--name", "A", "--infusion-date", "2027-03-10",
                     "--doc", "handout", "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output
    images = [xobject for page in pypdf.PdfReader(tmp_path / "o" / "handout.pdf").pages
              for form in page["/Resources"]["/XObject"].values()
              for xobject in form.get_object()["/Resources"]["/XObject"].values()]
    assert {(image["/Width"], image["/Height"]) for image in images} == {(450, 180)}
    assert (tmp_path / "o" / "handout.pdf").stat().st_size < 300_000


def _embedded_logo(pdf: Path):
    images = [image.image for image in pypdf.PdfReader(pdf).pages[0].images]
    assert len(images) == 1
    return images[0]


def test_a_16_bit_grey_logo_keeps_its_tones_and_a_camera_logo_stands_upright(tmp_path, write_yaml):
    """Pillow clips 16-bit grey at 255: a black-to-white gradient printed as a black sliver. A
    JPEG stored on its side with an EXIF orientation printed sideways."""
    from PIL import Image

    gradient = Image.linear_gradient("L").rotate(90).resize((400, 120))  # black left, white right
    gradient.convert("I").point(lambda value: value * 257).convert("I;16").save(tmp_path / "grey16.png")
    wide = Image.new("RGB", (300, 100), "white")
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    wide.transpose(Image.Transpose.ROTATE_90).save(tmp_path / "camera.jpg", exif=exif.tobytes())
    for logo in ("grey16.png", "camera.jpg"):
        result = run_cli("generate", "--clinic", clinic_with(write_yaml, f"logo: {logo}"), "--name", "A",
                         "--infusion-date", "2027-03-10", "--doc", "handout", "-o", tmp_path / f"out-{logo}")
        assert result.exit_code == 0, result.output
    grey = _embedded_logo(tmp_path / "out-grey16.png" / "handout.pdf").convert("L")
    tones = [grey.getpixel((grey.width * step // 8, grey.height // 2)) for step in range(1, 8)]
    assert tones == sorted(tones) and 96 <= tones[3] <= 160  # mid grey in the middle, not white
    upright = _embedded_logo(tmp_path / "out-camera.jpg" / "handout.pdf")
    assert upright.width > upright.height


def test_something_in_the_way_of_an_output_file_is_one_line(tmp_path):
    (tmp_path / "handout.pdf").mkdir()
    completed = subprocess.run([sys.executable, "-m", "carthandout", "generate", "--name", "A", "--infusion-date",
                                "2027-03-10", "--doc", "handout", "-o", str(tmp_path)], capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stderr.strip() == "error: output: cannot write handout.pdf (Is a directory)"


def test_a_file_too_large_for_the_disk_leaves_the_earlier_patients_set_whole(tmp_path):
    """With a file size limit, generate wrote the new patient's handout and failed on the next
    file: one patient's handout beside another's card and checklist. The error named no file."""
    first = run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "-o", tmp_path)
    assert first.exit_code == 0
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))"
    completed = subprocess.run(
        [sys.executable, "-c", f"{limit}; import sys, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
         "from carthandout.cli import main; sys.argv[0] = 'carthandout'; main()",
         "generate", "--name", "Other Patient", "--infusion-date", "2027-05-01", "-o", str(tmp_path)],
        capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stderr.startswith("error: output: cannot write ") and ".part" not in completed.stderr
    assert re.match(r"error: output: cannot write [a-z_-]+\.pdf \(File too large\)", completed.stderr), completed.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before  # no temporary file left either


@pytest.mark.parametrize("blocked", ["checklist.pdf", "manifest.csv"])
def test_a_folder_in_a_files_place_stops_generate_before_any_file_is_replaced(tmp_path, blocked):
    """A folder named checklist.pdf failed the rename of that one file: the documents renamed
    before it were the new patient's, the rest the earlier patient's, and the unrenamed
    temporaries (patient data) stayed in the folder. One named manifest.csv failed after every
    PDF was the new patient's, with no record of whose they were."""
    assert run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "-o", tmp_path).exit_code == 0
    (tmp_path / blocked).unlink()
    (tmp_path / blocked).mkdir()
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()}
    completed = subprocess.run([sys.executable, "-m", "carthandout", "generate", "--name", "Bo Chen", "--infusion-date",
                                "2027-04-05", "-o", str(tmp_path)], capture_output=True, text=True)
    assert completed.returncode == 2
    assert completed.stderr.strip() == f"error: output: cannot write {blocked} (Is a directory)"
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir() if path.is_file()} == before
    assert not [path for path in tmp_path.iterdir() if path.name.endswith(".part")]


def test_files_take_the_umask_and_a_replaced_file_keeps_its_mode(tmp_path):
    """Every file was 644, readable by every user of the machine, whatever the umask."""
    code = ("import os, sys; os.umask(0o077); from carthandout.cli import main; sys.argv[0] = 'carthandout'; main()")
    args = ["generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "handout", "-o", str(tmp_path)]
    assert subprocess.run([sys.executable, "-c", code, *args], capture_output=True).returncode == 0
    assert {oct(path.stat().st_mode & 0o777) for path in tmp_path.iterdir()} == {oct(0o600)}
    (tmp_path / "handout.pdf").chmod(0o640)
    assert run_cli(*args).exit_code == 0
    assert (tmp_path / "handout.pdf").stat().st_mode & 0o777 == 0o640


def test_a_replaced_file_allows_no_more_than_the_umask(tmp_path):
    """Files written 644 stayed 644 on every re-run after the administrator set umask 077: a
    replaced file kept the old file's mode, however loose (an outside security pass)."""
    code = ("import os, sys; os.umask(0o077); from carthandout.cli import main; sys.argv[0] = 'carthandout'; main()")
    args = ["generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "handout", "-o", str(tmp_path)]
    assert run_cli(*args).exit_code == 0
    for path in tmp_path.iterdir():
        path.chmod(0o644)
    (tmp_path / "handout.pdf").chmod(0o640)
    assert subprocess.run([sys.executable, "-c", code, *args], capture_output=True).returncode == 0
    assert {path.name: oct(path.stat().st_mode & 0o777) for path in tmp_path.iterdir()} == {
        "handout.pdf": oct(0o600), "record_packet.pdf": oct(0o600), "manifest.csv": oct(0o600)}


def test_a_kept_edited_copy_allows_no_more_than_the_umask(tmp_path):
    """The copy kept of a checklist staff filled in is a second name for the old file: it stayed
    644 under umask 077, holding what staff typed about the patient (a review)."""
    code = ("import os, sys; os.umask(0o077); from carthandout.cli import main; sys.argv[0] = 'carthandout'; main()")
    args = ["generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "checklist", "-o", str(tmp_path)]
    assert run_cli(*args).exit_code == 0
    fill_in_on_screen(tmp_path / "checklist.pdf", "JL")
    (tmp_path / "checklist.pdf").chmod(0o644)
    assert subprocess.run([sys.executable, "-c", code, *args], capture_output=True).returncode == 0
    assert (tmp_path / "checklist.edited.pdf").stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "checklist.pdf").stat().st_mode & 0o777 == 0o600


def test_a_rerun_leaves_no_stale_document_of_an_earlier_run(tmp_path):
    run_cli("generate", "--name", "First", "--infusion-date", "2027-03-05", "--doc", "wallet-card", "-o", tmp_path)
    assert (tmp_path / "wallet-card.pdf").exists()
    result = run_cli("generate", "--name", "Second", "--infusion-date", "2027-04-05", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["handout.pdf", "record_packet.pdf"]
    assert f"removed {tmp_path / 'wallet-card.pdf'}" in result.stdout


def test_a_file_with_a_documents_name_that_no_earlier_run_wrote_is_left_with_a_note(tmp_path):
    """generate -o a shared folder deleted the user's own calendar.pdf, and a checklist filled in
    on screen since the run that wrote it, without a word."""
    (tmp_path / "calendar.pdf").write_bytes(b"%PDF-1.4 the user's own")
    run_cli("generate", "--name", "First", "--infusion-date", "2027-03-05", "--doc", "wallet-card", "--doc", "checklist",
            "-o", tmp_path)
    filled = fill_in_on_screen(tmp_path / "checklist.pdf", "FI")
    (tmp_path / "manifest.csv").unlink()  # an earlier patient's papers go without it too, unless changed by hand
    result = run_cli("generate", "--name", "First", "--infusion-date", "2027-03-05", "--doc", "handout", "-o", tmp_path)
    assert result.exit_code == 0
    assert (tmp_path / "calendar.pdf").read_bytes() == b"%PDF-1.4 the user's own"
    assert (tmp_path / "checklist.pdf").read_bytes() == filled and not (tmp_path / "wallet-card.pdf").exists()
    for name in ("calendar.pdf", "checklist.pdf"):
        assert f"note: left {tmp_path / name} as it is" in result.stderr
    assert f"removed {tmp_path / 'wallet-card.pdf'}" in result.stdout


def test_a_rerun_keeps_a_checklist_filled_in_since_beside_the_new_one(tmp_path):
    """A re-run for a corrected date replaced a checklist staff had filled in on screen, without a word."""
    args = ("generate", "--name", "Ann Lee", "--doc", "checklist", "-o", tmp_path)
    assert run_cli(*args, "--infusion-date", "2027-03-05").exit_code == 0
    filled = fill_in_on_screen(tmp_path / "checklist.pdf", "JL")
    result = run_cli(*args, "--infusion-date", "2027-03-12")
    assert result.exit_code == 0
    assert (tmp_path / "checklist.edited.pdf").read_bytes() == filled
    assert "JL" in field_values(tmp_path / "checklist.edited.pdf")
    assert "JL" not in field_values(tmp_path / "checklist.pdf")
    assert (f"note: checklist.pdf had changed since the run that made it (filled in on screen?): kept as "
            f"{tmp_path / 'checklist.edited.pdf'}") in result.stderr
    again = run_cli(*args, "--infusion-date", "2027-03-12")  # the new checklist is as it was made
    assert again.exit_code == 0 and "kept as" not in again.stderr
    filled_again = fill_in_on_screen(tmp_path / "checklist.pdf", "MK")
    assert run_cli(*args, "--infusion-date", "2027-03-12").exit_code == 0
    assert (tmp_path / "checklist.edited.pdf").read_bytes() == filled  # the first copy stays as it was
    assert (tmp_path / "checklist.edited-2.pdf").read_bytes() == filled_again
    assert sorted(path.name for path in tmp_path.glob("*.edited*")) == ["checklist.edited-2.pdf", "checklist.edited.pdf"]
    filled_third = fill_in_on_screen(tmp_path / "checklist.pdf", "NP")  # then another patient in this folder
    other = run_cli("generate", "--name", "Bo Chen", "--doc", "checklist", "--infusion-date", "2027-03-12", "-o", tmp_path)
    assert other.exit_code == 2
    assert other.stderr.startswith("error: output: 3 files here are not this patient's to keep: checklist.edited-2.pdf, "
                                   "checklist.edited.pdf: each was kept by an earlier run and is another patient's")
    assert "; checklist.pdf is another patient's" in other.stderr  # every one, in one line, each reason once
    assert other.stderr.endswith("; move them away, then run again\n") and other.stderr.count("\n") == 1
    assert (tmp_path / "checklist.pdf").read_bytes() == filled_third and len(list(tmp_path.glob("*.edited*"))) == 2


def test_a_filled_in_checklist_is_kept_without_a_manifest_and_nothing_else_is(tmp_path, monkeypatch):
    """Kept copies were decided by the earlier manifest alone: without it (deleted, or re-saved by a
    spreadsheet) a filled checklist was replaced, and after a run that did not finish every
    document made since counted as changed."""
    monkeypatch.setenv("CARTHANDOUT_TEST_PASSWORD", "correct horse battery")
    args = ("generate", "--name", "Ann Lee", "--doc", "checklist", "--doc", "handout", "--encrypt",
            "--password-env", "CARTHANDOUT_TEST_PASSWORD", "-o", tmp_path)
    assert run_cli(*args, "--infusion-date", "2027-03-05").exit_code == 0
    (tmp_path / "manifest.csv").unlink()
    result = run_cli(*args, "--infusion-date", "2027-03-12")  # every file changes; none was changed by hand
    assert result.exit_code == 0 and not list(tmp_path.glob("*.edited*")) and "kept as" not in result.stderr
    reader = pypdf.PdfReader(tmp_path / "checklist.pdf")
    reader.decrypt("correct horse battery")
    writer = pypdf.PdfWriter(clone_from=reader)
    name = next(field for field in reader.get_fields() if field.endswith("_initials"))
    for page in writer.pages:
        writer.update_page_form_field_values(page, {name: "JL"}, auto_regenerate=False)
    writer.encrypt("correct horse battery")
    with (tmp_path / "checklist.pdf").open("wb") as stream:
        writer.write(stream)
    (tmp_path / "manifest.csv").write_bytes(b"\xef\xbb\xbf" + (tmp_path / "manifest.csv").read_bytes())  # Excel's CSV
    result = run_cli(*args, "--infusion-date", "2027-03-19")
    assert result.exit_code == 0
    assert sorted(path.name for path in tmp_path.glob("*.edited*")) == ["checklist.edited.pdf"]


def test_a_file_not_made_by_carthandout_is_never_replaced(tmp_path):
    """Whose it is cannot be told: kept beside this patient's papers it could be another's."""
    (tmp_path / "handout.pdf").write_bytes(b"%PDF-1.4 the user's own")
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 2
    assert result.stderr == ("error: output: handout.pdf here cannot be read (damaged, or not a PDF), so neither "
                             "whose it is nor whether it was filled in can be told: move it away, then run again\n")
    assert (tmp_path / "handout.pdf").read_bytes() == b"%PDF-1.4 the user's own"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["handout.pdf"]


def _drop_patient_key(path: Path) -> None:
    """What a program that rewrites the document information (or an earlier carthandout) leaves."""
    writer = pypdf.PdfWriter(clone_from=path)
    del writer._info.get_object()[pypdf.generic.NameObject("/CarthandoutPatient")]
    with path.open("wb") as stream:
        writer.write(stream)


def _tick_by_appearance_only(path: Path) -> None:
    """A viewer that shows a tick by the box's appearance state, with no value."""
    writer = pypdf.PdfWriter(clone_from=path)
    box = next(annotation.get_object() for page in writer.pages for annotation in page["/Annots"]
               if annotation.get_object().get("/FT") == "/Btn")
    box[pypdf.generic.NameObject("/AS")] = pypdf.generic.NameObject(next(key for key in box["/AP"]["/N"] if key != "/Off"))
    with path.open("wb") as stream:
        writer.write(stream)


@pytest.mark.parametrize("second_name, edit, kept", [
    ("ROSA  delgado", lambda path: fill_in_on_screen(path, "JL"), True),  # case and spacing: the same patient
    ("Rosa Delgado", _tick_by_appearance_only, True),
    ("Bo Chen", lambda path: fill_in_on_screen(path, "JL"), False),
    ("Rosa Delgado", lambda path: (fill_in_on_screen(path, "JL"), _drop_patient_key(path)), False),
])
def test_a_document_changed_by_hand_is_kept_only_when_it_says_it_is_this_patients(tmp_path, second_name, edit, kept):
    args = ("generate", "--doc", "checklist", "--doc", "handout", "-o", tmp_path)
    assert run_cli(*args, "--name", "Rosa Delgado", "--infusion-date", "2027-03-05").exit_code == 0
    edit(tmp_path / "checklist.pdf")
    changed = (tmp_path / "checklist.pdf").read_bytes()
    result = run_cli(*args, "--name", second_name, "--infusion-date", "2027-03-12")
    assert result.exit_code == (0 if kept else 2), result.output
    assert ((tmp_path / "checklist.edited.pdf").read_bytes() if kept else (tmp_path / "checklist.pdf").read_bytes()) == changed
    if not kept:
        assert result.stderr.startswith("error: output: checklist.pdf here ") and "move it away" in result.stderr


def test_generate_leaves_no_patients_filled_checklist_beside_another_patients_papers(tmp_path):
    """A filled checklist generate does not make again was left with a note beside the next patient's card."""
    assert run_cli("generate", "--name", "Rosa Delgado", "--infusion-date", "2027-03-05", "-o", tmp_path).exit_code == 0
    filled = fill_in_on_screen(tmp_path / "checklist.pdf", "JL")
    before = sorted(path.name for path in tmp_path.iterdir())
    result = run_cli("generate", "--name", "Bo Chen", "--infusion-date", "2027-04-01", "--doc", "wallet-card",
                     "-o", tmp_path)
    assert result.exit_code == 2 and "checklist.pdf here is another patient's" in result.stderr
    assert (tmp_path / "checklist.pdf").read_bytes() == filled and sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_checklist_locked_with_another_password_is_never_replaced(tmp_path, monkeypatch):
    monkeypatch.setenv("PW_ONE", "correct horse battery")
    monkeypatch.setenv("PW_TWO", "another staple battery")
    args = ("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "checklist", "--encrypt",
            "-o", tmp_path)
    assert run_cli(*args, "--password-env", "PW_ONE").exit_code == 0
    (tmp_path / "manifest.csv").unlink()
    result = run_cli(*args, "--password-env", "PW_TWO")
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "error: output: 2 files here are not this patient's to keep: checklist.pdf, record_packet.pdf: each is "
        "encrypted with a password this run was not given (--encrypt and the password it was made with)")
    unencrypted = run_cli(*[arg for arg in args if arg != "--encrypt"])  # it said "locked with another password"
    assert unencrypted.exit_code == 2 and "each is encrypted with a password this run was not given" in unencrypted.stderr


def test_two_patients_of_one_name_without_mrn_are_told_apart_by_the_checklist(tmp_path):
    """The checklist prints the birth date, so its key has it: same-name patients were one."""
    args = ("generate", "--name", "John Smith", "--infusion-date", "2027-03-05", "--doc", "checklist", "-o", tmp_path)
    assert run_cli(*args, "--date-of-birth", "1950-02-01").exit_code == 0
    filled = fill_in_on_screen(tmp_path / "checklist.pdf", "JS")
    result = run_cli(*args, "--date-of-birth", "1982-07-09")
    assert result.exit_code == 2 and "checklist.pdf here is another patient's" in result.stderr
    assert (tmp_path / "checklist.pdf").read_bytes() == filled


def test_nothing_is_kept_or_changed_when_one_file_stops_the_run(tmp_path):
    """A copy was kept before a later file stopped the run, with no word of it."""
    args = ("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "checklist", "--doc", "handout",
            "-o", tmp_path)
    assert run_cli(*args).exit_code == 0
    fill_in_on_screen(tmp_path / "checklist.pdf", "AL")
    (tmp_path / "handout.pdf").write_bytes(b"%PDF-1.7 scanned elsewhere")
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert run_cli(*args).exit_code == 2
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before


def _flatten(path: Path) -> None:
    """Filled in, then flattened: the entries printed into the page, the form fields gone."""
    fill_in_on_screen(path, "JL")
    writer = pypdf.PdfWriter(clone_from=path)
    writer.remove_annotations(subtypes="/Widget")
    del writer._root_object[pypdf.generic.NameObject("/AcroForm")]
    with path.open("wb") as stream:
        writer.write(stream)


def test_a_flattened_checklist_counts_as_filled_in(tmp_path):
    args = ("generate", "--name", "Ann Lee", "--doc", "checklist", "-o", tmp_path)
    assert run_cli(*args, "--infusion-date", "2027-03-05").exit_code == 0
    _flatten(tmp_path / "checklist.pdf")
    flattened = (tmp_path / "checklist.pdf").read_bytes()
    assert run_cli(*args, "--infusion-date", "2027-03-12").exit_code == 0
    assert (tmp_path / "checklist.edited.pdf").read_bytes() == flattened


def test_other_pdfs_in_the_folder_are_checked_for_another_patients_papers(tmp_path, caplog):
    """'checklist (filled).pdf', another patient's, stayed beside the next patient's papers;
    a user's own 'insurance-letter.edited.pdf' was taken for a kept copy and stopped the run."""
    args = ("generate", "--infusion-date", "2027-03-05", "--doc", "checklist", "-o", tmp_path)
    assert run_cli(*args, "--name", "Ann Lee").exit_code == 0
    (tmp_path / "insurance-letter.edited.pdf").write_bytes(b"%PDF-1.4 the user's own, damaged")
    (tmp_path / "handout for printing.PDF").write_bytes((tmp_path / "checklist.pdf").read_bytes())  # a plain copy
    (tmp_path / "checklist (filled).PDF").write_bytes((tmp_path / "checklist.pdf").read_bytes())
    fill_in_on_screen(tmp_path / "checklist (filled).PDF", "AL")
    assert run_cli(*args, "--name", "Ann Lee").exit_code == 0  # this patient's copies, and the user's own file
    assert not [record for record in caplog.records if record.name.startswith("pypdf")]  # nothing but one line
    before = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    result = run_cli(*args, "--name", "Bo Chen")
    assert result.exit_code == 2 and "checklist (filled).PDF here is another patient's" in result.stderr
    assert {path.name: path.read_bytes() for path in tmp_path.iterdir()} == before
    (tmp_path / "checklist (filled).PDF").unlink()  # a plain copy of another patient's does not stop the run
    assert run_cli(*args, "--name", "Bo Chen").exit_code == 0


def test_a_checklist_made_without_a_birth_date_is_not_kept_for_a_patient_with_one(tmp_path):
    args = ("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "checklist", "-o", tmp_path)
    assert run_cli(*args).exit_code == 0
    fill_in_on_screen(tmp_path / "checklist.pdf", "AL")
    result = run_cli(*args, "--date-of-birth", "1980-05-05")
    assert result.exit_code == 2 and "checklist.pdf here is another patient's" in result.stderr


def test_a_folder_in_place_of_a_document_stops_the_run_before_a_copy_is_kept(tmp_path):
    args = ("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "checklist", "--doc",
            "wallet-card", "-o", tmp_path)
    assert run_cli(*args).exit_code == 0
    fill_in_on_screen(tmp_path / "checklist.pdf", "AL")
    (tmp_path / "wallet-card.pdf").unlink()
    (tmp_path / "wallet-card.pdf").mkdir()
    with pytest.raises(IsADirectoryError):  # main() makes it "error: output: cannot write wallet-card.pdf", exit 2
        run_cli(*args)
    assert not (tmp_path / "checklist.edited.pdf").exists()


def test_generate_refuses_a_batch_folder(tmp_path):
    """It replaced the cohort's manifest.csv with its one patient's."""
    roster = tmp_path / "roster.csv"
    roster.write_text("name,infusion_date\nAnn Lee,2027-03-05\n", encoding="utf-8")
    assert run_cli("batch", roster, "-o", tmp_path / "cohort", "--doc", "wallet-card").exit_code == 0
    manifest = (tmp_path / "cohort" / "manifest.csv").read_bytes()
    result = run_cli("generate", "--name", "Bo", "--infusion-date", "2027-03-05", "-o", tmp_path / "cohort")
    assert result.exit_code == 2 and result.stderr.startswith("error: --output: the folder holds a batch's files")
    assert (tmp_path / "cohort" / "manifest.csv").read_bytes() == manifest
    patient_folder = next(path for path in (tmp_path / "cohort").iterdir() if path.is_dir() and path.name != "print")
    (tmp_path / "link").symlink_to(patient_folder)
    for folder in (patient_folder, tmp_path / "cohort" / "print", tmp_path / "link"):  # the link wrote through
        result = run_cli("generate", "--name", "Bo", "--infusion-date", "2027-03-05", "-o", folder)
        assert result.exit_code == 2 and "is a folder of a batch" in result.stderr, folder
    roster.write_text("name,infusion_date\nAnn Lee,2027-02-30\n", encoding="utf-8")  # every row fails: no rows listed
    assert run_cli("batch", roster, "-o", tmp_path / "failed", "--doc", "wallet-card").exit_code == 1
    result = run_cli("generate", "--name", "Bo", "--infusion-date", "2027-03-05", "-o", tmp_path / "failed")
    assert result.exit_code == 2 and result.stderr.startswith("error: --output: the folder holds a batch's files")


def test_a_field_given_twice_in_the_patient_file_is_bad_input(tmp_path, write_yaml):
    path = write_yaml("p.yaml", "name: Ann\nname: Bob\ninfusion_date: 2027-03-05\n")
    result = run_cli("generate", "--patient", path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "'name' is given twice" in result.stderr


def test_generate_flushes_each_file_once_then_the_manifest(tmp_path, monkeypatch):
    import carthandout.output as output

    flushed: list[str] = []
    real_flush_file = output._flush_file
    monkeypatch.setattr(output, "_flush_file", lambda path: flushed.append(path.name) or real_flush_file(path))
    fsyncs: list[int] = []
    monkeypatch.setattr(output.os, "fsync", lambda fd: fsyncs.append(fd))
    result = run_cli("generate", "--name", "Ana Quiñones", "--infusion-date", "2027-06-01", "--doc", "handout",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(flushed) == ["handout.pdf", "record_packet.pdf"]
    assert len(fsyncs) == 3  # the two PDFs together, then manifest.csv as it is written


def test_a_clinic_doctor_too_long_for_the_card_matters_only_on_cards_that_print_it(tmp_path):
    clinic = tmp_path / "clinic.yaml"
    doctor = ("Dr. Maximiliano Alejandro Fernández de la Santísima Trinidad y Villanueva-Castellanos, MD, PhD, "
              "FACP, Director of Cellular Therapy")
    clinic.write_text(f"name: Test Center\nphone_24h: '(217) 555-0199'\nphysician: '{doctor}'\n", encoding="utf-8")
    patient = ["--name", "Ana Ruiz", "--infusion-date", "2027-03-05", "--clinic", clinic, "--doc", "wallet-card"]
    clinic_doctor = run_cli("generate", *patient, "-o", tmp_path / "a")
    assert clinic_doctor.exit_code == 2
    assert clinic_doctor.stderr.startswith("error: clinic.physician: is too long for the wallet card")
    own_doctor = run_cli("generate", *patient, "--physician", "Dr. Lee", "-o", tmp_path / "b")
    assert own_doctor.exit_code == 0, own_doctor.output
    assert "Dr. Lee" in pdf_text(tmp_path / "b" / "wallet-card.pdf")


def test_papers_printed_with_the_example_clinic_say_so(tmp_path, write_yaml):
    """Its center, doctor and 24-hour number are made up: printed by mistake, they would send a
    patient to nobody. The warning comes last, so an error stays the one line on stderr."""
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-03-10", "--doc", "wallet-card", "-o", tmp_path / "a")
    assert result.exit_code == 0 and result.stderr.startswith("warning: no --clinic given")
    clinic = clinic_with(write_yaml, "")
    result = run_cli("generate", "--clinic", clinic, "--name", "A", "--infusion-date", "2027-03-10",
                     "--doc", "wallet-card", "-o", tmp_path / "b")
    assert result.exit_code == 0 and result.stderr == ""
    assert run_cli("demo", "-o", tmp_path / "c").stderr == ""
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-02-30", "-o", tmp_path / "d")
    assert result.exit_code == 2 and result.stderr.count("\n") == 1


def test_an_empty_patient_file_takes_the_flags_and_paper_ignores_case(tmp_path, write_yaml):
    result = run_cli("generate", "--patient", write_yaml("p.yaml", ""), "--name", "A", "--infusion-date", "2027-03-10",
                     "--paper", "A4", "--doc", "wallet-card", "--card-layout", "a4-10up", "-o", tmp_path / "o")
    assert result.exit_code == 0, result.output
    assert [round(float(side)) for side in pypdf.PdfReader(tmp_path / "o" / "wallet-card.pdf").pages[0].mediabox[2:]] == [595, 842]


def test_a_logo_of_more_than_12_million_pixels_is_refused_before_it_is_decoded(tmp_path, write_yaml):
    """A 9000-pixel square logo took 684 MB to decode, over the batch's memory budget."""
    from PIL import Image

    Image.new("1", (4000, 3001)).save(tmp_path / "huge.png")  # a small file, just over 12 million pixels
    result = run_cli("generate", "--clinic", clinic_with(write_yaml, "logo: huge.png"), "--name", "A",
                     "--infusion-date", "2027-03-10", "--doc", "handout", "-o", tmp_path / "o")
    assert result.exit_code == 2 and result.stderr.startswith("error: clinic.logo: huge.png has too many pixels")
    assert "at most 12 million pixels, such as 4000 × 3000" in result.stderr  # as the docs say, not "a few thousand a side"


def stamped_pages(path: Path, words: tuple[str, ...]) -> list[bool]:
    return [any(word in " ".join(page.extract_text().split()) for word in words) for page in pypdf.PdfReader(path).pages]


@pytest.mark.parametrize("language, words", [("en", ("Example clinic: made-up center, doctor and phone numbers", "EXAMPLE")),
                                             ("es", ("Clínica de ejemplo", "EJEMPLO"))])
@pytest.mark.parametrize("given", ["no", "named", "hard link"])
def test_every_page_and_card_printed_with_the_example_clinic_says_so(tmp_path, example_clinic, language, words, given):
    """Without --clinic (or with the bundled file named) the center, doctor and 24-hour number are
    made up: a warning on stderr was all that told a nurse who forgot --clinic."""
    clinic = {"no": [], "named": ["--clinic", example_clinic]}.get(given)
    if clinic is None:
        linked = tmp_path.parent / f"{tmp_path.name}-link" / "clinic.yaml"
        linked.parent.mkdir()
        shutil.copyfile(example_clinic.parent / "logo.png", linked.parent / "logo.png")
        try:
            os.link(example_clinic, linked)
        except OSError:  # the checkout and the temporary folder on different file systems
            pytest.skip("no hard link across file systems")
        clinic = ["--clinic", linked]
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--lang", language,
                     "--large-print", *clinic, "-o", tmp_path)
    assert result.exit_code == 0, result.output
    backs = ("Example clinic: made-up center, doctor and phone numbers", "EXAMPLE")  # in the clinic's language
    for path in tmp_path.glob("*.pdf"):
        if path.name not in ("wallet-card.pdf", "record_packet.pdf"):
            assert all(stamped_pages(path, words)), path.name
    # the card and its large-print pages: the front in the patient's language, the back in the clinic's
    assert all(stamped_pages(tmp_path / "wallet-card.pdf", words)[0::2])
    assert all(stamped_pages(tmp_path / "wallet-card.pdf", backs)[1::2])
    patients, clinics = (stamped_pages(tmp_path / "record_packet.pdf", stamp) for stamp in (words, backs))
    assert all(map(max, patients, clinics)) and sum(clinic and not patient for patient, clinic in zip(patients, clinics)) <= 2
    card = pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages
    assert words[1] in card[0].extract_text() and "EXAMPLE" in card[1].extract_text()  # across both faces


def test_a_clinics_own_profile_prints_no_example_stamp(tmp_path, own_clinic):
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", own_clinic,
                     "--large-print", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    for path in tmp_path.glob("*.pdf"):
        assert not any(stamped_pages(path, ("Example clinic", "EXAMPLE"))), path.name
    assert "warning" not in result.stderr


def test_a_copy_of_the_example_clinic_with_its_made_up_numbers_is_marked_and_warned(tmp_path, example_clinic):
    """The README points clinics at examples/clinic.yaml: a copy that kept its made-up 24-hour
    number printed it on every page, unmarked and without a warning."""
    shutil.copyfile(example_clinic.parent / "logo.png", tmp_path / "logo.png")
    clinic = tmp_path / "my-clinic.yaml"
    clinic.write_text(example_clinic.read_text(encoding="utf-8").replace("Riverside Cancer Center", "Lakeside Clinic")
                      .replace('"(217) 555-0199"', '"+1 217 555 0199"'), encoding="utf-8")  # the same number
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                     "--doc", "handout", "--doc", "wallet-card", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert all(stamped_pages(tmp_path / "out" / "handout.pdf", ("Example clinic: made-up",)))
    assert all(stamped_pages(tmp_path / "out" / "wallet-card.pdf", ("EXAMPLE",)))
    assert result.stderr.startswith("warning: the clinic profile has the example clinic's made-up phone numbers")


def test_the_example_stamp_never_squeezes_a_long_center_name_off_page_one(tmp_path):
    """Beside the stamp a long center's name took nine lines in large print, and the call box
    moved off page 1: the stamp becomes a banner across the page then."""
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--doc", "handout", "--large-print",
                     "--lang", "es", "--paper", "a4", "--center",
                     "Riverside Cancer Center — Cellular Therapy and Transplant Program", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    first = " ".join(page_texts(tmp_path / "handout.pdf")[0].split())
    assert "Clínica de ejemplo" in first and "Llame de día o de noche al (217) 555-0199" in first


@pytest.mark.parametrize("args, message", [
    (["batch", "r.csv", "-o", "out", "--jobs", "0"],
     "error: Invalid value for '--jobs': 0 is not in the range 1<=x<=256. (see carthandout batch --help)"),
    (["batch"], "error: Missing argument 'ROSTER'. (see carthandout batch --help)"),
    (["bogus"], "error: No such command 'bogus'. (see carthandout --help)"),
    (["generate", "-o"], "error: Option '-o' requires an argument. (see carthandout generate --help)"),
])
def test_a_usage_error_is_one_line_with_exit_code_2(tmp_path, args, message):
    """click's own usage errors took four lines (usage, hint, blank, error) where every other error takes one."""
    result = subprocess.run([sys.executable, "-m", "carthandout", *args], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [message]


def test_the_command_alone_prints_its_help(tmp_path):
    result = subprocess.run([sys.executable, "-m", "carthandout"], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("Usage: carthandout") and "generate" in result.stdout


def test_check_lists_a_clinic_file_that_is_a_folder_as_a_problem(tmp_path):
    """click refused it as a usage error (exit 2) where check lists a clinic file it cannot read."""
    (tmp_path / "clinic").mkdir()
    result = run_cli("check", "--clinic", tmp_path / "clinic")
    assert result.exit_code == 1
    assert f"clinic: {tmp_path / 'clinic'}: is a folder, not a file" in result.output


def test_check_notes_team_roles_without_the_other_languages_text(write_yaml):
    """"Social worker" printed in the Spanish contacts table, and check said nothing."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nteam: [{role: Social worker, name: Jo}, "
                                  "{role: {en: Pharmacy, es: Farmacia}, name: Al}, {role: Nurse, name: Bo}]\n")
    result = run_cli("check", "--clinic", clinic)
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if line.startswith("note: clinic.team")] == [
        "note: clinic.team: the roles of members 1, 3 have no es text: es documents print en there "
        "(give a role as {en: ..., es: ...})"]
    translated = write_yaml("d.yaml", "name: X\nphone_24h: '545-0100'\nteam: [{role: {en: Pharmacy, es: Farmacia}, name: Al}]\n")
    assert "note: clinic.team" not in run_cli("check", "--clinic", translated).output


def test_check_notes_that_spanish_documents_are_written_for_us_centers(write_yaml):
    """A Spanish-language center on A4 got °F first and 160,000,000 on the dose line, and check said nothing."""
    spanish = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nlanguage: es\npaper: a4\n")
    result = run_cli("check", "--clinic", spanish)
    assert result.exit_code == 0, result.output
    assert ("note: clinic.language: es documents are written for patients of US centers (es_US): the fever first "
            "in °F, numbers with a decimal point, weeks from Sunday") in result.output.splitlines()
    english = write_yaml("d.yaml", "name: X\nphone_24h: '545-0100'\n")
    assert "note: clinic.language" not in run_cli("check", "--clinic", english).output


def test_a_copy_that_keeps_only_the_examples_team_numbers_is_still_marked(tmp_path, example_clinic):
    """With its own center numbers, a copy still printed the example's made-up pharmacist and
    nurse numbers, unmarked."""
    shutil.copyfile(example_clinic.parent / "logo.png", tmp_path / "logo.png")
    clinic = tmp_path / "my-clinic.yaml"
    clinic.write_text(example_clinic.read_text(encoding="utf-8").replace('"(217) 555-0199"', '"(217) 545-7199"')
                      .replace('"(217) 555-0142"', '"(217) 545-7142"'), encoding="utf-8")
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                     "--doc", "handout", "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert all(stamped_pages(tmp_path / "out" / "handout.pdf", ("Example clinic: made-up",)))
    assert result.stderr.startswith("warning: the clinic profile has the example clinic's made-up phone numbers")


def carthandout_process(*args: object, **streams: object) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "carthandout", *map(str, args)], text=True, **streams)


def test_a_batch_with_stderr_closed_runs_whole(tmp_path):
    """`batch ... 2>&-` wrote nothing and ended with exit 70, unseen: its progress bar asked the
    closed stderr (None in Python) whether it was a terminal."""
    roster = tmp_path / "r.csv"
    roster.write_text("Name,Infusion Date,MRN\nAnn Lee,2027-03-05,A-1\nBo Chen,2027-03-06,B-2\n", encoding="utf-8")
    completed = carthandout_process("batch", roster, "--doc", "wallet-card", "-o", tmp_path / "out",
                                    stdout=subprocess.PIPE, preexec_fn=lambda: os.close(2))
    assert completed.returncode == 0, completed.stdout
    assert completed.stdout.startswith("2 patients done, 0 failed")
    manifest = (tmp_path / "out" / "manifest.csv").read_text(encoding="utf-8")
    assert len(manifest.splitlines()) == 1 + 2 * 2 + 1  # each patient's card and packet, the cards' print file


def test_a_reader_gone_from_stdout_loses_neither_the_run_nor_its_warnings(tmp_path):
    """`generate ... | head -1`: click ended the run with exit 1 at the next line, and the warning
    that every date had passed, due on stderr after the list of files, was never printed."""
    reading, writing = os.pipe()
    os.close(reading)  # the reader is gone: writing gives EPIPE
    try:
        completed = carthandout_process("generate", "--name", "Iris", "--infusion-date", "2020-03-05", "-o", tmp_path,
                                        stdout=writing, stderr=subprocess.PIPE)
    finally:
        os.close(writing)
    assert completed.returncode == 0, completed.stderr
    assert "warning: infusion_date: every date these papers give has passed" in completed.stderr
    assert "Exception ignored" not in completed.stderr and "BrokenPipe" not in completed.stderr
    assert len((tmp_path / "manifest.csv").read_text(encoding="utf-8").splitlines()) == 1 + 7


def test_a_full_stdout_is_not_taken_for_the_output_folder(tmp_path):
    """stdout on a full device said "error: output: cannot write a file" and exit 2, though every
    file had been written."""
    with open("/dev/full", "w") as full:
        completed = carthandout_process("generate", "--name", "Iris", "--infusion-date", "2027-03-05",
                                        "--doc", "handout", "-o", tmp_path, stdout=full, stderr=subprocess.PIPE)
    assert completed.returncode == 0, completed.stderr
    assert completed.stderr.startswith("warning: the lines for stdout could not be printed (No space left on device)")
    assert pypdf.PdfReader(tmp_path / "handout.pdf").pages


def test_ctrl_c_while_generate_replaces_the_documents_leaves_them_and_the_manifest_agreeing(tmp_path):
    """Ctrl-C after the new documents were renamed into place but before the manifest was
    written (4 runs in 110): the manifest listed the earlier run's digests beside the new files,
    and the run said "interrupted". The renames and the manifest are now one step."""
    first = run_cli("generate", "--name", "Ann Lee", "--mrn", "X1", "--infusion-date", "2027-03-05", "--doc", "handout",
                    "-o", tmp_path)
    assert first.exit_code == 0, first.output
    interrupt_after_the_renames = (
        "import os, signal, sys; import carthandout.cli as cli; tidy = cli.tidy_shared_folder; "
        "cli.tidy_shared_folder = lambda *a, **k: (os.kill(os.getpid(), signal.SIGINT), tidy(*a, **k))[1]; "
        "sys.argv[0] = 'carthandout'; cli.main()")
    completed = subprocess.run([sys.executable, "-c", interrupt_after_the_renames, "generate", "--name", "Ann Lee",
                                "--mrn", "X1", "--infusion-date", "2027-03-09", "--doc", "handout", "-o", str(tmp_path)],
                               capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "manifest.csv").read_text(encoding="utf-8"))))
    assert {row["file"]: row["sha256"] for row in rows} == {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in tmp_path.glob("*.pdf")}
    assert "March 9, 2027" in pdf_text(tmp_path / "handout.pdf")


def test_generate_removes_what_a_killed_run_left_half_written(tmp_path):
    """A run killed while writing left hidden .part files holding the patient's data; later runs
    of generate left them there. Another program's hidden file stays."""
    planted = [tmp_path / ".handout.pdf.abcdefgh.part", tmp_path / ".manifest.csv.xyz.part"]
    for path in planted:
        path.write_bytes(b"half")
    (tmp_path / ".notes.part").write_bytes(b"someone else's")
    result = run_cli("generate", "--name", "A", "--infusion-date", "2027-03-05", "--doc", "wallet-card", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert not any(path.exists() for path in planted) and (tmp_path / ".notes.part").exists()


def test_a_tilde_the_shell_left_in_a_path_is_the_home_folder(tmp_path, monkeypatch):
    """`--output=~/papers` (not expanded by the shell after "=") put the papers in a folder named
    "~" inside the current one; `--patient=~/p.yaml` could not be read."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "p.yaml").write_text('name: "Ann Lee"\ninfusion_date: "2027-03-05"\n', encoding="utf-8")
    result = run_cli("generate", "--patient=~/p.yaml", "--doc", "wallet-card", "--output=~/papers")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "home" / "papers" / "wallet-card.pdf").exists() and not (tmp_path / "~").exists()


def test_a_name_typed_under_a_c_locale_is_read_as_typed(tmp_path):
    """Under LC_ALL=C without UTF-8 mode, "Iris İnce Yılmaz" was refused as "a broken surrogate
    U+DCC4", a byte of the name shown without --show-values."""
    environment = {**os.environ, "PYTHONUTF8": "0", "LC_ALL": "C", "LANG": "C"}
    completed = subprocess.run([sys.executable, "-m", "carthandout", "generate", "--name", "Iris İnce Yılmaz",
                                "--infusion-date", "2027-03-05", "--doc", "wallet-card", "-o", str(tmp_path)],
                               capture_output=True, env=environment)
    assert completed.returncode == 0, completed.stderr
    assert "Iris İnce Yılmaz" in pdf_text(tmp_path / "wallet-card.pdf")
    roster = tmp_path / "r.csv"  # a batch's --sheet and --name-template too: "ñ" left the folder name
    roster.write_text("Name,Infusion Date\nAnn Lee,2027-03-05\n", encoding="utf-8")
    completed = subprocess.run([sys.executable, "-m", "carthandout", "batch", str(roster), "--name-template", "{name}-ñ",
                                "--doc", "wallet-card", "-o", str(tmp_path / "out")], capture_output=True, env=environment)
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "out" / "Ann-Lee-n" / "wallet-card.pdf").exists()


@pytest.mark.parametrize("command", ["generate", "batch"])
def test_a_manifest_csv_of_someone_elses_stops_the_run(tmp_path, command):
    """A nurse's own manifest.csv in the output folder was replaced without a word, where a PDF of
    the same name that is not ours stops the run."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "manifest.csv").write_text("what I printed,when\nhandouts,Monday\n", encoding="utf-8")
    roster = tmp_path / "r.csv"
    roster.write_text("Name,Infusion Date\nAnn Lee,2027-03-05\n", encoding="utf-8")
    patient = ["--name", "Ann Lee", "--infusion-date", "2027-03-05"] if command == "generate" else [str(roster)]
    result = run_cli(command, *patient, "--doc", "wallet-card", "-o", out)
    assert result.exit_code == 2
    assert result.stderr == ("error: --output: manifest.csv here was not written by carthandout: move it away, "
                             "or give the run another folder\n")
    assert (out / "manifest.csv").read_text(encoding="utf-8").startswith("what I printed")
    assert not list(out.rglob("*.pdf"))


def test_our_manifest_re_saved_by_a_spreadsheet_with_semicolons_is_still_ours(tmp_path):
    assert run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", "wallet-card",
                   "-o", tmp_path).exit_code == 0
    manifest = tmp_path / "manifest.csv"
    manifest.write_bytes(b"\xef\xbb\xbf" + manifest.read_text(encoding="utf-8").replace(",", ";").encode())
    roster = tmp_path.parent / f"{tmp_path.name}-roster.csv"  # read as generate's: batch stays out (it wrote in)
    roster.write_text("Name,Infusion Date\nBo Chen,2027-03-05\n", encoding="utf-8")
    refused = run_cli("batch", roster, "--doc", "wallet-card", "-o", tmp_path)
    assert refused.exit_code == 2 and "the folder holds one patient's papers from generate" in refused.stderr
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-06", "--doc", "wallet-card",
                     "-o", tmp_path)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("text, plain", [
    ('name: "Ann"\n  infusion_date: "2027-03-05"\n', "line 2: a line is indented more or less than the lines around it"),
    ('name: "Ann\ninfusion_date: "2027-03-05"\n', "or a quote above it is not closed"),
    ('name: "Ann\ninfusion_date: 2027-03-05\n', "a quote or a bracket is left open"),
    ("name: Ann: Lee\ninfusion_date: '2027-03-05'\n", "line 1: a line is indented more than the one above it, or a "
                                                      "value holds a colon (put the value in quotes)"),
    ("name: Ann Lee\n  infusion_date: '2027-03-05'\n", "line 2: a line is indented more than the one above it"),
    ("name: Ann Lee\ninfusion_date '2027-03-05'\n", "line 2: a line lacks the colon after its field name"),
    ("name: Ann Lee\ncaregiver: [Bo\n", "a quote or a bracket is left open"),
    ("name: Ann\n\tinfusion_date: '2027-03-05'\n", "line 2: a character that cannot start a value there (a tab?"),
])
def test_a_patient_file_s_yaml_slip_is_named_in_plain_words(tmp_path, write_yaml, text, plain):
    """The parser's "expected <block end>, but found '...'" told a nurse nothing."""
    result = run_cli("generate", "--patient", write_yaml("p.yaml", text), "-o", tmp_path / "out")
    assert result.exit_code == 2 and result.stderr.startswith("error: patient: ") and plain in result.stderr
    assert "Ann" not in result.stderr and result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", [["docs"], ["check"], ["--help"], ["batch", "--help"]])
def test_a_report_that_cannot_be_printed_fails_the_run(command):
    """`check > report.txt` on a full disk ended with exit 0 and an empty report: its lines are the
    product, unlike the list of files a generate wrote. `--help` there said "error: output: cannot
    write a file", as if an output folder had failed."""
    with open("/dev/full", "w") as full:
        completed = carthandout_process(*command, stdout=full, stderr=subprocess.PIPE)
    assert completed.returncode == 2
    assert completed.stderr == "error: stdout: cannot write the report (No space left on device)\n"


def test_every_bad_team_member_is_named(write_yaml, tmp_path):
    """Two team members with a misspelt key: check and generate named the first alone."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '545-0100'\nteam:\n  - {role: Nurse, nmae: A}\n"
                                  "  - {role: Pharmacist, nme: B}\n  - {role: Doctor, name: C}\n")
    listed = [line for line in run_cli("check", "--clinic", clinic).output.splitlines() if line.startswith("clinic.")]
    assert listed == ["clinic.team[1]: unknown key nmae: a member has only role, name and phone",
                      "clinic.team[2]: unknown key nme: a member has only role, name and phone"]
    generated = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--clinic", clinic,
                        "-o", tmp_path / "out")
    assert generated.exit_code == 2 and generated.stderr.endswith("(and 1 more: carthandout check --clinic lists them)\n")


def test_the_progress_bar_s_time_left_follows_the_pace_since_the_first_step(monkeypatch):
    """click's averaged the time a step took since the bar began, the workers' start-up included:
    "3:05 left" at 12% of a run that ended 10 seconds later."""
    import carthandout.cli as cli_module
    clock = iter([10.0, 11.0, 12.0, 13.0, 14.0, 15.0])  # the first result 10 s in (start-up), then one a second
    monkeypatch.setattr(cli_module.time, "monotonic", lambda: next(clock))
    shown = []
    step = cli_module._with_time_left(lambda steps, left: shown.append(left), length=6)
    for _ in range(6):
        step(1)
    assert shown == ["", "0:04 left", "0:03 left", "0:02 left", "0:01 left", ""]  # "" clears the bar's last text


def test_option_choices_are_taken_in_any_case(tmp_path):
    """--paper A4 was taken, --card-layout AVERY-5371 and --duplex Long refused."""
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "3/5/2027", "--date-order", "Month-First",
                     "--doc", "wallet-card", "--card-layout", "AVERY-5371", "--duplex", "Long", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert [round(float(side)) for side in pypdf.PdfReader(tmp_path / "wallet-card.pdf").pages[0].mediabox[2:]] == [612, 792]


@pytest.mark.parametrize("named", ["packet", "record_packet", "Record Packet"])
def test_naming_the_record_packet_says_it_is_always_made(tmp_path, named):
    """--doc packet was an "unknown document", though every run makes record_packet.pdf."""
    result = run_cli("generate", "--name", "Ann Lee", "--infusion-date", "2027-03-05", "--doc", named, "-o", tmp_path)
    assert result.exit_code == 2
    assert f"error: --doc: {named!r}: the record packet is made with every run, of the documents named" in result.output


def test_check_notes_a_number_no_one_out_of_town_can_dial(write_yaml):
    """A 24-hour number without its area code, and a team member's extension alone, passed check
    and were printed on the wallet card (an outside pass, s28)."""
    clinic = write_yaml("c.yaml", "name: X\nphone_24h: '555-0119'\nphone: '+44 20 7946 0958'\n"
                                  "team:\n  - {role: Nurse, name: Ana, phone: 'ext. 121'}\n"
                                  "  - {role: Pharmacist, name: Sam, phone: '(217) 555-0142'}\n")
    result = run_cli("check", "--clinic", clinic)
    assert "note: clinic.phone_24h: 555-0119 has 7 digits: it is on the wallet card and every page's footer, and a patient away from home" in result.output
    assert "note: clinic.team[1].phone: ext. 121 has 3 digits" in result.output
    assert "clinic.phone:" not in result.output and "clinic.team[2]" not in result.output
