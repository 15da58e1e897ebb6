"""Deliveries at risk: the seller's parcels that left but may not arrive, and why.

A seller-fulfilled shipment with a tracking number, shipped in the last ``FOLLOW_DAYS`` days and not delivered, of
an order neither cancelled nor fully refunded, is *followed*. A followed parcel is at risk when

- ``silent``: the carrier has said nothing for the carrier's number of days (its last event, else its first scan,
  else the ship confirmation); the days are per carrier and destination marketplace
  (``fulfillment.carriers.CARRIERS`` ``silent_days``/``silent_days_to``), overridden by
  ``settings.DELIVERY_RISK_SILENT_DAYS``, and those by the store's own days for the carrier (``CarrierSilence``);
- ``late``: the order's deliver-by date has passed;
- ``exception``: the carrier's last status is one of ``CARRIER_EXCEPTIONS`` (returned, lost, address problem…).

Several reasons may hold at once. The pure functions below are the rule; ``at_risk_shipments`` is the same rule
in SQL, which the tests hold to the functions. A parcel the seller has followed up (``Shipment.follow_up``) stays
at risk, marked, until it is delivered; one shipped more than ``FOLLOW_DAYS`` ago is left to the claim process.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from listings.models import Channel
from orders.models import OrderStatus

from .carriers import CARRIERS
from .models import CARRIER_EXCEPTIONS, Carrier, CarrierEventStatus, CarrierSilence, Shipment

#: A store's own days of silence, by carrier (``CarrierSilence``).
StoreDays = Mapping[str, int]

#: Parcels shipped longer ago than this are no longer followed: by then the buyer has claimed or given up, and the
#: queue would fill with history. ``settings.DELIVERY_RISK_FOLLOW_DAYS`` changes it.
FOLLOW_DAYS = 60
#: Orders whose parcels are not followed: nothing is owed to the buyer any more.
UNFOLLOWED_ORDER_STATUSES = frozenset({OrderStatus.CANCELED, OrderStatus.DELIVERED})


class Reason:
    EXCEPTION = "exception"
    LATE = "late"
    SILENT = "silent"

    #: Most urgent first: the carrier says it went wrong; the buyer's date passed; the carrier went quiet.
    ORDER = (EXCEPTION, LATE, SILENT)
    LABELS = {
        EXCEPTION: _("Carrier exception"),
        LATE: _("Past the deliver-by date"),
        SILENT: _("No carrier scan"),
    }
    #: How much each reason weighs in the queue's order; the sum ranks a parcel (so any exception first).
    WEIGHT = {EXCEPTION: 4, LATE: 2, SILENT: 1}


def follow_days() -> int:
    return int(getattr(settings, "DELIVERY_RISK_FOLLOW_DAYS", FOLLOW_DAYS))


def _overrides() -> dict[str, int]:
    """``settings.DELIVERY_RISK_SILENT_DAYS``: ``{"YunExpress": 10, "YunExpress@DE": 12}`` — a carrier's days
    everywhere, or to one marketplace (which wins)."""
    return {str(key): int(days) for key, days in (getattr(settings, "DELIVERY_RISK_SILENT_DAYS", None) or {}).items()}


def silent_days(*, carrier: str, marketplace: str, store_days: StoreDays | None = None) -> int:
    """Days without a carrier event after which a parcel of ``carrier`` to ``marketplace`` is at risk: the store's
    own days for the carrier (``store_days``), else the settings', else the carrier table's."""
    if store_days and carrier in store_days:
        return store_days[carrier]
    overrides = _overrides()
    for key in (f"{carrier}@{marketplace}", carrier):
        if key in overrides:
            return overrides[key]
    spec = CARRIERS.get(carrier) or CARRIERS[Carrier.OTHER]
    return dict(spec.silent_days_to).get(marketplace, spec.silent_days)


def last_heard(*, last_event_at: datetime | None, first_scan_at: datetime | None, shipped_at: datetime) -> datetime:
    """When the parcel last gave a sign of life: its latest carrier event, else its first scan, else shipping."""
    return last_event_at or first_scan_at or shipped_at


def days_silent(*, heard: datetime, now: datetime) -> int:
    """Whole days since ``heard`` (0 for anything under a day, or a time ahead of ``now``)."""
    return max(0, (now - heard).days)


@dataclass(frozen=True)
class Parcel:
    """What the rule reads of one shipment and its order."""

    carrier: str
    marketplace: str
    shipped_at: datetime
    tracking_number: str = "x"
    channel: str = Channel.MFN
    first_scan_at: datetime | None = None
    last_event_at: datetime | None = None
    last_event_status: str = ""
    delivered_at: datetime | None = None
    latest_delivery_date: datetime | None = None
    order_status: str = OrderStatus.SHIPPED
    fully_refunded: bool = False
    #: The parcel is a replacement of a lost one: sent after the deliver-by date on purpose, it is judged by its
    #: carrier's events only.
    is_replacement: bool = False
    #: A replacement was sent for the parcel: that one is followed instead.
    replaced: bool = False
    #: The store's own days of silence, as ``(carrier, days)`` pairs.
    store_days: tuple[tuple[str, int], ...] = ()


def followed(parcel: Parcel, *, now: datetime) -> bool:
    """Whether the parcel is one the rule watches: the seller's, tracked, recent, undelivered, still owed."""
    return (parcel.channel == Channel.MFN and bool(parcel.tracking_number) and parcel.delivered_at is None
            and parcel.last_event_status != CarrierEventStatus.DELIVERED
            and parcel.shipped_at >= now - timedelta(days=follow_days())
            and parcel.order_status not in UNFOLLOWED_ORDER_STATUSES and not parcel.fully_refunded
            and not parcel.replaced)


def risk_reasons(parcel: Parcel, *, now: datetime) -> tuple[str, ...]:
    """Why the parcel is at risk, most urgent first; empty when it is not (or is not followed)."""
    if not followed(parcel, now=now):
        return ()
    heard = last_heard(last_event_at=parcel.last_event_at, first_scan_at=parcel.first_scan_at,
                       shipped_at=parcel.shipped_at)
    holds = {
        Reason.EXCEPTION: parcel.last_event_status in CARRIER_EXCEPTIONS,
        Reason.LATE: (not parcel.is_replacement and parcel.latest_delivery_date is not None
                      and parcel.latest_delivery_date < now),
        Reason.SILENT: heard <= now - timedelta(days=silent_days(carrier=parcel.carrier,
                                                                 marketplace=parcel.marketplace,
                                                                 store_days=dict(parcel.store_days))),
    }
    return tuple(reason for reason in Reason.ORDER if holds[reason])


def risk_score(reasons: Iterable[str]) -> int:
    """How urgent the reasons together are: the queue shows the highest first."""
    return sum(Reason.WEIGHT[reason] for reason in set(reasons))


# --- The same rule in SQL ---------------------------------------------------------------------------------------

#: The rows the partial index ``shipment_undelivered`` holds: the query must repeat its condition to use it.
UNDELIVERED = Q(delivered_at__isnull=True, order_fulfillment_channel=Channel.MFN) & ~Q(tracking_number="")


def store_silent_days(*, store_ids: Iterable[int] | None = None) -> dict[int, dict[str, int]]:
    """Each store's own days of silence by carrier (``CarrierSilence``), by store id; all stores by default."""
    rows = CarrierSilence.objects.order_by()
    if store_ids is not None:
        rows = rows.filter(store_id__in=list(store_ids))
    by_store: dict[int, dict[str, int]] = {}
    for store_id, carrier, days in rows.values_list("store_id", "carrier", "days"):
        by_store.setdefault(store_id, {})[carrier] = days
    return by_store


def shipment_silent_days(shipment: Shipment) -> int:
    """The days of silence ``shipment``'s carrier is allowed, in its store and to its store's marketplace."""
    store_days = store_silent_days(store_ids=[shipment.store_id]).get(shipment.store_id)
    return silent_days(carrier=shipment.carrier, marketplace=shipment.store.marketplace, store_days=store_days)


def _threshold(by_store: Mapping[int, StoreDays]) -> Case:
    """Each shipment's silent days, by its store's own days for its carrier, else by its carrier and its store's
    marketplace, as a SQL expression."""
    whens = [When(store_id=store_id, carrier=carrier, then=Value(days))
             for store_id, store_days in sorted(by_store.items()) for carrier, days in sorted(store_days.items())]
    overrides = _overrides()
    carriers = {*CARRIERS, *Carrier.values, *(key.split("@")[0] for key in overrides)}
    for carrier in sorted(carriers):
        spec = CARRIERS.get(carrier) or CARRIERS[Carrier.OTHER]
        markets = {market for market, _days in spec.silent_days_to}
        markets |= {key.split("@", 1)[1] for key in overrides if key.startswith(f"{carrier}@")}
        for market in sorted(markets):
            whens.append(When(carrier=carrier, store__marketplace=market,
                              then=Value(silent_days(carrier=carrier, marketplace=market))))
        whens.append(When(carrier=carrier, then=Value(silent_days(carrier=carrier, marketplace=""))))
    return Case(*whens, default=Value(silent_days(carrier=Carrier.OTHER, marketplace="")),
                output_field=IntegerField())


def _silent_q(now: datetime, thresholds: Iterable[int]) -> Q:
    """Silent for at least the shipment's days: one clause per distinct number of days (a handful)."""
    days = sorted(set(thresholds))
    condition = Q(pk__isnull=True)
    for each in days:
        condition |= Q(risk_days=each, risk_heard__lte=now - timedelta(days=each))
    # Silent for less than the shortest allowance, no carrier's threshold needs working out.
    return Q(risk_heard__lte=now - timedelta(days=days[0])) & condition if days else condition


def _all_thresholds(by_store: Mapping[int, StoreDays]) -> set[int]:
    overrides = _overrides()
    days = {spec.silent_days for spec in CARRIERS.values()} | set(overrides.values())
    days |= {d for spec in CARRIERS.values() for _market, d in spec.silent_days_to}
    days |= {d for store_days in by_store.values() for d in store_days.values()}
    return days


def at_risk_shipments(shipments: QuerySet[Shipment] | None = None, *, now: datetime,
                      reason: str = "") -> QuerySet[Shipment]:
    """The shipments at risk among ``shipments`` (all by default), annotated with the rule's findings.

    Each row carries ``risk_heard`` (last sign of life), ``risk_days`` (the silence its carrier is allowed),
    ``risk_silent``, ``risk_late``, ``risk_exception`` and ``risk_score``; ``reason`` keeps only the parcels for
    which that reason holds. Ordered by urgency: not yet followed up first, then by score, then the longest
    silence. Reads only the partial index ``shipment_undelivered`` and the orders it points to.
    """
    qs = shipments if shipments is not None else Shipment.objects.all()
    by_store = store_silent_days()
    exception = Q(last_event_status__in=sorted(CARRIER_EXCEPTIONS))
    late = Q(order_latest_delivery_date__lt=now, replacement_of__isnull=True)
    qs = (qs.filter(UNDELIVERED, shipped_at__gte=now - timedelta(days=follow_days()), replacement__isnull=True)
          .exclude(last_event_status=CarrierEventStatus.DELIVERED)
          .exclude(order__status__in=sorted(UNFOLLOWED_ORDER_STATUSES))
          .annotate(risk_heard=Coalesce("last_event_at", "first_scan_at", "shipped_at"),
                    risk_days=_threshold(by_store)))
    silent = _silent_q(now, _all_thresholds(by_store))
    condition = {Reason.EXCEPTION: exception, Reason.LATE: late, Reason.SILENT: silent}
    qs = qs.filter(condition[reason] if reason in condition else exception | late | silent)
    # A full refund settles the order: a subquery per candidate row, through returns' relation (no import).
    qs = qs.exclude(order__refunds__kind="full")
    flags = {f"risk_{name}": ExpressionWrapper(condition[name], output_field=BooleanField()) for name in Reason.ORDER}
    score = sum((Case(When(condition[name], then=Value(Reason.WEIGHT[name])), default=Value(0))
                 for name in Reason.ORDER), start=Value(0))
    return qs.annotate(**flags, risk_score=ExpressionWrapper(score, output_field=IntegerField())).order_by(
        F("follow_up_at").asc(nulls_first=True), F("risk_score").desc(), F("risk_heard").asc(), "id")


def shipment_reasons(shipment: Shipment) -> tuple[str, ...]:
    """The reasons ``at_risk_shipments`` found for one of its rows, most urgent first."""
    return tuple(name for name in Reason.ORDER if getattr(shipment, f"risk_{name}", False))
