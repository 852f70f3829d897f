"""The documents carthandout prints, by id. Each module offers ``render`` and ``validate``."""
from __future__ import annotations

from types import ModuleType

from carthandout.content import register_layout_check

from carthandout.documents import handout
from carthandout.documents import checklist
from carthandout.documents import wallet_card
from carthandout.documents import temperature_log, caregiver_guide, milestone_calendar

DOCUMENTS: dict[str, ModuleType] = {
    handout.DOCUMENT_ID: handout,
    checklist.DOCUMENT_ID: checklist,
    wallet_card.DOCUMENT_ID: wallet_card,
    temperature_log.DOCUMENT_ID: temperature_log,
    caregiver_guide.DOCUMENT_ID: caregiver_guide,
    milestone_calendar.DOCUMENT_ID: milestone_calendar,
}
DEFAULT_DOCUMENTS: tuple[str, ...] = tuple(DOCUMENTS)
for _document, _module in DOCUMENTS.items():
    register_layout_check(_document, _module.validate)
