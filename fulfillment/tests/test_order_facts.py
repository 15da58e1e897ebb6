"""The order facts the metrics read beside each row are kept by the database, whoever writes the rows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fulfillment.models import Shipment
from fulfillment.order_facts import order_facts_drift, order_facts_triggers_missing
from fulfillment.tests.corrupt import raw
from orders.models import Order
from tests.factories import OrderFactory, ShipmentFactory

pytestmark = pytest.mark.django_db


def facts(order: Order) -> tuple:
    order.refresh_from_db()
    return order.first_shipped_at, sorted(
        Shipment.objects.filter(order=order).values_list("order_fulfillment_channel", "order_latest_delivery_date"))


def test_a_shipment_written_takes_the_order_facts_and_gives_the_first_confirmation():
    order = OrderFactory(fulfillment_channel="MFN")
    later = ShipmentFactory(order=order, shipped_at=order.purchase_date + timedelta(days=2))
    assert facts(order) == (later.shipped_at, [("MFN", order.latest_delivery_date)])

    earlier = ShipmentFactory(order=order, shipped_at=order.purchase_date + timedelta(days=1))
    assert facts(order)[0] == earlier.shipped_at

    earlier.shipped_at = order.purchase_date + timedelta(days=3)
    earlier.save()
    assert facts(order)[0] == later.shipped_at

    later.delete()
    earlier.delete()
    assert facts(order) == (None, [])


def test_bulk_written_shipments_are_kept_too():
    orders = OrderFactory.create_batch(3, fulfillment_channel="MFN")
    Shipment.objects.bulk_create([
        Shipment(store=o.store, order=o, carrier="UPS", shipped_at=o.purchase_date + timedelta(hours=h))
        for o in orders for h in (30, 10)
    ])
    for o in orders:
        assert facts(o) == (o.purchase_date + timedelta(hours=10), [("MFN", o.latest_delivery_date)] * 2)


def test_an_order_changed_reaches_its_shipments():
    order = OrderFactory(fulfillment_channel="MFN")
    ShipmentFactory(order=order)
    order.fulfillment_channel = "AFN"
    order.latest_delivery_date = order.latest_delivery_date + timedelta(days=2)
    order.save()
    assert facts(order)[1] == [("AFN", order.latest_delivery_date)]


def test_an_order_saved_with_an_old_first_confirmation_is_corrected():
    order = OrderFactory()
    stale = Order.objects.get(pk=order.pk)
    shipment = ShipmentFactory(order=order)
    assert stale.first_shipped_at is None
    stale.cancel_reason = "saved from an instance read before the shipment"
    stale.save()
    assert facts(order)[0] == shipment.shipped_at


def test_a_shipment_moved_to_another_order_refreshes_both():
    first, second = OrderFactory(fulfillment_channel="MFN"), OrderFactory(fulfillment_channel="AFN")
    shipment = ShipmentFactory(order=first, store=first.store)
    shipment.order = second
    shipment.save()
    assert facts(first) == (None, [])
    assert facts(second) == (shipment.shipped_at, [("AFN", second.latest_delivery_date)])
    assert not order_facts_drift().found


def test_queryset_updates_and_deletes_are_kept_too():
    order = OrderFactory()
    ShipmentFactory.create_batch(2, order=order, shipped_at=order.purchase_date + timedelta(days=1))
    Shipment.objects.filter(order=order).update(shipped_at=order.purchase_date + timedelta(days=2))
    assert facts(order)[0] == order.purchase_date + timedelta(days=2)
    Order.objects.filter(pk=order.pk).update(fulfillment_channel="AFN", latest_delivery_date=None)
    assert facts(order)[1] == [("AFN", None), ("AFN", None)]
    Shipment.objects.filter(order=order).delete()
    assert facts(order) == (None, [])
    assert not order_facts_drift().found


def test_a_raw_write_through_the_triggers_is_corrected():
    order = OrderFactory(fulfillment_channel="MFN")
    shipment = ShipmentFactory(order=order)
    raw("UPDATE orders_order SET first_shipped_at = NULL WHERE id = %s", [order.pk])
    raw("UPDATE fulfillment_shipment SET order_fulfillment_channel = 'AFN', order_latest_delivery_date = NULL"
        " WHERE id = %s", [shipment.pk])
    assert facts(order) == (shipment.shipped_at, [("MFN", order.latest_delivery_date)])
    assert not order_facts_drift().found


def test_the_migrations_leave_every_trigger_in_place():
    # A later migration that rebuilds either table on SQLite drops its triggers unless it installs them again.
    assert order_facts_triggers_missing() == ()
