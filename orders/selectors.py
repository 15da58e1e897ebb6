"""Reads of orders shared by the order pages and the API, always scoped to the viewer's stores."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from fulfillment.models import Shipment
from listings.models import Channel
from sellerops.models import Store
from sellerops.selectors import scoped, store_list

from .models import OPEN_STATUSES, Order, OrderItem, OrderStatus

S = OrderStatus
#: Seller-fulfilled statuses in which the operator still has to ship: the action queue.
ACTION_STATUSES = frozenset({S.UNSHIPPED, S.CONFIRMED, S.PACKED, S.PARTIALLY_SHIPPED})
#: How far ahead the "next 2 days" ship-by filter looks.
NEXT_DAYS = timedelta(days=2)


class Tab:
    NEEDS_ACTION = "needs_action"
    LATE = "late"
    DUE_TODAY = "due_today"
    RISKY = "risky"
    UNSHIPPED = "unshipped"
    FBA = "fba"
    CANCELLED = "cancelled"
    ALL = "all"

    ORDER = (NEEDS_ACTION, LATE, DUE_TODAY, RISKY, UNSHIPPED, FBA, CANCELLED, ALL)
    #: Tabs that are worth a count: bounded subsets of the open orders.
    COUNTED = (NEEDS_ACTION, LATE, DUE_TODAY, RISKY, UNSHIPPED)
    #: Tabs sorted by time left (overdue first); the others newest first.
    BY_DEADLINE = frozenset({NEEDS_ACTION, LATE, DUE_TODAY, RISKY, UNSHIPPED})


class ShipBy:
    OVERDUE = "overdue"
    TODAY = "today"
    NEXT_DAYS = "next2"
    RANGE = "range"


@dataclass(frozen=True)
class OrderFilters:
    tab: str = Tab.NEEDS_ACTION
    store: Store | None = None
    status: str = ""
    channel: str = ""
    ship_by: str = ""
    ship_from: date | None = None
    ship_to: date | None = None
    q: str = ""


def store_timezones(*, user: AbstractBaseUser | AnonymousUser, store: Store | None = None) -> list[str]:
    """The timezones of ``user``'s stores (or of ``store`` alone); ship-by days are judged in each."""
    if store is not None:
        return [store.timezone]
    return sorted(store_list(user=user).order_by().values_list("timezone", flat=True).distinct())


Window = Callable[[zoneinfo.ZoneInfo], tuple[datetime | None, datetime | None]]


def _local_window(tznames: Iterable[str], window: Window) -> Q:
    """Ship-by inside ``window`` as each store's own timezone sees it (one clause per timezone)."""
    condition = None
    for tzname in tznames:
        start, end = window(zoneinfo.ZoneInfo(tzname))
        clause = Q(store__timezone=tzname)
        if start is not None:
            clause &= Q(latest_ship_date__gte=start)
        if end is not None:
            clause &= Q(latest_ship_date__lt=end)
        condition = clause if condition is None else condition | clause
    # No store, no timezone: a condition no row meets.
    return condition if condition is not None else Q(pk__isnull=True)


def _day_window(first: date | None, last: date | None) -> Window:
    """From the start of ``first`` to the end of ``last`` (either may be open), in local time."""
    def window(tz: zoneinfo.ZoneInfo) -> tuple[datetime | None, datetime | None]:
        return (datetime.combine(first, time.min, tzinfo=tz) if first else None,
                datetime.combine(last + timedelta(days=1), time.min, tzinfo=tz) if last else None)

    return window


def _today_window(now: datetime) -> Window:
    def window(tz: zoneinfo.ZoneInfo) -> tuple[datetime | None, datetime | None]:
        today = now.astimezone(tz).date()
        return _day_window(today, today)(tz)

    return window


def due_today_q(*, tznames: Iterable[str], now: datetime) -> Q:
    """Ship-by falls on today's date in the store's timezone, which is how Amazon judges the day."""
    return _local_window(tznames, _today_window(now))


def _tab_q(tab: str, *, now: datetime, tznames: list[str]) -> Q:
    action = Q(fulfillment_channel=Channel.MFN, status__in=ACTION_STATUSES)
    if tab == Tab.NEEDS_ACTION:
        return action
    if tab == Tab.LATE:
        return action & Q(latest_ship_date__lt=now)
    if tab == Tab.DUE_TODAY:
        return action & due_today_q(tznames=tznames, now=now)
    if tab == Tab.RISKY:
        return Q(status__in=OPEN_STATUSES) & ~Q(risk_flags=[])
    if tab == Tab.UNSHIPPED:
        return Q(status=S.UNSHIPPED)
    if tab == Tab.FBA:
        return Q(fulfillment_channel=Channel.AFN)
    if tab == Tab.CANCELLED:
        return Q(status=S.CANCELED)
    return Q()


def _search_q(text: str) -> Q:
    """Match an order id, buyer or recipient name, SKU or tracking number."""
    return (
        Q(amazon_order_id__icontains=text)
        | Q(merchant_order_id__iexact=text)
        | Q(buyer_name__icontains=text)
        | Q(ship_name__icontains=text)
        | Q(pk__in=OrderItem.objects.filter(sku__icontains=text).values("order_id"))
        | Q(pk__in=Shipment.objects.filter(tracking_number__iexact=text).values("order_id"))
    )


def _filtered(*, user: AbstractBaseUser | AnonymousUser, filters: OrderFilters, now: datetime,
              tznames: list[str]) -> QuerySet[Order]:
    """Every filter but the tab: the set the tab counts are taken over."""
    qs = scoped(Order.objects.all(), user=user)
    if filters.store is not None:
        qs = qs.filter(store=filters.store)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.channel:
        qs = qs.filter(fulfillment_channel=filters.channel)
    if filters.ship_by == ShipBy.OVERDUE:
        qs = qs.filter(latest_ship_date__lt=now)
    elif filters.ship_by == ShipBy.TODAY:
        qs = qs.filter(due_today_q(tznames=tznames, now=now))
    elif filters.ship_by == ShipBy.NEXT_DAYS:
        qs = qs.filter(latest_ship_date__gte=now, latest_ship_date__lt=now + NEXT_DAYS)
    elif filters.ship_by == ShipBy.RANGE and (filters.ship_from or filters.ship_to):
        first, last = filters.ship_from, filters.ship_to
        if first and last and last < first:
            first, last = last, first
        qs = qs.filter(_local_window(tznames, _day_window(first, last)))
    text = filters.q.strip()
    if text:
        qs = qs.filter(_search_q(text))
    return qs


def order_list(*, user: AbstractBaseUser | AnonymousUser, filters: OrderFilters, now: datetime | None = None,
               timezones: list[str] | None = None) -> QuerySet[Order]:
    """The orders of ``user``'s stores that match ``filters``, ready to render one row each.

    ``timezones`` may pass in ``store_timezones()`` already read for the same user and filters.
    """
    now = now or timezone.now()
    tznames = timezones if timezones is not None else store_timezones(user=user, store=filters.store)
    qs = _filtered(user=user, filters=filters, now=now, tznames=tznames)
    qs = qs.filter(_tab_q(filters.tab, now=now, tznames=tznames))
    if filters.tab in Tab.BY_DEADLINE:
        qs = qs.order_by(F("latest_ship_date").asc(nulls_last=True), "id")
    else:
        qs = qs.order_by("-purchase_date", "-id")
    return qs.select_related("store").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id")),
        Prefetch("shipments", queryset=Shipment.objects.order_by("-shipped_at", "-id")),
    )


def order_tab_counts(*, user: AbstractBaseUser | AnonymousUser, filters: OrderFilters,
                     now: datetime | None = None, timezones: list[str] | None = None) -> dict[str, int]:
    """How many orders each counted tab holds under the other filters, in one query over open orders."""
    now = now or timezone.now()
    tznames = timezones if timezones is not None else store_timezones(user=user, store=filters.store)
    qs = _filtered(user=user, filters=filters, now=now, tznames=tznames).filter(status__in=OPEN_STATUSES)
    return qs.aggregate(**{
        tab: Count("pk", filter=_tab_q(tab, now=now, tznames=tznames)) for tab in Tab.COUNTED
    })
