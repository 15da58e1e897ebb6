"""Reads of FBA inbound shipments for the inbound pages, always scoped to the viewer's stores."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from core.models import Store
from core.selectors import scoped
from listings.models import Channel, Listing

from .models import InboundShipment, InboundShipmentItem, InboundStatus

I = InboundStatus  # noqa: E741
OPEN_STATUSES = frozenset({I.WORKING, I.SHIPPED, I.RECEIVING})


@dataclass(frozen=True)
class InboundFilters:
    store: Store | None = None
    status: str = ""  # a status, "open" or "" for all


def inbound_list(*, user: User | AnonymousUser, filters: InboundFilters) -> QuerySet[InboundShipment]:
    """Shipments with their units expected and received and how many items do not match, newest first."""
    qs = scoped(InboundShipment.objects.all(), user=user)
    if filters.store is not None:
        qs = qs.filter(store=filters.store)
    if filters.status == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    mismatch = ~Q(items__quantity_received=F("items__quantity_expected"))
    return (qs.annotate(
        units_expected=Coalesce(Sum("items__quantity_expected"), 0),
        units_received=Coalesce(Sum("items__quantity_received"), 0),
        item_count=Count("items"),
        mismatched=Count("items", filter=mismatch),
    ).annotate(difference=F("units_received") - F("units_expected"))
        .select_related("store").order_by("-created_at", "-id"))


def inbound_detail(*, user: User | AnonymousUser, pk: int) -> InboundShipment | None:
    """One shipment of ``user``'s stores with its items and their listings, or None."""
    items = InboundShipmentItem.objects.select_related("listing").order_by("listing__sku", "id")
    return (scoped(InboundShipment.objects.all(), user=user).filter(pk=pk).select_related("store")
            .prefetch_related(Prefetch("items", queryset=items)).first())


@dataclass
class InboundSummary:
    expected: int = 0
    received: int = 0
    short: list[tuple[str, int]] = field(default_factory=list)
    over: list[tuple[str, int]] = field(default_factory=list)

    @property
    def difference(self) -> int:
        return self.received - self.expected

    @property
    def matches(self) -> bool:
        return not self.short and not self.over


def inbound_summary(items: list[InboundShipmentItem]) -> InboundSummary:
    """Units expected and received, and the SKUs that came short or over."""
    summary = InboundSummary()
    for item in items:
        summary.expected += item.quantity_expected
        summary.received += item.quantity_received
        if item.discrepancy < 0:
            summary.short.append((item.listing.sku, -item.discrepancy))
        elif item.discrepancy > 0:
            summary.over.append((item.listing.sku, item.discrepancy))
    return summary


def inbound_plan_listings(*, user: User | AnonymousUser, store: Store) -> QuerySet[Listing]:
    """The store's FBA listings that a shipment plan may include, with their 30-day sales."""
    from listings.selectors import ListingFilters, listing_list

    return listing_list(user=user, filters=ListingFilters(store=store, channel=Channel.AFN))
