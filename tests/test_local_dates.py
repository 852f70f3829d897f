"""Dates as exports write them in a country's order (3/5/2027), read in the order staff give."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carthandout.errors import InputError
from carthandout.local_dates import dates_in_order
from conftest import pdf_text, run_cli


@pytest.mark.parametrize("written, order, read", [
    ("3/5/2027", "month-first", "2027-03-05"),
    ("3/5/2027", "day-first", "2027-05-03"),
    ("12/31/1961 12:00:00 AM", "month-first", "1961-12-31"),  # Excel's US CSV: the date cell at midnight
    ("31.12.1961 0:00", "day-first", "1961-12-31"),
    ("2027-03-05", "day-first", "2027-03-05"),
    ("3/5/2027 12:00:00\u202fAM", "month-first", "2027-03-05"),  # a narrow no-break space, as newer locales write
    ("05.03.2027", "day-first", "2027-03-05"),
])
def test_a_date_in_a_countrys_order_is_read_in_the_order_given(written, order, read):
    fields, problems = dates_in_order({"infusion_date": written, "name": "3/5/2027"}, order)
    assert fields == {"infusion_date": read, "name": "3/5/2027"} and problems == []


@pytest.mark.parametrize("written, problem", [
    ("3/5/2027 12:00:00 PM", "must be a date, not a date and time"),  # noon: it said "give --date-order"
    ("3/5/2027 9:30", "must be a date, not a date and time"),
    ("05.03.2027", "is written with dots, as dates day first are"),  # read month first, it was May 3
    ("08/19/61", "has a two-digit year: write the year in full"),  # it said "give --date-order", given
    ("3/5/27 0:00", "has a two-digit year: write the year in full"),
])
def test_a_date_that_cannot_be_read_month_first_says_why(written, problem):
    fields, (refused,) = dates_in_order({"infusion_date": written}, "month-first")
    assert fields == {} and problem in refused.line(True) and "give --date-order month-first" not in refused.line(True)


def test_a_two_digit_year_is_named_without_an_order_too():
    """Without --date-order, 3/5/27 was told to give --date-order; given it, to write the year in full."""
    from carthandout.models import parse_date
    with pytest.raises(InputError) as caught:
        parse_date("date_of_birth", "3/5/27")
    assert "a two-digit year" in caught.value.line() and "--date-order" not in caught.value.line()


def test_without_an_order_dates_are_left_as_written_and_one_no_date_in_the_order_is_named():
    assert dates_in_order({"infusion_date": "3/5/2027"}, None) == ({"infusion_date": "3/5/2027"}, [])
    fields, (problem,) = dates_in_order({"infusion_date": "2/30/2027", "date_of_birth": "1/2/1960"}, "month-first")
    assert fields == {"date_of_birth": "1960-01-02"}
    assert problem.line(False) == ("infusion_date: the value is not a real date read month first "
                                   "(--date-order month-first)")


def write_rows(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([["MRN", "Name", "Infusion Date", "DOB"], *rows])
    return path


def test_a_us_export_reads_with_date_order_month_first_and_is_refused_without(tmp_path):
    roster = write_rows(tmp_path / "r.csv", [["0001", "Rosa Delgado", "3/5/2027", "12/31/1961"],
                                            ["0002", "Ana Ruiz", "13/5/2027", "1/2/1970"]])
    refused = run_cli("batch", roster, "--check")
    assert refused.exit_code == 1 and "or give --date-order month-first or day-first" in refused.output
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--date-order", "month-first", "--doc", "handout")
    assert result.exit_code == 1  # row 3: no 13th month
    assert "row 3: infusion_date: the value is not a real date read month first" in result.output
    assert "March 5, 2027" in pdf_text(tmp_path / "out" / "0001" / "handout.pdf")
    assert not (tmp_path / "out" / "0002").exists()


def test_a_roster_whose_dates_prove_the_other_order_stops_before_anything_is_made(tmp_path):
    """Read day first, rows 3 and 4 (03/12, 03/19) failed and row 2 was made: "03/05/2027" printed
    as May 3 and "04/07/1961" as July 4, though the roster showed its dates month first."""
    roster = write_rows(tmp_path / "r.csv", [["M1", "Ann Lee", "03/05/2027", "04/07/1961"],
                                            ["M2", "Bob Ray", "03/12/2027", "08/19/1961"],
                                            ["M3", "Cy Doe", "03/19/2027", "02/01/1970"]])
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--date-order", "day-first", "--doc", "wallet-card")
    assert result.exit_code == 2 and not (tmp_path / "out").exists()
    assert ("error: roster: the dates of rows 3, 4 are real only read month first: the roster's dates look month "
            "first, so the others would be read wrong; give --date-order month-first (nothing was made)") in result.output
    fields, (problem,) = dates_in_order({"infusion_date": "03/19/2027"}, "day-first")
    assert problem.line() == ("infusion_date: the value is not a real date read day first, but is one read month "
                              "first: check --date-order")
    # no row holds a date real both ways, so none was read wrong: the odd row fails alone (a review)
    iso = write_rows(tmp_path / "iso.csv", [["M1", "Ann Lee", "2027-03-05", ""], ["M2", "Bob Ray", "03/19/2027", ""]])
    alone = run_cli("batch", iso, "-o", tmp_path / "iso", "--date-order", "day-first", "--doc", "wallet-card")
    assert alone.exit_code == 1 and "row 3: infusion_date: the value is not a real date read day first" in alone.output


def test_generate_reads_a_date_day_first_when_told(tmp_path):
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "3/5/2027", "--date-order", "day-first",
                     "--doc", "wallet-card", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert "May 3, 2027" in pdf_text(tmp_path / "wallet-card.pdf")
    refused = run_cli("generate", "--name", "Ana", "--infusion-date", "3/13/2027", "--date-order", "day-first",
                      "-o", tmp_path / "b")
    assert refused.exit_code == 2 and "not a real date read day first" in refused.output


def clinic_with_exports(tmp_path: Path, exports: object) -> Path:
    import yaml

    from carthandout.inputs import EXAMPLE_CLINIC, example_path

    raw = yaml.safe_load(example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8"))
    raw.update(logo=str(example_path(EXAMPLE_CLINIC).parent / raw["logo"]), exports=exports)
    path = tmp_path / "clinic.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_the_clinic_profile_says_how_its_exports_write_names_and_dates(tmp_path):
    """Three flags to remember on every run: the clinic's file says it once."""
    clinic = clinic_with_exports(tmp_path, {"date_order": "month-first", "last_name_first": True,
                                            "capitalize_names": "yes"})
    roster = write_rows(tmp_path / "r.csv", [["0001", "DELGADO, ROSA", "3/5/2027", "12/31/1961"]])
    result = run_cli("batch", roster, "--clinic", clinic, "-o", tmp_path / "out", "--doc", "caregiver-guide")
    assert result.exit_code == 0, result.output
    assert "Stay with Rosa Delgado all day and all night" in pdf_text(tmp_path / "out" / "0001" / "caregiver-guide.pdf")
    assert "warning" not in result.output.replace("warning: the clinic profile has the example", "")


def test_every_bad_exports_setting_is_listed_at_once(tmp_path):
    clinic = clinic_with_exports(tmp_path, {"date_order": "mdy", "last_name_frist": True, "capitalize_names": "maybe"})
    output = run_cli("check", "--clinic", clinic).output
    assert all(problem in output for problem in ("clinic.exports.date_order", "clinic.exports.last_name_frist",
                                                 "clinic.exports.capitalize_names"))


@pytest.mark.parametrize("exports, problem", [
    ({"date_order": "mdy"}, "clinic.exports.date_order: mdy is not month-first or day-first"),
    ({"last_name_frist": True}, "clinic.exports.last_name_frist: unknown field (did you mean last_name_first?)"),
    ("month-first", "clinic.exports: must be a mapping"),
])
def test_a_bad_exports_setting_is_named_by_check_and_stops_a_run(tmp_path, exports, problem):
    clinic = clinic_with_exports(tmp_path, exports)
    assert problem in run_cli("check", "--clinic", clinic).output
    result = run_cli("generate", "--name", "Ana", "--infusion-date", "2027-03-05", "--clinic", clinic, "-o", tmp_path)
    assert result.exit_code == 2 and problem in result.output
