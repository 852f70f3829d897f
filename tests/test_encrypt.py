"""PHI: --encrypt gives AES-256 files that open with the password only; metadata without the name."""
from __future__ import annotations

import shutil

import pypdf
import pytest

from conftest import run_cli

PASSWORD = "correct-horse-battery"
ARGS = ("generate", "--name", "Ana Quiñones", "--infusion-date", "2028-02-27", "--doc", "handout", "--encrypt")


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory):
    out = tmp_path_factory.mktemp("encrypted")
    result = run_cli(*ARGS, "-o", out, env={"CARTHANDOUT_PDF_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    return out / "handout.pdf"


def test_opens_with_the_password_and_reads_back(encrypted):
    reader = pypdf.PdfReader(encrypted)
    assert reader.is_encrypted
    assert reader.decrypt(PASSWORD) != pypdf.PasswordType.NOT_DECRYPTED
    assert "Ana Quiñones" in reader.pages[0].extract_text()


def test_does_not_open_without_the_password(encrypted):
    reader = pypdf.PdfReader(encrypted)
    assert reader.decrypt("") == pypdf.PasswordType.NOT_DECRYPTED
    assert reader.decrypt("wrong-password") == pypdf.PasswordType.NOT_DECRYPTED
    with pytest.raises(pypdf.errors.FileNotDecryptedError):
        reader.pages[0].extract_text()


def test_uses_aes_256(encrypted):
    encrypt = pypdf.PdfReader(encrypted).trailer["/Encrypt"].get_object()
    assert encrypt["/V"] == 5 and encrypt["/R"] == 6
    assert encrypt["/CF"]["/StdCF"]["/CFM"] == "/AESV3"


def test_an_encrypted_file_declares_the_version_aes_256_needs(encrypted):
    """pypdf wrote "%PDF-1.3" over AES-256, which is PDF 2.0's (or 1.7 with Adobe's extension level 8)."""
    assert encrypted.read_bytes().startswith(b"%PDF-1.7\n")
    reader = pypdf.PdfReader(encrypted)
    reader.decrypt(PASSWORD)
    extension = reader.trailer["/Root"]["/Extensions"]["/ADBE"]
    assert extension["/BaseVersion"] == "/1.7" and extension["/ExtensionLevel"] == 8


def test_password_from_a_named_environment_variable(tmp_path):
    result = run_cli(*ARGS, "--password-env", "CLINIC_SECRET", "-o", tmp_path, env={"CLINIC_SECRET": PASSWORD})
    assert result.exit_code == 0, result.output
    assert pypdf.PdfReader(tmp_path / "handout.pdf").decrypt(PASSWORD) != pypdf.PasswordType.NOT_DECRYPTED


def test_no_password_available_is_a_clear_error_and_writes_nothing(tmp_path):
    result = run_cli(*ARGS, "-o", tmp_path / "out", env={"CARTHANDOUT_PDF_PASSWORD": ""})
    assert result.exit_code == 2
    assert "--encrypt" in result.stderr and "CARTHANDOUT_PDF_PASSWORD" in result.stderr
    assert not (tmp_path / "out").exists()


def test_short_password_is_refused_without_echoing_it(tmp_path):
    result = run_cli(*ARGS, "-o", tmp_path, env={"CARTHANDOUT_PDF_PASSWORD": "abc12"})
    assert result.exit_code == 2 and "at least 8" in result.stderr and "abc12" not in result.stderr


def test_there_is_no_password_option():
    result = run_cli(*ARGS, "--password", PASSWORD, "-o", "unused")
    assert result.exit_code == 2 and "No such option" in result.stderr


@pytest.mark.parametrize("command", ["generate", "batch", "batch --check"])
def test_a_password_variable_without_encrypt_is_refused_not_ignored(tmp_path, command):
    """--password-env alone wrote unencrypted PDFs and exited 0."""
    if command == "generate":
        args = [*ARGS[:-1]]
    else:
        roster = tmp_path / "roster.csv"
        roster.write_text("name,infusion_date\nAnn Lee,2027-03-05\n", encoding="utf-8")
        args = ["batch", roster, *command.split()[1:]]
    result = run_cli(*args, "--password-env", "CLINIC_SECRET", "-o", tmp_path / "out", env={"CLINIC_SECRET": PASSWORD})
    assert result.exit_code == 2
    assert result.stderr == "error: --password-env: applies only with --encrypt: without it no PDF is encrypted\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("command", ["generate", "batch"])
def test_a_password_given_as_the_variables_name_is_refused_and_never_echoed(tmp_path, command):
    """--password-env 'Hunter2-Secret!' printed "set the environment variable Hunter2-Secret!":
    the password itself, in the terminal's scrollback and any log (an outside security pass)."""
    roster = tmp_path / "roster.csv"
    roster.write_text("name,infusion_date\nAnn Lee,2027-03-05\n", encoding="utf-8")
    args = [*ARGS[:-1]] if command == "generate" else ["batch", roster]
    result = run_cli(*args, "--encrypt", "--password-env", "Hunter2-Secret!", "-o", tmp_path / "out",
                     env={"CARTHANDOUT_PDF_PASSWORD": ""})
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --password-env: takes the name of an environment variable")
    assert "Hunter2" not in result.output and not (tmp_path / "out").exists()


def test_an_unset_password_variable_is_not_named_when_the_user_chose_it(tmp_path):
    """--password-env Summer_2025_Rosa (a password typed where a name goes, shaped like one) was
    repeated in "set the environment variable Summer_2025_Rosa" without a terminal (a review)."""
    result = run_cli(*ARGS[:-1], "--encrypt", "--password-env", "Summer_2025_Rosa", "-o", tmp_path / "out",
                     env={"Summer_2025_Rosa": ""})
    assert result.exit_code == 2 and "Summer" not in result.output
    assert "set the environment variable that --password-env names" in result.stderr
    default = run_cli(*ARGS[:-1], "--encrypt", "-o", tmp_path / "out", env={"CARTHANDOUT_PDF_PASSWORD": ""})
    assert "set the environment variable CARTHANDOUT_PDF_PASSWORD" in default.stderr


def test_the_readable_file_identifier_is_not_the_plain_files(encrypted, tmp_path):
    """The trailer's /ID stays unencrypted; it was the plain PDF's, a hash of its content, so a
    guessed patient and date could be confirmed by making the plain file and comparing."""
    result = run_cli(*ARGS[:-1], "-o", tmp_path)
    assert result.exit_code == 0
    plain = pypdf.PdfReader(tmp_path / "handout.pdf").trailer["/ID"]
    secret = pypdf.PdfReader(encrypted).trailer["/ID"]
    assert not {bytes(plain[0].original_bytes), bytes(plain[1].original_bytes)} & {
        bytes(secret[0].original_bytes), bytes(secret[1].original_bytes)}


def test_without_encrypt_the_file_is_plain(tmp_path):
    result = run_cli(*ARGS[:-1], "-o", tmp_path, env={"CARTHANDOUT_PDF_PASSWORD": PASSWORD})
    assert result.exit_code == 0
    assert not pypdf.PdfReader(tmp_path / "handout.pdf").is_encrypted


@pytest.mark.parametrize("opt_in", [False, True])
def test_metadata_names_the_patient_only_when_the_clinic_opts_in(tmp_path, example_clinic, opt_in):
    clinic = tmp_path / "clinic.yaml"
    shutil.copy(example_clinic.parent / "logo.png", tmp_path / "logo.png")
    clinic.write_text(example_clinic.read_text(encoding="utf-8") + f"\nname_in_metadata: {'true' if opt_in else 'false'}\n",
                      encoding="utf-8")
    result = run_cli(*ARGS[:-1], "--clinic", clinic, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    metadata = pypdf.PdfReader(tmp_path / "out" / "handout.pdf").metadata
    assert metadata.title.startswith("Your CAR T-cell therapy")
    assert ("Quiñones" in " ".join(str(v) for v in metadata.values())) is opt_in


def test_batch_encrypts_every_file_including_the_print_files(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,infusion_date,mrn\nAna Silva,2027-03-05,A1\nBo Chen,2027-03-06,B2\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("batch", roster, "-o", out, "--doc", "handout", "--doc", "wallet-card", "--jobs", "1",
                     "--encrypt", env={"CARTHANDOUT_PDF_PASSWORD": PASSWORD})
    assert result.exit_code == 0, result.output
    pdfs = sorted(out.rglob("*.pdf"))
    assert {p.parent.name for p in pdfs} == {"patient-2", "patient-3", "print"}
    for path in pdfs:
        reader = pypdf.PdfReader(path)
        assert reader.is_encrypted, path
        assert reader.decrypt(PASSWORD) != pypdf.PasswordType.NOT_DECRYPTED
        assert reader.pages[0].extract_text()
    handouts = pypdf.PdfReader(out / "print/handouts-part-001.pdf")
    handouts.decrypt(PASSWORD)
    assert "Bo Chen" in " ".join(page.extract_text() for page in handouts.pages)


def test_batch_encrypt_names_folders_by_row_unless_a_template_is_given(tmp_path):
    """Encrypted files leave the building: their folders were named by MRN or name, and so were
    the rows of the unencrypted manifest.csv."""
    roster = tmp_path / "roster.csv"
    roster.write_text("name,infusion_date,mrn\nRosa Delgado,2027-03-05,RCC-004417\nAnn Smith,2027-03-06,\n",
                      encoding="utf-8")
    env = {"CARTHANDOUT_PDF_PASSWORD": PASSWORD}
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--doc", "wallet-card", "--encrypt", env=env)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["patient-2", "patient-3", "print"]
    # staff matching a packet to its patient are told how the folders are named, and how else
    assert "note: the folders are named by the roster's row (patient-5 holds row 5)" in result.stderr
    manifest = (tmp_path / "out" / "manifest.csv").read_text(encoding="utf-8")
    assert "RCC-004417" not in manifest and "Smith" not in manifest
    chosen = run_cli("batch", roster, "-o", tmp_path / "mrn", "--doc", "wallet-card", "--encrypt",
                     "--name-template", "{mrn}{row}", env=env)
    assert chosen.exit_code == 0, chosen.output
    assert (tmp_path / "mrn" / "RCC-0044172").is_dir() and "named by the roster's row" not in chosen.stderr


def test_batch_without_a_password_is_bad_input(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text("name,infusion_date\nAna,2027-03-05\n", encoding="utf-8")
    result = run_cli("batch", roster, "-o", tmp_path / "out", "--encrypt", env={"CARTHANDOUT_PDF_PASSWORD": ""})
    assert result.exit_code == 2 and "--encrypt" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_password_of_spaces_is_refused(tmp_path):
    """Eight spaces were taken as a password."""
    result = run_cli(*ARGS, "-o", tmp_path, env={"CARTHANDOUT_PDF_PASSWORD": " " * 8 + "ab"})
    assert result.exit_code == 2 and "at least 8 characters besides spaces" in result.stderr
    assert not list(tmp_path.glob("*.pdf"))
