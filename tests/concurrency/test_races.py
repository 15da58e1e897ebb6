"""Real concurrent transactions on PostgreSQL: two threads, released together by a barrier, race for the same
rows. Exactly one wins, the other is told why, and stock and imports stay consistent."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone

from core.errors import ApplicationError
from fulfillment.models import Shipment
from fulfillment.services import order_ship
from imports.services import import_file
from listings.models import Listing, StockMovement
from orders.models import CancelInitiator, Order, OrderEvent, OrderItem, OrderStatus
from orders.services import ItemData, OrderData, order_cancel, order_create
from tests.factories import ListingFactory, StoreFactory, UserFactory
from tests.imports.conftest import db_state, sample

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises every write on one file lock: run with DATABASE_URL=postgres://…"),
    pytest.mark.django_db(transaction=True),
]

UPS = "1Z999AA10123456784"


def race(*work: Callable[[], Any]) -> list[tuple[str, Any]]:
    """Run each callable in its own thread and database connection, all released at once."""
    barrier = threading.Barrier(len(work))
    results: list[tuple[str, Any]] = [("missing", None)] * len(work)

    def run(index: int, job: Callable[[], Any]) -> None:
        try:
            barrier.wait(timeout=30)
            results[index] = ("ok", job())
        except ApplicationError as error:
            results[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001  (reported by the assertions below)
            results[index] = ("crashed", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    assert not [r for r in results if r[0] in ("crashed", "missing")], results
    return results


@pytest.fixture
def store():
    return StoreFactory(code="RACE-US", marketplace="US")


@pytest.fixture
def operators():
    return UserFactory(username="first"), UserFactory(username="second")


def new_order(store, listing: Listing, quantity: int, amazon_order_id: str) -> Order:
    return order_create(store=store, data=OrderData(
        amazon_order_id=amazon_order_id, purchase_date=timezone.now() - timedelta(hours=2),
        items=[ItemData(sku=listing.sku, quantity=quantity, item_price=Decimal("10"))]))


def fresh(order: Order) -> Order:
    """The order as another request would load it: its own instance, no shared state."""
    return Order.objects.get(pk=order.pk)


def test_two_operators_ship_the_same_order_once(store, operators):
    listing = ListingFactory(store=store, quantity_available=10)
    order = new_order(store, listing, 2, "111-0000001-0000001")

    results = race(*[lambda user=user: order_ship(order=fresh(order), carrier="UPS", tracking_number=UPS, actor=user)
                     for user in operators])

    assert sorted(kind for kind, _ in results) == ["ok", "refused"]
    refusal = next(value for kind, value in results if kind == "refused")
    assert order.amazon_order_id in refusal.message and "cannot be shipped" in refusal.message
    assert Shipment.objects.filter(order=order).count() == 1
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_reserved) == (8, 0)
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.SHIPMENT).count() == 1


def test_ship_and_cancel_at_once_exactly_one_wins(store, operators):
    listing = ListingFactory(store=store, quantity_available=10)
    order = new_order(store, listing, 3, "111-0000002-0000002")
    shipper, canceller = operators

    results = race(
        lambda: order_ship(order=fresh(order), carrier="UPS", tracking_number=UPS, actor=shipper),
        lambda: order_cancel(order=fresh(order), initiator=CancelInitiator.BUYER, reason="changed mind",
                             actor=canceller),
    )

    assert sorted(kind for kind, _ in results) == ["ok", "refused"]
    order.refresh_from_db()
    listing.refresh_from_db()
    item = OrderItem.objects.get(order=order)
    if results[0][0] == "ok":
        assert order.status == OrderStatus.SHIPPED
        assert Shipment.objects.filter(order=order).count() == 1
        assert (listing.quantity_available, listing.quantity_reserved) == (7, 0)
        assert item.quantity_shipped == 3
        assert "cancelled" in results[1][1].message or "cannot" in results[1][1].message
    else:
        assert order.status == OrderStatus.CANCELED
        assert not Shipment.objects.filter(order=order).exists()
        assert (listing.quantity_available, listing.quantity_reserved) == (10, 0)
        assert item.quantity_shipped == 0
    assert item.quantity_reserved == 0
    # Every unit is accounted for by the movements written.
    moved = StockMovement.objects.filter(listing=listing)
    assert sum(m.available_delta for m in moved) == listing.quantity_available - 10


def test_two_orders_never_reserve_more_than_the_stock(store):
    listing = ListingFactory(store=store, quantity_available=3)

    results = race(lambda: new_order(store, listing, 2, "111-0000003-0000003"),
                   lambda: new_order(store, listing, 2, "111-0000004-0000004"))

    assert [kind for kind, _ in results] == ["ok", "ok"]
    listing.refresh_from_db()
    reserved = sorted(OrderItem.objects.filter(listing=listing).values_list("quantity_reserved", flat=True))
    assert reserved == [1, 2]
    assert (listing.quantity_available, listing.quantity_reserved) == (0, 3)
    moved = StockMovement.objects.filter(listing=listing, reason=StockMovement.Reason.RESERVE)
    assert sum(m.reserved_delta for m in moved) == 3


def test_many_orders_race_for_the_last_units(store):
    listing = ListingFactory(store=store, quantity_available=5)

    race(*[lambda n=n: new_order(store, listing, 2, f"111-0000010-{n:07d}") for n in range(6)])

    listing.refresh_from_db()
    assert listing.quantity_available == 0
    assert listing.quantity_reserved == 5
    assert sum(OrderItem.objects.filter(listing=listing).values_list("quantity_reserved", flat=True)) == 5


def test_the_same_order_created_twice_at_once_exists_once(store):
    listing = ListingFactory(store=store, quantity_available=10)

    results = race(lambda: new_order(store, listing, 1, "111-0000005-0000005"),
                   lambda: new_order(store, listing, 1, "111-0000005-0000005"))

    assert sorted(kind for kind, _ in results) == ["ok", "refused"]
    assert "already exists" in next(v for k, v in results if k == "refused").message
    assert Order.objects.filter(amazon_order_id="111-0000005-0000005").count() == 1
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_reserved) == (9, 1)


def test_the_same_report_imported_twice_at_once_creates_nothing_twice(store):
    ListingFactory(store=store, sku="BOTTLE-750", asin="B0BOTTLE01", quantity_available=10)
    ListingFactory(store=store, sku="LID-BAMBOO", asin="B0LIDBAMB1", quantity_available=1)
    data = sample("all_orders_us.txt")

    results = race(lambda: import_file(store=store, kind="all_orders", data=data),
                   lambda: import_file(store=store, kind="all_orders", data=data))

    after_race = db_state()
    orders = list(Order.objects.values_list("amazon_order_id", flat=True))
    assert orders and len(orders) == len(set(orders))
    created = [value.created for kind, value in results if kind == "ok"]
    assert sum(created) == len(orders), results
    # The file imported once more, quietly, changes nothing: the race left what one import leaves.
    import_file(store=store, kind="all_orders", data=data)
    assert db_state() == after_race
    for listing in Listing.objects.filter(store=store):
        assert listing.quantity_available >= 0 and listing.quantity_reserved >= 0
        assert listing.quantity_reserved == sum(
            OrderItem.objects.filter(listing=listing).values_list("quantity_reserved", flat=True))
