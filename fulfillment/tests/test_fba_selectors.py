"""The FBA inventory reads: latest snapshot per SKU, the store's daily totals, one SKU's history, the units our own
FBA orders shipped; each scoped to the viewer's stores and one query whatever the number of SKUs."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from fulfillment.fba_selectors import (
    fba_account_latest,
    fba_daily_totals,
    fba_latest_snapshots,
    fba_listing_history,
    fba_units_shipped,
    fba_units_shipped_subquery,
)
from fulfillment.models import FbaAccountSnapshot, FbaInventorySnapshot
from listings.models import Channel
from orders.models import OrderStatus
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db

END = date(2025, 7, 14)
NOW = datetime(2025, 7, 14, 18, 0, tzinfo=UTC)


def _history(store, skus: int, days: int = 5) -> list:
    listings = [ListingFactory(store=store, sku=f"FBA-{n:03d}", fulfillment_channel=Channel.AFN)
                for n in range(skus)]
    FbaInventorySnapshot.objects.bulk_create([
        FbaInventorySnapshot(store=store, listing=listing, day=END - timedelta(days=back),
                             fulfillable=10 * (n + 1) - back, age_0_90=5, age_365_plus=back, stranded_units=n % 2)
        for n, listing in enumerate(listings) for back in range(days)])
    return listings


def test_latest_snapshot_per_sku_as_of_a_day(store, operator):
    first, second = _history(store, 2)
    FbaInventorySnapshot.objects.filter(listing=second, day=END).delete()

    latest = list(fba_latest_snapshots(user=operator, store=store))
    before = list(fba_latest_snapshots(user=operator, store=store, as_of=END - timedelta(days=3)))

    assert [(row.listing.sku, row.day, row.fulfillable) for row in latest] == [
        ("FBA-000", END, 10), ("FBA-001", END - timedelta(days=1), 19)]
    assert [(row.listing_id, row.day) for row in before] == [(first.pk, END - timedelta(days=3)),
                                                            (second.pk, END - timedelta(days=3))]


def test_daily_totals_sum_each_day_over_the_window(store, operator):
    _history(store, 3)

    totals = fba_daily_totals(user=operator, store=store, end=END, days=2)

    assert [(t["day"], t["skus"], t["fulfillable"], t["age_0_90"], t["age_365_plus"], t["stranded_units"])
            for t in totals] == [(END - timedelta(days=1), 3, 57, 15, 3, 1), (END, 3, 60, 15, 0, 1)]


def test_one_skus_history_oldest_first(store, operator):
    listing, _other = _history(store, 2)

    history = fba_listing_history(user=operator, listing=listing, start=END - timedelta(days=2), end=END)

    assert [(row.day, row.fulfillable) for row in history] == [
        (END - timedelta(days=2), 8), (END - timedelta(days=1), 9), (END, 10)]


def test_units_shipped_from_our_own_fba_orders(store, operator):
    fba, mfn = ListingFactory(store=store, fulfillment_channel=Channel.AFN), ListingFactory(store=store)
    for placed, channel, status, listing, shipped in [
        (NOW - timedelta(days=10), "AFN", OrderStatus.SHIPPED, fba, 2),
        (NOW - timedelta(days=80), "AFN", OrderStatus.SHIPPED, fba, 3),
        (NOW - timedelta(days=100), "AFN", OrderStatus.SHIPPED, fba, 5),  # before the window
        (NOW - timedelta(days=1), "AFN", OrderStatus.UNSHIPPED, fba, 0),  # not shipped yet
        (NOW - timedelta(days=5), "MFN", OrderStatus.SHIPPED, mfn, 4),  # ours, not Amazon's
    ]:
        order = OrderFactory(store=store, purchase_date=placed, fulfillment_channel=channel, status=status)
        OrderItemFactory(order=order, listing=listing, sku=listing.sku, quantity=max(shipped, 1),
                         quantity_shipped=shipped)
    FbaInventorySnapshot.objects.create(store=store, listing=fba, day=END)

    assert fba_units_shipped(user=operator, store=store, since=NOW - timedelta(days=90)) == {fba.pk: 5}
    row = FbaInventorySnapshot.objects.annotate(
        shipped_90=fba_units_shipped_subquery(NOW - timedelta(days=90))).get()
    assert row.shipped_90 == 5


def test_every_read_is_scoped_to_the_viewers_stores(store, other_store, operator):
    _history(other_store, 2)
    FbaAccountSnapshot.objects.create(store=other_store, day=END, amazon_index=420)

    assert list(fba_latest_snapshots(user=operator, store=other_store)) == []
    assert fba_daily_totals(user=operator, store=other_store, end=END, days=7) == []
    assert fba_account_latest(user=operator, store=other_store) is None


@pytest.mark.parametrize("skus", [3, 40])
def test_queries_stay_flat_in_the_number_of_skus(store, operator, django_assert_num_queries, skus):
    listings = _history(store, skus)
    for listing in listings:
        order = OrderFactory(store=store, purchase_date=NOW - timedelta(days=3), fulfillment_channel="AFN",
                             status=OrderStatus.SHIPPED)
        OrderItemFactory(order=order, listing=listing, sku=listing.sku, quantity=1, quantity_shipped=1)

    with django_assert_num_queries(1):
        rows = [(row.listing.sku, row.fulfillable) for row in fba_latest_snapshots(user=operator, store=store)]
    with django_assert_num_queries(1):
        totals = fba_daily_totals(user=operator, store=store, end=END, days=90)
    with django_assert_num_queries(1):
        history = list(fba_listing_history(user=operator, listing=listings[0], start=END - timedelta(days=90),
                                           end=END))
    with django_assert_num_queries(1):
        shipped = fba_units_shipped(user=operator, store=store, since=NOW - timedelta(days=90))

    assert (len(rows), len(totals), len(history), sum(shipped.values())) == (skus, 5, 5, skus)
