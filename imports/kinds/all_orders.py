"""The All Orders report: one row per order item, every order of the period in whatever status it is."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.services import AMAZON_ORDER_ID, CLOCK_SKEW

from ..base import Context, Counts
from ..parsers import Cells, Column, Row, shown
from ._orders import (
    AMOUNT_COLUMNS,
    LINE_MONEY_COLUMNS,
    NewItem,
    NewOrder,
    cancel_requests_record,
    existing_orders,
    map_channel,
    map_status,
    order_take_line_facts,
    order_total_fits,
    orders_bulk_create,
    status_update,
)

LABEL = gettext_lazy("All Orders report")
#: The report as Seller Central names it, where the seller finds it.
SELLER_CENTRAL_NAME = gettext_lazy("All Orders (Order Reports › All Orders)")
COLUMNS = [
    Column("order_id", "amazon-order-id", required=True, aliases=("order-id",)),
    Column("merchant_order_id", "merchant-order-id"),
    Column("purchase_date", "purchase-date", required=True),
    Column("last_updated", "last-updated-date"),
    Column("order_status", "order-status", required=True),
    Column("channel", "fulfillment-channel", required=True),
    Column("sales_channel", "sales-channel"),
    Column("ship_service_level", "ship-service-level"),
    Column("title", "product-name"),
    Column("sku", "sku", required=True),
    Column("asin", "asin"),
    Column("item_status", "item-status"),
    Column("quantity", "quantity", required=True, aliases=("quantity-purchased",)),
    *LINE_MONEY_COLUMNS,
    Column("ship_city", "ship-city"),
    Column("ship_state", "ship-state"),
    Column("ship_postal_code", "ship-postal-code"),
    Column("ship_country", "ship-country"),
    Column("is_business_order", "is-business-order"),
    Column("is_prime", "is-prime"),
    Column("is_replacement_order", "is-replacement-order"),
    Column("original_order_id", "original-order-id"),
    Column("buyer_requested_cancel", "is-buyer-requested-cancellation"),
    Column("buyer_cancel_reason", "buyer-requested-cancel-reason"),
]


@dataclass
class OrderLine:
    """One checked row: an item, and the order it belongs to as this row describes it (the first row's
    description is the one kept)."""

    item: NewItem
    item_status: str
    order: NewOrder | None
    status_word: str
    cancel_reason: str = ""


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, OrderLine] | None:
    """Check one row on its own; no database access."""
    v = row.values
    latest = ctx.now + CLOCK_SKEW
    order_id = cells.text("order_id", required=True)
    if order_id and not AMAZON_ORDER_ID.match(order_id):
        cells.fail("order_id", _("%(id)s is not an Amazon order id (3-7-7 digits, e.g. 113-1234567-1234567).")
                   % {"id": shown(order_id)})
    # The same SKU may be on two lines (one unit cancelled, another promotion): each line is an item.
    sku = cells.text("sku", required=True, max_length=40)
    purchase_date = cells.datetime("purchase_date", required=True)
    if purchase_date and purchase_date > latest:
        cells.fail("purchase_date", _("%(value)s is in the future.") % {"value": v["purchase_date"]})
    last_updated = cells.datetime("last_updated")
    channel = map_channel(v["channel"])
    if channel is None:
        cells.fail("channel", _("%(value)s is not a fulfilment channel (Amazon or Merchant).")
                   % {"value": shown(v["channel"])})
    status_word = cells.text("order_status", required=True)
    quantity = cells.quantity("quantity", required=True, minimum=0)
    currency = v.get("currency", "")[:3].upper()
    item_status = v.get("item_status", "")
    item = NewItem(
        line=row.line, sku=sku, quantity=quantity or 0, asin=cells.text("asin", max_length=10),
        title=v.get("title", "")[:500], currency=currency, is_canceled=map_status(item_status, []) == "Canceled",
        buyer_requested_cancel=cells.boolean("buyer_requested_cancel"),
        **{name: abs(cells.decimal(name)) for name in AMOUNT_COLUMNS},  # type: ignore[arg-type]  # the amount fields
    )
    is_business = cells.boolean("is_business_order")
    is_prime = cells.boolean("is_prime")
    is_replacement = cells.boolean("is_replacement_order")
    if not cells.ok:
        return None
    assert purchase_date is not None and channel is not None  # required: set when cells.ok
    item.shipped = item_status.lower().startswith("shipped")
    order = None
    if ctx.first_line("order", order_id, line=row.line) is None:
        order = NewOrder(
            line=row.line, amazon_order_id=order_id, purchase_date=purchase_date, status="",
            fulfillment_channel=channel, last_updated=last_updated,
            fields={
                "merchant_order_id": v.get("merchant_order_id", "")[:64],
                "sales_channel": v.get("sales_channel", "")[:40],
                "ship_service_level": v.get("ship_service_level", "")[:64],
                "ship_city": v.get("ship_city", "")[:100],
                "ship_state": v.get("ship_state", "")[:100],
                "ship_postal_code": v.get("ship_postal_code", "")[:20],
                "ship_country": v.get("ship_country", "")[:2].upper(),
                "currency": currency,
                "is_business_order": is_business,
                "is_prime": is_prime,
                "is_replacement_order": is_replacement,
                "replaced_order_id": v.get("original_order_id", "")[:19],
            },
        )
    return order_id, OrderLine(item=item, item_status=item_status, order=order, status_word=status_word,
                               cancel_reason=v.get("buyer_cancel_reason", ""))


def build(groups: list[list[OrderLine]], ctx: Context) -> dict[str, NewOrder]:
    """Each order from all its rows: its status from Amazon's words, its items; no database access."""
    orders: dict[str, NewOrder] = {}
    headers = ctx.headers
    for lines in groups:
        head = lines[0]
        order = head.order
        assert order is not None  # the order's first line describes it
        order.items = [line.item for line in lines]
        status = map_status(head.status_word, [line.item_status for line in lines])
        if status is None:
            ctx.error(order.line, headers["order_status"],
                      _("%(value)s is not an order status Amazon uses (Pending, Unshipped, Shipping, Shipped, "
                        "Cancelled…).") % {"value": shown(head.status_word)})
            continue
        order.status = status
        order_take_line_facts(order, lines)
        ok = order_total_fits(ctx, order)
        for item in order.items:
            if item.quantity == 0:
                # Amazon zeroes a cancelled line's quantity: it is kept as a cancelled line of 0 units.
                if status != "Canceled" and not item.is_canceled:
                    ctx.error(item.line, headers["quantity"], _("0 units: only a cancelled line has none."))
                    ok = False
                item.is_canceled = True
        if ok:
            orders[order.amazon_order_id] = order
    return orders


def apply(orders: dict[str, NewOrder], ctx: Context) -> Counts:
    """Create the orders we do not hold, in bulk; bring the others to Amazon's status through the services."""
    counts = Counts()
    existing = existing_orders(ctx.store.pk, list(orders))
    new = [order for order_id, order in orders.items() if order_id not in existing]
    headers_status = ctx.headers.get("order_status", "order-status")
    for order_id, found in existing.items():
        data = orders[order_id]
        changed = status_update(ctx, order=found, status=data.status, at=data.last_updated, line=data.line,
                                column=headers_status, report=str(LABEL))
        changed = cancel_requests_record(ctx, order=found, data=data) or changed
        if changed:
            counts.updated += 1
            ctx.touched.add("order", order_id, created=False)
        else:
            counts.skipped += 1
    counts.created = orders_bulk_create(ctx, new, report=str(LABEL))
    ctx.touched.add_many("order", [order_id for order_id in orders if order_id not in existing], created=True)
    return counts
