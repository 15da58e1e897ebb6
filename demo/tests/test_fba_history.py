"""The demo's FBA inventory history: one snapshot per FBA listing and day, drawn down by the FBA orders Amazon
shipped, restocked by the inbound shipments, aging; the struggling store overstocked, old, stranded, with a poor
index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db.models import Sum

from demo.seed import seed_demo
from fulfillment.models import FbaAccountSnapshot, FbaInventorySnapshot
from listings.models import Channel, Listing
from orders.models import OrderItem

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _last_day(store):
    return FbaInventorySnapshot.objects.filter(store=store).latest("day").day


def test_each_fba_listing_has_a_plausible_daily_history():
    result = seed_demo(now=NOW, stores=2, orders=800, days=60, history_days=0)
    poor, healthy = result.stores

    for store in result.stores:
        afn = Listing.objects.filter(store=store, fulfillment_channel=Channel.AFN)
        days = FbaInventorySnapshot.objects.filter(store=store).values("day").distinct().count()
        assert days in (60, 61)
        assert FbaInventorySnapshot.objects.filter(store=store).count() == afn.count() * days
        assert not FbaInventorySnapshot.objects.filter(store=store).exclude(listing__in=afn).exists()
        # The listing's stock is its last day's figures; the ages add up to the units held.
        last = _last_day(store)
        for row in FbaInventorySnapshot.objects.filter(store=store, day=last).select_related("listing"):
            assert row.listing.quantity_available == row.fulfillable
            assert row.listing.quantity_inbound == row.inbound
            assert row.age_0_90 + row.age_91_180 + row.aged_units == row.fulfillable
            assert row.stranded_units <= row.fulfillable
        # What Amazon shipped of our FBA orders is what the history drew down (within the window).
        shipped = OrderItem.objects.filter(store=store, order__fulfillment_channel="AFN").aggregate(
            n=Sum("quantity_shipped"))["n"]
        assert shipped and FbaInventorySnapshot.objects.filter(store=store, day=last).aggregate(
            n=Sum("units_shipped_t30"))["n"] > 0

    def totals(store):
        return FbaInventorySnapshot.objects.filter(store=store, day=_last_day(store)).aggregate(
            units=Sum("fulfillable"), aged=Sum("age_181_270") + Sum("age_271_365") + Sum("age_365_plus"),
            stranded=Sum("stranded_units"), fees=Sum("estimated_ltsf_next_charge"))

    bad, good = totals(poor), totals(healthy)
    assert bad["aged"] > bad["units"] / 3 and good["aged"] == 0
    assert bad["stranded"] > good["stranded"] and bad["fees"] > good["fees"]
    index = {s.code: FbaAccountSnapshot.objects.filter(store=s).latest("day").amazon_index for s in result.stores}
    assert index[poor.code] < 400 <= index[healthy.code]


def test_the_history_is_the_same_for_the_same_seed_and_instant():
    def dump():
        return list(FbaInventorySnapshot.objects.order_by("listing__sku", "day").values_list(
            "listing__store__code", "listing__sku", "day", "fulfillable", "age_365_plus", "sell_through",
            "stranded_units", "estimated_storage_cost_next_month"))

    seed_demo(now=NOW, stores=1, orders=300, days=30, history_days=0)
    first = dump()
    seed_demo(now=NOW, stores=1, orders=300, days=30, history_days=0, reset=True)

    assert dump() == first and first
