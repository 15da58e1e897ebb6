import pytest

from fulfillment.services import order_ship
from orders.models import OrderStatus
from orders.services import ItemData, OrderData, order_cancel, order_create
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db


def test_create_ship_cancel_move_stock(store, operator, django_capture_on_commit_callbacks):
    from django.utils import timezone

    listing = ListingFactory(store=store, sku="AK-1", quantity_available=5)
    data = OrderData(amazon_order_id="113-1234567-1234567", purchase_date=timezone.now(),
                     items=[ItemData(sku="AK-1", quantity=2)])
    order = order_create(store=store, data=data, actor=operator)
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_reserved) == (3, 2)
    order_ship(order=order, carrier="UPS", tracking_number="1Z999AA10123456784", actor=operator)
    order.refresh_from_db()
    listing.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert (listing.quantity_available, listing.quantity_reserved) == (3, 0)
    second = order_create(store=store, data=OrderData(amazon_order_id="113-1234567-7654321",
                          purchase_date=timezone.now(), items=[ItemData(sku="AK-1", quantity=9)]))
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_reserved) == (0, 3)
    assert "stock_short" in second.risk_flags
    order_cancel(order=second, initiator="buyer", reason="Changed mind")
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_reserved) == (3, 0)
