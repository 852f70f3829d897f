"""carthandout batch: rosters in three formats, bad rows, safe names, print files, jobs, interruption."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pypdf
import pytest
import yaml

from carthandout.imposition import layout_for
from carthandout.naming import UniqueNames, check_template, patient_stem
from carthandout.edits import PATIENT_KEY
from carthandout.errors import InputError
from conftest import field_values, fill_in_on_screen, fonts_not_embedded, page_texts, pdf_text, run_cli

FAST_DOCS = ("--doc", "handout", "--doc", "wallet-card")
GOOD = [
    {"name": "Rosa María Delgado", "infusion_date": "2027-03-05", "mrn": "004417", "caregiver_phone": "(217) 555-0123"},
    {"name": "Chen Wei", "infusion_date": "2027-03-09", "mrn": "", "caregiver_phone": ""},
    {"name": "Amara Okafor", "infusion_date": "2027-04-01", "mrn": "RCC-9", "caregiver_phone": "217 555 0199"},
]
HEADERS = {"name": "Name", "infusion_date": "Infusion Date", "mrn": "MRN", "caregiver_phone": "caregiver-phone"}


def write_csv(path: Path, rows: list[dict], delimiter: str = ",", bom: bool = False) -> Path:
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=delimiter)
        writer.writerow([HEADERS[key] for key in HEADERS])
        for row in rows:
            writer.writerow([row.get(key, "") for key in HEADERS])
    return path


def batch(roster: Path, out: Path, *args: str):
    return run_cli("batch", roster, "-o", out, *FAST_DOCS, "--jobs", "1", *args)


def manifest(out: Path) -> list[dict]:
    with (out / "manifest.csv").open(encoding="utf-8") as stream:
        return list(csv.DictReader(stream))


def errors(out: Path) -> list[dict]:
    assert (out / "errors.csv").read_bytes().startswith(b"\xef\xbb\xbfrow,")  # Excel reads it as UTF-8
    with (out / "errors.csv").open(encoding="utf-8-sig") as stream:
        return list(csv.DictReader(stream))


def all_files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_bad_rows_are_reported_and_every_other_patient_is_complete(tmp_path):
    rows = [GOOD[0], {"name": "Bad Date", "infusion_date": "2027-02-30"}, {"infusion_date": "2027-03-05"},
            {"name": "No Infusion Date"}, GOOD[1]]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", rows), out)
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("3", "infusion_date"), ("4", "name"), ("5", "infusion_date")]
    assert "row 3: infusion_date: the value is not a real date" in result.stderr
    assert "2027-02-30" not in result.stderr + (out / "errors.csv").read_text()  # values only with --show-values
    assert "2 patients done, 3 failed" in result.stdout
    listed = manifest(out)
    assert {r["row"] for r in listed if r["row"]} == {"2", "6"}
    for row in listed:
        data = (out / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"]
        assert len(pypdf.PdfReader(out / row["file"]).pages) == int(row["pages"])
        assert row["version"] and row["reviewed"]
    patient_docs = {(r["row"], r["document"]) for r in listed if r["row"]}
    assert patient_docs == {(row, doc) for row in ("2", "6") for doc in ("handout", "wallet-card", "packet")}


def test_cells_saying_n_a_are_read_as_empty_with_a_warning_naming_their_rows(tmp_path):
    """An export's "N/A" printed "MRN N/A" on every page and named the folder N-A; a phone of
    "none" failed its row as having no digits."""
    rows = [{**GOOD[0], "mrn": "N/A", "caregiver_phone": "none"}, GOOD[1], {**GOOD[2], "mrn": "n/a\u200b"}]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", rows), out)
    assert result.exit_code == 0, result.stderr
    assert "warning: rows 2, 4: mrn: N/A, none, - or the like: read as empty" in result.stderr
    assert "warning: row 2: caregiver_phone: N/A, none, - or the like: read as empty" in result.stderr
    handouts = [row["file"] for row in manifest(out) if row["document"] == "handout"]
    assert not any("N-A" in name or "N_A" in name for name in handouts)
    for name in handouts:
        assert "N/A" not in pdf_text(out / name) and "MRN" not in pdf_text(out / name)


def test_one_mrn_on_two_different_patients_refuses_both_rows(tmp_path):
    rows = [GOOD[0], {**GOOD[2], "mrn": GOOD[0]["mrn"]}, GOOD[1]]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", rows), out)
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("2", "mrn"), ("3", "mrn")]
    assert "row 3: mrn: the same MRN as row 2, with another name or date of birth" in result.stderr
    assert GOOD[0]["mrn"] not in result.stderr + (out / "errors.csv").read_text()
    assert {r["row"] for r in manifest(out) if r["row"]} == {"4"}
    assert "1 patient done, 2 failed" in result.stdout


def test_a_conflict_names_the_row_that_differs(tmp_path):
    """Rows 2 and 3 agree and row 4 differs: each message must point at a row that disagrees."""
    rows = [GOOD[0], GOOD[0], {**GOOD[2], "mrn": GOOD[0]["mrn"]}]
    result = batch(write_csv(tmp_path / "roster.csv", rows), tmp_path / "out", "--check")
    assert result.exit_code == 1
    for row, other in ((2, 4), (3, 4), (4, 2)):
        assert f"row {row}: mrn: the same MRN as row {other}," in result.stderr


def test_one_mrn_with_two_infusion_dates_refuses_both_rows(tmp_path):
    """Two wallet cards for one patient with different infusion dates: one of them is wrong."""
    rows = [GOOD[0], GOOD[1], {**GOOD[0], "infusion_date": "2027-04-05"}]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", rows), out)
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("2", "infusion_date"), ("4", "infusion_date")]
    assert "row 4: infusion_date: the same MRN as row 2, with another infusion date" in result.stderr
    assert {r["row"] for r in manifest(out) if r["row"]} == {"3"}


def test_one_name_and_birth_date_with_two_infusion_dates_refuses_both_rows(tmp_path):
    """Without an MRN, the same name and date of birth is the same patient: two infusion dates
    are two different wallet cards, one of them wrong. The same name alone may be two people."""
    roster = tmp_path / "r.yaml"
    roster.write_text(yaml.safe_dump([
        {"name": "Ann Lee", "infusion_date": "2027-03-05", "date_of_birth": "1960-01-02"},
        {"name": "Ann Lee", "infusion_date": "2027-04-05", "date_of_birth": "1960-01-02"},
        {"name": "Bo Kim", "infusion_date": "2027-03-05"}, {"name": "Bo Kim", "infusion_date": "2027-04-05"},
    ]), encoding="utf-8")
    result = run_cli("batch", roster, "--check")
    assert result.exit_code == 1
    assert "row 3: infusion_date: the same name and date of birth as row 2, with another infusion date" in result.stderr
    assert "row 4" not in result.stderr and "row 5" not in result.stderr


def test_the_same_patient_twice_is_made_once_when_the_rows_are_alike_else_twice_with_a_warning(tmp_path):
    """An export's duplicate row (every field alike) made a second folder, a second packet and a
    second wallet card on the sheet: it is made once. Rows alike but for a field are made twice."""
    rows = [GOOD[1], {**GOOD[0], "name": GOOD[0]["name"].upper()}, GOOD[0], GOOD[1]]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", rows), out)
    assert result.exit_code == 0
    assert ("warning: row 4: the same patient as row 3, another field differing: their documents are made twice"
            in result.stderr)
    assert "warning: row 5: the same patient as row 2, every field alike: made once" in result.stderr  # no MRN
    assert {r["row"] for r in manifest(out) if r["row"]} == {"2", "3", "4"}
    assert "3 patients done" in result.stdout and not errors(out)


def test_an_option_that_cannot_work_stops_the_batch_once_before_any_row(tmp_path):
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", GOOD), out, "--card-layout", "foldover", "--back-offset", "1,1")
    assert result.exit_code == 2
    assert result.stderr == "error: --back-offset: applies only to duplex sheet layouts, not foldover\n"
    assert not out.exists()


@pytest.mark.parametrize("setting, error", [
    ("policy: no-such-profile", "error: clinic.policy: unknown policy profile 'no-such-profile'"),
    ("wallet_card: {qr: true, bogus: 1}", "error: clinic.wallet_card.bogus: unknown setting"),
    ("checklist: {remove: [no-such-item]}", "error: clinic.checklist.remove[1]: no-such-item is not a checklist item"),
    ("date_format: weird", "error: clinic.date_format: weird is not"),
    ("language: fr", "error: clinic.language: fr is not an available language"),  # was an error on every row
    ("team: [{role: \"Coordinator \\U00013000\", name: Jo}]",  # was an error on every row; `check` passed it
     "error: clinic.team[1].role: character U+13000 (EGYPTIAN HIEROGLYPH A001) is not in any bundled font"),
    ("team: [{role: Nurse, name: Jo}, {role: Nurse, name: \"Jo \\U00013000\"}]", "error: clinic.team[2].name: character U+13000"),
    ("physician: \"Dr \\U00013000\"", "error: clinic.physician: character U+13000"),
    ("date_format: \"d MMMM y 'and then words far too long to fit on any wallet card'\"",
     "error: clinic.date_format: makes the infusion date too long for the wallet card"),
])
def test_a_bad_clinic_setting_stops_the_batch_once_before_any_row(tmp_path, setting, error):
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text(f"name: Test Center\nphone_24h: '(217) 555-0199'\n{setting}\n", encoding="utf-8")
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", GOOD), out, "--clinic", str(clinic))
    assert result.exit_code == 2
    assert result.stderr.startswith(error) and result.stderr.count("\n") == 1
    assert not out.exists()


def test_a_clinic_name_too_long_for_the_card_stops_only_runs_that_make_cards(tmp_path):
    clinic = tmp_path / "clinic.yaml"
    long_name = "Regional Comprehensive Cancer and Cellular Immunotherapy Center of the Greater Springfield Metropolitan"
    clinic.write_text(f"name: {long_name} Area at Riverside\nphone_24h: '(217) 555-0199'\n", encoding="utf-8")
    roster = write_csv(tmp_path / "r.csv", GOOD)
    cards = run_cli("batch", roster, "-o", tmp_path / "cards", "--doc", "wallet-card", "--clinic", clinic)
    assert cards.exit_code == 2 and cards.stderr.startswith("error: clinic.name: is too long for the wallet card")
    handouts = run_cli("batch", roster, "-o", tmp_path / "handouts", "--doc", "handout", "--clinic", clinic,
                       "--jobs", "1")
    assert handouts.exit_code == 0, handouts.output


def test_a_clinic_name_no_card_prints_is_not_checked_against_the_card(tmp_path):
    """Every patient has a treating center of their own: their cards never print the clinic's long name."""
    clinic = tmp_path / "clinic.yaml"
    long_name = "Regional Comprehensive Cancer and Cellular Immunotherapy Center of the Greater Springfield Metropolitan"
    clinic.write_text(f"name: {long_name} Area at Riverside\nphone_24h: '(217) 555-0199'\n", encoding="utf-8")
    def roster(path: Path, centers: list[str]) -> Path:
        lines = ["name,infusion_date,center"] + [f"{row['name']},{row['infusion_date']},{center}"
                                                 for row, center in zip(GOOD, centers)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    own_centers = run_cli("batch", roster(tmp_path / "own.csv", ["Riverside Cancer Center"] * 3), "-o", tmp_path / "own",
                          "--doc", "wallet-card", "--clinic", clinic, "--jobs", "1")
    assert own_centers.exit_code == 0, own_centers.output
    card = pdf_text(next((tmp_path / "own").glob("*/*wallet-card*.pdf")))
    assert "Riverside Cancer Center" in card and "Metropolitan" not in card
    one_without = run_cli("batch", roster(tmp_path / "mixed.csv", ["Riverside Cancer Center", "", "Riverside"]),
                          "-o", tmp_path / "mixed", "--doc", "wallet-card", "--clinic", clinic)
    assert one_without.exit_code == 2
    assert one_without.stderr.startswith("error: clinic.name: is too long for the wallet card")


def test_show_values_puts_the_value_in_errors(tmp_path):
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "r.csv", [{"name": "X", "infusion_date": "2027-02-30"}]), out, "--show-values")
    assert result.exit_code == 1
    assert "2027-02-30" in errors(out)[0]["problem"]


def test_no_csv_cell_starts_a_spreadsheet_formula(tmp_path):
    """Staff open errors.csv in Excel: a value typed as a formula and shown there must show as
    text, not run. The manifest names the folder after the MRN made safe: no formula either."""
    rows = [{"name": "Ann Lee", "infusion_date": "2027-03-05", "mrn": "=HYPERLINK(\"http://x\",\"y\")"},
            {"name": "Bo Kim", "infusion_date": "@SUM(1+1)"}]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "r.csv", rows), out, "--show-values")
    assert result.exit_code == 1
    assert {row["record"] for row in manifest(out) if row["row"] == "2"} == {"HYPERLINK-http-x-y"}
    assert errors(out)[0]["problem"].startswith("'@SUM(1+1)")
    for name in ("errors.csv",):
        with (out / name).open(encoding="utf-8") as stream:
            assert not any(cell.startswith(("=", "+", "-", "@")) for row in csv.reader(stream) for cell in row)


def test_every_problem_of_a_row_is_listed(tmp_path):
    out = tmp_path / "out"
    rows = [{"infusion_date": "soon", "caregiver_phone": "none"}]
    result = run_cli("batch", write_csv(tmp_path / "r.csv", rows), "--check", "-o", out)
    assert result.exit_code == 1
    assert {e for e in ("name", "infusion_date", "caregiver_phone") if f"row 2: {e}:" in result.stderr} == {
        "name", "infusion_date", "caregiver_phone"}
    assert not out.exists()  # --check writes nothing


def test_every_problem_of_a_row_is_listed_also_those_found_as_printed(tmp_path):
    """A language without content, or a character no bundled font has, is found when the row's
    papers are prepared: it used to be hidden by a bad date, or by another such problem."""
    roster = tmp_path / "r.yaml"
    roster.write_text(yaml.safe_dump([
        {"name": "Ann Lee", "infusion_date": "2027-02-30", "language": "fr"},
        {"name": "Bo Kim", "infusion_date": "2027-03-05", "language": "fr", "caregiver": "Sam \U0001f600"},
    ], allow_unicode=True), encoding="utf-8")
    result = run_cli("batch", roster, "--check")
    assert result.exit_code == 1
    for row, fields in ((2, ("infusion_date", "language")), (3, ("language", "caregiver"))):  # YAML: as a sheet's rows
        assert all(f"row {row}: {field}:" in result.stderr for field in fields), result.stderr


@pytest.mark.parametrize("infusion, birth, birth_wrong", [
    ("", "2001-06-01", False),  # no infusion date to compare with
    ("soon", "2001-06-01", False),
    ("2027-03-05", "2001-06-01", False),
    ("2027-03-05", "2028-06-01", True),  # checked against the row's own infusion date
])
def test_a_birth_date_is_wrong_only_against_the_rows_own_infusion_date(tmp_path, infusion, birth, birth_wrong):
    roster = tmp_path / "r.csv"
    roster.write_text(f"name,infusion_date,date_of_birth,caregiver_phone\nAnn,{infusion},{birth},no digits\n",
                      encoding="utf-8")
    result = run_cli("batch", roster, "--check")
    assert result.exit_code == 1 and "row 2: caregiver_phone:" in result.stderr
    assert ("row 2: date_of_birth:" in result.stderr) == birth_wrong


def test_a_yaml_roster_with_an_impossible_date_or_a_stray_item_fails_only_those_rows(tmp_path):
    roster = tmp_path / "cohort.yaml"
    roster.write_text("- name: Ann Lee\n  infusion_date: 2027-03-05\n- 42\n"
                      "- name: Bo Ray\n  infusion_date: 2027-13-01\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert [(e["row"], e["field"]) for e in errors(tmp_path / "out")] == [("3", "roster"), ("4", "infusion_date")]
    assert "row 3: roster: item 2 of the list is not a mapping of field: value" in result.stderr  # the list's count too
    assert [m["row"] for m in manifest(tmp_path / "out") if m["row"].isdigit()] == ["2", "2", "2"]


@pytest.mark.parametrize("body", ["", ",\n,,\n"])
def test_a_roster_without_patient_rows_is_an_error(tmp_path, body):
    roster = tmp_path / "cohort.csv"
    roster.write_text("Name,Infusion Date\n" + body, encoding="utf-8")
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == "error: roster: no patient rows below the column names\n"
    assert not (tmp_path / "out" / "manifest.csv").exists()


def test_a_yaml_roster_may_share_fields_through_a_merge_key(tmp_path):
    roster = tmp_path / "cohort.yaml"
    roster.write_text("- &base\n  name: Rosa Delgado\n  infusion_date: '2027-03-05'\n  caregiver: Luis Delgado\n"
                      "- <<: *base\n  name: John Smith\n", encoding="utf-8")
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--doc", "handout", "--jobs", "1")
    assert result.exit_code == 0, result.output
    assert "Your caregiver is Luis Delgado" in " ".join(pdf_text(tmp_path / "out" / "John-Smith-3" / "handout.pdf").split())


def test_a_yaml_key_that_is_a_list_is_a_one_line_error(tmp_path):
    roster = tmp_path / "cohort.yaml"
    roster.write_text("- ? [a, b]\n  : x\n  name: John Smith\n  infusion_date: '2027-03-06'\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == f"error: roster: {roster.name}:1: a key must be a field name, not a list or a mapping\n"


@pytest.mark.parametrize("text, error", [
    ("March cohort,,\nName,Infusion Date,MRN\nAnn Lee,2027-03-05,A-1\n",  # "looks like patient data"
     "unknown column number 1 (row 1 names no patient fields: it must hold the column names; is the header row "
     "missing, or a title above it?)"),
    ("Name,Infusion date (D0),MRN\nAnn Lee,2027-03-05,A-1\n",  # a digit hid the title staff must fix
     "unknown column Infusion date (D0) (did you mean infusion_date?) (known:"),
    ("Name,Infusion Date,Room,Unit,Encounter\nAnn Lee,2027-03-05,4,Dr X,E1\n",  # "row 1 names no patient fields"
     "unknown column Room, Unit, Encounter (known:"),
    ("", "the roster is empty: row 1 must hold the column names"),  # "row 1 must hold..." of a file of nothing
    ("Name,Infusion Dtae,Weight\nAnn Lee,2027-03-05,72\n",  # a patient file's misspelt key had its suggestion
     "unknown column Infusion Dtae (did you mean infusion_date?), Weight (did you mean weight_kg, in kilograms?) (known:"),
    ("Patient Nmae,Infusion Dtae\nAnn Lee,2027-03-05\n",  # every title misspelt: "row 1 names no patient fields"
     "unknown column Patient Nmae (did you mean name?), Infusion Dtae (did you mean infusion_date?) (known:"),
    ("name,infusion_date,RCC-004417,(217) 555-0123,Room\nAnn Lee,2027-03-05,,,\n",  # printed the MRN and phone
     "unknown column number 3 (a patient's details? --show-values shows it), number 4 (a patient's details? "
     "--show-values shows it), Room (known:"),
])
def test_an_unknown_header_says_what_to_fix(tmp_path, text, error):
    roster = tmp_path / "r.csv"
    roster.write_text(text, encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 2 and result.stderr.startswith(f"error: roster: {error}"), result.stderr


def test_unknown_column_stops_before_anything_is_rendered(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("Name,Infusion Date,Birthday\nA,2027-03-05,x\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 2
    assert "unknown column Birthday" in result.stderr and result.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name,text,error", [
    ("r.csv", "Rosa Delgado,Luis Delgado\nAna Lee,Bo Lee\n", "unknown column number 1"),  # no header row
    # no header row, one value like a field's title ("Centre"): the others were printed in full
    ("h.csv", "Tran Van Delgado,2027-03-05,Bo Delgado,Centre\n", "unknown column Centre (did you mean center?), "
     "number 1, 2, 3 (row 1 names no patient fields"),
    # a name as the key of the fields, of a field's name, of a value; one among the fields
    ("r.yaml", "- Rosa Delgado: {infusion_date: '2027-03-05'}\n", "row 2: unknown field (a key that may be"),
    ("r2.yaml", "- Luis Delgado: caregiver\n  name: Ann Lee\n  infusion_date: '2027-03-05'\n", "row 2: unknown field (a key"),
    ("r3.yaml", "- Rosa Delgado: '2027-03-05'\n", "row 2: unknown field (a key"),
    ("r4.yaml", "- {name: Ann, infusion_date: '2027-03-05', Rosa Delgado: x, physican: Dr X}\n", "row 2: unknown field (a key"),
])
def test_titles_that_look_like_a_patient_s_details_are_not_printed(tmp_path, name, text, error):
    roster = tmp_path / name
    roster.write_text(text, encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 2 and result.stderr.startswith(f"error: roster: {error}")
    assert "Delgado" not in result.stderr
    assert "Delgado" in batch(roster, tmp_path / "out", "--check", "--show-values").stderr


def test_a_misspelt_field_of_a_yaml_roster_is_named(tmp_path):
    roster = tmp_path / "r.yaml"
    roster.write_text("- {name: Ann, infusion_date: '2027-03-05', physican: Dr X}\n", encoding="utf-8")
    assert batch(roster, tmp_path / "out", "--check").stderr.startswith(
        "error: roster: row 2: unknown field physican in the item")


def test_an_unknown_key_of_a_yaml_roster_names_the_rows_of_its_items(tmp_path):
    """A "notes:" key (maybe a surname: not shown) stopped the run naming neither the key nor the
    item: in a list of 200 patients staff could not find it."""
    roster = tmp_path / "r.yaml"
    roster.write_text("".join(f"- {{name: P{n}, infusion_date: '2027-03-05'}}\n" for n in range(3))
                      + "- {name: Ann, infusion_date: '2027-03-05', notes: call first}\n"
                      + "- {name: Bo, infusion_date: '2027-03-05', Delgado: x}\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 2 and result.stderr.startswith("error: roster: rows 5, 6: unknown field (a key that may")
    assert "notes" not in result.stderr and "Delgado" not in result.stderr
    assert "unknown field notes, Delgado in the items" in batch(roster, tmp_path / "o", "--check", "--show-values").stderr


def test_a_field_given_twice_in_a_yaml_item_is_its_only_problem(tmp_path):
    roster = tmp_path / "r.yaml"
    roster.write_text("- name: Ann Lee\n  infusion_date: '2027-03-05'\n  mrn: A1\n  MRN: A2\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        "row 2: mrn: is given twice in item 1 of the list"]  # the list's own count beside the row


def test_a_key_written_twice_in_one_yaml_item_fails_that_row_alone(tmp_path):
    """The whole roster stopped at "dup.yaml:6: the key 'infusion_date' is given twice"."""
    roster = tmp_path / "r.yaml"
    roster.write_text("- {name: Ann Lee, infusion_date: '2027-03-05', mrn: A1}\n"
                      "- name: Bo Chan\n  infusion_date: '2027-03-06'\n  infusion_date: '2027-03-07'\n  mrn: A2\n"
                      "- {name: Cy Diaz, infusion_date: '2027-03-09', mrn: A3}\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 1, result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        "row 3: infusion_date: is given twice in item 2 of the list"]
    assert sorted(path.name for path in (tmp_path / "out").iterdir() if path.name.startswith("A")) == ["A1", "A3"]


def test_a_patients_name_written_twice_as_a_key_is_not_printed(tmp_path):
    """The message quoted the key: "the key 'Rosa Delgado' is given twice"."""
    roster = tmp_path / "r.yaml"
    roster.write_text("- {name: Ann Lee, infusion_date: '2027-03-05'}\n"
                      "- Rosa Delgado: {mrn: A1}\n  Rosa Delgado: {mrn: A2}\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 2 and "Delgado" not in result.stderr
    assert "a key that may be a patient's details" in result.stderr


def test_a_sheet_numbering_rows_past_excels_last_is_refused(tmp_path):
    """A 5 KB workbook whose one row was numbered 10^12 kept batch reading empty rows for hours
    (openpyxl makes one for every number skipped); one just past Excel's last row was read as a
    patient no spreadsheet could show (an outside security pass)."""
    last = 1_048_576
    path = _patched_workbook(tmp_path / "r.xlsx", [(
        "</sheetData>", f'<row r="{last + 5}"><c r="A{last + 5}" t="inlineStr"><is><t>Ann Lee</t></is></c>'
                        f'<c r="B{last + 5}" t="inlineStr"><is><t>2027-03-07</t></is></c></row></sheetData>')])
    result = run_cli("batch", path, "--check")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: roster: numbers a row past Excel's last (1,048,576)")


def test_hidden_columns_are_counted_no_further_than_excels_last():
    """<col min="1" max="4000000000" hidden="1"/> in a 5 KB workbook took gigabytes: a set of every number."""
    from types import SimpleNamespace
    from io import BytesIO

    from carthandout.roster import _scanned_marks

    xml = b'<worksheet><cols><col min="3" max="100000" hidden="1"/></cols><sheetData/></worksheet>'
    sheet = SimpleNamespace(_get_source=lambda: BytesIO(xml))
    assert _scanned_marks(sheet).hidden_columns == set(range(3, 16_384 + 1))  # XFD, Excel's last column


def test_two_patients_of_one_name_without_mrn_or_birth_date_are_told_apart(tmp_path):
    """Two "Ana Perez" without MRN or birth date, infused a week apart: after the roster's order
    changed, one's checklist filled in on screen was kept in the other's folder as her edited
    copy (its key was the name alone). The infusion date, which every document prints, is in
    such a patient's key (an integration pass)."""
    first = tmp_path / "ab.csv"
    first.write_text("name,infusion_date\nAna Perez,2026-12-03\nAna Perez,2026-12-10\n", encoding="utf-8")
    swapped = tmp_path / "ba.csv"
    swapped.write_text("name,infusion_date\nAna Perez,2026-12-10\nAna Perez,2026-12-03\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("batch", first, "-o", out, "--doc", "checklist").exit_code == 0
    filled = fill_in_on_screen(out / "Ana-Perez-2" / "checklist.pdf", "AA")
    result = run_cli("batch", swapped, "-o", out, "--doc", "checklist")
    assert result.exit_code == 1
    assert "row 2: output: checklist.pdf here is another patient's" in result.stderr
    assert (out / "Ana-Perez-2" / "checklist.pdf").read_bytes() == filled
    assert not list(out.rglob("*.edited*"))


def test_a_batch_refuses_a_filled_file_an_earlier_version_keyed_by_the_name_alone(tmp_path):
    """A folder made before the infusion date was in such a patient's key: accepted, the filled
    checklist of one "Ana Perez" was kept as the other's, and accepted on every run after (a review)."""
    from carthandout.edits import _digest
    from carthandout.models import parse_patient
    roster = tmp_path / "r.csv"
    roster.write_text("name,infusion_date\nAna Perez,2026-12-10\n", encoding="utf-8")
    out = tmp_path / "out"
    assert run_cli("batch", roster, "-o", out, "--doc", "checklist").exit_code == 0
    checklist = out / "Ana-Perez-2" / "checklist.pdf"
    fill_in_on_screen(checklist, "AA")
    writer = pypdf.PdfWriter(clone_from=checklist)  # as the earlier version keyed it: the name alone
    writer.add_metadata({"/CarthandoutPatient": "n" + _digest(parse_patient({"name": "Ana Perez",
                                                                              "infusion_date": "2026-12-03"}))})
    writer.write(checklist)
    result = run_cli("batch", roster, "-o", out, "--doc", "checklist")
    assert result.exit_code == 1
    assert "or made by an earlier carthandout by the name alone" in result.stderr
    assert not list(out.rglob("*.edited*"))


def test_a_patient_without_mrn_or_birth_date_is_told_apart_by_the_infusion_date_in_a_batch_only():
    """A batch's roster holds two such patients of one name apart by their infusion dates, and so
    does their files' key; ``generate`` takes a corrected date as the same patient's, as before,
    and files made before by the name alone ("n"); a batch cannot tell whose those are (a review)."""
    from carthandout.edits import _digest, is_patients, patient_key
    from carthandout.models import parse_patient
    patient = parse_patient({"name": "Ana Perez", "infusion_date": "2026-12-03"})
    moved = parse_patient({"name": "ANA  perez", "infusion_date": "2026-12-10"})
    key = patient_key(patient)
    assert key[0] == "i" and is_patients(key, patient, by_infusion_date=True)
    assert is_patients(key, moved) and not is_patients(key, moved, by_infusion_date=True)
    old_key = "n" + _digest(patient)  # made before the "i" kind: the name alone
    assert is_patients(old_key, moved) and is_patients(old_key, patient, prints_birth_date=True)
    assert not is_patients(old_key, patient, by_infusion_date=True)  # a batch cannot tell whose: refused, said so
    with_mrn = parse_patient({"name": "Ana Perez", "infusion_date": "2026-12-03", "mrn": "A1"})
    assert not is_patients(old_key, with_mrn) and not is_patients(key, with_mrn)
    born = parse_patient({"name": "Ana Perez", "infusion_date": "2026-12-03", "date_of_birth": "1970-01-02"})
    assert patient_key(born)[0] == "n"  # a birth date tells her apart: her card, which does not print it, as before
    assert is_patients(patient_key(born), parse_patient({**{"name": "Ana Perez", "date_of_birth": "1970-01-02"},
                                                        "infusion_date": "2026-12-10"}), by_infusion_date=True)


def _patched_workbook(path: Path, substitutions: list[tuple[str, str]]) -> Path:
    """A three-row workbook written by openpyxl, its sheet XML edited as another tool writes it."""
    import re
    import zipfile

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["name", "infusion_date", "caregiver", "mrn"])
    sheet.append(["Rosa Delgado", "2027-03-05", "Luis Delgado", "M1"])
    sheet.append(["John Smith", "2027-03-06", "Jane Smith", "M2"])
    plain = path.with_suffix(".plain.xlsx")
    workbook.save(plain)
    with zipfile.ZipFile(plain) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode("utf-8")
                for pattern, replacement in substitutions:
                    text = re.sub(pattern, replacement, text)
                data = text.encode("utf-8")
            target.writestr(item, data)
    return path


def test_an_xlsx_that_states_a_stale_size_still_gives_every_row_and_column(tmp_path):
    roster = _patched_workbook(tmp_path / "r.xlsx", [(r'<dimension ref="[^"]*"/>', '<dimension ref="A1:B2"/>')])
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert sorted(row["record"] for row in manifest(tmp_path / "out") if row["row"].isdigit()) == ["M1"] * 3 + ["M2"] * 3


def test_a_cell_showing_a_spreadsheet_error_fails_its_row(tmp_path):
    roster = _patched_workbook(tmp_path / "r.xlsx", [
        (r'<c r="C2"[^>]*>.*?</c>', '<c r="C2" t="e"><f>VLOOKUP(A2,X!A:B,2,0)</f><v>#N/A</v></c>'),
        (r'<c r="A3"[^>]*>.*?</c>', '<c r="A3" t="e"><f>X!#REF!</f><v>#REF!</v></c>'),
    ])
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 1
    assert [(e["row"], e["field"], e["problem"]) for e in errors(tmp_path / "out")] == [
        ("2", "caregiver", "the cell shows the spreadsheet error #N/A"),
        ("3", "name", "the cell shows the spreadsheet error #REF!"),
    ]


def test_a_number_too_long_for_a_spreadsheet_fails_its_row_and_a_date_with_a_time_is_its_day(tmp_path):
    """Excel keeps 15 significant digits: a 20-digit MRN in a number cell has lost its last digits."""
    patients = [["Name", "Infusion Date", "MRN"], ["Ana Ruiz", dt.datetime(2027, 3, 5, 14, 30), 12345678901234567890],
                ["Bo Li", dt.datetime(2027, 3, 6), 123456789012345]]
    roster = workbook_with_sheets(tmp_path / "r.xlsx", {"Patients": patients})
    out = tmp_path / "out"
    result = batch(roster, out)
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("2", "mrn")]
    assert "row 2: mrn: the number is too long for a spreadsheet to keep exactly" in result.stderr
    hidden = workbook_with_sheets(tmp_path / "h.xlsx", {"Patients": [["Name", "Infusion Date", "MRN", "Language"],
                                                                      ["Ana Ruiz", "2027-13-40", 12345678901234567890, "fr"]]})
    result = batch(hidden, tmp_path / "out-h", "--check")  # the unusable cell hid the row's other problems
    assert all(f"row 2: {field}:" in result.stderr for field in ("mrn", "infusion_date", "language")), result.stderr
    assert [row["record"] for row in manifest(out) if row["row"] == "3"][0] == "123456789012345"
    roster = workbook_with_sheets(tmp_path / "t.xlsx", {"Patients": [patients[0][:2], patients[1][:2]]})
    result = batch(roster, tmp_path / "out-t")
    assert result.exit_code == 0, result.output
    assert "March 5, 2027" in pdf_text(tmp_path / "out-t" / "Ana-Ruiz-2" / "handout.pdf")


def test_csv_yaml_and_xlsx_rosters_give_the_same_bytes(tmp_path):
    """The same patients give the same files in every format, errors.csv and the manifest too: a
    YAML roster counted its items from 1, so a patient without an MRN got another folder
    (Chen-Wei-2, not Chen-Wei-3), another print-file bookmark and another row in every line."""
    from openpyxl import Workbook

    cohort = [*GOOD, {"name": "Bad Date", "infusion_date": "2027-02-30", "mrn": "", "caregiver_phone": ""}]
    csv_roster = write_csv(tmp_path / "r.csv", cohort, delimiter=";", bom=True)
    yaml_roster = tmp_path / "r.yaml"
    yaml_roster.write_text(yaml.safe_dump([{HEADERS[k]: v for k, v in row.items() if v} for row in cohort],
                                          allow_unicode=True), encoding="utf-8")
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(HEADERS.values()))
    for row in cohort:
        date = row["infusion_date"] if row["name"] == "Bad Date" else dt.datetime.fromisoformat(row["infusion_date"])
        sheet.append([row["name"], date, row["mrn"] or None, row["caregiver_phone"] or None])
    sheet.append([])  # an empty row is skipped
    sheet["C2"] = 4417  # an MRN typed as a number, formatted with leading zeros, keeps them
    sheet["C2"].number_format = "000000"
    xlsx_roster = tmp_path / "r.xlsx"
    workbook.save(xlsx_roster)

    outputs = []
    for roster in (csv_roster, yaml_roster, xlsx_roster):
        out = tmp_path / roster.suffix[1:]
        assert batch(roster, out).exit_code == 1  # the bad date's row
        outputs.append(all_files(out))
    assert outputs[0] == outputs[1] == outputs[2]
    assert "004417/handout.pdf" in outputs[0] and "Chen-Wei-3/handout.pdf" in outputs[0]
    assert errors(tmp_path / "yaml") == [{"row": "5", "field": "infusion_date", "problem": "the value is not a real date"}]


def workbook_with_sheets(path: Path, sheets: dict[str, list[list]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_the_patient_sheet_of_a_workbook_is_found_or_chosen(tmp_path):
    patients = [["Name", "Infusion Date", "Weight (kg)"], ["Ana Ruiz", dt.datetime(2027, 3, 5), 72.5]]
    found = workbook_with_sheets(tmp_path / "a.xlsx", {"How to fill": [["Type one patient a row"]],
                                                       "Patients": patients})
    result = run_cli("batch", found, "--check")
    assert result.exit_code == 0 and "1 patient ready" in result.stdout

    two = workbook_with_sheets(tmp_path / "b.xlsx", {"March": patients, "April": patients + [["Bo Li", "2027-04-02"]]})
    result = run_cli("batch", two, "--check")
    assert result.exit_code == 2
    assert "error: roster: sheets 1, 2 of the tabs (--show-values shows their names) all hold patients: choose one " \
           "with --sheet" in result.stderr
    assert "sheets March, April all hold patients" in run_cli("batch", two, "--check", "--show-values").stderr
    assert "2 patients ready" in run_cli("batch", two, "--check", "--sheet", "April").stdout
    assert "has no sheet named as --sheet gives it (2 sheets; --show-values shows their names)" in run_cli(
        "batch", two, "--check", "--sheet", "May").stderr
    assert "has no sheet named as --sheet gives it (--sheet 'May'; sheets: March, April)" in run_cli(
        "batch", two, "--check", "--sheet", "May", "--show-values").stderr
    assert "2 patients ready" in run_cli("batch", two, "--check", "--sheet", "april").stdout  # as Excel: any case

    from openpyxl import load_workbook  # an old month hidden away is not a second roster
    hidden = load_workbook(two)
    hidden["March"].sheet_state = "hidden"
    hidden.save(tmp_path / "h.xlsx")
    result = run_cli("batch", tmp_path / "h.xlsx", "--check")
    assert result.exit_code == 0 and "2 patients ready" in result.stdout
    assert "1 patient ready" in run_cli("batch", tmp_path / "h.xlsx", "--check", "--sheet", "March").stdout
    only = load_workbook(found)  # the patients' sheet hidden behind the instructions
    only["Patients"].sheet_state = "hidden"
    only.save(tmp_path / "o.xlsx")
    assert run_cli("batch", tmp_path / "o.xlsx", "--check").stderr == (
        "error: roster: the sheet that holds patients is hidden (--show-values shows its name): name it with --sheet\n")
    assert "the sheet that holds patients is hidden (Patients)" in run_cli("batch", tmp_path / "o.xlsx", "--check",
                                                                           "--show-values").stderr

    unknown = workbook_with_sheets(tmp_path / "c.xlsx", {"How to fill": [["Type one patient a row"]],
                                                         "Patients": [["Name", "Infusion Date", "Birthday"]]})
    result = run_cli("batch", unknown, "--check")  # the error names the patient sheet's column
    assert result.exit_code == 2 and result.stderr.startswith("error: roster: unknown column Birthday (did you mean date_of_birth?) (known:")


def test_a_roster_with_a_column_to_leave_out_is_not_passed_over_for_another_sheet(tmp_path):
    """A roster with an export's "Room" column lost to any sheet whose titles were all patient
    fields: an "Example" sheet's made-up patient was printed and the cohort's were not (exit 0),
    and a sheet of drop-down lists (Physician, Language) had its doctors read as patients."""
    roster = [["Patient Name", "Infusion Date", "MRN", "Room"], ["Rosa Diaz", "2027-03-05", "A1", "4B"],
              ["Ann Lee", "2027-03-06", "A2", "5C"]]
    example = workbook_with_sheets(tmp_path / "e.xlsx", {"December": roster, "Example": [
        ["Patient Name", "Infusion Date", "MRN"], ["Jane Example", "2027-01-01", "EX-1"]]})
    result = run_cli("batch", example, "--check", "--ignore-column", "Room")
    assert result.exit_code == 2
    assert "error: roster: sheets 1, 2 of the tabs (--show-values" in result.stderr
    lists = workbook_with_sheets(tmp_path / "l.xlsx", {"Roster": roster, "Lists": [["Physician", "Language"],
                                                                                   ["Dr. Okafor", "es"]],
                                                       "Template": [["Name", "Infusion Date"]]})
    result = run_cli("batch", lists, "--check")
    assert result.exit_code == 2 and result.stderr.startswith("error: roster: unknown column Room (known:")
    result = run_cli("batch", lists, "--check", "--ignore-column", "Room")
    assert result.exit_code == 0 and "2 patients ready, 0 rows with problems" in result.stdout
    assert ("note: read the workbook's sheet 1 of 3, counting its tabs from the left (--sheet reads another; "
            "--show-values names it)") in result.stderr
    result = run_cli("batch", lists, "--check", "--ignore-column", "Room", "--show-values")
    assert "note: read the sheet Roster (the workbook shows 2 other sheets; --sheet reads another)" in result.stderr
    # a roster whose name columns are titled otherwise still holds patients: no example's is printed instead
    first_last = workbook_with_sheets(tmp_path / "f.xlsx", {"March": [["MRN", "Last", "First", "Infusion Date"],
                                                                      ["A1", "Diaz", "Rosa", "2027-03-05"]],
                                                            "Example": [["Name", "Infusion Date", "MRN"],
                                                                        ["Jane Example", "2027-01-01", "EX-1"]]})
    result = run_cli("batch", first_last, "--check")
    assert result.exit_code == 2 and "sheets 1, 2 of the tabs (--show-values" in result.stderr


def test_sheets_titled_with_patients_names_are_not_named_without_show_values(tmp_path):
    """A workbook of a sheet per patient printed "sheets Rosa Delgado, Zelda Quixote all hold
    patients" and "read the sheet Rosa Delgado" on stderr (an outside security pass)."""
    rows = [["Name", "Infusion Date"], ["Rosa Delgado", "2027-03-05"]]
    per_patient = workbook_with_sheets(tmp_path / "p.xlsx", {"Rosa Delgado": rows, "Zelda Quixote": rows})
    attempts = [run_cli("batch", per_patient, "--check"), run_cli("batch", per_patient, "--check", "--sheet", "Nobody")]
    from openpyxl import load_workbook
    hidden = load_workbook(per_patient)
    hidden["Zelda Quixote"].sheet_state = "hidden"
    hidden["Rosa Delgado"]["A1"] = "Notes"  # no longer a roster: the hidden one is
    hidden.save(tmp_path / "h.xlsx")
    attempts.append(run_cli("batch", tmp_path / "h.xlsx", "--check"))
    one = workbook_with_sheets(tmp_path / "o.xlsx", {"Rosa Delgado": rows, "Instructions": [["Type a patient a row"]]})
    attempts.append(run_cli("batch", one, "--check"))
    assert [attempt.exit_code for attempt in attempts] == [2, 2, 2, 0]
    assert "read the workbook's sheet 1 of 2" in attempts[-1].stderr
    for attempt in attempts:
        assert "Rosa" not in attempt.output and "Zelda" not in attempt.output, attempt.output


def test_the_sheet_read_is_counted_among_every_tab_chart_sheets_too(tmp_path):
    """A chart sheet's tab left of the roster was not counted: "sheet 2 of 2" pointed at the
    instructions sheet, the second tab (a review)."""
    from openpyxl import Workbook
    workbook = Workbook()
    workbook.active.title = "Instructions"
    workbook.active.append(["Type one patient a row"])
    from openpyxl.chart import BarChart, Reference
    chart_sheet = workbook.create_chartsheet("Chart", 0)
    roster = workbook.create_sheet("Patients")
    roster.append(["Name", "Infusion Date"])
    roster.append(["Rosa Delgado", "2027-03-05"])
    chart = BarChart()
    chart.add_data(Reference(roster, min_col=1, min_row=1, max_row=2))
    chart_sheet.add_chart(chart)
    workbook.save(tmp_path / "c.xlsx")
    result = run_cli("batch", tmp_path / "c.xlsx", "--check")
    assert result.exit_code == 0, result.output
    assert "note: read the workbook's sheet 3 of 3, counting its tabs from the left" in result.stderr


def test_a_workbook_that_cannot_be_opened_says_why(tmp_path):
    """A workbook with a password to open it (usual for a sheet of patients) was "not an Excel .xlsx
    workbook", and staff could not tell what to do."""
    locked = tmp_path / "locked.xlsx"  # an encrypted workbook is a compound file holding the encrypted package
    locked.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4088))
    result = run_cli("batch", locked, "--check")
    assert result.exit_code == 2 and result.stderr.startswith(
        "error: roster: is a workbook with a password to open it, or an Excel 97-2003 workbook: save a copy as an "
        "Excel .xlsx workbook without a password")
    not_one = tmp_path / "text.xlsx"
    not_one.write_text("name,infusion_date\n", encoding="utf-8")
    assert run_cli("batch", not_one, "--check").stderr == "error: roster: is not an Excel .xlsx workbook\n"


def test_more_jobs_than_cores_are_warned_of(tmp_path):
    """--jobs 32 on 2 cores ran 33 processes, 1.5 GB, slower than 2, without a word."""
    from carthandout.batch import default_jobs
    many = default_jobs() + 1
    result = run_cli("batch", write_csv(tmp_path / "r.csv", GOOD[:1]), "-o", tmp_path / "out", "--check",
                     "--jobs", str(many))
    assert f"warning: --jobs {many} is more than the {default_jobs()} core" in result.stderr
    assert "warning: --jobs" not in run_cli("batch", tmp_path / "r.csv", "-o", tmp_path / "out", "--check").stderr


def test_jobs_1_and_2_give_identical_bytes(tmp_path):
    roster = write_csv(tmp_path / "r.csv", GOOD * 2)
    one, two = tmp_path / "one", tmp_path / "two"
    assert batch(roster, one, "--print-part-size", "4").exit_code == 0
    assert run_cli("batch", roster, "-o", two, *FAST_DOCS, "--jobs", "2", "--print-part-size", "4").exit_code == 0
    assert all_files(one) == all_files(two)


@pytest.mark.parametrize("no_names", [False, True])
def test_hostile_names_stay_inside_the_output_folder(tmp_path, no_names):
    hostile = ["../../etc/passwd", "CON", "a/b\\c", "Ｎame " + " ".join(["Longname"] * 12), "..Zoë..", "nul.txt"]  # a name needs a letter
    rows = [{"name": name, "infusion_date": "2027-03-05"} for name in hostile]
    rows += [{"name": "Same MRN", "infusion_date": "2027-03-05", "mrn": mrn} for mrn in ("../up", "AB1", "ab1")]
    out = tmp_path / "out"
    result = run_cli("batch", write_csv(tmp_path / "r.csv", rows), "-o", out, "--doc", "handout", "--jobs", "1",
                     *(["--no-names-in-filenames"] if no_names else []))
    assert result.exit_code == 0, result.stderr
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and p.name != "print")
    assert len({f.lower() for f in folders}) == len(rows)  # unique, even on case-insensitive disks
    for folder in folders:
        assert len(folder) <= 60 and not folder.startswith(".")
        assert folder.split(".")[0].lower() not in {"con", "nul", "prn", "aux"}
    assert {p.parent for p in out.rglob("*.pdf")} <= {out / f for f in folders} | {out / "print"}
    assert not (tmp_path / "etc").exists()
    if no_names:
        assert folders == sorted(f"patient-{n}" for n in range(2, 2 + len(rows)))
        assert "Longname" not in (out / "manifest.csv").read_text() and "AB1" not in (out / "manifest.csv").read_text()


def test_a_patient_folder_linked_outside_fails_that_row_alone(tmp_path):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "004417").symlink_to(elsewhere)  # the first patient's folder (named by MRN)
    result = batch(write_csv(tmp_path / "r.csv", GOOD), out)
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("2", "output")]
    assert (out / "Chen-Wei-3" / "handout.pdf").exists() and not any(elsewhere.iterdir())
    # said of the folder, not of "the value" (there is none in the row), and never naming it
    assert result.stderr.startswith("row 2: output: the patient's folder would be written outside the output folder\n")


def test_a_patient_folder_linked_to_another_patients_folder_fails_that_row(tmp_path):
    """Chen Wei's folder linked to the first patient's (inside DIR): Chen Wei's wallet card was
    written into the first patient's folder, over theirs."""
    out = tmp_path / "out"
    (out / "004417").mkdir(parents=True)
    (out / "Chen-Wei-3").symlink_to("004417")
    result = batch(write_csv(tmp_path / "r.csv", GOOD), out, "--doc", "wallet-card")
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("3", "output")]
    assert "Chen" not in pdf_text(out / "004417" / "wallet-card.pdf")


@pytest.mark.parametrize("make_print", [
    lambda out, elsewhere: (out / "print").symlink_to(elsewhere),
    lambda out, elsewhere: (out / "print").write_text("not a folder"),
])
def test_a_print_folder_that_is_a_link_outside_or_a_file_stops_the_run_before_any_patient(tmp_path, make_print):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (elsewhere / "handouts-part-007.pdf").write_bytes(b"an earlier part")
    make_print(out, elsewhere)
    result = batch(write_csv(tmp_path / "r.csv", GOOD), out)
    assert result.exit_code == 2 and result.stderr.startswith("error: output: print ")
    assert sorted(p.name for p in out.iterdir()) == ["print"]  # no patient made
    assert [p.name for p in elsewhere.iterdir()] == ["handouts-part-007.pdf"]  # nothing written or removed there


def test_a_name_too_long_for_the_wallet_card_fails_its_row_alone_and_check_finds_it(tmp_path):
    """The card finds a name too long when it lays it out: that row fails, not the run, and
    ``--check``, which called the row ready, lays the card out too."""
    rows = [GOOD[0], {"name": " ".join(["Longname"] * 13), "infusion_date": "2027-03-05"}, GOOD[2]]
    checked = run_cli("batch", write_csv(tmp_path / "r.csv", rows), "--check", *FAST_DOCS)
    assert checked.exit_code == 1 and "row 3: name: is too long for the wallet card" in checked.stderr
    out = tmp_path / "out"
    result = run_cli("batch", write_csv(tmp_path / "r.csv", rows), "-o", out, *FAST_DOCS, "--jobs", "2")
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("3", "name")]
    assert "row 3: name: is too long for the wallet card" in result.stderr
    assert {r["row"] for r in manifest(out) if r["row"]} == {"2", "4"}
    assert not (out / "Longname").exists()


def test_each_document_in_the_handouts_print_file_starts_on_a_fresh_sheet(tmp_path):
    """Printed duplex, the checklist must not share a sheet with the back of the handout's last page."""
    out = tmp_path / "out"
    result = run_cli("batch", write_csv(tmp_path / "r.csv", GOOD[:2]), "-o", out, "--doc", "handout",
                     "--doc", "checklist", "--jobs", "1")
    assert result.exit_code == 0, result.output
    rows = manifest(out)
    [part] = [r for r in rows if r["document"] == "print-handouts"]
    counts = [int(r["pages"]) for r in rows if r["document"] in ("handout", "checklist")]
    assert any(count % 2 for count in counts)  # else the test proves nothing about padding
    pages = pypdf.PdfReader(out / part["file"]).pages
    assert len(pages) == sum(count + count % 2 for count in counts)
    start = 0
    for count in counts:
        assert start % 2 == 0 and pages[start].extract_text().strip()  # a sheet's front, with text
        if count % 2:
            assert pages[start + count].extract_text().strip() == ""  # the blank back
        start += count + count % 2


def test_every_font_of_the_checklist_packet_and_print_files_is_embedded(tmp_path):
    """The checklist's empty fields (date done, initials) had reportlab's appearance naming
    Helvetica, never embedded: pdffonts showed it in the checklist, the packet and the print
    files (where flattening copies appearances into the page), which a preflight rejects."""
    out = tmp_path / "out"
    result = run_cli("batch", write_csv(tmp_path / "r.csv", GOOD[:1]), "-o", out, "--doc", "checklist",
                     "--doc", "wallet-card", "--jobs", "1")
    assert result.exit_code == 0, result.output
    files = [out / row["file"] for row in manifest(out) if row["document"] in ("checklist", "packet", "print-handouts")]
    assert len(files) == 3
    for path in files:
        assert pypdf.PdfReader(path).pages[0].get("/Annots") or "print" in path.parts[-2]
        assert fonts_not_embedded(path) == set(), path.name


def test_print_files_start_each_patient_on_a_fresh_sheet_and_place_the_cards(tmp_path):
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "r.csv", GOOD), out, "--print-part-size", "2", "--card-layout", "avery-5371")
    assert result.exit_code == 0
    rows = manifest(out)
    parts = [r for r in rows if r["document"] == "print-handouts"]
    assert [r["record"] for r in parts] == ["part-001", "part-002"]
    handout_pages = [int(r["pages"]) for r in rows if r["document"] == "handout"]
    assert any(pages % 2 for pages in handout_pages)  # else the test proves nothing about padding
    evened = [pages + pages % 2 for pages in handout_pages]
    first = pypdf.PdfReader(out / parts[0]["file"])
    assert len(first.pages) == evened[0] + evened[1]
    assert len(pypdf.PdfReader(out / parts[1]["file"]).pages) == evened[2]
    # Each patient's pages start on an odd page (a sheet's front) and a blank page closes an odd count.
    for start, pages in ((0, handout_pages[0]), (evened[0], handout_pages[1])):
        assert GOOD[0 if start == 0 else 1]["name"].split()[0] in first.pages[start].extract_text()
        if pages % 2:
            assert first.pages[start + pages].extract_text().strip() == ""
    assert [o.title for o in first.outline] == ["004417", "Chen-Wei-3"]

    cards = pypdf.PdfReader(out / "print/wallet-cards-part-001.pdf")
    assert len(cards.pages) == 2  # one duplex sheet: fronts, then backs
    layout = layout_for("avery-5371", tuple(float(v) for v in cards.pages[0].mediabox[2:]))
    for index, patient in enumerate(GOOD[:2]):
        x, y = text_position(cards.pages[0], patient["name"].split()[-1])
        slot = layout.fronts[index]
        assert slot.x <= x <= slot.x + slot.width and slot.y <= y <= slot.y + slot.height


def test_print_file_prints_the_checklist_fields_as_they_look(tmp_path):
    """Pre-filled dates are form fields: the print file flattens them into the page, with no widgets left."""
    out = tmp_path / "out"
    assert run_cli("batch", write_csv(tmp_path / "r.csv", GOOD[:1]), "-o", out, "--doc", "checklist",
                   "--jobs", "1").exit_code == 0
    fields = pypdf.PdfReader(out / "004417/checklist.pdf").get_fields()
    values = {str(f["/V"]) for f in fields.values() if f.get("/FT") == "/Tx" and f.get("/V")}
    assert values  # else the test proves nothing
    printed = pypdf.PdfReader(out / "print/handouts-part-001.pdf")
    text = "".join(page.extract_text() for page in printed.pages)
    assert {value for value in values if value not in text} == set()
    assert not any("/Annots" in page for page in printed.pages) and "/AcroForm" not in printed.trailer["/Root"]


def text_position(page: pypdf.PageObject, word: str) -> tuple[float, float]:
    found: list[tuple[float, float]] = []

    def visit(text, cm, tm, font, size):
        if word in text:
            found.append((cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]))

    page.extract_text(visitor_text=visit)
    assert found, f"{word} not on the page"
    return found[0]


@pytest.mark.parametrize("layout, paper", [("avery-5371", ["--paper", "a4"]), ("single", ["--paper", "a4"]),
                                           ("single", [])])  # no --paper: the clinic's (a KeyError once)
def test_a_large_print_patients_card_words_print_with_their_handouts_not_on_card_stock(tmp_path, layout, paper):
    """The card's words at 18 pt are paper pages: in the handouts print file, after the patient's
    handout, never among the card sheets (a card printer cannot take Letter, nor a perforated
    card sheet a page of text)."""
    roster = tmp_path / "r.yaml"
    roster.write_text(yaml.safe_dump([{**GOOD[0], "large_print": "yes"}, GOOD[2]]), encoding="utf-8")
    out = tmp_path / "out"
    clinic = tmp_path / "clinic.yaml"
    clinic.write_text('name: "Riverside Cancer Center"\nphone_24h: "(217) 555-0199"\npaper: a4\n', encoding="utf-8")
    result = batch(roster, out, "--card-layout", layout, "--clinic", clinic, *paper)
    assert result.exit_code == 0, result.output
    own = pypdf.PdfReader(out / "004417/wallet-card.pdf")
    cards = pypdf.PdfReader(out / "print/wallet-cards-part-001.pdf")
    handouts = pypdf.PdfReader(out / "print/handouts-part-001.pdf")
    card_pages = 2 if layout == "avery-5371" else 4  # two patients' cards on one sheet, or a page each
    own_extra = [" ".join(page.extract_text().split()) for page in own.pages[len(own.pages) - 2:]]
    assert "YESCARTA" in own_extra[0].upper()  # front and back in large print (on Letter for Avery sheets)
    assert len(cards.pages) == card_pages and len({tuple(page.mediabox) for page in cards.pages}) == 1
    handout_pages = len(pypdf.PdfReader(out / "004417/handout.pdf").pages)
    first = handout_pages + handout_pages % 2  # after the handout and its blank back
    assert [" ".join(page.extract_text().split()) for page in handouts.pages[first:first + 2]] == own_extra
    a4 = [round(float(side)) for side in handouts.pages[first].mediabox[2:]]
    assert a4 == [595, 842]
    other = len(pypdf.PdfReader(out / "RCC-9/handout.pdf").pages)
    assert len(handouts.pages) == first + 2 + other + other % 2  # the other patient: no large-print card pages


def test_landscape_pages_in_the_handouts_print_file_turn_their_top_to_the_bound_edge(tmp_path):
    """Large print's landscape temperature log and calendar among portrait pages: a printer turned
    every one the same way, so on duplex sheets each back came out upside down as pages are turned.
    Each is turned upright, its top at the bound edge: the left of a front, the right of a back."""
    roster = tmp_path / "r.yaml"
    roster.write_text(yaml.safe_dump([{**GOOD[0], "large_print": "yes"}, GOOD[1]]), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", roster, "-o", out, "--doc", "handout", "--doc", "temperature-log", "--doc", "calendar",
                     "--jobs", "1")
    assert result.exit_code == 0, result.output
    pages = pypdf.PdfReader(out / "print/handouts-part-001.pdf").pages
    turned = 0
    for index, page in enumerate(pages):
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        rotation = page.get("/Rotate", 0)
        if width > height:
            assert rotation == (270 if index % 2 == 0 else 90), index  # a sheet's front, or its back
            turned += 1
        else:
            assert rotation == 0
    own = [pypdf.PdfReader(out / "004417" / f"{name}.pdf").pages for name in ("temperature-log", "calendar")]
    assert turned == sum(len(document) for document in own) >= 6
    assert all(page.get("/Rotate", 0) == 0 for document in own for page in document)  # for the screen: upright


def test_a_print_part_in_two_languages_lists_both(tmp_path):
    roster = tmp_path / "r.yaml"
    roster.write_text(yaml.safe_dump([{**GOOD[0], "language": "es"}, GOOD[2]]), encoding="utf-8")
    out = tmp_path / "out"
    assert batch(roster, out).exit_code == 0
    parts = {row["document"]: row for row in manifest(out) if row["record"] == "part-001"}
    assert parts["print-wallet-cards"]["language"] == parts["print-handouts"]["language"] == "es;en"
    title = pypdf.PdfReader(out / "print/wallet-cards-part-001.pdf").metadata.title  # it named no part
    assert title == "Tarjetas de bolsillo para imprimir, part-001 / Wallet cards for printing, part-001"
    title = pypdf.PdfReader(out / "print/handouts-part-001.pdf").metadata.title  # it was English alone
    assert title == "Folletos para imprimir, part-001 / Handouts for printing, part-001"


def test_a_print_part_of_one_patient_is_titled_as_a_part_not_as_the_patient_s_card(tmp_path):
    """A part of one patient was a copy of their wallet-card.pdf: titled as the card (with the
    name, where the clinic puts names in titles) and keyed to the patient, unlike other parts."""
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD[:2]), out, "--print-part-size", "1").exit_code == 0
    for number in ("001", "002"):
        part = pypdf.PdfReader(out / f"print/wallet-cards-part-{number}.pdf")
        assert part.metadata.title == f"Wallet cards for printing, part-{number}"
        assert "/" + PATIENT_KEY not in part.metadata
    own = pypdf.PdfReader(out / "004417" / "wallet-card.pdf").metadata
    assert "/" + PATIENT_KEY in own and "printing" not in own.title


def test_print_parts_are_numbered_to_sort_in_print_order_however_many():
    """Part 1000 of a run sorted between parts 100 and 101: `lpr print/*.pdf` printed it there."""
    from carthandout.printfiles import PrintPart, part_digits, part_file
    assert part_digits(7) == part_digits(999) == 3 and part_digits(1000) == 4 and part_digits(12345) == 5
    names = [part_file("handouts", PrintPart(number, (), part_digits(1001))) for number in (99, 100, 101, 1000, 1001)]
    assert names == sorted(names) and names[0] == "print/handouts-part-0099.pdf"
    assert part_file("wallet-cards", PrintPart(7, ())) == "print/wallet-cards-part-007.pdf"
    from carthandout.printfiles import part_key  # an earlier run's part-007 is this run's part-0007 again
    assert part_key("print/wallet-cards-part-007.pdf") == part_key("print/wallet-cards-part-0007.pdf") == ("wallet-cards", 7)
    assert part_key("print/handouts-part-0099.pdf") == ("handouts", 99) and part_key("print/x.pdf") is None


def test_a_write_that_fails_names_our_file_never_the_patient_s_folder(tmp_path):
    """A patient's folder the run could not enter gave "row 4: output: cannot write RCC-00002
    (Permission denied)" on stderr and in errors.csv, and an over-long -o path "cannot write
    Ana-Perez" with the patient's name: folders are named after MRNs and names."""
    import errno
    from carthandout.output import cannot_write
    folder = OSError(errno.EACCES, "Permission denied", str(tmp_path / "out" / "RCC-00002"))
    assert cannot_write(folder) == "cannot write into the output folder (Permission denied)"
    staged = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "RCC-2" / ".handout.pdf.x1y2_z.part"))
    assert cannot_write(staged) == "cannot write handout.pdf (No space left on device)"
    edited = OSError(errno.EACCES, "Permission denied", str(tmp_path), None, str(tmp_path / "A" / "checklist.edited.pdf"))
    assert cannot_write(edited) == "cannot write checklist.edited.pdf (Permission denied)"
    second = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "A" / ".checklist.edited-2.pdf.x_1.part"))
    assert cannot_write(second) == "cannot write checklist.edited-2.pdf (No space left on device)"
    roster = write_csv(tmp_path / "r.csv", [{"name": "Ana Perez", "infusion_date": "2027-03-05"}])
    completed = subprocess.run([sys.executable, "-m", "carthandout", "batch", str(roster), "-o", str(tmp_path / ("d" * 300)),
                                "--name-template", "{name}", "--doc", "wallet-card"], capture_output=True, text=True)
    assert completed.returncode == 2 and "Ana" not in completed.stderr and "Perez" not in completed.stderr
    assert "error: output: cannot write into the output folder (File name too long)" in completed.stderr


def test_a_run_names_its_parts_with_the_digits_its_part_count_needs(tmp_path, monkeypatch):
    """The width part_digits gives for the run's parts reaches the files' names and the manifest."""
    import carthandout.batch as batch_module
    asked = []
    monkeypatch.setattr(batch_module, "part_digits", lambda parts: asked.append(parts) or 4)
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out, "--print-part-size", "2").exit_code == 0
    assert asked == [2] and sorted(p.name for p in (out / "print").iterdir()) == [
        "handouts-part-0001.pdf", "handouts-part-0002.pdf", "wallet-cards-part-0001.pdf", "wallet-cards-part-0002.pdf"]
    assert {row["record"] for row in manifest(out) if row["file"].startswith("print/")} == {"part-0001", "part-0002"}


def test_rerun_replaces_files_and_removes_stale_print_parts(tmp_path):
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out, "--print-part-size", "1").exit_code == 0
    assert (out / "print/handouts-part-003.pdf").exists()
    rerun = batch(write_csv(tmp_path / "r.csv", GOOD[:1]), out, "--print-part-size", "1")
    assert rerun.exit_code == 0
    assert sorted(p.name for p in (out / "print").iterdir()) == ["handouts-part-001.pdf", "wallet-cards-part-001.pdf"]
    assert errors(out) == []
    assert ("note: 4 print parts of an earlier run removed, not made this time (print/handouts-part-002.pdf, "
            "print/handouts-part-003.pdf, print/wallet-cards-part-002.pdf, print/wallet-cards-part-003.pdf)"
            in rerun.stderr.splitlines())  # they went without a word


def test_a_re_run_with_fewer_documents_says_what_it_removed(tmp_path):
    """Re-run with --doc handout alone, batch removed every patient's wallet-card.pdf and the card
    print part without a word, where generate says "removed ... (an earlier run's document, not
    made this time)"."""
    out, roster = tmp_path / "out", write_csv(tmp_path / "r.csv", GOOD)
    assert batch(roster, out).exit_code == 0
    result = run_cli("batch", roster, "-o", out, "--doc", "handout", "--jobs", "1")
    assert result.exit_code == 0
    lines = result.stderr.splitlines()
    assert "note: wallet-card.pdf removed from 3 patient folders (an earlier run's document, not made this time)" in lines
    assert "note: 1 print part of an earlier run removed, not made this time (print/wallet-cards-part-001.pdf)" in lines
    assert not list(out.glob("*/wallet-card.pdf"))


def test_a_rerun_keeps_each_document_edited_since_before_it_replaces_or_removes_it(tmp_path):
    out, roster = tmp_path / "out", write_csv(tmp_path / "r.csv", GOOD)
    assert batch(roster, out, "--doc", "checklist").exit_code == 0
    folders = {row["row"]: Path(row["file"]).parent for row in manifest(out) if row["document"] == "checklist"}
    replaced = fill_in_on_screen(out / folders["2"] / "checklist.pdf", "JL")
    result = batch(roster, out, "--doc", "checklist")
    assert result.exit_code == 0, result.output
    assert (out / folders["2"] / "checklist.edited.pdf").read_bytes() == replaced
    assert "JL" not in field_values(out / folders["2"] / "checklist.pdf")
    assert "row 2: checklist.pdf had changed" in result.stderr and "row 4" not in result.stderr
    removed = fill_in_on_screen(out / folders["4"] / "checklist.pdf", "AO")
    result = batch(write_csv(tmp_path / "r.csv", GOOD), out)  # no checklist this time: removed, the edited one kept
    assert result.exit_code == 0, result.output
    assert (out / folders["4"] / "checklist.edited.pdf").read_bytes() == removed
    assert sorted(path.relative_to(out) for path in out.rglob("checklist*.pdf")) == [
        folders["2"] / "checklist.edited.pdf", folders["4"] / "checklist.edited.pdf"]
    assert result.stderr.splitlines()[0] == ("row 4: checklist.pdf had changed since the run that made it "
                                             "(filled in on screen?): kept beside it as checklist.edited.pdf")
    assert str(folders["4"]) not in result.stderr  # a folder may be named after the patient


def test_a_checklist_filled_in_while_its_row_was_out_of_the_manifest_is_kept(tmp_path):
    """A run in which the row failed listed none of its files: the next run replaced the filled checklist."""
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out, "--doc", "checklist").exit_code == 0
    folder = next(Path(row["file"]).parent for row in manifest(out) if row["row"] == "4")
    filled = fill_in_on_screen(out / folder / "checklist.pdf", "AO")
    broken = [*GOOD[:2], {**GOOD[2], "infusion_date": "2027-02-30"}]
    assert batch(write_csv(tmp_path / "r.csv", broken), out, "--doc", "checklist").exit_code == 1
    result = batch(write_csv(tmp_path / "r.csv", GOOD), out, "--doc", "checklist")
    assert result.exit_code == 0
    assert (out / folder / "checklist.edited.pdf").read_bytes() == filled
    assert len(list(out.rglob("*.edited*"))) == 1


def test_a_filled_checklist_of_another_patient_in_a_row_folder_fails_its_row(tmp_path):
    """Folders named by row hold another patient once the roster's order changes: the filled
    checklist was kept beside the new patient's papers, under their row number."""
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out, "--doc", "checklist", "--no-names-in-filenames").exit_code == 0
    filled = fill_in_on_screen(out / "patient-2" / "checklist.pdf", "RD")
    swapped = [GOOD[1], GOOD[0], GOOD[2]]
    result = batch(write_csv(tmp_path / "r.csv", swapped), out, "--doc", "checklist", "--no-names-in-filenames")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0].startswith(
        "row 2: output: checklist.pdf here is another patient's, or this one's before a corrected name or infusion date, "
        "or made by an earlier carthandout by the name alone (without an MRN or birth date, a batch tells patients of "
        "one name apart by their infusion dates) and was changed by hand")
    assert (out / "patient-2" / "checklist.pdf").read_bytes() == filled
    assert not list(out.rglob("*.edited*"))
    assert "Rosa María Delgado" in pdf_text(out / "patient-3" / "checklist.pdf")  # the other rows are made
    result = batch(write_csv(tmp_path / "r.csv", swapped), out, "--no-names-in-filenames")  # the checklist not made
    assert result.exit_code == 1 and result.stderr.startswith("row 2: output: checklist.pdf here is another patient's")
    assert (out / "patient-2" / "checklist.pdf").read_bytes() == filled
    assert "Rosa María Delgado" in pdf_text(out / "patient-2" / "handout.pdf")  # nothing of the row was written


def test_a_kept_copy_of_another_patient_in_a_row_folder_fails_its_row(tmp_path):
    """The copy kept for row 2's patient stayed beside the next patient's papers in patient-2/."""
    out, args = tmp_path / "out", ("--doc", "checklist", "--no-names-in-filenames")
    roster = write_csv(tmp_path / "r.csv", GOOD)
    assert batch(roster, out, *args).exit_code == 0
    fill_in_on_screen(out / "patient-2" / "checklist.pdf", "RD")
    assert batch(roster, out, *args).exit_code == 0 and (out / "patient-2" / "checklist.edited.pdf").exists()
    before = all_files(out / "patient-2")
    result = batch(write_csv(tmp_path / "r.csv", [GOOD[1], GOOD[0], GOOD[2]]), out, *args)
    assert result.exit_code == 1
    assert result.stderr.startswith("row 2: output: checklist.edited.pdf here was kept by an earlier run and is "
                                    "another patient's")
    assert all_files(out / "patient-2") == before


def test_a_folder_in_place_of_an_old_document_fails_the_row_before_anything_changes(tmp_path):
    out, roster = tmp_path / "out", write_csv(tmp_path / "r.csv", GOOD[:1])
    assert batch(roster, out, "--doc", "checklist").exit_code == 0
    folder = out / Path(manifest(out)[0]["file"]).parent
    (folder / "checklist.pdf").unlink()
    (folder / "checklist.pdf").mkdir()
    before = all_files(folder)
    result = batch(roster, out)  # the checklist not made: the old one would be removed
    assert result.exit_code == 1 and "cannot write checklist.pdf (Is a directory)" in result.stderr
    assert all_files(folder) == before


def test_a_print_part_that_cannot_be_written_fails_alone_and_the_run_still_reports(tmp_path, monkeypatch):
    """A full disk while a print part was written stopped the run before manifest.csv and errors.csv."""
    import errno

    import carthandout.printfiles as printfiles

    real_write_all = printfiles.write_all_atomic

    def disk_full_for_part_2(files, mode=None):
        for path, _ in files:
            if path.name == "wallet-cards-part-002.pdf":  # written after the handouts: neither is kept
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real_write_all(files, mode)

    monkeypatch.setattr(printfiles, "write_all_atomic", disk_full_for_part_2)
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "r.csv", GOOD), out, "--print-part-size", "1")
    assert result.exit_code == 1
    assert "print part 2: cannot write wallet-cards-part-002.pdf (No space left on device)" in result.stderr.splitlines()
    assert result.stdout.startswith("3 patients done, 0 failed, 1 print part failed, ")
    assert errors(out) == [{"row": "", "field": "print part 2",
                            "problem": "cannot write wallet-cards-part-002.pdf (No space left on device)"}]
    listed = {row["file"] for row in manifest(out)}
    assert len([file for file in listed if not file.startswith("print/")]) == 3 * 3  # every patient's files
    assert sorted(file for file in listed if file.startswith("print/")) == sorted(
        f"print/{kind}-part-00{part}.pdf" for kind in ("handouts", "wallet-cards") for part in (1, 3))
    assert sorted(path.name for path in (out / "print").iterdir()) == sorted(Path(file).name for file in listed
                                                                             if file.startswith("print/"))


def test_an_old_print_part_that_cannot_be_removed_is_reported_not_printed(tmp_path, monkeypatch):
    """A read-only print/ stopped the run (exit 2, the old manifest left) with the earlier run's
    print files, with their old dates, still there."""
    import errno

    import carthandout.printfiles as printfiles

    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out).exit_code == 0
    real_unlink = Path.unlink

    def read_only_print_folder(path, *args, **kwargs):
        if path.parent.name == "print":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real_unlink(path, *args, **kwargs)

    def cannot_write(files, mode=None):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(files[0][0]))

    monkeypatch.setattr(Path, "unlink", read_only_print_folder)
    monkeypatch.setattr(printfiles, "write_all_atomic", cannot_write)
    result = batch(write_csv(tmp_path / "r.csv", [{**GOOD[0], "infusion_date": "2027-03-19"}, *GOOD[1:]]), out)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert "print part 1: cannot write handouts-part-001.pdf (Permission denied)" in lines
    for name in ("handouts-part-001.pdf", "wallet-cards-part-001.pdf"):
        assert (f"print part 1: {name} is an earlier run's and could not be removed (Permission denied): "
                "it is out of date, do not print it") in lines
    listed = manifest(out)
    assert listed and not [row for row in listed if row["file"].startswith("print/")]
    for row in listed:
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]
    assert [row["field"] for row in errors(out)] == ["print part 1"] * 3
    assert ", 1 print part failed, " in result.stdout  # the parts left behind are not parts that failed


FORTY = [{"name": f"Patient {n}", "infusion_date": "2027-03-05"} for n in range(40)]


def batch_under_way(tmp_path: Path, handouts_written: int, *options: str, jobs: int = 2,
                    patients: list[dict] = FORTY, before: tuple[str, ...] = ()) -> tuple[subprocess.Popen, Path]:
    """A 40-patient batch in its own process (run by ``before``, e.g. nohup), once it has written
    (or rewritten) some handouts."""
    out = tmp_path / "out"
    started = time.time()
    process = subprocess.Popen(
        [*before, sys.executable, "-m", "carthandout", "batch", str(write_csv(tmp_path / "r.csv", patients)), "-o", str(out),
         "--doc", "handout", "--jobs", str(jobs), *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and handouts_written > sum(
            1 for path in out.glob("*/handout.pdf") if path.stat().st_mtime >= started):
        time.sleep(0.02)
    return process, out


def unreported_patients(out: Path) -> set[str]:
    """Patients whose files were all written but whom the manifest does not list."""
    finished = {folder.name for folder in out.iterdir() if (folder / "record_packet.pdf").exists()}
    return finished - {Path(row["file"]).parent.name for row in manifest(out)}


@pytest.mark.parametrize("stop, code", [(signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_sigterm_leaves_only_complete_files(tmp_path, stop, code):
    """And SIGHUP (a terminal window closed, an SSH session dropped) too: it killed the run as
    SIGKILL does, with no report, the earlier manifest in place and temporary files left."""
    process, out = batch_under_way(tmp_path, handouts_written=6)
    process.send_signal(stop)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == code, stdout
    assert f"interrupted by {stop.name}".encode() in stdout
    done = int(re.search(rb"(\d+) patients? done, 0 failed", stdout)[1])  # and how many it did not reach
    assert f"by {stop.name}; {len(FORTY) - done} patients not reached;".encode() in stdout
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]
    listed = manifest(out)
    assert len(listed) < len(FORTY) * 2  # stopped early; what it lists is whole
    for row in listed:
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]
    for pdf in out.rglob("*.pdf"):  # and so is every file on disk
        assert len(pypdf.PdfReader(pdf, strict=True).pages) > 0
    assert unreported_patients(out) == set()


def test_a_run_killed_outright_leaves_no_manifest_listing_what_it_changed(tmp_path):
    """Killed (SIGKILL) after rewriting patients with new dates, a re-run left the earlier run's
    manifest.csv in place: it listed print parts already removed and the digests of files since
    rewritten, until a full re-run."""
    first = run_cli("batch", write_csv(tmp_path / "r.csv", FORTY), "-o", tmp_path / "out", "--doc", "handout")
    assert first.exit_code == 0 and manifest(tmp_path / "out")
    moved = [{**patient, "infusion_date": "2027-04-02"} for patient in FORTY]
    process, out = batch_under_way(tmp_path, 4, patients=moved)
    process.kill()
    process.communicate(timeout=30)
    assert not (out / "manifest.csv").exists()
    assert run_cli("batch", tmp_path / "r.csv", "-o", out, "--doc", "handout").exit_code == 0
    for row in manifest(out):  # the re-run's record is whole again
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]


def test_a_run_whose_terminal_closes_ends_with_its_own_exit_code_and_record(tmp_path):
    """The terminal closed (SIGHUP, then every write to it failing): the progress bar's next write
    failed and the run ended with exit 1 and an error about the output folder, its files written."""
    import pty
    import select
    roster, out = write_csv(tmp_path / "r.csv", FORTY), tmp_path / "out"
    started = time.time()
    pid, terminal = pty.fork()
    if pid == 0:  # the run, on the terminal; its summary to a file
        os.dup2(os.open(tmp_path / "stdout", os.O_WRONLY | os.O_CREAT), 1)
        os.execv(sys.executable, [sys.executable, "-m", "carthandout", "batch", str(roster), "-o", str(out),
                                  "--doc", "handout", "--jobs", "2"])
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and sum(1 for path in out.glob("*/handout.pdf")
                                               if path.stat().st_mtime >= started) < 4:
        if select.select([terminal], [], [], 0.05)[0]:
            try:
                os.read(terminal, 65536)
            except OSError:
                break
    os.close(terminal)  # the window closes
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 129
    assert "interrupted by SIGHUP" in (tmp_path / "stdout").read_text(encoding="utf-8")
    for row in manifest(out):
        assert hashlib.sha256((out / row["file"]).read_bytes()).hexdigest() == row["sha256"]


@pytest.mark.skipif(shutil.which("nohup") is None, reason="no nohup")
def test_a_run_started_with_nohup_goes_on_after_sighup(tmp_path):
    """Stopping on SIGHUP overrode nohup's: `nohup carthandout batch ... &`, the usual way to leave
    a long batch running over SSH, stopped when the session closed."""
    process, out = batch_under_way(tmp_path, 4, before=("nohup",))
    process.send_signal(signal.SIGHUP)
    stdout, _ = process.communicate(timeout=60)
    assert process.returncode == 0, stdout
    assert len({row["row"] for row in manifest(out)}) == len(FORTY) + 1  # every patient, and the print part


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_an_interrupted_run_with_one_job_lists_every_patient_it_wrote(tmp_path, stop):
    """--jobs 1 renders in the batch process: Ctrl-C raised inside a chunk lost its finished patients
    (written, listed nowhere)."""
    process, out = batch_under_way(tmp_path, 5, jobs=1)
    process.send_signal(stop)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode in (130, 143), stdout
    assert 5 <= len(manifest(out)) // 2 < len(FORTY)
    assert unreported_patients(out) == set()


@pytest.mark.parametrize("jobs, second", [(1, signal.SIGINT), (2, signal.SIGINT), (2, signal.SIGTERM)])
def test_a_second_ctrl_c_still_leaves_every_rewritten_patient_listed(tmp_path, jobs, second):
    """A second Ctrl-C kills the workers at once: the patients their chunks had finished were
    listed nowhere (their results die with the pool), one during the run's last writes left the
    earlier run's manifest ("Aborted!", exit 1), and the pool's thread printed a traceback."""
    process, out = batch_under_way(tmp_path, 6, jobs=jobs)
    process.send_signal(signal.SIGINT)
    time.sleep(0.05)
    process.send_signal(second)
    stdout, stderr = process.communicate(timeout=30)
    # 130, or killed by the second signal as Python exits (a shell reports 128 + the signal)
    assert process.returncode in (130, 143, -signal.SIGINT, -signal.SIGTERM), stdout
    assert b"interrupted by SIGINT" in stdout
    assert b"Traceback" not in stderr
    assert unreported_patients(out) == set()
    assert not [path for path in out.rglob("*") if path.name.endswith(".part")]


def test_an_interrupted_rerun_leaves_no_print_part_of_the_earlier_run(tmp_path):
    """The earlier run's parts were removed only when a run finished: stopped early, the new run
    left them in print/ beside the patients it had rewritten, with the old infusion date."""
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", FORTY), out, "--doc", "handout", "--print-part-size", "5").exit_code == 0
    assert len(list((out / "print").glob("handouts-part-*.pdf"))) == 8
    moved = [{**patient, "infusion_date": "2027-03-12"} for patient in FORTY]
    process, out = batch_under_way(tmp_path, 12, "--print-part-size", "5", patients=moved)
    process.send_signal(signal.SIGINT)
    stdout, _ = process.communicate(timeout=30)
    assert process.returncode == 130, stdout
    listed = {row["file"]: row["sha256"] for row in manifest(out)}
    for part in (out / "print").iterdir():
        assert hashlib.sha256(part.read_bytes()).hexdigest() == listed[f"print/{part.name}"]
        assert "March 5, 2027" not in " ".join(page_texts(part))


class FinishedPool:
    """A pool whose work is done the moment it is submitted: each job's result is "result <job>"."""

    def submit(self, function, chunk):
        from concurrent.futures import Future
        future = Future()
        future.set_result([f"result {job}" for job in chunk])
        return future


def test_an_interruption_while_a_patient_is_recorded_waits_until_it_is_recorded():
    """SIGTERM between taking a finished patient's result and writing its manifest rows lost the
    patient: files on disk, listed nowhere (the flaky sigterm test)."""
    from carthandout.batch import RenderedInOrder, Terminated, interrupts_raise
    rendered = RenderedInOrder([f"job {n}" for n in range(6)], workers=1)
    recorded = []

    def record(outcome):
        if outcome == "result job 1":
            os.kill(os.getpid(), signal.SIGTERM)
        recorded.append(outcome)
        return True

    with pytest.raises(Terminated), interrupts_raise():
        for _ in rendered.results(FinishedPool(), record):
            pass
    assert recorded == ["result job 0", "result job 1"]
    assert [outcome for _, outcome in rendered.finished_ahead()] == ["result job 2", "result job 3"]


def test_ctrl_c_inside_a_held_step_is_raised_when_the_step_ends():
    from carthandout.batch import interrupts_held, interrupts_raise
    steps = []
    with interrupts_raise(), pytest.raises(KeyboardInterrupt):
        with interrupts_held():
            os.kill(os.getpid(), signal.SIGINT)
            steps.append("finished")
        steps.append("after")
    assert steps == ["finished"]


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_a_worker_stopped_on_its_own_stops_the_run_instead_of_skipping_patients(tmp_path):
    process, out = batch_under_way(tmp_path, handouts_written=4)
    workers = children_of(process.pid)
    assert workers
    os.kill(workers[-1], signal.SIGTERM)
    stdout, _ = process.communicate(timeout=60)
    if process.returncode == 0:  # the run ended before the signal landed: nothing was skipped
        assert len(manifest(out)) >= len(FORTY) * 2
        return
    assert process.returncode == 70, stdout
    assert unreported_patients(out) == set()


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_a_worker_killed_on_its_own_leaves_every_finished_patient_listed(tmp_path):
    """SIGKILL (the out-of-memory killer) broke the pool: the other worker's chunk in hand was
    finished and written, its result never arrived, and its patients were listed nowhere."""
    process, out = batch_under_way(tmp_path, handouts_written=4)
    workers = children_of(process.pid)
    assert workers
    os.kill(workers[-1], signal.SIGKILL)
    stdout, _ = process.communicate(timeout=60)
    if process.returncode == 0:  # the run ended before the signal landed
        return
    assert process.returncode == 70, stdout
    assert unreported_patients(out) == set()
    listed = [row["file"] for row in manifest(out)]
    assert len(listed) == len(set(listed))  # none twice
    assert not list(out.glob(".*.part"))  # the workers' journal is gone with the run


def test_results_lost_with_a_broken_pool_come_from_the_workers_journal(tmp_path):
    from concurrent.futures import Future
    from carthandout.batch import FinishedJournal, PatientJob, PatientResult, RenderedInOrder, RowProblem
    from carthandout.output import ManifestRow
    done = PatientResult((ManifestRow("a", "handout", "a/handout.pdf", 7, "0" * 64, "en", "1.2.0", "2026-11-26", "2"),))
    failed = PatientResult(problem=RowProblem(3, "output", "cannot write a/handout.pdf"))
    journal = FinishedJournal(tmp_path)
    journal.note(2, done)
    journal.note(3, failed)
    (tmp_path / ".carthandout-finished-1.part").write_text('{"row": 4, "files": [["cut short', encoding="utf-8")
    noted = journal.read()
    assert noted == {2: done, 3: failed}

    broken: Future = Future()
    broken.set_exception(RuntimeError("the pool broke"))
    jobs = [PatientJob(row, f"p{row}", None) for row in (2, 3, 4)]
    rendered = RenderedInOrder(jobs, workers=1)
    rendered.window.append((tuple(jobs), broken))
    assert [(job.row, outcome) for job, outcome in rendered.finished_ahead(noted)] == [(2, done), (3, failed)]
    journal.remove()
    assert list(tmp_path.iterdir()) == []


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="finds the workers through /proc")
def test_workers_die_with_a_killed_parent_and_the_next_run_removes_what_they_left(tmp_path):
    """After SIGKILL of the parent its workers ran on for minutes, holding patients' data, and a
    re-run left the killed run's .part files behind."""
    process, out = batch_under_way(tmp_path, handouts_written=4)
    workers = children_of(process.pid)
    assert workers
    process.kill()
    process.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)
    planted = [out / ".manifest.csv.abc123.part", out / "Patient-0-2" / ".handout.pdf.abc123.part"]
    for path in planted:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"half")
    assert batch(tmp_path / "r.csv", out, "--doc", "handout").exit_code == 0
    assert not [p for p in out.rglob("*") if p.name.endswith(".part")]


def test_a_rerun_with_fewer_patients_removes_what_a_killed_run_left_in_the_others_folders(tmp_path):
    """A killed run of 30 left half-written documents in a patient's folder; a run of the first 10
    removed them only in its own patients' folders, and that patient's stayed, holding data."""
    roster = tmp_path / "r.csv"
    roster.write_text("Name,Infusion Date,MRN\nAnn Lee,2027-03-05,A-1\nBo Chen,2027-03-06,B-2\n", encoding="utf-8")
    out = tmp_path / "out"
    assert batch(roster, out, "--doc", "wallet-card").exit_code == 0
    leftover = out / "B-2" / ".handout.pdf.abc123.part"
    leftover.write_bytes(b"half")
    others = [out / "scans" / ".scan-0001.pdf.part", out / ".someone.part", out / "B-2" / ".notes.part",
              out / "B-2" / ".handout.docx.x.part"]
    (out / "scans").mkdir()
    for path in others:
        path.write_bytes(b"another program's")
    roster.write_text("Name,Infusion Date,MRN\nAnn Lee,2027-03-05,A-1\n", encoding="utf-8")
    assert batch(roster, out, "--doc", "wallet-card").exit_code == 0
    assert not leftover.exists() and (out / "B-2" / "wallet-card.pdf").exists()
    assert all(path.exists() for path in others)  # only our names are removed


def test_a_file_too_large_fails_the_row_naming_the_file_and_leaves_no_temporary(tmp_path):
    """The row said "cannot be written (File too large)", naming no file."""
    limit = "import resource; resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))"
    completed = subprocess.run(
        [sys.executable, "-c", f"{limit}; import sys, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
         "from carthandout.cli import main; sys.argv[0] = 'carthandout'; main()",
         "batch", str(write_csv(tmp_path / "r.csv", GOOD)), "-o", str(tmp_path / "out"), "--doc", "handout",
         "--doc", "checklist", "--jobs", "1"], capture_output=True, text=True)
    assert completed.returncode in (1, 2), completed.stderr
    rows = [line for line in completed.stderr.splitlines() if line.startswith("row ")]
    assert rows and all(re.search(r"output: cannot write [a-z_-]+\.pdf \(File too large\)", line) for line in rows)
    assert not [path for path in (tmp_path / "out").rglob("*") if path.name.endswith(".part")]


# --- naming, unit level ----------------------------------------------------------------------

def test_unique_names_are_case_insensitive_and_deterministic():
    names = UniqueNames(("print",))
    assert [names.claim(s) for s in ("a", "A", "a", "a-2", "Print")] == ["a", "A-2", "a-3", "a-2-2", "Print-2"]


def test_a_template_naming_a_field_a_row_lacks_keeps_the_row_number():
    """With --name-template 'ward-{mrn}', rows without an MRN were "ward", "ward-2" in roster order:
    a patient added above handed one patient's folder (and papers) to another, with no note."""
    assert patient_stem({"name": "Ann", "mrn": ""}, 5, "ward-{mrn}", False).stem == "ward-5"
    assert patient_stem({"name": "Ann", "mrn": ""}, 5, "{mrn}x", False).stem == "x-5"
    assert patient_stem({"name": "Ann", "mrn": ""}, 5, "{mrn}", False).stem == "patient-5"  # nothing else in it
    assert patient_stem({"name": "Ann", "mrn": "A1"}, 5, "ward-{mrn}", False).stem == "ward-A1"
    assert patient_stem({"name": "Ann", "mrn": ""}, 5, "ward-{mrn}-{row}", False).stem == "ward-5"


def test_default_stem_prefers_the_mrn_and_keeps_the_row_for_long_names():
    assert patient_stem({"name": "Rosa", "mrn": "RCC/44"}, 7, None, False).stem == "RCC-44"
    assert patient_stem({"name": "é" * 500}, 7, None, False).stem.endswith("-7")
    assert patient_stem({"name": "Rosa", "mrn": "RCC"}, 7, None, True).stem == "patient-7"
    assert patient_stem({"name": "李小龙"}, 7, None, False).stem == "patient-7"


def test_a_folder_named_after_an_mrn_holds_that_mrns_patient(tmp_path):
    """ "RCC 0042" is made safe into "RCC-0042": the folder of that name must still be the patient
    whose MRN is RCC-0042, whatever the order of the rows; the other takes the suffix."""
    rows = [{"name": "Ann Lee", "infusion_date": "2027-03-05", "mrn": "RCC 0042"},
            {"name": "Bo Kim", "infusion_date": "2027-03-06", "mrn": "RCC-0042"},
            {"name": "Cy Ray", "infusion_date": "2027-03-07", "mrn": "RCC-0042-2"}]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", rows), out)
    assert result.exit_code == 0, result.output
    folders = {row["row"]: row["file"].split("/")[0] for row in manifest(out) if row["row"]}
    assert folders == {"2": "RCC-0042-3", "3": "RCC-0042", "4": "RCC-0042-2"}
    assert "Bo Kim" in pdf_text(out / "RCC-0042" / "handout.pdf")


@pytest.mark.parametrize("other_name", ["Fourth", "\u0645\u062d\u0645\u062f"])  # a name's slug, or patient-<row>
def test_a_folder_named_after_an_mrn_keeps_its_patient_when_a_row_is_inserted(tmp_path, other_name):
    """A name's folder is its slug and its row ("Fourth-5", "patient-5"): a row inserted before the
    patient whose MRN is Fourth-5 gave that folder to the new row, and moved the MRN's patient to
    Fourth-5-2, with exit 0 (an outside acceptance pass). A name made with the row is never typed."""
    mrn = "Fourth-5" if other_name == "Fourth" else "patient-5"
    first = [{"name": f"Row {n}", "infusion_date": "2027-03-05", "mrn": f"X{n}"} for n in range(3)]
    mrn_patient = {"name": "Fifth Person", "infusion_date": "2027-03-05", "mrn": mrn}
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "one.csv", [*first, mrn_patient]), out).exit_code == 0
    inserted = {"name": other_name, "infusion_date": "2027-03-05"}
    result = batch(write_csv(tmp_path / "two.csv", [*first, inserted, mrn_patient]), out)
    assert result.exit_code == 0, result.output
    folders = {row["row"]: row["file"].split("/")[0] for row in manifest(out) if row["document"] == "handout"}
    assert folders["6"] == mrn and folders["5"] == f"{mrn}-2"
    assert "Fifth Person" in pdf_text(out / mrn / "handout.pdf")


def test_a_suffixed_folder_never_takes_a_name_another_mrn_has_exactly(tmp_path):
    """MRN A twice (the same patient) and MRN A-2: the second A must not take A-2."""
    from carthandout.batch import BatchSettings, patient_folders
    from carthandout.models import parse_patient

    rows = [(number, parse_patient({"name": "Ann Lee", "infusion_date": "2027-03-05", "mrn": mrn}))
            for number, mrn in ((2, "A"), (3, "A"), (4, "A-2"))]
    assert patient_folders(rows, BatchSettings(tmp_path)) == {2: "A", 3: "A-3", 4: "A-2"}


@pytest.mark.parametrize("template, problem", [
    ("{name.__class__}", "{name.__class__} is not one of"), ("{value}", "{value} is not one of"),
    ("{row:>99}", "{row} takes no format"), ("{mrn!r}", "{mrn} takes no format"), ("plain", "must contain"),
    ("", "must contain"), ("{name}", "--no-names-in-filenames forbids")])
def test_templates_are_refused_unless_safe(template, problem):
    with pytest.raises(InputError) as refused:
        check_template(template, no_names=template == "{name}")
    assert problem in refused.value.line(show_values=True)


def test_a_roster_without_its_header_row_does_not_print_the_patient(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_text("Rosa María Delgado,2027-03-05,RCC-004417\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 2 and "header row missing" in result.stderr
    assert "Rosa" not in result.stderr and "RCC-004417" not in result.stderr


def test_folder_names_keep_letters_without_a_decomposition():
    from carthandout.naming import ascii_slug

    assert ascii_slug("Łucja Wróbel Øystein Straße") == "Lucja-Wrobel-Oystein-Strasse"


def test_excel_separator_hint_line(tmp_path):
    roster = tmp_path / "r.csv"
    roster.write_bytes(b"sep=;\r\nname;infusion_date\r\nA;2027-03-05\r\n;2027-03-06\r\n")
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 1
    assert "row 3: name: is required" in result.stderr


def test_excel_unicode_text_export_is_read_and_utf16_without_its_mark_is_refused(tmp_path):
    text = "Name\tInfusion Date\tMRN\r\nRosa María Delgado\t2027-03-05\tA-1\r\n\t2027-03-06\tA-2\r\n"
    unicode_text = tmp_path / "cohort.txt"
    unicode_text.write_bytes(text.encode("utf-16"))  # what Excel's "Unicode Text" writes: a mark, then UTF-16
    result = batch(unicode_text, tmp_path / "out", "--check")
    assert result.exit_code == 1
    assert "1 patient ready" in result.stdout
    assert "row 3: name: is required" in result.stderr

    unmarked = tmp_path / "unmarked.csv"
    unmarked.write_bytes(text.encode("utf-16-le"))
    result = batch(unmarked, tmp_path / "out", "--check")
    assert result.exit_code == 2
    assert "roster: is not UTF-8 text" in result.stderr

    pasted = tmp_path / "pasted.csv"  # one row pasted from an "ANSI" CSV: the line is named
    pasted.write_bytes(b"name,infusion_date\n" + b"Ann Lee,2027-03-05\n" * 900 + "José Peña,2027-03-06\n".encode("cp1252"))
    assert batch(pasted, tmp_path / "out", "--check").stderr.startswith(
        'error: roster: is not UTF-8 text (from line 902: save it as "CSV UTF-8")')
    mac = tmp_path / "mac.csv"  # "CSV (Macintosh)": lines end with CR alone
    mac.write_bytes("name,infusion_date\rAnn Lee,2027-03-05\rJosé Peña,2027-03-06\r".encode("cp1252"))
    assert "(from line 3: " in batch(mac, tmp_path / "out", "--check").stderr


def test_a_stray_nul_in_a_utf8_roster_fails_its_row_not_the_file(tmp_path):
    """One NUL byte pasted into a cell refused the whole roster as "not UTF-8 text": staff were
    sent to save as CSV UTF-8 a file that already was."""
    roster = tmp_path / "r.csv"
    roster.write_bytes("name,infusion_date\nRosa Mar\u00eda,2027-03-05\nAnn\0Lee,2027-03-06\n".encode())
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 1
    assert "1 patient ready" in result.stdout
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        "row 3: name: contains a control character U+0000, which cannot be printed"]


def test_batch_flushes_every_file_before_the_manifest_lists_it(tmp_path, monkeypatch):
    """Files are flushed in background threads as they are listed (never one fsync after another
    in the rendering), all of them before manifest.csv and errors.csv, each flushed as written."""
    import carthandout.output as output

    events: list[str] = []
    monkeypatch.setattr(output, "_flush_file", lambda path: events.append(path.relative_to(tmp_path / "out").as_posix()))
    monkeypatch.setattr(output.os, "fsync", lambda fd: events.append("fsync"))
    rows = [{"name": f"Patient {n}", "infusion_date": "2027-03-01"} for n in range(3)]
    assert batch(write_csv(tmp_path / "r.csv", rows), tmp_path / "out").exit_code == 0
    listed = [row["file"] for row in manifest(tmp_path / "out")]
    assert len(listed) > 3 and events[-2:] == ["fsync", "fsync"]  # manifest.csv, then errors.csv
    assert sorted(events[:-2]) == sorted(listed)


def test_an_xlsx_mrn_reads_as_its_format_shows_it_and_a_weight_as_its_number(tmp_path):
    """A number formatted "RCC-"0000 shows as RCC-0042 in Excel: the MRN printed was 42. A weight
    formatted 0.0 printed all of 74.84350902658078 kg."""
    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "MRN", "Weight kg"])
    sheet.append(["Ann Lee", dt.datetime(2027, 3, 5), 42, 72])
    sheet.append(["Bo Lee", dt.datetime(2027, 3, 5), 43, 165 / 2.2046])  # computed from pounds
    sheet["C2"].number_format = '"RCC-"0000'
    sheet["D2"].number_format = '0" kg"'
    sheet["D3"].number_format = "0.0"
    workbook.save(tmp_path / "r.xlsx")
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--doc", "checklist")
    assert result.exit_code == 0, result.stderr
    text = pdf_text(tmp_path / "out" / "RCC-0042" / "checklist.pdf")
    assert "RCC-0042" in text and "72 kg" in text
    assert "74.8 kg" in pdf_text(tmp_path / "out" / "43" / "checklist.pdf")  # as the sheet shows it


def test_cells_merged_down_an_xlsx_column_read_as_excel_shows_them(tmp_path):
    """A physician and "yes" for large print merged over a group of patients read as empty below
    the first: those patients' papers went out without their doctor, in regular print."""
    from openpyxl import Workbook
    from carthandout.roster import open_roster
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "Physician", "Large print", "Caregiver", "Caregiver phone", "MRN"])
    sheet.append(["Ann Lee", dt.datetime(2027, 3, 5), "Dr. Okafor", "yes", "Bo Lee", None, "A-1"])
    sheet.append(["Cy Lee", dt.datetime(2027, 3, 6), None, None, None, None, "A-2"])
    sheet.append(["Di Lee", dt.datetime(2027, 3, 7), None, "no", "Ed Lee", "555 0100", "A-3"])
    sheet.append(["Fay Lee", dt.datetime(2027, 3, 8), "Dr. Haddad", None, None, None, "A-4"])
    sheet.merge_cells("C2:C4")
    sheet.merge_cells("D2:D3")
    sheet.merge_cells("E2:F2")  # across columns: the caregiver alone, no phone
    sheet.merge_cells("A6:B7")  # below the patients: nothing to read
    workbook.save(tmp_path / "r.xlsx")
    rows = {row.number: row.fields for row in open_roster(tmp_path / "r.xlsx").rows()}
    assert [rows[number].get("physician") for number in (2, 3, 4, 5)] == ["Dr. Okafor"] * 3 + ["Dr. Haddad"]
    assert [rows[number].get("large_print") for number in (2, 3, 4, 5)] == ["yes", "yes", "no", None]
    assert rows[2]["caregiver"] == "Bo Lee" and "caregiver_phone" not in rows[2] and "caregiver" not in rows[3]
    assert sorted(rows) == [2, 3, 4, 5]
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 0, result.stderr
    assert "Dr. Okafor" in pdf_text(tmp_path / "out" / "A-3" / "wallet-card.pdf")


def test_cells_merged_down_the_last_xlsx_column_reach_every_row(tmp_path):
    """Rows below a merge in the sheet's last column have no cell there (read-only rows end at
    their last written cell): the physician reached the merge's first row alone."""
    from openpyxl import Workbook
    from carthandout.roster import open_roster
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "MRN", "Physician"])
    sheet.append(["Ann Lee", dt.datetime(2027, 3, 5), "A-1", "Dr. Okafor"])
    sheet.append(["Cy Lee", dt.datetime(2027, 3, 6), "A-2", None])
    sheet.append(["Di Lee", dt.datetime(2027, 3, 7), "A-3", None])
    sheet.append(["Fay Lee", dt.datetime(2027, 3, 8), "A-4", "Dr. Haddad"])
    sheet.merge_cells("D2:D4")
    sheet.merge_cells("D5:D8")  # run on past the last patient: the empty rows stay empty, and skipped
    workbook.save(tmp_path / "r.xlsx")
    rows = {row.number: row.fields for row in open_roster(tmp_path / "r.xlsx").rows()}
    assert [rows[number].get("physician") for number in (2, 3, 4, 5)] == ["Dr. Okafor"] * 3 + ["Dr. Haddad"]
    assert sorted(rows) == [2, 3, 4, 5]


def test_an_xlsx_weight_formatted_in_pounds_is_refused_not_read_as_kilograms(tmp_path):
    """176 formatted 0" lb" was read as 176 kg: the staff dose line said "x 176 kg"."""
    from openpyxl import Workbook
    from carthandout.roster import open_roster
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "MRN", "Weight kg"])
    formats = ['0" lb"', '0.0" lbs"', '#,##0" lb"', '0\\ \\l\\b', 'General" lb"', '0 "#"', '0.0" kg"']
    for number, number_format in enumerate(formats, start=2):
        sheet.append([f"Ann Lee {number}", dt.datetime(2027, 3, 5), f"A{number}", 176 if number % 2 == 0 else 80.46])
        sheet[f"D{number}"].number_format = number_format
    sheet.append(["Bo Lee", dt.datetime(2027, 3, 5), "B1", None, 442079460000])  # a caregiver's phone formatted "+"0
    sheet["E9"].number_format = '"+"0'
    sheet["E1"] = "Caregiver phone"
    workbook.save(tmp_path / "r.xlsx")
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--check")
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        f"row {number}: weight_kg: the value is in pounds: give the weight in kilograms" for number in range(2, 8)]
    rows = {row.number: row.fields for row in open_roster(tmp_path / "r.xlsx").rows()}
    assert rows[8]["weight_kg"] == "176 kg"  # kilograms, as the cell shows them
    assert rows[9]["caregiver_phone"] == "+442079460000"  # the digits alone lost the +


def test_an_xlsx_number_shown_in_scientific_notation_fails_its_row(tmp_path):
    """An MRN typed 1234E5 shows as 1.23E+08 and was printed as 123400000: neither what was typed nor shown."""
    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "MRN"])
    sheet.append(["Ann Lee", dt.datetime(2027, 3, 5), 123400000])
    sheet.append(["Bo Lee", dt.datetime(2027, 3, 5), 100000])
    sheet.append(["Cy Lee", dt.datetime(2027, 3, 5), 4417])
    sheet["C2"].number_format = "0.00E+00"
    sheet["C3"].number_format = "0E+0"
    workbook.save(tmp_path / "r.xlsx")
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--check")
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        f"row {number}: mrn: the cell shows a number in scientific notation (1.23E+08): format the column as text "
        "or as a number" for number in (2, 3)]


@pytest.mark.parametrize("value, number_format, shown", [
    (72.30000000000001, "General", "72.3"), (0.1 + 0.2, "General", "0.3"), (74.84350902658078, "General", "74.8435090265808"),
    (72.30000000000001, "0.0#", "72.3"), (72.5, "General", "72.5"), (72.99999999999999, "General", "73"),
])
def test_an_xlsx_fraction_reads_to_the_digits_excel_keeps(value, number_format, shown):
    """A weight summed in the sheet (72.30000000000001, shown as 72.3) printed all its digits on the dose line."""
    from carthandout.roster import _number_text
    assert str(_number_text(value, number_format)) == shown


@pytest.mark.parametrize("number_format, shown", [
    ("000000_ ", "000043"), ("[$-409]000000", "000043"), ("[Blue]000000", "000043"),  # spacer, locale, color
    ('[Red]"RCC-"0000', "RCC-0043"), ('"RCC"-0000', "RCC-0043"), ('"RCC-"0000_);("RCC-"0000)', "RCC-0043"),
    ("000-0000", "000-0043"), ("General", "43"), ("#,##0", "43"),
])
def test_an_xlsx_number_reads_as_excel_shows_it(number_format, shown):
    """These MRNs lost their prefix or zeros: the wrong MRN went on the card and named the folder."""
    from carthandout.roster import _number_text
    assert str(_number_text(43, number_format)) == shown


@pytest.mark.parametrize("value, number_format, shown", [
    (4417, '"RCC-"#####', "RCC-4417"), (442079460000, '"+"#', "+442079460000"),  # printed "4417 RCC-", "442079460000 +"
    (2175550105, '"cell "###-###-####', "cell 217-555-0105"), (4417, "#000000", "004417"),  # "4417": zeros lost
    (2079460000, "0### ### ####", "0207 946 0000"),  # a UK number printed without the 0 it dials with
    (2175550103, "[<=9999999]###-####;(###) ###-####", "(217) 555-0103"),  # Excel's Phone Number format
    (5550103, "[<=9999999]###-####;(###) ###-####", "555-0103"),
    (1234567, "#,##0", "1234567"),  # an identifier's digits: grouped, a German Excel shows 1.234.567
    (-4417, '"RCC-"000000', "-4417"),  # printed "-4417 RCC-": no field is negative, its check refuses it
    (4417, '"MRN; "0', "MRN; 4417"),  # a semicolon in quoted text splits no section
    (176, '0 "#"', "176 #"), (72.46, "0.0_);(0.0)", "72.5"), (72.46, "* 0.0", "72.5"), (72.46, "0_)", "72"),
    (55.55, '_($* #,##0.0_);_($* (#,##0.0);_($* "-"?_);_(@_)', "55.6"),  # Excel's Accounting: 55.55 dosed
    (55.55, "$#,##0.0", "55.6"), (55.55, "?0.0", "55.6"), (72.35, "0.0#", "72.35"), (72.30000000000001, "0.0#", "72.3"),
    (72.46, '_("$"* #,##0.00_);_("$"* (#,##0.00);_("$"* "-"??_);_(@_)', "72.46"),  # "72.46 $ is not kilograms"
    (55, "# ?/?", "55"),
])
def test_an_xlsx_number_with_digit_placeholders_reads_as_the_sheet_shows_it(value, number_format, shown):
    """# and ? placeholders gave up: the text of the format went after the digits, zeros were lost;
    accounting spacers (_) and fills (*) kept a weight's decimals from being rounded as shown."""
    from carthandout.roster import _number_text
    assert str(_number_text(value, number_format)) == shown


TEXT_FOR_NUMBER = "the cell's format shows text in place of its number: format the column as a number or as text"


@pytest.mark.parametrize("value, number_format, problem", [
    (55.55, "0.0%", "the cell shows the number as a percentage: format the column as a number"),  # read as kg
    (55.55, "# ?/?", "the cell shows the number as a fraction: format the column as a number with decimals"),
    # the sheet shows words, no number: they were printed after its digits ("4417 match", "7 N/A", "0")
    (4417, '[=4417]"match";0', TEXT_FOR_NUMBER), (7, '"N/A"', TEXT_FOR_NUMBER), (0, '0;-0;"none"', TEXT_FOR_NUMBER),
    (4417, ";;;", "the cell's format hides its number (;;;): the sheet shows it blank; format the column to show it"),
])
def test_a_number_the_sheet_shows_otherwise_fails_its_row(value, number_format, problem):
    from carthandout.roster import CellProblem, _number_text
    shown = _number_text(value, number_format)
    assert isinstance(shown, CellProblem) and shown.problem() == problem



def test_text_cells_read_as_their_formats_text_section_shows_them(tmp_path):
    """A weight typed as text under @" lb" (the sheet shows 160 lb) was read as 160 kg; an MRN typed
    as text under "RCC-"@ read 4417 where the same MRN typed as a number read RCC-4417."""
    from openpyxl import Workbook
    from carthandout.roster import open_roster
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "MRN", "Weight kg"])
    sheet.append(["Ann Lee", dt.datetime(2027, 3, 5), "4417", "160"])
    sheet.append(["Bo Lee", dt.datetime(2027, 3, 5), 4418, "72.5"])
    sheet["C2"].number_format = '"RCC-"@'
    sheet["C3"].number_format = '"RCC-"0'
    sheet["D2"].number_format = '0" lb";;;@" lb"'
    sheet["D3"].number_format = '@" kg"'
    workbook.save(tmp_path / "r.xlsx")
    rows = {row.number: row.fields for row in open_roster(tmp_path / "r.xlsx").rows()}
    assert rows[2]["mrn"] == "RCC-4417" and rows[3]["mrn"] == "RCC-4418"
    assert rows[2]["weight_kg"] == "160 lb" and rows[3]["weight_kg"] == "72.5 kg"
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--check")
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        "row 2: weight_kg: the value is in pounds: give the weight in kilograms"]


def test_a_formula_whose_saved_result_is_empty_text_is_a_blank_cell(tmp_path):
    """=IFERROR(VLOOKUP(...),"") in an optional column, saved by a spreadsheet program with its empty
    result, failed the row as a formula with no result saved: saving it again could not help."""
    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "Caregiver phone"])
    sheet.append(["Ann Lee", dt.datetime(2027, 3, 5), '=IFERROR(VLOOKUP("zz",H1:I2,2,FALSE),"")'])
    workbook.save(tmp_path / "saved.xlsx")
    # as Excel and LibreOffice save an empty text result
    patched_sheet(tmp_path / "saved.xlsx", tmp_path / "r.xlsx", rb'<c r="C2"([^>]*)><f>(.*?)</f><v\s*/>',
                  rb'<c r="C2"\1 t="str"><f>\2</f><v></v>')
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--check")
    assert result.exit_code == 0, result.stderr


def patched_sheet(source_path, target_path, pattern: bytes, replacement: bytes) -> None:
    """A copy of the workbook with its first sheet's XML changed (what openpyxl cannot write)."""
    import zipfile
    with zipfile.ZipFile(source_path) as source, zipfile.ZipFile(target_path, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data, count = re.subn(pattern, replacement, data)
                assert count == 1
            target.writestr(item, data)


def test_rows_hidden_in_the_sheet_are_printed_with_a_warning(tmp_path):
    """Staff who filtered the sheet to one clinic got every clinic's papers without a word."""
    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "MRN"])
    for number in range(4):
        sheet.append([f"Ann Lee {number}", dt.datetime(2027, 3, 5), f"A-{number}"])
    sheet.row_dimensions[3].hidden = True
    sheet.column_dimensions["C"].hidden = True
    workbook.save(tmp_path / "saved.xlsx")
    # row 5 shrunk to nothing (as hidden to the eye): openpyxl does not write a height of 0
    patched_sheet(tmp_path / "saved.xlsx", tmp_path / "r.xlsx", rb'<row r="5"', rb'<row r="5" ht="0" customHeight="1"')
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--check")
    assert result.exit_code == 0
    assert "warning: rows 3, 5: hidden or filtered out in the sheet; printed like the others" in result.stderr
    assert "warning: mrn: in a column hidden in the sheet; printed like the others" in result.stderr
    sheet.row_dimensions[3].hidden = sheet.column_dimensions["C"].hidden = False
    workbook.save(tmp_path / "shown.xlsx")
    assert "hidden" not in batch(tmp_path / "shown.xlsx", tmp_path / "out2", "--check").stderr


def test_a_formula_without_a_saved_result_fails_its_row_naming_the_field(tmp_path):
    """openpyxl writes formulas without their results: read back, the cells were empty, and the
    patient was made without the MRN, or failed "infusion_date: is required"."""
    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion date", "MRN"])
    sheet.append(["Ann Lee", dt.datetime(2027, 3, 5), "A-1"])
    sheet.append(["Bo Lee", dt.datetime(2027, 3, 5), '=C2&"-B"'])
    sheet.append(["Cy Lee", "=B2+1", "C-3"])
    sheet.append(["Di Lee", "=B2+2", '=C2&"-D"'])  # every such cell of a row is named, not the first alone
    workbook.save(tmp_path / "r.xlsx")
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--check")
    rows = [line for line in result.stderr.splitlines() if line.startswith("row ")]
    assert rows == [f"row {number}: {field}: the cell holds a formula with no result saved: open the roster in a "
                    "spreadsheet program and save it"
                    for number, field in ((3, "mrn"), (4, "infusion_date"), (5, "infusion_date"), (5, "mrn"))]


def test_a_bug_a_row_triggers_while_it_is_checked_fails_that_row_alone(tmp_path, monkeypatch):
    """An internal error while checking one row (a StopIteration in the bidi ordering, fixed) lost
    the whole cohort: no folders, no errors.csv."""
    from carthandout import batch as batch_module
    real_prepare = batch_module.prepare

    def prepare(patient, clinic, options):
        if patient.name == "Bo Lee":
            raise StopIteration
        return real_prepare(patient, clinic, options)

    monkeypatch.setattr(batch_module, "prepare", prepare)
    rows = [{"name": "Ann Lee", "infusion_date": "2027-03-05"}, {"name": "Bo Lee", "infusion_date": "2027-03-05"}]
    result = run_cli("batch", write_csv(tmp_path / "r.csv", rows), "-o", tmp_path / "out", "--doc", "wallet-card",
                     "--jobs", "1")
    assert result.exit_code == 1
    assert "row 3: internal: internal error: StopIteration" in result.stderr
    assert [(e["row"], e["field"]) for e in errors(tmp_path / "out")] == [("3", "internal")]
    assert {row["row"] for row in manifest(tmp_path / "out") if row["row"]} == {"2"}


@pytest.mark.parametrize("languages, lang", [(("en", "en"), "en"), (("en", "es"), None)])
def test_the_print_files_carry_the_centers_metadata_and_a_language_only_when_they_have_one(tmp_path, languages, lang):
    """The handouts file had neither author nor subject nor language; the cards' sheets of an
    English and a Spanish patient were said to be English."""
    roster = tmp_path / "r.yaml"
    roster.write_text("".join(f"- {{name: Ann Lee {n}, infusion_date: '2027-03-05', mrn: A{n}, language: {language}}}\n"
                              for n, language in enumerate(languages)), encoding="utf-8")
    assert batch(roster, tmp_path / "out").exit_code == 0
    for kind in ("handouts", "wallet-cards"):
        reader = pypdf.PdfReader(tmp_path / "out" / "print" / f"{kind}-part-001.pdf")
        assert reader.metadata["/Author"] == "Riverside Cancer Center"
        assert "axicabtagene ciloleucel" in reader.metadata["/Subject"]
        assert reader.trailer["/Root"].get("/Lang") == lang, kind
        shows_title = reader.trailer["/Root"]["/ViewerPreferences"]["/DisplayDocTitle"]  # not "handouts-part-001.pdf"
        assert isinstance(shows_title, pypdf.generic.BooleanObject) and shows_title, kind


def test_a_language_cell_holding_other_data_is_not_shown_through_its_code(tmp_path):
    """"AB-123" in the language column was reported as "language: ab is not an available language"."""
    roster = write_csv(tmp_path / "r.csv", [{"name": "Ann Lee", "infusion_date": "2027-03-05"}])
    text = roster.read_text(encoding="utf-8").splitlines()
    roster.write_text(text[0] + ",language\n" + text[1] + ",AB-123\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        "row 2: language: the value is not an available language (available: en, es)"]


def test_the_manifest_records_the_policy_each_file_was_made_under(tmp_path, write_yaml):
    """The manifest is the record of the education given: "no driving for 8 weeks" or "2 weeks"
    depends on the policy profile and the clinic's overrides, which no file named."""
    clinic = write_yaml("clinic.yaml", 'name: "Riverside Cancer Center"\nphone_24h: "(217) 555-0199"\n'
                                       "policy: us-label-2025\noverrides: {conditioning_days: [-6, -5, -4], caregiver_days: 28}\n")
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out, "--clinic", clinic).exit_code == 0
    rows = manifest(out)
    assert {row["policy"] for row in rows} == {"us-label-2025; caregiver_days=28; conditioning_days=-6 -5 -4"}
    assert {row["document"] for row in rows} >= {"handout", "packet", "print-handouts"}


def test_a_manifest_from_before_the_policy_column_still_spares_reading_files_back(tmp_path):
    from carthandout.output import MANIFEST_COLUMNS, earlier_manifest
    old_columns = [column for column in MANIFEST_COLUMNS if column != "policy"]
    (tmp_path / "manifest.csv").write_text(",".join(old_columns) + "\n1,handout,handout.pdf,7," + "0" * 64
                                           + ",en,1.2.0,2026-11-26,\n", encoding="utf-8")
    assert [row["sha256"] for row in earlier_manifest(tmp_path)] == ["0" * 64]


def test_infusion_dates_far_from_today_are_named_by_row_with_no_patient_data(tmp_path):
    """2020 typed for 2027 printed a complete set of papers, every date wrong, without a word."""
    patients = [{**GOOD[0], "infusion_date": "2020-01-06"}, GOOD[1], {**GOOD[2], "infusion_date": "2029-01-01"},
                *({"name": f"Patient {n}", "infusion_date": "2021-05-01"} for n in range(12))]
    result = batch(write_csv(tmp_path / "r.csv", patients), tmp_path / "out", "--check")
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if "infusion_date" in line]
    assert warnings == [
        "warning: rows 2, 5, 6, 7, 8, 9, 10, 11, 12, 13 and 3 more: infusion_date: every date these papers give "
        "has passed; check the year",
        "warning: row 4: infusion_date: more than a year away; check the year",
    ]


@pytest.mark.parametrize("infusion, warned", [("2026-11-01", False), ("2026-09-01", True), ("2027-11-26", False),
                                              ("2027-11-27", True)])
def test_generate_warns_of_an_infusion_date_far_from_today(tmp_path, infusion, warned):
    """The papers are still made: they may be a reprint for the record."""
    result = run_cli("generate", "--name", "A B", "--infusion-date", infusion, "--doc", "wallet-card", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert ("warning: infusion_date:" in result.stderr) is warned


def test_a_patients_files_do_not_depend_on_the_patients_drawn_before_them(tmp_path):
    """Shaped glyphs without a character of their own (Devanagari conjuncts) got private-use code
    points in the order the process met them: a patient's PDFs differed with the roster's order,
    and with --jobs 2 from run to run. Each run here is a fresh process, as a batch's workers are."""
    patients = [{"name": name, "infusion_date": "2027-03-05", "mrn": mrn} for name, mrn in (
        ("प्रिया शर्मा", "HI-1"), ("क्षितिज त्रिपाठी", "HI-2"), ("अर्जुन द्विवेदी", "HI-3"))]
    outputs = []
    for order, rows in (("forward", patients), ("backward", patients[::-1])):
        out = tmp_path / order
        subprocess.run([sys.executable, "-m", "carthandout", "batch", str(write_csv(tmp_path / f"{order}.csv", rows)),
                        "-o", str(out), "--doc", "handout", "--doc", "wallet-card", "--jobs", "1"],
                       check=True, capture_output=True)
        outputs.append({path.relative_to(out): path.read_bytes() for path in out.glob("HI-*/*.pdf")})
    assert len(outputs[0]) == 9 and outputs[0] == outputs[1]


def test_a_rerun_says_when_folders_keep_papers_it_did_not_make(tmp_path):
    """A row that failed on a re-run kept last run's papers, with last run's dates, unlisted and
    unmentioned. The line counts folders and never names one (a name may be the patient's)."""
    out = tmp_path / "out"
    first = batch(write_csv(tmp_path / "r.csv", GOOD), out)
    assert first.exit_code == 0 and "did not make" not in first.stderr
    assert "did not make" not in batch(write_csv(tmp_path / "r.csv", GOOD), out).stderr
    broken = [GOOD[0], {**GOOD[1], "infusion_date": "2027-02-30"}, GOOD[2]]
    result = batch(write_csv(tmp_path / "r.csv", broken), out)
    assert result.exit_code == 1
    notes = [line for line in result.stderr.splitlines() if "did not make" in line]
    assert notes == ["note: 1 folder in the output folder holds papers this run did not make (a row that failed or "
                     "was not reached, or one no longer in the roster): they are not in manifest.csv; check them "
                     "before printing"]
    assert "Chen" not in result.stderr


@pytest.mark.parametrize("failing", [
    {"name": "Bob Dash", "infusion_date": "2027-02-30", "mrn": "RCC-0042"},  # a bad date
    {"name": "Bob Dash", "infusion_date": "2027-01-10", "mrn": "RCC-0042", "caregiver_phone": "call me"},
])
def test_a_failed_rows_folder_is_kept_for_it(tmp_path, failing):
    """When the row of MRN RCC-0042 failed, its folder went to the patient whose "RCC 0042" was
    made safe into the same name, and moved back once the row was corrected."""
    rows = [{"name": "Ann Space", "infusion_date": "2027-01-10", "mrn": "RCC 0042"}, failing]
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", rows), out, "--doc", "wallet-card").exit_code == 1
    assert {row["record"] for row in manifest(out) if row["row"]} == {"RCC-0042-2"}
    fixed = [rows[0], {"name": "Bob Dash", "infusion_date": "2027-01-10", "mrn": "RCC-0042"}]
    assert batch(write_csv(tmp_path / "r.csv", fixed), out, "--doc", "wallet-card").exit_code == 0
    assert {row["row"]: row["record"] for row in manifest(out) if row["row"]} == {"2": "RCC-0042-2", "3": "RCC-0042"}


def test_a_batch_inside_another_batchs_folder_is_refused(tmp_path):
    """Written into an earlier batch's print/ (or a patient's folder, at any depth), a cohort nested
    among that run's files, its print parts beside the old ones."""
    out = tmp_path / "out"
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out).exit_code == 0
    folder = next(path for path in out.iterdir() if path.is_dir() and path.name != "print")
    for inside in (out / "print", out / "print" / "x", folder, folder / "sub"):
        before = all_files(out)
        result = batch(write_csv(tmp_path / "r.csv", GOOD), inside)
        assert result.exit_code == 2
        assert result.stderr.splitlines()[-1] == ("error: --output: the folder is inside another batch's print/ or "
                                                  "patient folder: give batch a folder of its own")
        assert all_files(out) == before
    assert batch(write_csv(tmp_path / "r.csv", GOOD), out).exit_code == 0  # its own folder again
    (tmp_path / "plain" / "print").mkdir(parents=True)  # a folder that merely has a print/ of its own
    assert batch(write_csv(tmp_path / "r.csv", GOOD), tmp_path / "plain" / "cohort").exit_code == 0


def test_a_batch_into_generates_folder_is_refused(tmp_path):
    """It replaced generate's manifest and left that patient's papers unlisted beside the cohort."""
    assert run_cli("generate", "--name", "Zoe", "--infusion-date", "2027-03-05", "--doc", "wallet-card",
                   "-o", tmp_path / "one").exit_code == 0
    result = batch(write_csv(tmp_path / "r.csv", GOOD), tmp_path / "one")
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1] == ("error: --output: the folder holds one patient's papers from "
                                              "generate: give batch a folder of its own")


def test_a_row_with_the_mrn_of_a_failed_row_and_another_name_is_refused(tmp_path):
    """Ann's date mistyped, Bob's MRN mistyped as Ann's: the failed row was compared with nothing,
    and Bob's papers replaced Ann's in her folder."""
    out = tmp_path / "out"
    first = [{"name": "Ann", "infusion_date": "2027-01-05", "mrn": "X1"}, {"name": "Bob", "infusion_date": "2027-01-06", "mrn": "X2"}]
    assert batch(write_csv(tmp_path / "r.csv", first), out, "--doc", "wallet-card").exit_code == 0
    ann = (out / "X1" / "wallet-card.pdf").read_bytes()
    second = [{**first[0], "infusion_date": "2027-13-05"}, {**first[1], "mrn": "x1"}]
    result = batch(write_csv(tmp_path / "r.csv", second), out, "--doc", "wallet-card")
    assert result.exit_code == 1
    assert "row 3: mrn: the same MRN as row 2, which failed, with another name: check which is right" in result.stderr
    assert (out / "X1" / "wallet-card.pdf").read_bytes() == ann


def test_a_failed_rows_cut_name_is_kept_for_it(tmp_path):
    """Two names cut to the same 40 letters: while the first row failed, the second took its folder."""
    long = "Abcdefghij" * 6
    rows = [{"name": long + "x", "infusion_date": "2027-01-05"}, {"name": long + "y", "infusion_date": "2027-01-06"}]
    out = tmp_path / "out"
    records = []
    for first_date in ("2027-01-05", "2027-13-05", "2027-01-05"):
        roster = write_csv(tmp_path / "r.csv", [{**rows[0], "infusion_date": first_date}, rows[1]])
        batch(roster, out, "--doc", "wallet-card", "--name-template", "{name}")
        records.append({row["row"]: row["record"] for row in manifest(out) if row["row"]}["3"])
    assert len(set(records)) == 1 and records[0].endswith("-2")


@pytest.mark.parametrize("name", ["manifest.csv", "errors.csv", "print/cohort.csv", "Print/cohort.csv"])
def test_a_roster_where_the_run_writes_its_record_is_refused(tmp_path, name):
    """A roster saved as the output folder's manifest.csv (or errors.csv) was replaced by the
    run's record without a word: the cohort's list was gone."""
    roster = tmp_path / "out" / name
    roster.parent.mkdir(parents=True)
    write_csv(roster, [{"name": "Ann Lee", "infusion_date": "2027-03-05"}])
    before = roster.read_bytes()
    result = batch(roster, tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: roster: is where the run writes manifest.csv, errors.csv or print/")
    assert roster.read_bytes() == before


@pytest.mark.skipif(sys.platform == "win32", reason="no folder locks on Windows")
def test_a_second_run_into_a_folder_being_written_is_refused(tmp_path):
    """Two batches into one folder: the second removed the first's temporary files as a killed
    run's leftovers, and the first ended without its manifest."""
    from carthandout.output import FolderLock
    roster = write_csv(tmp_path / "r.csv", [{"name": "Ann Lee", "infusion_date": "2027-03-05"}])
    with FolderLock(tmp_path / "out"):  # the first run, still writing
        result = batch(roster, tmp_path / "out", "--doc", "wallet-card")
        assert result.exit_code == 2
        assert result.stderr.startswith("error: --output: another carthandout run is writing into this folder")
        single = run_cli("generate", "--name", "Bo", "--infusion-date", "2027-03-05", "--doc", "wallet-card",
                         "-o", tmp_path / "out")
        assert single.exit_code == 2 and "another carthandout run" in single.stderr
        assert list((tmp_path / "out").iterdir()) == []
    assert batch(roster, tmp_path / "out", "--doc", "wallet-card").exit_code == 0  # once it has finished


def test_a_cell_longer_than_the_csv_modules_limit_fails_its_row_not_the_batch(tmp_path):
    """A 200,000-character cell stopped the whole batch: "is not valid CSV (field larger than field limit)"."""
    roster = tmp_path / "r.csv"
    roster.write_text(f"name,infusion_date\nAnn,2027-03-05\n{'B' * 200_000},2027-03-05\nCy,2027-03-06\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 1 and "2 patients ready" in result.stdout
    assert [line for line in result.stderr.splitlines() if line.startswith("row ")] == [
        "row 3: name: is too long (200000 characters, at most 120)"]


def test_a_workbook_that_unpacks_to_far_more_than_a_roster_is_refused_unread(tmp_path, monkeypatch):
    """300 KB of xlsx held a 300 MB cell: openpyxl read it whole, 3.7 GB, then MemoryError (exit 70)."""
    from openpyxl import Workbook
    import carthandout.roster as roster_module
    workbook = Workbook()
    workbook.active.append(["Name", "Infusion date"])
    workbook.active.append(["A" * 30_000, "2027-03-05"])
    workbook.save(tmp_path / "r.xlsx")
    monkeypatch.setattr(roster_module, "XLSX_PART_MAX_BYTES", 20_000)  # the real limit is 100 MB
    result = batch(tmp_path / "r.xlsx", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: roster: unpacks to a part of ") and "it holds far more than a roster" in result.stderr


def test_a_folder_name_that_is_a_files_name_in_the_output_folder_takes_the_next_name(tmp_path):
    """A patient whose MRN was the roster's own file name (beside the output) failed with "File exists"."""
    out = tmp_path / "out"
    out.mkdir()
    roster = write_csv(out / "r.csv", [{"name": "Ann Lee", "infusion_date": "2027-03-05", "mrn": "r.csv"}])
    result = batch(roster, out)
    assert result.exit_code == 0, result.stderr
    assert [row["record"] for row in manifest(out) if row["row"]][0] == "r.csv-2"
    assert roster.read_text(encoding="utf-8").startswith("Name,")


def test_the_handouts_print_files_manifest_row_names_each_documents_version(tmp_path):
    """It recorded "1.2.2;1.1.1": a set of numbers that named no document, as the packet's row does."""
    out = tmp_path / "out"
    roster = write_csv(tmp_path / "r.csv", GOOD[:2])
    assert run_cli("batch", roster, "-o", out, "--doc", "handout", "--doc", "checklist", "--jobs", "1").exit_code == 0
    rows = manifest(out)
    versions = {row["document"]: row["version"] for row in rows if row["row"] == "2"}
    [printed] = [row for row in rows if row["file"].startswith("print/handouts")]
    assert printed["version"] == f"handout {versions['handout']}; checklist {versions['checklist']}"
    assert printed["reviewed"] == min(row["reviewed"] for row in rows if row["row"] == "2")


RUNS_ON = ("opens a cell that runs on over the next lines of the file, taking their rows with it (a cell typed over "
           "lines that holds a row's worth of commas reads so too)")


def test_a_quote_never_closed_stops_the_run_before_it_loses_the_rows_after_it(tmp_path):
    """Every line after the stray quote became one cell: the row failed as too long and the
    patients after it were named nowhere (3,000 rows: "4 patients ready, 1 row with problems")."""
    lines = ["name,infusion_date", *[f"P{n},2027-03-05" for n in range(4)], '"P4,2027-03-05',
             *[f"P{n},2027-03-05" for n in range(5, 30)]]
    roster = tmp_path / "r.csv"
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr == ('error: roster: row 6: a quote (") opens a cell and is never closed: close the quote '
                             "where its cell ends, or remove it\n")
    closed_later = tmp_path / "c.csv"  # closed where a line ends, rows later: the rows between are one cell
    closed_later.write_text("\n".join([*lines[:6], 'P5,2027-03-05"', "P6,2027-03-05"]) + "\n", encoding="utf-8")
    assert batch(closed_later, tmp_path / "out").stderr == (
        f'error: roster: row 6: a quote (") {RUNS_ON}: close the quote where its cell ends, or remove it\n')
    assert not (tmp_path / "out").exists()
    quoted = tmp_path / "q.csv"  # a quoted cell with a comma on one line is fine
    quoted.write_text('name,infusion_date\n"Delgado, Rosa",2027-03-05\n', encoding="utf-8")
    assert batch(quoted, tmp_path / "out2", "--check").exit_code == 0
    # a cell typed over two lines (Alt+Enter) with a comma is no runaway quote: it stopped the run
    typed = tmp_path / "t.csv"
    typed.write_text('name,infusion_date,caregiver\nAnn Lee,2027-03-05,"Luis Delgado, son\n(evenings)"\n'
                     'Ben Ode,2027-03-05,"Cy\nOde, Jr."\nCy Lee,2027-03-05,"Bob Lee (son)\nwork, home, or cell"\n'
                     'Di Lee,2027-03-05,"Bob Lee (son),\nevenings"\nEd Lee,2027-03-05,"Smith,Jane\nHematology"\n'
                     'Fa Lee,2027-03-05,"Dan,\n"\n',
                     encoding="utf-8")
    assert batch(typed, tmp_path / "out3", "--check").exit_code == 0


def test_a_note_over_lines_with_a_row_s_worth_of_commas_on_its_first_line_is_no_runaway_quote(tmp_path):
    """Written by Python's csv module, correctly quoted, a last column's "Meds: acyclovir,fluconazole,
    levetiracetam,TMP-SMX,ondansetron" Alt+Enter "Allergy: PCN" stopped the run as a quote left
    open, though the column was one --ignore-column leaves out. A quote left open in that column,
    taking the next row, still stops it."""
    header = "name,infusion_date,mrn,caregiver,Notes\n"
    roster = tmp_path / "r.csv"
    roster.write_text(header + 'Rosa Diaz,2027-03-05,A1,Luis Diaz,"Meds: acyclovir,fluconazole,levetiracetam,'
                      'TMP-SMX,ondansetron\nAllergy: PCN"\nAnn Lee,2027-03-06,A2,Bob Lee,ok\n', encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check", "--ignore-column", "Notes")
    assert result.exit_code == 0 and "2 patients ready, 0 rows with problems" in result.stdout, result.stderr
    runaway = tmp_path / "q.csv"
    runaway.write_text(header + 'Rosa Diaz,2027-03-05,A1,Luis Diaz,"\nAnn Lee,2027-03-06,A2,Bob Lee,ok"\n'
                       'Cy Roe,2027-03-07,A3,Di Roe,ok\n', encoding="utf-8")
    result = batch(runaway, tmp_path / "out2", "--check", "--ignore-column", "Notes")
    assert result.exit_code == 2 and result.stderr == (
        f'error: roster: row 2: a quote (") {RUNS_ON}: close the quote where its cell ends, or remove it\n')
    # a note left open after its commas, closed in the next row's cells: that row is named nowhere
    taking = tmp_path / "t.csv"
    taking.write_text(header + 'Rosa Diaz,2027-03-05,A1,Luis Diaz,"Meds: acyclovir,fluconazole,letermovir\n'
                      'Ann Lee,2027-03-06,A2,Bob Lee Jr",ok\nCy Roe,2027-03-07,A3,Di Roe,ok\n', encoding="utf-8")
    result = batch(taking, tmp_path / "out3", "--check", "--ignore-column", "Notes")
    assert result.exit_code == 2 and RUNS_ON in result.stderr


@pytest.mark.parametrize("rows, error", [
    # closed by a later row's quoted cell: row 3 was read into row 2's caregiver, named nowhere
    ('Ana Uno,2027-03-05,C1,"Luis,(217) 555-0101\nBeto Dos,2027-03-06,C2,"Ana, wife",(217) 555-0102\n'
     'Carl Tres,2027-03-07,C3,Pat,(217) 555-0103\n',
     "row 2: a quote (\") closes a cell before the cell ends (or a quote left open is closed by a later row's, "
     "taking the rows between)"),
    # in the last row: printed "Caregiver: Ana wife,(217) 555-0102" and no phone
    ('Ana Uno,2027-03-05,C1,Luis,(217) 555-0101\nBeto Dos,2027-03-06,C2,"Ana wife,(217) 555-0102\n',
     "row 3: a quote (\") opens a cell and is never closed"),
    # the rows after it shorter than a row: two patients read into the first's caregiver, "1 patient ready"
    ('Ana Uno,2027-03-05,C1,"Luis\nBeto Dos,2027-03-06,C2\nCy Tres,2027-03-06,C3\n',
     "row 2: a quote (\") opens a cell and is never closed"),
    # a lone " as a ditto mark, closed by the next one: Dee Fox lost, her caregiver and phone given to Carl Roe
    ('Carl Roe,2027-03-05,1002,",(217) 555-0111\nDee Fox,2027-03-05,1003,",(217) 555-0122\n'
     'Gus Hill,2027-03-05,1004,Ida Hill,(217) 555-0133\n',
     f"row 2: a quote (\") {RUNS_ON}"),
    # ditto marks for the infusion date on a narrow roster: the third patient in no output, no error
    ('Ann Lee,2027-03-02,A1,Bo,(217) 555-0101\nCy Lee,",\nDi Lee,",\nEd Lee,2027-03-05,A4,Fay,(217) 555-0104\n',
     f"row 3: a quote (\") {RUNS_ON}"),
    # closed by a quote typed in the same column of the next row: exit 0, a patient lost
    ('Ann Lee,2027-03-05,A1,"Bob,(217) 555-0100\nDi Roe,2027-03-05,A2,Bob 5\'10",(217) 555-0101\n',
     f"row 2: a quote (\") {RUNS_ON}"),
])
def test_a_quote_left_open_stops_the_run_naming_its_row(tmp_path, rows, error):
    roster = tmp_path / "r.csv"
    roster.write_text("name,infusion_date,mrn,caregiver,caregiver_phone\n" + rows, encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--check")
    assert result.exit_code == 2
    assert result.stderr == f"error: roster: {error}: close the quote where its cell ends, or remove it\n"


def test_a_csv_cell_written_for_excel_as_a_formula_reads_as_excel_shows_it(tmp_path):
    """="001001" keeps an MRN's zeros when Excel opens the CSV: the checklist printed MRN ="001001"."""
    from carthandout.roster import open_roster
    roster = tmp_path / "r.csv"
    roster.write_text('name,infusion_date,mrn,caregiver_phone\nAnn Lee,2027-03-05,="001001",="5550100"\n', encoding="utf-8")
    [row] = open_roster(roster).rows()
    assert row.fields["mrn"] == "001001" and row.fields["caregiver_phone"] == "5550100"


def test_a_health_record_exports_column_names_are_read(tmp_path):
    """"Patient Name", "DOB" and "Doctor" stopped the run with "unknown column" until retyped."""
    roster = tmp_path / "r.csv"
    roster.write_text("Patient Name,DOB,Infusion,Medical Record Number,Doctor,Preferred Language\n"
                      "Ann Lee,1961-08-19,2027-03-05,A-1,Dr. Haddad,Spanish\n", encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 0, result.stderr
    text = " ".join(pdf_text(tmp_path / "out" / "A-1" / "wallet-card.pdf").split())
    assert "Ann Lee" in text and "Dr. Haddad" in text and "Nombre:" in text  # the front in Spanish
    other = tmp_path / "o.csv"  # other exports' titles: "Patient" before a field's, "Day 0", "Wt (kg)"
    other.write_text("Patient Name,Patient DOB,Date of Infusion,Patient MRN,Wt (kg)\n"
                     "Bo Ray,1961-08-19,2027-03-05,B-1,72\n", encoding="utf-8")
    assert "1 patient ready" in batch(other, tmp_path / "o", "--check").stdout
    day_0 = tmp_path / "d.csv"
    day_0.write_text("Name,Infusion Date (Day 0)\nBo Ray,2027-03-05\n", encoding="utf-8")
    assert "1 patient ready" in batch(day_0, tmp_path / "d", "--check").stdout
    day_30 = tmp_path / "d30.csv"  # a follow-up's day is no misspelt infusion date
    day_30.write_text("Name,Infusion Date,Day 30\nBo Ray,2027-03-05,2027-04-04\n", encoding="utf-8")
    assert "unknown column Day 30 (known:" in batch(day_30, tmp_path / "d30", "--check").stderr
    still_unknown = tmp_path / "s.csv"  # a weight without its unit stays unknown: pounds or kilograms?
    still_unknown.write_text("Name,Infusion Date,Weight\nAnn Lee,2027-03-05,160\n", encoding="utf-8")
    refused = batch(still_unknown, tmp_path / "out2")
    assert refused.exit_code == 2 and "unknown column Weight" in refused.stderr


def test_columns_named_by_ignore_column_are_left_out_of_the_roster(tmp_path):
    """A health-record export's extra columns ("Room", "Notes") stopped the run until deleted from
    the sheet; --ignore-column leaves them out, their cells never read (an error value among them
    fails no row). A title it names that the header lacks is refused; other unknown columns still
    stop the run, pointing to the option."""
    from openpyxl import Workbook
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion Date", "Room", "MRN", "Notes"])
    sheet.append(["Ann Lee", "2027-03-05", 4, "A-1", "#REF!"])
    sheet["E2"].data_type = "e"
    roster = tmp_path / "r.xlsx"
    workbook.save(roster)
    refused = batch(roster, tmp_path / "out", "--check")
    assert refused.exit_code == 2 and "a column not for the papers: --ignore-column TITLE" in refused.stderr
    result = batch(roster, tmp_path / "out", "--ignore-column", "room", "--ignore-column", "NOTES", "--doc", "wallet-card")
    assert result.exit_code == 0, result.stderr
    assert "Ann Lee" in pdf_text(tmp_path / "out" / "A-1" / "wallet-card.pdf")
    typo = batch(roster, tmp_path / "out2", "--ignore-column", "Rooms", "--ignore-column", "Notes")
    assert typo.exit_code == 2 and typo.stderr == "error: --ignore-column: Rooms is not a column of the roster's header\n"


def test_a_worker_killed_between_its_renames_and_its_note_still_has_its_patient_listed(tmp_path):
    """A worker killed after renaming a patient's files into place and before noting them left the
    patient written and listed nowhere (a timing-dependent failure of the killed-worker test). The
    rows are noted first, and read as finished when every file is there with its digest."""
    import hashlib as digests
    from carthandout.batch import FinishedJournal, PatientResult
    from carthandout.output import ManifestRow
    (tmp_path / "a").mkdir()
    data = b"%PDF-1.7 written"
    (tmp_path / "a" / "handout.pdf").write_bytes(data)
    def row(folder: str, sha256: str) -> ManifestRow:
        return ManifestRow(folder, "handout", f"{folder}/handout.pdf", 7, sha256, "en", "1.2.3", "2026-11-27", "2")
    written = row("a", digests.sha256(data).hexdigest())
    journal = FinishedJournal(tmp_path)
    journal.note_coming(2, PatientResult((written,), kept=(("a/checklist.pdf", "a/checklist.edited.pdf"),),
                                         removed=("calendar.pdf",)))  # renamed, then killed
    journal.note_coming(3, PatientResult((row("b", "0" * 64),)))  # killed before the renames: no file
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "handout.pdf").write_bytes(b"an earlier run's")
    journal.note_coming(4, PatientResult((row("c", digests.sha256(data).hexdigest()),)))  # an earlier run's file
    noted = journal.read()
    assert set(noted) == {2} and noted[2].files == (written,)
    assert noted[2].kept == (("a/checklist.pdf", "a/checklist.edited.pdf"),)  # its notice still printed
    assert noted[2].removed == ("calendar.pdf",)  # and counted in the note on documents removed


def test_a_journal_that_cannot_be_written_does_not_stop_the_run(tmp_path, monkeypatch):
    """A full disk with --jobs 2: a worker's journal line failed outside the row's own error
    handling and the whole run stopped, with no summary, manifest or errors.csv, though patients
    were done (with --jobs 1, no journal, the run reported each row)."""
    import errno
    from carthandout.batch import FinishedJournal, PatientResult

    def disk_full(self, entry):
        raise OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "j.part"))

    monkeypatch.setattr(FinishedJournal, "_write", disk_full)
    journal = FinishedJournal(tmp_path)
    journal.note(2, PatientResult())  # no error: the run goes on
    assert journal.failed and journal.read() == {}
    import multiprocessing
    if multiprocessing.get_start_method() != "fork":  # the workers would not inherit the patch
        return
    out = tmp_path / "out"  # the workers fork from here, the journal's writes failing
    result = run_cli("batch", write_csv(tmp_path / "r.csv", GOOD), "-o", out, *FAST_DOCS, "--jobs", "2")
    assert result.exit_code == 0, result.stderr
    assert {row["row"] for row in manifest(out) if row["record"] != "part-001"} == {"2", "3", "4"}


def test_a_second_signal_during_the_workers_shutdown_does_not_rename_the_stop(tmp_path, monkeypatch):
    """Ctrl-C, then SIGTERM while the workers were stopping: the SIGTERM's exception replaced the
    KeyboardInterrupt and the run said "interrupted by SIGTERM" (the second-Ctrl-C test failed so
    under load)."""
    from contextlib import contextmanager
    from types import SimpleNamespace
    from carthandout import batch as batch_module

    @contextmanager
    def stopping_pool(jobs, state):
        try:
            yield None
        finally:  # the workers' shutdown, when the second signal lands
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)

    def first_ctrl_c(*args):
        os.kill(os.getpid(), signal.SIGINT)
        time.sleep(0.2)

    monkeypatch.setattr(batch_module, "worker_pool", stopping_pool)
    monkeypatch.setattr(batch_module, "_render_patients", first_ctrl_c)
    result = batch_module.BatchResult()
    parts = SimpleNamespace(pool=None, finish=lambda: None)
    batch_module._run_workers([], None, None, batch_module.BatchSettings(tmp_path), result, None, parts, lambda n: None)
    assert result.stopped_by == "SIGINT"


def test_a_quote_closing_a_cell_early_fails_its_row_alone(tmp_path):
    """"Bud" Smith (a nickname typed in quotes) stopped the whole run, though it takes no other
    row: that row now fails naming its cell, and the rows after it are printed."""
    roster = tmp_path / "r.csv"
    roster.write_bytes(b'name,infusion_date,mrn,caregiver\r\nAnn Lee,2027-03-05,A1,"Luis" Lee\r\n'
                       b'Bo Ray,2027-03-06,A2,Cy\r\n"Bud" Smith,2027-03-07,A3,\r\nDi Roe,2027-03-08,A4,"Ed, son"\r\n')
    result = batch(roster, tmp_path / "out")
    assert result.exit_code == 1, result.stderr
    early = ('a quote (") closes the cell before it ends: remove the quotes, or put the whole cell in quotes with each '
             'quote inside it doubled ("")')
    assert result.stderr.startswith(f"row 2: caregiver: {early}\nrow 4: name: {early}\n")
    assert sorted(path.name for path in (tmp_path / "out").iterdir() if path.is_dir()) == ["A2", "A4", "print"]
    assert "Ed, son" in pdf_text(tmp_path / "out" / "A4" / "handout.pdf")
    header = tmp_path / "h.csv"  # in the header the columns are unknown: the run stops
    header.write_text('"name" x,infusion_date\nAnn Lee,2027-03-05\n', encoding="utf-8")
    assert batch(header, tmp_path / "out2").exit_code == 2


def test_an_early_quote_s_row_names_each_such_cell_and_never_hides_a_cell_left_open(tmp_path):
    """Regression pass on the early quote: a row's second early quote came to light only on the
    next run; a space after a closing quote was called an early quote; and a cell opened after
    the early quote and left open over the next line made that line a phantom patient, every
    later row numbered one too high."""
    both = tmp_path / "b.csv"
    both.write_text('name,infusion_date,caregiver\n"Bud" Smith,2027-03-05,"Luis" son\n'
                    'Ann Lee,2027-03-06,"Mia, daughter" \n', encoding="utf-8")
    checked = batch(both, tmp_path / "out", "--check")
    assert checked.exit_code == 1
    assert [line.split(": a quote")[0] for line in checked.stderr.splitlines() if ": a quote" in line] == [
        "row 2: name", "row 2: caregiver"]  # and row 3, a space after its closing quote, is ready
    assert "1 patient ready, 1 row with problems" in checked.stdout
    left_open = tmp_path / "o.csv"
    left_open.write_text('name,infusion_date,caregiver\n"Bud" Smith,2027-03-05,"Luis\n(evenings)"\n'
                         'Ann Lee,2027-03-06,Mia\n', encoding="utf-8")
    stopped = batch(left_open, tmp_path / "out2", "--check")
    assert stopped.exit_code == 2 and stopped.stderr.startswith(
        'error: roster: row 2: a quote (") closes a cell early, and a later cell of the row opens one still open')


def test_a_roster_typed_with_a_space_after_each_comma_keeps_its_quoted_cells_whole(tmp_path):
    """Typed by hand as people write lists, 'RCC-1, "Delgado, Rosa", 2027-03-05': CSV reads a quote
    after a space as text, so the comma inside split the cell: the row had a cell too many, or,
    one cell short, every later value moved a column on. A nickname in quotes still reads as typed."""
    roster = tmp_path / "r.csv"
    roster.write_text('mrn, name, infusion_date, caregiver\n'
                      'RCC-1, "Delgado, Rosa", 2027-03-05, Luis Delgado\n'
                      'RCC-2, Ana Perez, 2027-03-06, "Perez, Juan"\n'
                      'RCC-3, "Bud" Smith, 2027-03-07, Mia Smith\n', encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 0, result.stderr
    texts = {mrn: pdf_text(tmp_path / "out" / mrn / "wallet-card.pdf") for mrn in ("RCC-1", "RCC-2", "RCC-3")}
    assert "Name: Delgado, Rosa" in texts["RCC-1"] and "March 5, 2027" in texts["RCC-1"]
    assert "Name: Ana Perez" in texts["RCC-2"]
    assert 'Name: "Bud" Smith' in texts["RCC-3"]
    ditto = tmp_path / "d.csv"  # ditto marks typed with a space between: two cells, not one quoted ", "
    ditto.write_text('mrn, name, infusion_date, caregiver, physician\nRCC-3, Ann Lee, 2027-03-05, ", "\n',
                     encoding="utf-8")
    from carthandout.roster import open_roster
    [row] = open_roster(ditto).rows()
    assert row.fields["caregiver"].strip() == row.fields["physician"].strip() == '"'
    shifted = tmp_path / "s.csv"  # one cell short: the split cell had moved the date to the caregiver
    shifted.write_text('mrn, name, infusion_date, caregiver\nRCC-1, "Delgado, Rosa", 2027-03-05\n', encoding="utf-8")
    assert batch(shifted, tmp_path / "out2", "--check").exit_code == 0


def test_a_re_run_under_a_stricter_umask_tightens_the_print_parts(tmp_path):
    """Print parts written 644 stayed 644 after the administrator set umask 077 (they name every patient)."""
    roster, out = write_csv(tmp_path / "r.csv", GOOD), tmp_path / "out"
    args = ["batch", str(roster), "-o", str(out), *FAST_DOCS, "--print-part-size", "2"]
    assert run_cli(*args).exit_code == 0
    code = "import os, sys; os.umask(0o077); from carthandout.cli import main; sys.argv[0] = 'carthandout'; main()"
    assert subprocess.run([sys.executable, "-c", code, *args], capture_output=True).returncode == 0
    files = [path for path in out.rglob("*") if path.is_file()]
    assert len(list((out / "print").iterdir())) == 4
    assert {oct(path.stat().st_mode & 0o777) for path in files} == {oct(0o600)}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_re_run_keeps_the_permissions_given_to_the_print_parts(tmp_path, jobs):
    """The earlier parts are removed before any patient is replaced, so the new ones took the
    umask's 644: print parts an administrator had made 600 (they name every patient) became
    readable by every user of the machine, while the patients' own files kept their 600."""
    roster, out = write_csv(tmp_path / "r.csv", GOOD), tmp_path / "out"
    assert batch(roster, out, "--print-part-size", "2").exit_code == 0
    parts = sorted((out / "print").iterdir())
    assert len(parts) == 4
    for path in parts:
        path.chmod(0o640)
    parts[0].chmod(0o644)  # 640: the permissions all of them allow
    assert run_cli("batch", roster, "-o", out, *FAST_DOCS, "--jobs", jobs, "--print-part-size", "2").exit_code == 0
    assert {oct(path.stat().st_mode & 0o777) for path in (out / "print").iterdir()} == {oct(0o640)}


def test_a_line_break_excel_escaped_in_a_cell_is_read_as_a_space(tmp_path):
    """Excel writes a pasted line break as _x000D_ before it; the card printed "Rosa_x000D_ Delgado"."""
    roster = _patched_workbook(tmp_path / "r.xlsx", [
        (r'<c r="A2"[^>]*>.*?</c>', '<c r="A2" t="inlineStr"><is><t>Rosa_x000D_&#10;Delgado</t></is></c>'),
    ])
    result = batch(roster, tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 0, result.output
    card = " ".join(page_texts(tmp_path / "out" / "M1" / "wallet-card.pdf"))
    assert "Rosa Delgado" in card and "_x000D_" not in card


def test_an_apostrophe_keeping_a_csv_cell_text_is_not_printed(tmp_path):
    """A report tool writes '004417 so that Excel keeps the zeros; the papers printed "MRN '004417".
    Before a letter the apostrophe may be a name's own, and stays."""
    rows = [{"name": "'Olani Kealoha", "infusion_date": "'2027-03-05", "mrn": "'004417", "caregiver_phone": "'+1 217 555 0123"},
            {"name": "Ann Lee", "infusion_date": "2027-03-05", "mrn": "A2", "caregiver_phone": "'(217) 555-0123"}]
    result = batch(write_csv(tmp_path / "roster.csv", rows), tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 0, result.output
    card = " ".join(page_texts(tmp_path / "out" / "004417" / "wallet-card.pdf"))
    assert "'Olani Kealoha" in card and "March 5, 2027" in card and "+1 217 555 0123" in card and "'+" not in card
    assert "'(" not in " ".join(page_texts(tmp_path / "out" / "A2" / "wallet-card.pdf"))  # "(217)": a negative number to Excel


def test_mrns_alike_but_for_leading_zeros_are_one_mrn_to_the_roster(tmp_path):
    """A spreadsheet dropped the zeros of one row's MRN: Rosa Delgado was made twice, as 004417 and
    4417, and two patients whose MRNs differed only so were not questioned."""
    rows = [GOOD[0], {**GOOD[0], "mrn": "4417"}, {**GOOD[2], "mrn": "0099"}, {**GOOD[1], "mrn": "99"}, GOOD[1]]
    out = tmp_path / "out"
    result = batch(write_csv(tmp_path / "roster.csv", rows), out, "--doc", "wallet-card")
    assert result.exit_code == 1
    assert [(e["row"], e["field"]) for e in errors(out)] == [("2", "mrn"), ("3", "mrn"), ("4", "mrn"), ("5", "mrn")]
    assert {r["row"] for r in manifest(out) if r["row"]} == {"6"}
    assert "row 3: mrn: the same MRN as row 2, with another number of leading zeros: check which is right" in result.stderr
    assert ("row 5: mrn: the same MRN as row 4, with another number of leading zeros and another name or date of "
            "birth (two patients, or one MRN mistyped?)") in result.stderr


def test_date_cells_beside_dates_a_spreadsheet_kept_as_text_stop_the_run(tmp_path):
    """A day-first CSV opened in a month-first Excel: 05/03/2027 (5 March) became a date cell for
    May 3, 19/03/2027 stayed text. With --date-order day-first the run printed May 3 and exit 0."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Name", "Infusion Date", "MRN"])
    sheet.append(["Eva Weiss", dt.datetime(2027, 5, 3), "E1"])
    sheet.append(["Karl Roth", "19/03/2027", "E2"])
    workbook.save(tmp_path / "r.xlsx")
    result = batch(tmp_path / "r.xlsx", tmp_path / "out", "--date-order", "day-first")
    assert result.exit_code == 2 and not (tmp_path / "out" / "E1").exists()
    assert ("error: roster: infusion_date: date cells (row 2) beside dates written as text in a country's order "
            "(row 3), as a spreadsheet leaves a CSV it read in another country's order") in result.stderr
    sheet["B2"] = dt.datetime(2027, 3, 13)  # a day past the 12th: no order made it, a date typed as a date
    workbook.save(tmp_path / "r.xlsx")
    assert batch(tmp_path / "r.xlsx", tmp_path / "out", "--date-order", "day-first").exit_code == 0
    sheet["B2"], sheet["B3"] = dt.datetime(2027, 3, 5), "03/06/2027"  # text real both ways: no spreadsheet left it
    workbook.save(tmp_path / "r.xlsx")
    assert batch(tmp_path / "r.xlsx", tmp_path / "out2", "--date-order", "month-first").exit_code == 0
    # a birth date cell past the 12th shows the sheet was read in its own order (a small weekly cohort)
    sheet["B2"], sheet["B3"] = dt.datetime(2027, 5, 3), "19/03/2027"
    sheet["D1"], sheet["D2"], sheet["D3"] = "Date of birth", dt.datetime(1960, 8, 19), dt.datetime(1961, 8, 20)
    workbook.save(tmp_path / "r.xlsx")
    assert batch(tmp_path / "r.xlsx", tmp_path / "out3", "--date-order", "day-first").exit_code == 0


def test_the_summarys_time_counts_reading_the_roster(tmp_path, monkeypatch):
    """A workbook of 200,000 empty styled rows took 18 s to read, and the summary said 0.7 s."""
    import time

    import carthandout.batch as batch_module

    clock = [1000.0]
    monkeypatch.setattr(time, "perf_counter", lambda: clock[0])
    validate = batch_module.validate_roster

    def slow_validate(*args, **kwargs):
        clock[0] += 42.0  # reading the roster's rows
        return validate(*args, **kwargs)

    import carthandout.roster as roster_module
    open_roster = roster_module.open_roster

    def slow_open(*args, **kwargs):
        clock[0] += 8.0  # opening the workbook (its shared strings, its sheets)
        return open_roster(*args, **kwargs)

    monkeypatch.setattr(batch_module, "validate_roster", slow_validate)
    monkeypatch.setattr(roster_module, "open_roster", slow_open)
    result = batch(write_csv(tmp_path / "roster.csv", GOOD[:1]), tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 0, result.output
    assert "1 patient done, 0 failed, 5 files, 50.0 s" in result.stdout




@pytest.mark.parametrize("text, folder, printed", [
    # A Latin American export's "Nombre, Expediente, Fecha de nacimiento, Fecha de infusión" stopped
    # the run with "unknown column number 1, 2, 3, 4"; accents or none, as exports write them
    ("Nombre,Expediente,FECHA DE NACIMIENTO,Fecha de infusion,Cuidadora,Teléfono de la cuidadora,Médico,Idioma,"
     "Peso (kg)\nAna Quiñones,EXP-1,1961-08-19,2027-03-05,Lucía Quiñones,555 0100,Dra. Ruiz,es,72\n",
     "EXP-1", ["Nombre: Ana Quiñones", "5 de marzo de 2027"]),
    # "Nombre, Apellidos": Apellidos was an unknown column, and left out, the card printed "Rosa María"
    # alone (a review). Beside a surname column, Nombre is the given names.
    ("Nombre,Apellidos,Expediente,Fecha de infusión,Médica\nRosa María,Delgado Ruiz,E1,2027-03-05,Dra. Ana Ruiz\n",
     "E1", ["Name: Rosa María Delgado Ruiz"]),
    # Two surname columns, as Mexican and other Latin American exports keep them, stopped the run
    # on an unknown column; "Nombre del paciente" beside them had been a second whole name
    ("Nombre del paciente,Apellido paterno,Apellido materno,Expediente,Fecha de infusión\n"
     "Rosa María,Delgado,Ruiz,E2,2027-03-05\n", "E2", ["Name: Rosa María Delgado Ruiz"]),
    ("Primer nombre,Segundo nombre,Primer apellido,Segundo apellido,Expediente,Fecha de infusión\n"
     "Rosa,María,Delgado,,E3,2027-03-05\n", "E3", ["Name: Rosa María Delgado"]),
])
def test_a_roster_with_spanish_column_names_is_read(tmp_path, text, folder, printed):
    roster = tmp_path / "r.csv"
    roster.write_text(text, encoding="utf-8")
    result = batch(roster, tmp_path / "out", "--doc", "wallet-card")
    assert result.exit_code == 0, result.output
    card = " ".join(page_texts(tmp_path / "out" / folder / "wallet-card.pdf")[0].split())
    assert all(words in card for words in printed)
