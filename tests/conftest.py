"""Shared helpers: run the CLI in-process and read PDFs back."""
from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner

from carthandout.cli import cli
from carthandout.inputs import EXAMPLE_CLINIC, EXAMPLE_PATIENT, example_path


def run_cli(*args: str, **kwargs):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False, **kwargs)


def pdf_text(path: Path) -> str:
    """All pages' text with whitespace runs folded to one space (lines wrap anywhere)."""
    return " ".join(" ".join(page.extract_text().split()) for page in pypdf.PdfReader(path).pages)


def page_texts(path: Path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


@pytest.fixture
def example_clinic() -> Path:
    return example_path(EXAMPLE_CLINIC)


@pytest.fixture(scope="session")
def own_clinic(tmp_path_factory) -> Path:
    """The example clinic in a profile of the clinic's own, its made-up phone numbers replaced by
    the clinic's (of the same length): its papers carry no example stamp."""
    folder = tmp_path_factory.mktemp("own-clinic")
    shutil.copyfile(example_path("logo.png"), folder / "logo.png")
    text = example_path(EXAMPLE_CLINIC).read_text(encoding="utf-8")
    (folder / EXAMPLE_CLINIC).write_text(own_numbers(text), encoding="utf-8")
    return folder / EXAMPLE_CLINIC


def own_numbers(clinic_yaml: str) -> str:
    """``clinic_yaml`` with every made-up number of the example (center and team) replaced."""
    return clinic_yaml.replace("(217) 555-01", "(217) 545-71")


@pytest.fixture
def example_patient() -> Path:
    return example_path(EXAMPLE_PATIENT)


@pytest.fixture
def write_yaml(tmp_path: Path):
    def write(name: str, text: str) -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path
    return write


def fill_in_on_screen(path: Path, initials: str) -> bytes:
    """What a viewer does when staff type into a checklist and save it: the first initials field
    filled in, the file saved in its place. Returns the saved bytes."""
    writer = pypdf.PdfWriter(clone_from=path)
    for page in writer.pages:
        names = [annot.get_object().get("/T") for annot in page.get("/Annots", [])]
        name = next((name for name in names if name and name.endswith("_initials")), None)
        if name:
            writer.update_page_form_field_values(page, {name: initials}, auto_regenerate=False)
            break
    with path.open("wb") as stream:
        writer.write(stream)
    return path.read_bytes()


def field_values(path: Path) -> set[str]:
    return {str(field.get("/V")) for field in (pypdf.PdfReader(path).get_fields() or {}).values() if field.get("/V")}


def fonts_not_embedded(path: Path) -> set[str]:
    """The fonts a PDF's pages, their form XObjects and their fields' appearances name without
    their program embedded: what a preflight (pdffonts' "emb", PDF/A) rejects."""
    missing: set[str] = set()
    seen: set[int] = set()

    def walk(resources) -> None:
        resources = resources.get_object() if resources is not None else {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            for face in [font] + [d.get_object() for d in font.get("/DescendantFonts", [])]:
                if face.get("/Subtype") == "/Type0":
                    continue
                descriptor = face.get("/FontDescriptor")
                if face.get("/Subtype") != "/Type3" and not (
                        descriptor and any(k in descriptor.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))):
                    missing.add(str(face.get("/BaseFont")))
        for xobject in (resources.get("/XObject") or {}).values():
            stream(xobject)

    def stream(reference) -> None:
        key = getattr(reference, "idnum", None)
        if key in seen:
            return
        if key is not None:
            seen.add(key)
        obj = reference.get_object()
        if hasattr(obj, "get") and "/Resources" in obj:
            walk(obj["/Resources"])
        elif hasattr(obj, "values") and not hasattr(obj, "get_data"):  # an appearance's states
            for state in obj.values():
                stream(state)

    for page in pypdf.PdfReader(path).pages:
        walk(page.get("/Resources"))
        for annotation in page.get("/Annots", []):
            for appearance in (annotation.get_object().get("/AP") or {}).values():
                stream(appearance)
    return missing


RUN_DAY = dt.date(2026, 11, 26)  # the day the tests run on, whatever the clock says: 2027 dates stay ahead


@pytest.fixture(autouse=True)
def fixed_run_day(monkeypatch):
    """``schedule.today`` fixed: a warning on the infusion date depends on the day of the run."""
    monkeypatch.setattr("carthandout.schedule.today", lambda: RUN_DAY)


@pytest.fixture
def edited_content(monkeypatch):
    """Content packs as an author edited them: ``edit(document, language, old, new)`` replaces text
    in the pack as it is read. The loaded packs are forgotten before and after."""
    from carthandout import content, context
    original = content.pack_text
    edits: dict[tuple[str, str], list[tuple[str, str]]] = {}

    def pack_text(document: str, language: str) -> tuple[str, str]:
        text, origin = original(document, language)
        for old, new in edits.get((document, language), []):
            assert old in text, old
            text = text.replace(old, new)
        return text, origin

    def forget() -> None:
        content.read_pack.cache_clear()
        content.load_pack.cache_clear()
        content.load_common.cache_clear()
        context._formatter.cache_clear()  # it keeps common.yaml's locale and units

    def edit(document: str, language: str, old: str, new: str) -> None:
        edits.setdefault((document, language), []).append((old, new))
        forget()

    monkeypatch.setattr(content, "pack_text", pack_text)
    yield edit
    forget()
