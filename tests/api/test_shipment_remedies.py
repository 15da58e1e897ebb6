"""/api/shipments/{id}/trace/ and /api/shipments/{id}/replacement/: a parcel stuck or lost, through the API."""

from __future__ import annotations

import pytest

from fulfillment.models import CarrierTrace, Shipment, TraceStatus
from fulfillment.tests.test_remedies import UPS_2, UPS_MALFORMED, lost_parcel
from orders.models import OrderEvent

pytestmark = pytest.mark.django_db


def test_filing_a_trace(api, store):
    lost = lost_parcel(store)
    response = api.post(f"/api/shipments/{lost.pk}/trace/", {"reference": "MM-1", "note": "No scan"},
                        format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["shipment"], data["order"], data["status"], data["reference"], data["store"]) == (
        lost.pk, lost.order.amazon_order_id, "open", "MM-1", store.code)
    assert lost.order.events.filter(kind=OrderEvent.Kind.TRACE, source="api").exists()


def test_a_second_trace_is_refused_with_the_reason(api, store):
    lost = lost_parcel(store)
    assert api.post(f"/api/shipments/{lost.pk}/trace/", {}, format="json").status_code == 201
    response = api.post(f"/api/shipments/{lost.pk}/trace/", {}, format="json")
    assert response.status_code == 400
    assert "already open" in str(response.json())
    assert CarrierTrace.objects.filter(status=TraceStatus.OPEN).count() == 1


def test_the_carriers_answer_moves_the_latest_trace_on(api, store):
    lost = lost_parcel(store)
    url = f"/api/shipments/{lost.pk}/trace/status/"
    assert api.post(url, {"status": "lost"}, format="json").status_code == 400  # no trace filed yet
    assert api.post(f"/api/shipments/{lost.pk}/trace/", {}, format="json").status_code == 201

    response = api.post(url, {"status": "lost", "reference": "CL-9", "note": "Declared lost"}, format="json")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["reference"], data["shipment"]) == ("lost", "CL-9", lost.pk)
    assert lost.order.events.filter(kind=OrderEvent.Kind.TRACE, source="api", note__contains="CL-9").exists()
    assert api.post(url, {"status": "closed"}, format="json").status_code == 200
    refused = api.post(url, {"status": "found"}, format="json")
    assert refused.status_code == 409
    assert CarrierTrace.objects.get(shipment=lost).status == TraceStatus.CLOSED


def test_sending_a_replacement_of_some_units(api, store):
    lost = lost_parcel(store)
    response = api.post(f"/api/shipments/{lost.pk}/replacement/",
                        {"carrier": "UPS", "tracking_number": UPS_2, "items": [{"sku": "LOST-0", "quantity": 1}]},
                        format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["replacement_of"], data["tracking_number"], data["order_status"]) == (lost.pk, UPS_2, "Shipped")
    assert data["items"] == [{"sku": "LOST-0", "order_item_id": data["items"][0]["order_item_id"], "quantity": 1}]
    assert response["Location"].endswith(f"/api/shipments/{data['id']}/")


def test_every_unit_by_default_and_a_malformed_number_only_when_accepted(api, store):
    lost = lost_parcel(store)
    url = f"/api/shipments/{lost.pk}/replacement/"
    refused = api.post(url, {"carrier": "UPS", "tracking_number": UPS_MALFORMED}, format="json")
    assert refused.status_code == 400
    response = api.post(url, {"carrier": "UPS", "tracking_number": UPS_MALFORMED,
                              "accept_malformed_tracking": True}, format="json")
    assert response.status_code == 201
    assert sorted(i["quantity"] for i in response.json()["items"]) == [1, 2]


@pytest.mark.parametrize(("body", "message"), [
    ({"carrier": "UPS", "tracking_number": UPS_2, "items": [{"sku": "NOPE", "quantity": 1}]}, "NOPE"),
    ({"carrier": "Other", "tracking_number": UPS_2}, "carrier_name"),
    ({"carrier": "UPS"}, "tracking_number"),
])
def test_replacement_refusals(api, store, body, message):
    lost = lost_parcel(store)
    response = api.post(f"/api/shipments/{lost.pk}/replacement/", body, format="json")
    assert response.status_code == 400 and message in str(response.json())
    assert not Shipment.objects.filter(replacement_of=lost).exists()


def test_short_stock_is_a_400_and_writes_nothing(api, store):
    lost = lost_parcel(store, stock=2)
    response = api.post(f"/api/shipments/{lost.pk}/replacement/", {"carrier": "UPS", "tracking_number": UPS_2},
                        format="json")
    assert response.status_code == 400 and "Not enough stock" in str(response.json())
    assert not Shipment.objects.filter(replacement_of=lost).exists()


def test_another_stores_shipment_is_not_found(api, other_store):
    theirs = lost_parcel(other_store)
    assert api.post(f"/api/shipments/{theirs.pk}/trace/", {}, format="json").status_code == 404
    assert api.post(f"/api/shipments/{theirs.pk}/replacement/", {"carrier": "UPS", "tracking_number": UPS_2},
                    format="json").status_code == 404
    assert not CarrierTrace.objects.exists()


@pytest.mark.parametrize(("role", "allowed"), [("agent", False), ("manager", True), ("operator", True)])
def test_roles(client_for, store, role, allowed):
    lost = lost_parcel(store)
    response = client_for(role).post(f"/api/shipments/{lost.pk}/trace/", {}, format="json")
    assert response.status_code == (201 if allowed else 403)


def test_the_schema_documents_both(anon):
    paths = anon.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    assert {"201", "400", "403", "404"} <= set(paths["/api/shipments/{id}/trace/"]["post"]["responses"])
    assert "/api/shipments/{id}/replacement/" in paths
