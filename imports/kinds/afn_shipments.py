"""The Amazon-fulfilled shipments report: every unit Amazon shipped of the seller's FBA orders, one row per
shipment item, with its order, amounts, recipient, carrier, tracking number and fulfilment centre.

An order we do not hold is created as Shipped with the items the report lists; one we hold (Pending from the
All Orders report, say) moves to Shipped through the order services and gains the items it lacked. Each
parcel becomes a ``Shipment`` known by Amazon's shipment id and tracking number, so a second import of the
same file changes nothing. A multi-channel (MCF) row is a shipment of the seller's own order from another
channel, not an Amazon order: it is skipped with a warning.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.bulk import insert_rows, reserve_ids, update_rows
from fulfillment.carriers import carrier_from_amazon
from fulfillment.models import Carrier, Shipment, ShipmentItem
from fulfillment.services import AmazonShipmentData, shipments_record_amazon
from listings.models import Channel, Listing
from orders.models import ITEM_AMOUNTS, Order, OrderEvent, OrderItem, OrderStatus, line_total
from orders.services import AMAZON_ORDER_ID, CLOCK_SKEW
from orders.status import order_status_derived

from .. import bounds
from ..base import SOURCE, Context, Counts
from ..parsers import Cells, Column, Row, shown
from ._orders import (
    AMOUNT_COLUMNS,
    LINE_MONEY_COLUMNS,
    Existing,
    NewItem,
    NewOrder,
    existing_orders,
    map_channel,
    order_total_fits,
    orders_bulk_create,
    status_update,
)

LABEL = gettext_lazy("Amazon-fulfilled shipments report")
SELLER_CENTRAL_NAME = gettext_lazy("Amazon-fulfilled shipments (Reports › Fulfillment › Amazon Fulfilled Shipments)")
REPORT_TYPE = "GET_AMAZON_FULFILLED_SHIPMENTS_DATA_GENERAL"
S = OrderStatus
COLUMNS = [
    Column("order_id", "amazon-order-id", required=True, aliases=("order-id",)),
    Column("merchant_order_id", "merchant-order-id"),
    Column("shipment_id", "shipment-id", required=True),
    Column("shipment_item_id", "shipment-item-id"),
    Column("order_item_id", "amazon-order-item-id", aliases=("order-item-id",)),
    Column("purchase_date", "purchase-date", required=True),
    Column("payments_date", "payments-date"),
    Column("shipment_date", "shipment-date", required=True),
    Column("reporting_date", "reporting-date"),
    Column("buyer_email", "buyer-email"),
    Column("buyer_name", "buyer-name"),
    Column("sku", "sku", required=True),
    Column("title", "product-name"),
    Column("quantity", "quantity-shipped", required=True),
    *LINE_MONEY_COLUMNS,
    Column("ship_service_level", "ship-service-level"),
    Column("ship_name", "recipient-name"),
    Column("ship_line1", "ship-address-1"),
    Column("ship_line2", "ship-address-2"),
    Column("ship_line3", "ship-address-3"),
    Column("ship_city", "ship-city"),
    Column("ship_state", "ship-state"),
    Column("ship_postal_code", "ship-postal-code"),
    Column("ship_country", "ship-country"),
    Column("carrier", "carrier"),
    Column("tracking_number", "tracking-number"),
    Column("estimated_arrival", "estimated-arrival-date"),
    Column("fulfillment_center_id", "fulfillment-center-id"),
    Column("channel", "fulfillment-channel"),
    Column("sales_channel", "sales-channel"),
]
#: A multi-channel fulfilment order's id (``S01-2412417-1075636``): the seller's own order, shipped by Amazon.
MCF_ORDER_ID = re.compile(r"^S\d{2}-\d{7}-\d{7}$")
MCF_SALES_CHANNEL = "non-amazon"
#: Order fields a report fills on an order we hold when they are empty there (never overwriting).
FILLED_FIELDS = ("merchant_order_id", "sales_channel", "ship_service_level", "buyer_name", "buyer_email",
                 "ship_name", "ship_line1", "ship_line2", "ship_city", "ship_state", "ship_postal_code",
                 "ship_country", "currency")


@dataclass
class OrderHead:
    """What the first row of an order says of the order itself."""

    purchase_date: datetime
    payments_date: datetime | None
    fields: dict


@dataclass
class ShipLine:
    """One checked row: units of one order item in one parcel of one of Amazon's shipments."""

    line: int
    order_id: str
    order_item_id: str
    shipment_id: str
    sku: str
    title: str
    quantity: int
    amounts: dict[str, Decimal]
    currency: str
    shipped_at: datetime
    estimated_arrival_at: datetime | None
    carrier: str
    carrier_name: str
    tracking_number: str
    fulfillment_center_id: str
    head: OrderHead | None = None

    @property
    def item_key(self) -> str:
        """Which order item the row is about: Amazon's item id, or (in a report without one) the SKU."""
        return self.order_item_id or f"sku:{self.sku}"


@dataclass
class Parcel:
    """A parcel of one of Amazon's shipments: its lines share the shipment id and the tracking number."""

    shipment_id: str
    tracking_number: str
    lines: list[ShipLine]

    @property
    def first(self) -> ShipLine:
        return self.lines[0]

    @property
    def shipped_at(self) -> datetime:
        return min(line.shipped_at for line in self.lines)


@dataclass
class ShippedOrder:
    """An order as the report shows it: its items (units shipped, amounts) and its parcels."""

    order: NewOrder
    head: OrderHead
    lines: list[ShipLine]
    parcels: list[Parcel] = field(default_factory=list)


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, ShipLine] | None:
    """Check one row on its own; no database access. Rows of one order go together."""
    v = row.values
    latest = ctx.now + CLOCK_SKEW
    sales_channel = v.get("sales_channel", "")
    if sales_channel.lower() == MCF_SALES_CHANNEL or MCF_ORDER_ID.match(v["order_id"]):
        ctx.warn(row.line, ctx.headers["order_id"],
                 _("Line %(line)d is a multi-channel fulfilment order (%(id)s, sales channel %(channel)s), not an "
                   "Amazon order: skipped.") % {"line": row.line, "id": shown(v["order_id"]) or "—",
                                                "channel": shown(sales_channel) or "—"})
        return None
    order_id = cells.text("order_id", required=True)
    if order_id and not AMAZON_ORDER_ID.match(order_id):
        cells.fail("order_id", _("%(id)s is not an Amazon order id (3-7-7 digits, e.g. 113-1234567-1234567).")
                   % {"id": shown(order_id)})
    if v.get("channel") and map_channel(v["channel"]) != Channel.AFN:
        cells.fail("channel", _("%(value)s: this report lists only orders fulfilled by Amazon (AFN).")
                   % {"value": shown(v["channel"])})
    shipment_id = cells.text("shipment_id", required=True, max_length=40)
    shipment_item_id = cells.text("shipment_item_id", max_length=40)
    order_item_id = cells.text("order_item_id", max_length=20)
    sku = cells.text("sku", required=True, max_length=40)
    purchase_date = cells.datetime("purchase_date", required=True)
    payments_date = cells.datetime("payments_date")
    shipped_at = cells.datetime("shipment_date", required=True)
    estimated_arrival = cells.datetime("estimated_arrival")
    for key, moment in (("purchase_date", purchase_date), ("shipment_date", shipped_at)):
        if moment and moment > latest:
            cells.fail(key, _("%(value)s is in the future.") % {"value": shown(v[key])})
    if purchase_date and shipped_at and shipped_at < purchase_date:
        cells.fail("shipment_date", _("The shipment date is before the purchase date (%(value)s).")
                   % {"value": shown(v["purchase_date"])})
    quantity = cells.quantity("quantity", required=True, minimum=1)
    amounts = {name: abs(cells.decimal(name)) for name in AMOUNT_COLUMNS}
    tracking = cells.text("tracking_number", max_length=64).replace(" ", "")
    center = cells.text("fulfillment_center_id", max_length=16)
    if shipment_id:
        # A row twice is a malformed file; a shipment under two orders is one too.
        item = shipment_item_id or order_item_id or sku
        first = ctx.first_line("item", shipment_id, item, line=row.line)
        if first is not None:
            cells.fail("shipment_item_id" if shipment_item_id else "shipment_id",
                       _("This shipment line repeats line %(line)d.") % {"line": first})
        first_any = ctx.first_line("shipment", shipment_id, line=row.line)
        first_here = ctx.first_line("shipment-of", shipment_id, order_id, line=row.line)
        if first_any is not None and first_here is None:
            cells.fail("shipment_id", _("Shipment %(shipment)s is also on line %(line)d, for another order.")
                       % {"shipment": shipment_id, "line": first_any})
    if not cells.ok:
        return None
    assert purchase_date is not None and shipped_at is not None and quantity is not None  # required: set when cells.ok
    carrier, carrier_name = carrier_from_amazon(v.get("carrier", ""))
    head = None
    if ctx.first_line("order", order_id, line=row.line) is None:
        line2 = ", ".join(p for p in (v.get("ship_line2", ""), v.get("ship_line3", "")) if p)
        head = OrderHead(purchase_date=purchase_date, payments_date=payments_date, fields={
            "merchant_order_id": v.get("merchant_order_id", "")[:64],
            "sales_channel": sales_channel[:40],
            "ship_service_level": v.get("ship_service_level", "")[:64],
            "buyer_name": v.get("buyer_name", "")[:200], "buyer_email": v.get("buyer_email", "")[:254],
            "ship_name": v.get("ship_name", "")[:200], "ship_line1": v.get("ship_line1", "")[:200],
            "ship_line2": line2[:200], "ship_city": v.get("ship_city", "")[:100],
            "ship_state": v.get("ship_state", "")[:100], "ship_postal_code": v.get("ship_postal_code", "")[:20],
            "ship_country": v.get("ship_country", "")[:2].upper(),
            "currency": v.get("currency", "")[:3].upper(),
        })
    return order_id, ShipLine(
        line=row.line, order_id=order_id, order_item_id=order_item_id, shipment_id=shipment_id, sku=sku,
        title=v.get("title", "")[:500], quantity=quantity, amounts=amounts, currency=v.get("currency", "")[:3].upper(),
        shipped_at=shipped_at, estimated_arrival_at=estimated_arrival, carrier=carrier, carrier_name=carrier_name,
        tracking_number=tracking, fulfillment_center_id=center, head=head)


def _items(ctx: Context, lines: list[ShipLine]) -> list[NewItem] | None:
    """The order's items as the report shows them: each item's units and amounts added over its rows."""
    items: dict[str, NewItem] = {}
    for line in lines:
        item = items.get(line.item_key)
        if item is None:
            items[line.item_key] = NewItem(line=line.line, sku=line.sku, quantity=line.quantity, title=line.title,
                                           order_item_id=line.order_item_id, currency=line.currency,
                                           **line.amounts)  # type: ignore[arg-type]  # the amount fields
            continue
        item.quantity += line.quantity
        for name in ITEM_AMOUNTS:
            total = getattr(item, name) + line.amounts[name]
            if total > bounds.MONEY_MAX:
                ctx.error(line.line, ctx.headers.get(name, name),
                          _("The amounts of this item add up to %(total)s, more than %(maximum)s, the largest amount "
                            "that can be stored.") % {"total": total, "maximum": bounds.MONEY_MAX})
                return None
            setattr(item, name, total)
    return list(items.values())


def build(groups: list[list[ShipLine]], ctx: Context) -> dict[str, ShippedOrder]:
    """Each order from all its rows: its items and its parcels; no database access."""
    orders: dict[str, ShippedOrder] = {}
    for lines in groups:
        head = next(line.head for line in lines if line.head is not None)
        first = lines[0]
        items = _items(ctx, lines)
        if items is None:
            continue
        order = NewOrder(line=first.line, amazon_order_id=first.order_id, purchase_date=head.purchase_date,
                         status=S.SHIPPED, fulfillment_channel=Channel.AFN, items=items,
                         last_updated=max(line.shipped_at for line in lines), fields=dict(head.fields))
        if not order_total_fits(ctx, order):
            continue
        parcels: dict[tuple[str, str], Parcel] = {}
        for line in lines:
            key = (line.shipment_id, line.tracking_number)
            parcels.setdefault(key, Parcel(shipment_id=key[0], tracking_number=key[1], lines=[])).lines.append(line)
        orders[first.order_id] = ShippedOrder(order=order, head=head, lines=lines, parcels=list(parcels.values()))
    return orders


def apply(orders: dict[str, ShippedOrder], ctx: Context) -> Counts:
    """Create the orders we do not hold; bring the others to Shipped; record every parcel not recorded yet."""
    counts = Counts()
    store = ctx.store
    recorded: dict[tuple[str, str], str] = {}
    shipment_ids = sorted({parcel.shipment_id for data in orders.values() for parcel in data.parcels})
    for start in range(0, len(shipment_ids), 5000):
        # Excluding the empty id lets PostgreSQL use the partial unique index, whatever the list's length.
        rows = (Shipment.objects.filter(store=store, amazon_shipment_id__in=shipment_ids[start:start + 5000])
                .exclude(amazon_shipment_id="").order_by()
                .values_list("amazon_shipment_id", "tracking_number", "order__amazon_order_id"))
        recorded.update(((sid, tracking), order_id) for sid, tracking, order_id in rows)
    for data in orders.values():
        for parcel in data.parcels:
            owner = recorded.get((parcel.shipment_id, parcel.tracking_number))
            if owner is not None and owner != data.order.amazon_order_id:
                ctx.error(parcel.first.line, ctx.headers["shipment_id"],
                          _("Shipment %(shipment)s is already recorded for order %(other)s.")
                          % {"shipment": parcel.shipment_id, "other": owner})
    existing = existing_orders(store.pk, list(orders))
    held, counts.skipped = _plan_held(ctx, {order_id: orders[order_id] for order_id in existing}, existing,
                                      recorded)
    if ctx.problems and not ctx.dry_run:
        return counts  # the file is refused: nothing of it is kept, so nothing more is written
    new = [data for order_id, data in orders.items() if order_id not in existing]
    counts.created = orders_bulk_create(ctx, [data.order for data in new], report=str(LABEL))
    ctx.touched.add_many("order", [data.order.amazon_order_id for data in new], created=True)
    item_ids = _item_ids([data.order.amazon_order_id for data in new], store_id=store.pk)
    parcels = []
    for data in new:
        for parcel in data.parcels:
            if (parcel.shipment_id, parcel.tracking_number) in recorded:
                continue  # recorded for another order: an error above
            quantities: dict[int, int] = {}
            for line in parcel.lines:
                pk = item_ids[(data.order.amazon_order_id, line.item_key)]
                quantities[pk] = quantities.get(pk, 0) + line.quantity
            parcels.append((data, parcel, quantities))
    parcels += _write_held(ctx, held)
    counts.updated = len(held)
    ctx.touched.add_many("order", [plan.order.amazon_order_id for plan in held], created=False)
    _record_parcels(ctx, parcels)
    return counts


def _item_ids(order_ids: list[str], *, store_id: int) -> dict[tuple[str, str], int]:
    """The items of the orders just created, by (order id, item key)."""
    found: dict[tuple[str, str], int] = {}
    for start in range(0, len(order_ids), 5000):
        rows = OrderItem.objects.filter(store_id=store_id, order__store_id=store_id,
                                        order__amazon_order_id__in=order_ids[start:start + 5000]).values_list(
            "order__amazon_order_id", "order_item_id", "sku", "pk")
        for order_id, order_item_id, sku, pk in rows:
            found[(order_id, order_item_id or f"sku:{sku}")] = pk
    return found


def _record_parcels(ctx: Context, parcels: list[tuple[ShippedOrder, Parcel, dict[int, int]]]) -> None:
    """Write the parcels (``Shipment`` rows and their items) and a shipment entry on each order's timeline."""
    if not parcels:
        return
    order_pks = dict(Order.objects.filter(store=ctx.store, amazon_order_id__in=sorted(
        {data.order.amazon_order_id for data, _parcel, _quantities in parcels})).values_list("amazon_order_id", "pk"))
    shipments = [AmazonShipmentData(
        order_id=order_pks[data.order.amazon_order_id], amazon_shipment_id=parcel.shipment_id,
        carrier=parcel.first.carrier, carrier_name=parcel.first.carrier_name, tracking_number=parcel.tracking_number,
        shipped_at=parcel.shipped_at, quantities=quantities,
        estimated_arrival_at=parcel.first.estimated_arrival_at,
        fulfillment_center_id=parcel.first.fulfillment_center_id) for data, parcel, quantities in parcels]
    shipments_record_amazon(store_id=ctx.store.pk, shipments=shipments)
    actor_id = ctx.actor.pk if ctx.actor is not None and ctx.actor.is_authenticated else None
    events = []
    shipped = _("Shipped by Amazon from %(center)s: %(carrier)s %(tracking)s (shipment %(shipment)s)")
    labels = {value: str(label) for value, label in Carrier.choices}
    for shipment, pk in zip(shipments, reserve_ids(OrderEvent, len(shipments)), strict=True):
        carrier = shipment.carrier_name if shipment.carrier == Carrier.OTHER and shipment.carrier_name \
            else labels[shipment.carrier]
        note = shipped % {"center": shipment.fulfillment_center_id or "—", "carrier": carrier,
                          "tracking": shipment.tracking_number or "—", "shipment": shipment.amazon_shipment_id}
        events.append({"id": pk, "store_id": ctx.store.pk, "order_id": shipment.order_id,
                       "kind": OrderEvent.Kind.SHIPMENT, "actor_id": actor_id, "source": SOURCE,
                       "at": shipment.shipped_at, "note": note})
    insert_rows(OrderEvent, events)


@dataclass
class HeldPlan:
    """What a report changes on an order we hold: its new parcels, the items it gains, those it updates."""

    existing: Existing
    order: Order
    data: ShippedOrder
    fresh: list[Parcel]
    items: list[OrderItem]
    added: list[OrderItem]
    changed: list[OrderItem]
    #: Units of each parcel, by item: {id(parcel): {id(item): (item, units)}}.
    units: dict[int, dict[int, tuple[OrderItem, int]]]


def _plan_held(ctx: Context, orders: dict[str, ShippedOrder], held: dict[str, Existing],
               recorded: dict[tuple[str, str], str]) -> tuple[list[HeldPlan], int]:
    """Orders we hold: the parcels not recorded yet, the item each row ships, the items the order lacks; no
    writes. Return the plans and how many orders have nothing new."""
    plans: list[HeldPlan] = []
    fresh_of = {order_id: [parcel for parcel in data.parcels
                           if (parcel.shipment_id, parcel.tracking_number) not in recorded]
                for order_id, data in orders.items()}
    # An order whose parcels are all recorded (the same file again) needs nothing more read.
    skipped = sum(1 for fresh in fresh_of.values() if not fresh)
    if skipped == len(orders):
        return plans, skipped
    col = ctx.headers
    pks = [held[order_id].pk for order_id, fresh in fresh_of.items() if fresh]
    items_of: dict[int, list[OrderItem]] = defaultdict(list)
    for item in OrderItem.objects.filter(order_id__in=pks).order_by("id"):
        items_of[item.order_id].append(item)
    in_shipments = dict(ShipmentItem.objects.filter(order_item__order_id__in=pks).values("order_item_id")
                        .annotate(units=Sum("quantity")).values_list("order_item_id", "units"))
    order_rows = {o.pk: o for o in Order.objects.filter(pk__in=pks)}
    for order_id, data in orders.items():
        found, fresh = held[order_id], fresh_of[order_id]
        if not fresh:
            continue
        first = fresh[0].first
        if found.fulfillment_channel != Channel.AFN:
            ctx.error(first.line, col["order_id"], _("Order %(id)s is seller-fulfilled in %(store)s; this report "
                                                     "lists only orders Amazon shipped.")
                      % {"id": order_id, "store": ctx.store.code})
            continue
        if found.status in {S.CANCELED, S.UNFULFILLABLE}:
            ctx.warn(first.line, col["order_id"], _("Order %(id)s is %(status)s here; its shipments on this report "
                                                    "are not recorded.")
                     % {"id": order_id, "status": S(found.status).label})
            skipped += 1
            continue
        matched = _match_items(ctx, data, fresh, items_of[found.pk], in_shipments)
        if matched is not None:
            added, changed, units = matched
            plans.append(HeldPlan(existing=found, order=order_rows[found.pk], data=data, fresh=fresh,
                                  items=items_of[found.pk], added=added, changed=changed, units=units))
    return plans, skipped


def _write_held(ctx: Context, plans: list[HeldPlan]) -> list[tuple[ShippedOrder, Parcel, dict[int, int]]]:
    """Write the plans, many orders at a time: the items added and updated, the orders' empty fields and
    totals; then move each order to (partly) Shipped through the order services. Return the parcels to record."""
    added = [item for plan in plans for item in plan.added]
    if added:
        listings = {listing.sku: listing for listing in Listing.objects.filter(
            store=ctx.store, sku__in={item.sku for item in added}).only("id", "sku", "asin", "title")}
        for plan in plans:
            for item in plan.added:
                listing = listings.get(item.sku)
                item.order_id, item.listing = plan.order.pk, listing
                if listing is not None:
                    item.asin, item.title = listing.asin, item.title or listing.title
        OrderItem.objects.bulk_create(added, batch_size=1000)
    item_fields = ["order_item_id", "quantity_shipped", "currency", *ITEM_AMOUNTS]
    update_rows(OrderItem, [{"id": item.pk, **{name: getattr(item, name) for name in item_fields}}
                            for plan in plans for item in plan.changed], item_fields)
    order_fields = [*FILLED_FIELDS, "order_total", "last_update_date"]
    update_rows(Order, [{"id": plan.order.pk, **{name: getattr(plan.order, name) for name in order_fields}}
                        for plan in plans if _refill(ctx, plan)], order_fields)
    parcels = []
    for plan in plans:
        # The items are written: the parcels' units go by their ids.
        for parcel in plan.fresh:
            parcels.append((plan.data, parcel, {item.pk: units for item, units in plan.units[id(parcel)].values()}))
        _advance(ctx, plan)
    return parcels


def _refill(ctx: Context, plan: HeldPlan) -> bool:
    """Fill the order's empty fields from the report, and its total from its lines; True if anything changed."""
    order, fields = plan.order, plan.data.head.fields
    changed = False
    for name in FILLED_FIELDS:
        if fields.get(name) and not getattr(order, name):
            setattr(order, name, fields[name])
            changed = True
    if plan.added or plan.changed:
        total = sum((line_total({n: getattr(i, n) for n in ITEM_AMOUNTS}, is_canceled=i.is_canceled)
                     for i in plan.items + plan.added), Decimal("0"))
        if total != order.order_total and abs(total) <= bounds.ORDER_TOTAL_MAX:
            order.order_total = total
            changed = True
    if changed:
        order.last_update_date = ctx.now
    return changed


def _match_items(ctx: Context, data: ShippedOrder, fresh: list[Parcel], items: list[OrderItem],
                 in_shipments: dict[int, int]):
    """Which item of the order each new row ships: the one with Amazon's item id, else an item of the same SKU
    without one (the All Orders report gives none), else a new item. None if the units do not fit."""
    col = ctx.headers
    by_id = {item.order_item_id: item for item in items if item.order_item_id}
    claimed: dict[str, OrderItem] = {}
    added: list[OrderItem] = []
    shipped: dict[int, int] = {}
    changed: dict[int, OrderItem] = {}
    quantities: dict[int, dict[int, tuple[OrderItem, int]]] = {}
    for parcel in fresh:
        units: dict[int, tuple[OrderItem, int]] = {}
        for line in parcel.lines:
            item = claimed.get(line.item_key) or by_id.get(line.order_item_id)
            if item is None:
                item = next((i for i in items if i.sku == line.sku and not i.is_canceled and not i.order_item_id
                             and i not in claimed.values()), None)
                if item is not None and line.order_item_id:
                    item.order_item_id = line.order_item_id
                    changed[id(item)] = item
            if item is None:
                item = OrderItem(store_id=ctx.store.pk, order_id=0, sku=line.sku, title=line.title, quantity=0,
                                 order_item_id=line.order_item_id, currency=line.currency)
                added.append(item)
            claimed[line.item_key] = item
            if item in added:
                item.quantity += line.quantity
                for name in ITEM_AMOUNTS:
                    setattr(item, name, getattr(item, name) + line.amounts[name])
            elif not any(getattr(item, name) for name in ITEM_AMOUNTS) and not in_shipments.get(item.pk):
                # A Pending order of the All Orders report has no prices yet: the shipment gives them.
                for name in ITEM_AMOUNTS:
                    setattr(item, name, getattr(item, name) + line.amounts[name])
                item.currency = item.currency or line.currency
                changed[id(item)] = item
            shipped[id(item)] = shipped.get(id(item), 0) + line.quantity
            units[id(item)] = (item, units.get(id(item), (item, 0))[1] + line.quantity)
        quantities[id(parcel)] = units
    for item in items:
        if id(item) not in shipped:
            continue
        total = in_shipments.get(item.pk, 0) + shipped[id(item)]
        if total > item.quantity:
            line = next(line for parcel in fresh for line in parcel.lines if claimed.get(line.item_key) is item)
            ctx.error(line.line, col["quantity"], _("Order %(id)s has %(ordered)d units of %(sku)s; the shipments "
                                                    "recorded and reported add up to %(shipped)d.")
                      % {"id": data.order.amazon_order_id, "ordered": item.quantity, "sku": item.sku,
                         "shipped": total})
            return None
        if total > item.quantity_shipped:
            item.quantity_shipped = total
            changed[id(item)] = item
    for item in added:
        item.quantity_shipped = item.quantity
    return added, list(changed.values()), quantities


def _advance(ctx: Context, plan: HeldPlan) -> None:
    """Move an order we hold to where its items now put it, Shipped (or Partially shipped while units are owed),
    through the services: a Pending one was paid first (the report's payments date)."""
    found, first = plan.existing, plan.fresh[0].first
    target = order_status_derived(status=found.status, lines=plan.items + plan.added)
    if target == found.status:
        return
    column, report = ctx.headers["shipment_date"], str(LABEL)
    status = found.status
    if status in {S.PENDING, S.PENDING_AVAILABILITY}:
        paid = plan.data.head.payments_date or plan.data.order.purchase_date
        if not status_update(ctx, order=found, status=S.UNSHIPPED, at=paid, line=first.line, column=column,
                             report=report):
            return
        status = S.UNSHIPPED
    # Partly shipped with its first parcel; wholly with its last.
    times = [parcel.shipped_at for parcel in plan.fresh]
    status_update(ctx, order=found._replace(status=status), status=target,
                  at=max(times) if target == S.SHIPPED else min(times), line=first.line, column=column, report=report)
