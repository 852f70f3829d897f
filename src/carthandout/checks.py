"""``carthandout check``: every content pack, policy profile and the clinic file, all problems listed."""
from __future__ import annotations

from pathlib import Path

from carthandout.content import available_documents, available_languages, load_common, load_pack
from carthandout.context import effective_policy
from carthandout.documents import DOCUMENTS
from carthandout.errors import CarthandoutError
from carthandout.formatting import check_date_format
from carthandout.inputs import load_clinic
from carthandout.policy import available_policies, load_policy


def run_checks(clinic_file: Path | None) -> list[str]:
    problems: list[str] = []
    problems += _check_policies()
    problems += _check_content()
    problems += _check_clinic(clinic_file)
    return problems


def _check_policies() -> list[str]:
    problems = []
    for name in available_policies():
        try:
            load_policy(name)
        except CarthandoutError as error:
            problems.append(error.line(show_values=True))
    return problems


def _check_content() -> list[str]:
    problems = []
    for language in available_languages():
        try:
            load_common(language)
        except CarthandoutError as error:
            problems.append(error.line(show_values=True))
        for document in available_documents(language):
            if document not in DOCUMENTS:
                problems.append(f"handouts/{language}/{document}.yaml: no such document")
                continue
            try:
                problems += DOCUMENTS[document].validate(load_pack(document, language))
            except CarthandoutError as error:
                problems.append(error.line(show_values=True))
    return problems


def _check_clinic(clinic_file: Path | None) -> list[str]:
    try:
        clinic = load_clinic(clinic_file)
        check_date_format(clinic.date_format)
        effective_policy(clinic)
    except CarthandoutError as error:
        return [error.line(show_values=True)]
    return []
