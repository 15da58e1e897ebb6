"""The restock plan: per FBA SKU, the units to send and by when.

Velocity: the last four weeks of sales, the latest weighing most (0.4, 0.3, 0.2, 0.1 by default: recent demand
predicts next month's better than a flat 30-day mean, yet one odd week does not swing it); a week with fewer days
of history (a SKU just created) is taken at its daily rate, and the weights of missing weeks are shared out.

Season: with a year of history and the four weeks before that (393 days), the velocity is multiplied by the
ratio of two seasonal indices taken from last year — the days the shipment will cover (from its arrival to the
end of the cover) against the four weeks the velocity was measured on, each relative to the year's average. The
ratio, not the future index alone, because the recent weeks already carry this season's level: multiplying by
the future index alone would count the season twice. The factor is kept between 1/3 and 3.

Quantity: velocity × (lead time + days of cover) − available − inbound (``listings.stockmath``, the arithmetic of
the listing's stock plan), then capped by the store's remaining FBA capacity, shared by velocity.

Dates: the stock-out is when available and inbound units run out at that velocity (inbound taken to arrive in
time); the ship-by date is the last day the boxes can leave so transit and receiving end by then, and prep must
start ``prep_days`` earlier. Source for the lead-time parts: Seller Central help, "Restock inventory" (Amazon's
recommendations use the lead time, the days of supply wanted and inbound units).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext

from listings.stockmath import days_of_cover, replenishment_units

from .inputs import FbaSku

WEEK = 7
YEAR = 365


@dataclass(frozen=True, kw_only=True)
class LeadTime:
    """Days from deciding to send until the units are sellable at Amazon."""

    prep_days: int = 7
    transit_days: int = 30
    receiving_days: int = 10

    def __post_init__(self) -> None:
        if min(self.prep_days, self.transit_days, self.receiving_days) < 0:
            raise ValueError("Lead-time days cannot be negative.")

    @property
    def days(self) -> int:
        return self.prep_days + self.transit_days + self.receiving_days


@dataclass(frozen=True, kw_only=True)
class RestockPolicy:
    #: Weights of the last weeks, the latest first.
    weights: tuple[float, ...] = (0.4, 0.3, 0.2, 0.1)
    #: Days of sales the stock should cover once the shipment arrives (the safety stock, in days).
    cover_days: int = 30
    seasonal_min: float = 1 / 3
    seasonal_max: float = 3.0

    def __post_init__(self) -> None:
        if not self.weights or min(self.weights) < 0 or not sum(self.weights):
            raise ValueError("Week weights must be non-negative with a positive sum.")
        if self.cover_days < 0:
            raise ValueError("Days of cover cannot be negative.")


@dataclass(frozen=True, kw_only=True)
class RestockInput:
    sku: str
    as_of: date
    #: Units sold each day, oldest first, the last being the day before ``as_of``.
    daily_units: tuple[int, ...]
    available: int
    inbound: int
    unit_volume_ft3: Decimal = Decimal(0)
    lead: LeadTime = LeadTime()
    replenishable: bool = True

    @classmethod
    def from_sku(cls, sku: FbaSku, *, as_of: date, daily_units: Sequence[int], lead: LeadTime) -> RestockInput:
        return cls(sku=sku.sku, as_of=as_of, daily_units=tuple(daily_units), available=sku.fulfillable,
                   inbound=sku.inbound, unit_volume_ft3=sku.unit_volume_ft3, lead=lead,
                   replenishable=not sku.non_replenishable)


@dataclass(frozen=True)
class RestockSuggestion:
    sku: str
    #: Units to send (after the capacity cap) and the units the sales call for before it.
    quantity: int
    need: int
    #: Units a day: the weighted recent velocity, the seasonal factor applied to it, and the result.
    recent_velocity: float
    seasonal_factor: float
    velocity: float
    days_of_cover: float | None
    stockout_on: date | None
    ship_by: date | None
    prep_by: date | None
    #: The prep should already have started to arrive before the stock-out.
    late: bool
    capped: bool
    unit_volume_ft3: Decimal
    reason: str


def weighted_velocity(daily_units: Sequence[int], weights: Sequence[float] = (0.4, 0.3, 0.2, 0.1)) -> float:
    """Σ weightᵢ × (units in week i ÷ its days) ÷ Σ weightᵢ over the weeks with history, week 1 the latest."""
    total = weight_sum = 0.0
    for i, weight in enumerate(weights):
        end = len(daily_units) - i * WEEK
        if end <= 0:
            break
        week = daily_units[max(0, end - WEEK):end]
        total += weight * sum(week) / len(week)
        weight_sum += weight
    return total / weight_sum if weight_sum else 0.0


def seasonal_factor(daily_units: Sequence[int], *, lead_days: int, cover_days: int, weeks: int = 4,
                    low: float = 1 / 3, high: float = 3.0) -> float:
    """Last year's sales over the days the shipment will cover (``lead_days`` to ``lead_days + cover_days`` from
    now, a year ago) ÷ last year's sales over the ``weeks`` weeks before a year ago, per day, clamped to
    [low, high]; 1 without a year and those weeks of history, or when last year's recent weeks sold nothing."""
    measured = weeks * WEEK
    if len(daily_units) < YEAR + measured:
        return 1.0
    n = len(daily_units)
    year_ago = n - YEAR  # index of the day a year before as_of
    recent = daily_units[year_ago - measured:year_ago]
    start = year_ago + lead_days
    future = daily_units[start:min(n, start + max(1, cover_days))]
    if not future or not sum(recent):
        return 1.0
    factor = (sum(future) / len(future)) / (sum(recent) / len(recent))
    return min(high, max(low, factor))


def restock_suggestion(item: RestockInput, policy: RestockPolicy = RestockPolicy()) -> RestockSuggestion:
    """What to send for one SKU, before any capacity cap."""
    recent = weighted_velocity(item.daily_units, policy.weights)
    factor = seasonal_factor(item.daily_units, lead_days=item.lead.days, cover_days=policy.cover_days,
                             weeks=len(policy.weights), low=policy.seasonal_min, high=policy.seasonal_max)
    velocity = recent * factor if item.replenishable else 0.0
    need = replenishment_units(velocity=velocity, days=item.lead.days + policy.cover_days,
                               available=item.available, inbound=item.inbound)
    cover = days_of_cover(item.available + item.inbound, velocity)
    stockout = ship_by = prep_by = None
    if cover is not None:
        stockout = item.as_of + timedelta(days=math.floor(round(cover, 6)))
        ship_by = stockout - timedelta(days=item.lead.transit_days + item.lead.receiving_days)
        prep_by = ship_by - timedelta(days=item.lead.prep_days)
    late = prep_by is not None and prep_by < item.as_of
    return RestockSuggestion(
        sku=item.sku, quantity=need, need=need, recent_velocity=recent, seasonal_factor=factor, velocity=velocity,
        days_of_cover=cover, stockout_on=stockout, ship_by=ship_by, prep_by=prep_by, late=late, capped=False,
        unit_volume_ft3=item.unit_volume_ft3,
        reason=_reason(item, policy, velocity=velocity, need=need, stockout=stockout, ship_by=ship_by, late=late))


def _reason(item: RestockInput, policy: RestockPolicy, *, velocity: float, need: int, stockout: date | None,
            ship_by: date | None, late: bool) -> str:
    if not item.replenishable:
        return gettext("Not replenished: marked as not to restock.")
    if velocity <= 0:
        return gettext("No sales in the last four weeks: nothing to send.")
    if need == 0:
        return gettext("%(units)s units available and inbound cover the %(days)s days of lead time and cover.") % {
            "units": item.available + item.inbound, "days": item.lead.days + policy.cover_days}
    assert stockout is not None and ship_by is not None
    text = gettext("Sells %(velocity).1f a day; runs out on %(stockout)s. Send %(units)s units by %(ship_by)s to "
                   "cover %(lead)s days of lead time and %(cover)s days after arrival.") % {
        "velocity": velocity, "stockout": stockout.isoformat(), "units": need, "ship_by": ship_by.isoformat(),
        "lead": item.lead.days, "cover": policy.cover_days}
    if late:
        text += " " + gettext("Already late: it cannot arrive before the stock-out.")
    return text


def cap_by_capacity(suggestions: Sequence[RestockSuggestion], *, capacity_ft3: Decimal) -> list[RestockSuggestion]:
    """Fit the suggestions into ``capacity_ft3`` of remaining FBA capacity, shared by velocity.

    Each round gives every SKU still wanting space a share of what is left in proportion to its velocity; those
    whose need fits their share take only their need, and the rest is shared again among the others. A SKU of
    unknown (zero) volume takes no space and is not capped. Units are rounded down, so the total never exceeds
    the capacity."""
    remaining = Fraction(max(Decimal(0), capacity_ft3))
    wanting = {s.sku: s for s in suggestions if s.quantity > 0 and s.unit_volume_ft3 > 0}
    volume = {sku: Fraction(s.unit_volume_ft3) * s.quantity for sku, s in wanting.items()}
    space: dict[str, Fraction] = {}
    while wanting:
        speed = sum((Fraction(s.velocity) for s in wanting.values()), Fraction(0))
        share = {sku: (remaining * Fraction(s.velocity) / speed if speed else remaining / len(wanting))
                 for sku, s in wanting.items()}
        fits = [sku for sku in wanting if volume[sku] <= share[sku]]
        if not fits:
            space.update(share)
            break
        for sku in fits:
            space[sku] = volume[sku]
            remaining -= volume[sku]
            del wanting[sku]
    capped = []
    for s in suggestions:
        if s.sku not in space or space[s.sku] >= volume[s.sku]:
            capped.append(s)
            continue
        quantity = min(s.quantity, math.floor(space[s.sku] / Fraction(s.unit_volume_ft3)))
        capped.append(replace(s, quantity=quantity, capped=True, reason=s.reason + " " + gettext(
            "Capped to %(units)s units by the store's remaining FBA capacity.") % {"units": quantity}))
    return capped


def restock_plan(items: Iterable[RestockInput], *, capacity_ft3: Decimal | None = None,
                 policy: RestockPolicy = RestockPolicy()) -> list[RestockSuggestion]:
    """Every SKU's suggestion, capped by the capacity when one is given, the most urgent (earliest prep) first."""
    suggestions = [restock_suggestion(item, policy) for item in items]
    if capacity_ft3 is not None:
        suggestions = cap_by_capacity(suggestions, capacity_ft3=capacity_ft3)
    return sorted(suggestions, key=lambda s: (s.prep_by or date.max, s.sku))
