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


def _reply(api, store, order, body="On its way.", **headers):
    return api.post("/api/messages/", {"store": store.code, "order": order.amazon_order_id, "direction": "outbound",
                                       "body": body}, headers=headers)


def test_a_reply_is_recorded_once_per_idempotency_key(api, store):
    order = OrderFactory(store=store)
    inbound = MessageFactory(thread=ThreadFactory(store=store, order=order),
                             sent_at=timezone.now() - timedelta(hours=3))
    key = "3f8e2c1a-0b9d-4e57-a6c2-9d1e8f7b6a50"

    answers = [_reply(api, store, order, **{"Idempotency-Key": key}) for _ in range(5)]

    assert [a.status_code for a in answers] == [201] * 5
    assert len({a.json()["id"] for a in answers}) == 1
    assert "Idempotent-Replayed" not in answers[0] and all(a["Idempotent-Replayed"] == "true" for a in answers[1:])
    reply = Message.objects.get(direction="outbound")
    assert reply.idempotency_key == key
    inbound.refresh_from_db()
    assert inbound.replied_at == reply.sent_at


def test_another_reply_under_a_used_idempotency_key_is_a_conflict(api, store):
    order = OrderFactory(store=store)
    first = _reply(api, store, order, **{"Idempotency-Key": "key-1"})

    other = _reply(api, store, order, body="Something else.", **{"Idempotency-Key": "key-1"})

    assert other.status_code == 409, other.json()
    assert other.json()["code"] == "idempotency_key_reused"
    assert other.json()["url"].endswith(f"/api/messages/{first.json()['id']}/")
    assert Message.objects.filter(direction="outbound").count() == 1


def test_two_keys_or_none_are_two_replies(api, store):
    order = OrderFactory(store=store)
    _reply(api, store, order, **{"Idempotency-Key": "key-1"})
    _reply(api, store, order, **{"Idempotency-Key": "key-2"})
    _reply(api, store, order)
    _reply(api, store, order)
    assert Message.objects.filter(direction="outbound").count() == 4


@pytest.mark.parametrize("direction,key", [("outbound", ""), ("outbound", "with space"), ("outbound", "x" * 65),
                                           ("outbound", "clé"), ("inbound", "key-1")])
def test_a_bad_or_misplaced_idempotency_key_is_a_400(api, store, direction, key):
    order = OrderFactory(store=store)
    response = api.post("/api/messages/", {"store": store.code, "order": order.amazon_order_id,
                                           "direction": direction, "body": "Hi"},
                        headers={"Idempotency-Key": key})
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["Idempotency-Key"]
    assert not Message.objects.exists()


def test_the_schema_documents_the_idempotency_key(api):
    schema = api.get("/api/schema/", {"format": "json"}).json()
    create = schema["paths"]["/api/messages/"]["post"]
    header = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert header["in"] == "header" and "Idempotent-Replayed" in header["description"]
    assert "409" in create["responses"]
