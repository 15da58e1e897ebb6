"""FBA inbound shipments: plan, ship, receive, close, cancel; stock moves; pages, roles and scoping."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition
from fulfillment.inbound import InboundLine, inbound_create, inbound_receive, inbound_set_status
from fulfillment.models import InboundShipment, InboundStatus
from listings.models import StockMovement
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db

I = InboundStatus  # noqa: E741
HX = {"HX-Request": "true"}


@pytest.fixture
def mats(store):
    return (ListingFactory(store=store, sku="MAT-BLU", fulfillment_channel="AFN", quantity_available=5),
            ListingFactory(store=store, sku="MAT-RED", fulfillment_channel="AFN", quantity_available=0))


def plan(store, mats, blue=10, red=4) -> InboundShipment:
    return inbound_create(store=store, lines=[InboundLine(mats[0], blue), InboundLine(mats[1], red)],
                          name="November restock", destination_fc="phx7")


def stock(listing) -> tuple[int, int]:
    listing.refresh_from_db()
    return listing.quantity_available, listing.quantity_inbound


# Services -------------------------------------------------------------------------------------------------

def test_a_plan_counts_as_inbound_stock(store, mats):
    inbound = plan(store, mats)
    assert inbound.status == I.WORKING and inbound.shipment_id.startswith("FBA") and len(inbound.shipment_id) == 12
    assert inbound.destination_fc == "PHX7"
    assert [(i.listing.sku, i.quantity_expected) for i in inbound.items.order_by("listing__sku")] == [
        ("MAT-BLU", 10), ("MAT-RED", 4)]
    assert stock(mats[0]) == (5, 10) and stock(mats[1]) == (0, 4)
    assert StockMovement.objects.filter(inbound_delta=10, listing=mats[0]).exists()


@pytest.mark.parametrize("problem", ["empty", "mfn", "other_store", "twice", "negative"])
def test_a_bad_plan_is_refused(store, other_store, mats, problem):
    lines = {
        "empty": [],
        "mfn": [InboundLine(ListingFactory(store=store, fulfillment_channel="MFN"), 3)],
        "other_store": [InboundLine(ListingFactory(store=other_store, fulfillment_channel="AFN"), 3)],
        "twice": [InboundLine(mats[0], 1), InboundLine(mats[0], 2)],
        "negative": [InboundLine(mats[0], -2)],
    }[problem]
    with pytest.raises(ApplicationError):
        inbound_create(store=store, lines=lines)
    assert not InboundShipment.objects.exists()
    assert stock(mats[0]) == (5, 0)


def test_shipping_needs_carrier_and_tracking(store, mats):
    inbound = plan(store, mats)
    with pytest.raises(ApplicationError, match="carrier and the tracking number"):
        inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number=" ")
    inbound.refresh_from_db()
    assert inbound.status == I.WORKING
    inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number="1Z 999 AA1 0123456784")
    inbound.refresh_from_db()
    assert (inbound.status, inbound.tracking_number) == (I.SHIPPED, "1Z999AA10123456784")
    assert inbound.shipped_at is not None


def test_receiving_moves_units_from_inbound_to_available(store, mats):
    inbound = plan(store, mats)
    inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number="1Z1")
    blue, red = inbound.items.order_by("listing__sku")
    inbound_receive(inbound=inbound, quantities={blue.pk: 6})
    inbound.refresh_from_db()
    assert inbound.status == I.RECEIVING and inbound.receiving_at is not None
    assert stock(mats[0]) == (11, 4)
    inbound_receive(inbound=inbound, quantities={blue.pk: 5, red.pk: 4})
    # 11 of 10 expected: the extra unit was never inbound, it only adds to available.
    assert stock(mats[0]) == (16, 0) and stock(mats[1]) == (4, 0)
    blue.refresh_from_db()
    assert blue.quantity_received == 11 and blue.discrepancy == 1
    moves = StockMovement.objects.filter(listing=mats[0], reason=StockMovement.Reason.RECEIVE)
    assert sorted((m.available_delta, m.inbound_delta) for m in moves) == [(5, -4), (6, -6)]


def test_closing_short_takes_the_missing_units_out_of_inbound(store, mats):
    inbound = plan(store, mats)
    inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number="1Z1")
    blue, red = inbound.items.order_by("listing__sku")
    inbound_receive(inbound=inbound, quantities={blue.pk: 7, red.pk: 4})
    inbound_set_status(inbound=inbound, status=I.CLOSED)
    inbound.refresh_from_db()
    assert inbound.status == I.CLOSED and inbound.closed_at is not None
    assert stock(mats[0]) == (12, 0) and stock(mats[1]) == (4, 0)


def test_cancelling_a_plan_releases_its_inbound(store, mats):
    inbound = plan(store, mats)
    inbound_set_status(inbound=inbound, status=I.CANCELLED)
    assert stock(mats[0]) == (5, 0) and stock(mats[1]) == (0, 0)


@pytest.mark.parametrize("status", [I.WORKING, I.CLOSED, I.CANCELLED])
def test_units_cannot_be_received_unless_shipped_or_receiving(store, mats, status):
    inbound = plan(store, mats)
    if status != I.WORKING:
        if status == I.CLOSED:
            inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number="1Z1")
        inbound_set_status(inbound=inbound, status=status)
    blue = inbound.items.get(listing=mats[0])
    before = stock(mats[0])
    with pytest.raises(ApplicationError, match="can only be received on a shipped or receiving shipment"):
        inbound_receive(inbound=inbound, quantities={blue.pk: 3})
    assert stock(mats[0]) == before
    blue.refresh_from_db()
    assert blue.quantity_received == 0


def test_receiving_refuses_foreign_items_and_nothing(store, mats):
    inbound = plan(store, mats)
    inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number="1Z1")
    with pytest.raises(ApplicationError):
        inbound_receive(inbound=inbound, quantities={999_999: 3})
    with pytest.raises(ApplicationError, match="at least one item"):
        inbound_receive(inbound=inbound, quantities={inbound.items.first().pk: 0})


@pytest.mark.parametrize(("old", "new"), [(I.WORKING, I.RECEIVING), (I.WORKING, I.CLOSED), (I.SHIPPED, I.CANCELLED),
                                          (I.SHIPPED, I.WORKING)])
def test_illegal_moves_are_refused(store, mats, old, new):
    inbound = plan(store, mats)
    InboundShipment.objects.filter(pk=inbound.pk).update(status=old)
    with pytest.raises(InvalidTransition):
        inbound_set_status(inbound=inbound, status=new, carrier="UPS", tracking_number="1Z1")


# Pages ----------------------------------------------------------------------------------------------------

def test_the_list_shows_expected_received_and_discrepancies(op_client, store, other_store, mats):
    inbound = plan(store, mats)
    inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number="1Z1")
    inbound_receive(inbound=inbound, quantities={inbound.items.get(listing=mats[0]).pk: 7})
    german = ListingFactory(store=other_store, fulfillment_channel="AFN")
    hidden = inbound_create(store=other_store, lines=[InboundLine(german, 3)])
    response = op_client.get("/fulfillment/")
    assert response.status_code == 200
    html = response.content.decode()
    start = html.rindex("<tr", 0, html.index(f'data-shipment="{inbound.shipment_id}"'))
    row = html[start:html.index("</tr>", start)]
    assert "row-overdue" in row and "Receiving" in row and ">14<" in row and ">7<" in row and "-7" in row
    assert hidden.shipment_id not in html
    assert "New shipment plan" in html


@pytest.mark.parametrize("count", [1, 12])
def test_the_list_reads_a_bounded_number_of_queries(op_client, store, count, django_assert_max_num_queries):
    for n in range(count):
        listing = ListingFactory(store=store, fulfillment_channel="AFN", sku=f"F-{n}")
        inbound_create(store=store, lines=[InboundLine(listing, 5)])
    with django_assert_max_num_queries(8):
        html = op_client.get("/fulfillment/", {"status": "open"}).content.decode()
    assert html.count('class="inbound-row') == count


def test_creating_a_plan_from_the_page(op_client, store, mats):
    ListingFactory(store=store, sku="MFN-ONLY", fulfillment_channel="MFN")
    page = op_client.get("/fulfillment/inbound/new/").content.decode()
    assert 'data-sku="MAT-BLU"' in page and 'data-sku="MFN-ONLY"' not in page
    response = op_client.post("/fulfillment/inbound/new/", {
        "store": "ACME-US", "name": "Restock", "destination_fc": "", f"qty-{mats[0].pk}": "12",
        f"qty-{mats[1].pk}": ""})
    inbound = InboundShipment.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/fulfillment/inbound/{inbound.pk}/"
    assert [(i.listing.sku, i.quantity_expected) for i in inbound.items.all()] == [("MAT-BLU", 12)]


def test_an_empty_or_bad_plan_is_refused_on_the_page(op_client, store, mats):
    response = op_client.post("/fulfillment/inbound/new/", {"store": "ACME-US", f"qty-{mats[0].pk}": ""})
    assert response.status_code == 400
    assert "at least one listing with a quantity" in response.content.decode()
    response = op_client.post("/fulfillment/inbound/new/", {"store": "ACME-US", f"qty-{mats[0].pk}": "two"})
    assert "whole numbers" in response.content.decode()
    mfn = ListingFactory(store=store, fulfillment_channel="MFN")
    response = op_client.post("/fulfillment/inbound/new/", {"store": "ACME-US", f"qty-{mfn.pk}": "3"})
    assert "not an FBA listing of this store" in response.content.decode()
    assert not InboundShipment.objects.exists()


def test_ship_receive_and_close_on_the_detail_page(op_client, store, mats):
    inbound = plan(store, mats)
    url = f"/fulfillment/inbound/{inbound.pk}/"
    shipped = op_client.post(url + "ship/", {"carrier": "UPS", "tracking_number": "1Z999"}, headers=HX)
    assert shipped.status_code == 200
    html = shipped.content.decode()
    assert html.lstrip().startswith('<div id="inbound-panel"') and "Marked as shipped." in html
    blue, red = inbound.items.order_by("listing__sku")
    received = op_client.post(url + "receive/", {f"received-{blue.pk}": "9", f"received-{red.pk}": "4"},
                              headers=HX).content.decode()
    assert "Received units recorded" in received and "Receiving" in received
    closed = op_client.post(url + "close/", headers=HX).content.decode()
    assert "Closed with a discrepancy of -1 units: MAT-BLU 1 short." in closed
    assert "MAT-BLU: 1 short" in closed
    assert stock(mats[0]) == (14, 0)


def test_receiving_on_a_closed_shipment_is_refused_in_place(op_client, store, mats):
    inbound = plan(store, mats)
    inbound_set_status(inbound=inbound, status=I.SHIPPED, carrier="UPS", tracking_number="1Z1")
    inbound_set_status(inbound=inbound, status=I.CLOSED)
    blue = inbound.items.get(listing=mats[0])
    response = op_client.post(f"/fulfillment/inbound/{inbound.pk}/receive/", {f"received-{blue.pk}": "3"},
                              headers=HX)
    assert response.status_code == 200
    assert "can only be received on a shipped or receiving shipment" in response.content.decode()
    blue.refresh_from_db()
    assert blue.quantity_received == 0 and stock(mats[0]) == (5, 0)


def test_shipping_without_tracking_is_refused_in_place(op_client, store, mats):
    inbound = plan(store, mats)
    response = op_client.post(f"/fulfillment/inbound/{inbound.pk}/ship/", {"carrier": "UPS"})
    assert response.status_code == 400
    assert "carrier and the tracking number" in response.content.decode()
    inbound.refresh_from_db()
    assert inbound.status == I.WORKING


def test_cancel_from_the_page(op_client, store, mats):
    inbound = plan(store, mats)
    response = op_client.post(f"/fulfillment/inbound/{inbound.pk}/cancel/")
    assert response.status_code == 302
    inbound.refresh_from_db()
    assert inbound.status == I.CANCELLED and stock(mats[0]) == (5, 0)


def test_another_stores_shipment_is_not_found(op_client, other_store):
    listing = ListingFactory(store=other_store, fulfillment_channel="AFN")
    inbound = inbound_create(store=other_store, lines=[InboundLine(listing, 3)])
    assert op_client.get(f"/fulfillment/inbound/{inbound.pk}/").status_code == 404
    assert op_client.post(f"/fulfillment/inbound/{inbound.pk}/cancel/").status_code == 404
    inbound.refresh_from_db()
    assert inbound.status == I.WORKING


def test_an_agent_reads_but_cannot_act(agent_client, store, mats):
    inbound = plan(store, mats)
    page = agent_client.get(f"/fulfillment/inbound/{inbound.pk}/").content.decode()
    assert "Mark shipped" not in page and "Cancel plan" not in page
    assert "New shipment plan" not in agent_client.get("/fulfillment/").content.decode()
    assert agent_client.post(f"/fulfillment/inbound/{inbound.pk}/ship/",
                             {"carrier": "UPS", "tracking_number": "1Z"}).status_code == 403
    assert agent_client.post(f"/fulfillment/inbound/{inbound.pk}/cancel/").status_code == 403
    assert agent_client.get("/fulfillment/inbound/new/").status_code == 403
    assert agent_client.post("/fulfillment/inbound/new/", {"store": "ACME-US"}).status_code == 403
    inbound.refresh_from_db()
    assert inbound.status == I.WORKING


def test_times_are_recorded(store, mats):
    before = timezone.now()
    inbound = plan(store, mats)
    assert inbound.created_at >= before
