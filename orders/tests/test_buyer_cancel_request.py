"""A buyer's request to cancel marks the order once, shows in the queue and on the order, and makes the
operator's cancellation the buyer's by default (it then does not count against the seller)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from orders.models import CancelInitiator, OrderEvent, OrderItem
from orders.services import ItemData, OrderData, order_buyer_cancel_request, order_cancel, order_create
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store):
    order = OrderFactory(store=store, amazon_order_id="113-0000000-0000077", buyer_name="A. Buyer")
    OrderItemFactory(order=order, sku="KETTLE-1")
    return order


def test_the_first_request_is_kept_and_recorded_once(order):
    first = timezone.now() - timedelta(hours=2)

    order_buyer_cancel_request(order=order, at=first, reason="Ordered by mistake", source="mail")
    order_buyer_cancel_request(order=order, at=timezone.now(), reason="Found cheaper", source="sync")

    order.refresh_from_db()
    assert (order.buyer_cancel_requested_at, order.buyer_cancel_reason) == (first, "Ordered by mistake")
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCEL_REQUEST).count() == 1


def test_the_queue_and_the_order_show_the_request_and_the_cancel_form_names_the_buyer(op_client, order):
    order_buyer_cancel_request(order=order, at=timezone.now(), reason="Ordered by mistake", source="mail")

    queue = op_client.get("/orders/?tab=all").content.decode()
    page = op_client.get(f"/orders/{order.amazon_order_id}/")

    assert "buyer asked to cancel" in queue
    html = page.content.decode()
    assert "Buyer asked to cancel" in html and "Ordered by mistake" in html
    form = page.context["cancel_form"]
    assert (form["initiator"].value(), form["reason"].value()) == (CancelInitiator.BUYER, "Ordered by mistake")


def test_an_order_without_a_request_shows_none(op_client, order):
    queue = op_client.get("/orders/?tab=all").content.decode()

    assert "buyer asked to cancel" not in queue
    assert op_client.get(f"/orders/{order.amazon_order_id}/").context["cancel_form"]["initiator"].value() is None


def test_a_cancelled_line_owes_nothing_reserves_nothing_and_adds_nothing_to_the_total(store):
    listing = ListingFactory(store=store, sku="MUG-1", quantity_available=10)
    data = OrderData(amazon_order_id="113-0000000-0000078", purchase_date=timezone.now() - timedelta(hours=1),
                     items=[ItemData(sku="MUG-1", quantity=2, item_price=Decimal("20.00"), item_tax=Decimal("1.60")),
                            ItemData(sku="MUG-1", quantity=0, item_price=Decimal("10.00"), is_canceled=True)])

    order = order_create(store=store, data=data)

    live, cancelled = order.items.order_by("id")
    assert (live.quantity_reserved, live.quantity_owed) == (2, 2)
    assert (cancelled.quantity, cancelled.quantity_reserved, cancelled.quantity_owed) == (0, 0, 0)
    assert order.order_total == Decimal("21.60")
    listing.refresh_from_db()
    assert listing.quantity_available == 8
    # Cancelling the order releases what the live line held; the cancelled line held nothing.
    order_cancel(order=order, initiator=CancelInitiator.BUYER, reason="Asked to")
    assert not OrderItem.objects.filter(order=order, quantity_reserved__gt=0).exists()
    listing.refresh_from_db()
    assert listing.quantity_available == 10


def test_a_live_line_still_needs_a_quantity(store):
    data = OrderData(amazon_order_id="113-0000000-0000079", purchase_date=timezone.now(),
                     items=[ItemData(sku="MUG-1", quantity=0)])

    with pytest.raises(ApplicationError, match="quantity of at least 1"):
        order_create(store=store, data=data)
