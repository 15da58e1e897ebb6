"""The order page's shipments card: each parcel's carrier events, latest first, and the form that records one."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fulfillment.models import CarrierEvent
from orders.models import OrderEvent, OrderStatus
from tests.factories import CarrierEventFactory, MembershipFactory, OrderFactory, ShipmentFactory, UserFactory

pytestmark = pytest.mark.django_db

OID = "113-4829104-7710263"
URL = f"/orders/{OID}/"
HTMX = {"HX-Request": "true"}


@pytest.fixture
def shipment(store):
    order = OrderFactory(store=store, amazon_order_id=OID, status=OrderStatus.SHIPPED,
                         purchase_date=timezone.now() - timedelta(days=6))
    return ShipmentFactory(order=order, tracking_number="9400111899223100001234", carrier="USPS",
                           shipped_at=timezone.now() - timedelta(days=5))


def signed_in(client, store, role="operator"):
    user = UserFactory(username=f"{role}-page")
    MembershipFactory(user=user, store=store, role=role)
    client.force_login(user)
    return client


def add_events(shipment, n, start=0):
    for i in range(start, start + n):
        CarrierEventFactory(shipment=shipment, at=shipment.shipped_at + timedelta(hours=i + 1),
                            description=f"Scan number {i}")


def test_the_card_lists_the_events_latest_first_and_folds_the_earlier_ones(client, store, shipment):
    add_events(shipment, 5)
    CarrierEventFactory(shipment=shipment, at=shipment.shipped_at + timedelta(days=2), status="delivered",
                        description="Delivered, In/At Mailbox", location="AUSTIN, TX 78701")
    html = signed_in(client, store).get(URL).content.decode()
    assert html.index("Delivered, In/At Mailbox") < html.index("Scan number 4") < html.index("Scan number 3")
    assert '<span class="badge badge-ok">Delivered</span>' in html
    assert html.index("Scan number 3") < html.index("3 earlier events") < html.index("Scan number 2")
    assert "Record a carrier event" in html


def test_the_order_page_takes_the_same_queries_however_many_events(client, store, shipment):
    page = signed_in(client, store)
    add_events(shipment, 1)
    page.get(URL)  # warm the caches of the first request
    with CaptureQueriesContext(connection) as few:
        assert page.get(URL).status_code == 200
    add_events(shipment, 40, start=1)
    ShipmentFactory(order=shipment.order, store=store)
    with CaptureQueriesContext(connection) as many:
        assert page.get(URL).status_code == 200
    assert len(many) == len(few), [q["sql"][:120] for q in many.captured_queries]


def test_an_event_recorded_by_hand_with_htmx(client, store, shipment):
    page = signed_in(client, store)
    at = timezone.localtime(shipment.shipped_at + timedelta(days=1))
    data = {"shipment": shipment.pk, "status": "address_problem", "at": at.strftime("%Y-%m-%dT%H:%M"),
            "description": "Insufficient Address", "location": "AUSTIN, TX"}
    response = page.post(f"/orders/{OID}/track/", data, headers=HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="order-panel"')
    assert "Address problem recorded for 9400111899223100001234." in html
    event = CarrierEvent.objects.get()
    assert (event.status, event.source, event.description) == ("address_problem", "ui", "Insufficient Address")
    shipment.refresh_from_db()
    assert shipment.last_event_status == "address_problem"
    entry = shipment.order.events.get(kind=OrderEvent.Kind.CARRIER)
    assert entry.actor is not None and entry.source == "ui"
    again = page.post(f"/orders/{OID}/track/", data, headers=HTMX).content.decode()
    assert "recorded already" in again and CarrierEvent.objects.count() == 1


def test_a_refused_event_shows_why_and_keeps_the_input(client, store, shipment):
    page = signed_in(client, store)
    at = timezone.localtime(timezone.now() + timedelta(days=2))
    response = page.post(f"/orders/{OID}/track/", {"shipment": shipment.pk, "status": "delivered",
                                                    "at": at.strftime("%Y-%m-%dT%H:%M"),
                                                    "description": "Delivered early?"}, headers=HTMX)
    html = response.content.decode()
    assert "cannot be in the future" in html and 'value="Delivered early?"' in html
    assert not CarrierEvent.objects.exists()


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_roles_without_order_track_see_the_events_but_no_form(client, store, shipment, role):
    add_events(shipment, 1)
    page = signed_in(client, store, role)
    html = page.get(URL).content.decode()
    assert "Scan number 0" in html and "Record a carrier event" not in html
    at = timezone.localtime(shipment.shipped_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = page.post(f"/orders/{OID}/track/", {"shipment": shipment.pk, "status": "delivered", "at": at})
    assert response.status_code == 403 and CarrierEvent.objects.count() == 1


def test_another_stores_order_is_not_found(client, store, shipment, other_store):
    page = signed_in(client, other_store)
    at = timezone.localtime(shipment.shipped_at + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = page.post(f"/orders/{OID}/track/", {"shipment": shipment.pk, "status": "delivered", "at": at})
    assert response.status_code == 404 and not CarrierEvent.objects.exists()
