"""/api/feedback/: scoping, recording through feedback_record, revisions, removal, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest

from support.models import Feedback
from tests.api.test_orders import iso
from tests.factories import FeedbackFactory, OrderFactory

pytestmark = pytest.mark.django_db


def body(of, **overrides) -> dict:
    return {"store": of.store.code, "order": of.amazon_order_id, "rating": 2, "comment": "Slow",
            **overrides}


@pytest.mark.parametrize("method,path", [("get", "/api/feedback/"), ("post", "/api/feedback/"),
                                         ("get", "/api/feedback/1/")])
def test_anonymous_gets_401(anon, method, path):
    assert getattr(anon, method)(path, {}).status_code == 401


def test_list_and_retrieve_are_scoped(api, store, other_store):
    mine = FeedbackFactory(order__store=store)
    foreign = FeedbackFactory(order__store=other_store)
    assert [row["id"] for row in api.get("/api/feedback/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/feedback/{mine.pk}/").json()["rating"] == 5
    assert api.get(f"/api/feedback/{foreign.pk}/").status_code == 404


def test_create_and_revise(api, store):
    order = OrderFactory(store=store)
    received = order.purchase_date + timedelta(hours=3)
    response = api.post("/api/feedback/", body(order, received_at=iso(received)))
    assert response.status_code == 201, response.json()
    assert (response.json()["rating"], response.json()["received_at"]) == (2, iso(received))
    revised = api.post("/api/feedback/", body(order, rating=4, comment="Fine after all"))
    assert revised.status_code == 201
    feedback = Feedback.objects.get()
    assert (feedback.rating, feedback.comment) == (4, "Fine after all")


def test_removed_at_records_the_removal(api, store):
    order = OrderFactory(store=store)
    received = order.purchase_date + timedelta(hours=1)
    removed = received + timedelta(hours=2)
    response = api.post("/api/feedback/", body(order, received_at=iso(received), removed_at=iso(removed)))
    assert response.status_code == 201
    assert response.json()["removed_at"] == iso(removed)
    assert api.post("/api/feedback/", body(order, received_at=iso(received),
                                           removed_at=iso(removed))).status_code == 201
    assert Feedback.objects.get().removed_at == removed


@pytest.mark.parametrize("change,fields", [
    ({"rating": 6}, {"rating"}),
    ({"rating": 0}, {"rating"}),
    ({"rating": "five"}, {"rating"}),
    ({"received_at": "2026-02-30T10:00:00Z"}, {"received_at"}),
    ({"order": "999-9999999-9999999"}, {"order"}),
    ({"store": "OTHER-DE"}, {"store"}),
])
def test_create_names_each_bad_field(api, store, other_store, change, fields):
    order = OrderFactory(store=store)
    response = api.post("/api/feedback/", body(order, **change))
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Feedback.objects.exists()


def test_a_removal_before_receipt_writes_nothing(api, store):
    order = OrderFactory(store=store)
    received = order.purchase_date + timedelta(hours=3)
    response = api.post("/api/feedback/", body(order, received_at=iso(received),
                                               removed_at=iso(received - timedelta(hours=1))))
    assert response.status_code == 400
    assert not Feedback.objects.exists()


@pytest.mark.parametrize("role,status", [("manager", 403), ("agent", 201), ("operator", 201)])
def test_create_by_role(client_for, store, role, status):
    order = OrderFactory(store=store)
    assert client_for(role).post("/api/feedback/", body(order)).status_code == status


def test_filters(api, store):
    bad = FeedbackFactory(order__store=store, rating=1)
    good = FeedbackFactory(order__store=store, rating=5)
    gone = FeedbackFactory(order__store=store, rating=2, removed_at=bad.received_at + timedelta(hours=1))

    def ids(**params):
        return sorted(row["id"] for row in api.get("/api/feedback/", params).json()["results"])

    assert ids(rating=[1, 2]) == sorted([bad.pk, gone.pk])
    assert ids(removed="true") == [gone.pk]
    assert ids(removed="false") == sorted([bad.pk, good.pk])
    assert ids(order=good.order.amazon_order_id) == [good.pk]
    assert api.get("/api/feedback/", {"rating": 9}).status_code == 400


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        FeedbackFactory(order__store=store)
    with django_assert_max_num_queries(2):
        response = api.get("/api/feedback/")
    assert len(response.json()["results"]) == rows
