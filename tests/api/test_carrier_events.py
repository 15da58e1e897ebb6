"""/api/shipments/{id}/events/ and /api/tracking-events/: carrier events in, scoped and idempotent."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.models import CarrierEvent
from tests.factories import CarrierEventFactory, ShipmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipment(store):
    return ShipmentFactory(order__store=store, shipped_at=timezone.now() - timedelta(days=3),
                           tracking_number="1Z999AA10123456784")


def events(shipment):
    t = shipment.shipped_at
    return [{"at": (t + timedelta(hours=5)).isoformat(), "status": "in_transit", "description": "Origin Scan",
             "location": "Louisville, KY, US"},
            {"at": (t + timedelta(hours=30)).isoformat(), "status": "delivered",
             "description": "Delivered: Front Door"}]


def test_record_then_list_a_shipments_events(api, shipment):
    url = f"/api/shipments/{shipment.pk}/events/"
    response = api.post(url, {"events": events(shipment)}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["created"], body["skipped"], body["last_event_status"], body["order_status"]) == (
        2, 0, "delivered", "Delivered")
    assert body["first_scan_at"] is not None and body["delivered_at"] is not None
    listed = api.get(url).json()
    assert [e["status"] for e in listed] == ["delivered", "in_transit"]  # latest first
    assert listed[1]["source"] == "api" and listed[1]["location"] == "Louisville, KY, US"
    detail = api.get(f"/api/shipments/{shipment.pk}/").json()
    assert detail["last_event_status"] == "delivered"


def test_sending_the_same_events_again_is_safe(api, shipment):
    url = f"/api/shipments/{shipment.pk}/events/"
    api.post(url, {"events": events(shipment)}, format="json")
    again = api.post(url, {"events": events(shipment)}, format="json").json()
    assert (again["created"], again["skipped"]) == (0, 2)
    assert CarrierEvent.objects.count() == 2


def test_a_bad_event_is_a_400_and_nothing_is_recorded(api, shipment):
    url = f"/api/shipments/{shipment.pk}/events/"
    future = {"at": (timezone.now() + timedelta(days=1)).isoformat(), "status": "delivered"}
    response = api.post(url, {"events": [*events(shipment)[:1], future]}, format="json")
    assert response.status_code == 400 and "future" in response.json()["detail"]
    malformed = api.post(url, {"events": [{"at": "yesterday", "status": "teleported"}]}, format="json")
    assert malformed.status_code == 400 and {"at", "status"} <= set(_first(malformed.json()["events"]))
    assert not CarrierEvent.objects.exists()


def test_another_stores_shipment(client_for, shipment, other_store):
    outsider = client_for("operator", in_store=other_store)
    url = f"/api/shipments/{shipment.pk}/events/"
    assert outsider.get(url).status_code == 404
    assert outsider.post(url, {"events": events(shipment)}, format="json").status_code == 404
    # Outside one's stores the bulk endpoint names no store it may write in.
    response = outsider.post("/api/tracking-events/", {"store": shipment.store.code, "events": [
        {"tracking_number": shipment.tracking_number, **events(shipment)[0]}]}, format="json")
    assert response.status_code == 400 and "store" in response.json()
    assert not CarrierEvent.objects.exists()


@pytest.mark.parametrize("role", ["agent", "manager"])
def test_members_without_the_role_read_but_may_not_record(client_for, shipment, role):
    member = client_for(role)
    url = f"/api/shipments/{shipment.pk}/events/"
    CarrierEventFactory(shipment=shipment)
    assert member.get(url).status_code == 200
    assert member.post(url, {"events": events(shipment)}, format="json").status_code == 403
    bulk = member.post("/api/tracking-events/", {"store": shipment.store.code, "events": [
        {"tracking_number": shipment.tracking_number, **events(shipment)[0]}]}, format="json")
    assert bulk.status_code == 403
    assert CarrierEvent.objects.count() == 1


def test_bulk_by_tracking_number_answers_each_event(api, shipment):
    payload = {"store": shipment.store.code, "events": [
        {"tracking_number": "1z999aa1 0123456784", **events(shipment)[0]},
        {"tracking_number": "NOPE123", **events(shipment)[1]},
    ]}
    body = api.post("/api/tracking-events/", payload, format="json").json()
    assert (body["created"], body["skipped"], body["refused"]) == (1, 0, 1)
    assert [(r["index"], r["outcome"], r["shipment"]) for r in body["results"]] == [
        (0, "created", shipment.pk), (1, "unknown_tracking_number", None)]
    again = api.post("/api/tracking-events/", payload, format="json").json()
    assert [r["outcome"] for r in again["results"]] == ["skipped", "unknown_tracking_number"]


def test_listing_events_takes_the_same_queries_however_many(api, shipment, django_assert_max_num_queries):
    CarrierEventFactory.create_batch(3, shipment=shipment, status="in_transit",
                                     at=factory_times(shipment, 3))
    with django_assert_max_num_queries(8) as few:
        api.get(f"/api/shipments/{shipment.pk}/events/")
    CarrierEventFactory.create_batch(30, shipment=shipment, status="in_transit",
                                     at=factory_times(shipment, 30, start=10))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(api.get(f"/api/shipments/{shipment.pk}/events/").json()) == 33


def factory_times(shipment, n, start=0):
    import factory

    return factory.Iterator([shipment.shipped_at + timedelta(minutes=start * 60 + i) for i in range(n)])


def _first(errors):
    """DRF names a list's bad items by position: a list, or a mapping of positions."""
    return errors[0] if isinstance(errors, list) else errors["0"]
