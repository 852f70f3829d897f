"""Shared helpers: run the CLI in-process and read PDFs back."""
from __future__ import annotations

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
    """The example clinic's values in a profile of the clinic's own: its papers carry no example stamp."""
    folder = tmp_path_factory.mktemp("own-clinic")
    for name in (EXAMPLE_CLINIC, "logo.png"):
        shutil.copyfile(example_path(name), folder / name)
    return folder / EXAMPLE_CLINIC


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
