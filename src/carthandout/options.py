"""How to render: the choices a run makes that are not patient or clinic data."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from carthandout.imposition import check_back_offset, layout_for

if TYPE_CHECKING:
    from carthandout.models import Patient


DEFAULT_PART_SIZE = 25  # patients per print part: about 640 pages with the default documents, one print job


@dataclass(frozen=True)
class RenderOptions:
    documents: tuple[str, ...]
    paper: str | None = None
    language: str | None = None
    large_print: bool | None = None
    # Wallet card imposition (see imposition.py and docs/wallet-card.md).
    card_layout: str = "single"
    duplex: str = "long"
    back_offset_mm: tuple[float, float] = (0.0, 0.0)
    copies: int = 1
    # Set by --encrypt: every written PDF is AES-256 encrypted (protect.py). Never printed.
    pdf_password: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        """Card choices that cannot work together are refused here, once, before any patient."""
        check_back_offset(layout_for(self.card_layout), self.back_offset_mm)

    def large_print_for(self, patient: Patient) -> bool:
        """Whether ``patient``'s documents are in large print: the run's choice, else the patient's own."""
        return patient.large_print if self.large_print is None else self.large_print
