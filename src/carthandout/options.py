"""How to render: the choices a run makes that are not patient or clinic data."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RenderOptions:
    documents: tuple[str, ...]
    paper: str | None = None
    language: str | None = None
    large_print: bool | None = None
