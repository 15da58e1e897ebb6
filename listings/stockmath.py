"""The arithmetic of stock cover and replenishment, on plain numbers: the listing's stock plan and the FBA
restock plan both read it, so "days of cover" and "units to order" mean one thing everywhere."""

from __future__ import annotations

import math


def days_of_cover(units: float, velocity: float) -> float | None:
    """How many days ``units`` last at ``velocity`` units a day; None when nothing sells (they last indefinitely)."""
    return units / velocity if velocity > 0 else None


def units_needed(value: float) -> int:
    """A number of units from a figure of sales arithmetic: rounded up, never below 0. Rounded to six places
    before the ceiling, so float noise (29.000000001) does not count one unit more."""
    return max(0, math.ceil(round(value, 6)))


def replenishment_units(*, velocity: float, days: float, available: int, inbound: int) -> int:
    """Units to order so that ``days`` of sales are covered: velocity × days − available − inbound, never below 0."""
    return units_needed(velocity * days - available - inbound)
