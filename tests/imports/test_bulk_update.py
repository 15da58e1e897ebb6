"""Updating many rows at once: each row gets its own values, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.bulk import update_rows
from orders.models import Order, OrderItem
from tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


def test_update_rows_sets_each_rows_own_values_and_nothing_else(store):
    orders = OrderFactory.create_batch(3, store=store, buyer_email="")
    items = [OrderItemFactory(order=order, quantity=3, item_price=Decimal("1.00")) for order in orders]
    later = orders[0].purchase_date + timedelta(days=1)

    update_rows(OrderItem, [{"id": item.pk, "quantity_shipped": n, "item_price": Decimal(f"{n}.25"),
                             "order_item_id": f"ID{n}"} for n, item in enumerate(items[:2], start=1)],
                ["quantity_shipped", "item_price", "order_item_id"])
    update_rows(Order, [{"id": orders[1].pk, "buyer_email": "b@marketplace.amazon.com", "last_update_date": later,
                         "ship_line2": ""}], ["buyer_email", "last_update_date", "ship_line2"])

    assert list(OrderItem.objects.order_by("id").values_list("quantity_shipped", "item_price", "order_item_id")) == [
        (1, Decimal("1.25"), "ID1"), (2, Decimal("2.25"), "ID2"), (0, Decimal("1.00"), "")]
    assert list(Order.objects.order_by("id").values_list("buyer_email", flat=True)) == [
        "", "b@marketplace.amazon.com", ""]
    assert Order.objects.get(pk=orders[1].pk).last_update_date == later
