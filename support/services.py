"""Every write to buyer contact: threads, messages and replies, feedback, A-to-z claims and chargebacks.

Each service runs in one transaction; those that change an input of Contact Response Rate or Order Defect
Rate schedule a metrics recompute for after the commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Membership, Store
from core.signals import store_data_changed_send
from core.state import actor_or_none, locked, not_future
from orders.models import Order, OrderEvent
from orders.services import order_event_record

from .deadlines import claim_respond_by
from .models import CLAIM_STATES, CLAIM_STATUS_TIME_FIELD, Claim, Feedback, Message, MessageThread
from .notifications import is_system_address


def _same_store(store_id: int, *objects, what: str) -> None:
    for obj in objects:
        if obj is not None and obj.store_id != store_id:
            raise ApplicationError(_("%(what)s belongs to another store.") % {"what": what})


# --- Threads and messages ---


@transaction.atomic
def thread_get_or_create_for_order(*, order: Order, subject: str = "") -> MessageThread:
    """Return the order's message thread, opening one (with the order's buyer) if there is none yet."""
    # The order's row lock serialises two messages arriving at once for an order without a thread.
    Order.objects.select_for_update().filter(pk=order.pk).first()
    thread = MessageThread.objects.filter(store_id=order.store_id, order=order).order_by("id").first()
    if thread is not None:
        return thread
    return MessageThread.objects.create(
        store_id=order.store_id, order=order, buyer_name=order.buyer_name, buyer_email=order.buyer_email,
        subject=(subject or _("Order %(id)s") % {"id": order.amazon_order_id})[:500],
    )


def _thread_for(*, store: Store, thread: MessageThread | None, order: Order | None, buyer_email: str,
                buyer_name: str, subject: str) -> MessageThread:
    if thread is not None:
        _same_store(store.pk, thread, what=_("The thread"))
        return thread
    if order is not None:
        _same_store(store.pk, order, what=_("The order"))
        return thread_get_or_create_for_order(order=order, subject=subject)
    if buyer_email:
        existing = (MessageThread.objects
                    .filter(store=store, buyer_email__iexact=buyer_email, order__isnull=True)
                    .order_by("-last_message_at", "-id").first())
        if existing is not None:
            return existing
    return MessageThread.objects.create(store=store, buyer_name=buyer_name, buyer_email=buyer_email,
                                        subject=subject[:500])


def _touch(thread: MessageThread, at: datetime) -> None:
    """Move the thread's last-message time forward (never back: messages may arrive out of order)."""
    later = Q(last_message_at__isnull=True) | Q(last_message_at__lt=at)
    MessageThread.objects.filter(later, pk=thread.pk).update(last_message_at=at)
    if thread.last_message_at is None or thread.last_message_at < at:
        thread.last_message_at = at


def _create_message(**fields) -> tuple[Message, bool]:
    """Create the message, or return the one stored under the same idempotency key in the thread or the same
    Message-ID in the store (a second submission, a re-import, a retry)."""
    lookups = []
    if fields.get("idempotency_key"):
        lookups.append({"thread": fields["thread"], "idempotency_key": fields["idempotency_key"]})
    if fields.get("message_id"):
        lookups.append({"store_id": fields["store_id"], "message_id": fields["message_id"]})

    def stored() -> Message | None:
        return next((m for m in (Message.objects.filter(**lookup).first() for lookup in lookups) if m), None)

    if not lookups:
        return Message.objects.create(**fields), True
    existing = stored()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return Message.objects.create(**fields), True
    except IntegrityError:
        # Another process stored the same message between the lookup and the insert.
        existing = stored()
        if existing is None:
            raise
        return existing, False


def _message_event(message: Message, *, actor: User | None, source: str) -> None:
    order = message.thread.order
    if order is None:
        return
    inbound = message.direction == Message.Direction.INBOUND
    if message.is_notice:
        note = _("Amazon notice (%(kind)s)") % {"kind": message.get_kind_display()}
    else:
        note = _("Message from the buyer") if inbound else _("Reply to the buyer")
    order_event_record(order=order, kind=OrderEvent.Kind.MESSAGE, actor=actor, source=source,
                       at=message.sent_at, note=f"{note}: {message.body[:200]}")


@transaction.atomic
def message_receive(*, store: Store, body: str, sent_at: datetime | None = None,
                    thread: MessageThread | None = None, order: Order | None = None, message_id: str = "",
                    sender: str = "", subject: str = "", needs_reply: bool = True, buyer_name: str = "",
                    buyer_email: str = "", source: str = "ui", kind: str = Message.Kind.MESSAGE,
                    full_text: str = "", outcome: str = "", outcome_detail: str = "") -> Message:
    """Store a buyer's message in its thread (given, the order's or the buyer's), once per Message-ID.

    ``kind`` other than a message stores one of Amazon's notices: it never needs a reply.
    """
    if kind not in Message.Kind.values:
        raise ApplicationError(_("Unknown message kind %(kind)s.") % {"kind": kind})
    if kind != Message.Kind.MESSAGE:
        needs_reply = False
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("A message needs a body."))
    sent_at = not_future(sent_at or timezone.now(), what=_("The message time"))
    message_id = (message_id or "").strip()[:255]
    if message_id:
        existing = Message.objects.filter(store=store, message_id=message_id).first()
        if existing is not None:
            return existing
    thread = _thread_for(store=store, thread=thread, order=order, buyer_email=buyer_email,
                         buyer_name=buyer_name, subject=subject)
    message, created = _create_message(
        store_id=store.pk, thread=thread, direction=Message.Direction.INBOUND, message_id=message_id,
        sender=sender or buyer_email, subject=subject[:500], body=body, sent_at=sent_at,
        needs_reply=bool(needs_reply), kind=kind, full_text=full_text or "", outcome=outcome or "",
        outcome_detail=(outcome_detail or "")[:500],
    )
    if not created:
        return message
    _touch(thread, sent_at)
    _message_event(message, actor=None, source=source)
    if message.needs_reply:
        store_data_changed_send(store_id=store.pk)
    return message


def thread_reply_refusal(thread: MessageThread, messages: Iterable[Message] | None = None) -> str:
    """Why nothing can be sent in this thread (it holds only Amazon's notices), or "" when a reply may go.

    ``messages``: the thread's messages, if already read.
    """
    if thread.buyer_email and is_system_address(thread.buyer_email):
        return _("%(address)s is Amazon's no-reply address: nothing sent there reaches anyone. Amazon's "
                 "notices cannot be answered.") % {"address": thread.buyer_email}
    if messages is None:
        kinds = set(Message.objects.filter(thread=thread, direction=Message.Direction.INBOUND,
                                           is_internal_note=False).values_list("kind", flat=True).distinct())
    else:
        kinds = {m.kind for m in messages if m.direction == Message.Direction.INBOUND and not m.is_internal_note}
    if kinds and Message.Kind.MESSAGE not in kinds:
        return _("This thread holds only Amazon's notices, sent from an address that accepts no mail: they "
                 "cannot be answered. Reply here once the buyer writes, or contact the buyer from Seller "
                 "Central.")
    return ""


def thread_check_repliable(thread: MessageThread) -> None:
    """Refuse a reply in a thread that holds only Amazon's notices."""
    refusal = thread_reply_refusal(thread)
    if refusal:
        raise ApplicationError(refusal)


class IdempotencyKeyReused(ApplicationError):
    """The idempotency key already recorded another reply in this thread; ``reply`` is that reply."""

    def __init__(self, reply: Message) -> None:
        super().__init__(_("This reply form (or Idempotency-Key) was already used for another reply in this "
                           "thread; nothing was sent or recorded."))
        self.reply = reply


@transaction.atomic
def message_reply(*, thread: MessageThread, body: str, author: User | None = None,
                  sent_at: datetime | None = None, subject: str = "", message_id: str = "",
                  source: str = "ui", idempotency_key: str = "", delivery: str = "") -> Message:
    """Send (or record) the seller's reply; it answers every earlier unanswered buyer message in it.

    The same ``idempotency_key`` again returns the reply it recorded, with ``replayed`` set, and records
    nothing; with another body it raises ``IdempotencyKeyReused``. A reply recorded as
    ``Delivery.SENDING`` answers nothing until ``message_reply_delivered``.
    """
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("A reply needs a body."))
    thread_check_repliable(thread)
    sent_at = not_future(sent_at or timezone.now(), what=_("The reply time"))
    # The thread's row lock puts two submissions of one reply in a queue: the second finds the first's row.
    thread = locked(thread, "order")
    idempotency_key = (idempotency_key or "").strip()
    message, created = _create_message(
        store_id=thread.store_id, thread=thread, direction=Message.Direction.OUTBOUND,
        message_id=(message_id or "").strip()[:255], sender=getattr(author, "email", "") or "",
        subject=(subject or (f"Re: {thread.subject}" if thread.subject else ""))[:500], body=body,
        sent_at=sent_at, author=actor_or_none(author), idempotency_key=idempotency_key, delivery=delivery,
    )
    if not created:
        if idempotency_key and message.idempotency_key == idempotency_key:
            if message.body != body:
                raise IdempotencyKeyReused(message)
            message.replayed = True
        return message
    if delivery != Message.Delivery.SENDING:
        _reply_answers(thread, message, author=author, source=source)
    return message


def _reply_answers(thread: MessageThread, message: Message, *, author: User | None,
                   source: str) -> None:
    Message.objects.filter(thread=thread, direction=Message.Direction.INBOUND, kind=Message.Kind.MESSAGE,
                           replied_at__isnull=True, sent_at__lte=message.sent_at).update(replied_at=message.sent_at)
    _touch(thread, message.sent_at)
    _message_event(message, actor=author, source=source)
    store_data_changed_send(store_id=thread.store_id)


@transaction.atomic
def message_reply_delivered(*, message: Message, author: User | None = None,
                            source: str = "mail") -> Message:
    """The SMTP server took the reply: it is sent, and answers the buyer's earlier messages."""
    thread = MessageThread.objects.select_for_update(of=("self",)).select_related("order").get(
        pk=message.thread_id)
    message = locked(message)
    if message.delivery != Message.Delivery.SENDING:
        return message
    message.delivery = Message.Delivery.SENT
    message.save(update_fields=["delivery"])
    _reply_answers(thread, message, author=author, source=source)
    return message


@transaction.atomic
def message_reply_withdraw(*, message: Message) -> None:
    """The SMTP server refused the reply: take it back, so that it can be sent again (it answered nothing)."""
    MessageThread.objects.select_for_update(of=("self",)).filter(pk=message.thread_id).first()
    Message.objects.filter(pk=message.pk, delivery=Message.Delivery.SENDING).delete()


@transaction.atomic
def message_mark_no_reply_needed(*, message: Message, actor: User | None) -> Message:
    """Take a buyer message out of the reply queue (and out of Contact Response Rate): a thank-you, say."""
    message = locked(message)
    if message.direction != Message.Direction.INBOUND:
        raise ApplicationError(_("Only a message from the buyer can be marked as needing no reply."))
    if message.replied_at is not None:
        raise ApplicationError(_("This message has already been answered."))
    if not message.needs_reply:
        return message
    message.needs_reply, message.no_reply_needed_by = False, actor_or_none(actor)
    message.save(update_fields=["needs_reply", "no_reply_needed_by"])
    store_data_changed_send(store_id=message.store_id)
    return message


@transaction.atomic
def thread_assign(*, thread: MessageThread, assignee: User | None,
                  actor: User | None = None) -> MessageThread:
    """Give the thread to one member of its store, or (``assignee=None``) back to the shared inbox."""
    thread = locked(thread)
    if assignee is not None and not (
        assignee.is_superuser or Membership.objects.filter(user=assignee, store_id=thread.store_id).exists()
    ):
        raise ApplicationError(_("%(user)s is not a member of this store.")
                               % {"user": assignee.get_username()})
    thread.assigned_to = assignee
    thread.save(update_fields=["assigned_to"])
    return thread


# --- Feedback ---


def _check_rating(rating: int) -> int:
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise ApplicationError(_("A rating is a whole number of stars from 1 to 5, not %(rating)s.")
                               % {"rating": rating})
    return rating


@transaction.atomic
def feedback_record(*, order: Order, rating: int, comment: str = "", received_at: datetime | None = None,
                    response: str | None = None) -> Feedback:
    """Record the buyer's seller feedback; an order has one, so a second rating updates the first."""
    rating = _check_rating(rating)
    received_at = not_future(received_at or timezone.now(), what=_("The feedback time"))
    if received_at < order.purchase_date:
        raise ApplicationError(_("Feedback cannot come before the order was placed."))
    comment = (comment or "").strip()
    Order.objects.select_for_update().filter(pk=order.pk).first()
    feedback = Feedback.objects.filter(order=order).first()
    if feedback is None:
        feedback = Feedback.objects.create(store_id=order.store_id, order=order, rating=rating,
                                           comment=comment, received_at=received_at, response=response or "")
    else:
        update_fields = []
        if (feedback.rating, feedback.comment) != (rating, comment):
            # A revised rating is new feedback as of when it was given; re-recording the same one is not.
            feedback.rating, feedback.comment, feedback.received_at = rating, comment, received_at
            update_fields += ["rating", "comment", "received_at"]
        if response is not None and response != feedback.response:
            feedback.response = response
            update_fields.append("response")
        if not update_fields:
            return feedback
        feedback.save(update_fields=update_fields)
    store_data_changed_send(store_id=order.store_id)
    return feedback


@transaction.atomic
def feedback_remove(*, feedback: Feedback, at: datetime | None = None) -> Feedback:
    """Record that Amazon removed the feedback: from then on it no longer counts as a defect."""
    feedback = locked(feedback)
    if feedback.removed_at is not None:
        raise ApplicationError(_("This feedback was already removed on %(at)s.")
                               % {"at": feedback.removed_at.isoformat()})
    at = not_future(at or timezone.now(), what=_("The removal time"))
    if at < feedback.received_at:
        raise ApplicationError(_("Feedback cannot be removed before it was received."))
    feedback.removed_at = at
    feedback.save(update_fields=["removed_at"])
    store_data_changed_send(store_id=feedback.store_id)
    return feedback


# --- Claims and chargebacks ---


@transaction.atomic
def claim_file(*, order: Order, kind: str, reason: str = "", amount: Decimal | None = None,
               filed_at: datetime | None = None, respond_by: datetime | None = None) -> Claim:
    """Record an A-to-z Guarantee claim or a chargeback on an order; one open claim of each kind at a time.

    An A-to-z claim without ``respond_by`` gets Amazon's 72 hours from ``filed_at`` (``support.deadlines``).
    """
    if kind not in Claim.Kind.values:
        raise ApplicationError(_("A claim is an A-to-z Guarantee claim or a chargeback, not %(kind)s.")
                               % {"kind": kind})
    filed_at = not_future(filed_at or timezone.now(), what=_("The filing time"))
    if filed_at < order.purchase_date:
        raise ApplicationError(_("A claim cannot be filed before the order was placed."))
    if respond_by is not None and respond_by < filed_at:
        raise ApplicationError(_("The response deadline is before the claim was filed."))
    if kind == Claim.Kind.A_TO_Z:
        respond_by = claim_respond_by(filed_at, respond_by)
    if amount is not None and amount < 0:
        raise ApplicationError(_("A claim amount cannot be negative."))
    Order.objects.select_for_update().filter(pk=order.pk).first()
    if Claim.objects.filter(order=order, kind=kind, status=Claim.Status.OPEN).exists():
        raise ApplicationError(_("Order %(order)s already has an open %(kind)s.")
                               % {"order": order.amazon_order_id, "kind": Claim.Kind(kind).label})
    claim = Claim.objects.create(store_id=order.store_id, order=order, kind=kind, reason=(reason or "")[:200],
                                 amount=amount, filed_at=filed_at, respond_by=respond_by)
    store_data_changed_send(store_id=order.store_id)
    return claim


@transaction.atomic
def claim_record_notice(*, order: Order, filed_at: datetime, amount: Decimal | None = None,
                        respond_by: datetime | None = None, reason: str = "") -> tuple[Claim, str]:
    """Record Amazon's notice of an A-to-z claim on the order: one claim per order, however often Amazon writes.

    Opens the claim if the order has none; fills in what an open one lacks (amount, deadline) and leaves a
    decided one alone. Returns the claim and ``"opened"``, ``"updated"`` or ``"exists"``.
    """
    Order.objects.select_for_update().filter(pk=order.pk).first()
    claims = Claim.objects.select_for_update().filter(order=order, kind=Claim.Kind.A_TO_Z).order_by("filed_at", "id")
    claim = claims.filter(status=Claim.Status.OPEN).first() or claims.first()
    if claim is None:
        return claim_file(order=order, kind=Claim.Kind.A_TO_Z, reason=reason, amount=amount, filed_at=filed_at,
                          respond_by=respond_by), "opened"
    if claim.status != Claim.Status.OPEN:
        return claim, "exists"
    update_fields = []
    if claim.amount is None and amount is not None and amount >= 0:
        claim.amount = amount
        update_fields.append("amount")
    if respond_by is not None and respond_by >= claim.filed_at and claim.respond_by != respond_by and (
            claim.respond_by is None or claim.respond_by == claim_respond_by(claim.filed_at)):
        # The notice's own deadline replaces the default one; a deadline a person set stays.
        claim.respond_by = respond_by
        update_fields.append("respond_by")
    if update_fields:
        claim.save(update_fields=update_fields)
        store_data_changed_send(store_id=order.store_id)
    return claim, "updated" if update_fields else "exists"


@transaction.atomic
def claim_set_status(*, claim: Claim, status: str, at: datetime | None = None) -> Claim:
    """Record a decision on the claim (granted, denied, withdrawn, reversed) and when it was made."""
    claim = locked(claim, "order")
    machine = CLAIM_STATES[claim.kind]
    what = _("%(kind)s on order %(order)s") % {"kind": claim.get_kind_display(), "order": claim.order.amazon_order_id}
    machine.check(old=claim.status, new=status, what=what)
    at = not_future(at or timezone.now(), what=_("The decision time"))
    previous = max([claim.filed_at] + [getattr(claim, f) for f in CLAIM_STATUS_TIME_FIELD.values()
                                       if getattr(claim, f)])
    if at < previous:
        raise ApplicationError(
            _("The decision time %(at)s is before the claim's previous step (%(previous)s).")
            % {"at": at.isoformat(), "previous": previous.isoformat()})
    machine.move(claim, status, what=what, at=at)
    claim.save(update_fields=["status", CLAIM_STATUS_TIME_FIELD[status]])
    store_data_changed_send(store_id=claim.store_id)
    return claim


@transaction.atomic
def claim_set_respond_by(*, claim: Claim, respond_by: datetime) -> Claim:
    """Set the time by which the seller must respond to the claim (as Amazon's notice or Seller Central says)."""
    claim = locked(claim)
    if claim.status != Claim.Status.OPEN:
        raise ApplicationError(_("Only an open claim has a response deadline to change."))
    if respond_by < claim.filed_at:
        raise ApplicationError(_("The response deadline is before the claim was filed."))
    claim.respond_by = respond_by
    claim.save(update_fields=["respond_by"])
    return claim


@transaction.atomic
def claim_respond(*, claim: Claim, response: str, actor: User | None, at: datetime | None = None) -> Claim:
    """Record the seller's response to an open claim, as sent to Amazon; responding again replaces it."""
    claim = locked(claim, "order")
    if claim.status != Claim.Status.OPEN:
        raise ApplicationError(_("This claim is %(status)s: there is nothing left to respond to.")
                               % {"status": claim.get_status_display()})
    response = (response or "").strip()
    if not response:
        raise ApplicationError(_("A response needs some text."))
    at = not_future(at or timezone.now(), what=_("The response time"))
    if at < claim.filed_at:
        raise ApplicationError(_("A response cannot come before the claim was filed."))
    claim.response, claim.responded_at, claim.responded_by = response[:10000], at, actor_or_none(actor)
    claim.save(update_fields=["response", "responded_at", "responded_by"])
    order_event_record(order=claim.order, kind=OrderEvent.Kind.NOTE, actor=actor, source="ui", at=at,
                       note=_("Response to the %(kind)s sent: %(text)s")
                       % {"kind": claim.get_kind_display(), "text": response[:200]})
    return claim
