"""Errors that reach the user as one clear line, never as a traceback."""
from __future__ import annotations

from typing import Sequence


class CarthandoutError(Exception):
    """Base class for every error the CLI reports as one line."""

    def line(self, show_values: bool = False) -> str:
        return str(self)


class InputError(CarthandoutError):
    """A bad input value: names the field, and the value only when asked to.

    ``problem`` may contain ``{value}``; without ``show_values`` the value is left out so that
    patient data never reaches a log by default.
    """

    def __init__(self, field: str, problem: str, value: object = None, sensitive: bool = True,
                 hidden: str = "the value"):
        self.field = field
        self.problem = problem
        self.value = value
        self.sensitive = sensitive
        self.hidden = hidden
        super().__init__(self.line(show_values=not sensitive))

    def line(self, show_values: bool = False) -> str:
        return f"{self.field}: {self.problem_text(show_values)}"

    def problem_text(self, show_values: bool = False) -> str:
        """What is wrong, without the field name (for tables that have a field column)."""
        if "{value}" not in self.problem:
            return self.problem
        if show_values or not self.sensitive:
            return self.problem.replace("{value}", shown(self.value))
        return self.problem.replace("{value}", self.hidden)


SHOWN_AT_MOST = 200  # characters of a value shown in an error line


def shown(value: object) -> str:
    """A value as an error line shows it: one line, at most ``SHOWN_AT_MOST`` characters; a list or
    mapping by its kind alone (YAML aliases nest one into gigabytes of text)."""
    if isinstance(value, (list, tuple, set, dict)):
        return f"a {'mapping' if isinstance(value, dict) else 'list'}"
    text = str(value)
    return printable(text if len(text) <= SHOWN_AT_MOST else text[:SHOWN_AT_MOST] + "…")


def counted(number: int, noun: str) -> str:
    """``1 patient``, ``2 patients``: a count in a message."""
    return f"{number} {noun}{'' if number == 1 else 's'}"


def printable(text: str) -> str:
    """``text`` with line breaks, control and format characters written as escapes: a value
    shown in an error stays on its one line and cannot forge another ("2027\nrow 9: ...") or
    send a terminal escape sequence."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() or ch == " " else ch.encode("unicode_escape").decode("ascii") for ch in text)


class ContentError(CarthandoutError):
    """A problem in a content pack, policy profile or clinic file (not patient data)."""


class SeveralProblems(CarthandoutError):
    """Problems found together (a clinic file's section checked entry by entry): reported as the
    first one's line, with how many more; ``carthandout check --clinic`` lists each."""

    def __init__(self, problems: list[CarthandoutError]):
        self.problems = problems
        super().__init__(self.line())

    def line(self, show_values: bool = False) -> str:
        more = len(self.problems) - 1
        return self.problems[0].line(show_values) + (f" (and {more} more: carthandout check --clinic lists them)" if more else "")


def raise_together(problems: Sequence[CarthandoutError]) -> None:
    """Raise the one problem found, or all of them as ``SeveralProblems``; nothing when there are none."""
    if problems:
        raise problems[0] if len(problems) == 1 else SeveralProblems(list(problems))
