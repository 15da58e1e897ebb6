"""What an order's lines and parcels say of its status, in one place.

Once something has shipped, the status follows from the items: Partially shipped while units are still owed,
Shipped once none is, Delivered once every parcel has arrived. Every writer of shipped quantities (the
shipment services, the report imports, the demo generator) asks ``order_status_derived`` where that leaves
the order, then moves it there through the transition table.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from .models import ORDER_TRANSITIONS, OrderStatus, units_owed

S = OrderStatus
#: How far along its shipping each status says an order is; the lines never take an order back.
_PROGRESS: dict[str, int] = {S.PARTIALLY_SHIPPED: 1, S.SHIPPED: 2, S.INVOICE_UNCONFIRMED: 2, S.DELIVERED: 3}
#: Our own steps that Amazon's statuses do not know, under the status of Amazon's they refine.
_REFINES: dict[str, frozenset[str]] = {
    S.UNSHIPPED: frozenset({S.CONFIRMED, S.PACKED}),
    S.SHIPPED: frozenset({S.DELIVERED}),
}


class Line(Protocol):
    """What the derivation reads of an order line: an ``OrderItem``, or any row with these attributes."""

    quantity: int
    quantity_shipped: int
    is_canceled: bool


def order_status_derived(*, status: str, lines: Iterable[Line] = (), delivered: bool = False) -> str:
    """The status ``lines`` and the parcels put an order in that is ``status`` now.

    Some units shipped and some still owed (a cancelled line owes none; a line shipped beyond its quantity
    owes none either): Partially shipped. Units shipped and none owed: Shipped. Shipped and ``delivered``
    (every parcel has arrived): Delivered. Otherwise ``status`` stands: nothing has shipped yet (Unshipped,
    Confirmed, Packed…), the order is further along than its lines say (Shipped by Amazon's word, Invoice
    unconfirmed), or its status is final (Cancelled, Delivered).
    """
    if not ORDER_TRANSITIONS.get(status):
        return status
    shipped = owed = 0
    for line in lines:
        shipped += line.quantity_shipped
        owed += units_owed(quantity=line.quantity, shipped=line.quantity_shipped, is_canceled=line.is_canceled)
    if shipped:
        by_lines = S.PARTIALLY_SHIPPED if owed else S.SHIPPED
        if _PROGRESS.get(status, 0) < _PROGRESS[by_lines]:
            status = by_lines
    if delivered and status == S.SHIPPED:
        return S.DELIVERED
    return status


def status_agrees(ours: str, reported: str) -> bool:
    """Whether our status already says what Amazon reports: the same, or a step of ours that refines it
    (Confirmed and Packed are Unshipped to Amazon, Delivered is Shipped)."""
    return ours == reported or ours in _REFINES.get(reported, ())
