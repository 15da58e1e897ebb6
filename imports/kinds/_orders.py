"""Creating many orders at once, with the same rows ``orders.services.order_create`` writes one by one.

``order_create`` costs a dozen queries per order; a 100,000-line report needs a fraction of that. This
writes the same rows in batches: the order, its items linked to the store's listings, the stock reserved
for seller-fulfilled units still owed (one ``StockMovement`` per item, as ``stock_reserve`` records it),
the risk flags and the first timeline entry. Orders Amazon reports in a later status (shipped,
cancelled…) are history: nothing is reserved for them and their timeline starts with an import entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import F
from django.utils.translation import gettext as _

from core.bulk import insert_rows, reserve_ids
from core.errors import ApplicationError
from listings.models import Channel, Listing, StockMovement
from listings.services import BUMP as STOCK_VERSION_BUMP
from listings.signals import stock_changed_send
from orders.models import (
    ITEM_AMOUNTS,
    OPEN_STATUSES,
    CancelInitiator,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    line_total,
    units_owed,
)
from orders.risk import risk_flags
from orders.services import ItemData
from orders.status import status_agrees

from .. import bounds
from ..base import SOURCE, Context
from ..parsers import Column

BATCH = 1000
S = OrderStatus
#: The statuses ``order_create`` accepts for a new order; others are imported as history.
NEW_ORDER_STATUSES = frozenset({S.PENDING, S.PENDING_AVAILABILITY, S.UNSHIPPED})
#: Statuses in which every unit has left the warehouse.
SHIPPED_STATUSES = frozenset({S.SHIPPED, S.INVOICE_UNCONFIRMED, S.DELIVERED})

_STATUS_WORDS = {
    "pending": S.PENDING,
    "pendingwaitingforpickup": S.PENDING,
    "pendingavailability": S.PENDING_AVAILABILITY,
    "unshipped": S.UNSHIPPED,
    "partiallyshipped": S.PARTIALLY_SHIPPED,
    "shipped": S.SHIPPED,
    "complete": S.SHIPPED,
    "shippeddeliveredtobuyer": S.DELIVERED,
    "delivered": S.DELIVERED,
    "cancelled": S.CANCELED,
    "canceled": S.CANCELED,
    "unfulfillable": S.UNFULFILLABLE,
    "invoiceunconfirmed": S.INVOICE_UNCONFIRMED,
}
#: The money columns of a line, each read as a positive amount (older reports write discounts negative).
AMOUNT_COLUMNS = ITEM_AMOUNTS
#: How the order reports head those columns, with the line's currency before them.
LINE_MONEY_COLUMNS = (
    Column("currency", "currency"),
    Column("item_price", "item-price"),
    Column("item_tax", "item-tax"),
    Column("shipping_price", "shipping-price"),
    Column("shipping_tax", "shipping-tax"),
    Column("gift_wrap_price", "gift-wrap-price"),
    Column("gift_wrap_tax", "gift-wrap-tax"),
    Column("promotion_discount", "item-promotion-discount"),
    Column("ship_promotion_discount", "ship-promotion-discount"),
)
_CHANNEL_WORDS = {"amazon": Channel.AFN, "afn": Channel.AFN, "merchant": Channel.MFN, "mfn": Channel.MFN,
                  "seller": Channel.MFN}


def _word(value: str) -> str:
    return "".join(ch for ch in value.lower() if ch.isalnum())


def map_channel(value: str) -> str | None:
    """``Amazon`` → AFN, ``Merchant`` → MFN (the All Orders report's words), or the codes themselves."""
    return _CHANNEL_WORDS.get(_word(value))


def map_status(order_status: str, item_statuses: list[str]) -> str | None:
    """Amazon's order-status word as our status; ``Shipping`` is partly shipped once an item has shipped."""
    word = _word(order_status)
    if word == "shipping":
        shipped = [_word(s) in {"shipped", "shippeddeliveredtobuyer"} for s in item_statuses if s]
        return S.PARTIALLY_SHIPPED if any(shipped) else S.UNSHIPPED
    return _STATUS_WORDS.get(word)


@dataclass
class NewItem(ItemData):
    """An order line as a report gives it: the service's ``ItemData``, and where it stands in the file."""

    line: int = 0
    shipped: bool = False


@dataclass
class NewOrder:
    line: int
    amazon_order_id: str
    purchase_date: datetime
    status: str
    fulfillment_channel: str
    items: list[NewItem] = field(default_factory=list)
    last_updated: datetime | None = None
    fields: dict = field(default_factory=dict)
    #: The report says the buyer asked to cancel, and why.
    buyer_cancel_requested: bool = False
    buyer_cancel_reason: str = ""

    @property
    def buyer_cancel_requested_at(self) -> datetime | None:
        if not self.buyer_cancel_requested:
            return None
        return max(self.last_updated or self.purchase_date, self.purchase_date)


def order_take_line_facts(order: NewOrder, lines: list) -> None:
    """What any line of an order says of the whole order: the buyer's request to cancel (with the first reason
    given) and, when the first line left it empty, the currency. ``lines`` have ``item`` and ``cancel_reason``."""
    requests = [line for line in lines if line.item.buyer_requested_cancel]
    if requests:
        order.buyer_cancel_requested = True
        order.buyer_cancel_reason = next((line.cancel_reason for line in requests if line.cancel_reason), "")
    if not order.fields["currency"]:
        order.fields["currency"] = next((line.item.currency for line in lines if line.item.currency), "")


def order_total_fits(ctx: Context, order: NewOrder) -> bool:
    """An order's total is the sum of its item prices: it must fit its own column. Say so on its first line."""
    total = sum((item.item_price for item in order.items), Decimal("0"))
    if abs(total) <= bounds.ORDER_TOTAL_MAX:
        return True
    ctx.error(order.line, ctx.headers.get("item_price", "item-price"),
              _("The items of order %(id)s add up to %(total)s, more than %(maximum)s, the largest total that can "
                "be stored.") % {"id": order.amazon_order_id, "total": total, "maximum": bounds.ORDER_TOTAL_MAX})
    return False


def orders_bulk_create(ctx: Context, orders: list[NewOrder], *, report: str) -> int:
    """Write ``orders`` (none of which exists yet) with their items, reservations, flags and first event."""
    if not orders:
        return 0
    store = ctx.store
    skus = {item.sku for order in orders for item in order.items}
    # Locked, as stock_reserve locks each: no concurrent order can reserve the same units meanwhile.
    listings = {listing.sku: listing for listing in
                Listing.objects.select_for_update().filter(store=store, sku__in=skus)
                .only("id", "store_id", "sku", "asin", "title", "quantity_available")}
    available = {sku: listing.quantity_available for sku, listing in listings.items()}
    reserved_total: dict[str, int] = {}
    actor_id = ctx.actor.pk if ctx.actor is not None and ctx.actor.is_authenticated else None
    order_ids = iter(reserve_ids(Order, len(orders)))
    item_ids = iter(reserve_ids(OrderItem, sum(len(order.items) for order in orders)))
    order_rows, item_rows, movement_rows, event_rows = [], [], [], []
    labels = dict(S.choices)
    for data in orders:
        live = data.status in NEW_ORDER_STATUSES
        is_mfn = data.fulfillment_channel == Channel.MFN
        order_id = next(order_ids)
        order = {"id": order_id, "store_id": store.pk, "amazon_order_id": data.amazon_order_id,
                 "purchase_date": data.purchase_date, "status": data.status,
                 "fulfillment_channel": data.fulfillment_channel, **data.fields,
                 "currency": data.fields.get("currency") or store.currency,
                 "order_total": sum((line_total(i.amounts, is_canceled=i.is_canceled) for i in data.items),
                                    Decimal("0")),
                 "risk_flags": [], "buyer_cancel_requested_at": data.buyer_cancel_requested_at,
                 "buyer_cancel_reason": data.buyer_cancel_reason[:200]}
        if data.status == S.CANCELED:
            order["canceled_at"] = max(data.last_updated or data.purchase_date, data.purchase_date)
            order["cancel_initiator"] = CancelInitiator.BUYER if data.buyer_cancel_requested else CancelInitiator.SYSTEM
            order["cancel_reason"] = _("Cancelled on Amazon (%(report)s)") % {"report": report}
        flag_items = []
        for item_data in data.items:
            listing = listings.get(item_data.sku)
            shipped = not item_data.is_canceled and (
                data.status in SHIPPED_STATUSES or (data.status == S.PARTIALLY_SHIPPED and item_data.shipped))
            item: dict[str, Any] = {"id": next(item_ids), "store_id": store.pk, "order_id": order_id,
                    "listing_id": listing.pk if listing else None, "sku": item_data.sku,
                    "asin": item_data.asin or (listing.asin if listing else ""),
                    "title": item_data.title or (listing.title if listing else ""), "quantity": item_data.quantity,
                    "quantity_shipped": item_data.quantity if shipped else 0, "quantity_reserved": 0,
                    "order_item_id": item_data.order_item_id, **item_data.amounts,
                    "currency": item_data.currency or order["currency"], "is_canceled": item_data.is_canceled,
                    "buyer_requested_cancel": item_data.buyer_requested_cancel}
            if live and is_mfn and listing is not None and not item_data.is_canceled:
                reserved = min(item_data.quantity, available[item_data.sku])
                if reserved:
                    available[item_data.sku] -= reserved
                    reserved_total[item_data.sku] = reserved_total.get(item_data.sku, 0) + reserved
                    item["quantity_reserved"] = reserved
                    movement_rows.append(StockMovement(
                        store=store, listing=listing, reason=StockMovement.Reason.RESERVE, available_delta=-reserved,
                        reserved_delta=reserved, order_id=order_id, at=data.purchase_date))
            item_rows.append(item)
            owed = units_owed(quantity=item["quantity"], shipped=item["quantity_shipped"],
                              is_canceled=item_data.is_canceled)
            if owed > 0:
                flag_items.append((owed, item["quantity_reserved"], listing is not None))
        if data.status in OPEN_STATUSES:
            order["risk_flags"] = risk_flags(
                channel=data.fulfillment_channel, line1=order.get("ship_line1", ""), line2=order.get("ship_line2", ""),
                city=order.get("ship_city", ""), postal_code=order.get("ship_postal_code", ""),
                country=order.get("ship_country", ""), items=flag_items)
        order_rows.append(order)
        event: dict[str, Any] = {"store_id": store.pk, "order_id": order_id, "actor_id": actor_id, "source": SOURCE,
                 "to_status": data.status}
        if live:
            event.update(kind=OrderEvent.Kind.CREATED, at=data.purchase_date)
        else:
            event.update(kind=OrderEvent.Kind.IMPORT, at=max(data.last_updated or data.purchase_date,
                                                             data.purchase_date),
                         note=_("Imported from the %(report)s as %(status)s") % {"report": report,
                                                                                 "status": labels[data.status]})
        event_rows.append(event)
    for row, pk in zip(event_rows, reserve_ids(OrderEvent, len(event_rows)), strict=True):
        row["id"] = pk
    insert_rows(Order, order_rows)
    insert_rows(OrderItem, item_rows)
    insert_rows(OrderEvent, event_rows)
    StockMovement.objects.bulk_create(movement_rows, batch_size=BATCH)
    for sku, quantity in reserved_total.items():
        Listing.objects.filter(pk=listings[sku].pk).update(
            quantity_available=F("quantity_available") - quantity,
            quantity_reserved=F("quantity_reserved") + quantity, **STOCK_VERSION_BUMP)
    # What Amazon may sell of these listings went down: it is owed their new quantities.
    stock_changed_send(listing_ids=[listings[sku].pk for sku in reserved_total])
    return len(order_rows)


class Existing(NamedTuple):
    pk: int
    amazon_order_id: str
    status: str
    fulfillment_channel: str


def existing_orders(store_id: int, ids: list[str]) -> dict[str, Existing]:
    """The store's orders among ``ids``, in a few queries however many ids there are."""
    found: dict[str, Existing] = {}
    for start in range(0, len(ids), 5000):
        rows = (Order.objects.filter(store_id=store_id, amazon_order_id__in=ids[start:start + 5000])
                .values_list("pk", "amazon_order_id", "status", "fulfillment_channel"))
        found.update((row[1], Existing(*row)) for row in rows)
    return found


def cancel_requests_record(ctx: Context, *, order: Existing, data: NewOrder) -> bool:
    """Mark an order we hold that the report says the buyer asked to cancel; True if that is new."""
    from orders.services import order_buyer_cancel_request

    if data.buyer_cancel_requested_at is None:  # not requested
        return False
    instance = Order.objects.get(pk=order.pk)
    if instance.buyer_cancel_requested_at is not None:
        return False
    order_buyer_cancel_request(order=instance, at=min(data.buyer_cancel_requested_at, ctx.now),
                               reason=data.buyer_cancel_reason, source=SOURCE, actor=ctx.actor)
    return True


def status_update(ctx: Context, *, order: Existing, status: str, at: datetime | None, line: int, column: str,
                  report: str) -> bool:
    """Bring an existing order to the status Amazon reports, through the order services; True if it changed.

    A report older or newer than what we hold, or a seller-fulfilled shipment without its tracking, is not
    an error in the file: the order is left as it is and the run lists a warning.
    """
    from orders.models import ORDER_TRANSITIONS, SHIPPABLE_STATUSES
    from orders.services import cancel_initiator_of, order_cancel, order_set_status

    old = order.status
    if status_agrees(old, status):
        return False
    labels = {"id": order.amazon_order_id, "old": S(old).label, "new": S(status).label}
    if status not in ORDER_TRANSITIONS.get(old, set()):
        ctx.warn(line, column, _("Order %(id)s stays %(old)s: it cannot go to %(new)s.") % labels)
        return False
    is_mfn = order.fulfillment_channel == Channel.MFN
    if status in {S.SHIPPED, S.PARTIALLY_SHIPPED} and is_mfn and old in SHIPPABLE_STATUSES:
        ctx.warn(line, column, _("Order %(id)s is %(new)s on Amazon but no shipment is recorded here; upload the "
                                 "shipping confirmation file to record its carrier and tracking.") % labels)
        return False
    instance = Order.objects.get(pk=order.pk)
    at = min(at or ctx.now, ctx.now)
    try:
        if status == S.CANCELED:
            order_cancel(order=instance, initiator=cancel_initiator_of(instance, otherwise=CancelInitiator.SYSTEM),
                         actor=ctx.actor, source=SOURCE,
                         reason=_("Cancelled on Amazon (%(report)s)") % {"report": report},
                         at=max(at, instance.purchase_date))
        else:
            order_set_status(order=instance, status=status, actor=ctx.actor, source=SOURCE, at=at,
                             note=_("From the %(report)s") % {"report": report})
    except ApplicationError as error:
        ctx.error(line, column, error.message)
        return False
    return True
