"""Reads of listings and their stock shared by the listing pages, always scoped to the viewer's stores."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from core.marketplaces import MARKETPLACES
from core.models import Store
from core.selectors import scoped

from .models import Channel, Listing, ProductTypeDefinition, StockMovement
from .product_types import BUILTIN_PRODUCT_TYPES, builtin_definition
from .quality import Problem, check_listing_text
from .sales import units_sold_since
from .stockmath import days_of_cover, replenishment_units, units_needed

#: A product type's (required attribute names, properties), as ``ProductTypeDefinition`` keeps them.
Requirements = tuple[list[str], dict[str, dict]]

#: Sales velocity is measured over this many days.
VELOCITY_DAYS = 30
#: Days of sales kept in hand beyond the lead time when suggesting a replenishment.
SAFETY_DAYS = 14


#: The list's status tabs: the listing statuses, and out of stock (nothing sellable, whatever the status).
OUT_OF_STOCK = "out_of_stock"
STATUS_TABS = (*Listing.Status.values, OUT_OF_STOCK)


@dataclass(frozen=True)
class ListingFilters:
    store: Store | None = None
    channel: str = ""
    #: One of ``STATUS_TABS``, or "" for every listing.
    status: str = ""
    low_stock: bool = False
    quality: bool = False
    sync_problem: bool = False
    q: str = ""


def out_of_stock_q() -> Q:
    """Listings with nothing to sell: ``Listing.sellable_quantity`` (available − safety stock) is 0."""
    return Q(quantity_available__lte=F("safety_stock"))


def has_error_issue(issues: object) -> bool:
    """Whether Amazon's issues of a listing hold one of severity ERROR (which keeps it from selling)."""
    return isinstance(issues, list) and any(isinstance(issue, dict) and issue.get("severity") == "ERROR"
                                            for issue in issues)


def sync_problems(listing: Listing) -> list[str]:
    """What went wrong between the listing and Amazon, in words: publishing, the stock sync, Amazon's errors."""
    problems = [text for text in (listing.publish_error, listing.stock_sync_error) if text]
    if has_error_issue(listing.amazon_issues):
        problems += [str(issue.get("message") or issue.get("code") or "") for issue in listing.amazon_issues
                     if isinstance(issue, dict) and issue.get("severity") == "ERROR"]
    return problems


def with_sync_problems(qs: QuerySet[Listing]) -> QuerySet[Listing]:
    """Listings with a publishing error, a stock sync error or an Amazon issue of severity ERROR."""
    errors = ~Q(publish_error="") | ~Q(stock_sync_error="")
    if connection.vendor == "postgresql":
        return qs.filter(errors | Q(amazon_issues__contains=[{"severity": "ERROR"}]))
    # SQLite has no JSON containment: read the issues of the listings that have any.
    flagged = [pk for pk, issues in qs.exclude(amazon_issues=[]).values_list("pk", "amazon_issues").order_by()
               if has_error_issue(issues)]
    return qs.filter(errors | Q(pk__in=flagged))


@dataclass(frozen=True)
class StockPlan:
    """What the recent sales say about a listing's stock."""

    units_sold: int
    velocity: float  # units a day
    days_of_cover: float | None  # None: nothing sold, the stock lasts indefinitely
    suggestion: int
    is_low: bool
    runs_out_before_restock: bool
    #: Units on hand and on the way at or below which to reorder: velocity × lead time + safety stock.
    reorder_point: int = 0
    #: Available + inbound is at or below the reorder point (and something sells): time to order.
    at_reorder_point: bool = False


def stock_plan(listing: Listing, *, units_sold: int, days: int = VELOCITY_DAYS,
               safety_days: int = SAFETY_DAYS) -> StockPlan:
    """Days of cover, the reorder point (velocity × lead time + safety stock) and the replenishment to order
    (velocity × (lead time + safety days) − available − inbound)."""
    velocity = units_sold / days if days else 0.0
    available, inbound = listing.quantity_available, listing.quantity_inbound
    cover = days_of_cover(available, velocity)
    suggestion = replenishment_units(velocity=velocity, days=listing.lead_time_days + safety_days,
                                     available=available, inbound=inbound)
    reorder_point = units_needed(velocity * listing.lead_time_days + listing.safety_stock)
    return StockPlan(
        units_sold=units_sold, velocity=velocity, days_of_cover=cover, suggestion=suggestion,
        is_low=listing.quantity_available <= listing.safety_stock,
        runs_out_before_restock=cover is not None and cover < listing.lead_time_days,
        reorder_point=reorder_point,
        at_reorder_point=velocity > 0 and available + inbound <= reorder_point,
    )


def search_listings(qs: QuerySet[Listing], text: str) -> QuerySet[Listing]:
    return qs.filter(Q(sku__icontains=text) | Q(asin__iexact=text) | Q(fnsku__iexact=text)
                     | Q(title__icontains=text) | Q(brand__icontains=text))


def product_type_requirements(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], Requirements]:
    """(marketplace code, product type) → what the type requires there: Amazon's cached definition, else the
    built-in set; a pair that neither knows is left out. One query for all the pairs."""
    wanted = {(market, kind) for market, kind in pairs if kind and market in MARKETPLACES}
    found: dict[tuple[str, str], Requirements] = {}
    if not wanted:
        return found
    code_of = {MARKETPLACES[market].marketplace_id: market for market, _kind in wanted}
    cached = (ProductTypeDefinition.objects
              .filter(marketplace_id__in=code_of, product_type__in={kind for _market, kind in wanted})
              .order_by("marketplace_id", "product_type", "-fetched_at")
              .values_list("marketplace_id", "product_type", "required", "properties"))
    for marketplace_id, kind, required, properties in cached:
        key = (code_of[marketplace_id], kind)
        if key in wanted and key not in found:
            found[key] = (list(required or []), dict(properties or {}))
    for market, kind in wanted - set(found):
        builtin = builtin_definition(kind)
        if builtin is not None:
            found[(market, kind)] = builtin
    return found


def product_types_known(marketplace: str) -> list[str]:
    """The product types the editor offers in ``marketplace``: those cached for it and the built-in ones."""
    market = MARKETPLACES.get(marketplace)
    cached = set(ProductTypeDefinition.objects.filter(marketplace_id=market.marketplace_id)
                 .values_list("product_type", flat=True)) if market else set()
    return sorted(cached | set(BUILTIN_PRODUCT_TYPES))


def listing_problems(listings: Iterable[Listing]) -> dict[int, list[Problem]]:
    """Every text and content problem of each listing (its store loaded), read against its marketplace and the
    requirements of its product type."""
    listings = list(listings)
    requirements = product_type_requirements((listing.store.marketplace, listing.product_type)
                                             for listing in listings)
    problems: dict[int, list[Problem]] = {}
    for listing in listings:
        required, properties = requirements.get((listing.store.marketplace, listing.product_type), (None, None))
        problems[listing.pk] = check_listing_text(listing, marketplace=listing.store.marketplace,
                                                  required_attributes=required, properties=properties)
    return problems


#: The fields ``check_listing_text`` reads.
TEXT_FIELDS = ("id", "store_id", "store__marketplace", "title", "brand", "bullets", "description", "price",
               "currency", "handling_time_days", "product_type", "attributes", "main_image")


def listings_with_problems(qs: QuerySet[Listing]) -> list[int]:
    """The ids in ``qs`` whose text fails a quality check (one query over the fields the checks read, and one
    for the product types' requirements)."""
    rows = list(qs.select_related("store").only(*TEXT_FIELDS).order_by())
    return [pk for pk, problems in listing_problems(rows).items() if problems]


def _status_filter(qs: QuerySet[Listing], status: str) -> QuerySet[Listing]:
    if status == OUT_OF_STOCK:
        return qs.filter(out_of_stock_q())
    if status in Listing.Status.values:
        return qs.filter(status=status)
    return qs


def listings_filtered(*, user: User | AnonymousUser, filters: ListingFilters,
                      with_status: bool = True) -> QuerySet[Listing]:
    """The listings of ``user``'s stores matching ``filters`` (all but the status tab, unless ``with_status``)."""
    qs = scoped(Listing.objects.all(), user=user)
    if filters.store is not None:
        qs = qs.filter(store=filters.store)
    if filters.channel:
        qs = qs.filter(fulfillment_channel=filters.channel)
    if filters.low_stock:
        qs = qs.filter(out_of_stock_q())
    text = filters.q.strip()
    if text:
        qs = search_listings(qs, text)
    if filters.sync_problem:
        qs = with_sync_problems(qs)
    if filters.quality:
        qs = qs.filter(pk__in=listings_with_problems(qs))
    return _status_filter(qs, filters.status) if with_status else qs


def listing_status_counts(*, user: User | AnonymousUser, filters: ListingFilters,
                          base: QuerySet[Listing] | None = None) -> dict[str, int]:
    """How many listings each status tab holds under the other filters, and ``""`` for all, in one query.

    ``base``: ``listings_filtered(..., with_status=False)`` when the caller has it already.
    """
    qs = (base if base is not None else listings_filtered(user=user, filters=filters, with_status=False)).order_by()
    counts = qs.aggregate(
        all=Count("pk"), **{status: Count("pk", filter=Q(status=status)) for status in Listing.Status.values},
        **{OUT_OF_STOCK: Count("pk", filter=out_of_stock_q())})
    counts[""] = counts.pop("all")
    return counts


def listing_list(*, user: User | AnonymousUser, filters: ListingFilters, now: datetime | None = None,
                 base: QuerySet[Listing] | None = None) -> QuerySet[Listing]:
    """The listings of ``user``'s stores matching ``filters``, annotated with ``units_sold`` over 30 days.

    ``base``: ``listings_filtered(..., with_status=False)`` when the caller has it already (the quality check
    then runs once for the list and its counts).
    """
    now = now or timezone.now()
    qs = (_status_filter(base, filters.status) if base is not None
          else listings_filtered(user=user, filters=filters))
    since = now - timedelta(days=VELOCITY_DAYS)
    return (qs.annotate(units_sold=Coalesce(units_sold_since(since), Value(0)))
            .select_related("store").order_by("store__code", "sku"))


@dataclass(frozen=True)
class ListingRow:
    listing: Listing
    plan: StockPlan
    problems: list[Problem]
    sync: list[str]

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.is_error)

    @property
    def warnings(self) -> int:
        return len(self.problems) - self.errors


def listing_rows(listings: list[Listing]) -> list[ListingRow]:
    """Stock plan and text-quality problems of each listing (annotated by ``listing_list``)."""
    problems = listing_problems(listings)
    return [ListingRow(listing=listing, plan=stock_plan(listing, units_sold=listing.units_sold),  # type: ignore[attr-defined]  # annotated by the selector
                       problems=problems[listing.pk], sync=sync_problems(listing)) for listing in listings]


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

def listings_by_ids(*, user: User | AnonymousUser, ids: list[int]) -> QuerySet[Listing]:
    """The listings of ``user``'s stores among ``ids`` (others are silently absent), by store and SKU."""
    return (scoped(Listing.objects.all(), user=user).filter(pk__in=ids).select_related("store")
            .order_by("store__code", "sku"))
