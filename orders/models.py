"""Orders, their items and their timeline. Status changes only through ``orders.services``."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.state import StateMachine
from listings.models import Channel

from .addresses import address_lines, city_line


class OrderStatus(models.TextChoices):
    """Amazon's order statuses (Orders API v0) plus the operator's own steps, confirmed and packed."""

    PENDING_AVAILABILITY = "PendingAvailability", _("Pending availability")
    PENDING = "Pending", _("Pending")
    UNSHIPPED = "Unshipped", _("Unshipped")
    CONFIRMED = "Confirmed", _("Confirmed")
    PACKED = "Packed", _("Picked and packed")
    PARTIALLY_SHIPPED = "PartiallyShipped", _("Partially shipped")
    SHIPPED = "Shipped", _("Shipped")
    INVOICE_UNCONFIRMED = "InvoiceUnconfirmed", _("Invoice unconfirmed")
    DELIVERED = "Delivered", _("Delivered")
    CANCELED = "Canceled", _("Cancelled")
    UNFULFILLABLE = "Unfulfillable", _("Unfulfillable")


S = OrderStatus
#: Every allowed status change. Anything not listed raises ``InvalidTransition``.
ORDER_TRANSITIONS: dict[str, set[str]] = {
    S.PENDING_AVAILABILITY: {S.PENDING, S.UNSHIPPED, S.CANCELED},
    S.PENDING: {S.UNSHIPPED, S.CANCELED},
    S.UNSHIPPED: {S.CONFIRMED, S.PACKED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED, S.CANCELED,
                  S.UNFULFILLABLE},
    S.CONFIRMED: {S.UNSHIPPED, S.PACKED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED, S.CANCELED},
    S.PACKED: {S.CONFIRMED, S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED, S.CANCELED},
    S.PARTIALLY_SHIPPED: {S.SHIPPED, S.INVOICE_UNCONFIRMED},
    S.INVOICE_UNCONFIRMED: {S.SHIPPED, S.DELIVERED},
    S.SHIPPED: {S.DELIVERED},
    S.DELIVERED: set(),
    S.CANCELED: set(),
    S.UNFULFILLABLE: set(),
}
#: The order's status machine: the table, and the time confirming, packing and cancelling record.
ORDER_STATES = StateMachine(ORDER_TRANSITIONS, dict(OrderStatus.choices),
                            entered_at={S.CONFIRMED: "confirmed_at", S.PACKED: "packed_at", S.CANCELED: "canceled_at"})
#: Statuses in which the seller still owes a shipment.
OPEN_STATUSES = frozenset({S.PENDING, S.UNSHIPPED, S.CONFIRMED, S.PACKED, S.PARTIALLY_SHIPPED})
#: Statuses from which a shipment may be confirmed.
SHIPPABLE_STATUSES = frozenset({S.UNSHIPPED, S.CONFIRMED, S.PACKED, S.PARTIALLY_SHIPPED})


class CancelInitiator(models.TextChoices):
    SELLER = "seller", _("Seller")
    BUYER = "buyer", _("Buyer")
    SYSTEM = "system", _("Amazon (system)")


class RiskFlag(models.TextChoices):
    ADDRESS_INCOMPLETE = "address_incomplete", _("Address incomplete")
    PO_BOX = "po_box", _("PO box")
    STOCK_SHORT = "stock_short", _("Stock short")
    QUANTITY_UNUSUAL = "quantity_unusual", _("Quantity unusual")


class ShipServiceCategory(models.TextChoices):
    EXPEDITED = "Expedited", _("Expedited")
    FREE_ECONOMY = "FreeEconomy", _("Free economy")
    NEXT_DAY = "NextDay", _("Next day")
    SAME_DAY = "SameDay", _("Same day")
    SECOND_DAY = "SecondDay", _("Second day")
    SCHEDULED = "Scheduled", _("Scheduled")
    STANDARD = "Standard", _("Standard")


class Order(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="orders")
    amazon_order_id = models.CharField(_("Amazon order id"), max_length=19)
    merchant_order_id = models.CharField(_("merchant order id"), max_length=64, blank=True)
    purchase_date = models.DateTimeField(_("purchase date"))
    last_update_date = models.DateTimeField(_("last updated"), auto_now=True)
    status = models.CharField(_("status"), max_length=24, choices=OrderStatus.choices, default=S.UNSHIPPED)
    fulfillment_channel = models.CharField(_("channel"), max_length=3, choices=Channel.choices,
                                           default=Channel.MFN)
    sales_channel = models.CharField(_("sales channel"), max_length=40, blank=True)
    ship_service_level = models.CharField(_("ship service level"), max_length=64, blank=True)
    shipment_service_level_category = models.CharField(
        _("service category"), max_length=16, choices=ShipServiceCategory.choices, default=ShipServiceCategory.STANDARD
    )
    earliest_ship_date = models.DateTimeField(_("earliest ship date"), null=True, blank=True)
    latest_ship_date = models.DateTimeField(_("ship by"), null=True, blank=True)
    earliest_delivery_date = models.DateTimeField(_("earliest delivery date"), null=True, blank=True)
    latest_delivery_date = models.DateTimeField(_("deliver by"), null=True, blank=True)
    is_prime = models.BooleanField(_("Prime"), default=False)
    is_business_order = models.BooleanField(_("business order"), default=False)
    is_replacement_order = models.BooleanField(_("replacement order"), default=False)
    replaced_order_id = models.CharField(_("replaced order id"), max_length=19, blank=True)
    order_total = models.DecimalField(_("order total"), max_digits=12, decimal_places=2, default=0)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    buyer_name = models.CharField(_("buyer name"), max_length=200, blank=True)
    buyer_email = models.EmailField(_("buyer e-mail (relay)"), blank=True)
    ship_name = models.CharField(_("recipient"), max_length=200, blank=True)
    ship_line1 = models.CharField(_("address line 1"), max_length=200, blank=True)
    ship_line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    ship_city = models.CharField(_("city"), max_length=100, blank=True)
    ship_state = models.CharField(_("state or region"), max_length=100, blank=True)
    ship_postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    ship_country = models.CharField(_("country"), max_length=2, blank=True)
    risk_flags = models.JSONField(_("risk flags"), default=list, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed at"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_initiator = models.CharField(_("cancelled by"), max_length=8, choices=CancelInitiator.choices,
                                        blank=True)
    cancel_reason = models.CharField(_("cancellation reason"), max_length=200, blank=True)
    #: The buyer asked to cancel (on Amazon, by the API's item flag or a relay notice): a cancellation the
    #: buyer asked for does not count against the seller's cancel rate.
    buyer_cancel_requested_at = models.DateTimeField(_("buyer asked to cancel at"), null=True, blank=True)
    buyer_cancel_reason = models.CharField(_("buyer's cancellation reason"), max_length=200, blank=True)
    #: The earliest ship confirmation of the order's shipments, kept by the database itself (triggers of
    #: ``fulfillment`` migration 0005) whoever writes a shipment: the late-shipment and cancel metrics read it
    #: beside the order instead of looking up shipments order by order.
    first_shipped_at = models.DateTimeField(_("first ship confirmation"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-purchase_date", "-id"]
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        constraints = [
            models.UniqueConstraint(fields=["store", "amazon_order_id"], name="order_unique_store_amazon_id"),
            models.CheckConstraint(
                condition=Q(latest_ship_date__isnull=True) | Q(earliest_ship_date__isnull=True)
                | Q(latest_ship_date__gte=models.F("earliest_ship_date")),
                name="order_ship_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(status=S.CANCELED, canceled_at__isnull=False) | ~Q(status=S.CANCELED),
                name="order_canceled_has_time",
            ),
        ]
        indexes = [
            # The operator's queue: open orders by time left.
            models.Index(fields=["store", "status", "latest_ship_date"], name="order_queue"),
            # Metrics window by purchase date, ship-by and deliver-by, per channel. The included columns let
            # PostgreSQL answer each metric from the index alone (other databases build plain indexes).
            models.Index(fields=["store", "fulfillment_channel", "purchase_date"], name="order_metric_purchase",
                         include=["id", "canceled_at", "cancel_initiator", "first_shipped_at"]),
            models.Index(fields=["store", "fulfillment_channel", "latest_ship_date"], name="order_metric_shipby",
                         include=["id", "canceled_at", "first_shipped_at"]),
            models.Index(fields=["store", "fulfillment_channel", "latest_delivery_date"],
                         name="order_metric_deliverby", include=["id"]),
            models.Index(fields=["store", "purchase_date"], name="order_store_purchase",
                         include=["id", "fulfillment_channel"]),
            models.Index(fields=["amazon_order_id"], name="order_amazon_id"),
            # Newest first across all of a user's stores (the queue's all, FBA and cancelled tabs): read backwards
            # until a page is full instead of sorting every order of every store.
            models.Index(fields=["purchase_date", "id"], name="order_newest"),
            # What changed since the last sync (the API's last_update_date_after).
            models.Index(fields=["store", "last_update_date"], name="order_store_updated"),
        ]

    def __str__(self) -> str:
        return self.amazon_order_id

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_mfn(self) -> bool:
        return self.fulfillment_channel == Channel.MFN

    @property
    def address_lines(self) -> list[str]:
        return address_lines(line1=self.ship_line1, line2=self.ship_line2, city=self.ship_city,
                             state=self.ship_state, postal_code=self.ship_postal_code, country=self.ship_country)

    @property
    def city_line(self) -> str:
        return city_line(city=self.ship_city, state=self.ship_state, postal_code=self.ship_postal_code,
                         country=self.ship_country)


#: The money columns of an order line, all as Amazon gives them, discounts as positive amounts.
ITEM_AMOUNTS = ("item_price", "item_tax", "shipping_price", "shipping_tax", "gift_wrap_price", "gift_wrap_tax",
                "promotion_discount", "ship_promotion_discount")
_DISCOUNTS = frozenset({"promotion_discount", "ship_promotion_discount"})


def line_total(amounts: dict[str, Decimal], *, is_canceled: bool) -> Decimal:
    """What one line adds to the order's total, as Amazon sums it: nothing for a cancelled line."""
    if is_canceled:
        return Decimal("0")
    return sum((-value if name in _DISCOUNTS else value for name, value in amounts.items()), Decimal("0"))


def units_owed(*, quantity: int, shipped: int, is_canceled: bool) -> int:
    """Units of a line still to ship: none on a cancelled line, and never fewer than none."""
    return 0 if is_canceled else max(0, quantity - shipped)


class OrderItem(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="items")
    order_item_id = models.CharField(_("order item id"), max_length=20, blank=True)
    listing = models.ForeignKey("listings.Listing", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="order_items")
    sku = models.CharField(_("SKU"), max_length=40)
    asin = models.CharField(_("ASIN"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=500, blank=True)
    quantity = models.PositiveIntegerField(_("quantity ordered"))
    quantity_shipped = models.PositiveIntegerField(_("quantity shipped"), default=0)
    quantity_reserved = models.PositiveIntegerField(_("quantity reserved"), default=0)
    item_price = models.DecimalField(_("item price"), max_digits=12, decimal_places=2, default=0)
    shipping_price = models.DecimalField(_("shipping price"), max_digits=12, decimal_places=2, default=0)
    promotion_discount = models.DecimalField(_("promotion discount"), max_digits=12, decimal_places=2, default=0)
    item_tax = models.DecimalField(_("item tax"), max_digits=12, decimal_places=2, default=0)
    shipping_tax = models.DecimalField(_("shipping tax"), max_digits=12, decimal_places=2, default=0)
    gift_wrap_price = models.DecimalField(_("gift wrap price"), max_digits=12, decimal_places=2, default=0)
    gift_wrap_tax = models.DecimalField(_("gift wrap tax"), max_digits=12, decimal_places=2, default=0)
    ship_promotion_discount = models.DecimalField(_("shipping promotion discount"), max_digits=12,
                                                  decimal_places=2, default=0)
    #: The currency of this line's amounts as Amazon gives them (empty on lines stored before it was kept:
    #: the order's currency).
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    #: Amazon cancelled this line (item status Cancelled, or quantity ordered 0 in the API): it keeps the
    #: quantity Amazon reported, owes nothing and counts in no total.
    is_canceled = models.BooleanField(_("line cancelled"), default=False)
    buyer_requested_cancel = models.BooleanField(_("buyer requested cancel"), default=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("order item")
        verbose_name_plural = _("order items")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1) | Q(is_canceled=True),
                                   name="orderitem_quantity_gte_1_unless_canceled"),
            models.CheckConstraint(condition=Q(quantity_shipped__lte=models.F("quantity")),
                                   name="orderitem_shipped_lte_ordered"),
            models.CheckConstraint(condition=Q(quantity_reserved__lte=models.F("quantity")),
                                   name="orderitem_reserved_lte_ordered"),
        ]
        indexes = [models.Index(fields=["store", "sku"], name="orderitem_store_sku")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku}"

    @property
    def quantity_owed(self) -> int:
        """Units still to ship: none for a cancelled line."""
        return units_owed(quantity=self.quantity, shipped=self.quantity_shipped, is_canceled=self.is_canceled)

    @property
    def line_total(self) -> Decimal:
        return line_total({name: getattr(self, name) for name in ITEM_AMOUNTS}, is_canceled=self.is_canceled)


class OrderEvent(models.Model):
    """The order's timeline and audit trail: who (or what) did what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        SHIPMENT = "shipment", _("Shipment confirmed")
        CANCEL = "cancel", _("Cancelled")
        CANCEL_REQUEST = "cancel_request", _("Buyer asked to cancel")
        NOTE = "note", _("Note")
        RETURN = "return", _("Return")
        MESSAGE = "message", _("Message")
        IMPORT = "import", _("Imported")
        TRACE = "trace", _("Carrier trace")
        REPLACEMENT = "replacement", _("Replacement sent")
        #: A parcel's delivery or trouble as its carrier reported it (``fulfillment.carrier_events``).
        CARRIER = "carrier", _("Carrier event")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=24, choices=OrderStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=24, choices=OrderStatus.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    source = models.CharField(_("source"), max_length=40, blank=True,
                              help_text=_("ui, api, import, sync, demo or system"))
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        indexes = [models.Index(fields=["order", "at"], name="orderevent_order_at")]

    def __str__(self) -> str:
        return f"{self.order_id} {self.kind} {self.from_status}→{self.to_status}"
