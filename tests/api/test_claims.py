"""/api/claims/: scoping, filing through claim_file, decisions in time order, refusals, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from support.models import Claim
from tests.api.test_orders import iso
from tests.factories import ClaimFactory, OrderFactory

pytestmark = pytest.mark.django_db


def placed_order(store):
    return OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=20))


def body(of, **overrides) -> dict:
    return {"store": of.store.code, "order": of.amazon_order_id, "kind": "a_to_z", **overrides}


@pytest.mark.parametrize("method,path", [("get", "/api/claims/"), ("post", "/api/claims/"),
                                         ("get", "/api/claims/1/")])
def test_anonymous_gets_401(anon, method, path):
    assert getattr(anon, method)(path, {}).status_code == 401


def test_list_and_retrieve_are_scoped(api, store, other_store):
    mine = ClaimFactory(order__store=store)
    foreign = ClaimFactory(order__store=other_store)
    assert [row["id"] for row in api.get("/api/claims/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/claims/{mine.pk}/").json()["status"] == "open"
    assert api.get(f"/api/claims/{foreign.pk}/").status_code == 404


def test_create_open(api, store):
    order = placed_order(store)
    filed = order.purchase_date + timedelta(days=3)
    response = api.post("/api/claims/", body(order, filed_at=iso(filed), amount="12.50"))
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["filed_at"], response.json()["amount"]) == (
        "open", iso(filed), "12.50")


def test_create_with_its_decisions_in_time_order(api, store):
    order = placed_order(store)
    filed = order.purchase_date + timedelta(days=3)
    granted, reversed_ = filed + timedelta(days=2), filed + timedelta(days=9)
    response = api.post("/api/claims/", body(order, kind="chargeback", status="reversed", filed_at=iso(filed),
                                             reversed_at=iso(reversed_), granted_at=iso(granted)))
    assert response.status_code == 201, response.json()
    claim = Claim.objects.get()
    assert (claim.status, claim.granted_at, claim.reversed_at) == ("reversed", granted, reversed_)


def test_a_decision_the_claim_cannot_take_is_a_409_and_writes_nothing(api, store):
    order = placed_order(store)
    response = api.post("/api/claims/", body(order, status="reversed"))
    assert response.status_code == 409
    assert "Reversed" in response.json()["detail"]
    assert not Claim.objects.exists()


def test_decision_times_that_end_elsewhere_are_refused(api, store):
    order = placed_order(store)
    filed = order.purchase_date + timedelta(days=1)
    response = api.post("/api/claims/", body(order, status="granted", filed_at=iso(filed),
                                             granted_at=iso(filed + timedelta(days=1)),
                                             withdrawn_at=iso(filed + timedelta(days=2))))
    assert response.status_code == 400
    assert set(response.json()) == {"status"}
    assert not Claim.objects.exists()


@pytest.mark.parametrize("change,fields", [
    ({"kind": "complaint"}, {"kind"}),
    ({"status": "lost"}, {"status"}),
    ({"filed_at": "2026-11-01"}, {"filed_at"}),
    ({"granted_at": "2026-11-01T00:00:00Z"}, {"granted_at"}),
    ({"amount": "-3"}, {"amount"}),
])
def test_create_names_each_bad_field(api, store, change, fields):
    response = api.post("/api/claims/", body(placed_order(store), **change))
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Claim.objects.exists()


def test_a_second_open_claim_of_a_kind_is_refused(api, store):
    order = placed_order(store)
    assert api.post("/api/claims/", body(order)).status_code == 201
    again = api.post("/api/claims/", body(order))
    assert again.status_code == 400
    assert "already has an open" in again.json()["detail"]
    assert Claim.objects.count() == 1


@pytest.mark.parametrize("role,status", [("manager", 403), ("agent", 201), ("operator", 201)])
def test_create_by_role(client_for, store, role, status):
    assert client_for(role).post("/api/claims/", body(placed_order(store))).status_code == status


def test_filters(api, store):
    open_claim = ClaimFactory(order__store=store)
    chargeback = ClaimFactory(order__store=store, kind="chargeback", status="granted")

    def ids(**params):
        return sorted(row["id"] for row in api.get("/api/claims/", params).json()["results"])

    assert ids(kind="chargeback") == [chargeback.pk]
    assert ids(status="open") == [open_claim.pk]
    assert ids(status=["open", "granted"]) == sorted([open_claim.pk, chargeback.pk])
    assert ids(filed_at_after=iso(timezone.now() + timedelta(days=30))) == []


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        ClaimFactory(order__store=store)
    with django_assert_max_num_queries(2):
        response = api.get("/api/claims/")
    assert len(response.json()["results"]) == rows
