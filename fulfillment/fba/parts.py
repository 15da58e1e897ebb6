"""The parts of Amazon's Inventory Performance Index (IPI), per SKU and per store, as one definitions table.

Amazon does not publish how it combines the parts into the index (a seller with a score below its threshold —
400 to 500 over the years — gets tighter FBA capacity limits), but it names the parts, their direction and how
each is measured: Seller Central help, "Inventory Performance Index: FAQ" and "Inventory Performance Index
(IPI)"; the Inventory Performance dashboard's cards "Excess inventory", "FBA sell-through", "Stranded
inventory" and "In-stock rate". The targets below are the ones sellers' guides give for a healthy account.

Every value is returned with its numerator and denominator, like the account-health metrics, so a page can
show the rows behind both numbers; a denominator of 0 gives the value None ("nothing to measure").
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from .inputs import SUPPLY_DAYS, FbaSku

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class PartKey(StrEnum):
    EXCESS = "excess"
    SELL_THROUGH = "sell_through"
    STRANDED = "stranded"
    IN_STOCK = "in_stock"


class Better(StrEnum):
    """``LOWER``: the target is a ceiling the value must stay below; ``HIGHER``: a floor to reach or pass."""

    LOWER = "lower"
    HIGHER = "higher"


@dataclass(frozen=True, kw_only=True)
class FbaPartDefinition:
    key: PartKey
    name: StrOrPromise
    better: Better
    target: Decimal
    #: The target as a page prints it ("< 10 %").
    target_label: StrOrPromise
    #: "ratio" (a share, printed as a percentage) or "turns" (times the average stock sold in the window).
    unit: str
    window_days: int
    description: StrOrPromise
    #: How Amazon's help describes the part, in our words.
    amazon_says: StrOrPromise

    def meets_target(self, value: Decimal | None) -> bool | None:
        """Whether ``value`` is inside the target; None when there is no value."""
        if value is None:
            return None
        return value < self.target if self.better == Better.LOWER else value >= self.target

    def as_dict(self) -> dict:
        return {"key": str(self.key), "name": str(self.name), "better": str(self.better), "target": str(self.target),
                "unit": self.unit, "window_days": self.window_days}


PART_DEFINITIONS: dict[PartKey, FbaPartDefinition] = {
    d.key: d
    for d in [
        FbaPartDefinition(
            key=PartKey.EXCESS, name=_("Excess inventory"), better=Better.LOWER, target=Decimal("0.10"),
            target_label=_("below 10 %"), unit="ratio", window_days=SUPPLY_DAYS,
            description=_("Units beyond 90 days of sales at the SKU's pace, as a share of all units at Amazon."),
            amazon_says=_("Amazon counts as excess the units that cost more to keep than to sell off, judged from "
                          "sales, storage costs and price; fewer excess units raise the index."),
        ),
        FbaPartDefinition(
            key=PartKey.SELL_THROUGH, name=_("FBA sell-through"), better=Better.HIGHER, target=Decimal("3"),
            target_label=_("3 or more in 90 days"), unit="turns", window_days=SUPPLY_DAYS,
            description=_("Units shipped in the last 90 days divided by the average units on hand over those "
                          "days (units at the start and now, halved)."),
            amazon_says=_("Amazon divides the units sold and shipped in the past 90 days by the average number of "
                          "units on hand over the same period; a higher sell-through raises the index."),
        ),
        FbaPartDefinition(
            key=PartKey.STRANDED, name=_("Stranded inventory"), better=Better.LOWER, target=Decimal("0.01"),
            target_label=_("below 1 %"), unit="ratio", window_days=0,
            description=_("Units at Amazon with no active offer to sell them, as a share of all units at Amazon."),
            amazon_says=_("Stranded units sit in a fulfilment centre without an active listing and cannot sell; "
                          "fixing or removing them raises the index."),
        ),
        FbaPartDefinition(
            key=PartKey.IN_STOCK, name=_("In-stock rate"), better=Better.HIGHER, target=Decimal("0.90"),
            target_label=_("at least 90 %"), unit="ratio", window_days=30,
            description=_("Share of the last 30 days each replenishable SKU (sold in the last 60 days, not marked "
                          "as not replenished) had fulfillable units, weighted by its units sold in 60 days."),
            amazon_says=_("Amazon measures how often replenishable FBA products were in stock over the past 30 "
                          "days, weighted by their sales; keeping best-sellers in stock raises the index."),
        ),
    ]
}


@dataclass(frozen=True)
class PartValue:
    """A part's value for one SKU or one store: ``numerator / denominator``, None when the denominator is 0."""

    numerator: Decimal
    denominator: Decimal
    value: Decimal | None


@dataclass(frozen=True)
class Contributor:
    """A SKU that moves a part, and by how much (``impact``: see ``store_part``)."""

    sku: str
    part: PartValue
    impact: Decimal


@dataclass(frozen=True)
class StorePart:
    definition: FbaPartDefinition
    part: PartValue
    meets_target: bool | None
    contributors: tuple[Contributor, ...]
    #: Excess only: the excess units at their price, and the excess units without a price (left out of it).
    value_at_price: Decimal | None = None
    unpriced_units: int = 0


def _dec(value: Fraction | int) -> Decimal:
    if isinstance(value, int):
        return Decimal(value)
    if value.denominator == 1:  # most counts: whole units (a drill-down converts tens of thousands)
        return Decimal(value.numerator)
    return Decimal(value.numerator) / Decimal(value.denominator)


def _part(numerator: Fraction | int, denominator: Fraction | int) -> PartValue:
    return PartValue(numerator=_dec(numerator), denominator=_dec(denominator),
                     value=_dec(Fraction(numerator) / denominator) if denominator else None)


# Per SKU ------------------------------------------------------------------------------------------------------

def excess_units(sku: FbaSku) -> Fraction:
    """Units on hand beyond 90 days of sales: max(0, on_hand − velocity × 90), velocity = units shipped in 90 d ÷ 90.

    A SKU that sold nothing in 90 days has all its units in excess; one just created, none of its units sold yet,
    too (the guides advise sending only what a launch will sell)."""
    return max(Fraction(0), sku.on_hand - sku.velocity * SUPPLY_DAYS)


def excess(sku: FbaSku) -> PartValue:
    """Excess units ÷ all units at Amazon (fulfillable, reserved, unfulfillable)."""
    return _part(excess_units(sku), sku.total_units)


def average_on_hand(sku: FbaSku) -> Fraction:
    """Amazon's average for sell-through: (units on hand 90 days ago + units on hand now) ÷ 2."""
    return Fraction(sku.on_hand_90_days_ago + sku.on_hand, 2)


def sell_through(sku: FbaSku) -> PartValue:
    """Units shipped in 90 days ÷ ((on hand 90 days ago + on hand now) ÷ 2), Amazon's formula."""
    return _part(sku.shipped_t90, average_on_hand(sku))


def stranded(sku: FbaSku) -> PartValue:
    """Stranded units ÷ all units at Amazon."""
    return _part(sku.stranded, sku.total_units)


def in_stock_weight(sku: FbaSku) -> int:
    """A replenishable SKU weighs its units sold in the last 60 days; any other SKU, nothing."""
    return sku.shipped_t60 if sku.replenishable else 0


def in_stock(sku: FbaSku) -> PartValue:
    """Days with fulfillable units ÷ days tracked (the last 30, fewer for a SKU created since); not replenishable:
    no value (the part does not count it)."""
    if not sku.replenishable:
        return _part(0, 0)
    return _part(sku.days_in_stock, sku.days_tracked)


# Per store ----------------------------------------------------------------------------------------------------

def _top(contributors: Iterable[Contributor], top: int) -> tuple[Contributor, ...]:
    ranked = sorted((c for c in contributors if c.impact > 0), key=lambda c: (-c.impact, c.sku))
    return tuple(ranked[:top])


def store_excess(skus: Sequence[FbaSku], *, top: int = 10) -> StorePart:
    """Σ excess units ÷ Σ all units. A SKU's impact: the points of the store's share it adds (its excess units ÷
    the store's units), so the impacts add up to the value."""
    total = sum(s.total_units for s in skus)
    units = [(s, excess_units(s)) for s in skus]  # each SKU's once: its Fractions are the costly part
    numerator = sum((u for _s, u in units), Fraction(0))
    priced = sum((u * Fraction(s.price) for s, u in units if s.price is not None), Fraction(0))
    unpriced = sum(u for s, u in units if s.price is None)
    contributors = (Contributor(s.sku, _part(u, s.total_units), _dec(u / total) if total else Decimal(0))
                    for s, u in units)
    part = _part(numerator, total)
    definition = PART_DEFINITIONS[PartKey.EXCESS]
    return StorePart(definition=definition, part=part, meets_target=definition.meets_target(part.value),
                     contributors=_top(contributors, top), value_at_price=_dec(priced).quantize(Decimal("0.01")),
                     unpriced_units=int(unpriced))


def store_sell_through(skus: Sequence[FbaSku], *, top: int = 10) -> StorePart:
    """Σ units shipped in 90 days ÷ Σ average units on hand. A SKU's impact: the average units it holds beyond
    what its sales turn at the target (max(0, average on hand − shipped ÷ target)), the stock that drags the part."""
    definition = PART_DEFINITIONS[PartKey.SELL_THROUGH]
    target = Fraction(definition.target)
    part = _part(sum(s.shipped_t90 for s in skus), sum((average_on_hand(s) for s in skus), Fraction(0)))
    contributors = (Contributor(s.sku, sell_through(s),
                                _dec(max(Fraction(0), average_on_hand(s) - s.shipped_t90 / target)))
                    for s in skus)
    return StorePart(definition=definition, part=part, meets_target=definition.meets_target(part.value),
                     contributors=_top(contributors, top))


def store_stranded(skus: Sequence[FbaSku], *, top: int = 10) -> StorePart:
    """Σ stranded units ÷ Σ all units; a SKU's impact: its stranded units ÷ the store's units."""
    definition = PART_DEFINITIONS[PartKey.STRANDED]
    total = sum(s.total_units for s in skus)
    part = _part(sum(s.stranded for s in skus), total)
    contributors = (Contributor(s.sku, stranded(s), _dec(Fraction(s.stranded, total)) if total else Decimal(0))
                    for s in skus)
    return StorePart(definition=definition, part=part, meets_target=definition.meets_target(part.value),
                     contributors=_top(contributors, top))


def store_in_stock(skus: Sequence[FbaSku], *, top: int = 10) -> StorePart:
    """Σ weight × in-stock share ÷ Σ weight over replenishable SKUs (weight: units sold in 60 days). A SKU's
    impact: the points of in-stock rate its days out of stock cost the store (weight × out-of-stock share ÷ Σ
    weight), so 1 − Σ impacts is the value."""
    definition = PART_DEFINITIONS[PartKey.IN_STOCK]
    counted = [s for s in skus if in_stock_weight(s) and s.days_tracked]
    weights = sum(in_stock_weight(s) for s in counted)
    numerator = sum((in_stock_weight(s) * Fraction(s.days_in_stock, s.days_tracked) for s in counted), Fraction(0))
    contributors = (
        Contributor(s.sku, in_stock(s),
                    _dec(in_stock_weight(s) * Fraction(s.days_tracked - s.days_in_stock, s.days_tracked) / weights))
        for s in counted)
    part = _part(numerator, weights)
    return StorePart(definition=definition, part=part, meets_target=definition.meets_target(part.value),
                     contributors=_top(contributors, top))


STORE_PARTS: dict[PartKey, Callable[..., StorePart]] = {
    PartKey.EXCESS: store_excess,
    PartKey.SELL_THROUGH: store_sell_through,
    PartKey.STRANDED: store_stranded,
    PartKey.IN_STOCK: store_in_stock,
}


def store_parts(skus: Sequence[FbaSku], *, top: int = 10) -> dict[PartKey, StorePart]:
    """Every part for the store's SKUs on one day."""
    return {key: compute(skus, top=top) for key, compute in STORE_PARTS.items()}


# Trend --------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class TrendPoint:
    day: date
    value: Decimal | None


@dataclass(frozen=True)
class Trend:
    points: tuple[TrendPoint, ...]
    #: Least-squares change of the value per day over the days that have one; None with fewer than two.
    slope_per_day: Decimal | None


def part_trend(key: PartKey, daily: Mapping[date, Sequence[FbaSku]]) -> Trend:
    """The store's value of part ``key`` on each day of ``daily`` (the day's SKU snapshots), oldest first."""
    compute = STORE_PARTS[key]
    points = tuple(TrendPoint(day, compute(daily[day], top=0).part.value) for day in sorted(daily))
    return Trend(points=points, slope_per_day=slope_per_day(points))


def slope_per_day(points: Sequence[TrendPoint]) -> Decimal | None:
    """Ordinary least-squares slope of value against day number, skipping days without a value."""
    known = [(p.day.toordinal(), Fraction(p.value)) for p in points if p.value is not None]
    if len(known) < 2:
        return None
    n = len(known)
    mean_x = Fraction(sum(x for x, _y in known), n)
    mean_y = sum((y for _x, y in known), Fraction(0)) / n
    sxx = sum((x - mean_x) ** 2 for x, _y in known)
    sxy = sum(((x - mean_x) * (y - mean_y) for x, y in known), Fraction(0))
    return _dec(sxy / sxx) if sxx else None
