"""/api/stores/: the user's stores by code; admins and superusers add stores; the metrics endpoint."""

from __future__ import annotations

import pytest
from django.utils import timezone

from core.models import Membership, Store
from tests.api.conftest import token_client
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method,path", [("get", "/api/stores/"), ("post", "/api/stores/"),
                                         ("get", "/api/stores/ACME-US/"), ("get", "/api/stores/ACME-US/metrics/")])
def test_anonymous_gets_401(anon, store, method, path):
    assert getattr(anon, method)(path, {}).status_code == 401


def test_list_and_retrieve_are_scoped(api, store, other_store):
    response = api.get("/api/stores/")
    assert [row["code"] for row in response.json()["results"]] == ["ACME-US"]
    data = api.get("/api/stores/ACME-US/").json()
    assert (data["marketplace"], data["timezone"], data["currency"]) == ("US", "America/Los_Angeles", "USD")
    assert data["url"].endswith("/api/stores/ACME-US/")
    assert api.get("/api/stores/OTHER-DE/").status_code == 404
    assert api.get("/api/stores/NOPE/").status_code == 404


def test_superuser_lists_every_store(store, other_store):
    root = token_client(UserFactory(username="root", is_superuser=True))
    assert [row["code"] for row in root.get("/api/stores/").json()["results"]] == ["ACME-US", "OTHER-DE"]


def test_an_admin_adds_a_store_and_administers_it(client_for, store):
    admin = client_for("admin")
    response = admin.post("/api/stores/", {"code": "ACME-JP", "name": "Acme Japan", "marketplace": "JP"})
    assert response.status_code == 201, response.json()
    assert response.json()["timezone"] == "Asia/Tokyo"
    assert response["Location"].endswith("/api/stores/ACME-JP/")
    assert Membership.objects.get(store__code="ACME-JP").user == admin.user
    assert admin.get("/api/stores/ACME-JP/").status_code == 200


def test_a_superuser_adds_a_store_without_joining_it(db):
    root = token_client(UserFactory(username="root", is_superuser=True))
    response = root.post("/api/stores/", {"code": "NEW-UK", "name": "New", "marketplace": "UK",
                                          "timezone": "Europe/Dublin"})
    assert response.status_code == 201
    assert Store.objects.get(code="NEW-UK").timezone == "Europe/Dublin"
    assert not Membership.objects.exists()


@pytest.mark.parametrize("role", ["operator", "manager", "agent"])
def test_only_admins_add_stores(client_for, store, role):
    response = client_for(role).post("/api/stores/", {"code": "X-US", "name": "X", "marketplace": "US"})
    assert response.status_code == 403
    assert not Store.objects.filter(code="X-US").exists()


@pytest.mark.parametrize("change,fields", [
    ({"marketplace": "XX"}, {"marketplace"}),
    ({"timezone": "Mars/Olympus"}, {"timezone"}),
    ({"code": "ACME-US"}, {"code"}),
    ({"code": "has space", "name": ""}, {"code", "name"}),
])
def test_create_names_each_bad_field(client_for, store, change, fields):
    body = {"code": "ACME-FR", "name": "Acme France", "marketplace": "FR"} | change
    response = client_for("admin").post("/api/stores/", body)
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert Store.objects.count() == 1


def test_filters(api, store):
    MembershipFactory(user=api.user, store=StoreFactory(code="ACME-DE", marketplace="DE"))
    codes = [row["code"] for row in api.get("/api/stores/", {"marketplace": "DE"}).json()["results"]]
    assert codes == ["ACME-DE"]


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(rows, django_assert_max_num_queries):
    for n in range(rows):
        StoreFactory(code=f"S-{n:03d}")
    root = token_client(UserFactory(username="root", is_superuser=True))
    with django_assert_max_num_queries(2):
        response = root.get("/api/stores/")
    assert len(response.json()["results"]) == rows


def test_the_metrics_endpoint_answers_under_the_store(api, store, other_store):
    response = api.get(f"/api/stores/{store.code}/metrics/", {"as_of": timezone.now().isoformat()})
    assert response.status_code == 200
    assert {"metric", "channel", "window_days", "rate", "target", "status"} <= set(response.json()[0])
    assert api.get(f"/api/stores/{other_store.code}/metrics/").status_code == 404
