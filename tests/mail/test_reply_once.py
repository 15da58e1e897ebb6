"""A reply form sent twice (a double click, a retry) e-mails the buyer once, through a real SMTP server (aiosmtpd).

These tests commit as the site does (``transaction=True``), so the mail leaves on commit for real. Two
submissions at the same instant are ``tests/concurrency/test_reply_races.py`` (PostgreSQL).
"""

from __future__ import annotations

import email
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core.models import Role
from orders.models import OrderEvent
from support.models import Mailbox, Message
from tests.factories import MembershipFactory, MessageFactory, OrderFactory, StoreFactory, ThreadFactory, UserFactory

from .conftest import _free_port

pytestmark = pytest.mark.django_db(transaction=True)

KEY_INPUT = re.compile(r'<input type="hidden" name="idempotency_key" value="([A-Za-z0-9_-]+)"[^>]*>')


@pytest.fixture
def thread(smtp_server):
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    order = OrderFactory(store=store, amazon_order_id="302-1183920-5521877")
    thread = ThreadFactory(store=store, order=order, subject="Wo ist meine Bestellung?",
                           buyer_email="kx8m2p4r7t9w1z3@marketplace.amazon.de")
    MessageFactory(thread=thread, message_id="<b1@marketplace.amazon.de>", sent_at=timezone.now() - timedelta(hours=2))
    Mailbox.objects.create(store=store, imap_host="127.0.0.1", imap_user="x", smtp_host=smtp_server.host,
                           smtp_port=smtp_server.port, smtp_use_tls=False, from_address="acme-de@example.com")
    return thread


@pytest.fixture
def agent_page(thread) -> Client:
    agent = UserFactory(username="agent")
    MembershipFactory(user=agent, store=thread.store, role=Role.AGENT)
    client = Client()
    client.force_login(agent)
    return client


REPLY_FORM = re.compile(r'<form id="reply-form".*?</form>', re.DOTALL)
HIDDEN_INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)"')


def reply_form(client: Client, thread, **headers) -> dict[str, str]:
    """The hidden fields of the reply form as the thread's page renders it: what a browser sends back."""
    response = client.get(reverse("support:thread", args=[thread.pk]), headers=headers)
    assert response.status_code == 200
    form = REPLY_FORM.search(response.content.decode())
    return dict(HIDDEN_INPUT.findall(form.group(0) if form else response.content.decode()))


def form_key(client: Client, thread, **headers) -> str:
    """The one-time key the thread's page renders into its reply form."""
    response = client.get(reverse("support:thread", args=[thread.pk]), headers=headers)
    keys = KEY_INPUT.findall(response.content.decode())
    assert len(keys) == 1, "the reply form carries exactly one key"
    return keys[0]


def send(client: Client, thread, form: dict[str, str], body: str = "Ihr Paket ist unterwegs.", **headers):
    return client.post(reverse("support:reply", args=[thread.pk]), {**form, "body": body, "action": "send"},
                       headers=headers)


def replies(thread) -> list[Message]:
    return list(Message.objects.filter(thread=thread, direction="outbound").order_by("id"))


def test_every_rendered_reply_form_carries_a_key_of_its_own(agent_page, thread):
    keys = {form_key(agent_page, thread) for _ in range(3)}
    keys.add(form_key(agent_page, thread, **{"HX-Request": "true", "HX-Target": "reply-box"}))
    assert len(keys) == 4


def test_the_same_form_sent_five_times_mails_the_buyer_once(agent_page, thread, smtp_server):
    form = reply_form(agent_page, thread)

    answers = [send(agent_page, thread, form) for _ in range(5)]

    assert [a.status_code for a in answers] == [302] * 5
    assert len(smtp_server.received) == 1
    [reply] = replies(thread)
    assert (reply.idempotency_key, reply.delivery) == (form["idempotency_key"], Message.Delivery.SENT)
    assert thread.messages.get(direction="inbound").replied_at == reply.sent_at
    assert OrderEvent.objects.filter(order=thread.order, kind=OrderEvent.Kind.MESSAGE).count() == 1
    page = agent_page.get(answers[-1]["Location"]).content.decode()
    assert "This reply had already been submitted; it was not sent again." in page


def test_the_same_form_sent_twice_through_htmx_mails_once(agent_page, thread, smtp_server):
    form = reply_form(agent_page, thread)
    htmx = {"HX-Request": "true", "HX-Target": "reply-box"}
    first, second = send(agent_page, thread, form, **htmx), send(agent_page, thread, form, **htmx)
    assert first.status_code == second.status_code == 204 and first["HX-Redirect"] == second["HX-Redirect"]
    assert len(replies(thread)) == len(smtp_server.received) == 1


def test_two_forms_are_two_replies(agent_page, thread, smtp_server):
    first, second = reply_form(agent_page, thread), reply_form(agent_page, thread)
    send(agent_page, thread, first, body="Erste Antwort.")
    send(agent_page, thread, second, body="Zweite Antwort.")
    assert [m.body for m in replies(thread)] == ["Erste Antwort.", "Zweite Antwort."]
    assert len(smtp_server.received) == 2


def test_checking_the_rules_keeps_the_forms_key(agent_page, thread, smtp_server):
    key = form_key(agent_page, thread)
    checked = agent_page.post(reverse("support:reply", args=[thread.pk]),
                              {"body": "Danke!", "action": "check", "idempotency_key": key},
                              headers={"HX-Request": "true", "HX-Target": "reply-box"})
    assert KEY_INPUT.findall(checked.content.decode()) == [key]
    assert smtp_server.received == []


def test_the_same_form_with_other_words_is_not_sent_and_offers_a_new_key(agent_page, thread, smtp_server):
    key = form_key(agent_page, thread)
    send(agent_page, thread, {"idempotency_key": key}, body="Erste Antwort.")

    again = send(agent_page, thread, {"idempotency_key": key}, body="Korrigierte Antwort.")

    html = again.content.decode()
    assert again.status_code == 400 and "was already used for another reply in this thread" in html
    [new_key] = KEY_INPUT.findall(html)
    assert new_key != key and "Korrigierte Antwort." in html
    assert len(replies(thread)) == len(smtp_server.received) == 1
    assert send(agent_page, thread, {"idempotency_key": new_key}, body="Korrigierte Antwort.").status_code == 302
    assert [m.body for m in replies(thread)] == ["Erste Antwort.", "Korrigierte Antwort."]
    assert len(smtp_server.received) == 2


def test_a_reply_the_server_refuses_is_taken_back_and_the_same_form_sends_it_later(agent_page, thread, smtp_server):
    Mailbox.objects.filter(store=thread.store).update(smtp_port=1)
    key = form_key(agent_page, thread)

    refused = send(agent_page, thread, {"idempotency_key": key})

    assert refused.status_code == 400 and "could not be sent" in refused.content.decode()
    assert KEY_INPUT.findall(refused.content.decode()) == [key]
    assert replies(thread) == [] and smtp_server.received == []
    assert thread.messages.get(direction="inbound").replied_at is None
    assert not OrderEvent.objects.filter(order=thread.order, kind=OrderEvent.Kind.MESSAGE).exists()

    Mailbox.objects.filter(store=thread.store).update(smtp_port=smtp_server.port)
    assert send(agent_page, thread, {"idempotency_key": key}).status_code == 302
    assert send(agent_page, thread, {"idempotency_key": key}).status_code == 302
    assert len(replies(thread)) == len(smtp_server.received) == 1


def test_a_form_sent_again_after_a_refusal_carries_the_same_message_id(agent_page, thread):
    """The server saw the first attempt and refused it; the second carries the same Message-ID, so that a buyer's
    mail client shows one message even if the first had gone through after all."""
    controller_module = pytest.importorskip("aiosmtpd.controller", reason="aiosmtpd is in the test extra")
    seen: list[str] = []

    class RefusesFirst:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
            message = email.message_from_bytes(envelope.original_content)
            seen.append(message["Message-ID"])
            return "451 Try again later" if len(seen) == 1 else "250 Message accepted for delivery"

    port = _free_port()
    controller = controller_module.Controller(RefusesFirst(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        Mailbox.objects.filter(store=thread.store).update(smtp_port=port)
        form = reply_form(agent_page, thread)
        refused = send(agent_page, thread, form)
        sent = send(agent_page, thread, form)
    finally:
        controller.stop()

    assert refused.status_code == 400 and sent.status_code == 302
    [reply] = replies(thread)
    assert seen == [reply.message_id, reply.message_id]
