"""From the snapshots to the formulas: each SKU's day as ``FbaSku`` (with our own FBA orders where the report has
no 60- or 90-day figure), the store's day summed into ``FbaStoreDay`` as the formulas compute it, the restock plan."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from fulfillment.fba.parts import PartKey, part_trend, store_parts
from fulfillment.fba_health import (
    fba_daily_skus,
    fba_day_skus,
    fba_restock_plan,
    fba_store_day_refresh,
    sku_from_row,
    unit_volume_ft3,
)
from fulfillment.fba_snapshots import SnapshotFigures, fba_snapshots_merge
from fulfillment.models import FbaInventorySnapshot, FbaStoreDay
from listings.models import Channel
from orders.models import OrderStatus
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

DAY = date(2025, 7, 14)


def snapshot(store, listing, day=DAY, **values):
    defaults = {"fulfillable": 100, "age_0_90": 60, "age_91_180": 20, "age_181_270": 20, "units_shipped_t7": 7,
                "units_shipped_t30": 30, "units_shipped_t60": 60, "units_shipped_t90": 90,
                "item_volume": Decimal("0.1"), "volume_unit": "cubic feet", "size_tier": "Standard"}
    return FbaInventorySnapshot.objects.create(store=store, listing=listing, day=day, **{**defaults, **values})


def afn(store, sku, **kw):
    return ListingFactory(store=store, sku=sku, fulfillment_channel=Channel.AFN, **kw)


def test_a_row_becomes_the_formulas_input():
    row = {"listing__sku": "A", "fulfillable": 10, "reserved": 2, "inbound_working": 1, "inbound_shipped": 2,
           "inbound_receiving": 3, "unfulfillable": 4, "stranded_units": 20, "age_0_90": 5, "age_91_180": 4,
           "age_181_270": 3, "age_271_365": 2, "age_365_plus": 1, "units_shipped_t7": 1, "units_shipped_t30": 3,
           "units_shipped_t60": None, "units_shipped_t90": None, "item_volume": Decimal("0.01"),
           "volume_unit": "cubic meters", "size_tier": "Standard", "listing__price": Decimal("9.99")}

    sku = sku_from_row(row, on_hand_90_days_ago=7, days_in_stock=40, days_tracked=45,
                       shipped={"t60": 6, "t90": 9})

    assert (sku.on_hand, sku.inbound, sku.total_units, sku.stranded) == (12, 6, 16, 10)
    assert (sku.shipped_t60, sku.shipped_t90, sku.on_hand_90_days_ago) == (6, 9, 7)
    assert (sku.days_in_stock, sku.days_tracked) == (30, 30)
    assert sku.unit_volume_ft3 == Decimal("0.353147")
    assert sku.ages.total == 15 and sku.price == Decimal("9.99")
    assert unit_volume_ft3(None, "cubic feet") == 0


def test_day_skus_read_history_and_fill_missing_shipped_units_from_our_orders(store):
    listing = afn(store, "SKU-1")
    snapshot(store, listing, day=DAY - timedelta(days=90), fulfillable=40, reserved=5)
    for back in range(1, 5):
        snapshot(store, listing, day=DAY - timedelta(days=back), fulfillable=0 if back == 2 else 10)
    snapshot(store, listing, units_shipped_t60=None, units_shipped_t90=None)
    order = OrderFactory(store=store, fulfillment_channel=Channel.AFN, status=OrderStatus.SHIPPED,
                         purchase_date=datetime(2025, 6, 1, 12, tzinfo=UTC))
    OrderItemFactory(order=order, listing=listing, quantity=3, quantity_shipped=3)

    [day] = fba_day_skus(store=store, day=DAY)

    assert day.sku.on_hand_90_days_ago == 45
    assert (day.sku.days_in_stock, day.sku.days_tracked) == (4, 5)
    assert (day.sku.shipped_t60, day.sku.shipped_t90) == (3, 3)
    assert day.from_orders == ("t60", "t90")


def test_store_day_matches_the_formulas_and_part_trend(store):
    a, b = afn(store, "A", price=Decimal("10")), afn(store, "B")
    for back in range(3):
        snapshot(store, a, day=DAY - timedelta(days=back), fulfillable=300 - back, units_shipped_t90=30)
        snapshot(store, b, day=DAY - timedelta(days=back), fulfillable=20, stranded_units=5 + back)
    for back in range(3):
        fba_store_day_refresh(store=store, day=DAY - timedelta(days=back))

    row = FbaStoreDay.objects.get(store=store, day=DAY)
    skus = [each.sku for each in fba_day_skus(store=store, day=DAY)]
    expected = store_parts(skus)
    daily = fba_daily_skus(store=store, days=[DAY - timedelta(days=n) for n in range(3)])
    trend = part_trend(PartKey.STRANDED, daily)

    assert (row.skus, row.fulfillable, row.stranded_units) == (2, 320, 5)
    for key, part in expected.items():
        assert row.parts[str(key)] == [str(part.part.numerator), str(part.part.denominator)]
        assert [c["sku"] for c in row.contributors[str(key)]] == [c.sku for c in part.contributors]
    assert row.contributors["excess"][0]["sku"] == "A"
    assert row.contributors["excess"][0]["listing_id"] == a.pk
    stored = {r.day: Decimal(r.parts["stranded"][0]) / Decimal(r.parts["stranded"][1])
              for r in FbaStoreDay.objects.filter(store=store)}
    assert [stored[p.day] for p in trend.points] == [p.value for p in trend.points]


def test_fee_forecast_and_ranked_actions_are_kept_with_the_day(store):
    listing = afn(store, "OLD", price=Decimal("20"))
    snapshot(store, listing, fulfillable=500, age_0_90=0, age_91_180=0, age_181_270=100, age_271_365=200,
             age_365_plus=200, units_shipped_t90=9, units_shipped_t60=6)

    row = fba_store_day_refresh(store=store, day=DAY)

    assert row is not None
    assert row.fees["currency"] == "USD"
    assert row.fees["assessments"] and Decimal(row.fees["assessments"][0]["fee"]) > 0
    assert row.fees["actions"][0]["sku"] == "OLD"
    assert row.fees["actions"][0]["action"] in {"remove", "liquidate", "lower_price"}


def test_writing_snapshots_refreshes_the_day(store):
    listing = afn(store, "A")
    fba_snapshots_merge(store=store, source="planning", figures=[
        SnapshotFigures(listing_id=listing.pk, day=DAY, values={"fulfillable": 12, "age_0_90": 12})])
    assert FbaStoreDay.objects.get(store=store, day=DAY).fulfillable == 12

    fba_snapshots_merge(store=store, source="planning", figures=[
        SnapshotFigures(listing_id=listing.pk, day=DAY, values={"fulfillable": 7})])
    assert FbaStoreDay.objects.get(store=store, day=DAY).fulfillable == 7


def test_restock_plan_from_our_orders_or_the_report(store):
    fast, idle = afn(store, "FAST", lead_time_days=20), afn(store, "IDLE")
    snapshot(store, fast, fulfillable=30)
    snapshot(store, idle, fulfillable=30, units_shipped_t7=0, units_shipped_t30=0)
    for n in range(1, 29):
        order = OrderFactory(store=store, fulfillment_channel=Channel.AFN, status=OrderStatus.SHIPPED,
                             purchase_date=datetime(2025, 7, 14, 12, tzinfo=UTC) - timedelta(days=n))
        OrderItemFactory(order=order, listing=fast, quantity=5, quantity_shipped=5)

    plan, by_sku = fba_restock_plan(store=store, day=DAY)

    first = plan[0]
    assert first.sku == "FAST" and first.quantity > 0
    assert first.stockout_on == DAY + timedelta(days=6)
    assert first.late
    assert set(by_sku) == {"FAST", "IDLE"}
    assert [s for s in plan if s.sku == "IDLE"][0].quantity == 0
