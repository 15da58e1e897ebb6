"""The unshipped (actionable) orders report: seller-fulfilled orders still to ship, with address and promise."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from listings.models import Channel
from orders.models import OrderStatus
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
    order_take_line_facts,
    order_total_fits,
    orders_bulk_create,
    status_update,
)

LABEL = gettext_lazy("unshipped orders report")
#: The report as Seller Central names it, where the seller finds it.
SELLER_CENTRAL_NAME = gettext_lazy("Unshipped Orders (Order Reports › Unshipped Orders)")
COLUMNS = [
    Column("order_id", "order-id", required=True, aliases=("amazon-order-id",)),
    Column("order_item_id", "order-item-id"),
    Column("purchase_date", "purchase-date", required=True),
    Column("promise_date", "promise-date"),
    Column("days_past_promise", "days-past-promise"),
    Column("earliest_ship_date", "earliest-ship-date"),
    Column("latest_ship_date", "latest-ship-date", aliases=("ship-by-date",)),
    Column("earliest_delivery_date", "earliest-delivery-date"),
    Column("latest_delivery_date", "latest-delivery-date", aliases=("deliver-by-date",)),
    Column("buyer_email", "buyer-email"),
    Column("buyer_name", "buyer-name"),
    Column("sku", "sku", required=True),
    Column("title", "product-name"),
    Column("quantity", "quantity-purchased", required=True, aliases=("quantity",)),
    Column("quantity_to_ship", "quantity-to-ship"),
    *LINE_MONEY_COLUMNS,
    Column("sales_channel", "sales-channel"),
    Column("ship_service_level", "ship-service-level"),
    Column("ship_name", "recipient-name"),
    Column("ship_line1", "ship-address-1"),
    Column("ship_line2", "ship-address-2"),
    Column("ship_line3", "ship-address-3"),
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


def _promise(cells: Cells, value: str):
    """``promise-date`` is one time or a window written "start - end"; return (earliest, latest)."""
    if not value:
        return None, None
    parts = value.split(" - ") if " - " in value else [value]
    times = []
    for part in parts[:2]:
        moment = cells.parse_time("promise_date", part)
        if moment is None:
            return None, None
        times.append(moment)
    return (times[0], times[-1]) if len(times) == 2 else (None, times[0])


@dataclass
class OrderLine:
    """One checked row: an item, and on the first row of its order, the order."""

    item: NewItem
    order: NewOrder | None
    cancel_reason: str = ""


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, OrderLine] | None:
    """Check one row on its own; no database access."""
    latest = ctx.now + CLOCK_SKEW
    v = row.values
    order_id = cells.text("order_id", required=True)
    if order_id and not AMAZON_ORDER_ID.match(order_id):
        cells.fail("order_id", _("%(id)s is not an Amazon order id (3-7-7 digits, e.g. 113-1234567-1234567).")
                   % {"id": shown(order_id)})
    sku = cells.text("sku", required=True, max_length=40)
    item_id = cells.text("order_item_id", max_length=20)
    if order_id and sku:
        first = ctx.first_line("item", order_id, item_id or sku, sku, line=row.line)
        if first is not None:
            cells.fail("order_item_id" if item_id else "sku",
                       _("This item of order %(id)s is listed twice (also on line %(line)d).")
                       % {"id": order_id, "line": first})
    purchase_date = cells.datetime("purchase_date", required=True)
    if purchase_date and purchase_date > latest:
        cells.fail("purchase_date", _("%(value)s is in the future.") % {"value": v["purchase_date"]})
    earliest_ship, latest_ship = _promise(cells, v.get("promise_date", ""))
    earliest_ship = cells.datetime("earliest_ship_date") or earliest_ship
    latest_ship = cells.datetime("latest_ship_date") or latest_ship
    if earliest_ship and latest_ship and latest_ship < earliest_ship:
        cells.fail("latest_ship_date", _("The latest ship date is before the earliest ship date."))
    earliest_delivery = cells.datetime("earliest_delivery_date")
    latest_delivery = cells.datetime("latest_delivery_date")
    quantity = cells.quantity("quantity", required=True, minimum=1)
    cells.integer("days_past_promise")
    currency = v.get("currency", "")[:3].upper()
    item = NewItem(line=row.line, sku=sku, quantity=quantity or 1, title=v.get("title", "")[:500],
                   order_item_id=item_id, currency=currency,
                   buyer_requested_cancel=cells.boolean("buyer_requested_cancel"),
                   **{name: abs(cells.decimal(name)) for name in AMOUNT_COLUMNS})  # type: ignore[arg-type]  # amounts
    is_business, is_prime = cells.boolean("is_business_order"), cells.boolean("is_prime")
    is_replacement = cells.boolean("is_replacement_order")
    if not cells.ok:
        return None
    assert purchase_date is not None  # required: set when cells.ok
    order = None
    if ctx.first_line("order", order_id, line=row.line) is None:
        line2 = ", ".join(p for p in (v.get("ship_line2", ""), v.get("ship_line3", "")) if p)
        order = NewOrder(
            line=row.line, amazon_order_id=order_id, purchase_date=purchase_date, status=OrderStatus.UNSHIPPED,
            fulfillment_channel=Channel.MFN,
            fields={
                "earliest_ship_date": earliest_ship, "latest_ship_date": latest_ship,
                "earliest_delivery_date": earliest_delivery, "latest_delivery_date": latest_delivery,
                "ship_service_level": v.get("ship_service_level", "")[:64],
                "buyer_name": v.get("buyer_name", "")[:200], "buyer_email": v.get("buyer_email", "")[:254],
                "ship_name": v.get("ship_name", "")[:200], "ship_line1": v.get("ship_line1", "")[:200],
                "ship_line2": line2[:200], "ship_city": v.get("ship_city", "")[:100],
                "ship_state": v.get("ship_state", "")[:100],
                "ship_postal_code": v.get("ship_postal_code", "")[:20],
                "ship_country": v.get("ship_country", "")[:2].upper(),
                "is_business_order": is_business, "is_prime": is_prime, "currency": currency,
                "sales_channel": v.get("sales_channel", "")[:40], "is_replacement_order": is_replacement,
                "replaced_order_id": v.get("original_order_id", "")[:19],
            },
        )
        if latest_ship is None:
            ctx.warn(row.line, ctx.headers.get("promise_date") or ctx.headers.get("latest_ship_date") or "",
                     _("Order %(id)s has no ship-by date in this report: it cannot be shown as due or late until "
                       "one is known (from the API or the All Orders report).") % {"id": order_id})
    return order_id, OrderLine(item=item, order=order, cancel_reason=v.get("buyer_cancel_reason", ""))


def build(groups: list[list[OrderLine]], ctx: Context) -> dict[str, NewOrder]:
    orders: dict[str, NewOrder] = {}
    for lines in groups:
        order = lines[0].order
        assert order is not None  # the order's first line describes it
        order.items = [line.item for line in lines]
        order_take_line_facts(order, lines)
        if order_total_fits(ctx, order):
            orders[order.amazon_order_id] = order
    return orders


def apply(orders: dict[str, NewOrder], ctx: Context) -> Counts:
    """Create the orders we do not hold; a pending one we hold becomes unshipped (its payment cleared)."""
    counts = Counts()
    existing = existing_orders(ctx.store.pk, list(orders))
    column = ctx.headers.get("order_id", "order-id")
    for order_id, found in existing.items():
        data = orders[order_id]
        changed = False
        if found.status in {OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY}:
            changed = status_update(ctx, order=found, status=OrderStatus.UNSHIPPED, at=None, line=data.line,
                                    column=column, report=str(LABEL))
        changed = cancel_requests_record(ctx, order=found, data=data) or changed
        counts.updated += changed
        if changed:
            ctx.touched.add("order", order_id, created=False)
        counts.skipped += not changed
    counts.created = orders_bulk_create(ctx, [o for i, o in orders.items() if i not in existing], report=str(LABEL))
    ctx.touched.add_many("order", [i for i in orders if i not in existing], created=True)
    return counts
