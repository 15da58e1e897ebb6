"""/api/messages/: scoping, inbound through message_receive, replies through message_reply, filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from support.models import Message, MessageThread
from tests.api.test_orders import iso
from tests.factories import MessageFactory, OrderFactory, ThreadFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("method,path", [("get", "/api/messages/"), ("post", "/api/messages/"),
                                         ("get", "/api/messages/1/")])
def test_anonymous_gets_401(anon, method, path):
    assert getattr(anon, method)(path, {}).status_code == 401


def test_list_and_retrieve_are_scoped(api, store, other_store):
    mine = MessageFactory(thread__store=store)
    foreign = MessageFactory(thread__store=other_store)
    assert [row["id"] for row in api.get("/api/messages/").json()["results"]] == [mine.pk]
    assert api.get(f"/api/messages/{mine.pk}/").json()["order"] is None
    assert api.get(f"/api/messages/{foreign.pk}/").status_code == 404


def test_inbound_then_reply(api, store):
    order = OrderFactory(store=store)
    asked = timezone.now() - timedelta(hours=5)
    inbound = api.post("/api/messages/", {"store": store.code, "order": order.amazon_order_id,
                                          "direction": "inbound", "body": "Where is it?", "sent_at": iso(asked),
                                          "message_id": "<a1@relay>"})
    assert inbound.status_code == 201, inbound.json()
    data = inbound.json()
    assert (data["order"], data["needs_reply"], data["sent_at"], data["replied_at"]) == (
        order.amazon_order_id, True, iso(asked), None)
    thread = MessageThread.objects.get()
    assert thread.order == order and data["thread"] == thread.pk
    answered = asked + timedelta(hours=1)
    reply = api.post("/api/messages/", {"store": store.code, "order": order.amazon_order_id,
                                        "direction": "outbound", "body": "On its way.", "sent_at": iso(answered)})
    assert reply.status_code == 201, reply.json()
    assert reply.json()["thread"] == thread.pk and reply.json()["needs_reply"] is False
    assert Message.objects.get(message_id="<a1@relay>").replied_at == answered


def test_an_inbound_message_is_stored_once_per_message_id(api, store):
    body = {"store": store.code, "direction": "inbound", "body": "Hello", "message_id": "<same@relay>",
            "buyer_email": "buyer@marketplace.amazon.com", "needs_reply": False}
    first, second = api.post("/api/messages/", body), api.post("/api/messages/", body)
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert Message.objects.count() == 1 and Message.objects.get().needs_reply is False


@pytest.mark.parametrize("change,fields", [
    ({"direction": "sideways"}, {"direction"}),
    ({"body": ""}, {"body"}),
    ({"direction": "outbound"}, {"order"}),
    ({"direction": "outbound", "order": "ORDER", "needs_reply": True}, {"needs_reply"}),
    ({"thread": "FOREIGN"}, {"thread"}),
    ({"sent_at": "noon"}, {"sent_at"}),
    ({"order": "999-9999999-9999999"}, {"order"}),
])
def test_create_names_each_bad_field(api, store, other_store, change, fields):
    order = OrderFactory(store=store)
    foreign_thread = ThreadFactory(store=other_store)
    body = {"store": store.code, "direction": "inbound", "body": "Hi"}
    body |= {key: {"ORDER": order.amazon_order_id, "FOREIGN": foreign_thread.pk}.get(value, value)
             for key, value in change.items()}
    response = api.post("/api/messages/", body)
    assert response.status_code == 400
    assert set(response.json()) == fields
    assert not Message.objects.exists()


@pytest.mark.parametrize("role,status", [("manager", 403), ("agent", 201), ("operator", 201)])
def test_create_by_role(client_for, store, role, status):
    body = {"store": store.code, "direction": "inbound", "body": "Hi"}
    assert client_for(role).post("/api/messages/", body).status_code == status


def test_filters(api, store):
    order = OrderFactory(store=store)
    thread = ThreadFactory(store=store, order=order)
    inbound = MessageFactory(thread=thread)
    outbound = MessageFactory(thread=thread, direction="outbound")
    loose = MessageFactory(thread__store=store, needs_reply=False)

    def ids(**params):
        return sorted(row["id"] for row in api.get("/api/messages/", params).json()["results"])

    assert ids(direction="outbound") == [outbound.pk]
    assert ids(order=order.amazon_order_id) == sorted([inbound.pk, outbound.pk])
    assert ids(thread=loose.thread_id) == [loose.pk]
    assert ids(needs_reply="true") == [inbound.pk]
    assert ids(sent_at_before=iso(timezone.now() - timedelta(days=1))) == []


@pytest.mark.parametrize("rows", [3, 30])
def test_list_query_count_does_not_grow_with_rows(api, store, rows, django_assert_max_num_queries):
    for _ in range(rows):
        MessageFactory(thread=ThreadFactory(store=store, order=OrderFactory(store=store)))
    with django_assert_max_num_queries(2):
        response = api.get("/api/messages/")
    assert len(response.json()["results"]) == rows
    assert all(row["order"] for row in response.json()["results"])
