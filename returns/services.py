"""Every write to a return: the request, the seller's answer, the parcel coming back, the refund, the close.

Each service runs in one transaction, locks the return, checks the move against ``RETURN_TRANSITIONS``,
records the first response (Return Dissatisfaction Rate's 48 hours), writes a ``RETURN`` entry on the
order's timeline and schedules a metrics recompute for after the commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.signals import store_data_changed_send
from core.state import CLOCK_SKEW, actor_or_none, locked, not_future
from listings.models import Listing, StockMovement
from listings.services import stock_adjust
from orders.models import Order, OrderEvent, OrderItem, OrderStatus
from orders.services import order_event_record

from .models import (
    RETURN_STATES,
    Disposition,
    Refund,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

#: Order statuses in which units have reached (or are on their way to) the buyer and can come back.
RETURNABLE_ORDER_STATUSES = frozenset({
    OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED, OrderStatus.INVOICE_UNCONFIRMED,
    OrderStatus.DELIVERED,
})
CENT = Decimal("0.01")


@dataclass(frozen=True)
class AmazonReturnFacts:
    """What Amazon's returns reports say of a return beyond the request itself; kept as given."""

    reason_code: str = ""
    currency: str = ""
    label_cost: Decimal | None = None
    return_carrier: str = ""
    return_tracking_number: str = ""
    a_to_z_claim: bool = False
    refunded_amount: Decimal | None = None
    fnsku: str = ""
    license_plate_number: str = ""
    fulfillment_center_id: str = ""
    detailed_disposition: str = ""

    def fields(self) -> dict:
        return {name: getattr(self, name) for name in self.__dataclass_fields__}


#: Amazon's detailed dispositions (FBA customer returns) as ours: what the unit is good for now.
FBA_DISPOSITIONS: dict[str, str] = {
    "SELLABLE": Disposition.SELLABLE, "DEFECTIVE": Disposition.DAMAGED, "CUSTOMER_DAMAGED": Disposition.DAMAGED,
    "CARRIER_DAMAGED": Disposition.DAMAGED, "DISTRIBUTOR_DAMAGED": Disposition.DAMAGED,
    "WAREHOUSE_DAMAGED": Disposition.DAMAGED, "EXPIRED": Disposition.DISPOSED, "DISPOSED": Disposition.DISPOSED,
}


@dataclass(frozen=True)
class ReturnRejection:
    """The rejected return, and a warning for the operator when the rejection will count against them."""

    return_request: ReturnRequest
    warning: str = ""


def _what(return_request: ReturnRequest) -> str:
    return _("The return of %(sku)s on order %(order)s") % {
        "sku": return_request.sku, "order": return_request.order.amazon_order_id}


def _lock(return_request: ReturnRequest) -> ReturnRequest:
    return locked(return_request, "order", "order_item", "order_item__listing")


def _when(return_request: ReturnRequest, at: datetime | None) -> datetime:
    """Default ``at`` to now; refuse a time in the future or before the buyer asked."""
    at = not_future(at or timezone.now())
    if at < return_request.requested_at:
        raise ApplicationError(
            _("%(value)s is before the return was requested (%(requested)s).")
            % {"value": at.isoformat(), "requested": return_request.requested_at.isoformat()})
    return at


def _transition(return_request: ReturnRequest, new: str, at: datetime) -> str:
    """Check the move to ``new`` against the table and make it at ``at``; return the old status."""
    return RETURN_STATES.move(return_request, new, what=_what(return_request), at=at)


def _respond(return_request: ReturnRequest, at: datetime, update_fields: list[str]) -> None:
    """Record the seller's first answer; later ones leave the response time as it was."""
    if return_request.responded_at is None:
        return_request.responded_at = at
        update_fields.append("responded_at")


def _event(return_request: ReturnRequest, *, old: str, actor: User | None, source: str,
           at: datetime, note: StrOrPromise = "") -> OrderEvent:
    labels = dict(ReturnStatus.choices)
    head = _("Return %(sku)s × %(qty)d: %(old)s → %(new)s") % {
        "sku": return_request.sku, "qty": return_request.quantity,
        "old": labels.get(old, old) if old else "—", "new": labels[return_request.status]}
    return order_event_record(order=return_request.order, kind=OrderEvent.Kind.RETURN, actor=actor,
                              source=source, at=at, note=f"{head}. {note}" if note else head)


def _counted_returns(*, order: Order, sku: str, exclude_pk: int | None = None):
    """The returns of ``sku`` on ``order`` that hold units (not rejected, nor closed with nothing back)."""
    refunded = Refund.objects.filter(return_request=OuterRef("pk"))
    returns = (ReturnRequest.objects.filter(order=order, sku=sku)
               .exclude(status=ReturnStatus.REJECTED)
               .exclude(Q(status=ReturnStatus.CLOSED, received_at__isnull=True) & ~Exists(refunded)))
    if exclude_pk is not None:
        returns = returns.exclude(pk=exclude_pk)
    return returns


def _check_quantity(*, order: Order, sku: str, quantity: int,
                    exclude_pk: int | None = None) -> list[OrderItem]:
    items = list(order.items.filter(sku=sku).order_by("id"))
    if not items:
        raise ApplicationError(_("Order %(order)s has no item with SKU %(sku)s.")
                               % {"order": order.amazon_order_id, "sku": sku})
    partly = order.status == OrderStatus.PARTIALLY_SHIPPED
    sent = sum(item.quantity_shipped if partly or item.is_canceled else item.quantity for item in items)
    counted = _counted_returns(order=order, sku=sku, exclude_pk=exclude_pk)
    already = counted.aggregate(n=Sum("quantity"))["n"] or 0
    if quantity > sent - already:
        raise ApplicationError(
            _("%(qty)d units of %(sku)s cannot be returned: %(sent)d were sent and %(already)d are already "
              "being returned.") % {"qty": quantity, "sku": sku, "sent": sent, "already": already})
    return items


@transaction.atomic
def return_create(*, order: Order, sku: str, quantity: int = 1, reason: str = ReturnReason.OTHER,
                  buyer_comment: str = "", in_policy: bool = True, requested_at: datetime | None = None,
                  amazon_rma_id: str = "", merchant_rma_id: str = "", actor: User | None = None,
                  source: str = "ui", amazon: AmazonReturnFacts | None = None) -> ReturnRequest:
    """Record a buyer's return request for units of a shipped order that have not already come back."""
    if reason not in ReturnReason.values:
        raise ApplicationError(_("Unknown return reason %(reason)s.") % {"reason": reason})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ApplicationError(_("A return needs a quantity of at least 1."))
    sku = (sku or "").strip()
    # Locking the order serialises requests on it, so two cannot both take the last returnable unit.
    order = locked(order)
    if order.status not in RETURNABLE_ORDER_STATUSES:
        raise ApplicationError(
            _("Order %(order)s is %(status)s; only shipped or delivered orders can be returned.")
            % {"order": order.amazon_order_id, "status": order.get_status_display()})
    requested_at = requested_at or timezone.now()
    if requested_at > timezone.now() + CLOCK_SKEW:
        raise ApplicationError(_("The request time %(value)s is in the future.")
                               % {"value": requested_at.isoformat()})
    if requested_at < order.purchase_date:
        raise ApplicationError(_("A return cannot be requested before the order was placed."))
    items = _check_quantity(order=order, sku=sku, quantity=quantity)
    return_request = ReturnRequest.objects.create(
        store_id=order.store_id, order=order, order_item=items[0], sku=sku, quantity=quantity, reason=reason,
        buyer_comment=buyer_comment, in_policy=in_policy, requested_at=requested_at,
        amazon_rma_id=amazon_rma_id, merchant_rma_id=merchant_rma_id, fulfillment_channel=order.fulfillment_channel,
        **(amazon or AmazonReturnFacts()).fields(),
    )
    _event(return_request, old="", actor=actor, source=source, at=requested_at,
           note=ReturnReason(reason).label)
    store_data_changed_send(store_id=order.store_id)
    return return_request


@transaction.atomic
def return_record_fba(*, order: Order, sku: str, quantity: int, returned_at: datetime, reason: str,
                      buyer_comment: str = "", amazon: AmazonReturnFacts, source: str = "import") -> ReturnRequest:
    """Record a unit Amazon took back into its warehouse for an FBA order: already received, with Amazon's
    disposition. Amazon handles it, so it waits for no one and is not in the Return Dissatisfaction Rate."""
    if order.is_mfn:
        raise ApplicationError(_("Order %(order)s is seller-fulfilled; the FBA customer returns report lists only "
                                 "orders fulfilled by Amazon.") % {"order": order.amazon_order_id})
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ApplicationError(_("A return needs a quantity of at least 1."))
    if returned_at > timezone.now() + CLOCK_SKEW:
        raise ApplicationError(_("The request time %(value)s is in the future.") % {"value": returned_at.isoformat()})
    order = locked(order)
    returned_at = max(returned_at, order.purchase_date)
    items = _check_quantity(order=order, sku=sku, quantity=quantity)
    disposition = FBA_DISPOSITIONS.get(amazon.detailed_disposition.strip().upper().replace(" ", "_"), "")
    return_request = ReturnRequest.objects.create(
        store_id=order.store_id, order=order, order_item=items[0], sku=sku, quantity=quantity, reason=reason,
        buyer_comment=buyer_comment, requested_at=returned_at, status=ReturnStatus.RECEIVED,
        received_at=returned_at, disposition=disposition, fulfillment_channel=order.fulfillment_channel,
        **amazon.fields(),
    )
    _event(return_request, old="", actor=None, source=source, at=returned_at,
           note=_("Received by Amazon (%(disposition)s)") % {"disposition": amazon.detailed_disposition or "—"})
    return return_request


@transaction.atomic
def return_authorize(*, return_request: ReturnRequest, label_provided: bool = False,
                     merchant_rma_id: str = "", actor: User | None = None, source: str = "ui",
                     at: datetime | None = None, note: str = "") -> ReturnRequest:
    """Accept the return, with or without a prepaid label."""
    return_request = _lock(return_request)
    at = _when(return_request, at)
    old = _transition(return_request, ReturnStatus.AUTHORIZED, at)
    if old == ReturnStatus.REJECTED:
        # A rejected return held no units; taking it back must still fit what was sent.
        _check_quantity(order=return_request.order, sku=return_request.sku, quantity=return_request.quantity,
                        exclude_pk=return_request.pk)
    return_request.label_provided = label_provided
    update_fields = ["status", "label_provided"]
    if merchant_rma_id:
        return_request.merchant_rma_id = merchant_rma_id
        update_fields.append("merchant_rma_id")
    _respond(return_request, at, update_fields)
    return_request.save(update_fields=update_fields)
    parts = [_("prepaid label") if label_provided else _("no label"), note.strip()]
    _event(return_request, old=old, actor=actor, source=source, at=at, note="; ".join(p for p in parts if p))
    store_data_changed_send(store_id=return_request.store_id)
    return return_request


@transaction.atomic
def return_reject(*, return_request: ReturnRequest, reason: str, actor: User | None = None,
                  source: str = "ui", at: datetime | None = None) -> ReturnRejection:
    """Refuse the return, saying why; rejecting one that is within policy counts against the seller."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for rejecting the return."))
    return_request = _lock(return_request)
    at = _when(return_request, at)
    old = _transition(return_request, ReturnStatus.REJECTED, at)
    return_request.rejected_reason = reason[:200]
    update_fields = ["status", "rejected_at", "rejected_reason"]
    _respond(return_request, at, update_fields)
    return_request.save(update_fields=update_fields)
    _event(return_request, old=old, actor=actor, source=source, at=at, note=reason)
    store_data_changed_send(store_id=return_request.store_id)
    warning = ""
    if return_request.in_policy:
        warning = _("This return was within the return policy: rejecting it counts against the Return "
                    "Dissatisfaction Rate, and the buyer may still file an A-to-z claim.")
    return ReturnRejection(return_request=return_request, warning=warning)


def _listing_for(return_request: ReturnRequest) -> Listing | None:
    item = return_request.order_item
    if item is not None and item.listing is not None:
        return item.listing
    return Listing.objects.filter(store_id=return_request.store_id, sku=return_request.sku).first()


@transaction.atomic
def return_receive(*, return_request: ReturnRequest, disposition: str, actor: User | None = None,
                   source: str = "ui", at: datetime | None = None, note: str = "") -> ReturnRequest:
    """Record the units coming back; sellable ones go back to the listing's available stock."""
    if disposition not in Disposition.values:
        raise ApplicationError(_("The disposition must be one of: %(choices)s.")
                               % {"choices": ", ".join(str(label) for label in Disposition.labels)})
    return_request = _lock(return_request)
    at = _when(return_request, at)
    old = _transition(return_request, ReturnStatus.RECEIVED, at)
    if disposition == Disposition.SELLABLE:
        listing = _listing_for(return_request)
        if listing is None:
            raise ApplicationError(
                _("No listing has SKU %(sku)s, so the units cannot go back to stock; record them as damaged "
                  "or disposed, or create the listing first.") % {"sku": return_request.sku})
        stock_adjust(listing=listing, available=return_request.quantity, reason=StockMovement.Reason.RETURN,
                     actor=actor_or_none(actor), at=at,
                     note=_("Return on order %(order)s") % {"order": return_request.order.amazon_order_id})
    return_request.disposition = disposition
    return_request.save(update_fields=["status", "received_at", "disposition"])
    parts = [str(Disposition(disposition).label), note.strip()]
    _event(return_request, old=old, actor=actor, source=source, at=at, note="; ".join(p for p in parts if p))
    store_data_changed_send(store_id=return_request.store_id)
    return return_request


def _item_value(return_request: ReturnRequest) -> Decimal:
    """The price of the returned units: the line's price (Amazon's ItemPrice is per line) pro rata."""
    item = return_request.order_item
    if item is None or item.item_price <= 0:
        raise ApplicationError(_("The order item has no price recorded, so a refund cannot be checked "
                                 "against it."))
    return (item.item_price * return_request.quantity / item.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


@transaction.atomic
def return_refund(*, return_request: ReturnRequest, kind: str, amount: Decimal | str | None = None,
                  reason: str = "", actor: User | None = None, source: str = "ui",
                  at: datetime | None = None) -> Refund:
    """Refund the returned units in full, or part of their value; never more than they cost."""
    if kind not in Refund.Kind.values:
        raise ApplicationError(_("The refund must be full or partial."))
    return_request = _lock(return_request)
    at = _when(return_request, at)
    if return_request.refunds.filter(kind=Refund.Kind.FULL).exists():
        raise ApplicationError(_("%(what)s has already been refunded in full.")
                               % {"what": _what(return_request)})
    old = _transition(return_request, ReturnStatus.REFUNDED, at)
    value = _item_value(return_request)
    item = return_request.order_item
    assert item is not None  # _item_value refused a return without one
    refunded = (Refund.objects.filter(return_request__order_item=item).aggregate(total=Sum("amount"))["total"]
                or Decimal("0"))
    left = min(value, item.item_price - refunded)
    if kind == Refund.Kind.FULL:
        if left < value:
            raise ApplicationError(
                _("%(refunded)s of this item's %(price)s has already been refunded; a full refund of "
                  "%(value)s would refund it twice.")
                % {"refunded": refunded, "price": item.item_price, "value": value})
        amount = value
    else:
        try:
            amount = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
        except InvalidOperation:
            amount = None
        if amount is None or amount <= 0:
            raise ApplicationError(_("A partial refund needs an amount greater than zero."))
        if amount > left:
            raise ApplicationError(
                _("A refund of %(amount)s is more than the %(left)s left to refund on these units.")
                % {"amount": amount, "left": left})
    order = return_request.order
    refund = Refund.objects.create(
        store_id=return_request.store_id, order=order, return_request=return_request, kind=kind,
        amount=amount, currency=order.currency or order.store.currency, reason=(reason or "").strip()[:200],
        refunded_at=at, actor=actor_or_none(actor),
    )
    update_fields = ["status"]
    _respond(return_request, at, update_fields)
    return_request.save(update_fields=update_fields)
    _event(return_request, old=old, actor=actor, source=source, at=at,
           note=f"{Refund.Kind(kind).label} {amount} {refund.currency}")
    store_data_changed_send(store_id=return_request.store_id)
    return refund


@transaction.atomic
def return_close(*, return_request: ReturnRequest, actor: User | None = None, source: str = "ui",
                 at: datetime | None = None, note: str = "") -> ReturnRequest:
    """Close the return; closing an unanswered request is also an answer to it."""
    return_request = _lock(return_request)
    at = _when(return_request, at)
    old = _transition(return_request, ReturnStatus.CLOSED, at)
    update_fields = ["status", "closed_at"]
    _respond(return_request, at, update_fields)
    return_request.save(update_fields=update_fields)
    _event(return_request, old=old, actor=actor, source=source, at=at, note=note.strip())
    store_data_changed_send(store_id=return_request.store_id)
    return return_request


@transaction.atomic
def return_record_negative_feedback(*, return_request: ReturnRequest, at: datetime | None = None,
                                    actor: User | None = None,
                                    source: str = "ui") -> ReturnRequest:
    """Record that the buyer rated the return experience negatively (it counts in Return Dissatisfaction)."""
    return_request = _lock(return_request)
    at = _when(return_request, at)
    if return_request.negative_feedback_at is not None:
        return return_request
    return_request.negative_feedback_at = at
    return_request.save(update_fields=["negative_feedback_at"])
    order_event_record(order=return_request.order, kind=OrderEvent.Kind.RETURN, actor=actor, source=source,
                       at=at, note=_("Return %(sku)s: negative feedback") % {"sku": return_request.sku})
    store_data_changed_send(store_id=return_request.store_id)
    return return_request


@transaction.atomic
def return_offer_replacement(*, return_request: ReturnRequest, note: str = "",
                             actor: User | None = None, source: str = "ui",
                             at: datetime | None = None) -> ReturnRequest:
    """Answer the return with a replacement instead of a refund: note the offer on the order and close it.

    Nothing is sent to Amazon: the replacement order itself is created in Seller Central.
    """
    return_request = _lock(return_request)
    at = _when(return_request, at)
    if return_request.status not in {ReturnStatus.REQUESTED, ReturnStatus.AUTHORIZED, ReturnStatus.RECEIVED}:
        raise ApplicationError(_("%(what)s is %(status)s; a replacement can only answer an open return.")
                               % {"what": _what(return_request), "status": return_request.get_status_display()})
    old = _transition(return_request, ReturnStatus.CLOSED, at)
    update_fields = ["status", "closed_at"]
    _respond(return_request, at, update_fields)
    return_request.save(update_fields=update_fields)
    offer = _("Replacement offered for %(sku)s × %(qty)d") % {"sku": return_request.sku,
                                                               "qty": return_request.quantity}
    note = note.strip()
    order_event_record(order=return_request.order, kind=OrderEvent.Kind.NOTE, actor=actor, source=source, at=at,
                       note=f"{offer}: {note}" if note else offer)
    _event(return_request, old=old, actor=actor, source=source, at=at, note=_("replacement offered"))
    store_data_changed_send(store_id=return_request.store_id)
    return return_request
