"""The label's target dose for a body weight (pure, exact: integers and Decimal, never float)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal


@dataclass(frozen=True)
class TargetDose:
    weight_kg: Decimal
    cells_per_kg: int
    max_cells: int
    weight_based_cells: int
    cells: int

    @property
    def capped(self) -> bool:
        """True when the weight-based dose is above the maximum (at exactly the maximum it is not)."""
        return self.weight_based_cells > self.max_cells


def exact_weight(weight_kg: float | int | str | Decimal) -> Decimal:
    """A weight as the Decimal it was written as: ``72.1`` stays 72.1, not 72.09999...

    ``repr`` of a float is its shortest round-trip form, which is what the user typed.
    """
    if isinstance(weight_kg, Decimal):
        return weight_kg
    return Decimal(repr(weight_kg) if isinstance(weight_kg, float) else str(weight_kg))


def target_dose(weight_kg: float | int | str | Decimal, cells_per_kg: int, max_cells: int) -> TargetDose:
    """``cells_per_kg`` x weight, capped at ``max_cells``; fractions of a cell are dropped, never rounded up."""
    weight = exact_weight(weight_kg)
    if weight <= 0:
        raise ValueError("weight must be positive")
    weight_based = int((weight * cells_per_kg).to_integral_value(rounding=ROUND_DOWN))
    return TargetDose(weight, cells_per_kg, max_cells, weight_based, min(weight_based, max_cells))


def scientific(cells: int, significant: int = 3) -> tuple[Decimal, int]:
    """``144000000`` -> ``(Decimal("1.44"), 8)``: mantissa (trailing zeros dropped) and power of ten.

    The mantissa is cut, not rounded, so a printed dose is never above the computed one.
    """
    if cells <= 0:
        return Decimal(0), 0
    exponent = len(str(cells)) - 1
    mantissa = (Decimal(cells).scaleb(-exponent)).quantize(Decimal(1).scaleb(1 - significant), rounding=ROUND_DOWN)
    return mantissa.normalize(), exponent
