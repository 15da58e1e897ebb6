"""Reads of the FBA inventory snapshots for the inventory-health pages, always scoped to the viewer's stores.

Each is one query whatever the number of SKUs: the latest row per SKU through the (listing, -day) index, the
store's daily totals as one aggregate grouped by day, the units Amazon shipped per SKU as one aggregate of our own
FBA orders. Dates are passed in (store-local days, or an instant for the orders): nothing here reads the clock.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TypedDict

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from core.models import Store
from core.selectors import scoped
from listings.models import Channel, Listing
from orders.models import OrderItem, OrderStatus

from .models import FbaAccountSnapshot, FbaInventorySnapshot, FbaStoreDay

#: The unit figures summed per day for a store (the fields of ``FbaInventorySnapshot``).
TOTAL_FIELDS = (
    "fulfillable", "reserved", "inbound_working", "inbound_shipped", "inbound_receiving", "unfulfillable",
    "researching", "age_0_90", "age_91_180", "age_181_270", "age_271_365", "age_365_plus", "stranded_units",
)


class DailyTotals(TypedDict):
    day: date
    skus: int
    fulfillable: int
    reserved: int
    inbound_working: int
    inbound_shipped: int
    inbound_receiving: int
    unfulfillable: int
    researching: int
    age_0_90: int
    age_91_180: int
    age_181_270: int
    age_271_365: int
    age_365_plus: int
    stranded_units: int


def fba_snapshot_list(*, user: User | AnonymousUser) -> QuerySet[FbaInventorySnapshot]:
    return scoped(FbaInventorySnapshot.objects.all(), user=user)


def fba_latest_snapshots(*, user: User | AnonymousUser, store: Store,
                         as_of: date | None = None) -> QuerySet[FbaInventorySnapshot]:
    """Each FBA SKU's latest snapshot of ``store`` (on or before ``as_of``), with its listing, by SKU.

    Found from the store's listings, one probe of the (listing, -day) index each: comparing every snapshot row
    with its listing's latest day would read the store's whole history.
    """
    latest = FbaInventorySnapshot.objects.filter(listing=OuterRef("pk"))
    if as_of is not None:
        latest = latest.filter(day__lte=as_of)
    ids = (Listing.objects.filter(store=store)
           .annotate(latest=Subquery(latest.order_by("-day").values("id")[:1])).values("latest"))
    return (fba_snapshot_list(user=user).filter(store=store, id__in=ids)
            .select_related("listing").order_by("listing__sku"))


def fba_daily_totals(*, user: User | AnonymousUser, store: Store, end: date, days: int) -> list[DailyTotals]:
    """The store's units summed per day over the ``days`` days ending ``end`` (days without rows are absent)."""
    start = end - timedelta(days=days - 1)
    rows = (fba_snapshot_list(user=user).filter(store=store, day__gte=start, day__lte=end)
            .order_by().values("day")
            .annotate(skus=Count("id"), **{name: Coalesce(Sum(name), 0) for name in TOTAL_FIELDS})
            .order_by("day"))
    return list(rows)  # type: ignore[arg-type]  # each row holds exactly DailyTotals' keys


def fba_listing_history(*, user: User | AnonymousUser, listing: Listing, start: date,
                        end: date) -> QuerySet[FbaInventorySnapshot]:
    """One SKU's snapshots from ``start`` to ``end``, oldest first."""
    return (fba_snapshot_list(user=user)
            .filter(listing=listing, day__gte=start, day__lte=end).order_by("day"))


def fba_units_shipped(*, user: User | AnonymousUser, store: Store, since: datetime) -> dict[int, int]:
    """Units of our own Amazon-fulfilled (AFN) orders placed since ``since`` that Amazon has shipped, per listing.

    Amazon ships an FBA order within hours of its purchase, so orders are taken by purchase date (the order
    metrics' index); cancelled lines have shipped nothing.
    """
    rows = (scoped(OrderItem.objects.all(), user=user)
            .filter(store=store, listing__isnull=False, order__fulfillment_channel=Channel.AFN,
                    order__purchase_date__gte=since, quantity_shipped__gt=0)
            .exclude(order__status=OrderStatus.CANCELED)
            .order_by().values("listing_id").annotate(units=Sum("quantity_shipped")))
    return {row["listing_id"]: row["units"] for row in rows}


def fba_units_shipped_subquery(since: datetime) -> Subquery:
    """The same figure for the outer snapshot's listing, to annotate a queryset of snapshots with."""
    units = (OrderItem.objects
             .filter(listing_id=OuterRef("listing_id"), order__fulfillment_channel=Channel.AFN,
                     order__purchase_date__gte=since, quantity_shipped__gt=0)
             .exclude(order__status=OrderStatus.CANCELED)
             .order_by().values("listing_id").annotate(n=Sum("quantity_shipped")).values("n"))
    return Subquery(units, output_field=IntegerField())


def fba_account_latest(*, user: User | AnonymousUser, store: Store,
                       as_of: date | None = None) -> FbaAccountSnapshot | None:
    """The store's latest account figures (Amazon's IPI, storage limits) on or before ``as_of``."""
    rows = scoped(FbaAccountSnapshot.objects.all(), user=user).filter(store=store)
    if as_of is not None:
        rows = rows.filter(day__lte=as_of)
    return rows.order_by("-day").first()


def fba_store_days(*, user: User | AnonymousUser, store: Store, end: date | None = None,
                   days: int = 90) -> list[FbaStoreDay]:
    """The store's daily FBA summaries of the ``days`` days ending ``end`` (default: its latest), oldest first."""
    rows = scoped(FbaStoreDay.objects.all(), user=user).filter(store=store)
    if end is None:
        end = rows.order_by("-day").values_list("day", flat=True).first()
        if end is None:
            return []
    return list(rows.filter(day__gt=end - timedelta(days=days), day__lte=end).order_by("day"))
