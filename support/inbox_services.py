"""Writes of the agent's inbox: mail in from the relay, replies out by SMTP, notes, feedback removal requests.

They build on ``support.services`` (``message_receive``, ``message_reply``…), which own the metric rules.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from email.utils import make_msgid
from functools import partial

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from core.state import actor_or_none, locked
from orders.models import Order

from .feedback_removal import feedback_removal
from .mail import ParsedMail, parse_mail
from .models import Attachment, Feedback, Mailbox, Message, MessageThread
from .notice_services import notice_apply
from .notifications import Classification, classify, is_relay_address, is_system_address
from .relay import buyer_display_name, buyer_words
from .rules import Violation, reply_check
from .services import (
    message_mark_no_reply_needed,
    message_receive,
    message_reply,
    message_reply_delivered,
    message_reply_withdraw,
    thread_check_repliable,
)
from .smtp import OutgoingMail, from_address, mail_send, reply_subject


class ReplyRefused(ApplicationError):
    """The reply breaks Amazon's messaging rules; ``violations`` says which and why."""

    def __init__(self, violations: list[Violation]) -> None:
        super().__init__(" ".join(dict.fromkeys(v.reason for v in violations)))
        self.violations = violations


def _message_id_for(raw: bytes, parsed: ParsedMail) -> str:
    # A message without a Message-ID still deduplicates: the same bytes give the same id.
    return parsed.message_id or f"<{hashlib.sha256(raw).hexdigest()[:40]}@no-message-id.invalid>"


def _order_named(store: Store, parsed: ParsedMail) -> Order | None:
    ids = parsed.order_ids
    if ids:
        by_id = {o.amazon_order_id: o for o in Order.objects.filter(store=store, amazon_order_id__in=ids)}
        for order_id in ids:
            if order_id in by_id:
                return by_id[order_id]
    return None


def _order_for(store: Store, parsed: ParsedMail) -> Order | None:
    order = _order_named(store, parsed)
    if order is not None:
        return order
    if parsed.from_address and not is_system_address(parsed.from_address):
        # The relay address is per buyer; it names the order only when the buyer has just one with the store.
        orders = list(Order.objects.filter(store=store, buyer_email__iexact=parsed.from_address)[:2])
        if len(orders) == 1:
            return orders[0]
    return None


def _thread_for(store: Store, parsed: ParsedMail, order: Order | None) -> MessageThread | None:
    keys = parsed.thread_keys
    if keys:
        answered = (Message.objects.filter(store=store, message_id__in=keys).select_related("thread")
                    .order_by("-sent_at").first())
        if answered is not None and (order is None or answered.thread.order_id in (None, order.pk)):
            return answered.thread
    if order is not None:
        return None  # the order's own thread (``message_receive`` opens it if needed)
    if parsed.from_address and not is_system_address(parsed.from_address):
        return (MessageThread.objects.filter(store=store, buyer_email__iexact=parsed.from_address)
                .order_by("-last_message_at", "-id").first())
    return None


def _empty_body(parsed: ParsedMail) -> str:
    return _("(no text; see the attachments)") if parsed.attachments else _("(empty message)")


def _notice_receive(*, store: Store, parsed: ParsedMail, message_id: str, classification: Classification,
                    sent_at: datetime) -> Message:
    """Act on Amazon's notice, then keep it in the order's thread (a thread of its own without an order)."""
    order = _order_named(store, parsed)
    result = notice_apply(order=order, order_id=(parsed.order_ids or [""])[0], parsed=parsed,
                          classification=classification, at=sent_at)
    return message_receive(
        store=store, body=parsed.body or _empty_body(parsed), sent_at=sent_at, order=order,
        message_id=message_id, sender=parsed.from_address, subject=parsed.subject, source="mail",
        kind=classification.kind, outcome=result.outcome, outcome_detail=result.detail,
    )


def _buyer_receive(*, store: Store, parsed: ParsedMail, message_id: str, sent_at: datetime) -> Message:
    order = _order_for(store, parsed)
    thread = _thread_for(store, parsed, order)
    from_relay = is_relay_address(parsed.from_address) or parsed.notification_type == "BBC_MESSAGE_SENT_TO_MERCHANT"
    words = buyer_words(parsed.body) if from_relay else None
    body = (words.text if words else parsed.body) or _empty_body(parsed)
    return message_receive(
        store=store, body=body, sent_at=sent_at, thread=thread, order=order if thread is None else None,
        message_id=message_id, sender=parsed.from_address, subject=parsed.subject,
        buyer_name=buyer_display_name(parsed.from_name), buyer_email=parsed.from_address, source="mail",
        full_text=parsed.body if words and words.cut else "",
    )


@transaction.atomic
def mail_ingest(*, store: Store, raw: bytes, now: datetime | None = None) -> tuple[Message, bool]:
    """Store one mail of the relay mailbox; the same Message-ID twice is stored once.

    A buyer's mail becomes a message needing a reply, showing the buyer's own words (the whole mail kept
    beside them). One of Amazon's notices is acted on (``support.notice_services``) and kept as a notice that
    needs no reply and cannot be answered. Returns the message and whether it is new.
    """
    now = now or timezone.now()
    parsed = parse_mail(raw)
    message_id = _message_id_for(raw, parsed)
    existing = Message.objects.filter(store=store, message_id=message_id).first()
    if existing is not None:
        return existing, False
    # A buyer's clock may be wrong; a message can never be later than its arrival.
    sent_at = min(parsed.sent_at or now, now)
    classification = classify(parsed)
    if classification.is_notice:
        message = _notice_receive(store=store, parsed=parsed, message_id=message_id,
                                  classification=classification, sent_at=sent_at)
    else:
        message = _buyer_receive(store=store, parsed=parsed, message_id=message_id, sent_at=sent_at)
    thread = message.thread
    update = {}
    if not thread.language:
        update["language"] = store.marketplace_info.language
    if not thread.buyer_email and parsed.from_address and not classification.is_notice:
        update["buyer_email"] = parsed.from_address
    if update:
        MessageThread.objects.filter(pk=thread.pk).update(**update)
        for name, value in update.items():
            setattr(thread, name, value)
    for attachment in parsed.attachments:
        row = Attachment(store=store, message=message, filename=attachment.filename,
                         content_type=attachment.content_type, size=attachment.size)
        row.file.save(attachment.filename, ContentFile(attachment.data), save=False)
        row.save()
    return message, True


def _thread_message_ids(thread: MessageThread) -> list[str]:
    return list(Message.objects.filter(thread=thread, is_internal_note=False).exclude(message_id="")
                .order_by("sent_at", "id").values_list("message_id", flat=True))


def reply_allowed_numbers(thread: MessageThread) -> tuple[str, ...]:
    if thread.order is None:  # no query when order_id is None
        return ()
    return tuple(n for n in thread.order.shipments.values_list("tracking_number", flat=True) if n)


def reply_send(*, thread: MessageThread, body: str, author: User | None,
               sent_at: datetime | None = None, idempotency_key: str = "") -> Message:
    """Check the reply against Amazon's rules, record it, then e-mail it to the buyer's relay address once.

    The reply is recorded (``Delivery.SENDING``) under the thread's row lock and handed to the SMTP server
    only after that commit; once the server takes it, it is sent and answers the buyer's messages. A server
    that refuses it takes the reply back and raises ``ApplicationError``. The same ``idempotency_key`` (one per
    rendered form) submitted again, even at the same instant, returns the reply already recorded, with
    ``replayed`` set, and sends nothing. Called inside an outer transaction, the mail leaves when that commits.
    """
    thread_check_repliable(thread)  # Amazon's notices cannot be answered: refuse before anything is sent
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("A reply needs a body."))
    violations = reply_check(body, allowed_numbers=reply_allowed_numbers(thread))
    if violations:
        raise ReplyRefused(violations)
    if not thread.buyer_email:
        raise ApplicationError(_("This thread has no buyer relay address to reply to."))
    mailbox = Mailbox.objects.filter(store_id=thread.store_id).first()
    sender = from_address(mailbox)
    with transaction.atomic():
        thread = locked(thread)
        references = _thread_message_ids(thread)
        last_inbound = (Message.objects.filter(thread=thread, direction=Message.Direction.INBOUND)
                        .exclude(message_id="").order_by("-sent_at", "-id").first())
        subject = reply_subject(thread.subject)
        message_id = _reply_message_id(thread, idempotency_key, sender)
        reply = message_reply(thread=thread, body=body, author=author, sent_at=sent_at, subject=subject,
                              message_id=message_id, source="mail", idempotency_key=idempotency_key,
                              delivery=Message.Delivery.SENDING)
        if reply.replayed:
            return reply
        mail = OutgoingMail(from_address=sender, to_address=thread.buyer_email, subject=subject, body=body,
                            message_id=reply.message_id,
                            in_reply_to=last_inbound.message_id if last_inbound else "",
                            references=tuple(references[-10:]))
        transaction.on_commit(partial(_reply_deliver, reply=reply, mail=mail, mailbox=mailbox, author=author))
    reply.refresh_from_db()
    return reply


def _reply_message_id(thread: MessageThread, idempotency_key: str, sender: str) -> str:
    """The reply's Message-ID; one form's, sent again after a failure, is the same (mail clients show it once)."""
    domain = sender.rsplit("@", 1)[-1] if "@" in sender else str(DNS_NAME)
    if not idempotency_key:
        return make_msgid(domain=domain)
    digest = hashlib.sha256(f"{thread.store_id}:{thread.pk}:{idempotency_key}".encode()).hexdigest()[:40]
    return f"<reply.{digest}@{domain}>"


def _reply_deliver(*, reply: Message, mail: OutgoingMail, mailbox: Mailbox | None,
                   author: User | None) -> None:
    """After the reply's commit: hand it to the SMTP server, exactly once."""
    try:
        mail_send(mail, mailbox=mailbox)
    except ApplicationError:
        message_reply_withdraw(message=reply)
        raise
    message_reply_delivered(message=reply, author=author, source="mail")


@transaction.atomic
def thread_note_add(*, thread: MessageThread, body: str, author: User) -> Message:
    """Add an internal note: seen by agents only, never sent, never an answer to the buyer."""
    body = (body or "").strip()
    if not body:
        raise ApplicationError(_("A note needs some text."))
    return Message.objects.create(
        store_id=thread.store_id, thread=thread, direction=Message.Direction.OUTBOUND, is_internal_note=True,
        body=body, sent_at=timezone.now(), author=actor_or_none(author),
        sender=getattr(author, "email", "") or "", needs_reply=False,
    )


@transaction.atomic
def thread_mark_no_reply_needed(*, thread: MessageThread, actor: User) -> int:
    """Take every unanswered buyer message of the thread out of the reply queue; returns how many."""
    pending = Message.objects.filter(thread=thread, direction=Message.Direction.INBOUND, needs_reply=True,
                                     replied_at__isnull=True, is_internal_note=False)
    count = 0
    for message in pending:
        message_mark_no_reply_needed(message=message, actor=actor)
        count += 1
    if not count:
        raise ApplicationError(_("Nothing in this thread is waiting for a reply."))
    return count


@transaction.atomic
def feedback_request_removal(*, feedback: Feedback, at: datetime | None = None) -> Feedback:
    """Record that removal was requested from Amazon, for feedback that has a ground for it."""
    feedback = locked(feedback, "order", "store")
    if feedback.removed_at is not None:
        raise ApplicationError(_("This feedback has already been removed."))
    if feedback.removal_requested_at is not None:
        return feedback
    at = at or timezone.now()
    removal = feedback_removal(rating=feedback.rating, comment=feedback.comment, received_at=feedback.received_at,
                               fulfilled_by_amazon=feedback.order.fulfillment_channel == "AFN", now=at,
                               language=feedback.store.marketplace_info.language)
    if not removal.negative:
        raise ApplicationError(_("Only negative feedback (1 or 2 stars) can be removed; 3 stars is neutral and "
                                 "does not count against you."))
    if not removal.reasons:
        raise ApplicationError(_("Amazon removes feedback on orders it fulfilled, about the delivery only, product "
                                 "reviews, and feedback with contact details or obscene words; this feedback is "
                                 "none of these."))
    if removal.days_left < 0:
        raise ApplicationError(_("Amazon takes removal requests within 90 days of the feedback; that time is over."))
    feedback.removal_requested_at = at
    feedback.save(update_fields=["removal_requested_at"])
    return feedback


@transaction.atomic
def mailbox_record_poll(*, mailbox: Mailbox, uidvalidity: int | None = None, last_uid: int | None = None,
                        error: str = "") -> None:
    """Remember how far the mailbox has been read (never backwards within one UIDVALIDITY) and its last error."""
    mailbox = locked(mailbox)
    fields = ["last_polled_at", "last_error"]
    mailbox.last_polled_at, mailbox.last_error = timezone.now(), error[:2000]
    if uidvalidity is not None and uidvalidity != mailbox.uidvalidity:
        mailbox.uidvalidity, mailbox.last_uid = uidvalidity, 0
        fields += ["uidvalidity", "last_uid"]
    if last_uid is not None and last_uid > mailbox.last_uid:
        mailbox.last_uid = last_uid
        fields.append("last_uid")
    mailbox.save(update_fields=list(dict.fromkeys(fields)))
