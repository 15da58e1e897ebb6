"""The shipping confirmation file sellers upload to confirm many shipments at once.

One row per shipped item, or per order when ``order-item-id`` is empty (then every unit still owed ships).
Rows of one order with one tracking number are one shipment. Each goes through ``order_ship``, so stock,
status and timeline move exactly as when the operator ships from the order page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.timefmt import store_time
from fulfillment.carriers import map_carrier
from fulfillment.models import Carrier, Shipment
from fulfillment.services import order_ship
from fulfillment.tracking import tracking_validate
from listings.models import Channel
from orders.models import SHIPPABLE_STATUSES, Order, OrderItem, RiskFlag
from orders.risk import PO_BOX_REFUSING_CARRIERS, is_po_box
from orders.services import CLOCK_SKEW

from ..base import SOURCE, Context, Counts, PlanLine
from ..parsers import Cells, Column, Row, shown

LABEL = gettext_lazy("shipping confirmation file")
#: The report as Seller Central names it, where the seller finds it.
SELLER_CENTRAL_NAME = gettext_lazy("Shipping confirmation upload (Order Fulfillment template)")
COLUMNS = [
    Column("order_id", "order-id", required=True, aliases=("amazon-order-id",)),
    Column("order_item_id", "order-item-id"),
    Column("quantity", "quantity"),
    Column("ship_date", "ship-date", required=True),
    Column("carrier_code", "carrier-code", required=True),
    Column("carrier_name", "carrier-name"),
    Column("tracking_number", "tracking-number", required=True),
    Column("ship_method", "ship-method"),
]
_DATE_ONLY = re.compile(r"^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}$")


@dataclass
class ShipRow:
    line: int
    order_id: str
    order_item_id: str
    quantity: int | None
    shipped_at: datetime
    date_only: bool
    carrier: str
    carrier_name: str
    tracking_number: str
    ship_method: str


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, ShipRow] | None:
    """Check one row on its own; rows of one order go together (its parcels are planned as one)."""
    v = row.values
    latest = ctx.now + CLOCK_SKEW
    order_id = cells.text("order_id", required=True)
    item_id = cells.text("order_item_id")
    quantity = cells.quantity("quantity", minimum=1)
    shipped_at = cells.datetime("ship_date", required=True)
    if shipped_at and shipped_at > latest:
        cells.fail("ship_date", _("%(value)s is in the future.") % {"value": v["ship_date"]})
    carrier = map_carrier(v["carrier_code"]) if v["carrier_code"] else None
    if carrier is None:
        cells.fail("carrier_code", _("%(value)s is not a carrier code we know; use one of %(choices)s, or Other "
                                     "with a carrier-name.")
                   % {"value": shown(v["carrier_code"]), "choices": ", ".join(Carrier.values)})
    elif carrier == Carrier.OTHER and not v.get("carrier_name"):
        cells.fail("carrier_name", _("Name the carrier when the carrier code is Other."))
    tracking = cells.text("tracking_number", required=True, max_length=64).replace(" ", "")
    first = ctx.first_line("shipment", order_id, item_id, tracking, line=row.line)
    if order_id and first is not None:
        cells.fail("order_item_id" if item_id else "order_id",
                   _("This shipment line repeats line %(line)d.") % {"line": first})
    if not cells.ok:
        return None
    assert shipped_at is not None and carrier is not None  # required: set when cells.ok
    return order_id, ShipRow(line=row.line, order_id=order_id, order_item_id=item_id, quantity=quantity,
                             shipped_at=shipped_at, date_only=bool(_DATE_ONLY.match(v["ship_date"])),
                             carrier=carrier, carrier_name=v.get("carrier_name", "")[:80], tracking_number=tracking,
                             ship_method=v.get("ship_method", "")[:80])


def build(groups: list[list[ShipRow]], ctx: Context) -> list[ShipRow]:
    return [row for group in groups for row in group]


def apply(rows: list[ShipRow], ctx: Context) -> Counts:
    counts = Counts()
    col = ctx.headers
    ids = sorted({r.order_id for r in rows})
    orders = {o.amazon_order_id: o for o in Order.objects.filter(store=ctx.store, amazon_order_id__in=ids)
              .prefetch_related(Prefetch("items", queryset=OrderItem.objects.order_by("id")),
                                Prefetch("shipments", queryset=Shipment.objects.only("id", "order_id",
                                                                                      "tracking_number")))}
    groups: dict[tuple[str, str], list[ShipRow]] = {}
    for row in rows:
        order = orders.get(row.order_id)
        if order is None:
            ctx.error(row.line, col["order_id"], _("Order %(id)s is not in %(store)s.")
                      % {"id": row.order_id, "store": ctx.store.code})
            continue
        if row.order_item_id and not any(i.order_item_id == row.order_item_id for i in order.items.all()):
            ctx.error(row.line, col.get("order_item_id", "order-item-id"),
                      _("Order %(id)s has no item %(item)s.") % {"id": row.order_id, "item": row.order_item_id})
            continue
        groups.setdefault((row.order_id, row.tracking_number), []).append(row)
    plans = []
    for (order_id, tracking), group in groups.items():
        order, first = orders[order_id], group[0]
        if any(s.tracking_number == tracking for s in order.shipments.all()):
            counts.skipped += 1
            for row in group:
                _plan(ctx, row, "skip", _("Order %(id)s is already confirmed with tracking number %(tracking)s: "
                                          "skipped.") % {"id": order_id, "tracking": tracking})
            continue
        if order.fulfillment_channel != Channel.MFN:
            ctx.error(first.line, col["order_id"], _("Order %(id)s is fulfilled by Amazon; Amazon confirms its "
                                                     "shipments.") % {"id": order_id})
            _plan_blocked(ctx, group)
            continue
        if order.status not in SHIPPABLE_STATUSES:
            ctx.error(first.line, col["order_id"], _("Order %(id)s is %(status)s and cannot be shipped.")
                      % {"id": order_id, "status": order.get_status_display()})
            _plan_blocked(ctx, group)
            continue
        by_item: dict[int, int] = {}
        quantities: dict[int, int] | None = by_item  # None: every unit still owed
        for row in group:
            if not row.order_item_id:
                quantities = None
                break
            item = next(i for i in order.items.all() if i.order_item_id == row.order_item_id)
            by_item[item.pk] = by_item.get(item.pk, 0) + (row.quantity or item.quantity_owed)
        shipped_at = first.shipped_at
        if first.date_only:
            # A bare date says the day, not the hour: the parcel left that day, after the order was placed.
            day = timezone.localtime(shipped_at, ctx.store.tz).date()  # the store's day, not UTC's
            start = datetime.combine(day, time.min, tzinfo=ctx.store.tz)
            shipped_at = min(max(start, order.purchase_date), ctx.now)
        _plan_shipment(ctx, order, group, quantities, shipped_at)
        plans.append((order, first, quantities, shipped_at))
    if ctx.problems and not ctx.dry_run:
        return counts
    for order, first, quantities, shipped_at in plans:
        try:
            order_ship(order=order, carrier=first.carrier, carrier_name=first.carrier_name,
                       tracking_number=first.tracking_number, ship_method=first.ship_method, shipped_at=shipped_at,
                       quantities=quantities, actor=ctx.actor, source=SOURCE)
        except ApplicationError as error:
            ctx.error(first.line, col["order_id"], error.message)
            continue
        counts.created += 1
        ctx.touched.add("shipment", order.amazon_order_id, created=True)
    return counts


def _plan(ctx: Context, row: ShipRow, outcome: str, message: str, warnings: list[str] | None = None) -> None:
    ctx.plan.append(PlanLine(line=row.line, order_id=row.order_id, outcome=outcome, message=message,
                             warnings=warnings or []))


def _plan_blocked(ctx: Context, group: list[ShipRow]) -> None:
    for row in group[1:]:
        _plan(ctx, row, "error", _("Ships with line %(line)d, which cannot ship.") % {"line": group[0].line})


def _shipment_warnings(order: Order, row: ShipRow) -> list[tuple[str, str]]:
    """(column, message) of what may hurt once shipped: a malformed tracking number, a PO box the carrier
    will not deliver to."""
    warnings = []
    check = tracking_validate(carrier=row.carrier, number=row.tracking_number)
    if check.is_malformed:
        warnings.append(("tracking_number", check.message))
    if row.carrier in PO_BOX_REFUSING_CARRIERS and (
            RiskFlag.PO_BOX in order.risk_flags or is_po_box(order.ship_line1, order.ship_line2)):
        warnings.append(("carrier_code", _("The address is a PO box and %(carrier)s does not deliver to PO boxes.")
                        % {"carrier": Carrier(row.carrier).label}))
    return warnings


def _plan_shipment(ctx: Context, order: Order, group: list[ShipRow], quantities: dict[int, int] | None,
                   shipped_at: datetime) -> None:
    """One plan line per row of the shipment, naming the items, carrier, tracking number and store time."""
    first = group[0]
    items = [i for i in order.items.all() if (i.pk in quantities if quantities is not None
                                              else i.quantity_owed > 0)]
    units = ", ".join(f"{i.sku} × {quantities[i.pk] if quantities is not None else i.quantity_owed}"
                      for i in items)
    carrier = first.carrier_name if first.carrier == Carrier.OTHER and first.carrier_name else \
        str(Carrier(first.carrier).label)
    when = store_time(shipped_at, ctx.store, style="year")
    message = _("Ships order %(id)s (%(items)s) with %(carrier)s, tracking %(tracking)s, shipped at %(when)s.") % {
        "id": order.amazon_order_id, "items": units or "—", "carrier": carrier, "tracking": first.tracking_number,
        "when": when}
    warnings = _shipment_warnings(order, first)
    if ctx.dry_run:
        for name, warning in warnings:
            ctx.warn(first.line, ctx.headers.get(name, name.replace("_", "-")), warning)
    _plan(ctx, first, "ship", message, [warning for _name, warning in warnings])
    for row in group[1:]:
        _plan(ctx, row, "ship", _("Ships with line %(line)d in the same parcel.") % {"line": first.line})
