"""Sending a reply through a live SMTP server (aiosmtpd) to the buyer's relay address."""

from __future__ import annotations

import email
import email.policy
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError
from support.inbox_services import ReplyRefused, reply_send
from support.models import Mailbox, Message
from tests.factories import MessageFactory, OrderFactory, StoreFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def thread():
    store = StoreFactory(code="ACME-DE", marketplace="DE")
    order = OrderFactory(store=store, amazon_order_id="302-1183920-5521877")
    thread = ThreadFactory(store=store, order=order, subject="Wo ist meine Bestellung?",
                           buyer_email="kx8m2p4r7t9w1z3@marketplace.amazon.de")
    MessageFactory(thread=thread, message_id="<b1@marketplace.amazon.de>",
                   sent_at=timezone.now() - timedelta(hours=5))
    MessageFactory(thread=thread, message_id="<b2@marketplace.amazon.de>",
                   sent_at=timezone.now() - timedelta(hours=2))
    return thread


def mailbox_for(thread, smtp_server, **overrides) -> Mailbox:
    fields = {"imap_host": "127.0.0.1", "imap_user": "x", "smtp_host": smtp_server.host, "smtp_port": smtp_server.port,
              "smtp_use_tls": False, "from_address": "acme-de@example.com", **overrides}
    return Mailbox.objects.create(store=thread.store, **fields)


def test_reply_goes_out_by_smtp_with_threading_headers(thread, smtp_server, django_capture_on_commit_callbacks):
    mailbox_for(thread, smtp_server)
    agent = UserFactory(username="agent")
    with django_capture_on_commit_callbacks(execute=True):  # the mail leaves once the reply is committed
        reply = reply_send(thread=thread, body="Hallo, Ihr Paket ist unterwegs. Grüße", author=agent)
    reply.refresh_from_db()

    assert len(smtp_server.received) == 1
    envelope = smtp_server.received[0]
    assert envelope.mail_from == "acme-de@example.com"
    assert envelope.rcpt_tos == ["kx8m2p4r7t9w1z3@marketplace.amazon.de"]
    sent = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    assert sent["Subject"] == "Re: Wo ist meine Bestellung?"
    assert sent["In-Reply-To"] == "<b2@marketplace.amazon.de>"
    assert sent["References"] == "<b1@marketplace.amazon.de> <b2@marketplace.amazon.de>"
    assert sent["Message-ID"] == reply.message_id
    assert sent.get_content().strip() == "Hallo, Ihr Paket ist unterwegs. Grüße"

    assert reply.direction == Message.Direction.OUTBOUND and reply.author == agent
    assert set(thread.messages.filter(direction="inbound").values_list("replied_at", flat=True)) == {reply.sent_at}


def test_a_refused_reply_never_reaches_the_server(thread, smtp_server):
    mailbox_for(thread, smtp_server)
    with pytest.raises(ReplyRefused) as refused:
        reply_send(thread=thread, body="Write to me: shop@acme.de", author=None)
    assert [v.code for v in refused.value.violations] == ["email_address"]
    assert smtp_server.received == []
    assert not thread.messages.filter(direction="outbound").exists()


def test_an_unreachable_server_records_nothing(thread, smtp_server, django_capture_on_commit_callbacks):
    mailbox_for(thread, smtp_server, smtp_port=1)
    with pytest.raises(ApplicationError, match="could not be sent"), \
            django_capture_on_commit_callbacks(execute=True):
        reply_send(thread=thread, body="Hallo", author=None)
    assert not thread.messages.filter(direction="outbound").exists()
    assert thread.messages.get(message_id="<b1@marketplace.amazon.de>").replied_at is None
