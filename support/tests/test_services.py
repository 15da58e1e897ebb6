"""Support services: threads, messages and replies, feedback, claims and the metric triggers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition
from orders.models import OrderEvent
from support.models import Claim, Feedback, Message, MessageThread
from support.services import (
    claim_file,
    claim_set_status,
    feedback_record,
    feedback_remove,
    message_mark_no_reply_needed,
    message_receive,
    message_reply,
    thread_assign,
    thread_get_or_create_for_order,
)
from tests.factories import ClaimFactory, MembershipFactory, OrderFactory, ThreadFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(store):
    user = get_user_model().objects.create(username="agent")
    MembershipFactory(user=user, store=store, role="agent")
    return user


@pytest.fixture
def order(store):
    return OrderFactory(store=store, buyer_email="abc@marketplace.amazon.com",
                        purchase_date=timezone.now() - timedelta(days=5))


@pytest.fixture
def changed(monkeypatch):
    """The store ids whose metrics were scheduled for a recompute."""
    calls: list[int] = []
    monkeypatch.setattr("support.services.store_data_changed_send", lambda *, store_id: calls.append(store_id))
    return calls


def _ago(**kwargs):
    return timezone.now() - timedelta(**kwargs)


# --- Threads and messages ---


def test_thread_for_an_order_is_made_once(order):
    thread = thread_get_or_create_for_order(order=order)
    again = thread_get_or_create_for_order(order=order, subject="Other")
    assert thread == again
    assert (thread.store, thread.buyer_email) == (order.store, order.buyer_email)
    assert thread.buyer_name == "Jane Miller"
    assert order.amazon_order_id in thread.subject


def test_receive_defaults_to_needing_a_reply_and_files_it_under_the_order(order, changed):
    sent_at = _ago(hours=3)
    message = message_receive(store=order.store, order=order, body="Where is it?", sent_at=sent_at,
                              message_id="<m1@amazon>")
    assert (message.direction, message.needs_reply, message.thread.order) == (
        Message.Direction.INBOUND, True, order)
    assert message.thread.last_message_at == sent_at
    assert MessageThread.objects.get().last_message_at == sent_at
    assert order.events.get().kind == OrderEvent.Kind.MESSAGE
    assert changed == [order.store_id]


def test_receive_dedupes_by_message_id_within_the_store(order, other_store, changed):
    first = message_receive(store=order.store, order=order, body="Hi", message_id="<same@amazon>")
    again = message_receive(store=order.store, order=order, body="Hi", message_id="<same@amazon>")
    assert first == again
    elsewhere = message_receive(store=other_store, body="Hi", message_id="<same@amazon>",
                                buyer_email="x@marketplace.amazon.com")
    assert elsewhere != first
    assert Message.objects.count() == 2
    assert changed == [order.store_id, other_store.pk]


def test_receive_without_order_joins_the_buyers_open_thread(store):
    first = message_receive(store=store, body="Question", buyer_email="b@marketplace.amazon.com")
    second = message_receive(store=store, body="Another", buyer_email="B@marketplace.amazon.com")
    assert first.thread == second.thread


def test_receive_not_needing_a_reply_triggers_no_recompute(store, changed):
    message = message_receive(store=store, body="Thanks!", needs_reply=False, buyer_email="b@x.com")
    assert message.needs_reply is False
    assert changed == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"body": "   "}, "needs a body"),
    ({"sent_at": timezone.now() + timedelta(days=1)}, "in the future"),
])
def test_receive_refusals(store, kwargs, message):
    with pytest.raises(ApplicationError, match=message):
        message_receive(store=store, **{"body": "Hi", **kwargs})
    assert not Message.objects.exists() and not MessageThread.objects.exists()


def test_receive_refuses_another_stores_order(other_store, order):
    with pytest.raises(ApplicationError, match="another store"):
        message_receive(store=other_store, order=order, body="Hi")


def test_reply_answers_earlier_unanswered_messages_only(order, agent, changed):
    earlier = message_receive(store=order.store, order=order, body="One", sent_at=_ago(hours=5))
    also = message_receive(store=order.store, order=order, body="Two", sent_at=_ago(hours=4))
    reply_at = _ago(hours=3)
    later = message_receive(store=order.store, order=order, body="Three", sent_at=_ago(hours=1))
    reply = message_reply(thread=earlier.thread, body="On its way", author=agent, sent_at=reply_at)
    assert (reply.direction, reply.needs_reply, reply.author) == (Message.Direction.OUTBOUND, False, agent)
    for message in (earlier, also, later):
        message.refresh_from_db()
    assert earlier.replied_at == also.replied_at == reply_at
    assert later.replied_at is None
    assert earlier.needs_reply is True  # still counted, as answered
    thread = MessageThread.objects.get()
    assert thread.last_message_at == later.sent_at  # the reply is older than the last message
    assert changed[-1] == order.store_id


def test_reply_keeps_the_first_reply_time(order, agent):
    message = message_receive(store=order.store, order=order, body="One", sent_at=_ago(hours=5))
    first = message_reply(thread=message.thread, body="A", author=agent, sent_at=_ago(hours=4))
    message_reply(thread=message.thread, body="B", author=agent, sent_at=_ago(hours=2))
    message.refresh_from_db()
    assert message.replied_at == first.sent_at
    assert MessageThread.objects.get().last_message_at == message.thread.messages.latest("sent_at").sent_at


def test_reply_needs_a_body(order):
    thread = thread_get_or_create_for_order(order=order)
    with pytest.raises(ApplicationError, match="needs a body"):
        message_reply(thread=thread, body="")
    assert not Message.objects.exists()


def test_mark_no_reply_needed(order, agent, changed):
    message = message_receive(store=order.store, order=order, body="Thanks!")
    changed.clear()
    message_mark_no_reply_needed(message=message, actor=agent)
    message.refresh_from_db()
    assert (message.needs_reply, message.no_reply_needed_by) == (False, agent)
    assert changed == [order.store_id]
    message_mark_no_reply_needed(message=message, actor=agent)  # a second click changes nothing
    assert changed == [order.store_id]


def test_mark_no_reply_needed_refuses_outbound_and_answered(order, agent):
    inbound = message_receive(store=order.store, order=order, body="Hi", sent_at=_ago(hours=2))
    reply = message_reply(thread=inbound.thread, body="Hello", sent_at=_ago(hours=1))
    with pytest.raises(ApplicationError, match="Only a message from the buyer"):
        message_mark_no_reply_needed(message=reply, actor=agent)
    with pytest.raises(ApplicationError, match="already been answered"):
        message_mark_no_reply_needed(message=inbound, actor=agent)
    inbound.refresh_from_db()
    assert inbound.needs_reply is True


def test_assign_only_to_a_member_of_the_store(store, other_store, agent):
    thread = ThreadFactory(store=store)
    assert thread_assign(thread=thread, assignee=agent).assigned_to == agent
    outsider = get_user_model().objects.create(username="outsider")
    MembershipFactory(user=outsider, store=other_store)
    with pytest.raises(ApplicationError, match="not a member"):
        thread_assign(thread=thread, assignee=outsider)
    assert thread_assign(thread=thread, assignee=None).assigned_to is None


# --- Feedback ---


def test_feedback_is_one_per_order_and_a_second_rating_updates_it(order, changed):
    first = feedback_record(order=order, rating=5, comment="Great", received_at=_ago(days=2))
    second = feedback_record(order=order, rating=1, comment="Broke", received_at=_ago(days=1))
    assert first.pk == second.pk
    stored = Feedback.objects.get()
    assert (stored.rating, stored.comment, stored.is_negative) == (1, "Broke", True)
    assert changed == [order.store_id, order.store_id]


def test_recording_the_same_feedback_again_changes_nothing(order, changed):
    received = _ago(days=2)
    feedback_record(order=order, rating=2, comment="Late", received_at=received)
    feedback_record(order=order, rating=2, comment="Late", received_at=_ago(days=1))
    assert Feedback.objects.get().received_at == received
    assert changed == [order.store_id]


@pytest.mark.parametrize("rating", [0, 6, 3.5, "4", True, None])
def test_feedback_rating_must_be_1_to_5(order, rating):
    with pytest.raises(ApplicationError, match="from 1 to 5"):
        feedback_record(order=order, rating=rating)
    assert not Feedback.objects.exists()


def test_feedback_before_the_order_is_refused(order):
    with pytest.raises(ApplicationError, match="before the order was placed"):
        feedback_record(order=order, rating=1, received_at=order.purchase_date - timedelta(hours=1))


def test_feedback_remove(order, changed):
    feedback = feedback_record(order=order, rating=1, received_at=_ago(days=2))
    at = _ago(hours=1)
    feedback_remove(feedback=feedback, at=at)
    assert Feedback.objects.get().removed_at == at
    with pytest.raises(ApplicationError, match="already removed"):
        feedback_remove(feedback=feedback)
    assert changed == [order.store_id, order.store_id]


# --- Claims ---


def test_claim_file_and_decide(order, changed):
    claim = claim_file(order=order, kind="a_to_z", reason="Not received", filed_at=_ago(days=2))
    assert claim.status == Claim.Status.OPEN
    granted = _ago(days=1)
    claim_set_status(claim=claim, status="granted", at=granted)
    claim_set_status(claim=claim, status="withdrawn")
    claim.refresh_from_db()
    assert (claim.status, claim.granted_at) == (Claim.Status.WITHDRAWN, granted)
    assert claim.withdrawn_at >= granted
    assert changed == [order.store_id] * 3


def test_claim_file_refusals(order):
    with pytest.raises(ApplicationError, match="not refund"):
        claim_file(order=order, kind="refund")
    with pytest.raises(ApplicationError, match="before the order was placed"):
        claim_file(order=order, kind="a_to_z", filed_at=order.purchase_date - timedelta(days=1))
    claim_file(order=order, kind="chargeback")
    with pytest.raises(ApplicationError, match="already has an open"):
        claim_file(order=order, kind="chargeback")
    assert Claim.objects.count() == 1


def test_a_to_z_claim_cannot_be_reversed(order):
    claim = ClaimFactory(order=order, status=Claim.Status.GRANTED, granted_at=_ago(days=1))
    with pytest.raises(InvalidTransition, match="Reversed"):
        claim_set_status(claim=claim, status="reversed")


def test_chargeback_reversal_sets_its_time(order):
    claim = claim_file(order=order, kind="chargeback", filed_at=_ago(days=3))
    claim_set_status(claim=claim, status="granted", at=_ago(days=2))
    claim_set_status(claim=claim, status="reversed", at=_ago(days=1))
    claim.refresh_from_db()
    assert claim.status == Claim.Status.REVERSED
    assert claim.reversed_at > claim.granted_at


def test_a_decision_cannot_precede_the_previous_step(order):
    claim = claim_file(order=order, kind="a_to_z", filed_at=_ago(days=2))
    with pytest.raises(ApplicationError, match="before the claim's previous step"):
        claim_set_status(claim=claim, status="denied", at=_ago(days=3))
    claim.refresh_from_db()
    assert (claim.status, claim.denied_at) == (Claim.Status.OPEN, None)
