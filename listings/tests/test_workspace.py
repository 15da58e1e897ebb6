"""The listing list as a workspace: status tabs and sync filters, the reorder point, CSV export, bulk edit."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from listings.bulk import Operation, bulk_apply, bulk_preview, price_after, quantity_after
from listings.models import Listing, StockMovement
from listings.selectors import stock_plan, sync_problems
from listings.services import listing_set_price
from listings.signals import listing_changed
from tests.factories import ListingFactory, MembershipFactory, UserFactory

from .test_views import COMPLETE, sell

pytestmark = pytest.mark.django_db

URL = "/listings/"
ERROR_ISSUE = {"code": "90220", "message": "'brand' is required but not supplied.", "severity": "ERROR",
               "attributeNames": ["brand"]}
WARNING_ISSUE = {"code": "18027", "message": "Image is missing.", "severity": "WARNING", "attributeNames": []}


def skus(client, **params) -> set[str]:
    html = client.get(URL, params, headers={"HX-Request": "true"}).content.decode()
    return {chunk.split('"')[0] for chunk in html.split('data-sku="')[1:]}


# The reorder point, by hand ------------------------------------------------------------------------------------

@pytest.mark.parametrize(("units_sold", "lead", "safety", "available", "inbound", "point", "at_point"), [
    # 60 in 30 days = 2 a day; × 30 days lead = 60, + 5 safety = 65; 30 + 10 ≤ 65: reorder.
    (60, 30, 5, 30, 10, 65, True),
    # 2 a day × 30 + 5 = 65; 60 + 10 = 70 > 65: not yet.
    (60, 30, 5, 60, 10, 65, False),
    # Exactly at the point counts: 70 = 2 × 30 + 10.
    (60, 30, 10, 50, 20, 70, True),
    # 7 in 30 days = 0.2333… a day × 45 = 10.5 → 11 units, + 0 safety.
    (7, 45, 0, 3, 0, 11, True),
    # 9 in 30 days = 0.3 a day × 10 = 3.0000000000000004 in floats: 3, not 4.
    (9, 10, 0, 100, 0, 3, False),
    # Nothing sold: the point is the safety stock, and nothing needs ordering.
    (0, 30, 8, 2, 0, 8, False),
])
def test_reorder_point_is_velocity_times_lead_time_plus_safety_stock(store, units_sold, lead, safety, available,
                                                                     inbound, point, at_point):
    listing = ListingFactory.build(store=store, quantity_available=available, quantity_inbound=inbound,
                                   lead_time_days=lead, safety_stock=safety)
    plan = stock_plan(listing, units_sold=units_sold)
    assert (plan.reorder_point, plan.at_reorder_point) == (point, at_point)


def test_the_reorder_point_shows_in_the_list_and_on_the_listing_page(op_client, store):
    listing = ListingFactory(store=store, sku="RP-1", quantity_available=30, quantity_inbound=10, lead_time_days=30,
                             safety_stock=5, **COMPLETE)
    sell(listing, 60)
    html = op_client.get(URL).content.decode()
    row = html[html.index('data-sku="RP-1"'):]
    row = row[:row.index("</tr>")]
    assert 'class="num reorder-point"><strong class="left-soon"' in row and ">65</strong>" in row
    detail = op_client.get(f"/listings/{listing.pk}/").content.decode()
    assert 'class="reorder-point left-soon">65<' in detail and "reorder-note" in detail


# Filters and status tabs ---------------------------------------------------------------------------------------

@pytest.fixture
def catalogue(store):
    ListingFactory(store=store, sku="ACT-1", quantity_available=50, **COMPLETE)
    ListingFactory(store=store, sku="OUT-1", quantity_available=3, safety_stock=3, **COMPLETE)
    ListingFactory(store=store, sku="INA-1", status=Listing.Status.INACTIVE, quantity_available=9, **COMPLETE)
    ListingFactory(store=store, sku="SUP-1", status=Listing.Status.SUPPRESSED, quantity_available=0, **COMPLETE)
    ListingFactory(store=store, sku="INC-1", status=Listing.Status.INCOMPLETE, **COMPLETE)
    ListingFactory(store=store, sku="PUB-1", publish_error="Amazon refused the feed: 8541", **COMPLETE)
    ListingFactory(store=store, sku="SYN-1", stock_sync_error="429 QuotaExceeded", **COMPLETE)
    ListingFactory(store=store, sku="ISS-1", amazon_issues=[WARNING_ISSUE, ERROR_ISSUE], **COMPLETE)
    ListingFactory(store=store, sku="WRN-1", amazon_issues=[WARNING_ISSUE], **COMPLETE)


def test_status_tabs_filter_and_count(op_client, catalogue):
    assert skus(op_client, status="out_of_stock") == {"OUT-1", "SUP-1"}
    assert skus(op_client, status="suppressed") == {"SUP-1"}
    assert skus(op_client, status="inactive") == {"INA-1"}
    assert skus(op_client, status="incomplete") == {"INC-1"}
    assert len(skus(op_client, status="active")) == 6
    assert skus(op_client, low_stock="on") == {"OUT-1", "SUP-1"}  # an address saved before the tabs
    html = op_client.get(URL, {"q": "-1"}).content.decode()
    counts = {chunk.split('"')[0]: chunk.split('<span class="count')[1].split(">")[1].split("<")[0]
              for chunk in html.split('data-status="')[1:]}
    assert counts == {"all": "9", "active": "6", "inactive": "1", "incomplete": "1", "suppressed": "1",
                      "out_of_stock": "2"}
    assert 'href="?q=-1&amp;status=out_of_stock"' in html


def test_sync_problems_filter_publishing_stock_sync_and_amazon_errors(op_client, catalogue):
    assert skus(op_client, sync_problem="on") == {"PUB-1", "SYN-1", "ISS-1"}
    assert skus(op_client, sync_problem="on", q="SYN") == {"SYN-1"}
    html = op_client.get(URL, {"sync_problem": "on"}).content.decode()
    row = html[html.index('data-sku="ISS-1"'):]
    assert "&#x27;brand&#x27; is required" in row[:row.index("</tr>")] and "1 sync problem" in row


def test_sync_problems_in_words():
    listing = Listing(publish_error="Feed refused", stock_sync_error="", amazon_issues=[WARNING_ISSUE, ERROR_ISSUE])
    assert sync_problems(listing) == ["Feed refused", "'brand' is required but not supplied."]
    assert sync_problems(Listing(amazon_issues=[WARNING_ISSUE, "junk"])) == []


def test_an_unknown_status_shows_everything_and_says_so(op_client, catalogue):
    assert len(skus(op_client, status="bogus")) == 9


def test_tabs_and_filters_survive_paging(op_client, store):
    for n in range(51):
        ListingFactory(store=store, sku=f"PAGE-{n:02d}", quantity_available=0)
    html = op_client.get(URL, {"status": "out_of_stock", "sync_problem": "", "page": "1"}).content.decode()
    assert 'href="?status=out_of_stock&amp;sync_problem=&amp;page=2"' in html
    assert "Showing 1–50 of 51" in html


# Export --------------------------------------------------------------------------------------------------------

def read_csv(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_export_streams_the_filtered_list_with_the_plan(op_client, store, other_store):
    listing = ListingFactory(store=store, sku="EX-1", asin="B0CHX1W1XY", title="=HYPERLINK(\"http://x\")",
                             quantity_available=30, quantity_reserved=2, quantity_inbound=10, safety_stock=5,
                             lead_time_days=30, stock_accepted_quantity=25, stock_sync_error="429 QuotaExceeded",
                             **COMPLETE)
    sell(listing, 60)
    ListingFactory(store=store, sku="EX-2", quantity_available=100, **COMPLETE)
    ListingFactory(store=other_store, sku="DE-1")
    response = op_client.get("/listings/export/", {"sync_problem": "on"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    (row,) = read_csv(response)
    assert row["SKU"] == "EX-1" and row["Store"] == "ACME-US" and row["ASIN"] == "B0CHX1W1XY"
    assert row["Title"] == "'=HYPERLINK(\"http://x\")"  # defused
    assert (row["Available"], row["Reserved"], row["Inbound"], row["Sellable"]) == ("30", "2", "10", "25")
    assert (row["Units sold 30 d"], row["Velocity (units a day)"], row["Days of cover"]) == ("60", "2.0", "15.0")
    assert (row["Reorder point"], row["Suggested order"]) == ("65", "48")
    assert row["Quantity Amazon accepted"] == "25" and row["Sync problem"] == "429 QuotaExceeded"


def test_export_refuses_a_filter_it_cannot_apply(op_client, store):
    response = op_client.get("/listings/export/", {"status": "bogus"})
    assert response.status_code == 400 and b"Nothing was exported" in response.content


# Bulk edit: the rules ------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("old", "operation", "amount", "new"), [
    ("19.99", Operation.PRICE_SET, "24.50", "24.50"),
    ("19.99", Operation.PRICE_ADD, "1", "20.99"),
    ("19.99", Operation.PRICE_SUB, "0.99", "19.00"),
    ("19.99", Operation.PRICE_PCT_UP, "10", "21.99"),  # 21.989 → 21.99
    ("19.99", Operation.PRICE_PCT_DOWN, "15", "16.99"),  # 16.9915 → 16.99
    ("0.05", Operation.PRICE_PCT_DOWN, "10", "0.05"),  # 0.045 rounds half up
    (None, Operation.PRICE_SET, "5", "5.00"),
])
def test_price_after(old, operation, amount, new):
    assert price_after(Decimal(old) if old else None, operation, Decimal(amount)) == Decimal(new)


@pytest.mark.parametrize(("old", "operation", "amount"), [
    ("19.99", Operation.PRICE_SUB, "19.99"),
    ("19.99", Operation.PRICE_PCT_DOWN, "100"),
    ("0.01", Operation.PRICE_PCT_DOWN, "60"),  # 0.004 rounds to 0.00
    (None, Operation.PRICE_ADD, "1"),
    ("9999999999.99", Operation.PRICE_ADD, "1"),
])
def test_price_after_refuses_zero_below_and_too_much(old, operation, amount):
    with pytest.raises(ApplicationError):
        price_after(Decimal(old) if old else None, operation, Decimal(amount))


def test_quantity_after():
    assert quantity_after(5, Operation.QTY_SET, 12) == 12
    assert quantity_after(5, Operation.QTY_ADD, 3) == 8
    assert quantity_after(5, Operation.QTY_REMOVE, 5) == 0
    with pytest.raises(ApplicationError, match="below zero"):
        quantity_after(5, Operation.QTY_REMOVE, 6)


def test_preview_refuses_fba_quantities_and_going_below_zero(store, operator):
    mfn = ListingFactory(store=store, sku="MFN-1", quantity_available=4)
    fba = ListingFactory(store=store, sku="FBA-1", fulfillment_channel="AFN", quantity_available=40)
    few = ListingFactory(store=store, sku="FEW-1", quantity_available=1)
    changes = bulk_preview(listings=[mfn, fba, few], user=operator, operation=Operation.QTY_REMOVE,
                           amount=Decimal("2"))
    assert [(c.listing.sku, c.old, c.new, bool(c.refusal)) for c in changes] == [
        ("MFN-1", 4, 2, False), ("FBA-1", 40, None, True), ("FEW-1", 1, None, True)]
    assert "FBA quantity is Amazon's" in changes[1].refusal and "below zero" in changes[2].refusal
    assert Listing.objects.get(pk=mfn.pk).quantity_available == 4  # nothing written


def test_apply_writes_prices_and_tells_the_publishing_layer(store, operator, django_capture_on_commit_callbacks):
    one = ListingFactory(store=store, sku="P-1", price=Decimal("10.00"))
    two = ListingFactory(store=store, sku="P-2", price=Decimal("20.00"))
    sent: list[dict] = []

    def receiver(sender, **kwargs):
        sent.append(kwargs)

    listing_changed.connect(receiver)
    try:
        outcomes = bulk_apply(listings=[one, two], user=operator, operation=Operation.PRICE_PCT_UP,
                              amount=Decimal("10"), expected={one.pk: "10.00", two.pk: "20.00"})
    finally:
        listing_changed.disconnect(receiver)
    assert [(o.listing.sku, o.new, o.done) for o in outcomes] == [("P-1", Decimal("11.00"), True),
                                                                 ("P-2", Decimal("22.00"), True)]
    assert [s["listing_ids"] for s in sent] == [[one.pk], [two.pk]] and sent[0]["fields"] == ["price"]
    assert Listing.objects.get(pk=two.pk).price == Decimal("22.00")


def test_apply_refuses_a_listing_changed_since_the_preview(store, operator):
    changed = ListingFactory(store=store, sku="C-1", quantity_available=10)
    steady = ListingFactory(store=store, sku="S-1", quantity_available=10)
    Listing.objects.filter(pk=changed.pk).update(quantity_available=7)  # an order came in meanwhile
    outcomes = bulk_apply(listings=[changed, steady], user=operator, operation=Operation.QTY_ADD,
                          amount=Decimal("5"), expected={changed.pk: "10", steady.pk: "10"})
    assert [o.done for o in outcomes] == [False, True]
    assert "Changed since the preview (was 10, now 7)" in outcomes[0].refusal
    assert Listing.objects.get(pk=changed.pk).quantity_available == 7
    assert Listing.objects.get(pk=steady.pk).quantity_available == 15
    move = StockMovement.objects.get(listing=steady)
    assert (move.available_delta, move.reason, move.actor) == (5, "adjust", operator)


def test_set_price_checks_the_expected_price(store):
    listing = ListingFactory(store=store, price=Decimal("10.00"))
    with pytest.raises(ApplicationError, match="changed meanwhile"):
        listing_set_price(listing=listing, price=Decimal("12.00"), expected=Decimal("9.00"))
    with pytest.raises(ApplicationError, match="above zero"):
        listing_set_price(listing=listing, price=Decimal("0"))
    assert Listing.objects.get(pk=listing.pk).price == Decimal("10.00")


# Bulk edit: the pages ------------------------------------------------------------------------------------------

def test_preview_then_confirm_through_the_pages(op_client, store, other_store):
    one = ListingFactory(store=store, sku="B-1", price=Decimal("10.00"))
    two = ListingFactory(store=store, sku="B-2", price=Decimal("0.50"))
    foreign = ListingFactory(store=other_store, sku="DE-1", price=Decimal("10.00"))
    preview = op_client.post("/listings/bulk/", {"ids": [one.pk, two.pk, foreign.pk], "operation": "price_sub",
                                                 "amount": "0.50", "next": "/listings/?q=B"})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "DE-1" not in html and "1 listing will change" in html and "Would be zero or below" in html
    assert f'name="old-{one.pk}" value="10.00"' in html and f'name="old-{two.pk}"' not in html
    assert Listing.objects.get(pk=one.pk).price == Decimal("10.00")
    done = op_client.post("/listings/bulk/apply/", {"ids": [one.pk], f"old-{one.pk}": "10.00",
                                                    "operation": "price_sub", "amount": "0.50",
                                                    "next": "/listings/?q=B"})
    assert done.status_code == 200 and "1 listing changed" in done.content.decode()
    assert 'href="/listings/?q=B"' in done.content.decode()
    assert Listing.objects.get(pk=one.pk).price == Decimal("9.50")


def test_bulk_quantity_needs_stock_adjust_and_price_needs_listing_edit(client, store):
    listing = ListingFactory(store=store, sku="R-1", price=Decimal("10.00"), quantity_available=5)
    agent = UserFactory(username="agent-b")
    MembershipFactory(user=agent, store=store, role="agent")
    client.force_login(agent)
    assert 'id="bulk-form"' not in client.get(URL).content.decode()
    for operation, old in (("price_set", "10.00"), ("qty_set", "5")):
        response = client.post("/listings/bulk/apply/", {"ids": [listing.pk], f"old-{listing.pk}": old,
                                                         "operation": operation, "amount": "7"})
        assert b"does not allow this" in response.content
    listing.refresh_from_db()
    assert (listing.price, listing.quantity_available) == (Decimal("10.00"), 5)


def test_bulk_refuses_a_bad_amount_and_an_empty_selection(op_client, store):
    listing = ListingFactory(store=store)
    assert op_client.post("/listings/bulk/", {"ids": [listing.pk], "operation": "qty_add",
                                              "amount": "1.5"}).status_code == 400
    assert op_client.post("/listings/bulk/", {"ids": [], "operation": "qty_add", "amount": "1"}).status_code == 400
    assert op_client.post("/listings/bulk/", {"ids": [listing.pk], "operation": "price_pct_up",
                                              "amount": "5000"}).status_code == 400


# From an order to its listings ---------------------------------------------------------------------------------

def test_every_sku_of_an_order_links_to_its_listing(op_client, store):
    from tests.factories import OrderFactory, OrderItemFactory

    listing = ListingFactory(store=store, sku="AK-WC15-BLK")
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, sku="AK-WC15-BLK", listing=listing)
    OrderItemFactory(order=order, sku="GONE-1", listing=None)
    link = f'href="/listings/{listing.pk}/">AK-WC15-BLK</a>'
    page = op_client.get(f"/orders/{order.amazon_order_id}/").content.decode()
    assert link in page and ">GONE-1<" in page and "/listings/None" not in page
    assert link in op_client.get("/orders/", {"tab": "all"}).content.decode()
