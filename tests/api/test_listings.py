"""/api/listings/: scoping, roles, create with opening stock, edits that tell Amazon, stock through the service."""

from __future__ import annotations

from decimal import Decimal

import pytest

from listings.models import Listing, StockMovement
from listings.signals import listing_changed, stock_changed
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

URL = "/api/listings/"


@pytest.fixture
def signals():
    """What the listings layer announced: (signal name, kwargs) in order."""
    sent: list[tuple[str, dict]] = []

    def on_listing(sender, **kwargs):
        sent.append(("listing_changed", {k: v for k, v in kwargs.items() if k != "signal"}))

    def on_stock(sender, **kwargs):
        sent.append(("stock_changed", {k: v for k, v in kwargs.items() if k != "signal"}))

    listing_changed.connect(on_listing)
    stock_changed.connect(on_stock)
    yield sent
    listing_changed.disconnect(on_listing)
    stock_changed.disconnect(on_stock)


def body(store, **overrides) -> dict:
    return {"store": store.code, "sku": "AK-WC15-BLK", "title": "Acme Wireless Charger 15W, Black",
            "brand": "Acme", "bullets": ["15 W fast charging", "Works through cases up to 5 mm"],
            "price": "24.99", "product_type": "CHARGING_ADAPTER", "attributes": {"color": [{"value": "Black"}]},
            "opening_quantity": 40, **overrides}


@pytest.mark.parametrize(("method", "path"), [("get", URL), ("post", URL), ("get", f"{URL}1/"),
                                              ("patch", f"{URL}1/"), ("post", f"{URL}1/adjust-stock/")])
def test_anonymous_gets_401(anon, method, path):
    assert getattr(anon, method)(path, {}, format="json").status_code == 401


def test_list_and_retrieve_are_scoped_to_the_users_stores(api, store, other_store):
    issue = {"code": "90220", "message": "brand missing", "severity": "ERROR", "attributeNames": ["brand"]}
    mine = ListingFactory(store=store, sku="MINE-1", quantity_available=12, safety_stock=2, quantity_reserved=3,
                          stock_accepted_quantity=10, amazon_issues=[issue])
    foreign = ListingFactory(store=other_store, sku="DE-1")
    response = api.get(URL)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == mine.pk and row["store"] == "ACME-US" and row["sku"] == "MINE-1"
    assert row["quantities"] == {"available": 12, "reserved": 3, "inbound": 0, "unfulfillable": 0, "sellable": 10}
    assert row["stock_sync"] == {"accepted_quantity": 10, "accepted_at": None, "error": "", "failed_at": None}
    assert row["amazon_issues"][0]["severity"] == "ERROR"
    assert row["url"].endswith(f"/api/listings/{mine.pk}/")
    elsewhere, missing = api.get(f"{URL}{foreign.pk}/"), api.get(f"{URL}999999/")
    assert elsewhere.status_code == missing.status_code == 404
    assert api.patch(f"{URL}{foreign.pk}/", {"price": "1.00"}, format="json").status_code == 404
    assert api.post(f"{URL}{foreign.pk}/adjust-stock/", {"available": 1, "note": "x"},
                    format="json").status_code == 404


def test_filters(api, store, other_store):
    ListingFactory(store=store, sku="OK-1", quantity_available=50)
    ListingFactory(store=store, sku="OUT-1", quantity_available=2, safety_stock=2)
    ListingFactory(store=store, sku="SUP-1", status="suppressed")
    ListingFactory(store=store, sku="FBA-1", fulfillment_channel="AFN", stock_sync_error="429")
    ListingFactory(store=store, sku="PUB-1", publish_error="Feed refused", title="Yoga mat")

    def skus(**params) -> set[str]:
        response = api.get(URL, params)
        assert response.status_code == 200, response.json()
        return {row["sku"] for row in response.json()["results"]}

    assert skus(out_of_stock="true") == {"OUT-1"}
    assert skus(status="suppressed") == {"SUP-1"}
    assert skus(channel="AFN") == {"FBA-1"}
    assert skus(sync_problem="true") == {"FBA-1", "PUB-1"}
    assert skus(sync_problem="false") == {"OK-1", "OUT-1", "SUP-1"}
    assert skus(sku="OK-1") == {"OK-1"}
    assert skus(q="yoga") == {"PUB-1"}
    assert skus(store="OTHER-DE") == set()
    assert api.get(URL, {"channel": "XYZ"}).status_code == 400


def test_create_records_the_opening_stock_as_a_movement(api, store):
    response = api.post(URL, body(store), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert response["Location"] == data["url"]
    listing = Listing.objects.get(store=store, sku="AK-WC15-BLK")
    assert (listing.price, listing.currency, listing.quantity_available) == (Decimal("24.99"), "USD", 40)
    assert listing.attributes == {"color": [{"value": "Black"}]}
    move = listing.movements.get()
    assert (move.reason, move.available_delta, move.actor) == (StockMovement.Reason.ADJUST, 40, api.user)
    assert data["quantities"]["available"] == 40


def test_create_refuses_quantities_a_duplicate_and_fba_opening_stock(api, store):
    assert api.post(URL, body(store, quantity_available=5, opening_quantity=0), format="json").status_code == 201
    assert Listing.objects.get(sku="AK-WC15-BLK").quantity_available == 0  # not a writable field: ignored
    again = api.post(URL, body(store), format="json")
    assert again.status_code == 409 and again.json()["code"] == "already_exists"
    fba = api.post(URL, body(store, sku="FBA-NEW", fulfillment_channel="AFN"), format="json")
    assert fba.status_code == 400 and "Amazon" in fba.json()["detail"]
    assert not Listing.objects.filter(sku="FBA-NEW").exists()
    bad = api.post(URL, body(store, sku="X" * 41, price="0", attributes={"a\u0000": 1}), format="json")
    assert bad.status_code == 400 and {"sku", "price", "attributes"} <= set(bad.json())


def test_partial_update_writes_content_and_price_and_tells_amazon(api, store, signals):
    listing = ListingFactory(store=store, price=Decimal("10.00"), quantity_available=7, safety_stock=0)
    response = api.patch(f"{URL}{listing.pk}/", {"price": "12.50", "title": "Acme mat, 6 mm", "safety_stock": 2,
                                                 "quantity_available": 999}, format="json")
    assert response.status_code == 200, response.json()
    listing.refresh_from_db()
    assert (listing.price, listing.title, listing.safety_stock, listing.quantity_available) == (
        Decimal("12.50"), "Acme mat, 6 mm", 2, 7)
    assert signals == [("listing_changed", {"listing_ids": [listing.pk], "fields": ["price", "title"]}),
                       ("stock_changed", {"listing_ids": [listing.pk]})]
    assert response.json()["quantities"]["sellable"] == 5


def test_partial_update_of_nothing_new_announces_nothing(api, store, signals):
    listing = ListingFactory(store=store, price=Decimal("10.00"))
    assert api.patch(f"{URL}{listing.pk}/", {"price": "10.00"}, format="json").status_code == 200
    assert signals == []


def test_put_is_not_offered(api, store):
    listing = ListingFactory(store=store, title="Kept")
    # The role check answers first (an action the table does not know is refused), else 405.
    assert api.put(f"{URL}{listing.pk}/", {"title": "x"}, format="json").status_code in (403, 405)
    assert Listing.objects.get(pk=listing.pk).title == "Kept"


def test_adjust_stock_goes_through_the_stock_service(api, store):
    listing = ListingFactory(store=store, quantity_available=5)
    response = api.post(f"{URL}{listing.pk}/adjust-stock/", {"available": -2, "note": "Damaged"}, format="json")
    assert response.status_code == 200 and response.json()["quantities"]["available"] == 3
    move = listing.movements.get()
    assert (move.available_delta, move.note, move.actor) == (-2, "Damaged", api.user)
    below = api.post(f"{URL}{listing.pk}/adjust-stock/", {"available": -4, "note": "x"}, format="json")
    assert below.status_code == 400 and "below zero" in below.json()["detail"]
    fba = ListingFactory(store=store, fulfillment_channel="AFN", quantity_available=5)
    refused = api.post(f"{URL}{fba.pk}/adjust-stock/", {"available": 1, "note": "x"}, format="json")
    assert refused.status_code == 400 and "Amazon" in refused.json()["detail"]
    assert api.post(f"{URL}{fba.pk}/adjust-stock/", {"inbound": 3, "note": "Shipped to FBA"},
                    format="json").status_code == 200
    assert api.post(f"{URL}{listing.pk}/adjust-stock/", {"note": "nothing"}, format="json").status_code == 400


@pytest.mark.parametrize(("role", "allowed"), [("admin", True), ("agent", False), ("manager", False),
                                               ("operator", True)])
def test_writes_follow_the_role_table(client_for, store, role, allowed):
    client = client_for(role)
    listing = ListingFactory(store=store, price=Decimal("10.00"), quantity_available=5)
    assert client.get(f"{URL}{listing.pk}/").status_code == 200  # reading: any member
    codes = [client.post(URL, body(store), format="json").status_code,
             client.patch(f"{URL}{listing.pk}/", {"price": "11.00"}, format="json").status_code,
             client.post(f"{URL}{listing.pk}/adjust-stock/", {"available": 1, "note": "x"},
                         format="json").status_code]
    assert codes == ([201, 200, 200] if allowed else [403, 403, 403])


@pytest.mark.parametrize("rows", [2, 20])
def test_list_query_count_does_not_grow_with_rows(api, store, rows, django_assert_max_num_queries):
    for n in range(rows):
        ListingFactory(store=store, sku=f"Q-{n:03d}")
    with django_assert_max_num_queries(3):
        response = api.get(URL)
    assert len(response.json()["results"]) == rows
