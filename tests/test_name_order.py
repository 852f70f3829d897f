"""Names as exports write them: split into columns, or "Last, First"; printed as the papers say them."""
from __future__ import annotations

import csv
from pathlib import Path

import pytest

from carthandout.errors import InputError
from carthandout.name_order import first_last, name_from_parts, written_last_first
from conftest import pdf_text, run_cli

GUIDE = ("--doc", "caregiver-guide")


@pytest.mark.parametrize("written, printed", [
    ("Delgado, Rosa María", "Rosa María Delgado"),
    ("DELGADO,ROSA MARIA", "ROSA MARIA DELGADO"),
    ("Delgado, Rosa, Jr.", "Rosa Delgado Jr."),
    ("Delgado Jr., Rosa", "Rosa Delgado Jr."),
    ("de la Cruz,  Ana", "Ana de la Cruz"),
    ("Rosa Delgado", "Rosa Delgado"),
    ("Rosa Delgado, Jr.", "Rosa Delgado, Jr."),  # First Last with its suffix
    ("Delgado, ", "Delgado, "),  # no given name: not Last, First
    ("Ann, Bea, Cy", "Ann, Bea, Cy"),  # more commas: left as written
    ("Rao, Anika, MD", "Anika Rao, MD"),  # a credential keeps its comma
    ("Dr. Rao, Anika", "Dr. Anika Rao"),  # a title goes before the whole name
    ("Anika Rao, MD", "Anika Rao, MD"),
    ("Rosa Perez, RN", "Rosa Perez, RN"), ("Luis Delgado, son", "Luis Delgado, son"),  # who they are: as written
    ("Delgado, Rosa Jr.", "Rosa Delgado Jr."), ("Smith, V", "V Smith"),  # V: an initial
    ("ديلغادو، روزا", "روزا ديلغادو"), ("Delgado，Rosa", "Rosa Delgado"),  # Arabic and full-width commas
    ("Vang, Pa", "Pa Vang"), ("Smith, John, PA", "John Smith, PA"),  # Pa: a given name after a family name alone
    ("Ana Perez, Mother-in-law", "Ana Perez, Mother-in-law"), ("Luis Delgado, abuelo", "Luis Delgado, abuelo"),
])
def test_a_name_written_last_first_is_turned_and_no_other(written, printed):
    assert first_last(written) == printed
    assert written_last_first(written) == (written != printed)


def test_name_parts_are_joined_in_order_and_an_empty_one_left_out():
    fields = {"last_name": " Delgado ", "first_name": "Rosa", "middle_name": "", "mrn": "1"}
    assert name_from_parts(fields) == {"name": "Rosa Delgado", "mrn": "1"}
    assert name_from_parts({"name": "Rosa Delgado"}) == {"name": "Rosa Delgado"}


@pytest.mark.parametrize("fields, field", [
    ({"name": "Rosa Delgado", "last_name": "Delgado"}, "name"),
    ({"first_name": 12, "last_name": "Delgado"}, "first_name"),
])
def test_name_parts_that_cannot_be_joined_name_their_field(fields, field):
    with pytest.raises(InputError) as caught:
        name_from_parts(fields)
    assert caught.value.field == field


def write_rows(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerows([header, *rows])
    return path


def guide_texts(folder: Path) -> dict[str, str]:
    return {guide.parent.name: pdf_text(guide) for guide in sorted(folder.glob("*/caregiver-guide.pdf"))}


def test_a_roster_with_first_and_last_name_columns_prints_the_whole_name(tmp_path):
    roster = write_rows(tmp_path / "r.csv", ["MRN", "Last Name", "First Name", "Middle Initial", "Infusion Date"],
                        [["0001", "Delgado", "Rosa", "M", "2027-03-05"], ["0002", "Okafor", "Amara", "", "2027-03-09"]])
    result = run_cli("batch", roster, "-o", tmp_path / "out", *GUIDE)
    assert result.exit_code == 0, result.output
    texts = guide_texts(tmp_path / "out")
    assert "Stay with Rosa M Delgado all day" in texts["0001"]
    assert "Stay with Amara Okafor all day" in texts["0002"]


def test_the_same_patients_from_name_parts_in_yaml_and_csv_give_the_same_files(tmp_path):
    write_rows(tmp_path / "r.csv", ["Given Name", "Surname", "Infusion Date"], [["Rosa", "Delgado", "2027-03-05"]])
    (tmp_path / "r.yaml").write_text('- {first_name: Rosa, last_name: Delgado, infusion_date: "2027-03-05"}\n',
                                     encoding="utf-8")
    for kind in ("csv", "yaml"):
        assert run_cli("batch", tmp_path / f"r.{kind}", "-o", tmp_path / kind, *GUIDE).exit_code == 0
    csv_guide, yaml_guide = (tmp_path / kind / "Rosa-Delgado-2" / "caregiver-guide.pdf" for kind in ("csv", "yaml"))
    assert csv_guide.read_bytes() == yaml_guide.read_bytes()


def test_a_header_with_the_whole_name_and_its_parts_stops_before_anything_is_made(tmp_path):
    roster = write_rows(tmp_path / "r.csv", ["Patient Name", "First Name", "Last Name", "Infusion Date"],
                        [["Rosa Delgado", "Rosa", "Delgado", "2027-03-05"]])
    result = run_cli("batch", roster, "-o", tmp_path / "out")
    assert result.exit_code == 2
    assert "columns Patient Name and First Name, Last Name both give the patient's name" in result.output
    assert not (tmp_path / "out").exists()


def test_a_yaml_item_with_the_whole_name_and_a_part_fails_that_row_only(tmp_path):
    (tmp_path / "r.yaml").write_text('- {name: Rosa Delgado, last_name: Delgado, infusion_date: "2027-03-05"}\n'
                                     '- {name: Amara Okafor, infusion_date: "2027-03-09"}\n', encoding="utf-8")
    result = run_cli("batch", tmp_path / "r.yaml", "-o", tmp_path / "out", *GUIDE)
    assert result.exit_code == 1
    assert "row 2: name: is given whole and in parts (last_name): keep one" in result.output
    assert list(guide_texts(tmp_path / "out")) == ["Amara-Okafor-3"]


LAST_FIRST = [["Delgado, Rosa", "2027-03-05", "Delgado, Luis"], ["Amara Okafor", "2027-03-09", ""]]


def test_names_written_last_first_are_named_in_a_warning_and_printed_as_written(tmp_path):
    roster = write_rows(tmp_path / "r.csv", ["Name", "Infusion Date", "Caregiver"], LAST_FIRST)
    result = run_cli("batch", roster, "-o", tmp_path / "out", *GUIDE)
    assert result.exit_code == 0
    assert ("warning: row 2: name: written Last, First: printed as written (--last-name-first prints it First Last)"
            in result.output)
    assert "warning: row 2: caregiver: written Last, First" in result.output
    assert "Delgado" not in result.output.replace("Delgado-Rosa", "")  # no values, only the folder's name
    assert "Stay with Delgado, Rosa all day" in guide_texts(tmp_path / "out")["Delgado-Rosa-2"]


def test_last_name_first_prints_the_names_first_last(tmp_path):
    roster = write_rows(tmp_path / "r.csv", ["Name", "Infusion Date", "Caregiver"], LAST_FIRST)
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--last-name-first", "--doc", "handout", *GUIDE)
    assert result.exit_code == 0
    assert "Last, First" not in result.output
    texts = guide_texts(tmp_path / "out")
    assert "Stay with Rosa Delgado all day" in texts["Rosa-Delgado-2"]
    assert "Stay with Amara Okafor all day" in texts["Amara-Okafor-3"]
    assert "Your caregiver is Luis Delgado." in pdf_text(tmp_path / "out" / "Rosa-Delgado-2" / "handout.pdf")


def test_generate_reads_a_patient_file_with_name_parts_and_turns_a_name_when_told(tmp_path, write_yaml):
    patient = write_yaml("p.yaml", 'First Name: Rosa\nLast Name: Delgado\ninfusion_date: "2027-03-05"\n')
    assert run_cli("generate", "--patient", patient, "-o", tmp_path / "a", *GUIDE).exit_code == 0
    assert "Stay with Rosa Delgado all day" in pdf_text(tmp_path / "a" / "caregiver-guide.pdf")
    told = run_cli("generate", "--name", "Okafor, Amara", "--infusion-date", "2027-03-05", "--last-name-first",
                   "-o", tmp_path / "b", *GUIDE)
    assert told.exit_code == 0 and "Last, First" not in told.output
    assert "Stay with Amara Okafor all day" in pdf_text(tmp_path / "b" / "caregiver-guide.pdf")
    untold = run_cli("generate", "--name", "Okafor, Amara", "--infusion-date", "2027-03-05", "-o", tmp_path / "c", *GUIDE)
    assert "warning: name: written Last, First: printed as written" in untold.output


def test_a_physician_written_last_first_from_an_attending_column_is_turned_when_told(tmp_path):
    """An export's "Attending" column was refused as unknown; dropped, the doctor was lost, and a
    physician written "Rao, Anika" went on the card's back as written, without a warning."""
    roster = write_rows(tmp_path / "r.csv", ["Name", "Infusion Date", "Attending"],
                        [["Rosa Delgado", "2027-03-05", "Rao, Anika, MD"]])
    warned = run_cli("batch", roster, "--check")
    assert "warning: row 2: physician: written Last, First" in warned.output
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--last-name-first", "--doc", "wallet-card")
    assert result.exit_code == 0, result.output
    assert "Anika Rao, MD" in pdf_text(tmp_path / "out" / "Rosa-Delgado-2" / "wallet-card.pdf")


@pytest.mark.parametrize("written, printed", [
    ("MAREK KOWALSKI", "Marek Kowalski"),
    ("ROSA M DE LA CRUZ-O'NEIL", "Rosa M de la Cruz-O'Neil"),
    ("JOAO DA SILVA", "Joao da Silva"),
    ("NGUYEN DO", "Nguyen Do"),  # a particle ends no name
    ("VI NGUYEN", "Vi Nguyen"), ("JOHN SMITH III", "John Smith III"),
    ("MCDONALD, JOHN", "McDonald, John"), ("RAO, ANIKA, MD", "Rao, Anika, MD"),
    ("ÁNGEL NÚÑEZ", "Ángel Núñez"),
    ("ROBERT E LEE", "Robert E Lee"), ("NGUYEN VAN AN", "Nguyen Van An"), ("W E B DU BOIS", "W E B du Bois"),
    ("DELGADO,ROSA MARIA", "Delgado, Rosa Maria"), ("RAO，ANIKA", "Rao，Anika"),  # a comma with no space
    ("Rosa deLuca", "Rosa deLuca"), ("李伟", "李伟"),  # not in capitals: as written
])
def test_a_name_in_capitals_gets_a_capital_to_each_word_and_no_other_changes(written, printed):
    from carthandout.name_order import capitalized
    assert capitalized(written) == printed


def test_names_in_capitals_are_warned_about_and_written_with_capitals_when_told(tmp_path):
    roster = write_rows(tmp_path / "r.csv", ["Name", "Infusion Date", "Caregiver"],
                        [["DELGADO, ROSA M", "2027-03-05", "LUIS DELGADO"], ["Amara Okafor", "2027-03-09", "N/A"]])
    warned = run_cli("batch", roster, "--check")
    assert "warning: row 2: name: written in capitals: printed so (--capitalize-names" in warned.output
    assert "warning: row 2: caregiver: written in capitals" in warned.output and "DELGADO" not in warned.output
    assert "rows 2, 3: caregiver: written in capitals" not in warned.output  # N/A: read as empty, not a name
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--capitalize-names", "--last-name-first", *GUIDE)
    assert result.exit_code == 0, result.output
    assert "in capitals" not in result.output
    assert "Stay with Rosa M Delgado all day" in guide_texts(tmp_path / "out")["Rosa-M-Delgado-2"]


@pytest.mark.parametrize("cells, problem", [
    (["N/A", "Smith"], None), (["Ana", "-"], None),  # a part saying nothing is left out, with a warning
    (["#N/A", ""], "row 2: first_name: the cell shows the spreadsheet error #N/A"),
    (["Rosa", "#REF!"], "row 2: last_name: the cell shows the spreadsheet error #REF!"),
])
def test_a_name_part_saying_nothing_is_left_out_and_one_showing_an_error_fails_its_row(tmp_path, cells, problem):
    """"N/A Smith" and "Rosa #REF!" printed on every page: each part is read as a field is."""
    roster = write_rows(tmp_path / "r.csv", ["First Name", "Last Name", "Infusion Date"], [[*cells, "2027-03-05"]])
    result = run_cli("batch", roster, "-o", tmp_path / "out", *GUIDE)
    if problem:
        assert result.exit_code == 1 and problem in result.output
        assert "name: is required" not in result.output  # the part's problem, not its consequence
        return
    assert result.exit_code == 0, result.output
    said_nothing = "first_name" if cells[0] == "N/A" else "last_name"
    assert f"warning: row 2: {said_nothing}: N/A, none, - or the like: read as empty" in result.output
    (text,) = guide_texts(tmp_path / "out").values()
    kept = cells[1] if cells[0] == "N/A" else cells[0]
    assert f"Stay with {kept} all day" in text


def test_a_patient_file_with_an_empty_part_and_a_suffix_column(tmp_path, write_yaml):
    patient = write_yaml("p.yaml", 'first_name: Rosa\nmiddle_name:\nlast_name: Delgado\nSuffix: Jr.\n'
                                   'infusion_date: "2027-03-05"\n')
    result = run_cli("generate", "--patient", patient, "-o", tmp_path / "a", *GUIDE)
    assert result.exit_code == 0, result.output
    assert "Stay with Rosa Delgado Jr. all day" in pdf_text(tmp_path / "a" / "caregiver-guide.pdf")
    number = write_yaml("n.yaml", 'first_name: 4417\nlast_name: Delgado\ninfusion_date: "2027-03-05"\n')
    refused = run_cli("generate", "--patient", number, "-o", tmp_path / "b")
    assert refused.exit_code == 2 and "first_name: must be text, got a number (in YAML put it in quotes" in refused.output


def test_parts_too_long_together_are_named(tmp_path):
    roster = write_rows(tmp_path / "r.csv", ["First Name", "Last Name", "Infusion Date"],
                        [["A" * 70, "B" * 60, "2027-03-05"]])
    result = run_cli("batch", roster, "--check")
    assert "row 2: name: joined from first_name, last_name is too long (131 characters, at most 120)" in result.output
