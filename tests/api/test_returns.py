"""/api/returns/: scoping, recording through return_create and the steps to the status reported, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from listings.models import Listing
from orders.models import OrderStatus
from returns.models import Refund, ReturnRequest
from tests.api.test_orders import iso
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory, ReturnRequestFactory

pytestmark = pytest.mark.django_db


def shipped_order(store, **kwargs):
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED,
                         purchase_date=timezone.now() - timedelta(days=10), **kwargs)
    OrderItemFactory(order=order, sku="AK-1", quantity=2, item_price="40.00", quantity_shipped=2,
                     listing=ListingFactory(store=store, sku="AK-1", quantity_available=0))
    return order


def body(of, **overrides) -> dict:
    return {"store": of.store.code, "order": of.amazon_order_id, "sku": "AK-1", "quantity": 1,
            "reason": "DEFECTIVE", **overrides}


@pytest.mark.parametrize("method,path", [("get", "/api/returns/"), ("post", "/api/returns/"),
                                         ("get", "/api/returns/1/")])
def test_anonymous_gets_401(anon, method, path):
    assert getattr(anon, method)(path, {}).status_code == 401


def test_list_and_retrieve_are_scoped(api, store, other_store):
    mine = ReturnRequestFactory(order__store=store)
    foreign = ReturnRequestFactory(order__store=other_store)
    assert [row["id"] for row in api.get("/api/returns/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/returns/{mine.pk}/").json()["status"] == "requested"
    assert api.get(f"/api/returns/{foreign.pk}/").status_code == 404


def test_create_requested(api, store):
    order = shipped_order(store)
    requested = order.purchase_date + timedelta(days=5)
    response = api.post("/api/returns/", body(order, requested_at=iso(requested)))
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["requested_at"], data["responded_at"], data["reason"]) == (
        "requested", iso(requested), None, "DEFECTIVE")


def test_create_received_goes_through_authorised(api, store):
    order = shipped_order(store)
    requested = order.purchase_date + timedelta(days=5)
    responded, received = requested + timedelta(hours=4), requested + timedelta(days=3)
    response = api.post("/api/returns/", body(order, requested_at=iso(requested), status="received",
                                              responded_at=iso(responded), received_at=iso(received),
                                              disposition="sellable"))
    assert response.status_code == 201, response.json()
    return_request = ReturnRequest.objects.get()
    assert (return_request.status, return_request.responded_at, return_request.received_at) == (
        "received", responded, received)
    assert Listing.objects.get().quantity_available == 1


def test_create_refunded_in_full(api, store):
    order = shipped_order(store)
    response = api.post("/api/returns/", body(order, status="refunded"))
    assert response.status_code == 201, response.json()
    assert Refund.objects.get().amount == 20


@pytest.mark.parametrize("change,fields", [
    ({"quantity": 0}, {"quantity"}),
    ({"reason": "BORED"}, {"reason"}),
    ({"status": "lost"}, {"status"}),
    ({"status": "rejected"}, {"rejected_reason"}),
    ({"status": "received"}, {"disposition"}),
    ({"responded_at": "2026-11-01T00:00:00Z"}, {"responded_at"}),
    ({"requested_at": "2026-11-01 25:00"}, {"requested_at"}),
])
def test_create_names_each_bad_field(api, store, change, fields):
    response = api.post("/api/returns/", body(shipped_order(store), **change))
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not ReturnRequest.objects.exists()


def test_a_return_of_an_unshipped_order_is_refused(api, store):
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, sku="AK-1")
    response = api.post("/api/returns/", body(order))
    assert response.status_code == 400
    assert "only shipped or delivered" in response.json()["detail"]
    assert not ReturnRequest.objects.exists()


def test_a_failing_later_step_writes_nothing(api, store):
    order = shipped_order(store)
    requested = order.purchase_date + timedelta(days=5)
    response = api.post("/api/returns/", body(order, requested_at=iso(requested), status="closed",
                                              responded_at=iso(requested - timedelta(days=1))))
    assert response.status_code == 400
    assert not ReturnRequest.objects.exists()
    assert not order.events.exists()


# Returns are the operators' (as in the returns queue); support agents answer the buyer's messages about them.
@pytest.mark.parametrize("role,status", [("manager", 403), ("agent", 403), ("operator", 201), ("admin", 201)])
def test_create_by_role(client_for, store, role, status):
    assert client_for(role).post("/api/returns/", body(shipped_order(store))).status_code == status


def test_filters(api, store):
    requested = ReturnRequestFactory(order__store=store)
    closed = ReturnRequestFactory(order__store=store, status="closed", reason="WRONG_ITEM", sku="AK-9")

    def ids(**params):
        return sorted(row["id"] for row in api.get("/api/returns/", params).json()["results"])

    assert ids(status="closed") == [closed.pk]
    assert ids(reason="WRONG_ITEM") == [closed.pk]
    assert ids(sku="SKU-RET") == [requested.pk]
    assert ids(requested_at_after=iso(timezone.now() + timedelta(days=30))) == []


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        ReturnRequestFactory(order__store=store)
    with django_assert_max_num_queries(2):
        response = api.get("/api/returns/")
    assert len(response.json()["results"]) == rows
