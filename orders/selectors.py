"""Reads of orders shared by the order pages and the API, always scoped to the viewer's stores."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Count, F, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Store
from core.selectors import scoped, store_list
from core.timefmt import zone_label
from listings.models import Channel

from .ids import AMAZON_ORDER_ID, AMAZON_ORDER_ID_PATTERN
from .models import OPEN_STATUSES, Order, OrderEvent, OrderItem, OrderStatus, RiskFlag
from .risk import PO_BOX_REFUSING_CARRIERS, UNUSUAL_QUANTITY, is_po_box

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


def store_timezones(*, user: User | AnonymousUser, store: Store | None = None) -> list[str]:
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


def _search_q(text: str, *, store: Store | None = None) -> Q:
    """Match an order id, buyer or recipient name, SKU or tracking number.

    A whole Amazon order id is looked up through its index: no name, SKU or tracking number has that form, and
    matching it in every text column would read every order. SKUs are searched in ``store`` only, if given.
    """
    if AMAZON_ORDER_ID.fullmatch(text):
        return Q(amazon_order_id=text)
    items = OrderItem.objects.filter(sku__icontains=text)
    if store is not None:
        items = items.filter(store=store)
    return (
        Q(amazon_order_id__icontains=text)
        | Q(merchant_order_id__iexact=text)
        | Q(buyer_name__icontains=text)
        | Q(ship_name__icontains=text)
        | Q(pk__in=items.values("order_id"))
        # Through fulfillment's ``Shipment.order`` (related name ``shipments``); a subquery, like the SKUs, so that
        # an order with two such shipments is still one row.
        | Q(pk__in=Order.objects.filter(shipments__tracking_number__iexact=text).values("pk"))
    )


def _filtered(*, user: User | AnonymousUser, filters: OrderFilters, now: datetime,
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
        qs = qs.filter(_search_q(text, store=filters.store))
    return qs


def order_list(*, user: User | AnonymousUser, filters: OrderFilters, now: datetime | None = None,
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
    # Shipments in their own order (``Shipment.Meta.ordering``): the latest first, the one a row shows.
    return qs.select_related("store").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.order_by("id")),
        "shipments",
    )


def order_tab_counts(*, user: User | AnonymousUser, filters: OrderFilters,
                     now: datetime | None = None, timezones: list[str] | None = None) -> dict[str, int]:
    """How many orders each counted tab holds under the other filters, in one query over open orders."""
    now = now or timezone.now()
    tznames = timezones if timezones is not None else store_timezones(user=user, store=filters.store)
    qs = _filtered(user=user, filters=filters, now=now, tznames=tznames).filter(status__in=OPEN_STATUSES)
    return qs.aggregate(**{
        tab: Count("pk", filter=_tab_q(tab, now=now, tznames=tznames)) for tab in Tab.COUNTED
    })


def order_detail(*, user: User | AnonymousUser, amazon_order_id: str,
                 store_code: str | None = None) -> QuerySet[Order]:
    """The viewer's orders with this Amazon id (one per store that has it), ready for the detail page.

    Items, shipments and the whole timeline come in one query each, whatever their number (what the page shows
    of the shipments is fulfillment's section of it: ``orders.sections``).
    """
    qs = scoped(Order.objects.filter(amazon_order_id=amazon_order_id), user=user)
    if store_code:
        qs = qs.filter(store__code=store_code)
    return qs.select_related("store").order_by("store__code").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("listing").order_by("id")),
        "shipments",
        Prefetch("events", queryset=OrderEvent.objects.select_related("actor").order_by("-at", "-id")),
    )


def orders_by_ids(*, user: User | AnonymousUser, ids: Iterable[int]) -> QuerySet[Order]:
    """The viewer's orders among ``ids`` (others are silently absent), by time left, with items and shipments."""
    qs = scoped(Order.objects.filter(pk__in=list(ids)), user=user)
    return qs.select_related("store").order_by(F("latest_ship_date").asc(nulls_last=True), "id").prefetch_related(
        Prefetch("items", queryset=OrderItem.objects.select_related("listing").order_by("id")),
        "shipments",  # latest first (``Shipment.Meta.ordering``)
    )


def units_sold_since(since: datetime) -> Subquery:
    """Units ordered of the outer listing's SKU in its store since ``since``, cancelled orders left out.

    The stock plan's sales (``listings.sales``, which this app provides them to when it is ready).
    """
    units = (OrderItem.objects
             .filter(store_id=OuterRef("store_id"), sku=OuterRef("sku"), order__purchase_date__gte=since)
             .exclude(order__status__in=[OrderStatus.CANCELED, OrderStatus.UNFULFILLABLE])
             .order_by().values("store_id", "sku").annotate(n=Sum("quantity")).values("n"))
    return Subquery(units, output_field=IntegerField())


#: Countries whose addresses are not deliverable without a postal code (as ``orders.risk`` judges them).
POSTAL_CODE_COUNTRIES = frozenset({"US", "GB", "DE", "FR", "JP", "CA"})


@dataclass(frozen=True)
class Risk:
    code: str
    label: str
    detail: str
    level: str  # "bad": act before shipping; "warn": look twice


def order_risks(*, order: Order, now: datetime) -> list[Risk]:
    """What the operator must see before shipping, each with the reason; reads only rows already loaded."""
    risks: list[Risk] = []
    items = list(order.items.all())
    shipments = list(order.shipments.all())
    flags = set(order.risk_flags or [])
    seller_ships = order.is_mfn and order.status in ACTION_STATUSES
    deadline = order.latest_ship_date
    if seller_ships and deadline is not None:
        local_now, local_deadline = now.astimezone(order.store.tz), deadline.astimezone(order.store.tz)
        if deadline < now:
            risks.append(Risk("late", _("Late"), _("The ship-by time has passed: confirming the shipment now "
                                                 "counts against the Late Shipment Rate."), "bad"))
        elif local_deadline.date() == local_now.date():
            risks.append(Risk("due_today", _("Ship by today"),
                              _("Ship by %(time)s today, store time.") % {
                                  "time": f"{local_deadline:%H:%M} {zone_label(local_deadline)}"},
                              "warn"))
    if order.is_mfn:
        missing = [label for value, label in (
            (order.ship_line1, _("street")), (order.ship_city, _("city")), (order.ship_country, _("country")),
            (order.ship_postal_code or order.ship_country not in POSTAL_CODE_COUNTRIES, _("postal code")),
        ) if not value]
        if missing or RiskFlag.ADDRESS_INCOMPLETE in flags:
            detail = (_("Missing: %(parts)s.") % {"parts": ", ".join(missing)} if missing
                      else _("Check the address with the buyer before shipping."))
            risks.append(Risk(RiskFlag.ADDRESS_INCOMPLETE, str(RiskFlag.ADDRESS_INCOMPLETE.label), detail, "bad"))
        if is_po_box(order.ship_line1, order.ship_line2) or RiskFlag.PO_BOX in flags:
            refusing = sorted(PO_BOX_REFUSING_CARRIERS)
            used = sorted({s.carrier for s in shipments if s.carrier in PO_BOX_REFUSING_CARRIERS})
            if used:
                detail = _("Shipped with %(carriers)s, which do not deliver to PO boxes.") % {
                    "carriers": ", ".join(used)}
            else:
                detail = _("%(carriers)s do not deliver to PO boxes: ship with the postal service.") % {
                    "carriers": ", ".join(refusing)}
            risks.append(Risk(RiskFlag.PO_BOX, str(RiskFlag.PO_BOX.label), detail, "bad" if used else "warn"))
    if order.is_open and order.is_mfn:
        short = [i for i in items
                 if i.listing_id is not None and i.quantity_reserved < i.quantity_owed]
        if short or RiskFlag.STOCK_SHORT in flags:
            detail = "; ".join(
                _("%(sku)s: %(reserved)d of %(owed)d units reserved") % {
                    "sku": i.sku, "reserved": i.quantity_reserved, "owed": i.quantity_owed}
                for i in short
            ) or _("Not every unit could be reserved when the order arrived.")
            risks.append(Risk(RiskFlag.STOCK_SHORT, str(RiskFlag.STOCK_SHORT.label), detail, "bad"))
    unusual = [i for i in items if i.quantity >= UNUSUAL_QUANTITY and not i.is_canceled]
    if order.is_mfn and (unusual or RiskFlag.QUANTITY_UNUSUAL in flags):
        detail = "; ".join(_("%(qty)d × %(sku)s") % {"qty": i.quantity, "sku": i.sku} for i in unusual)
        risks.append(Risk(RiskFlag.QUANTITY_UNUSUAL, str(RiskFlag.QUANTITY_UNUSUAL.label),
                          _("Unusually many units: %(items)s. Check it is not a typing error or a reseller.")
                          % {"items": detail or "—"}, "warn"))
    return risks


def orders_with_malformed_ids(*, using: str = "default") -> QuerySet[Order]:
    """Every stored order, in any store, whose id is not an Amazon order id (3-7-7 ASCII digits).

    Such rows predate the strict pattern (``\\d`` let other scripts' digits in); they are listed for a person to
    correct or remove, never changed here. ``\\Z`` and ``[0-9]`` mean the same in PostgreSQL and Python (SQLite).
    """
    return (Order.objects.using(using).exclude(amazon_order_id__regex=rf"^{AMAZON_ORDER_ID_PATTERN}\Z")
            .select_related("store").order_by("store__code", "amazon_order_id", "pk"))
