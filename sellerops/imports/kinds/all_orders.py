"""The All Orders report: one row per order item, every order of the period in whatever status it is."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.services import AMAZON_ORDER_ID, CLOCK_SKEW

from ..base import Context, Counts
from ..parsers import Column, Table
from ._orders import (
    AMOUNT_COLUMNS,
    NewItem,
    NewOrder,
    cancel_requests_record,
    existing_orders,
    map_channel,
    map_status,
    orders_bulk_create,
    status_update,
)

LABEL = gettext_lazy("All Orders report")
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
    Column("currency", "currency"),
    Column("item_price", "item-price"),
    Column("item_tax", "item-tax"),
    Column("shipping_price", "shipping-price"),
    Column("shipping_tax", "shipping-tax"),
    Column("gift_wrap_price", "gift-wrap-price"),
    Column("gift_wrap_tax", "gift-wrap-tax"),
    Column("promotion_discount", "item-promotion-discount"),
    Column("ship_promotion_discount", "ship-promotion-discount"),
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
PROGRESS_EVERY = 2000


def parse(table: Table, ctx: Context) -> dict[str, NewOrder]:
    """Check every row on its own and group the items by order; no database access."""
    orders: dict[str, NewOrder] = {}
    statuses: dict[str, tuple[str, list[str]]] = {}
    latest = ctx.now + CLOCK_SKEW
    headers = table.headers
    for count, row in enumerate(table.rows, start=1):
        if count % PROGRESS_EVERY == 0:
            ctx.progress(count)
        cells = ctx.cells(row, table)
        order_id = cells.text("order_id", required=True)
        if order_id and not AMAZON_ORDER_ID.match(order_id):
            cells.fail("order_id", _("%(id)s is not an Amazon order id (3-7-7 digits, e.g. 113-1234567-1234567).")
                       % {"id": order_id})
        # The same SKU may be on two lines (one unit cancelled, another promotion): each line is an item.
        sku = cells.text("sku", required=True, max_length=40)
        purchase_date = cells.datetime("purchase_date", required=True)
        if purchase_date and purchase_date > latest:
            cells.fail("purchase_date", _("%(value)s is in the future.") % {"value": row.values["purchase_date"]})
        last_updated = cells.datetime("last_updated")
        channel = map_channel(row.values["channel"])
        if channel is None:
            cells.fail("channel", _("%(value)s is not a fulfilment channel (Amazon or Merchant).")
                       % {"value": row.values["channel"]})
        status_word = cells.text("order_status", required=True)
        quantity = cells.integer("quantity", required=True, minimum=0)
        currency = row.values.get("currency", "")[:3].upper()
        item_status = row.values.get("item_status", "")
        item = NewItem(
            line=row.line, sku=sku, quantity=quantity or 0, asin=cells.text("asin", max_length=10),
            title=row.values.get("title", "")[:500], currency=currency,
            is_canceled=map_status(item_status, []) == "Canceled",
            buyer_requested_cancel=cells.boolean("buyer_requested_cancel"),
            **{name: abs(cells.decimal(name)) for name in AMOUNT_COLUMNS},
        )
        is_business = cells.boolean("is_business_order")
        is_prime = cells.boolean("is_prime")
        is_replacement = cells.boolean("is_replacement_order")
        if not cells.ok:
            continue
        order = orders.get(order_id)
        if order is None:
            order = orders[order_id] = NewOrder(
                line=row.line, amazon_order_id=order_id, purchase_date=purchase_date, status="",
                fulfillment_channel=channel, last_updated=last_updated,
                fields={
                    "merchant_order_id": row.values.get("merchant_order_id", "")[:64],
                    "sales_channel": row.values.get("sales_channel", "")[:40],
                    "ship_service_level": row.values.get("ship_service_level", "")[:64],
                    "ship_city": row.values.get("ship_city", "")[:100],
                    "ship_state": row.values.get("ship_state", "")[:100],
                    "ship_postal_code": row.values.get("ship_postal_code", "")[:20],
                    "ship_country": row.values.get("ship_country", "")[:2].upper(),
                    "currency": currency,
                    "is_business_order": is_business,
                    "is_prime": is_prime,
                    "is_replacement_order": is_replacement,
                    "replaced_order_id": row.values.get("original_order_id", "")[:19],
                },
            )
            statuses[order_id] = (status_word, [])
        if item.buyer_requested_cancel:
            order.buyer_cancel_requested = True
            order.buyer_cancel_reason = order.buyer_cancel_reason or row.values.get("buyer_cancel_reason", "")
        if currency and not order.fields["currency"]:
            order.fields["currency"] = currency
        item.shipped = item_status.lower().startswith("shipped")
        statuses[order_id][1].append(item_status)
        order.items.append(item)
    for order_id, (word, item_statuses) in statuses.items():
        order = orders[order_id]
        status = map_status(word, item_statuses)
        if status is None:
            ctx.error(order.line, headers["order_status"],
                      _("%(value)s is not an order status Amazon uses (Pending, Unshipped, Shipping, Shipped, "
                        "Cancelled…).") % {"value": word})
            continue
        order.status = status
        for item in order.items:
            if item.quantity == 0:
                # Amazon zeroes a cancelled line's quantity: it is kept as a cancelled line of 0 units.
                if status != "Canceled" and not item.is_canceled:
                    ctx.error(item.line, headers["quantity"], _("0 units: only a cancelled line has none."))
                item.is_canceled = True
    ctx.progress(len(table.rows))
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
        else:
            counts.skipped += 1
    counts.created = orders_bulk_create(ctx, new, report=str(LABEL))
    return counts
