"""A shipment's carrier tracking events: the one service that records them, whoever reports them (a carrier's or a
tracking service's file, the API, the operator on the order page).

Recording events keeps on the shipment what the rest of the product reads without touching the events: the
latest event's time and status (``last_event_at``, ``last_event_status``, read by the deliveries-at-risk queue),
and the first scan and the delivery (``first_scan_at``, ``delivered_at``, read by the tracking metrics), the
latter through ``fulfillment.services.shipment_record_tracking``, so that the order is delivered exactly as
when a delivery is reported on its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from core.signals import store_data_changed_send
from core.state import locked
from orders.models import OrderEvent
from orders.services import order_event_record

from .carrier_event_selectors import shipments_by_tracking, tracking_key
from .carrier_status import CARRIER_HANDLED, TIMELINE_STATUSES, carrier_event_time_check
from .models import CarrierEvent, CarrierEventStatus, Shipment
from .services import shipment_record_tracking

#: The model's limits: a carrier's text beyond them is cut, not refused (it is the carrier's, not the user's).
DESCRIPTION_MAX = 300
LOCATION_MAX = 120


@dataclass(frozen=True)
class CarrierEventData:
    """One event as reported: when, what (our status) and the carrier's own words."""

    at: datetime
    status: str
    description: str = ""
    location: str = ""


@dataclass
class CarrierEventsResult:
    """What recording a shipment's events did: the events that were new, and how many were known already."""

    shipment: Shipment
    created: list[CarrierEvent] = field(default_factory=list)
    skipped: int = 0


def _checked(events: list[CarrierEventData], shipment: Shipment, now: datetime) -> list[CarrierEventData]:
    """Each event's status and time checked, its text trimmed to the model's limits, the repeats dropped."""
    unique: dict[tuple[datetime, str], CarrierEventData] = {}
    for event in events:
        if event.status not in CarrierEventStatus.values:
            raise ApplicationError(_("%(status)s is not a carrier event status; use one of: %(choices)s.") % {
                "status": event.status, "choices": ", ".join(CarrierEventStatus.values)})
        if timezone.is_naive(event.at):
            raise ApplicationError(_("A carrier event's time needs its time zone."))
        carrier_event_time_check(at=event.at, status=event.status, shipped_at=shipment.shipped_at, now=now)
        key = (event.at, event.status)
        unique.setdefault(key, CarrierEventData(at=event.at, status=event.status,
                                                description=event.description.strip()[:DESCRIPTION_MAX],
                                                location=event.location.strip()[:LOCATION_MAX]))
    return list(unique.values())



@transaction.atomic
def carrier_events_record(*, shipment: Shipment, events: list[CarrierEventData], source: str,
                          actor: User | None = None) -> CarrierEventsResult:
    """Record ``shipment``'s carrier events; the ones already recorded (same time and status) change nothing.

    Refuses the whole list, writing nothing, if one event is in the future or long before the ship confirmation
    (``carrier_status.carrier_event_time_check``). Keeps the latest event's time and status on the shipment, its
    first scan (the first event in the carrier's hands) and its delivery (the first delivered event), and puts
    each new delivery or exception on the order's timeline.
    """
    shipment = locked(shipment, "order", "store")
    now = timezone.now()
    wanted = _checked(events, shipment, now)
    known = set(CarrierEvent.objects.filter(shipment=shipment).values_list("at", "status"))
    new = [event for event in wanted if (event.at, event.status) not in known]
    result = CarrierEventsResult(shipment=shipment, skipped=len(events) - len(new))
    if not new:
        return result
    result.created = CarrierEvent.objects.bulk_create(
        CarrierEvent(store_id=shipment.store_id, shipment=shipment, at=event.at, status=event.status,
                     description=event.description, location=event.location, source=source)
        for event in sorted(new, key=lambda e: e.at))
    _keep_latest(shipment)
    _keep_scan_and_delivery(shipment, source=source)
    for event in result.created:
        if event.status in TIMELINE_STATUSES:
            order_event_record(order=shipment.order, kind=OrderEvent.Kind.CARRIER, actor=actor, source=source,
                               at=event.at, note=_timeline_note(shipment, event))
    store_data_changed_send(store_id=shipment.store_id)
    result.shipment = Shipment.objects.select_related("order", "store").get(pk=shipment.pk)
    return result


def _keep_latest(shipment: Shipment) -> None:
    """The latest event (by time; of two at once, the last recorded) on the shipment."""
    latest = CarrierEvent.objects.filter(shipment=shipment).order_by("-at", "-id").values("at", "status").first()
    assert latest is not None  # events were just recorded
    Shipment.objects.filter(pk=shipment.pk).update(last_event_at=latest["at"], last_event_status=latest["status"])
    shipment.last_event_at, shipment.last_event_status = latest["at"], latest["status"]


def _keep_scan_and_delivery(shipment: Shipment, *, source: str) -> None:
    """The first event in the carrier's hands and the first delivery, where earlier than what is recorded."""
    events = CarrierEvent.objects.filter(shipment=shipment).order_by("at", "id")
    first_scan = events.filter(status__in=CARRIER_HANDLED).values_list("at", flat=True).first()
    delivered = events.filter(status=CarrierEventStatus.DELIVERED).values_list("at", flat=True).first()
    scan_change = first_scan if first_scan and (not shipment.first_scan_at or first_scan < shipment.first_scan_at) \
        else None
    delivery_change = delivered if delivered and (not shipment.delivered_at or delivered < shipment.delivered_at) \
        else None
    if scan_change or delivery_change:
        shipment_record_tracking(shipment=shipment, first_scan_at=scan_change, delivered_at=delivery_change,
                                 source=source)


def _timeline_note(shipment: Shipment, event: CarrierEvent) -> str:
    """The carrier, the tracking number and the carrier's own words: the status is the entry's heading."""
    words = " · ".join(part for part in (event.description, event.location) if part)
    status = CarrierEventStatus(event.status).label
    head = f"{shipment.carrier_label} {shipment.tracking_number}".strip()
    return f"{head}: {status}" + (f" — {words}" if words else "")


@dataclass(frozen=True)
class TrackingEventData:
    """An event reported for a tracking number rather than a shipment (a bulk API call)."""

    tracking_number: str
    event: CarrierEventData


@dataclass(frozen=True)
class TrackingEventOutcome:
    index: int
    tracking_number: str
    shipment_id: int | None
    outcome: str
    message: str = ""


def tracking_events_record(*, store: Store, events: list[TrackingEventData], source: str,
                           actor: User | None = None) -> list[TrackingEventOutcome]:
    """Record events reported by tracking number in ``store``, each shipment's on their own; one outcome per event.

    An unknown tracking number is that event's outcome, not an error; a shipment whose events are refused records
    none of them (``carrier_events_record``), and the others are recorded.
    """
    by_number = shipments_by_tracking(store=store, numbers=[e.tracking_number for e in events])
    groups: dict[int, list[int]] = {}
    outcomes: dict[int, TrackingEventOutcome] = {}
    for index, item in enumerate(events):
        shipment = by_number.get(tracking_key(item.tracking_number))
        if shipment is None:
            outcomes[index] = TrackingEventOutcome(
                index, item.tracking_number, None, "unknown_tracking_number",
                _("No shipment of %(store)s has tracking number %(number)s.")
                % {"store": store.code, "number": item.tracking_number})
        else:
            groups.setdefault(shipment.pk, []).append(index)
    shipments = {s.pk: s for s in by_number.values()}
    for shipment_id, indexes in groups.items():
        try:
            result = carrier_events_record(shipment=shipments[shipment_id], events=[events[i].event for i in indexes],
                                           source=source, actor=actor)
        except ApplicationError as refusal:
            for i in indexes:
                outcomes[i] = TrackingEventOutcome(i, events[i].tracking_number, shipment_id, "refused",
                                                   refusal.message)
            continue
        created = {(e.at, e.status) for e in result.created}
        for i in indexes:
            key = (events[i].event.at, events[i].event.status)
            outcomes[i] = TrackingEventOutcome(i, events[i].tracking_number, shipment_id,
                                               "created" if key in created else "skipped")
            created.discard(key)  # the same event twice in one call: created once, then skipped
    return [outcomes[i] for i in range(len(events))]
