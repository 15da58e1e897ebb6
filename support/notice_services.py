"""Acting on Amazon's notices from the relay mailbox, through the services that own each record.

A cancellation request marks the order (``orders.services.order_buyer_cancel_request``), an A-to-z claim
notice opens or updates the claim (``support.services.claim_record_notice``), a return notice opens the return
(``returns.services.return_create``). Each is idempotent: the same notice twice, or Amazon writing again about
the same order, changes nothing more. What was done is kept on the stored notice, so the thread can say it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from orders.models import Order
from orders.services import order_buyer_cancel_request
from returns.models import ReturnReason, ReturnRequest, ReturnStatus
from returns.services import AmazonReturnFacts, return_authorize, return_create

from .mail import ParsedMail
from .models import Message
from .notifications import (
    Classification,
    Kind,
    claim_amount,
    claim_respond_days,
    return_is_authorized,
    return_lines,
    return_reason,
    return_shipment,
)
from .services import claim_record_notice

#: A return in one of these states still holds the units: a second notice for the same SKU does not add one.
OPEN_RETURN_STATUSES = (ReturnStatus.REQUESTED, ReturnStatus.AUTHORIZED, ReturnStatus.RECEIVED)
Outcome = Message.Outcome


@dataclass(frozen=True)
class NoticeResult:
    outcome: str
    detail: str = ""


def _cancel(order: Order, at: datetime) -> NoticeResult:
    already = order.buyer_cancel_requested_at is not None
    order_buyer_cancel_request(order=order, at=at, reason="", source="mail")
    return NoticeResult(Outcome.ORDER_ALREADY_MARKED if already else Outcome.ORDER_MARKED)


def _claim(order: Order, parsed: ParsedMail, classification: Classification, at: datetime) -> NoticeResult:
    if classification.closes_claim:
        return NoticeResult(Outcome.CLAIM_CLOSED)
    text = f"{parsed.subject}\n{parsed.body}"
    amount = claim_amount(text)
    days = claim_respond_days(text)
    try:
        claim, done = claim_record_notice(order=order, filed_at=at, amount=amount,
                                          respond_by=at + timedelta(days=days) if days else None)
    except ApplicationError as error:
        return NoticeResult(Outcome.REFUSED, error.message)
    outcome = {"opened": Outcome.CLAIM_OPENED, "updated": Outcome.CLAIM_UPDATED, "exists": Outcome.CLAIM_EXISTS}[done]
    return NoticeResult(outcome, f"{claim.amount}" if claim.amount is not None else "")


def _return_line(order: Order, line, *, at: datetime, authorized: bool, facts: AmazonReturnFacts) -> str:
    """Open (or find) the return of one item; returns the outcome for that item."""
    existing = (ReturnRequest.objects.filter(order=order, sku=line.sku, status__in=OPEN_RETURN_STATUSES)
                .order_by("requested_at", "id").first())
    if existing is not None:
        if authorized and existing.status == ReturnStatus.REQUESTED:
            return_authorize(return_request=existing, at=max(at, existing.requested_at), source="mail",
                             note=_("authorised by Amazon"))
            return Outcome.RETURN_AUTHORIZED
        return Outcome.RETURN_EXISTS
    code = return_reason(line.reason)
    comment = line.comment if code else ": ".join(part for part in (line.reason, line.comment) if part)
    created = return_create(order=order, sku=line.sku, quantity=line.quantity, requested_at=at,
                            reason=code or ReturnReason.OTHER, buyer_comment=comment, source="mail",
                            amazon=facts)
    if authorized:
        return_authorize(return_request=created, at=at, source="mail", note=_("authorised by Amazon"))
        return Outcome.RETURN_AUTHORIZED
    return Outcome.RETURN_OPENED


def _returns(order: Order, parsed: ParsedMail, at: datetime) -> NoticeResult:
    lines = return_lines(parsed)
    known = [line for line in lines if line.sku and line.quantity]
    if not lines or len(known) != len(lines):
        # Which unit comes back is the seller's to say: record the notice, open nothing.
        asins = ", ".join(line.asin for line in lines if line.asin)
        return NoticeResult(Outcome.RETURN_INCOMPLETE, asins)
    authorized = return_is_authorized(parsed)
    carrier, tracking = return_shipment(parsed)
    facts = AmazonReturnFacts(return_carrier=carrier, return_tracking_number=tracking)
    outcomes, details, refusals = [], [], []
    for line in known:
        try:
            with transaction.atomic():
                outcomes.append(_return_line(order, line, at=at, authorized=authorized, facts=facts))
            details.append(f"{line.sku} × {line.quantity}")
        except ApplicationError as error:
            refusals.append(error.message)
    if refusals:
        return NoticeResult(Outcome.REFUSED, " ".join(refusals + details))
    for outcome in (Outcome.RETURN_AUTHORIZED, Outcome.RETURN_OPENED):
        if outcome in outcomes:
            return NoticeResult(outcome, ", ".join(details))
    return NoticeResult(Outcome.RETURN_EXISTS, ", ".join(details))


def notice_apply(*, order: Order | None, order_id: str, parsed: ParsedMail, classification: Classification,
                 at: datetime) -> NoticeResult:
    """Do what Amazon's notice asks of the order's records, and say what was done."""
    kind = classification.kind
    if kind in (Kind.FEEDBACK, Kind.AMAZON):
        return NoticeResult(Outcome.RECORDED, order_id)
    if order is None:
        return NoticeResult(Outcome.ORDER_UNKNOWN, order_id)
    if kind == Kind.CANCEL_REQUEST:
        return _cancel(order, at)
    if kind == Kind.CLAIM:
        return _claim(order, parsed, classification, at)
    if kind == Kind.RETURN_REQUEST:
        return _returns(order, parsed, at)
    raise ValueError(f"not a notice: {kind!r}")
