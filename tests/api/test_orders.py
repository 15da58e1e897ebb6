"""/api/orders/: scoping, creation through order_create, cancel and ship actions, filters, paging, limits."""

from __future__ import annotations

from datetime import UTC, timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils import timezone
from rest_framework.test import APIClient

from fulfillment.models import Shipment
from listings.models import Listing
from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from tests.api.conftest import token_client
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ORDER_ID = "113-1234567-1234567"


def iso(value) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def payload(store, **overrides) -> dict:
    placed = timezone.now() - timedelta(hours=6)
    body = {
        "store": store.code,
        "amazon_order_id": ORDER_ID,
        "purchase_date": iso(placed),
        "fulfillment_channel": "MFN",
        "earliest_ship_date": iso(placed),
        "latest_ship_date": iso(placed + timedelta(days=2)),
        "ship_service_level": "Std US D2D Dom",
        "is_prime": True,
        "buyer_name": "Jane Miller",
        "shipping_address": {"name": "Jane Miller", "line1": "1 Main St", "line2": "", "city": "Austin",
                             "state": "TX", "postal_code": "73301", "country": "us"},
        "items": [{"sku": "AK-1", "asin": "B000000001", "title": "Kettle", "quantity": 2, "item_price": "39.98"}],
    }
    body.update(overrides)
    return body


def order_with_item(store, **kwargs) -> Order:
    order = OrderFactory(store=store, **kwargs)
    OrderItemFactory(order=order, sku="AK-1", quantity=1)
    return order


def snapshot(order: Order) -> tuple:
    order.refresh_from_db()
    return (order.status, order.canceled_at, order.cancel_reason, Shipment.objects.filter(order=order).count(),
            OrderEvent.objects.filter(order=order).count(), list(order.items.values_list("quantity_shipped",
                                                                                          "quantity_reserved")))


# --- auth and scope ---


@pytest.mark.parametrize("method,path", [
    ("get", "/api/orders/"), ("post", "/api/orders/"), ("get", f"/api/orders/{ORDER_ID}/"),
    ("post", f"/api/orders/{ORDER_ID}/cancel/"), ("post", f"/api/orders/{ORDER_ID}/ship/"),
])
def test_anonymous_gets_401(anon, store, method, path):
    OrderFactory(store=store, amazon_order_id=ORDER_ID)
    response = getattr(anon, method)(path, {})
    assert response.status_code == 401
    assert Order.objects.count() == 1


def test_list_shows_only_the_users_stores(api, store, other_store):
    mine = OrderFactory(store=store)
    OrderFactory(store=other_store)
    response = api.get("/api/orders/")
    assert response.status_code == 200
    assert [row["amazon_order_id"] for row in response.json()["results"]] == [mine.amazon_order_id]


def test_superuser_sees_every_store(store, other_store):
    OrderFactory(store=store)
    OrderFactory(store=other_store)
    root = token_client(UserFactory(username="root", is_superuser=True))
    assert {row["store"] for row in root.get("/api/orders/").json()["results"]} == {"ACME-US", "OTHER-DE"}


def test_another_stores_order_is_404_like_a_missing_one(api, other_store):
    foreign = OrderFactory(store=other_store)
    elsewhere = api.get(f"/api/orders/{foreign.amazon_order_id}/")
    missing = api.get("/api/orders/999-9999999-9999999/")
    assert elsewhere.status_code == missing.status_code == 404
    assert elsewhere.json() == missing.json()
    for action in ("cancel", "ship"):
        response = api.post(f"/api/orders/{foreign.amazon_order_id}/{action}/",
                            {"initiator": "seller", "reason": "x", "carrier": "UPS", "tracking_number": "1Z"})
        assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == OrderStatus.UNSHIPPED


def test_retrieve_shows_the_contract_fields(api, store):
    order = order_with_item(store, amazon_order_id=ORDER_ID, is_prime=True)
    body = api.get(f"/api/orders/{ORDER_ID}/").json()
    assert body["order_status"] == "Unshipped"
    assert "status" not in body
    assert body["store"] == "ACME-US"
    assert body["url"].endswith(f"/api/orders/{ORDER_ID}/")
    assert body["shipping_address"] == {"name": "Jane Miller", "line1": "1 Main St", "line2": "", "city": "Austin",
                                        "state": "TX", "postal_code": "73301", "country": "US"}
    assert [(i["sku"], i["quantity"]) for i in body["items"]] == [("AK-1", 1)]
    assert body["purchase_date"] == iso(order.purchase_date)
    assert body["purchase_date"].endswith("Z")


def test_same_order_id_in_two_stores_is_told_apart_by_store(client_for, store, other_store):
    client = client_for("operator")
    MembershipFactory(user=client.user, store=other_store, role="manager")
    OrderFactory(store=store, amazon_order_id=ORDER_ID)
    OrderFactory(store=other_store, amazon_order_id=ORDER_ID, status=OrderStatus.SHIPPED)
    ambiguous = client.get(f"/api/orders/{ORDER_ID}/")
    assert ambiguous.status_code == 400 and "store" in ambiguous.json()
    named = client.get(f"/api/orders/{ORDER_ID}/", {"store": other_store.code})
    assert named.status_code == 200 and named.json()["order_status"] == "Shipped"


# --- create ---


def test_create_goes_through_the_service(api, store, django_capture_on_commit_callbacks):
    listing = ListingFactory(store=store, sku="AK-1", quantity_available=5)
    response = api.post("/api/orders/", payload(store))
    assert response.status_code == 201, response.json()
    body = response.json()
    assert response["Location"] == body["url"]
    assert body["order_status"] == "Unshipped"
    assert body["shipping_address"]["country"] == "US"
    assert body["items"][0] | {"order_item_id": None} == {
        "order_item_id": None, "sku": "AK-1", "asin": "B000000001", "title": "Kettle", "quantity": 2,
        "quantity_shipped": 0, "item_price": "39.98", "item_tax": "0.00", "shipping_price": "0.00",
        "shipping_tax": "0.00", "gift_wrap_price": "0.00", "gift_wrap_tax": "0.00", "promotion_discount": "0.00",
        "ship_promotion_discount": "0.00", "currency": "USD", "is_canceled": False, "buyer_requested_cancel": False}
    order = Order.objects.get(store=store, amazon_order_id=ORDER_ID)
    assert (order.ship_city, order.is_prime, order.order_total) == ("Austin", True, Decimal("39.98"))
    listing.refresh_from_db()
    assert (listing.quantity_available, listing.quantity_reserved) == (3, 2)
    event = order.events.get()
    assert (event.kind, event.source, event.actor) == (OrderEvent.Kind.CREATED, "api", api.user)


@pytest.mark.parametrize("change,fields", [
    ({"purchase_date": "yesterday"}, {"purchase_date"}),
    ({"purchase_date": "2026-11-01T10:00:00"}, {"purchase_date"}),
    ({"items": []}, {"items"}),
    ({"items": None}, {"items"}),
    ({"amazon_order_id": "12345"}, {"amazon_order_id"}),
    ({"fulfillment_channel": "FBM"}, {"fulfillment_channel"}),
    ({"items": [{"sku": "AK-1", "quantity": 0}]}, {"items"}),
    ({"shipping_address": {"country": "USA"}}, {"shipping_address"}),
    ({"store": "OTHER-DE"}, {"store"}),
    ({"store": "NOPE", "latest_ship_date": "soon", "items": []}, {"store", "latest_ship_date", "items"}),
])
def test_create_names_each_bad_field(api, store, other_store, change, fields):
    body = payload(store)
    body.update(change)
    if change.get("items") is None and "items" in change:
        del body["items"]
    response = api.post("/api/orders/", body)
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Order.objects.exists()


def test_create_with_a_missing_field_names_it(api, store):
    body = payload(store)
    del body["purchase_date"]
    response = api.post("/api/orders/", body)
    assert response.status_code == 400
    assert response.json() == {"purchase_date": ["This field is required."]}


def test_a_rule_the_service_refuses_is_a_400_with_its_message(api, store):
    future = timezone.now() + timedelta(days=3)
    response = api.post("/api/orders/", payload(store, purchase_date=iso(future),
                                                earliest_ship_date=None, latest_ship_date=None))
    assert response.status_code == 400
    assert "in the future" in response.json()["detail"]
    assert not Order.objects.exists()


def test_create_writes_nothing_when_an_item_fails(api, store, monkeypatch):
    """The order and its items are written in one transaction: a failure on the second item keeps neither."""
    import orders.services

    ListingFactory(store=store, sku="AK-1")
    ListingFactory(store=store, sku="AK-2")
    calls = []

    def failing_reserve(*, listing, quantity, order, at):
        calls.append(listing.sku)
        if len(calls) == 2:
            from core.errors import StockError

            raise StockError("boom")
        return quantity

    monkeypatch.setattr(orders.services, "stock_reserve", failing_reserve)
    items = [{"sku": "AK-1", "quantity": 1}, {"sku": "AK-2", "quantity": 1}]
    response = api.post("/api/orders/", payload(store, items=items))
    assert response.status_code == 400
    assert calls == ["AK-1", "AK-2"]
    assert (Order.objects.count(), OrderItem.objects.count(), OrderEvent.objects.count()) == (0, 0, 0)


def test_posting_an_existing_order_id_is_a_409_pointing_at_it(api, store):
    ListingFactory(store=store, sku="AK-1", quantity_available=5)
    first = api.post("/api/orders/", payload(store))
    assert first.status_code == 201
    again = api.post("/api/orders/", payload(store, buyer_name="Someone Else",
                                             items=[{"sku": "AK-1", "quantity": 3}]))
    assert again.status_code == 409
    body = again.json()
    assert ORDER_ID in body["detail"] and body["code"] == "already_exists"
    assert body["url"] == first.json()["url"]
    order = Order.objects.get()
    assert order.buyer_name == "Jane Miller"
    assert Listing.objects.get().quantity_reserved == 2


def test_the_same_order_id_may_exist_in_another_store(client_for, store, other_store):
    OrderFactory(store=other_store, amazon_order_id=ORDER_ID)
    response = client_for("operator").post("/api/orders/", payload(store))
    assert response.status_code == 201


@pytest.mark.parametrize("role,status", [("manager", 403), ("agent", 403), ("operator", 201), ("admin", 201)])
def test_create_by_role(client_for, store, role, status):
    response = client_for(role).post("/api/orders/", payload(store))
    assert response.status_code == status
    assert Order.objects.exists() == (status == 201)


def test_role_is_judged_in_the_store_named(client_for, store, other_store):
    client = client_for("operator")
    MembershipFactory(user=client.user, store=other_store, role="manager")
    response = client.post("/api/orders/", payload(other_store))
    assert response.status_code == 403
    assert "OTHER-DE" in response.json()["detail"]
    assert not Order.objects.exists()


# --- cancel ---


@pytest.mark.parametrize("initiator,stored", [("seller", "seller"), ("buyer", "buyer"), ("system", "system"),
                                              ("amazon", "system")])
def test_cancel(api, store, initiator, stored):
    order = order_with_item(store)
    at = order.purchase_date + timedelta(hours=1)
    response = api.post(f"/api/orders/{order.amazon_order_id}/cancel/",
                        {"initiator": initiator, "reason": "Out of stock", "at": iso(at)})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["order_status"], body["cancel_initiator"], body["cancel_reason"]) == ("Canceled", stored,
                                                                                     "Out of stock")
    order.refresh_from_db()
    assert (order.status, order.canceled_at, order.cancel_initiator) == (OrderStatus.CANCELED, at, stored)
    assert order.events.get(kind=OrderEvent.Kind.CANCEL).source == "api"


def test_cancel_names_each_bad_field(api, store):
    order = order_with_item(store)
    response = api.post(f"/api/orders/{order.amazon_order_id}/cancel/",
                        {"initiator": "courier", "at": "last week"})
    assert response.status_code == 400
    assert set(response.json()) == {"initiator", "reason", "at"}
    order.refresh_from_db()
    assert order.status == OrderStatus.UNSHIPPED


def test_cancelling_a_shipped_order_is_a_409_and_changes_nothing(api, store):
    shipment = ShipmentFactory(order__store=store)
    order = shipment.order
    OrderItemFactory(order=order, quantity=1, quantity_shipped=1)
    before = snapshot(order)
    response = api.post(f"/api/orders/{order.amazon_order_id}/cancel/", {"initiator": "buyer", "reason": "late"})
    assert response.status_code == 409
    assert order.amazon_order_id in response.json()["detail"]
    assert snapshot(order) == before


def test_cancelling_a_delivered_order_names_the_transition(api, store):
    order = order_with_item(store, status=OrderStatus.DELIVERED)
    before = snapshot(order)
    response = api.post(f"/api/orders/{order.amazon_order_id}/cancel/", {"initiator": "buyer", "reason": "late"})
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "invalid_transition"
    assert "Delivered" in body["detail"] and "Cancelled" in body["detail"]
    assert snapshot(order) == before


# --- ship ---


def test_ship(api, store):
    listing = ListingFactory(store=store, sku="AK-1", quantity_available=5)
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, sku="AK-1", quantity=2, listing=listing)
    shipped_at = order.purchase_date + timedelta(hours=3)
    response = api.post(f"/api/orders/{order.amazon_order_id}/ship/",
                        {"carrier": "UPS", "tracking_number": "1Z999AA10123456784", "shipped_at": iso(shipped_at)})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["order"], body["order_status"], body["carrier"], body["shipped_at"]) == (
        order.amazon_order_id, "Shipped", "UPS", iso(shipped_at))
    assert body["items"] == [{"sku": "AK-1", "order_item_id": "", "quantity": 2}]
    assert response["Location"] == body["url"]
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert Shipment.objects.get().tracking_number == "1Z999AA10123456784"


@pytest.mark.parametrize("change,fields", [
    ({"carrier": "Pigeon Post"}, {"carrier"}),
    ({"tracking_number": ""}, {"tracking_number"}),
    ({"carrier": "Other"}, {"carrier_name"}),
    ({"shipped_at": "2026-13-45T00:00:00Z"}, {"shipped_at"}),
])
def test_ship_names_each_bad_field(api, store, change, fields):
    order = order_with_item(store)
    before = snapshot(order)
    body = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"} | change
    response = api.post(f"/api/orders/{order.amazon_order_id}/ship/", body)
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert snapshot(order) == before


def test_shipping_a_cancelled_order_is_a_409_and_changes_nothing(api, store):
    order = order_with_item(store)
    api.post(f"/api/orders/{order.amazon_order_id}/cancel/", {"initiator": "buyer", "reason": "Changed mind"})
    before = snapshot(order)
    assert before[0] == OrderStatus.CANCELED
    response = api.post(f"/api/orders/{order.amazon_order_id}/ship/",
                        {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"})
    assert response.status_code == 409
    assert "cannot be shipped" in response.json()["detail"]
    assert snapshot(order) == before


@pytest.mark.parametrize("role,status", [("agent", 403), ("manager", 403), ("operator", None), ("admin", None)])
@pytest.mark.parametrize("action", ["cancel", "ship"])
def test_actions_by_role(client_for, store, role, status, action):
    order = order_with_item(store)
    body = {"initiator": "seller", "reason": "x", "carrier": "UPS", "tracking_number": "1Z999AA10123456784"}
    response = client_for(role).post(f"/api/orders/{order.amazon_order_id}/{action}/", body)
    expected = status or (200 if action == "cancel" else 201)
    assert response.status_code == expected
    order.refresh_from_db()
    assert (order.status == OrderStatus.UNSHIPPED) == (status == 403)


def test_managers_and_agents_read(client_for, store):
    order = order_with_item(store)
    for role in ("manager", "agent"):
        client = client_for(role)
        assert client.get("/api/orders/").status_code == 200
        assert client.get(f"/api/orders/{order.amazon_order_id}/").status_code == 200


# --- filters, paging, query count, limits ---


def test_filters(api, store, other_store):
    now = timezone.now()
    old = OrderFactory(store=store, purchase_date=now - timedelta(days=20), amazon_order_id="111-0000000-0000001")
    new = OrderFactory(store=store, purchase_date=now - timedelta(days=1), amazon_order_id="111-0000000-0000002")
    fba = OrderFactory(store=store, purchase_date=now - timedelta(days=2), fulfillment_channel="AFN",
                       status=OrderStatus.SHIPPED, amazon_order_id="111-0000000-0000003")
    second = StoreFactory(code="ACME-CA", marketplace="CA")
    MembershipFactory(user=api.user, store=second)
    canadian = OrderFactory(store=second, purchase_date=now - timedelta(days=1), amazon_order_id="111-0000000-0000004")

    def ids(**params) -> list[str]:
        response = api.get("/api/orders/", params)
        assert response.status_code == 200, response.json()
        return sorted(row["amazon_order_id"] for row in response.json()["results"])

    assert ids() == sorted(o.amazon_order_id for o in (old, new, fba, canadian))
    assert ids(store="ACME-CA") == [canadian.amazon_order_id]
    assert ids(store="OTHER-DE") == []
    assert ids(order_status="Shipped") == [fba.amazon_order_id]
    assert ids(order_status=["Shipped", "Unshipped"], store="ACME-US") == sorted(
        o.amazon_order_id for o in (old, new, fba))
    assert ids(fulfillment_channel="AFN") == [fba.amazon_order_id]
    assert ids(purchase_date_after=iso(now - timedelta(days=3)), store="ACME-US") == sorted(
        [new.amazon_order_id, fba.amazon_order_id])
    assert ids(purchase_date_before=iso(now - timedelta(days=10))) == [old.amazon_order_id]
    bad = api.get("/api/orders/", {"purchase_date_after": "someday"})
    assert bad.status_code == 400 and "purchase_date" in bad.json()


def test_cursor_pages_cover_every_order_once(api, store):
    created = {OrderFactory(store=store).amazon_order_id for _ in range(5)}
    seen, url, pages = [], "/api/orders/?page_size=2", 0
    while url:
        body = api.get(url).json()
        seen += [row["amazon_order_id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert pages == 3
    assert sorted(seen) == sorted(created)


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        order_with_item(store)
    with django_assert_max_num_queries(3):
        response = api.get("/api/orders/")
    assert len(response.json()["results"]) == rows


def test_token_clients_are_throttled_and_the_session_is_not(store):
    user = UserFactory(username="integration")
    MembershipFactory(user=user, store=store, role="operator")
    client = token_client(user)
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "3/hour"}}
    with override_settings(REST_FRAMEWORK=rates):
        responses = [client.get("/api/orders/") for _ in range(4)]
        assert [r.status_code for r in responses] == [200, 200, 200, 429]
        assert int(responses[-1]["Retry-After"]) > 0
        browser = APIClient()
        browser.force_login(user)
        assert {browser.get("/api/orders/").status_code for _ in range(5)} == {200}


def test_date_filters_take_any_iso_offset(client, django_assert_max_num_queries):
    """An offset PostgreSQL cannot store (+17:20 is valid ISO 8601) is read as the UTC instant it names."""
    from tests.factories import MembershipFactory, StoreFactory, UserFactory

    user = UserFactory(username="offset-user")
    MembershipFactory(user=user, store=StoreFactory(code="OFFSET-US"), role="manager")
    client.force_login(user)
    response = client.get("/api/orders/", {"purchase_date_after": "2026-11-17T12:09:55+17:20"})
    assert response.status_code == 200
    assert client.get("/api/orders/", {"purchase_date_after": "not a date"}).status_code == 400
