"""Amazon's notices in the relay mailbox: what each one does to the order's records, and that none is a buyer.

Real notices (Amazon.it, 2026) are parsed from their raw bytes under ``fixtures/relay/``; the other languages
are built from the same layout by ``notice_bytes``. See ``fixtures/relay/README.md``.
"""

from __future__ import annotations

import importlib
from datetime import datetime, timedelta
from decimal import Decimal
from email.utils import format_datetime
from pathlib import Path

import pytest
from django.apps import apps
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from metrics.engine import compute
from metrics.windows import local_midnight
from orders.models import OrderEvent, OrderStatus
from returns.models import ReturnReason, ReturnRequest, ReturnStatus
from support.inbox_services import mail_ingest, reply_send
from support.mail import parse_mail
from support.models import Claim, Message, MessageThread
from support.selectors import InboxFilters, thread_inbox_counts
from support.services import message_reply
from support.templatetags.support_tags import notice_summary
from support.tests.test_notifications import notice_bytes
from tests.factories import (
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

RELAY = Path(__file__).parent / "fixtures" / "relay"
CANCEL = "real_it_cancel_request_BRC_SELLER_NOTIFICATION.eml"
CLAIM = "real_it_a_to_z_claim_A_Z_CLAIM_RESPONDENT_NOTIFY.eml"
RETURN = "real_it_return_request_RETURN_REQUEST.eml"
OPT_OUT = "real_it_message_not_delivered_BUYER_OPTED_OUT_redacted.eml"
BUYER = "real_it_buyer_message_BBC_redacted.eml"


def raw(name: str) -> bytes:
    return (RELAY / name).read_bytes()


def arrival(data: bytes) -> datetime:
    """When ``mail_ingest`` will date the mail: its Date, or now if that is later than now."""
    sent = parse_mail(data).sent_at
    return min(sent, timezone.now()) if sent else timezone.now()


@pytest.fixture
def store():
    return StoreFactory(code="ACME-IT", marketplace="IT")


def order_for(store, order_id: str, data: bytes, **kwargs):
    """An order placed three weeks before the mail arrives, so every date in it is after the purchase."""
    return OrderFactory(store=store, amazon_order_id=order_id, purchase_date=arrival(data) - timedelta(days=21),
                        buyer_email=f"{order_id[:3]}buyer@marketplace.amazon.it", **kwargs)


def recent(subject: str, *, hours_ago: float = 2, **kwargs) -> bytes:
    date = format_datetime(timezone.now() - timedelta(hours=hours_ago))
    return notice_bytes(subject, date=date, **kwargs)


# --- Cancellation requests ---


def test_a_real_cancellation_request_marks_the_order_and_needs_no_reply(store):
    order = order_for(store, "404-1296441-3120351", raw(CANCEL))
    message, created = mail_ingest(store=store, raw=raw(CANCEL))
    assert created
    order.refresh_from_db()
    assert order.buyer_cancel_requested_at == arrival(raw(CANCEL))
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCEL_REQUEST, source="mail").count() == 1
    assert message.kind == Message.Kind.CANCEL_REQUEST and not message.needs_reply
    assert message.outcome == Message.Outcome.ORDER_MARKED
    assert message.thread.order == order
    assert message.thread.buyer_email == order.buyer_email  # the buyer's relay, never donotreply@amazon.com
    assert notice_summary(message) == (
        "Amazon: the buyer asked to cancel order 404-1296441-3120351 — marked on the order.")


def test_the_same_cancellation_twice_marks_once(store):
    order = order_for(store, "404-1296441-3120351", raw(CANCEL))
    first, _ = mail_ingest(store=store, raw=raw(CANCEL))
    assert mail_ingest(store=store, raw=raw(CANCEL)) == (first, False)
    again = raw(CANCEL).replace(b"<010201a08eec87b9", b"<resent-010201a08eec87b9")
    second, created = mail_ingest(store=store, raw=again)
    assert created and second.outcome == Message.Outcome.ORDER_ALREADY_MARKED
    assert OrderEvent.objects.filter(order=order, kind=OrderEvent.Kind.CANCEL_REQUEST).count() == 1
    assert Message.objects.filter(thread__order=order).count() == 2


@pytest.mark.parametrize("subject", [
    "Cancellation request for order {order}",
    "Stornierungsanfrage für Bestellung {order}",
    "注文のキャンセルリクエスト（注文番号: {order}）",
])
def test_cancellation_requests_in_english_german_and_japanese_mark_the_order(store, subject):
    order = OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=1))
    message, _ = mail_ingest(store=store, raw=recent(subject.format(order=order.amazon_order_id)))
    order.refresh_from_db()
    assert order.buyer_cancel_requested_at is not None
    assert (message.kind, message.outcome, message.needs_reply) == (
        Message.Kind.CANCEL_REQUEST, Message.Outcome.ORDER_MARKED, False)


def test_a_cancellation_for_an_order_we_do_not_have_changes_nothing_and_says_so(store):
    message, _ = mail_ingest(store=store, raw=raw(CANCEL))
    assert message.outcome == Message.Outcome.ORDER_UNKNOWN and message.thread.order is None
    assert message.thread.buyer_email == "" and not message.needs_reply
    assert "404-1296441-3120351" in notice_summary(message) and "not in SellerOps" in notice_summary(message)


# --- A-to-z claims ---


def test_a_real_claim_notice_opens_the_claim_with_its_amount_and_deadline(store):
    order = order_for(store, "402-3427577-1965903", raw(CLAIM))
    message, _ = mail_ingest(store=store, raw=raw(CLAIM))
    claim = Claim.objects.get(order=order)
    filed = arrival(raw(CLAIM))
    assert (claim.kind, claim.status, claim.amount) == (Claim.Kind.A_TO_Z, Claim.Status.OPEN, Decimal("119.00"))
    assert (claim.filed_at, claim.respond_by) == (filed, filed + timedelta(days=3))
    assert (message.kind, message.outcome, message.needs_reply) == (
        Message.Kind.CLAIM, Message.Outcome.CLAIM_OPENED, False)


def test_a_second_claim_notice_for_the_order_updates_the_open_claim_not_a_new_one(store):
    order = order_for(store, "402-3427577-1965903", raw(CLAIM))
    Claim.objects.create(store=store, order=order, kind=Claim.Kind.A_TO_Z,
                         filed_at=arrival(raw(CLAIM)) - timedelta(hours=1))
    message, _ = mail_ingest(store=store, raw=raw(CLAIM))
    claim = Claim.objects.get(order=order)
    assert claim.amount == Decimal("119.00") and message.outcome == Message.Outcome.CLAIM_UPDATED
    resent = raw(CLAIM).replace(b"<010201a04e991b3c", b"<resent-010201a04e991b3c")
    again, _ = mail_ingest(store=store, raw=resent)
    assert again.outcome == Message.Outcome.CLAIM_EXISTS and Claim.objects.filter(order=order).count() == 1


@pytest.mark.parametrize("subject", [
    "A-to-z Guarantee claim filed for order {order}",
    "A-bis-z-Garantieantrag für Bestellung {order}",
    "Amazonマーケットプレイス保証の申請（注文番号: {order}）",
])
def test_claim_notices_in_english_german_and_japanese_open_the_claim(store, subject):
    order = OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=10))
    message, _ = mail_ingest(store=store, raw=recent(subject.format(order=order.amazon_order_id),
                                                     sender="donotreply@amazon.com"))
    assert Claim.objects.filter(order=order, kind=Claim.Kind.A_TO_Z, status=Claim.Status.OPEN).count() == 1
    assert message.outcome == Message.Outcome.CLAIM_OPENED


def test_a_claim_closed_notice_opens_nothing_and_asks_for_the_decision(store):
    order = OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=10))
    message, _ = mail_ingest(store=store, raw=recent(f"A-to-z claim closed: {order.amazon_order_id}",
                                                     header="A_Z_CLAIM_RESPONDENT_CLOSE"))
    assert not Claim.objects.exists()
    assert (message.kind, message.outcome) == (Message.Kind.CLAIM, Message.Outcome.CLAIM_CLOSED)
    assert "record the decision in Claims" in notice_summary(message)


# --- Return requests ---


@pytest.fixture
def shipped_return_order(store):
    order = order_for(store, "403-1049451-9270721", raw(RETURN), status=OrderStatus.SHIPPED)
    OrderItemFactory(order=order, sku="INN-681IS", quantity=1)
    return order


def test_a_real_return_notice_opens_the_return_as_amazon_authorised_it(store, shipped_return_order):
    message, _ = mail_ingest(store=store, raw=raw(RETURN))
    ret = ReturnRequest.objects.get(order=shipped_return_order)
    at = arrival(raw(RETURN))
    assert (ret.sku, ret.quantity, ret.reason) == ("INN-681IS", 1, ReturnReason.QUALITY)
    assert ret.buyer_comment == "Prestazioni o qualità non adeguate. Durante l'uso perde acqua."
    assert (ret.status, ret.requested_at, ret.responded_at) == (ReturnStatus.AUTHORIZED, at, at)
    assert (ret.return_carrier, ret.return_tracking_number) == ("POSTE_ITALIANE", "1UW1URV000000")
    assert (message.kind, message.outcome, message.outcome_detail) == (
        Message.Kind.RETURN_REQUEST, Message.Outcome.RETURN_AUTHORIZED, "INN-681IS × 1")


def test_an_open_return_for_the_same_sku_is_not_duplicated(store, shipped_return_order):
    mail_ingest(store=store, raw=raw(RETURN))
    resent = raw(RETURN).replace(b"<010201a032f8f80f", b"<resent-010201a032f8f80f")
    message, _ = mail_ingest(store=store, raw=resent)
    assert ReturnRequest.objects.filter(order=shipped_return_order).count() == 1
    assert message.outcome == Message.Outcome.RETURN_EXISTS


def test_a_return_the_order_cannot_take_is_recorded_as_refused_with_the_reason(store):
    order = order_for(store, "403-1049451-9270721", raw(RETURN), status=OrderStatus.UNSHIPPED)
    OrderItemFactory(order=order, sku="INN-681IS")
    message, _ = mail_ingest(store=store, raw=raw(RETURN))
    assert not ReturnRequest.objects.exists()
    assert message.outcome == Message.Outcome.REFUSED and "only shipped or delivered" in message.outcome_detail


@pytest.mark.parametrize("subject", [
    "Return request for order {order}",
    "Rücksendeanfrage für Bestellung {order}",
    "返品リクエスト（注文番号: {order}）",
])
def test_a_return_notice_that_names_no_sku_opens_nothing_and_says_so(store, subject):
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED, purchase_date=timezone.now() - timedelta(days=9))
    OrderItemFactory(order=order, sku="MUG-16")
    html = f"<p>A buyer wants to return order {order.amazon_order_id}.</p>"
    message, _ = mail_ingest(store=store, raw=recent(subject.format(order=order.amazon_order_id), html=html))
    assert not ReturnRequest.objects.exists()
    assert (message.kind, message.outcome, message.needs_reply) == (
        Message.Kind.RETURN_REQUEST, Message.Outcome.RETURN_INCOMPLETE, False)
    assert "no return was opened" in notice_summary(message)


def test_a_return_table_in_english_opens_the_return_with_our_reason(store):
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED, purchase_date=timezone.now() - timedelta(days=9))
    OrderItemFactory(order=order, sku="MUG-16", quantity=2)
    table = ("<table cellpadding=\"10\"><tr><th>Item</th><th>ASIN</th><th>SKU</th><th>Return quantity</th>"
             "<th>Return reason</th><th>Customer comments</th></tr><tr><td>Travel Mug</td><td>B0EXAMPLE3</td>"
             "<td>MUG-16</td><td>2</td><td>Item defective or doesn't work</td><td>Lid leaks.</td></tr></table>")
    message, _ = mail_ingest(store=store, raw=recent(f"Return request for order {order.amazon_order_id}",
                                                     header="RETURN_REQUEST", html=table))
    ret = ReturnRequest.objects.get(order=order)
    assert (ret.sku, ret.quantity, ret.reason, ret.status) == ("MUG-16", 2, ReturnReason.DEFECTIVE,
                                                               ReturnStatus.REQUESTED)
    assert message.outcome == Message.Outcome.RETURN_OPENED


# --- Feedback and other notices ---


@pytest.mark.parametrize("subject", [
    "New feedback received for order {order}",
    "Neue Bewertung für Bestellung {order}",
    "新しい評価が投稿されました（注文番号: {order}）",
])
def test_feedback_notices_are_recorded_as_such(store, subject):
    order = OrderFactory(store=store)
    message, _ = mail_ingest(store=store, raw=recent(subject.format(order=order.amazon_order_id)))
    assert (message.kind, message.outcome, message.needs_reply) == (Message.Kind.FEEDBACK,
                                                                   Message.Outcome.RECORDED, False)
    assert message.thread.order == order


def test_a_real_message_not_delivered_notice_is_an_amazon_notice(store):
    message, _ = mail_ingest(store=store, raw=raw(OPT_OUT))
    assert (message.kind, message.needs_reply) == (Message.Kind.AMAZON, False)
    assert message.thread.buyer_email == ""


def test_unknown_mail_from_donotreply_needs_no_reply(store):
    message, _ = mail_ingest(store=store, raw=recent("Your account: please read"))
    assert (message.kind, message.needs_reply) == (Message.Kind.AMAZON, False)
    assert message.thread.buyer_email == ""


def test_a_notice_can_never_be_stored_as_needing_a_reply(store):
    thread = ThreadFactory(store=store)
    with pytest.raises(IntegrityError):
        Message.objects.create(store=store, thread=thread, direction=Message.Direction.INBOUND, body="x",
                               sent_at=timezone.now(), kind=Message.Kind.CANCEL_REQUEST, needs_reply=True)


# --- None of them counts, waits or can be answered ---


def _response(store, as_of):
    return [(r.window_days, r.numerator, r.denominator) for r in compute(store, "response", as_of)]


def test_notices_leave_the_contact_response_rate_unchanged(store, shipped_return_order):
    cancel_order = order_for(store, "404-1296441-3120351", raw(CANCEL))
    order_for(store, "402-3427577-1965903", raw(CLAIM))
    now = timezone.now()
    # The buyer's message and its answer fall on the store's previous local day: the day in progress never counts,
    # so the rate must not depend on the hour the test runs at.
    today_start = local_midnight(now.astimezone(store.tz).date(), store.tz)
    buyer = MessageFactory(thread=ThreadFactory(store=store, order=cancel_order),
                           sent_at=today_start - timedelta(hours=5))
    message_reply(thread=buyer.thread, body="On its way.", sent_at=today_start - timedelta(hours=4))
    notices = [raw(CANCEL), raw(CLAIM), raw(RETURN), raw(OPT_OUT), recent("Your account: please read"),
               recent(f"New feedback received for order {cancel_order.amazon_order_id}")]
    as_of = now + timedelta(hours=1)
    before = {mail: _response(store, max(as_of, arrival(mail) + timedelta(hours=1))) for mail in notices}
    for mail in notices:
        mail_ingest(store=store, raw=mail)
    after = {mail: _response(store, max(as_of, arrival(mail) + timedelta(hours=1))) for mail in notices}
    assert after == before
    assert _response(store, as_of)[0][1:] == (1, 1)


def test_notices_are_not_in_the_waiting_counts_or_tabs(store):
    user = UserFactory()
    MembershipFactory(user=user, store=store, role="agent")
    order = order_for(store, "404-1296441-3120351", raw(CANCEL))
    mail_ingest(store=store, raw=raw(CANCEL))
    mail_ingest(store=store, raw=recent("Your account: please read"))
    counts = thread_inbox_counts(user=user, filters=InboxFilters(), now=timezone.now())
    assert counts["needs_reply"] == 0 and counts["overdue"] == 0
    assert MessageThread.objects.filter(store=store).count() == 2
    assert not Message.objects.filter(thread__order=order, needs_reply=True).exists()


def test_a_reply_to_a_notice_is_refused_before_anything_is_sent(store):
    order_for(store, "404-1296441-3120351", raw(CANCEL))
    message, _ = mail_ingest(store=store, raw=raw(CANCEL))
    with pytest.raises(ApplicationError, match="only Amazon's notices"):
        reply_send(thread=message.thread, body="Done, cancelled.", author=None)
    with pytest.raises(ApplicationError, match="only Amazon's notices"):
        message_reply(thread=message.thread, body="Done, cancelled.")
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()


def test_a_thread_that_took_donotreply_for_its_buyer_is_refused(store):
    legacy = ThreadFactory(store=store, buyer_email="donotreply@amazon.com")
    MessageFactory(thread=legacy)
    with pytest.raises(ApplicationError, match="no-reply address"):
        reply_send(thread=legacy, body="Hello", author=None)


def test_once_the_buyer_writes_the_thread_can_be_answered_and_the_notice_stays_unanswered(store):
    order = order_for(store, "404-1296441-3120351", raw(CANCEL))
    notice, _ = mail_ingest(store=store, raw=raw(CANCEL))
    buyer = MessageFactory(thread=notice.thread, sent_at=timezone.now() - timedelta(minutes=30))
    reply = message_reply(thread=notice.thread, body="Cancelled as you asked.")
    buyer.refresh_from_db()
    notice.refresh_from_db()
    assert reply.thread.order == order and buyer.replied_at == reply.sent_at
    assert notice.replied_at is None


def test_the_thread_page_shows_what_was_done_links_the_order_and_offers_no_reply(client, store):
    user = UserFactory()
    MembershipFactory(user=user, store=store, role="agent")
    client.force_login(user)
    order_for(store, "404-1296441-3120351", raw(CANCEL))
    message, _ = mail_ingest(store=store, raw=raw(CANCEL))
    html = client.get(reverse("support:thread", args=[message.thread_id])).content.decode()
    assert "the buyer asked to cancel order 404-1296441-3120351 — marked on the order." in html
    assert reverse("orders:detail", args=["404-1296441-3120351"]) + "?store=ACME-IT" in html
    assert 'id="reply-form"' not in html and "cannot be answered" in html
    response = client.post(reverse("support:reply", args=[message.thread_id]), {"body": "Cancelled."})
    assert response.status_code == 400 and "cannot be answered" in response.content.decode()
    assert not Message.objects.filter(direction=Message.Direction.OUTBOUND).exists()


# --- Buyer messages through the relay ---


def test_a_real_buyer_message_shows_the_buyers_words_and_keeps_the_whole_mail(client, store):
    user = UserFactory()
    MembershipFactory(user=user, store=store, role="agent")
    client.force_login(user)
    message, _ = mail_ingest(store=store, raw=raw(BUYER))
    assert message.body == "Confermo! Grazie mille Buon lavoro"
    assert message.needs_reply and message.kind == Message.Kind.MESSAGE
    assert "Questa e-mail è stata utile?" in message.full_text and "Hai ricevuto un messaggio." in message.full_text
    html = client.get(reverse("support:thread", args=[message.thread_id])).content.decode()
    assert "The whole e-mail" in html and "Nota informativa" in html


@pytest.mark.parametrize(("name", "buyer", "address"), [
    ("constructed_es_buyer_message_encoded_comma.eml", "García, Lucía", "xredactedbuyeres0001@marketplace.amazon.es"),
    ("constructed_fr_buyer_message_unquoted_comma.eml", "Dupont, Marie", "xredactedbuyerfr0001@marketplace.amazon.fr"),
    ("constructed_ja_buyer_message_iso2022jp.eml", "山田 花子", "xredactedbuyerja0001@marketplace.amazon.co.jp"),
    ("constructed_en_us_buyer_message_numeric_name.eml", "4815162342", "xredactedbuyerus0001@marketplace.amazon.com"),
])
def test_the_thread_keeps_the_buyers_name_and_relay_address_whatever_the_from_shape(store, name, buyer, address):
    message, _ = mail_ingest(store=store, raw=raw(name))
    assert (message.thread.buyer_name, message.thread.buyer_email, message.sender) == (buyer, address, address)


# --- Mail stored before notices were told apart ---


def test_the_migration_turns_stored_amazon_mail_into_notices(store):
    thread = ThreadFactory(store=store, buyer_email="donotreply@amazon.com")
    legacy = MessageFactory(thread=thread, sender="donotreply@amazon.com")
    buyer = MessageFactory(thread=ThreadFactory(store=store), sender="abc123@marketplace.amazon.de")
    migration = importlib.import_module("support.migrations.0007_message_kind_notices")
    migration.amazon_senders_are_notices(apps, None)
    legacy.refresh_from_db()
    buyer.refresh_from_db()
    thread.refresh_from_db()
    assert (legacy.kind, legacy.needs_reply, thread.buyer_email) == (Message.Kind.AMAZON, False, "")
    assert (buyer.kind, buyer.needs_reply) == (Message.Kind.MESSAGE, True)
