"""Reads of listings and their stock shared by the listing pages, always scoped to the viewer's stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.models import Store
from core.selectors import scoped

from .models import Channel, Listing, StockMovement
from .quality import Problem, check_listing_text
from .sales import units_sold_since
from .stockmath import days_of_cover, replenishment_units

#: Sales velocity is measured over this many days.
VELOCITY_DAYS = 30
#: Days of sales kept in hand beyond the lead time when suggesting a replenishment.
SAFETY_DAYS = 14


@dataclass(frozen=True)
class ListingFilters:
    store: Store | None = None
    channel: str = ""
    low_stock: bool = False
    quality: bool = False
    q: str = ""


@dataclass(frozen=True)
class StockPlan:
    """What the recent sales say about a listing's stock."""

    units_sold: int
    velocity: float  # units a day
    days_of_cover: float | None  # None: nothing sold, the stock lasts indefinitely
    suggestion: int
    is_low: bool
    runs_out_before_restock: bool


def stock_plan(listing: Listing, *, units_sold: int, days: int = VELOCITY_DAYS,
               safety_days: int = SAFETY_DAYS) -> StockPlan:
    """Days of cover and the replenishment to order: velocity × (lead time + safety days) − available − inbound."""
    velocity = units_sold / days if days else 0.0
    available, inbound = listing.quantity_available, listing.quantity_inbound
    cover = days_of_cover(available, velocity)
    suggestion = replenishment_units(velocity=velocity, days=listing.lead_time_days + safety_days,
                                     available=available, inbound=inbound)
    return StockPlan(
        units_sold=units_sold, velocity=velocity, days_of_cover=cover, suggestion=suggestion,
        is_low=listing.quantity_available <= listing.safety_stock,
        runs_out_before_restock=cover is not None and cover < listing.lead_time_days,
    )


def _search(qs: QuerySet[Listing], text: str) -> QuerySet[Listing]:
    return qs.filter(Q(sku__icontains=text) | Q(asin__iexact=text) | Q(fnsku__iexact=text)
                     | Q(title__icontains=text) | Q(brand__icontains=text))


def listings_with_problems(qs: QuerySet[Listing]) -> list[int]:
    """The ids in ``qs`` whose text fails a quality check (one query over the fields the checks read)."""
    fields = ("id", "title", "brand", "bullets", "description", "main_image")
    return [listing.pk for listing in qs.only(*fields).order_by() if check_listing_text(listing)]


def listing_list(*, user: User | AnonymousUser, filters: ListingFilters,
                 now: datetime | None = None) -> QuerySet[Listing]:
    """The listings of ``user``'s stores matching ``filters``, annotated with ``units_sold`` over 30 days."""
    now = now or timezone.now()
    qs = scoped(Listing.objects.all(), user=user)
    if filters.store is not None:
        qs = qs.filter(store=filters.store)
    if filters.channel:
        qs = qs.filter(fulfillment_channel=filters.channel)
    if filters.low_stock:
        qs = qs.filter(quantity_available__lte=F("safety_stock"))
    text = filters.q.strip()
    if text:
        qs = _search(qs, text)
    if filters.quality:
        qs = qs.filter(pk__in=listings_with_problems(qs))
    since = now - timedelta(days=VELOCITY_DAYS)
    return (qs.annotate(units_sold=Coalesce(units_sold_since(since), Value(0)))
            .select_related("store").order_by("store__code", "sku"))


@dataclass(frozen=True)
class ListingRow:
    listing: Listing
    plan: StockPlan
    problems: list[Problem]

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def listing_rows(listings: list[Listing]) -> list[ListingRow]:
    """Stock plan and text-quality problems of each listing (annotated by ``listing_list``)."""
    return [ListingRow(listing=listing, plan=stock_plan(listing, units_sold=listing.units_sold),  # type: ignore[attr-defined]  # annotated by the selector
                       problems=check_listing_text(listing)) for listing in listings]


def listing_detail(*, user: User | AnonymousUser, pk: int,
                   now: datetime | None = None) -> Listing | None:
    """One listing of ``user``'s stores with its 30-day ``units_sold``, or None."""
    now = now or timezone.now()
    since = now - timedelta(days=VELOCITY_DAYS)
    return (scoped(Listing.objects.all(), user=user).filter(pk=pk)
            .annotate(units_sold=Coalesce(units_sold_since(since), Value(0)))
            .select_related("store").first())


def listing_movements(*, listing: Listing, limit: int = 100) -> QuerySet[StockMovement]:
    """The listing's latest stock movements, newest first, with who made them and for which order."""
    return (listing.movements.select_related("actor", "order").order_by("-at", "-id")[:limit])


@dataclass(frozen=True)
class StockSync:
    """What Amazon was last told of a seller-fulfilled listing's stock, and whether it is owed a newer figure."""

    accepted_quantity: int | None
    accepted_at: datetime | None
    #: The stock moved since Amazon last accepted a figure: a push is on its way.
    pending: bool
    error: str
    failed_at: datetime | None

    @property
    def failed(self) -> bool:
        return self.failed_at is not None


def stock_sync_state(listing: Listing) -> StockSync | None:
    """``listing``'s stock as Amazon has it; None when its stock is not sent to Amazon (an FBA listing, one Amazon
    does not have yet, a store without SP-API credentials and seller id) and never was."""
    credentials = getattr(listing.store, "spapi_credentials", None)  # the SP-API layer's row, by its relation
    pushed = (listing.fulfillment_channel == Channel.MFN
              and bool(listing.published_at or listing.asin or listing.open_date)
              and credentials is not None and credentials.is_active and bool(credentials.seller_id.strip()))
    if not pushed and listing.stock_accepted_at is None and listing.stock_sync_failed_at is None:
        return None
    return StockSync(accepted_quantity=listing.stock_accepted_quantity, accepted_at=listing.stock_accepted_at,
                     pending=pushed and listing.stock_version > listing.stock_sent_version,
                     error=listing.stock_sync_error, failed_at=listing.stock_sync_failed_at)


def listings_with_sync_problems(qs: QuerySet[Listing]) -> QuerySet[Listing]:
    """The listings in ``qs`` whose last stock push to Amazon failed (cleared once a push is accepted)."""
    return qs.filter(stock_sync_failed_at__isnull=False)
