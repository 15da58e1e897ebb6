from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.permissions import ROLE_PERMISSIONS, user_can, user_permissions
from fulfillment.models import Shipment
from orders.models import OrderEvent, OrderStatus
from orders.services import order_add_note
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    ListingFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OID = "113-4829104-7710263"
URL = f"/orders/{OID}/"
HTMX = {"HX-Request": "true"}
UPS_VALID = "1Z999AA10123456784"


@pytest.fixture
def order(store):
    order = OrderFactory(store=store, amazon_order_id=OID, buyer_name="J. Miller", ship_name="Jane Miller",
                         ship_line1="12 Oak Street", ship_city="Austin", ship_postal_code="73301")
    OrderItemFactory(order=order, sku="AK-WC15-BLK", asin="B0ABCDEF12", title="Wall charger", quantity=2)
    return order


def client_for(client, store, role: str):
    user = UserFactory(username=f"{role}-user")
    MembershipFactory(user=user, store=store, role=role)
    client.force_login(user)
    return client


def panel(response) -> str:
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order-panel"'), html[:200]
    assert "<html" not in html
    return html


# The page ------------------------------------------------------------------------------------------------------

def test_the_detail_page_shows_items_buyer_windows_in_store_time_and_actions(op_client, order):
    order.latest_ship_date = datetime(2031, 1, 15, 7, 59, tzinfo=UTC)  # 23:59 PST the day before
    order.save()
    response = op_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "AK-WC15-BLK" in html and "B0ABCDEF12" in html and "Wall charger" in html
    assert "J. Miller" in html and "12 Oak Street" in html and "Austin, TX 73301" in html
    assert "Jan 14, 23:59 UTC\u22128" in html
    assert "data-countdown" in html and "in " in html
    for action in ("confirm", "pack", "ship", "cancel", "note"):
        assert f'action="/orders/{OID}/{action}/?store=ACME-US"' in html
    assert 'hx-post="/orders/113-4829104-7710263/ship/?store=ACME-US"' in html
    assert "HX-Request" in response["Vary"]


def test_shipments_show_carrier_tracking_link_first_scan_and_delivery(op_client, store):
    order = OrderFactory(store=store, amazon_order_id=OID, status=OrderStatus.SHIPPED)
    OrderItemFactory(order=order)
    shipped = timezone.now() - timedelta(days=2)
    ShipmentFactory(order=order, carrier="UPS", tracking_number=UPS_VALID, shipped_at=shipped,
                    first_scan_at=shipped + timedelta(hours=3), delivered_at=shipped + timedelta(days=1),
                    tracking_format_valid=True)
    html = op_client.get(URL).content.decode()
    assert f'href="https://www.ups.com/track?tracknum={UPS_VALID}"' in html
    assert "not yet" not in html
    # A shipped order offers neither shipping nor cancelling.
    assert f"/orders/{OID}/ship/" not in html and f"/orders/{OID}/cancel/" not in html


def test_the_timeline_says_who_did_what_when_and_from_where(op_client, order, operator):
    order_add_note(order=order, note="Buyer called: leave at the door", actor=operator, source="ui")
    OrderEvent.objects.create(store=order.store, order=order, kind=OrderEvent.Kind.IMPORT, source="import",
                              at=timezone.now(), note="Order report row 14")
    html = op_client.get(URL).content.decode()
    assert "Buyer called: leave at the door" in html
    assert "op · ui" in html
    assert "system · import" in html and "Order report row 14" in html


def test_returns_messages_feedback_and_claims_of_the_order_are_listed(op_client, store):
    order = OrderFactory(store=store, amazon_order_id=OID, status=OrderStatus.SHIPPED)
    OrderItemFactory(order=order)
    ReturnRequestFactory(order=order, sku="RET-SKU-1", buyer_comment="Too small for my wall")
    thread = ThreadFactory(store=store, order=order)
    MessageFactory(thread=thread, body="Can you ship faster please?")
    FeedbackFactory(order=order, rating=2, comment="Slow delivery")
    ClaimFactory(order=order, reason="Item not received")
    other = OrderFactory(store=store, amazon_order_id="113-0000000-0000009")
    MessageFactory(thread=ThreadFactory(store=store, order=other), body="A different order")
    html = op_client.get(URL).content.decode()
    assert "RET-SKU-1" in html and "Too small for my wall" in html
    assert "Can you ship faster please?" in html and "A different order" not in html
    assert "2★" in html and "Slow delivery" in html
    assert "A-to-z Guarantee claim" in html and "Item not received" in html


def test_risk_flags_are_explained(op_client, store):
    now = timezone.now()
    listing = ListingFactory(store=store, sku="SS-WB32-BLU")
    order = OrderFactory(store=store, amazon_order_id=OID, ship_line1="PO Box 1180", ship_postal_code="",
                         latest_ship_date=now + timedelta(minutes=30),
                         risk_flags=["po_box", "stock_short", "quantity_unusual", "address_incomplete"])
    OrderItemFactory(order=order, sku="SS-WB32-BLU", listing=listing, quantity=12, quantity_reserved=4)
    html = op_client.get(URL).content.decode()
    assert 'data-risk="po_box"' in html and "DHL, FedEx, OnTrac, UPS do not deliver to PO boxes" in html
    assert 'data-risk="stock_short"' in html and "SS-WB32-BLU: 4 of 12 units reserved" in html
    assert 'data-risk="quantity_unusual"' in html and "12 × SS-WB32-BLU" in html
    assert 'data-risk="address_incomplete"' in html and "Missing: postal code." in html
    # Half an hour left is "today" in the store's timezone unless the store's midnight falls in between.
    local_now, local_deadline = now.astimezone(store.tz), order.latest_ship_date.astimezone(store.tz)
    assert ('data-risk="due_today"' in html) == (local_now.date() == local_deadline.date())


def test_an_overdue_order_is_flagged_late(op_client, store):
    OrderFactory(store=store, amazon_order_id=OID, latest_ship_date=timezone.now() - timedelta(hours=2))
    html = op_client.get(URL).content.decode()
    assert 'data-risk="late"' in html and "overdue 2 h" in html


# Store scoping ---------------------------------------------------------------------------------------------------

def test_another_stores_order_is_404(op_client, other_store):
    OrderFactory(store=other_store, amazon_order_id=OID)
    assert op_client.get(URL).status_code == 404
    assert op_client.post(f"{URL}confirm/", headers=HTMX).status_code == 404
    assert OrderEvent.objects.count() == 0


def test_an_id_in_two_of_my_stores_asks_which_and_store_picks_it(client, store, other_store):
    user = UserFactory(username="both")
    MembershipFactory(user=user, store=store)
    MembershipFactory(user=user, store=other_store)
    client.force_login(user)
    OrderFactory(store=store, amazon_order_id=OID, buyer_name="US buyer")
    OrderFactory(store=other_store, amazon_order_id=OID, buyer_name="DE buyer")
    html = client.get(URL).content.decode()
    assert f'href="{URL}?store=ACME-US"' in html and f'href="{URL}?store=OTHER-DE"' in html
    page = client.get(URL, {"store": "OTHER-DE"}).content.decode()
    assert "DE buyer" in page and "US buyer" not in page
    assert client.post(f"{URL}confirm/").status_code == 400
    assert client.get(URL, {"store": "NOPE"}).status_code == 404


def test_an_unknown_id_or_a_malformed_one_is_404(op_client):
    assert op_client.get("/orders/113-0000000-0000000/").status_code == 404
    assert op_client.get("/orders/not-an-order/").status_code == 404


def test_login_is_required(client, order):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# Actions ---------------------------------------------------------------------------------------------------------

def test_confirm_with_htmx_returns_the_panel_with_the_new_status_and_event(op_client, order, operator):
    response = op_client.post(f"{URL}confirm/?store=ACME-US", headers=HTMX)
    assert response.status_code == 200
    html = panel(response)
    assert "Order confirmed." in html and "Confirmed" in html
    assert "HX-Request" in response["Vary"]
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED
    event = order.events.get(kind=OrderEvent.Kind.STATUS)
    assert (event.actor, event.source, event.to_status) == (operator, "ui", OrderStatus.CONFIRMED)
    assert f'action="/orders/{OID}/confirm/' not in html  # confirmed: nothing left to confirm


def test_confirm_without_javascript_redirects_back_to_the_page(op_client, order):
    response = op_client.post(f"{URL}confirm/")
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?store=ACME-US"
    assert "Order confirmed." in op_client.get(response["Location"]).content.decode()


def test_mark_packed(op_client, order):
    html = panel(op_client.post(f"{URL}pack/", headers=HTMX))
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED and order.packed_at is not None
    assert "Marked as picked and packed." in html


def test_actions_are_post_only(op_client, order):
    assert op_client.get(f"{URL}confirm/").status_code == 405
    order.refresh_from_db()
    assert order.status == OrderStatus.UNSHIPPED


def test_ship_with_a_valid_number_ships_everything(op_client, order):
    response = op_client.post(f"{URL}ship/", {"carrier": "UPS", "tracking_number": UPS_VALID}, headers=HTMX)
    html = panel(response)
    shipment = Shipment.objects.get(order=order)
    assert (shipment.carrier, shipment.tracking_number, shipment.tracking_format_valid) == ("UPS", UPS_VALID, True)
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert f"Shipped with UPS {UPS_VALID}." in html
    assert f"https://www.ups.com/track?tracknum={UPS_VALID}" in html


def test_ship_date_is_read_in_the_viewers_time(op_client, order):
    order.purchase_date = datetime(2024, 5, 1, tzinfo=UTC)
    order.save()
    op_client.post(f"{URL}ship/", {"carrier": "UPS", "tracking_number": UPS_VALID,
                                   "shipped_at": "2024-05-02T09:30"}, headers=HTMX)
    # The operator has no profile, so their timezone is UTC.
    assert Shipment.objects.get(order=order).shipped_at == datetime(2024, 5, 2, 9, 30, tzinfo=UTC)


def test_a_malformed_number_warns_first_and_ships_only_when_confirmed(op_client, order):
    data = {"carrier": "UPS", "tracking_number": "1Z999AA10123456785"}
    html = panel(op_client.post(f"{URL}ship/", data, headers=HTMX))
    assert "check digit is wrong" in html and "Valid Tracking Rate" in html
    assert 'name="confirm" value="UPS:1Z999AA10123456785"' in html
    assert not Shipment.objects.exists()
    # Confirming a warning given for another number does not ship this one.
    panel(op_client.post(f"{URL}ship/", {**data, "tracking_number": "1Z999AA10123456786",
                                         "confirm": "UPS:1Z999AA10123456785"}, headers=HTMX))
    assert not Shipment.objects.exists()
    html = panel(op_client.post(f"{URL}ship/", {**data, "confirm": "UPS:1Z999AA10123456785"}, headers=HTMX))
    shipment = Shipment.objects.get(order=order)
    assert shipment.tracking_format_valid is False
    assert "format?" in html


def test_a_po_box_with_a_carrier_that_refuses_them_warns(op_client, order):
    order.ship_line1 = "P.O. Box 1180"
    order.save()
    html = panel(op_client.post(f"{URL}ship/", {"carrier": "UPS", "tracking_number": UPS_VALID}, headers=HTMX))
    assert "UPS does not deliver to PO boxes" in html
    assert not Shipment.objects.exists()
    op_client.post(f"{URL}ship/", {"carrier": "USPS", "tracking_number": "9400111899223856123459"}, headers=HTMX)
    assert Shipment.objects.get(order=order).carrier == "USPS"


def test_a_partial_shipment_ships_the_chosen_units(op_client, order):
    item = order.items.get()
    other = OrderItemFactory(order=order, sku="SECOND", quantity=3)
    html = panel(op_client.post(f"{URL}ship/", {"carrier": "UPS", "tracking_number": UPS_VALID,
                                                f"qty_{item.pk}": "1", f"qty_{other.pk}": "0"}, headers=HTMX))
    order.refresh_from_db()
    item.refresh_from_db()
    other.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert (item.quantity_shipped, other.quantity_shipped) == (1, 0)
    assert "Partially shipped" in html
    # The rest is still owed, and the form offers exactly that.
    assert f'name="qty_{item.pk}"' in html and 'max="1"' in html
    assert f'name="qty_{other.pk}"' in html and 'max="3"' in html


def test_choosing_no_unit_is_a_form_error(op_client, order):
    item = order.items.get()
    response = op_client.post(f"{URL}ship/", {"carrier": "UPS", "tracking_number": UPS_VALID,
                                              f"qty_{item.pk}": "0"})
    assert response.status_code == 400
    assert "Choose at least one unit to ship." in response.content.decode()
    assert not Shipment.objects.exists()


def test_other_carrier_needs_a_name(op_client, order):
    html = panel(op_client.post(f"{URL}ship/", {"carrier": "Other", "tracking_number": "X1"}, headers=HTMX))
    assert "Name the carrier when choosing Other." in html
    assert not Shipment.objects.exists()


def test_shipping_a_cancelled_order_is_refused_in_place_and_changes_nothing(op_client, store):
    order = OrderFactory(store=store, amazon_order_id=OID, status=OrderStatus.CANCELED, canceled_at=timezone.now())
    OrderItemFactory(order=order)
    events = OrderEvent.objects.count()
    response = op_client.post(f"{URL}ship/", {"carrier": "UPS", "tracking_number": UPS_VALID}, headers=HTMX)
    html = panel(response)
    assert f"Order {OID} is Cancelled and cannot be shipped." in html
    assert 'class="flash flash-bad"' in html
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    assert not Shipment.objects.exists() and OrderEvent.objects.count() == events


def test_a_refusal_without_javascript_shows_the_whole_page_with_the_error(op_client, store):
    order = OrderFactory(store=store, amazon_order_id=OID, status=OrderStatus.CANCELED, canceled_at=timezone.now())
    OrderItemFactory(order=order)
    response = op_client.post(f"{URL}ship/", {"carrier": "UPS", "tracking_number": UPS_VALID})
    assert response.status_code == 400
    html = response.content.decode()
    assert "<html" in html and "cannot be shipped" in html


def test_cancelling_a_shipped_order_is_refused_in_place(op_client, store):
    order = OrderFactory(store=store, amazon_order_id=OID, status=OrderStatus.SHIPPED)
    OrderItemFactory(order=order)
    ShipmentFactory(order=order, shipped_at=timezone.now() - timedelta(hours=1))
    html = panel(op_client.post(f"{URL}cancel/", {"initiator": "buyer", "reason": "Changed mind"}, headers=HTMX))
    assert "already has a confirmed shipment; it can no longer be cancelled" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED and order.canceled_at is None


def test_confirming_an_fba_order_is_refused_in_place(op_client, store):
    order = OrderFactory(store=store, amazon_order_id=OID, fulfillment_channel="AFN")
    html = panel(op_client.post(f"{URL}confirm/", headers=HTMX))
    assert "is fulfilled by Amazon; there is nothing to confirm or pack" in html
    order.refresh_from_db()
    assert order.status == OrderStatus.UNSHIPPED and order.confirmed_at is None
    assert not order.events.exists()


def test_a_buyer_cancellation_cancels_at_once(op_client, order, operator):
    html = panel(op_client.post(f"{URL}cancel/", {"initiator": "buyer", "reason": "Buyer asked to cancel"},
                                headers=HTMX))
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    assert (order.cancel_initiator, order.cancel_reason) == ("buyer", "Buyer asked to cancel")
    assert "Order cancelled." in html and "Buyer: Buyer asked to cancel" in html


def test_a_seller_cancellation_warns_about_the_cancel_rate_before_cancelling(op_client, order):
    data = {"initiator": "seller", "reason": "Out of stock"}
    html = panel(op_client.post(f"{URL}cancel/", data, headers=HTMX))
    assert "counts against your Pre-fulfilment Cancel Rate" in html
    assert 'name="confirm_seller" value="1"' in html
    order.refresh_from_db()
    assert order.status == OrderStatus.UNSHIPPED
    panel(op_client.post(f"{URL}cancel/", {**data, "confirm_seller": "1"}, headers=HTMX))
    order.refresh_from_db()
    assert (order.status, order.cancel_initiator) == (OrderStatus.CANCELED, "seller")


def test_a_cancellation_needs_a_reason_and_an_initiator(op_client, order):
    response = op_client.post(f"{URL}cancel/", {"initiator": "", "reason": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count("This field is required.") == 2
    order.refresh_from_db()
    assert order.status == OrderStatus.UNSHIPPED


def test_add_a_note(op_client, order, operator):
    html = panel(op_client.post(f"{URL}note/", {"note": "Gift wrap requested"}, headers=HTMX))
    assert "Gift wrap requested" in html and "Note added." in html
    assert order.events.get(kind=OrderEvent.Kind.NOTE).actor == operator
    empty = op_client.post(f"{URL}note/", {"note": "  "}, headers=HTMX)
    assert "This field is required." in empty.content.decode()
    assert order.events.filter(kind=OrderEvent.Kind.NOTE).count() == 1


# Roles -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["agent", "manager"])
def test_agents_and_managers_see_the_page_read_only_and_cannot_post(client, order, role):
    client = client_for(client, order.store, role)
    html = client.get(URL).content.decode()
    assert "only operators and admins act on it" in html
    assert 'hx-post=' not in html
    for action, data in [("confirm", {}), ("pack", {}), ("note", {"note": "x"}),
                         ("ship", {"carrier": "UPS", "tracking_number": UPS_VALID}),
                         ("cancel", {"initiator": "buyer", "reason": "x"})]:
        assert client.post(f"{URL}{action}/", data, headers=HTMX).status_code == 403
    order.refresh_from_db()
    assert order.status == OrderStatus.UNSHIPPED and not order.events.exists()


def test_an_admin_may_act(client, order):
    client = client_for(client, order.store, "admin")
    panel(client.post(f"{URL}confirm/", headers=HTMX))
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED


def test_the_pages_and_the_api_share_one_role_table(store):
    from core.api import permissions as api_permissions

    assert api_permissions.ROLE_PERMISSIONS is ROLE_PERMISSIONS
    agent = UserFactory(username="agent-x")
    MembershipFactory(user=agent, store=store, role="agent")
    assert not user_can(user=agent, store=store, permission="order.ship")
    assert user_can(user=agent, store=store, permission="message.create")
    assert "order.ship" not in user_permissions(user=agent, store=store)
    other = StoreFactory(code="ELSE-UK", marketplace="UK")
    assert user_permissions(user=agent, store=other) == frozenset()


# Query count -----------------------------------------------------------------------------------------------------

def _detail_queries(client, store, oid: str, n: int) -> int:
    order = OrderFactory(store=store, amazon_order_id=oid, status=OrderStatus.PARTIALLY_SHIPPED)
    items = [OrderItemFactory(order=order, quantity=2, quantity_shipped=1) for _ in range(n)]
    for i in range(n):
        shipment = ShipmentFactory(order=order, shipped_at=order.purchase_date + timedelta(hours=i + 1))
        shipment.items.create(store=store, order_item=items[i], quantity=1)
        order_add_note(order=order, note=f"note {i}", actor=None)
        ReturnRequestFactory(order=order)
        MessageFactory(thread=ThreadFactory(store=store, order=order))
        ClaimFactory(order=order)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(f"/orders/{oid}/")
    assert response.status_code == 200
    assert f"note {n - 1}" in response.content.decode()
    return len(queries)


def test_the_detail_page_query_count_does_not_grow_with_items_and_events(op_client, store):
    one = _detail_queries(op_client, store, "113-0000000-0000001", 1)
    ten = _detail_queries(op_client, store, "113-0000000-0000002", 10)
    assert one == ten
    assert ten <= 20


def test_the_htmx_action_response_skips_the_after_sale_lists(op_client, order):
    with CaptureQueriesContext(connection) as queries:
        op_client.post(f"{URL}note/", {"note": "n"}, headers=HTMX)
    sql = " ".join(q["sql"] for q in queries.captured_queries)
    assert "returns_returnrequest" not in sql and "support_claim" not in sql


# Live tracking check ---------------------------------------------------------------------------------------------

def test_the_tracking_check_says_whether_the_number_fits_the_carrier(op_client):
    url = "/orders/tracking-check/"
    good = op_client.get(url, {"carrier": "UPS", "tracking_number": UPS_VALID}).content.decode()
    assert "track-hint-ok" in good
    bad = op_client.get(url, {"carrier": "Royal Mail", "tracking_number": "12345"}).content.decode()
    assert "track-hint-bad" in bad and "does not look like a Royal Mail tracking number" in bad
    unknown = op_client.get(url, {"carrier": "Other", "tracking_number": "ABC"}).content.decode()
    assert "No known format" in unknown
    assert op_client.get(url, {"carrier": "UPS", "tracking_number": ""}).content.decode().strip() == ""
