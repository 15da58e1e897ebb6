"""Migrating a database that holds orders and shipments through fulfillment 0005-0007 (and the SQLite table rebuilds
of orders 0006 and fulfillment 0006) leaves their facts filled in and every trigger in place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from fulfillment.models import Shipment
from fulfillment.order_facts import OrderFactsDrift, order_facts_drift, order_facts_triggers_missing
from orders.models import Order

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("fulfillment", "0004_tracking_search_index"), ("orders", "0005_first_shipped_at")]
PURCHASED = datetime(2026, 11, 2, 9, tzinfo=UTC)


def _migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return MigrationExecutor(connection)


def test_migrating_forwards_fills_in_the_facts_and_installs_every_trigger():
    try:
        executor = _migrate(BEFORE)
        apps = executor.loader.project_state(BEFORE).apps
        store = apps.get_model("sellerops", "Store").objects.create(code="OLD-US", name="Old", marketplace="US")
        order_model, shipment_model = apps.get_model("orders", "Order"), apps.get_model("fulfillment", "Shipment")
        shipped = order_model.objects.create(store=store, amazon_order_id="113-0000001-0000001",
                                             purchase_date=PURCHASED, fulfillment_channel="AFN",
                                             latest_delivery_date=PURCHASED + timedelta(days=5))
        unshipped = order_model.objects.create(store=store, amazon_order_id="113-0000001-0000002",
                                               purchase_date=PURCHASED)
        for hours in (30, 10):
            shipment_model.objects.create(store=store, order=shipped, carrier="UPS",
                                          shipped_at=PURCHASED + timedelta(hours=hours))

        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

        assert Order.objects.get(pk=shipped.pk).first_shipped_at == PURCHASED + timedelta(hours=10)
        assert Order.objects.get(pk=unshipped.pk).first_shipped_at is None
        assert set(Shipment.objects.values_list("order_fulfillment_channel", "order_latest_delivery_date")) == {
            ("AFN", PURCHASED + timedelta(days=5))}
        assert order_facts_triggers_missing() == ()
        assert order_facts_drift() == OrderFactsDrift()
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
