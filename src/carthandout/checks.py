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
from carthandout.completeness import check_completeness
from carthandout.readability import DEFAULT_MAX_GRADE, SectionScore, format_table, max_grade_from, score_pack


def run_checks(clinic_file: Path | None) -> list[str]:
    problems: list[str] = []
    problems += _check_policies()
    problems += _check_content()
    problems += _check_clinic(clinic_file)
    problems += check_completeness()
    problems += readability_problems(clinic_file)
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
        for module in DOCUMENTS.values():  # a document that owns a clinic section checks it
            if hasattr(module, "check_clinic"):
                module.check_clinic(clinic)
    except CarthandoutError as error:
        return [error.line(show_values=True)]
    return []


def readability_table(clinic_file: Path | None) -> list[str]:
    """The reading level of every section of every pack, one block of lines per document."""
    scores, _ = _readability(_max_grade(clinic_file))
    return format_table(scores)


def readability_problems(clinic_file: Path | None) -> list[str]:
    try:
        max_grade = max_grade_from(_clinic_readability(clinic_file))
    except CarthandoutError as error:
        return [error.line(show_values=True)]
    scores, problems = _readability(max_grade)
    return problems + [score.problem() for score in scores if not score.passed]


def _max_grade(clinic_file: Path | None) -> float:
    try:
        return max_grade_from(_clinic_readability(clinic_file))
    except CarthandoutError:
        return DEFAULT_MAX_GRADE  # readability_problems reports it


def _clinic_readability(clinic_file: Path | None) -> object:
    try:
        clinic = load_clinic(clinic_file)
    except CarthandoutError:
        return None  # _check_clinic reports it
    return clinic.extra("readability")


def _readability(max_grade: float) -> tuple[list[SectionScore], list[str]]:
    scores: list[SectionScore] = []
    problems: list[str] = []
    for language in available_languages():
        for document in available_documents(language):
            try:
                pack = load_pack(document, language)
            except CarthandoutError:
                continue  # _check_content reports it
            try:
                scores += score_pack(pack, max_grade)
            except CarthandoutError as error:
                problems.append(f"{pack.origin}: {error.line(show_values=True)}")
    return scores, problems
