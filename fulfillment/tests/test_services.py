"""Shipment services: creation rules and carrier tracking events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.models import Shipment, ShipmentItem
from fulfillment.services import shipment_create, shipment_record_tracking
from orders.models import OrderStatus
from sellerops.errors import ApplicationError
from tests.factories import OrderFactory, OrderItemFactory, ShipmentFactory

pytestmark = pytest.mark.django_db


def test_create_normalises_the_tracking_number_and_writes_items(store):
    order = OrderFactory(store=store)
    item = OrderItemFactory(order=order, quantity=2)
    shipment = shipment_create(order=order, carrier="Other", carrier_name=" Local Courier ",
                               tracking_number=" AB 123 ", shipped_at=timezone.now(), quantities={item.pk: 2})
    assert (shipment.tracking_number, shipment.carrier_name, shipment.carrier_label) == (
        "AB123", "Local Courier", "Local Courier")
    rows = ShipmentItem.objects.values_list("order_item", "quantity", "store")
    assert list(rows) == [(item.pk, 2, store.pk)]


@pytest.mark.parametrize(("carrier", "name", "tracking", "message"), [
    ("Pigeon", "", "X1", "Unknown carrier"),
    ("Other", " ", "X1", "Name the carrier"),
    ("UPS", "", "  ", "tracking number is required"),
])
def test_create_refusals(store, carrier, name, tracking, message):
    order = OrderFactory(store=store)
    with pytest.raises(ApplicationError, match=message):
        shipment_create(order=order, carrier=carrier, carrier_name=name, tracking_number=tracking,
                        shipped_at=timezone.now(), quantities={})
    assert not Shipment.objects.exists()


def test_delivery_of_the_last_shipment_delivers_the_order(store):
    shipment = ShipmentFactory(order__store=store)
    delivered = shipment.shipped_at + timedelta(hours=2)
    shipment_record_tracking(shipment=shipment, delivered_at=delivered)
    shipment.refresh_from_db()
    assert (shipment.first_scan_at, shipment.delivered_at) == (delivered, delivered)
    shipment.order.refresh_from_db()
    assert shipment.order.status == OrderStatus.DELIVERED
    event = shipment.order.events.get()
    assert (event.from_status, event.to_status, event.at, event.source) == (
        OrderStatus.SHIPPED, OrderStatus.DELIVERED, delivered, "carrier")


def test_order_waits_for_every_shipment_to_be_delivered(store):
    first = ShipmentFactory(order__store=store)
    ShipmentFactory(order=first.order, store=store)
    shipment_record_tracking(shipment=first, delivered_at=first.shipped_at + timedelta(hours=2))
    first.order.refresh_from_db()
    assert first.order.status == OrderStatus.SHIPPED


def test_first_scan_alone_keeps_the_order_shipped(store):
    shipment = ShipmentFactory(order__store=store)
    shipment_record_tracking(shipment=shipment, first_scan_at=shipment.shipped_at + timedelta(hours=1))
    shipment.refresh_from_db()
    assert shipment.first_scan_at is not None and shipment.delivered_at is None
    shipment.order.refresh_from_db()
    assert shipment.order.status == OrderStatus.SHIPPED


@pytest.mark.parametrize("case", ["before-ship", "future", "delivered-before-scan"])
def test_tracking_refusals_change_nothing(store, case):
    shipment = ShipmentFactory(order__store=store)
    kwargs = {
        "before-ship": {"first_scan_at": shipment.shipped_at - timedelta(minutes=1)},
        "future": {"delivered_at": timezone.now() + timedelta(hours=1)},
        "delivered-before-scan": {"first_scan_at": shipment.shipped_at + timedelta(hours=3),
                                  "delivered_at": shipment.shipped_at + timedelta(hours=2)},
    }[case]
    with pytest.raises(ApplicationError):
        shipment_record_tracking(shipment=shipment, **kwargs)
    shipment.refresh_from_db()
    assert (shipment.first_scan_at, shipment.delivered_at) == (None, None)
    assert shipment.order.events.count() == 0
