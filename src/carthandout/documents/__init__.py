"""The documents carthandout prints, by id. Each module offers ``render`` and ``validate``."""
from __future__ import annotations

from types import ModuleType

from carthandout.documents import handout
from carthandout.documents import checklist
from carthandout.documents import wallet_card

DOCUMENTS: dict[str, ModuleType] = {
    handout.DOCUMENT_ID: handout,
    checklist.DOCUMENT_ID: checklist,
    wallet_card.DOCUMENT_ID: wallet_card,
}
DEFAULT_DOCUMENTS: tuple[str, ...] = tuple(DOCUMENTS)
