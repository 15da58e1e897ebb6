"""What an operator does for a parcel that is stuck or lost: file a trace with its carrier, and send the same units
again at no charge (a replacement shipment).

A trace (``CarrierTrace``) records the request filed on the carrier's own page (``CARRIERS[…].trace_url``) and
moves open → found / lost → closed (``TRACE_STATES``). A replacement is a new ``Shipment`` of the order whose
``replacement_of`` names the lost one: its units come out of available stock, the order's lines and status are
left as they were (the units were shipped once), and Amazon never hears of it, so it is not the order's ship
confirmation and no shipment metric counts it (``AMAZON_KNOWN_SHIPMENTS``). Both land on the order's timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.state import actor_or_none, locked, not_future
from listings.models import Listing
from listings.services import stock_consume_available
from orders.models import OrderEvent, OrderItem
from orders.services import order_event_record

from .carriers import normalize, trace_page
from .follow_ups import shipment_follow_up_mark
from .models import TRACE_STATES, CarrierTrace, FollowUp, Shipment, ShipmentItem, TraceStatus
from .services import shipment_create
from .tracking import tracking_validate

CENT = Decimal("0.01")


def _name(shipment: Shipment) -> str:
    return f"{shipment.carrier_label} {shipment.tracking_number}".strip()


# --- The rules: when each remedy may be taken ---------------------------------------------------------------


def trace_refusal(*, shipment: Shipment, open_trace: CarrierTrace | None = None) -> str:
    """Why no trace may be filed for ``shipment`` (its ``open_trace``, if it has one), or "" when one may."""
    if not shipment.is_sellers:
        return _("Parcel %(parcel)s was shipped by Amazon (FBA): Amazon traces its own parcels.") % {
            "parcel": _name(shipment)}
    if not shipment.tracking_number:
        return _("This parcel has no tracking number: a carrier traces only a parcel it can look up.")
    if shipment.is_delivered:
        return _("Parcel %(parcel)s was delivered: there is nothing to trace.") % {"parcel": _name(shipment)}
    if open_trace is not None:
        return _("A trace is already open for parcel %(parcel)s (reference %(reference)s); update it instead.") % {
            "parcel": _name(shipment), "reference": open_trace.reference or "—"}
    return ""


def replacement_refusal(*, shipment: Shipment, replaced_by: Shipment | None = None) -> str:
    """Why ``shipment`` may not be replaced (``replaced_by``: its replacement, if it has one), or "" when it may."""
    if not shipment.is_sellers:
        return _("Parcel %(parcel)s was shipped by Amazon (FBA): Amazon replaces its own parcels.") % {
            "parcel": _name(shipment)}
    if shipment.is_delivered:
        return _("Parcel %(parcel)s was delivered: a replacement is for a parcel that is stuck or lost.") % {
            "parcel": _name(shipment)}
    if replaced_by is not None:
        return _("Parcel %(parcel)s was already replaced by %(replacement)s.") % {
            "parcel": _name(shipment), "replacement": _name(replaced_by)}
    return ""


def _replacement_of(shipment: Shipment) -> Shipment | None:
    return Shipment.objects.filter(replacement_of=shipment).first()


# --- What the carrier asks for --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParcelLine:
    sku: str
    title: str
    quantity: int
    #: What these units cost the buyer (the line's item price, shared by its units).
    value: Decimal


@dataclass(frozen=True)
class TraceFacts:
    """What a carrier's trace or claim form asks for, from the order: the operator copies it across."""

    carrier: str
    tracking_number: str
    shipped_at: datetime
    sender: str
    recipient: str
    address_lines: list[str]
    lines: list[ParcelLine] = field(default_factory=list)
    currency: str = ""
    trace_url: str = ""

    @property
    def value(self) -> Decimal:
        return sum((line.value for line in self.lines), Decimal("0"))

    @property
    def contents(self) -> str:
        return "; ".join(f"{line.quantity} × {line.title or line.sku}" for line in self.lines)


def unit_value(item: OrderItem, quantity: int) -> Decimal:
    """The buyer's price of ``quantity`` units of ``item`` (Amazon's item price is the whole line's)."""
    if not item.quantity:
        return Decimal("0")
    return (item.item_price * quantity / item.quantity).quantize(CENT, rounding=ROUND_HALF_UP)


def trace_facts(*, shipment: Shipment, items: Iterable[ShipmentItem]) -> TraceFacts:
    """The facts of ``shipment`` (its ``items``, each with its order item) a carrier asks for."""
    order = shipment.order
    lines = [ParcelLine(sku=i.order_item.sku, title=i.order_item.title, quantity=i.quantity,
                        value=unit_value(i.order_item, i.quantity)) for i in items]
    return TraceFacts(carrier=shipment.carrier_label, tracking_number=shipment.tracking_number,
                      shipped_at=shipment.shipped_at, sender=order.store.name, recipient=order.ship_name,
                      address_lines=order.address_lines, lines=lines, currency=order.currency,
                      trace_url=trace_page(shipment.carrier))


# --- Carrier traces -------------------------------------------------------------------------------------------


def _trace_what(trace: CarrierTrace) -> str:
    return _("The trace of %(parcel)s") % {"parcel": _name(trace.shipment)}


@transaction.atomic
def carrier_trace_file(*, shipment: Shipment, reference: str = "", note: str = "", filed_at: datetime | None = None,
                       actor: User | None = None, source: str = "ui") -> CarrierTrace:
    """Record the trace the operator filed with the carrier of ``shipment``, and put it on the order's timeline.

    Refused for a parcel Amazon shipped, one without a tracking number, a delivered one, or one whose trace is
    still open.
    """
    shipment = locked(shipment, "order", "order__store")
    refusal = trace_refusal(shipment=shipment,
                            open_trace=shipment.traces.filter(status=TraceStatus.OPEN).first())
    if refusal:
        raise ApplicationError(refusal)
    filed_at = not_future(filed_at or timezone.now(), what=_("The filing time"))
    if filed_at < shipment.shipped_at:
        raise ApplicationError(_("A trace cannot be filed before the parcel was shipped."))
    reference, note = reference.strip()[:80], note.strip()
    trace = CarrierTrace.objects.create(store_id=shipment.store_id, shipment=shipment, filed_at=filed_at,
                                        reference=reference, note=note, actor=actor_or_none(actor))
    text = _("Trace filed with %(carrier)s for %(number)s, reference %(reference)s.") % {
        "carrier": shipment.carrier_label, "number": shipment.tracking_number, "reference": reference or "—"}
    order_event_record(order=shipment.order, kind=OrderEvent.Kind.TRACE, actor=actor, source=source, at=filed_at,
                       note=f"{text} {note}".strip())
    shipment_follow_up_mark(shipment=shipment, action=FollowUp.TRACE, actor=actor, at=filed_at)
    return trace


@transaction.atomic
def carrier_trace_set_status(*, trace: CarrierTrace, status: str, note: str = "", reference: str = "",
                             at: datetime | None = None, actor: User | None = None,
                             source: str = "ui") -> CarrierTrace:
    """Record the carrier's answer (found, lost) or close the trace; the change goes on the order's timeline.

    ``reference`` fills in the carrier's reference if the trace has none yet.
    """
    trace = locked(trace, "shipment", "shipment__order")
    at = not_future(at or timezone.now(), what=_("The time"))
    if at < trace.filed_at:
        raise ApplicationError(_("The trace's status cannot change before it was filed."))
    old = TRACE_STATES.move(trace, status, what=_trace_what(trace), at=at)
    if status == TraceStatus.CLOSED and trace.resolved_at is None:
        trace.resolved_at = at
    reference, note = reference.strip()[:80], note.strip()
    if reference and not trace.reference:
        trace.reference = reference
    if note:
        trace.note = f"{trace.note}\n{note}".strip()
    trace.save(update_fields=["status", "resolved_at", "closed_at", "reference", "note"])
    labels = dict(TraceStatus.choices)
    text = _("Trace %(reference)s of %(parcel)s: %(old)s → %(new)s.") % {
        "reference": trace.reference or "—", "parcel": _name(trace.shipment), "old": labels[old],
        "new": labels[status]}
    order_event_record(order=trace.shipment.order, kind=OrderEvent.Kind.TRACE, actor=actor, source=source, at=at,
                       note=f"{text} {note}".strip())
    return trace


# --- Replacements ---------------------------------------------------------------------------------------------


def replacement_quantities(*, shipped: dict[int, int], quantities: dict[int, int] | None) -> dict[int, int]:
    """The units to send again, by order item id: every unit of the lost parcel (``shipped``, by order item id)
    when ``quantities`` is None, else ``quantities`` checked against it (zeros left out)."""
    if quantities is None:
        return dict(shipped)
    unknown = sorted(set(quantities) - set(shipped))
    if unknown:
        raise ApplicationError(_("These items were not in the lost parcel: %(items)s.")
                               % {"items": ", ".join(map(str, unknown))})
    for pk, qty in quantities.items():
        if qty < 0 or qty > shipped[pk]:
            raise ApplicationError(_("Item %(item)s: %(qty)d units cannot be sent again; the parcel held %(held)d.")
                                   % {"item": pk, "qty": qty, "held": shipped[pk]})
    chosen = {pk: qty for pk, qty in quantities.items() if qty}
    if not chosen:
        raise ApplicationError(_("Choose at least one unit to send again."))
    return chosen


@transaction.atomic
def shipment_replace(*, shipment: Shipment, carrier: str, tracking_number: str, carrier_name: str = "",
                     ship_method: str = "", shipped_at: datetime | None = None,
                     quantities: dict[int, int] | None = None, accept_malformed: bool = False,
                     actor: User | None = None, source: str = "ui") -> Shipment:
    """Send again, at no charge, the units of ``shipment`` (all of them, or ``quantities`` by order item id), as a
    new shipment of the order marked as its replacement. Returns the replacement.

    The units come out of available stock (all or nothing: a short SKU refuses the whole replacement); the
    order's lines, status and ship confirmation stay as they were. A number that does not match the carrier's
    format is refused unless ``accept_malformed``.
    """
    lost = locked(shipment, "order", "order__store")
    refusal = replacement_refusal(shipment=lost, replaced_by=_replacement_of(lost))
    if refusal:
        raise ApplicationError(refusal)
    order = lost.order
    shipped_at = not_future(shipped_at or timezone.now(), what=_("The ship date"))
    if shipped_at < lost.shipped_at:
        # Nor may it: the order's first ship confirmation is its earliest shipment's.
        raise ApplicationError(_("A replacement cannot leave before the parcel it replaces."))
    number = normalize(tracking_number)
    if number and number == normalize(lost.tracking_number):
        raise ApplicationError(_("The replacement needs its own tracking number, not the lost parcel's."))
    check = tracking_validate(carrier=carrier, number=number) if number else None
    if check is not None and check.is_malformed and not accept_malformed:
        raise ApplicationError(check.message)
    lost_items = list(lost.items.select_related("order_item__listing"))
    items = {i.order_item_id: i for i in lost_items}
    shipped: dict[int, int] = {}
    for item in lost_items:
        shipped[item.order_item_id] = shipped.get(item.order_item_id, 0) + item.quantity
    chosen = replacement_quantities(shipped=shipped, quantities=quantities)
    # Everything is checked before the first write; the stock check locks the listings and refuses as a whole.
    needs: dict[Listing, int] = {}
    for pk, qty in chosen.items():
        listing = items[pk].order_item.listing
        if listing is not None:
            needs[listing] = needs.get(listing, 0) + qty
    replacement = shipment_create(order=order, carrier=carrier, carrier_name=carrier_name,
                                  tracking_number=number, ship_method=ship_method, shipped_at=shipped_at,
                                  quantities=chosen, replacement_of=lost)
    stock_consume_available(quantities=needs, order=order, actor=actor, at=shipped_at)
    units = ", ".join(f"{qty} × {items[pk].order_item.sku}" for pk, qty in sorted(chosen.items()))
    order_event_record(order=order, kind=OrderEvent.Kind.REPLACEMENT, actor=actor, source=source, at=shipped_at,
                       note=_("Replacement of %(lost)s sent at no charge with %(replacement)s: %(units)s.") % {
                           "lost": _name(lost), "replacement": _name(replacement), "units": units})
    shipment_follow_up_mark(shipment=lost, action=FollowUp.REPLACEMENT, actor=actor, at=shipped_at)
    return replacement
