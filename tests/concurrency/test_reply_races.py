"""A reply submitted several times at the same instant (a double click, a retrying client) on PostgreSQL: the
buyer gets one e-mail and the thread one reply. Each submission is a thread with its own connection, released
together at a barrier (``race``)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.models import Role
from support.inbox_services import reply_send
from support.models import Message, MessageThread
from tests.factories import MembershipFactory, MessageFactory, OrderFactory, StoreFactory, ThreadFactory, UserFactory

from .test_races import race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql",
                       reason="SQLite serialises every write on one file lock: run with DATABASE_URL=postgres://…"),
    pytest.mark.django_db(transaction=True),
]

REPLY_FORM = re.compile(r'<form id="reply-form".*?</form>', re.DOTALL)
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


@pytest.fixture
def thread() -> MessageThread:
    store = StoreFactory(code="RACE-DE", marketplace="DE")
    thread = ThreadFactory(store=store, order=OrderFactory(store=store), subject="Wo ist meine Bestellung?",
                           buyer_email="kx8m2p4r7t9w1z3@marketplace.amazon.de")
    MessageFactory(thread=thread, sent_at=timezone.now() - timedelta(hours=2))
    return thread


@pytest.fixture
def agent(thread):
    user = UserFactory(username="agent")
    MembershipFactory(user=user, store=thread.store, role=Role.AGENT)
    return user


def reply_form(agent, thread) -> dict[str, str]:
    """The hidden fields of the reply form as the page renders it (its one-time key among them)."""
    client = Client()
    client.force_login(agent)
    html = client.get(reverse("support:thread", args=[thread.pk])).content.decode()
    return dict(HIDDEN_INPUT.findall(REPLY_FORM.search(html).group(0)))


def submit(agent, thread, form: dict[str, str], body: str = "Ihr Paket ist unterwegs."):
    def job() -> int:
        client = Client()
        client.force_login(agent)
        response = client.post(reverse("support:reply", args=[thread.pk]), {**form, "body": body, "action": "send"})
        return response.status_code

    return job


def outbound(thread) -> list[Message]:
    return list(Message.objects.filter(thread=thread, direction="outbound"))


@pytest.mark.parametrize("submissions", [2, 5])
def test_one_form_submitted_at_once_mails_the_buyer_once(thread, agent, mailoutbox, submissions):
    form = reply_form(agent, thread)

    results = race(*[submit(agent, thread, form) for _ in range(submissions)])

    assert [result for _kind, result in results] == [302] * submissions
    [reply] = outbound(thread)
    assert reply.delivery == Message.Delivery.SENT
    assert len(mail.outbox) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == reply.message_id


def test_two_forms_submitted_at_once_are_two_replies(thread, agent, mailoutbox):
    first, second = reply_form(agent, thread), reply_form(agent, thread)

    race(submit(agent, thread, first, "Erste Antwort."), submit(agent, thread, second, "Zweite Antwort."))

    assert sorted(m.body for m in outbound(thread)) == ["Erste Antwort.", "Zweite Antwort."]
    assert len(mail.outbox) == 2


def test_the_service_called_at_once_with_one_key_sends_once(thread, agent, mailoutbox):
    def job():
        reply = reply_send(thread=MessageThread.objects.get(pk=thread.pk), body="Ihr Paket ist unterwegs.",
                           author=agent, idempotency_key="k" * 32)
        return reply.pk, reply.replayed

    results = race(job, job, job)

    assert len({pk for _kind, (pk, _replayed) in results}) == 1
    assert sorted(replayed for _kind, (_pk, replayed) in results) == [False, True, True]
    assert len(outbound(thread)) == len(mail.outbox) == 1


def test_the_api_called_at_once_with_one_idempotency_key_records_once(thread, agent):
    token = Token.objects.create(user=agent).key

    def job():
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        response = client.post("/api/messages/", {"store": thread.store.code, "thread": thread.pk,
                                                  "direction": "outbound", "body": "On its way."},
                               headers={"Idempotency-Key": "3f8e2c1a-0b9d-4e57-a6c2-9d1e8f7b6a50"})
        return response.status_code, response.json()["id"], response.get("Idempotent-Replayed")

    results = [result for _kind, result in race(job, job, job)]

    assert {status for status, _id, _replayed in results} == {201}
    assert len({pk for _status, pk, _replayed in results}) == 1
    assert sorted(str(replayed) for _status, _pk, replayed in results) == ["None", "true", "true"]
    assert len(outbound(thread)) == 1
