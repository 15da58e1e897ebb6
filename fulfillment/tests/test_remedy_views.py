"""The order page's remedies for a parcel stuck or lost: the cards, their htmx forms, who may use them, and a parcel
of another order or store."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Role
from fulfillment.models import CarrierTrace, Shipment, TraceStatus
from fulfillment.remedies import carrier_trace_file
from fulfillment.services import shipment_record_tracking
from orders.models import OrderEvent
from tests.factories import MembershipFactory, StoreFactory, UserFactory

from .test_remedies import UPS_2, UPS_MALFORMED, lost_parcel

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


def client_of(store, role: str = Role.OPERATOR) -> Client:
    user = UserFactory(username=f"{role}-remedies")
    MembershipFactory(user=user, store=store, role=role)
    client = Client()
    client.force_login(user)
    return client


def page(client: Client, shipment: Shipment) -> str:
    response = client.get(f"/orders/{shipment.order.amazon_order_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_cards_offer_both_remedies_with_the_carriers_page_and_the_facts(store):
    lost = lost_parcel(store)
    html = page(client_of(store), lost)
    assert 'id="delivery-trace"' in html and 'id="delivery-replacement"' in html
    assert "https://www.ups.com/us/en/support/file-a-claim.page" in html
    assert "2 × Widget 0" in html and "90.00 USD" in html and "1 Main St" in html
    # The deliver-by date has passed: the forms are open.
    assert f'id="delivery-trace-{lost.pk}" open' in html
    # The replacement's number is checked as it is typed, into the hint under its own form.
    assert f'hx-target="#replacement-hint-{lost.pk}"' in html and f'id="replacement-hint-{lost.pk}"' in html


def test_no_card_for_a_delivered_parcel_nor_an_unshipped_order(store):
    lost = lost_parcel(store)
    shipment_record_tracking(shipment=lost, delivered_at=timezone.now() - timedelta(hours=1))
    html = page(client_of(store), lost)
    assert 'id="delivery-trace"' not in html and 'id="delivery-replacement"' not in html


def test_filing_a_trace_through_htmx_returns_the_panel(store):
    lost = lost_parcel(store)
    client = client_of(store)
    url = f"/orders/{lost.order.amazon_order_id}/trace/"
    response = client.post(url, {"shipment": lost.pk, "reference": "CASE-77", "note": "No scan for 8 days"},
                           headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="order-panel"' in html and "<html" not in html
    assert "CASE-77" in html and 'data-trace-status>Open<' in html
    trace = CarrierTrace.objects.get()
    assert (trace.reference, trace.shipment, trace.status) == ("CASE-77", lost, TraceStatus.OPEN)
    assert lost.order.events.filter(kind=OrderEvent.Kind.TRACE).exists()


def test_a_plain_post_redirects_to_the_order(store):
    lost = lost_parcel(store)
    response = client_of(store).post(f"/orders/{lost.order.amazon_order_id}/trace/", {"shipment": lost.pk})
    assert response.status_code == 302
    assert CarrierTrace.objects.filter(shipment=lost).exists()


def test_the_carriers_answer_through_htmx(store):
    lost = lost_parcel(store)
    trace = carrier_trace_file(shipment=lost, reference="R1")
    response = client_of(store).post(f"/orders/{lost.order.amazon_order_id}/trace/status/",
                                     {"trace": trace.pk, "status": "lost", "note": "Declared lost"}, headers=HTMX)
    assert response.status_code == 200
    trace.refresh_from_db()
    assert trace.status == TraceStatus.LOST
    assert "Declared lost" in response.content.decode()


def test_a_refused_trace_shows_the_reason_in_place(store):
    lost = lost_parcel(store)
    carrier_trace_file(shipment=lost, reference="R1")
    response = client_of(store).post(f"/orders/{lost.order.amazon_order_id}/trace/", {"shipment": lost.pk},
                                     headers=HTMX)
    assert response.status_code == 200
    assert "already open" in response.content.decode()
    assert CarrierTrace.objects.count() == 1


def test_sending_a_replacement_through_htmx(store):
    lost = lost_parcel(store)
    response = client_of(store).post(f"/orders/{lost.order.amazon_order_id}/replacement/",
                                     {"shipment": lost.pk, "carrier": "UPS", "tracking_number": UPS_2},
                                     headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Replacement sent with UPS " + UPS_2 in html
    assert "data-replaces" in html and "data-replaced-by" in html
    assert Shipment.objects.get(replacement_of=lost).tracking_number == UPS_2


def test_a_malformed_number_asks_for_confirmation_first(store):
    lost = lost_parcel(store)
    client = client_of(store)
    url = f"/orders/{lost.order.amazon_order_id}/replacement/"
    data = {"shipment": lost.pk, "carrier": "UPS", "tracking_number": UPS_MALFORMED}
    response = client.post(url, data, headers=HTMX)
    assert "Send with this number" in response.content.decode()
    assert not Shipment.objects.filter(replacement_of=lost).exists()
    client.post(url, {**data, "confirm": f"UPS:{UPS_MALFORMED}"}, headers=HTMX)
    assert Shipment.objects.get(replacement_of=lost).tracking_format_valid is False


def test_short_stock_is_refused_in_place_and_nothing_is_written(store):
    lost = lost_parcel(store, stock=2)
    response = client_of(store).post(f"/orders/{lost.order.amazon_order_id}/replacement/",
                                     {"shipment": lost.pk, "carrier": "UPS", "tracking_number": UPS_2},
                                     headers=HTMX)
    assert response.status_code == 200
    assert "Not enough stock" in response.content.decode()
    assert not Shipment.objects.filter(replacement_of=lost).exists()


def test_some_units_only(store):
    lost = lost_parcel(store)
    items = list(lost.items.order_by("id"))
    data = {"shipment": lost.pk, "carrier": "UPS", "tracking_number": UPS_2,
            f"qty_{items[0].order_item_id}": "1", f"qty_{items[1].order_item_id}": "0"}
    client_of(store).post(f"/orders/{lost.order.amazon_order_id}/replacement/", data, headers=HTMX)
    assert list(Shipment.objects.get(replacement_of=lost).items.values_list("quantity", flat=True)) == [1]


@pytest.mark.parametrize("role", Role.values)
def test_who_may_use_the_remedies(store, role):
    lost = lost_parcel(store)
    client = client_of(store, role)
    html = page(client, lost)
    allowed = role in {Role.OPERATOR, Role.MANAGER, Role.ADMIN}
    assert ('id="delivery-trace"' in html) is allowed
    response = client.post(f"/orders/{lost.order.amazon_order_id}/trace/", {"shipment": lost.pk}, headers=HTMX)
    assert response.status_code == (200 if allowed else 403)
    assert CarrierTrace.objects.exists() is allowed


def test_a_parcel_of_another_order_or_store_is_not_found(store):
    ours = lost_parcel(store)
    other_store = StoreFactory(code="OTHER-UK", marketplace="UK")
    theirs = lost_parcel(other_store, sku="THEIRS")
    client = client_of(store)
    # Another store's parcel named on our order; our order's parcel named on another order.
    for order_id, shipment in ((ours.order.amazon_order_id, theirs),
                               (theirs.order.amazon_order_id, ours)):
        for action, field in (("trace", "shipment"), ("replacement", "shipment")):
            response = client.post(f"/orders/{order_id}/{action}/",
                                   {field: shipment.pk, "carrier": "UPS", "tracking_number": UPS_2}, headers=HTMX)
            assert response.status_code == 404
    trace = carrier_trace_file(shipment=theirs)
    response = client.post(f"/orders/{ours.order.amazon_order_id}/trace/status/",
                           {"trace": trace.pk, "status": "closed"}, headers=HTMX)
    assert response.status_code == 404
    assert not Shipment.objects.filter(replacement_of__isnull=False).exists()
    trace.refresh_from_db()
    assert trace.status == TraceStatus.OPEN


def test_a_malformed_parcel_id_is_not_found(store):
    lost = lost_parcel(store)
    response = client_of(store).post(f"/orders/{lost.order.amazon_order_id}/trace/", {"shipment": "١٢"},
                                     headers=HTMX)
    assert response.status_code == 404
