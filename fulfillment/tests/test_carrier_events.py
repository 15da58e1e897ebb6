"""Recording a shipment's carrier events: idempotent, the shipment's latest event, first scan and delivery kept
with them, the order delivered as before, the timeline told of deliveries and exceptions only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from core.signals import store_data_changed
from fulfillment.carrier_events import (
    CarrierEventData,
    TrackingEventData,
    carrier_events_record,
    tracking_events_record,
)
from fulfillment.models import CarrierEvent, CarrierEventStatus
from orders.models import OrderEvent, OrderStatus
from tests.factories import ShipmentFactory, StoreFactory

pytestmark = pytest.mark.django_db
S = CarrierEventStatus


def journey(shipment):
    t = shipment.shipped_at
    return [
        CarrierEventData(at=t - timedelta(days=1), status=S.LABEL_CREATED, description="Shipping Label Created"),
        CarrierEventData(at=t + timedelta(hours=5), status=S.IN_TRANSIT, description="Accepted at USPS Origin Facility",
                         location="MEMPHIS, TN 38118"),
        CarrierEventData(at=t + timedelta(hours=30), status=S.OUT_FOR_DELIVERY, description="Out for Delivery"),
        CarrierEventData(at=t + timedelta(hours=34), status=S.DELIVERED, description="Delivered, In/At Mailbox",
                         location="AUSTIN, TX 78701"),
    ]


@pytest.fixture
def shipment(store):
    return ShipmentFactory(order__store=store, shipped_at=timezone.now() - timedelta(days=3))


def test_a_journey_is_recorded_and_delivers_the_order(shipment):
    events = journey(shipment)
    result = carrier_events_record(shipment=shipment, events=events, source="api")
    assert len(result.created) == 4 and result.skipped == 0
    shipment.refresh_from_db()
    assert (shipment.last_event_at, shipment.last_event_status) == (events[3].at, S.DELIVERED)
    # The label is not a scan: the first scan is the carrier's acceptance.
    assert (shipment.first_scan_at, shipment.delivered_at) == (events[1].at, events[3].at)
    shipment.order.refresh_from_db()
    assert shipment.order.status == OrderStatus.DELIVERED
    kinds = list(shipment.order.events.values_list("kind", "to_status"))
    assert kinds.count((OrderEvent.Kind.CARRIER, "")) == 1  # the delivery, not every scan
    assert (OrderEvent.Kind.STATUS, OrderStatus.DELIVERED) in kinds
    note = shipment.order.events.get(kind=OrderEvent.Kind.CARRIER).note
    assert shipment.tracking_number in note and "Delivered, In/At Mailbox · AUSTIN, TX 78701" in note


def test_the_same_events_again_change_nothing(shipment):
    carrier_events_record(shipment=shipment, events=journey(shipment), source="import")
    before = (list(CarrierEvent.objects.values_list("id", "at", "status")), OrderEvent.objects.count())
    again = carrier_events_record(shipment=shipment, events=journey(shipment) + journey(shipment)[:1],
                                  source="import")
    assert (again.created, again.skipped) == ([], 5)
    assert (list(CarrierEvent.objects.values_list("id", "at", "status")), OrderEvent.objects.count()) == before


def test_an_older_event_arriving_later_does_not_move_the_latest(shipment):
    events = journey(shipment)
    carrier_events_record(shipment=shipment, events=events[2:3], source="api")
    carrier_events_record(shipment=shipment, events=events[1:2], source="api")
    shipment.refresh_from_db()
    assert (shipment.last_event_at, shipment.last_event_status) == (events[2].at, S.OUT_FOR_DELIVERY)
    assert shipment.first_scan_at == events[1].at  # the earlier scan is the first


def test_an_exception_goes_on_the_timeline_and_a_scan_does_not(shipment):
    t = shipment.shipped_at
    carrier_events_record(shipment=shipment, source="ui", events=[
        CarrierEventData(at=t + timedelta(hours=4), status=S.IN_TRANSIT),
        CarrierEventData(at=t + timedelta(hours=40), status=S.ADDRESS_PROBLEM, description="Insufficient Address")])
    entries = shipment.order.events.filter(kind=OrderEvent.Kind.CARRIER)
    assert [e.note.split(": ", 1)[1] for e in entries] == ["Address problem — Insufficient Address"]
    shipment.refresh_from_db()
    assert shipment.last_event_status == S.ADDRESS_PROBLEM and shipment.delivered_at is None
    shipment.order.refresh_from_db()
    assert shipment.order.status == OrderStatus.SHIPPED


@pytest.mark.parametrize("case", ["future", "scan-long-before", "label-long-before", "unknown-status", "naive"])
def test_a_refused_event_refuses_the_whole_list(shipment, case):
    t = shipment.shipped_at
    bad = {
        "future": CarrierEventData(at=timezone.now() + timedelta(hours=1), status=S.IN_TRANSIT),
        "scan-long-before": CarrierEventData(at=t - timedelta(days=4), status=S.IN_TRANSIT),
        "label-long-before": CarrierEventData(at=t - timedelta(days=45), status=S.LABEL_CREATED),
        "unknown-status": CarrierEventData(at=t + timedelta(hours=1), status="teleported"),
        "naive": CarrierEventData(at=(t + timedelta(hours=1)).replace(tzinfo=None), status=S.IN_TRANSIT),
    }[case]
    with pytest.raises(ApplicationError):
        carrier_events_record(shipment=shipment, events=[journey(shipment)[1], bad], source="api")
    shipment.refresh_from_db()
    assert not CarrierEvent.objects.exists()
    assert (shipment.last_event_at, shipment.first_scan_at) == (None, None)


def test_a_scan_before_the_ship_confirmation_is_the_first_scan(shipment):
    """The parcel is handed over, then confirmed on Amazon: its scan may come first (``SCAN_LEAD``)."""
    scan = shipment.shipped_at - timedelta(hours=10)
    carrier_events_record(shipment=shipment, events=[CarrierEventData(at=scan, status=S.IN_TRANSIT)], source="api")
    shipment.refresh_from_db()
    assert shipment.first_scan_at == scan


def test_store_data_changed_is_sent_once_events_are_new(shipment):
    sent = []

    def receiver(sender, store_id, **kwargs):
        sent.append(store_id)

    store_data_changed.connect(receiver)
    try:
        carrier_events_record(shipment=shipment, events=journey(shipment)[1:2], source="api")
        count = len(sent)
        carrier_events_record(shipment=shipment, events=journey(shipment)[1:2], source="api")
    finally:
        store_data_changed.disconnect(receiver)
    assert count >= 1 and set(sent) == {shipment.store_id} and len(sent) == count


def test_events_by_tracking_number_each_shipment_on_its_own(store):
    ok = ShipmentFactory(order__store=store, shipped_at=timezone.now() - timedelta(days=2),
                         tracking_number="9400111899223100001234")
    refused = ShipmentFactory(order__store=store, shipped_at=timezone.now() - timedelta(days=2))
    elsewhere = ShipmentFactory(order__store=StoreFactory(code="ELSE-UK"), tracking_number="ELSEWHERE1")
    at = ok.shipped_at + timedelta(hours=3)
    outcomes = tracking_events_record(store=store, source="api", events=[
        TrackingEventData("9400 1118 9922 3100 0012 34", CarrierEventData(at=at, status=S.IN_TRANSIT)),
        TrackingEventData(refused.tracking_number.lower(),
                          CarrierEventData(at=timezone.now() + timedelta(days=1), status=S.DELIVERED)),
        TrackingEventData("elsewhere1", CarrierEventData(at=at, status=S.IN_TRANSIT)),
        TrackingEventData("9400111899223100001234", CarrierEventData(at=at, status=S.IN_TRANSIT)),
    ])
    assert [(o.shipment_id, o.outcome) for o in outcomes] == [
        (ok.pk, "created"), (refused.pk, "refused"), (None, "unknown_tracking_number"), (ok.pk, "skipped")]
    assert "in the future" in outcomes[1].message
    assert not CarrierEvent.objects.filter(shipment__in=[refused, elsewhere]).exists()
