"""The documents carthandout prints, by id. Each module offers ``render`` and ``validate``."""
from __future__ import annotations

from types import ModuleType

from carthandout.documents import handout
from carthandout.documents import checklist

DOCUMENTS: dict[str, ModuleType] = {
    handout.DOCUMENT_ID: handout,
    checklist.DOCUMENT_ID: checklist,
}
DEFAULT_DOCUMENTS: tuple[str, ...] = tuple(DOCUMENTS)
