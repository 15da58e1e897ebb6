"""/api/shipments/: scoping, creation through order_ship (and carrier tracking), refusals, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.models import Shipment
from orders.models import OrderStatus
from tests.api.test_orders import iso, order_with_item, snapshot
from tests.factories import OrderFactory, ShipmentFactory

pytestmark = pytest.mark.django_db


def body(of, **overrides) -> dict:
    return {"store": of.store.code, "order": of.amazon_order_id, "carrier": "UPS",
            "tracking_number": "1Z999AA10123456784", **overrides}


@pytest.mark.parametrize("method,path", [("get", "/api/shipments/"), ("post", "/api/shipments/"),
                                         ("get", "/api/shipments/1/")])
def test_anonymous_gets_401(anon, method, path):
    assert getattr(anon, method)(path, {}).status_code == 401


def test_list_and_retrieve_are_scoped(api, store, other_store):
    mine = ShipmentFactory(order__store=store)
    foreign = ShipmentFactory(order__store=other_store)
    assert [row["id"] for row in api.get("/api/shipments/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/shipments/{mine.pk}/").json()["order"] == mine.order.amazon_order_id
    assert api.get(f"/api/shipments/{foreign.pk}/").status_code == 404
    assert api.get("/api/shipments/999999/").status_code == 404


def test_create_ships_the_order_and_records_tracking(api, store):
    order = order_with_item(store, purchase_date=timezone.now() - timedelta(days=4))
    shipped = order.purchase_date + timedelta(hours=2)
    delivered = shipped + timedelta(days=1)
    response = api.post("/api/shipments/", body(order, shipped_at=iso(shipped), delivered_at=iso(delivered)))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["order_status"], data["shipped_at"], data["first_scan_at"], data["delivered_at"]) == (
        "Delivered", iso(shipped), iso(delivered), iso(delivered))
    order.refresh_from_db()
    assert order.status == OrderStatus.DELIVERED
    assert order.events.filter(source="api").exists()


@pytest.mark.parametrize("change,fields", [
    ({"carrier": "Pony Express"}, {"carrier"}),
    ({"order": "999-9999999-9999999"}, {"order"}),
    ({"store": "OTHER-DE"}, {"store"}),
    ({"shipped_at": "tomorrow", "tracking_number": ""}, {"shipped_at", "tracking_number"}),
])
def test_create_names_each_bad_field(api, store, other_store, change, fields):
    order = order_with_item(store)
    response = api.post("/api/shipments/", body(order, **change))
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Shipment.objects.exists()


def test_a_delivery_long_before_the_shipment_writes_nothing(api, store):
    order = order_with_item(store, purchase_date=timezone.now() - timedelta(days=10))
    before = snapshot(order)
    shipped = order.purchase_date + timedelta(days=5)
    # A carrier's event up to 72 hours before the confirmation is the hand-over; days before, another parcel's.
    response = api.post("/api/shipments/", body(order, shipped_at=iso(shipped),
                                                delivered_at=iso(shipped - timedelta(days=4))))
    assert response.status_code == 400
    assert "detail" in response.json()
    assert snapshot(order) == before


def test_shipping_a_cancelled_order_is_a_409(api, store):
    order = order_with_item(store, status=OrderStatus.CANCELED, canceled_at=timezone.now() - timedelta(hours=1))
    before = snapshot(order)
    response = api.post("/api/shipments/", body(order))
    assert response.status_code == 409
    assert snapshot(order) == before


def test_an_order_of_another_store_is_not_found_by_name(api, store, other_store):
    foreign = order_with_item(other_store)
    response = api.post("/api/shipments/", body(foreign, store=store.code))
    assert response.status_code == 400 and set(response.json()) == {"order"}


@pytest.mark.parametrize("role,status", [("agent", 403), ("manager", 403), ("operator", 201), ("admin", 201)])
def test_create_by_role(client_for, store, role, status):
    order = order_with_item(store)
    assert client_for(role).post("/api/shipments/", body(order)).status_code == status


def test_filters(api, store):
    ups = ShipmentFactory(order__store=store, carrier="UPS")
    dhl = ShipmentFactory(order__store=store, carrier="DHL")

    def ids(**params):
        return sorted(row["id"] for row in api.get("/api/shipments/", params).json()["results"])

    assert ids(carrier="DHL") == [dhl.pk]
    assert ids(order=ups.order.amazon_order_id) == [ups.pk]
    assert ids(store="ACME-US") == sorted([ups.pk, dhl.pk])
    assert ids(shipped_at_after=iso(dhl.shipped_at)) == sorted(
        s.pk for s in (ups, dhl) if s.shipped_at >= dhl.shipped_at)
    assert api.get("/api/shipments/", {"carrier": "Pigeon"}).status_code == 400


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        order = OrderFactory(store=store, status=OrderStatus.SHIPPED)
        item = order_with_item(store).items.first()
        ShipmentFactory(order=order).items.create(store=store, order_item=item, quantity=1)
    with django_assert_max_num_queries(3):
        response = api.get("/api/shipments/")
    assert len(response.json()["results"]) == rows
    assert all(row["items"] for row in response.json()["results"])
