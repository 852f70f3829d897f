"""The command line: exit codes, one-line errors, manifest, check, docs."""
import csv
import hashlib
import subprocess
import sys

import pypdf
import pytest

from carthandout import __version__
from conftest import pdf_text, run_cli


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
    path = write_yaml("p.yaml", "name: Ann\ninfusion_date: 2027-03-05\nmrn: 0123\n")
    result = run_cli("generate", "--patient", path, "-o", tmp_path / "out")
    assert result.exit_code == 2 and "mrn: must be text" in result.stderr


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
