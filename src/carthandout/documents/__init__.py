"""The documents carthandout prints, by id. Each module offers ``render`` and ``validate``."""
from __future__ import annotations

from types import ModuleType

from carthandout.documents import handout

DOCUMENTS: dict[str, ModuleType] = {
    handout.DOCUMENT_ID: handout,
}
DEFAULT_DOCUMENTS: tuple[str, ...] = tuple(DOCUMENTS)
