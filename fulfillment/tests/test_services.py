"""Shipment services: creation rules and carrier tracking events."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from fulfillment.models import Shipment, ShipmentItem
from fulfillment.services import shipment_create, shipment_record_tracking
from orders.models import OrderStatus
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


@pytest.mark.parametrize("case", ["long-before-ship", "future", "delivered-before-scan"])
def test_tracking_refusals_change_nothing(store, case):
    shipment = ShipmentFactory(order__store=store)
    kwargs = {
        # The one rule of ``carrier_status``: a scan up to 72 hours before the confirmation is the hand-over.
        "long-before-ship": {"first_scan_at": shipment.shipped_at - timedelta(hours=73)},
        "future": {"delivered_at": timezone.now() + timedelta(hours=1)},
        "delivered-before-scan": {"first_scan_at": shipment.shipped_at + timedelta(hours=3),
                                  "delivered_at": shipment.shipped_at + timedelta(hours=2)},
    }[case]
    with pytest.raises(ApplicationError):
        shipment_record_tracking(shipment=shipment, **kwargs)
    shipment.refresh_from_db()
    assert (shipment.first_scan_at, shipment.delivered_at) == (None, None)
    assert shipment.order.events.count() == 0


def test_amazons_shipments_are_recorded_many_at_once_with_their_items_and_order_facts(store):
    from fulfillment.services import AmazonShipmentData, shipments_record_amazon

    orders = OrderFactory.create_batch(2, store=store, fulfillment_channel="AFN", status=OrderStatus.SHIPPED)
    items = [OrderItemFactory(order=order, quantity=2, quantity_shipped=2) for order in orders]
    when = timezone.now() - timedelta(hours=3)
    data = [AmazonShipmentData(order_id=order.pk, amazon_shipment_id=f"Z{n}", carrier="Amazon Shipping",
                               carrier_name="", tracking_number=f"TBA10553224100{n}", shipped_at=when,
                               quantities={item.pk: 2}, estimated_arrival_at=when + timedelta(days=2),
                               fulfillment_center_id="CMH1")
            for n, (order, item) in enumerate(zip(orders, items, strict=True))]

    ids = shipments_record_amazon(store_id=store.pk, shipments=data)

    assert sorted(Shipment.objects.values_list("pk", flat=True)) == sorted(ids)
    assert sorted(Shipment.objects.values_list("amazon_shipment_id", "fulfillment_center_id",
                                               "order_fulfillment_channel", "estimated_arrival_at")) == [
        ("Z0", "CMH1", "AFN", when + timedelta(days=2)), ("Z1", "CMH1", "AFN", when + timedelta(days=2))]
    assert sorted(ShipmentItem.objects.values_list("order_item", "quantity")) == sorted((i.pk, 2) for i in items)
    orders[0].refresh_from_db()
    assert orders[0].first_shipped_at == when
    with pytest.raises(ApplicationError, match="Unknown carrier"):
        shipments_record_amazon(store_id=store.pk, shipments=[AmazonShipmentData(
            order_id=orders[0].pk, amazon_shipment_id="Z9", carrier="AMZN_US", carrier_name="",
            tracking_number="", shipped_at=when, quantities={items[0].pk: 1})])
