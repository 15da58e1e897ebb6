"""FBA inventory health from the snapshots: each SKU's day as the formulas' ``FbaSku``, the store's day summed into
``FbaStoreDay`` when snapshots are written, and the restock plan of the latest day.

The formulas (``fulfillment.fba``) read plain dataclasses; this module is where the database meets them. Reads go
through ``.values()`` rows, never model objects: a store has up to tens of thousands of FBA SKUs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.models import Store
from listings.models import Channel
from orders.models import OrderItem, OrderStatus

from .fba.fees import ACTION_LABELS, Action, fee_table, surcharge_forecast, surcharge_plan
from .fba.inputs import SUPPLY_DAYS, AgeBuckets, FbaSku
from .fba.parts import PART_DEFINITIONS, STORE_PARTS, PartKey, StorePart, store_parts
from .fba.restock import LeadTime, RestockInput, RestockSuggestion, cap_by_capacity, restock_plan
from .models import FbaAccountSnapshot, FbaInventorySnapshot, FbaStoreDay

#: Cubic feet in a cubic metre (the reports give a unit's volume in either).
CUBIC_FEET_PER_M3 = Decimal("35.3147")
IN_STOCK_DAYS = 30
#: The SKUs kept per part on the store's day, and the fee actions.
TOP = 10
TOP_ACTIONS = 20
#: How many assessments the fee forecast looks ahead.
FORECAST_MONTHS = 3
#: Days of our own orders the restock velocity reads (its four weighted weeks).
RESTOCK_HISTORY_DAYS = 28

#: The snapshot columns a SKU's day is built from.
ROW_FIELDS = (
    "listing_id", "listing__sku", "listing__title", "listing__price", "listing__currency", "listing__lead_time_days",
    "day", "fulfillable", "reserved", "inbound_working", "inbound_shipped", "inbound_receiving", "unfulfillable",
    "researching", "age_0_90", "age_91_180", "age_181_270", "age_271_365", "age_365_plus", "units_shipped_t7",
    "units_shipped_t30", "units_shipped_t60", "units_shipped_t90", "days_of_supply", "estimated_excess_units",
    "estimated_storage_cost_next_month", "estimated_ltsf_next_charge", "currency", "item_volume", "volume_unit",
    "size_tier", "recommended_action", "stranded_units", "stranded_reason", "stranded_since", "source",
)


@dataclass(frozen=True)
class SkuDay:
    """One SKU's day: the formulas' input and the report line it came from (a ``.values()`` row)."""

    sku: FbaSku
    row: Mapping[str, Any]
    #: Which shipped figures came from our own FBA orders because the report had none ("t60", "t90").
    from_orders: tuple[str, ...] = ()

    @property
    def listing_id(self) -> int:
        return int(self.row["listing_id"])


def unit_volume_ft3(volume: Decimal | None, unit: str) -> Decimal:
    """A unit's volume in cubic feet from the report's figure and unit; 0 when unknown."""
    if volume is None:
        return Decimal(0)
    return volume * CUBIC_FEET_PER_M3 if "met" in unit.lower() else volume


def local_start(store: Store, day: date) -> datetime:
    """The instant ``day`` begins in the store's time zone."""
    return datetime.combine(day, time.min, tzinfo=store.tz)


def sku_from_row(row: Mapping[str, Any], *, on_hand_90_days_ago: int = 0, days_in_stock: int = 0,
                 days_tracked: int = IN_STOCK_DAYS, shipped: Mapping[str, int] | None = None) -> FbaSku:
    """The formulas' view of one snapshot row; ``shipped`` supplies the 60- and 90-day units the report lacks."""
    shipped = shipped or {}

    def units(name: str) -> int:
        value = row.get(f"units_shipped_{name}")
        return int(value) if value is not None else int(shipped.get(name, 0))

    tracked = max(1, min(IN_STOCK_DAYS, days_tracked))
    return FbaSku(
        sku=row["listing__sku"], fulfillable=row["fulfillable"], reserved=row["reserved"],
        inbound=row["inbound_working"] + row["inbound_shipped"] + row["inbound_receiving"],
        unfulfillable=row["unfulfillable"], stranded=min(row["stranded_units"], row["fulfillable"]),
        ages=AgeBuckets(d0_90=row["age_0_90"], d91_180=row["age_91_180"], d181_270=row["age_181_270"],
                        d271_365=row["age_271_365"], d365_plus=row["age_365_plus"]),
        shipped_t7=units("t7"), shipped_t30=units("t30"), shipped_t60=units("t60"), shipped_t90=units("t90"),
        on_hand_90_days_ago=on_hand_90_days_ago, days_in_stock=min(days_in_stock, tracked), days_tracked=tracked,
        unit_volume_ft3=unit_volume_ft3(row.get("item_volume"), row.get("volume_unit") or ""),
        size_tier=row.get("size_tier") or "", price=row.get("listing__price"),
    )


def _units_shipped(store: Store, *, since: datetime, until: datetime, listing_ids: Iterable[int]) -> dict[int, int]:
    """Units of our own AFN orders placed in [since, until) that Amazon shipped, per listing."""
    rows = (OrderItem.objects
            .filter(store=store, listing_id__in=list(listing_ids), order__fulfillment_channel=Channel.AFN,
                    order__purchase_date__gte=since, order__purchase_date__lt=until, quantity_shipped__gt=0)
            .exclude(order__status=OrderStatus.CANCELED)
            .order_by().values("listing_id").annotate(units=Sum("quantity_shipped")))
    return {row["listing_id"]: row["units"] for row in rows}


def fba_day_skus(*, store: Store, day: date) -> list[SkuDay]:
    """Every FBA SKU of ``store`` with a snapshot on ``day``, as the formulas' input, by SKU.

    Four queries whatever the number of SKUs: the day's rows, the units on hand 90 days before, the days in stock
    over the last 30 (days with a snapshot are the days tracked), and — only when some row lacks Amazon's 60- or
    90-day shipped units — our own FBA orders shipped in those windows."""
    snapshots = FbaInventorySnapshot.objects.filter(store=store)
    rows = list(snapshots.filter(day=day).order_by("listing__sku").values(*ROW_FIELDS))
    if not rows:
        return []
    before = {listing_id: fulfillable + reserved for listing_id, fulfillable, reserved in
              snapshots.filter(day=day - timedelta(days=SUPPLY_DAYS)).order_by()
              .values_list("listing_id", "fulfillable", "reserved")}
    stock = {r["listing_id"]: r for r in snapshots
             .filter(day__gt=day - timedelta(days=IN_STOCK_DAYS), day__lte=day).order_by().values("listing_id")
             .annotate(tracked=Count("id"), in_stock=Count("id", filter=Q(fulfillable__gt=0)))}
    shipped: dict[str, dict[int, int]] = {}
    end = local_start(store, day + timedelta(days=1))
    for name, days in (("t60", 60), ("t90", SUPPLY_DAYS)):
        missing = [r["listing_id"] for r in rows if r[f"units_shipped_{name}"] is None]
        if missing:
            shipped[name] = _units_shipped(store, since=local_start(store, day - timedelta(days=days - 1)),
                                           until=end, listing_ids=missing)
    result = []
    for row in rows:
        listing_id = row["listing_id"]
        counts = stock.get(listing_id, {"tracked": 1, "in_stock": int(row["fulfillable"] > 0)})
        fallback = {name: by_listing.get(listing_id, 0) for name, by_listing in shipped.items()}
        result.append(SkuDay(
            sku=sku_from_row(row, on_hand_90_days_ago=before.get(listing_id, 0),
                             days_in_stock=counts["in_stock"], days_tracked=counts["tracked"], shipped=fallback),
            row=row, from_orders=tuple(sorted(fallback))))
    return result


def fba_daily_skus(*, store: Store, days: Iterable[date]) -> dict[date, list[FbaSku]]:
    """The store's SKUs on each of ``days``, the input of ``fulfillment.fba.parts.part_trend``."""
    return {day: [each.sku for each in fba_day_skus(store=store, day=day)] for day in days}


# The store's day ------------------------------------------------------------------------------------------------

def _part_json(part: StorePart, listing_ids: Mapping[str, int]) -> list[dict[str, Any]]:
    return [{"sku": c.sku, "listing_id": listing_ids.get(c.sku), "numerator": str(c.part.numerator),
             "denominator": str(c.part.denominator), "value": None if c.part.value is None else str(c.part.value),
             "impact": str(c.impact)} for c in part.contributors]


def _fees_json(store: Store, skus: Sequence[FbaSku], day: date) -> dict[str, Any]:
    try:
        table = fee_table(store.marketplace, on=day)
    except (KeyError, LookupError, ValueError):
        return {}
    aged = [s for s in skus if s.ages.d91_180 or s.ages.d181_270 or s.ages.d271_365 or s.ages.d365_plus]
    totals: dict[date, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for sku in aged:
        for assessment in surcharge_forecast(sku, marketplace=store.marketplace, as_of=day, months=FORECAST_MONTHS):
            totals[assessment.on][0] += assessment.fee
            totals[assessment.on][1] += assessment.units
    actions = surcharge_plan(aged, table, as_of=day)
    return {
        "currency": table.currency,
        "assessments": [{"on": on.isoformat(), "fee": str(fee), "units": str(units.quantize(Decimal("0.1")))}
                        for on, (fee, units) in sorted(totals.items())],
        "actions": [{"sku": a.sku, "action": str(a.action), "units": a.units, "assessment": a.assessment.isoformat(),
                     "fee_avoided": str(a.fee_avoided), "cost": str(a.cost), "saves": str(a.saves),
                     "reason": a.reason} for a in actions[:TOP_ACTIONS]],
        "actions_count": len(actions),
        "saves_total": str(sum((a.saves for a in actions if a.saves > 0), Decimal(0))),
    }


def fba_store_day_refresh(*, store: Store, day: date) -> FbaStoreDay | None:
    """Sum ``store``'s snapshots of ``day`` into its ``FbaStoreDay`` (deleted when the day has none)."""
    days = fba_day_skus(store=store, day=day)
    if not days:
        FbaStoreDay.objects.filter(store=store, day=day).delete()
        return None
    skus = [each.sku for each in days]
    listing_ids = {each.sku.sku: each.listing_id for each in days}
    parts = store_parts(skus, top=TOP)
    rows = [each.row for each in days]
    values = {
        "skus": len(rows),
        **{name: sum(r[name] for r in rows) for name in (
            "fulfillable", "reserved", "unfulfillable", "stranded_units", "age_0_90", "age_91_180", "age_181_270",
            "age_271_365", "age_365_plus")},
        "inbound": sum(s.inbound for s in skus),
        "parts": {str(key): [str(p.part.numerator), str(p.part.denominator)] for key, p in parts.items()},
        "contributors": {str(key): _part_json(p, listing_ids) for key, p in parts.items()},
        "fees": _fees_json(store, skus, day),
        "computed_at": timezone.now(),
    }
    row, _created = FbaStoreDay.objects.update_or_create(store=store, day=day, defaults=values)
    return row


def fba_store_days_refresh(*, store: Store, days: Iterable[date]) -> int:
    """Refresh each of ``days``; return how many were refreshed."""
    count = 0
    for day in sorted(set(days)):
        with transaction.atomic():
            fba_store_day_refresh(store=store, day=day)
        count += 1
    return count


def fba_store_recent_days(*, store: Store, days: int) -> list[date]:
    """The last ``days`` days with snapshots of ``store``, oldest first."""
    last = FbaInventorySnapshot.objects.filter(store=store).aggregate(last=Max("day"))["last"]
    if last is None:
        return []
    start = last - timedelta(days=days - 1)
    return sorted(FbaInventorySnapshot.objects.filter(store=store, day__gte=start).order_by()
                  .values_list("day", flat=True).distinct())


# The restock plan -----------------------------------------------------------------------------------------------

def _daily_units(store: Store, *, day: date, listing_ids: Sequence[int]) -> dict[int, list[int]]:
    """Units our own FBA orders shipped each of the ``RESTOCK_HISTORY_DAYS`` days before ``day``, per listing."""
    start = day - timedelta(days=RESTOCK_HISTORY_DAYS)
    rows = (OrderItem.objects
            .filter(store=store, listing_id__in=list(listing_ids), order__fulfillment_channel=Channel.AFN,
                    order__purchase_date__gte=local_start(store, start),
                    order__purchase_date__lt=local_start(store, day), quantity_shipped__gt=0)
            .exclude(order__status=OrderStatus.CANCELED).order_by()
            .annotate(local=TruncDate("order__purchase_date", tzinfo=store.tz))
            .values("listing_id", "local").annotate(units=Sum("quantity_shipped")))
    series: dict[int, list[int]] = {}
    for row in rows:
        index = (row["local"] - start).days
        if 0 <= index < RESTOCK_HISTORY_DAYS:
            series.setdefault(row["listing_id"], [0] * RESTOCK_HISTORY_DAYS)[index] += row["units"]
    return series


def _from_report(sku: FbaSku) -> list[int]:
    """Four weeks of daily units spread from the report's 7- and 30-day figures (no orders of ours to read)."""
    week = [sku.shipped_t7 // 7 + (1 if n < sku.shipped_t7 % 7 else 0) for n in range(7)]
    earlier = max(0, sku.shipped_t30 - sku.shipped_t7)
    rest = [earlier // 23 + (1 if n < earlier % 23 else 0) for n in range(23)][:21]
    return rest + week


def restock_capacity_ft3(account: FbaAccountSnapshot | None) -> Decimal | None:
    """The store's remaining FBA storage in cubic feet, when Amazon's limit and use are known."""
    if account is None or account.storage_limit_volume is None or account.storage_used is None:
        return None
    left = max(Decimal(0), account.storage_limit_volume - account.storage_used)
    return unit_volume_ft3(left, account.volume_unit)


def fba_restock_plan(*, store: Store, day: date, account: FbaAccountSnapshot | None = None
                     ) -> tuple[list[RestockSuggestion], dict[str, SkuDay]]:
    """The restock plan of ``store``'s SKUs on ``day``, most urgent first, and each SKU's day by SKU.

    Velocity from our own FBA orders of the last four weeks; a SKU without any falls back on the report's 7- and
    30-day shipped units. Lead time: the listing's replenishment lead time in transit, Amazon's defaults for prep
    and receiving. Capped by the remaining storage when the account's limits are known."""
    days = fba_day_skus(store=store, day=day)
    by_sku = {each.sku.sku: each for each in days}
    series = _daily_units(store, day=day, listing_ids=[each.listing_id for each in days])
    items = []
    for each in days:
        daily = series.get(each.listing_id) or _from_report(each.sku)
        lead = LeadTime(transit_days=int(each.row.get("listing__lead_time_days") or 30))
        items.append(RestockInput.from_sku(each.sku, as_of=day, daily_units=daily, lead=lead))
    plan = restock_plan(items)
    capacity = restock_capacity_ft3(account)
    if capacity is not None:
        order = {s.sku: n for n, s in enumerate(plan)}
        plan = sorted(cap_by_capacity(plan, capacity_ft3=capacity), key=lambda s: order[s.sku])
    return plan, by_sku


def part_label(key: str) -> str:
    return str(PART_DEFINITIONS[PartKey(key)].name)


def action_label(key: str) -> str:
    return str(ACTION_LABELS[Action(key)])


# Drill-downs ------------------------------------------------------------------------------------------------------

def fba_part_rows(*, store: Store, day: date, key: PartKey) -> list[tuple[SkuDay, Any]]:
    """Every SKU that moves part ``key`` on ``day`` with its ``Contributor`` (its part and impact), largest first."""
    days = fba_day_skus(store=store, day=day)
    by_sku = {each.sku.sku: each for each in days}
    part = STORE_PARTS[key]([each.sku for each in days], top=len(days))
    return [(by_sku[c.sku], c) for c in part.contributors]


def fba_aged_rows(*, store: Store, day: date) -> list[SkuDay]:
    """The SKUs holding units older than 90 days on ``day``, the oldest stock first."""
    days = [each for each in fba_day_skus(store=store, day=day)
            if each.sku.ages.total - each.sku.ages.d0_90 > 0]
    return sorted(days, key=lambda each: (-(each.sku.ages.d365_plus + each.sku.ages.d271_365
                                            + each.sku.ages.d181_270), -each.sku.ages.d91_180, each.sku.sku))


def fba_fee_actions(*, store: Store, day: date) -> tuple[list[Any], dict[str, SkuDay]]:
    """Every SKU's best action against its next aged-inventory surcharge, the most money saved first."""
    days = fba_day_skus(store=store, day=day)
    by_sku = {each.sku.sku: each for each in days}
    try:
        table = fee_table(store.marketplace, on=day)
    except (KeyError, LookupError, ValueError):
        return [], by_sku
    return surcharge_plan([each.sku for each in days], table, as_of=day), by_sku
