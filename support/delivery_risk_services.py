"""Telling a buyer first that their parcel is late, lost or stuck: the deliveries-at-risk queue's message.

It goes out the way every reply does (``support.inbox_services.reply_send``: Amazon's messaging rules checked,
recorded, e-mailed to the buyer's relay address once, on the order's timeline), in the order's thread, opened if
the buyer never wrote; then the shipment is marked as followed up (``fulfillment.follow_ups``).
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Q
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from fulfillment.follow_ups import shipment_follow_up_record
from fulfillment.models import FollowUp, Shipment

from .inbox_services import reply_send
from .models import Message, MessageThread
from .services import thread_get_or_create_for_order


def risk_thread(*, shipment: Shipment, language: str) -> MessageThread:
    """The order's thread with its buyer, opened (in ``language``, to the order's relay address) if none."""
    order = shipment.order
    thread = thread_get_or_create_for_order(order=order)
    update = {}
    if not thread.language:
        update["language"] = language
    if not thread.buyer_email and order.buyer_email:
        update["buyer_email"] = order.buyer_email
    if update:
        MessageThread.objects.filter(Q(pk=thread.pk)).update(**update)
        for name, value in update.items():
            setattr(thread, name, value)
    return thread


def delivery_risk_message_send(*, shipment: Shipment, body: str, author: User, language: str,
                               idempotency_key: str = "") -> Message:
    """Send ``body`` to the buyer of ``shipment``'s order and mark the shipment as followed up.

    Raises ``ReplyRefused`` when the text breaks Amazon's messaging rules (nothing is sent or marked) and
    ``ApplicationError`` when the order has no buyer address or the mail server refuses. The mail leaves after
    its own commit; the shipment is marked once it has left, so a message that never left marks nothing.
    """
    if shipment.order.fulfillment_channel != "MFN":
        raise ApplicationError(_("Amazon delivers its own orders: it tells the buyer."))
    thread = risk_thread(shipment=shipment, language=language)
    if not thread.buyer_email:
        raise ApplicationError(_("Order %(order)s has no buyer relay address: write to the buyer from Seller "
                                 "Central.") % {"order": shipment.order.amazon_order_id})
    reply = reply_send(thread=thread, body=body, author=author, idempotency_key=idempotency_key)
    if not reply.replayed:
        shipment_follow_up_record(shipment=shipment, action=FollowUp.BUYER_MESSAGED, actor=author,
                                  at=reply.sent_at, note=_("Message sent to the buyer."))
    return reply
