"""The order's admin page shows its shipments: fulfillment adds the inline to the order admin."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from fulfillment.admin import ShipmentInline
from orders.admin import OrderEventInline, OrderItemInline
from tests.factories import OrderItemFactory, ShipmentFactory

pytestmark = pytest.mark.django_db


def test_the_order_admin_page_lists_the_shipments_between_items_and_timeline(client, store):
    shipment = ShipmentFactory(order__store=store, carrier="UPS", tracking_number="1Z999AA10123456784")
    OrderItemFactory(order=shipment.order, sku="AK-WC15-BLK")
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.com", "pw"))
    response = client.get(reverse("admin:orders_order_change", args=[shipment.order.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "1Z999AA10123456784" in html and "AK-WC15-BLK" in html
    inlines = [formset.opts.__class__ for formset in response.context["inline_admin_formsets"]]
    assert inlines == [OrderItemInline, ShipmentInline, OrderEventInline]
