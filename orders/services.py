"""Every write to an order: creation with stock reservation, status changes, cancelling, and what a shipment
confirmation (``fulfillment.services.order_ship``) changes on the order itself.

Each service runs in one transaction, locks the order row, checks the move against ``ORDER_TRANSITIONS``
and writes an ``OrderEvent``; metric recomputes are enqueued only once the transaction commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, InvalidTransition
from core.models import Store
from core.signals import store_data_changed_send
from core.state import CLOCK_SKEW as CLOCK_SKEW  # the services and report imports of other apps read it here
from core.state import actor_or_none, locked, not_future
from listings.models import Channel, Listing
from listings.services import stock_consume, stock_release, stock_reserve

from .ids import AMAZON_ORDER_ID
from .models import (
    ITEM_AMOUNTS,
    ORDER_STATES,
    SHIPPABLE_STATUSES,
    CancelInitiator,
    Order,
    OrderEvent,
    OrderItem,
    OrderStatus,
    line_total,
)
from .risk import risk_flags
from .status import order_status_derived


@dataclass
class ItemData:
    sku: str
    quantity: int
    asin: str = ""
    title: str = ""
    item_price: Decimal = Decimal("0")
    order_item_id: str = ""
    item_tax: Decimal = Decimal("0")
    shipping_price: Decimal = Decimal("0")
    shipping_tax: Decimal = Decimal("0")
    gift_wrap_price: Decimal = Decimal("0")
    gift_wrap_tax: Decimal = Decimal("0")
    promotion_discount: Decimal = Decimal("0")
    ship_promotion_discount: Decimal = Decimal("0")
    #: The currency of the amounts; empty means the store's.
    currency: str = ""
    #: Amazon cancelled this line; its quantity may be 0 (the API reports a cancelled line so).
    is_canceled: bool = False
    buyer_requested_cancel: bool = False

    @property
    def amounts(self) -> dict[str, Decimal]:
        return {name: getattr(self, name) for name in ITEM_AMOUNTS}

    @property
    def line_total(self) -> Decimal:
        return line_total(self.amounts, is_canceled=self.is_canceled)


@dataclass
class AddressData:
    name: str = ""
    line1: str = ""
    line2: str = ""
    city: str = ""
    state: str = ""
    postal_code: str = ""
    country: str = ""


@dataclass
class OrderData:
    amazon_order_id: str
    purchase_date: datetime
    items: list[ItemData]
    fulfillment_channel: str = Channel.MFN
    status: str = OrderStatus.UNSHIPPED
    earliest_ship_date: datetime | None = None
    latest_ship_date: datetime | None = None
    earliest_delivery_date: datetime | None = None
    latest_delivery_date: datetime | None = None
    ship_service_level: str = ""
    shipment_service_level_category: str = "Standard"
    is_prime: bool = False
    is_business_order: bool = False
    buyer_name: str = ""
    buyer_email: str = ""
    address: AddressData = field(default_factory=AddressData)
    #: Amazon's own order total and its currency, when it gives them; otherwise the sum of the live lines.
    order_total: Decimal | None = None
    currency: str = ""
    is_replacement_order: bool = False
    replaced_order_id: str = ""
    sales_channel: str = ""
    #: When the buyer asked Amazon to cancel (with the reason they gave), if they did.
    buyer_cancel_requested_at: datetime | None = None
    buyer_cancel_reason: str = ""


def order_event_record(*, order: Order, kind: str, actor: User | None, source: str, at: datetime,
                       from_status: str = "", to_status: str = "", note: str = "") -> OrderEvent:
    """Add one entry to the order's timeline: every change to an order or its after-sale writes one."""
    return OrderEvent.objects.create(
        store_id=order.store_id, order=order, kind=kind, from_status=from_status, to_status=to_status,
        actor=actor_or_none(actor), source=source, note=note, at=at,
    )


def order_total_of(data: OrderData) -> Decimal:
    """Amazon's order total when it gives one, else what the order's live lines add up to."""
    if data.order_total is not None:
        return data.order_total
    return sum((item.line_total for item in data.items), Decimal("0"))


def _check_not_future(value: datetime, *, what: str) -> None:
    not_future(value, what=what)


def order_flags(order: Order) -> list[str]:
    items = [(i.quantity_owed, i.quantity_reserved, i.listing_id is not None) for i in order.items.all()]
    return risk_flags(channel=order.fulfillment_channel, line1=order.ship_line1, line2=order.ship_line2,
                      city=order.ship_city, postal_code=order.ship_postal_code, country=order.ship_country,
                      items=[i for i in items if i[0] > 0] if order.is_open else [])


@transaction.atomic
def order_create(*, store: Store, data: OrderData, actor: User | None = None,
                 source: str = "ui") -> Order:
    """Create an order and its items, reserving stock for the seller-fulfilled units the store holds."""
    if not AMAZON_ORDER_ID.match(data.amazon_order_id):
        raise ApplicationError(_("%(id)s is not an Amazon order id (3-7-7 digits, e.g. 113-1234567-1234567).")
                               % {"id": data.amazon_order_id})
    if not data.items:
        raise ApplicationError(_("An order needs at least one item."))
    if any(item.quantity < (0 if item.is_canceled else 1) for item in data.items):
        raise ApplicationError(_("Every item needs a quantity of at least 1."))
    if data.status not in {OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY, OrderStatus.UNSHIPPED}:
        raise ApplicationError(_("A new order starts as Pending or Unshipped, not %(status)s.")
                               % {"status": data.status})
    _check_not_future(data.purchase_date, what=_("The purchase date"))
    if data.earliest_ship_date and data.latest_ship_date and data.latest_ship_date < data.earliest_ship_date:
        raise ApplicationError(_("The latest ship date is before the earliest ship date."))
    address = data.address
    try:
        with transaction.atomic():
            order = Order.objects.create(
                store=store, amazon_order_id=data.amazon_order_id, purchase_date=data.purchase_date,
                status=data.status, fulfillment_channel=data.fulfillment_channel,
                earliest_ship_date=data.earliest_ship_date, latest_ship_date=data.latest_ship_date,
                earliest_delivery_date=data.earliest_delivery_date, latest_delivery_date=data.latest_delivery_date,
                ship_service_level=data.ship_service_level,
                shipment_service_level_category=data.shipment_service_level_category,
                is_prime=data.is_prime, is_business_order=data.is_business_order,
                buyer_name=data.buyer_name, buyer_email=data.buyer_email, currency=data.currency or store.currency,
                order_total=order_total_of(data),
                is_replacement_order=data.is_replacement_order, replaced_order_id=data.replaced_order_id,
                sales_channel=data.sales_channel, buyer_cancel_requested_at=data.buyer_cancel_requested_at,
                buyer_cancel_reason=data.buyer_cancel_reason[:200],
                ship_name=address.name, ship_line1=address.line1, ship_line2=address.line2,
                ship_city=address.city, ship_state=address.state, ship_postal_code=address.postal_code,
                ship_country=address.country,
            )
    except IntegrityError:
        raise ApplicationError(_("Order %(id)s already exists in %(store)s.")
                               % {"id": data.amazon_order_id, "store": store.code}) from None
    listings = {listing.sku: listing
                for listing in Listing.objects.filter(store=store, sku__in=[i.sku for i in data.items])}
    for item_data in data.items:
        listing = listings.get(item_data.sku)
        item = OrderItem.objects.create(
            store=store, order=order, listing=listing, sku=item_data.sku,
            asin=item_data.asin or (listing.asin if listing else ""),
            title=item_data.title or (listing.title if listing else ""), quantity=item_data.quantity,
            order_item_id=item_data.order_item_id, currency=item_data.currency or order.currency,
            is_canceled=item_data.is_canceled, buyer_requested_cancel=item_data.buyer_requested_cancel,
            **item_data.amounts,
        )
        if listing and order.is_mfn and not item.is_canceled:
            item.quantity_reserved = stock_reserve(listing=listing, quantity=item.quantity, order=order,
                                                   at=data.purchase_date)
            item.save(update_fields=["quantity_reserved"])
    order.risk_flags = order_flags(order)
    order.save(update_fields=["risk_flags"])
    order_event_record(order=order, kind=OrderEvent.Kind.CREATED, actor=actor, source=source,
                       at=data.purchase_date, to_status=order.status)
    store_data_changed_send(store_id=store.pk)
    return order


def _lock(order: Order) -> Order:
    return locked(order)


def _what(order: Order) -> str:
    return _("Order %(id)s") % {"id": order.amazon_order_id}


def _transition(order: Order, new: str) -> str:
    """Check ``order``'s move to ``new`` against the table and make it; return the old status."""
    return ORDER_STATES.move(order, new, what=_what(order))


@transaction.atomic
def order_set_status(*, order: Order, status: str, actor: User | None = None, source: str = "ui",
                     note: str = "", at: datetime | None = None) -> Order:
    """Move an order to ``status`` where the table allows it (Amazon's own updates, confirm, pack, deliver).

    Cancelling and the seller's shipment confirmation have their own services, since they move stock and
    record more; Amazon's report that an FBA order shipped, or that an invoice was confirmed, comes here.
    """
    order = _lock(order)
    at = at or timezone.now()
    _check_not_future(at, what=_("The time of the change"))
    old = ORDER_STATES.move(order, status, what=_what(order), at=at)
    if status == OrderStatus.CANCELED:
        raise ApplicationError(_("Use cancel, which records who cancelled and why."))
    seller_ships = order.is_mfn and old in SHIPPABLE_STATUSES
    if status in {OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED} and seller_ships:
        raise ApplicationError(_("Use ship, which records the carrier and tracking number."))
    if status in {OrderStatus.CONFIRMED, OrderStatus.PACKED} and not order.is_mfn:
        raise ApplicationError(_("Order %(id)s is fulfilled by Amazon; there is nothing to confirm or pack.")
                               % {"id": order.amazon_order_id})
    update_fields = ["status", "last_update_date"]
    if status in ORDER_STATES.entered_at:  # confirmed_at, packed_at
        update_fields.append(ORDER_STATES.entered_at[status])
    if status == OrderStatus.UNFULFILLABLE:
        # Nothing will ship: the units held for this order go back on sale.
        _release_reserved(order, actor=actor, at=at)
        order.risk_flags = []
        update_fields.append("risk_flags")
    order.save(update_fields=update_fields)
    order_event_record(order=order, kind=OrderEvent.Kind.STATUS, actor=actor, source=source, at=at,
                       from_status=old, to_status=status, note=note)
    return order


def _release_reserved(order: Order, *, actor: User | None, at: datetime) -> None:
    for item in order.items.select_related("listing").filter(quantity_reserved__gt=0):
        if item.listing is not None:
            stock_release(listing=item.listing, quantity=item.quantity_reserved, order=order, actor=actor,
                          at=at)
        item.quantity_reserved = 0
        item.save(update_fields=["quantity_reserved"])


def order_confirm(*, order: Order, actor: User | None = None, source: str = "ui") -> Order:
    return order_set_status(order=order, status=OrderStatus.CONFIRMED, actor=actor, source=source)


def order_pack(*, order: Order, actor: User | None = None, source: str = "ui") -> Order:
    return order_set_status(order=order, status=OrderStatus.PACKED, actor=actor, source=source)


@transaction.atomic
def order_cancel(*, order: Order, initiator: str, reason: str, actor: User | None = None,
                 source: str = "ui", at: datetime | None = None) -> Order:
    """Cancel an order that has not shipped, recording who asked and why, and release its reserved stock."""
    if initiator not in CancelInitiator.values:
        raise ApplicationError(_("The initiator must be one of: %(choices)s.")
                               % {"choices": ", ".join(CancelInitiator.values)})
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason for the cancellation."))
    order = _lock(order)
    at = at or timezone.now()
    _check_not_future(at, what=_("The cancellation time"))
    if at < order.purchase_date:
        raise ApplicationError(_("An order cannot be cancelled before it was placed."))
    if order.shipments.filter(shipped_at__lte=at).exists():
        raise InvalidTransition(_("Order %(id)s already has a confirmed shipment; it can no longer be cancelled.")
                                % {"id": order.amazon_order_id})
    old = ORDER_STATES.move(order, OrderStatus.CANCELED, what=_what(order), at=at)
    order.cancel_initiator, order.cancel_reason = initiator, reason[:200]
    _release_reserved(order, actor=actor, at=at)
    order.risk_flags = []
    order.save(update_fields=["status", "canceled_at", "cancel_initiator", "cancel_reason", "risk_flags",
                              "last_update_date"])
    order_event_record(order=order, kind=OrderEvent.Kind.CANCEL, actor=actor, source=source, at=at,
                       from_status=old, to_status=OrderStatus.CANCELED,
                       note=f"{CancelInitiator(initiator).label}: {reason}")
    store_data_changed_send(store_id=order.store_id)
    return order


@dataclass
class ShipPlan:
    """A seller-fulfilled order locked for a shipment confirmation, and the units it ships by item id."""

    order: Order
    items: list[OrderItem]
    quantities: dict[int, int]
    shipped_at: datetime


def order_ship_prepare(*, order: Order, shipped_at: datetime | None = None,
                       quantities: dict[int, int] | None = None) -> ShipPlan:
    """Lock the order and its items for a shipment confirmation and check what may ship: all units still owed,
    or ``quantities`` by item id.

    The first half of a shipment confirmation (``fulfillment.services.order_ship``), inside its transaction:
    the shipment is created between this and ``order_ship_record``.
    """
    order = _lock(order)
    if order.fulfillment_channel != Channel.MFN:
        raise ApplicationError(_("Order %(id)s is fulfilled by Amazon; Amazon confirms its shipments.")
                               % {"id": order.amazon_order_id})
    if order.status not in SHIPPABLE_STATUSES:
        raise InvalidTransition(_("Order %(id)s is %(status)s and cannot be shipped.")
                                % {"id": order.amazon_order_id, "status": order.get_status_display()})
    shipped_at = shipped_at or timezone.now()
    _check_not_future(shipped_at, what=_("The ship date"))
    if shipped_at < order.purchase_date:
        raise ApplicationError(_("The ship date is before the order was placed."))
    items = list(order.items.select_related("listing").select_for_update(of=("self",)))
    owed = {item.pk: item.quantity_owed for item in items}
    if quantities is None:
        quantities = {pk: qty for pk, qty in owed.items() if qty > 0}
    unknown = set(quantities) - set(owed)
    if unknown:
        raise ApplicationError(_("These items are not in order %(id)s: %(items)s.")
                               % {"id": order.amazon_order_id, "items": ", ".join(map(str, sorted(unknown)))})
    for pk, qty in quantities.items():
        if qty < 1 or qty > owed[pk]:
            raise ApplicationError(_("Item %(item)s: %(qty)d units cannot be shipped; %(owed)d are still owed.")
                                   % {"item": pk, "qty": qty, "owed": owed[pk]})
    if not quantities:
        raise ApplicationError(_("Nothing is left to ship on order %(id)s.") % {"id": order.amazon_order_id})
    return ShipPlan(order=order, items=items, quantities=quantities, shipped_at=shipped_at)


def order_ship_record(*, plan: ShipPlan, note: str, actor: User | None = None,
                      source: str = "ui") -> Order:
    """Record that ``plan``'s units left: consume their stock, count them shipped, move the order to Shipped or
    PartiallyShipped and write ``note`` (the carrier and tracking number) on its timeline.

    The second half of a shipment confirmation, in the transaction of ``order_ship_prepare``.
    """
    order, shipped_at = plan.order, plan.shipped_at
    for item in plan.items:
        qty = plan.quantities.get(item.pk, 0)
        if not qty:
            continue
        from_reserved = min(qty, item.quantity_reserved)
        if item.listing is not None:
            stock_consume(listing=item.listing, reserved=from_reserved, unreserved=qty - from_reserved, order=order,
                          actor=actor, at=shipped_at)
        item.quantity_shipped += qty
        item.quantity_reserved -= from_reserved
        item.save(update_fields=["quantity_shipped", "quantity_reserved"])
    new = order_status_derived(status=order.status, lines=plan.items)
    old = order.status
    if new != old:
        _transition(order, new)
    order.risk_flags = order_flags(order)
    order.save(update_fields=["status", "risk_flags", "last_update_date"])
    order_event_record(order=order, kind=OrderEvent.Kind.SHIPMENT, actor=actor, source=source, at=shipped_at,
                       from_status=old, to_status=new, note=note)
    store_data_changed_send(store_id=order.store_id)
    return order


@transaction.atomic
def order_buyer_cancel_request(*, order: Order, at: datetime, reason: str = "", source: str,
                               actor: User | None = None) -> Order:
    """Mark that the buyer asked to cancel: the queue shows it, and the cancellation is then the buyer's.

    Amazon may tell us more than once (the API's item flag, a relay notice): the first request is kept.
    """
    order = _lock(order)
    if order.buyer_cancel_requested_at is not None:
        return order
    at = min(max(at, order.purchase_date), timezone.now())
    order.buyer_cancel_requested_at, order.buyer_cancel_reason = at, (reason or "").strip()[:200]
    order.save(update_fields=["buyer_cancel_requested_at", "buyer_cancel_reason", "last_update_date"])
    order_event_record(order=order, kind=OrderEvent.Kind.CANCEL_REQUEST, actor=actor, source=source, at=at,
                       note=order.buyer_cancel_reason)
    return order


def cancel_initiator_of(order: Order, *, otherwise: str) -> str:
    """Who a cancellation reported by Amazon is attributed to: the buyer if they had asked for it."""
    return CancelInitiator.BUYER if order.buyer_cancel_requested_at is not None else otherwise


@transaction.atomic
def order_add_note(*, order: Order, note: str, actor: User | None = None, source: str = "ui") -> OrderEvent:
    note = (note or "").strip()
    if not note:
        raise ApplicationError(_("A note cannot be empty."))
    return order_event_record(order=order, kind=OrderEvent.Kind.NOTE, actor=actor, source=source,
                              at=timezone.now(), note=note)
