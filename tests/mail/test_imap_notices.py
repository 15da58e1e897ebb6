"""Amazon's notices through a live Dovecot: the poller tells them from buyers' messages and acts on them."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from orders.models import OrderEvent
from support.imap import mailbox_poll
from support.models import Mailbox, Message
from support.selectors import InboxFilters, thread_inbox_counts
from tests.factories import MembershipFactory, OrderFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

RELAY = Path(__file__).resolve().parents[2] / "support" / "tests" / "fixtures" / "relay"


@pytest.fixture
def mailbox(dovecot, imap_folder):
    store = StoreFactory(code="ACME-IT", marketplace="IT")
    return Mailbox.objects.create(store=store, imap_host=dovecot.host, imap_port=dovecot.port, imap_use_ssl=False,
                                  imap_user=dovecot.user, imap_password=dovecot.password, folder=imap_folder,
                                  from_address="acme-it@example.com")


def test_the_poller_stores_a_cancellation_request_as_a_notice_and_a_buyer_message_as_one(dovecot, mailbox):
    store = mailbox.store
    order = OrderFactory(store=store, amazon_order_id="404-1296441-3120351",
                         purchase_date=timezone.now() - timedelta(days=400))
    dovecot.append((RELAY / "real_it_cancel_request_BRC_SELLER_NOTIFICATION.eml").read_bytes(),
                   folder=mailbox.folder)
    dovecot.append((RELAY / "real_it_buyer_message_BBC_redacted.eml").read_bytes(), folder=mailbox.folder)

    result = mailbox_poll(mailbox=mailbox)
    assert (result.fetched, result.created) == (2, 2)

    notice = Message.objects.get(store=store, message_id__startswith="<010201a08eec87b9")
    assert (notice.kind, notice.needs_reply, notice.outcome) == (
        Message.Kind.CANCEL_REQUEST, False, Message.Outcome.ORDER_MARKED)
    assert notice.thread.order == order and notice.thread.buyer_email != "donotreply@amazon.com"
    order.refresh_from_db()
    assert order.buyer_cancel_requested_at is not None
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCEL_REQUEST, source="mail").count() == 1

    buyer = Message.objects.get(store=store, message_id="<amazon-reale-0001@marketplace.amazon.it>")
    assert (buyer.kind, buyer.needs_reply, buyer.body) == (
        Message.Kind.MESSAGE, True, "Confermo! Grazie mille Buon lavoro")
    assert buyer.thread.buyer_email == "xredactedbuyer000001@marketplace.amazon.it"

    agent = UserFactory()
    MembershipFactory(user=agent, store=store, role="agent")
    counts = thread_inbox_counts(user=agent, filters=InboxFilters(), now=timezone.now())
    assert counts["needs_reply"] == 1  # the buyer's thread, not the notice's

    again = mailbox_poll(mailbox=mailbox)
    assert (again.fetched, again.created) == (0, 0)
