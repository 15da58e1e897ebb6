from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.models import Shipment
from orders.forms import parse_ids
from orders.models import OrderStatus
from tests.factories import MembershipFactory, OrderFactory, OrderItemFactory, UserFactory

pytestmark = pytest.mark.django_db

UPS = ["1Z999AA10123456784", "1Z999AA10123456793"]


def make(store, oid: str, **kwargs):
    order = OrderFactory(store=store, amazon_order_id=oid, **kwargs)
    OrderItemFactory(order=order, sku=f"SKU-{oid[-3:]}", quantity=1)
    return order


def test_parse_ids_reads_repeated_and_comma_separated_values():
    assert parse_ids(["3", "1,2", "x", "2", " 5 "]) == [3, 1, 2, 5]


def test_the_queue_has_row_checkboxes_and_the_bulk_bar_for_operators(op_client, store):
    order = make(store, "113-0000000-0000001")
    html = op_client.get("/orders/").content.decode()
    assert 'id="bulk-form"' in html and 'data-select-all' in html
    assert f'name="ids" value="{order.pk}" form="bulk-form"' in html
    assert 'data-url="/orders/113-0000000-0000001/?store=ACME-US"' in html
    assert 'data-ship-url="/orders/113-0000000-0000001/?store=ACME-US#ship"' in html
    assert 'id="kbd-help"' in html


def test_agents_get_no_bulk_bar(client, store):
    agent = UserFactory(username="agent")
    MembershipFactory(user=agent, store=store, role="agent")
    client.force_login(agent)
    make(store, "113-0000000-0000001")
    html = client.get("/orders/").content.decode()
    assert 'id="bulk-form"' not in html and 'name="ids"' not in html


def test_bulk_confirm_reports_each_order_and_changes_only_the_accepted(op_client, store, other_store):
    ok = make(store, "113-0000000-0000001")
    cancelled = make(store, "113-0000000-0000002", status=OrderStatus.CANCELED, canceled_at=timezone.now())
    fba = make(store, "113-0000000-0000003", fulfillment_channel="AFN")
    foreign = make(other_store, "302-0000000-0000004")
    response = op_client.post("/orders/bulk/", {
        "action": "confirm", "ids": [ok.pk, cancelled.pk, fba.pk, foreign.pk], "next": "/orders/?tab=late"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "1 order done" in html and "2 refused" in html
    assert html.count('class="outcome outcome-done"') == 1 and html.count('class="outcome outcome-refused"') == 2
    assert "cannot go from Cancelled to Confirmed" in html
    assert "fulfilled by Amazon; there is nothing to confirm" in html
    assert "302-0000000-0000004" not in html
    assert 'href="/orders/?tab=late"' in html
    for order, status in [(ok, OrderStatus.CONFIRMED), (cancelled, OrderStatus.CANCELED),
                          (fba, OrderStatus.UNSHIPPED), (foreign, OrderStatus.UNSHIPPED)]:
        order.refresh_from_db()
        assert order.status == status


def test_bulk_confirm_refuses_stores_where_the_role_does_not_allow_it(client, store, other_store):
    user = UserFactory(username="mixed")
    MembershipFactory(user=user, store=store, role="operator")
    MembershipFactory(user=user, store=other_store, role="manager")
    client.force_login(user)
    mine = make(store, "113-0000000-0000001")
    managed = make(other_store, "302-0000000-0000002")
    html = client.post("/orders/bulk/", {"action": "confirm", "ids": [mine.pk, managed.pk]}).content.decode()
    assert "Your role in store OTHER-DE does not allow this." in html
    mine.refresh_from_db()
    managed.refresh_from_db()
    assert (mine.status, managed.status) == (OrderStatus.CONFIRMED, OrderStatus.UNSHIPPED)


def test_an_empty_selection_goes_back_with_a_message(op_client):
    response = op_client.post("/orders/bulk/", {"action": "confirm", "next": "/orders/?tab=late"})
    assert response.status_code == 302 and response["Location"] == "/orders/?tab=late"
    response = op_client.post("/orders/bulk/", {"action": "confirm", "next": "https://evil.example/"})
    assert response["Location"] == "/orders/"


def test_bulk_ship_cancel_and_slips_open_their_pages_with_the_selection(op_client, store):
    a, b = make(store, "113-0000000-0000001"), make(store, "113-0000000-0000002")
    for action, path in [("ship", "/orders/bulk/ship/"), ("cancel", "/orders/bulk/cancel/"),
                         ("slips", "/orders/packing-slips/")]:
        response = op_client.post("/orders/bulk/", {"action": action, "ids": [a.pk, b.pk], "next": "/orders/"})
        assert response.status_code == 302
        assert response["Location"].startswith(f"{path}?ids={a.pk}%2C{b.pk}")
        assert op_client.get(response["Location"]).status_code == 200


def test_bulk_ship_ships_each_order_with_its_own_number(op_client, store):
    a, b = make(store, "113-0000000-0000001"), make(store, "113-0000000-0000002")
    form = op_client.get(f"/orders/bulk/ship/?ids={a.pk},{b.pk}").content.decode()
    assert f'name="tracking_{a.pk}"' in form and f'name="tracking_{b.pk}"' in form
    response = op_client.post("/orders/bulk/ship/", {
        "ids": f"{a.pk},{b.pk}", "carrier": "UPS", f"tracking_{a.pk}": UPS[0], f"tracking_{b.pk}": UPS[1]})
    html = response.content.decode()
    assert "2 orders done" in html and "refused" not in html.split("</h1>")[1].split("</p>")[0]
    assert {s.order_id: s.tracking_number for s in Shipment.objects.all()} == {a.pk: UPS[0], b.pk: UPS[1]}


def test_bulk_ship_shows_malformed_numbers_first_and_ships_nothing(op_client, store):
    a, b = make(store, "113-0000000-0000001"), make(store, "113-0000000-0000002")
    data = {"ids": f"{a.pk},{b.pk}", "carrier": "UPS", f"tracking_{a.pk}": UPS[0], f"tracking_{b.pk}": "1Z99"}
    html = op_client.post("/orders/bulk/ship/", data).content.decode()
    assert "Some tracking numbers need a second look" in html
    assert "1Z99 does not look like a UPS tracking number" in html
    assert f'name="confirm_{b.pk}" value="UPS:1Z99"' in html
    assert not Shipment.objects.exists()
    html = op_client.post("/orders/bulk/ship/", {**data, f"confirm_{b.pk}": "UPS:1Z99"}).content.decode()
    assert "2 orders done" in html
    assert Shipment.objects.get(order=b).tracking_format_valid is False


def test_bulk_ship_needs_a_number_on_every_row(op_client, store):
    a, b = make(store, "113-0000000-0000001"), make(store, "113-0000000-0000002")
    response = op_client.post("/orders/bulk/ship/", {"ids": f"{a.pk},{b.pk}", "carrier": "UPS",
                                                     f"tracking_{a.pk}": UPS[0]})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Shipment.objects.exists()


def test_bulk_ship_is_one_transaction_per_order_and_names_the_failures(op_client, store):
    a = make(store, "113-0000000-0000001")
    gone = make(store, "113-0000000-0000002", status=OrderStatus.CANCELED, canceled_at=timezone.now())
    html = op_client.post("/orders/bulk/ship/", {
        "ids": f"{a.pk},{gone.pk}", "carrier": "UPS", f"tracking_{a.pk}": UPS[0], f"tracking_{gone.pk}": UPS[1],
    }).content.decode()
    assert "1 order done" in html and "1 refused" in html
    assert "Order 113-0000000-0000002 is Cancelled and cannot be shipped." in html
    assert list(Shipment.objects.values_list("order_id", flat=True)) == [a.pk]


def test_bulk_cancel_warns_for_seller_cancellations_then_reports_each(op_client, store):
    a = make(store, "113-0000000-0000001")
    shipped = make(store, "113-0000000-0000002", status=OrderStatus.SHIPPED)
    Shipment.objects.create(store=store, order=shipped, carrier="UPS", tracking_number=UPS[0],
                            shipped_at=timezone.now() - timedelta(hours=1))
    data = {"ids": f"{a.pk},{shipped.pk}", "initiator": "seller", "reason": "Out of stock"}
    html = op_client.post("/orders/bulk/cancel/", data).content.decode()
    assert "count against your Pre-fulfilment Cancel Rate" in html
    a.refresh_from_db()
    assert a.status == OrderStatus.UNSHIPPED
    html = op_client.post("/orders/bulk/cancel/", {**data, "confirm_seller": "1"}).content.decode()
    assert "1 order done" in html and "1 refused" in html
    assert "can no longer be cancelled" in html
    a.refresh_from_db()
    shipped.refresh_from_db()
    assert (a.status, a.cancel_reason, shipped.status) == (OrderStatus.CANCELED, "Out of stock", OrderStatus.SHIPPED)


def test_bulk_cancel_by_the_buyer_needs_no_confirmation(op_client, store):
    a = make(store, "113-0000000-0000001")
    html = op_client.post("/orders/bulk/cancel/", {"ids": str(a.pk), "initiator": "buyer",
                                                   "reason": "Buyer asked to cancel"}).content.decode()
    assert "1 order done" in html
    a.refresh_from_db()
    assert a.cancel_initiator == "buyer"


def test_packing_slips_print_one_slip_per_order_of_my_stores(op_client, store, other_store):
    a = make(store, "113-0000000-0000001", ship_name="Jane Miller", ship_line1="12 Oak Street")
    b = make(store, "113-0000000-0000002")
    foreign = make(other_store, "302-0000000-0000003")
    response = op_client.get(f"/orders/packing-slips/?ids={a.pk},{b.pk}&ids={foreign.pk}")
    html = response.content.decode()
    assert html.count('<article class="slip"') == 2
    assert "Jane Miller" in html and "12 Oak Street" in html and "SKU-001" in html
    assert "302-0000000-0000003" not in html
    assert "data-print" in html
    assert op_client.get(f"/orders/packing-slips/?ids={foreign.pk}").status_code == 404


def test_bulk_pages_bound_their_queries(op_client, store, django_assert_max_num_queries):
    ids = ",".join(str(make(store, f"113-0000000-{n:07d}").pk) for n in range(12))
    for url in (f"/orders/packing-slips/?ids={ids}", f"/orders/bulk/ship/?ids={ids}",
                f"/orders/bulk/cancel/?ids={ids}"):
        with django_assert_max_num_queries(8):
            assert op_client.get(url).status_code == 200


def test_fba_orders_have_no_checkbox_in_the_queue(op_client, store):
    mfn, fba = make(store, "113-0000000-0000001"), make(store, "113-0000000-0000002", fulfillment_channel="AFN")
    html = op_client.get("/orders/?tab=all").content.decode()
    assert f'name="ids" value="{mfn.pk}"' in html
    assert f'name="ids" value="{fba.pk}"' not in html
    assert "Fulfilled by Amazon: Amazon ships it" in html


def test_bulk_ship_leaves_fba_orders_out_before_the_form(op_client, store):
    mfn, fba = make(store, "113-0000000-0000001"), make(store, "113-0000000-0000002", fulfillment_channel="AFN")
    response = op_client.post("/orders/bulk/", {"action": "ship", "ids": [mfn.pk, fba.pk], "next": "/orders/"})
    assert response.status_code == 302
    assert response["Location"].startswith(f"/orders/bulk/ship/?ids={mfn.pk}&")
    page = op_client.get(f"/orders/bulk/ship/?ids={mfn.pk},{fba.pk}").content.decode()
    assert f'name="tracking_{mfn.pk}"' in page and f'name="tracking_{fba.pk}"' not in page
    assert "fulfilled by Amazon and was left out" in page


def test_bulk_ship_of_only_fba_orders_goes_back_to_the_queue(op_client, store):
    fba = make(store, "113-0000000-0000002", fulfillment_channel="AFN")
    response = op_client.post("/orders/bulk/", {"action": "ship", "ids": [fba.pk], "next": "/orders/?tab=all"})
    assert response.status_code == 302 and response["Location"] == "/orders/?tab=all"
    response = op_client.get(f"/orders/bulk/ship/?ids={fba.pk}&next=/orders/")
    assert response.status_code == 302 and response["Location"] == "/orders/"
