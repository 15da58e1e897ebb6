"""What Amazon looks at when it decides an A-to-z Guarantee claim, read from the order's own records, and the
response drafted from it in the marketplace's language.

Amazon asks, of a seller-fulfilled order: was valid tracking uploaded, was it shipped by the ship-by date,
was it delivered by the latest delivery date, did the seller answer the buyer, was a refund already issued?
Each ``ClaimCheck`` answers one of these with the evidence; the functions here take rows already loaded and
``now`` and write nothing, so the page and the tests call them alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.utils.translation import gettext as _

from core.timefmt import store_time
from fulfillment.carriers import carrier_spec, tracking_url
from fulfillment.models import Shipment
from fulfillment.tracking import tracking_validate
from orders.models import Order
from returns.models import Refund

from .models import Message


class Verdict:
    YES = "yes"  # in the seller's favour
    NO = "no"  # against the seller
    UNKNOWN = "unknown"  # the records cannot tell
    NOT_APPLICABLE = "na"  # Amazon fulfilled the order: its delivery is Amazon's to answer for


@dataclass(frozen=True)
class ClaimCheck:
    key: str
    question: str
    verdict: str
    detail: str
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClaimFacts:
    """The order's facts a response quotes: the earliest ship confirmation, the parcel, the contact, the refund."""

    order_id: str
    shipped_at: datetime | None = None
    ship_by: datetime | None = None
    carrier: str = ""
    tracking_number: str = ""
    tracking_link: str = ""
    delivered_at: datetime | None = None
    deliver_by: datetime | None = None
    contacted_at: datetime | None = None
    refunded: Decimal | None = None
    refunded_at: datetime | None = None
    currency: str = ""
    fulfilled_by_amazon: bool = False


@dataclass(frozen=True)
class ClaimReview:
    facts: ClaimFacts
    checks: list[ClaimCheck] = field(default_factory=list)

    @property
    def in_favour(self) -> int:
        return sum(1 for check in self.checks if check.verdict == Verdict.YES)


def _t(value: datetime | None, order: Order) -> str:
    return store_time(value, order.store)


def _tracking(order: Order, shipments: Sequence[Shipment]) -> ClaimCheck:
    question = _("Valid tracking uploaded?")
    if not order.is_mfn:
        return ClaimCheck("tracking", question, Verdict.NOT_APPLICABLE,
                          _("Amazon fulfilled this order: its tracking is Amazon's."))
    if not shipments:
        return ClaimCheck("tracking", question, Verdict.NO, _("No shipment was confirmed."))
    evidence, verdicts = [], []
    for shipment in shipments:
        spec = carrier_spec(shipment.carrier)
        name = shipment.carrier_label or (spec.name if spec else shipment.carrier)
        if not shipment.tracking_number:
            verdicts.append(Verdict.NO)
            evidence.append(_("%(carrier)s: no tracking number") % {"carrier": name})
            continue
        check = tracking_validate(carrier=shipment.carrier, number=shipment.tracking_number)
        verdicts.append({True: Verdict.YES, False: Verdict.NO, None: Verdict.UNKNOWN}[check.valid])
        evidence.append(f"{name} {check.number}" + (f" — {check.message}" if check.message else ""))
    if Verdict.NO in verdicts:
        return ClaimCheck("tracking", question, Verdict.NO,
                          _("A tracking number is missing or does not match its carrier's format."), tuple(evidence))
    if Verdict.UNKNOWN in verdicts:
        return ClaimCheck("tracking", question, Verdict.UNKNOWN,
                          _("The carrier's number format is not known: check the number by eye."), tuple(evidence))
    return ClaimCheck("tracking", question, Verdict.YES, _("Every parcel has a well-formed tracking number."),
                      tuple(evidence))


def _shipped(order: Order, shipped_at: datetime | None) -> ClaimCheck:
    question = _("Shipped on time?")
    if not order.is_mfn:
        return ClaimCheck("shipped", question, Verdict.NOT_APPLICABLE, _("Amazon shipped this order."))
    ship_by = order.latest_ship_date
    evidence = tuple(text for text in (
        _("Ship by: %(at)s") % {"at": _t(ship_by, order)} if ship_by else "",
        _("First ship confirmation: %(at)s") % {"at": _t(shipped_at, order)} if shipped_at else "") if text)
    if shipped_at is None:
        return ClaimCheck("shipped", question, Verdict.NO, _("The order has not been confirmed as shipped."), evidence)
    if ship_by is None:
        return ClaimCheck("shipped", question, Verdict.UNKNOWN, _("The order has no ship-by date."), evidence)
    if shipped_at <= ship_by:
        return ClaimCheck("shipped", question, Verdict.YES, _("Confirmed before the ship-by date."), evidence)
    return ClaimCheck("shipped", question, Verdict.NO, _("Confirmed after the ship-by date."), evidence)


def _delivered(order: Order, delivered_at: datetime | None) -> ClaimCheck:
    question = _("Delivered in time?")
    if not order.is_mfn:
        return ClaimCheck("delivered", question, Verdict.NOT_APPLICABLE, _("Amazon delivered this order."))
    deliver_by = order.latest_delivery_date
    evidence = tuple(text for text in (
        _("Deliver by: %(at)s") % {"at": _t(deliver_by, order)} if deliver_by else "",
        _("Delivered: %(at)s") % {"at": _t(delivered_at, order)} if delivered_at else "") if text)
    if delivered_at is None:
        return ClaimCheck("delivered", question, Verdict.NO, _("The carrier has not reported a delivery."), evidence)
    if deliver_by is None:
        return ClaimCheck("delivered", question, Verdict.UNKNOWN, _("The order has no latest delivery date."),
                          evidence)
    if delivered_at <= deliver_by:
        return ClaimCheck("delivered", question, Verdict.YES, _("Delivered by the latest delivery date."), evidence)
    return ClaimCheck("delivered", question, Verdict.NO, _("Delivered after the latest delivery date."), evidence)


def _contacted(order: Order, replies: Sequence[Message]) -> ClaimCheck:
    question = _("Buyer contacted?")
    if not replies:
        return ClaimCheck("contacted", question, Verdict.NO, _("No message to the buyer about this order."))
    evidence = tuple(f"{_t(m.sent_at, order)} — {m.body[:120]}" for m in replies[:3])
    detail = _("%(count)s message(s) to the buyer, the first on %(at)s.") % {
        "count": len(replies), "at": _t(replies[0].sent_at, order)}
    return ClaimCheck("contacted", question, Verdict.YES, detail, evidence)


def _refund(order: Order, refunds: Sequence[Refund]) -> ClaimCheck:
    question = _("Refund issued?")
    if not refunds:
        return ClaimCheck("refund", question, Verdict.NO, _("No refund has been issued on this order."))
    total = sum((r.amount for r in refunds), Decimal(0))
    evidence = tuple(f"{_t(r.refunded_at, order)} — {r.amount} {r.currency}" for r in refunds)
    return ClaimCheck("refund", question, Verdict.YES,
                      _("%(amount)s %(currency)s refunded.") % {"amount": total, "currency": order.currency}, evidence)


def claim_review(*, order: Order, shipments: Iterable[Shipment], messages: Iterable[Message],
                 refunds: Iterable[Refund]) -> ClaimReview:
    """The five questions Amazon asks of a claim, answered from the order's shipments, messages and refunds."""
    parcels = sorted(shipments, key=lambda s: (s.shipped_at, s.pk or 0))
    replies = sorted((m for m in messages if m.direction == Message.Direction.OUTBOUND and not m.is_internal_note),
                     key=lambda m: (m.sent_at, m.pk or 0))
    paid = sorted(refunds, key=lambda r: (r.refunded_at, r.pk or 0))
    shipped_at = order.first_shipped_at or (parcels[0].shipped_at if parcels else None)
    delivered = [s.delivered_at for s in parcels if s.delivered_at]
    # Every parcel must arrive: the order is delivered when its last parcel is.
    delivered_at = max(delivered) if delivered and len(delivered) == len(parcels) else None
    tracked = next((s for s in reversed(parcels) if s.tracking_number), None)
    facts = ClaimFacts(
        order_id=order.amazon_order_id, shipped_at=shipped_at, ship_by=order.latest_ship_date,
        carrier=tracked.carrier_label if tracked else "",
        tracking_number=tracked.tracking_number if tracked else "",
        tracking_link=tracking_url(carrier=tracked.carrier, number=tracked.tracking_number) if tracked else "",
        delivered_at=delivered_at, deliver_by=order.latest_delivery_date,
        contacted_at=replies[0].sent_at if replies else None,
        refunded=sum((r.amount for r in paid), Decimal(0)) if paid else None,
        refunded_at=paid[-1].refunded_at if paid else None, currency=order.currency,
        fulfilled_by_amazon=not order.is_mfn,
    )
    return ClaimReview(facts, [
        _tracking(order, parcels), _shipped(order, shipped_at), _delivered(order, delivered_at),
        _contacted(order, replies), _refund(order, paid),
    ])
