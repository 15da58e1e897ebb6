"""Shipments of orders (the seller's own, and Amazon's for FBA orders), and FBA inbound shipments to Amazon's
warehouses."""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _

from core.state import StateMachine


class Carrier(models.TextChoices):
    """The carriers we store; ``Other`` takes a free carrier name. Everything else about each carrier (Amazon's
    code, tracking formats and links, countries) is in ``fulfillment.carriers.CARRIERS``."""

    USPS = "USPS", "USPS"
    UPS = "UPS", "UPS"
    FEDEX = "FedEx", "FedEx"
    DHL = "DHL", "DHL"
    AMAZON = "Amazon Shipping", "Amazon Shipping"
    ONTRAC = "OnTrac", "OnTrac"
    CANADA_POST = "Canada Post", "Canada Post"
    ROYAL_MAIL = "Royal Mail", "Royal Mail"
    EVRI = "Evri", "Evri (Hermes)"
    DPD = "DPD", "DPD"
    DEUTSCHE_POST = "Deutsche Post", "Deutsche Post / DHL Paket"
    GLS = "GLS", "GLS"
    LA_POSTE = "La Poste", "La Poste / Colissimo"
    POSTE_ITALIANE = "Poste Italiane", "Poste Italiane"
    CORREOS = "Correos", "Correos"
    JAPAN_POST = "Japan Post", "Japan Post"
    YAMATO = "Yamato Transport", "Yamato Transport"
    SAGAWA = "Sagawa Express", "Sagawa Express"
    SF_EXPRESS = "SF Express", "SF Express"
    YUNEXPRESS = "YunExpress", "YunExpress"
    YANWEN = "Yanwen", "Yanwen"
    FOURPX = "4PX", "4PX"
    CHINA_POST = "China Post", "China Post / EMS"
    CAINIAO = "Cainiao", "Cainiao"
    OTHER = "Other", _("Other")


class Shipment(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="shipments")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="shipments")
    carrier = models.CharField(_("carrier"), max_length=40, choices=Carrier.choices)
    carrier_name = models.CharField(_("carrier name"), max_length=80, blank=True)
    ship_method = models.CharField(_("ship method"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    tracking_format_valid = models.BooleanField(
        _("tracking number well-formed"), null=True, blank=True,
        help_text=_("Whether the number matches the carrier's format; unknown for carriers without one."),
    )
    shipped_at = models.DateTimeField(_("ship confirmed at"))
    first_scan_at = models.DateTimeField(_("first carrier scan"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    #: Copies of the order's channel and deliver-by date, kept by the database itself (triggers of migration
    #: 0005) whoever writes an order or a shipment: the tracking metrics select shipments by them.
    order_fulfillment_channel = models.CharField(_("order's fulfilment channel"), max_length=3, blank=True,
                                                 editable=False)
    order_latest_delivery_date = models.DateTimeField(_("order's deliver-by date"), null=True, blank=True,
                                                      editable=False)
    #: Amazon's own id of a shipment it made (the Amazon-fulfilled shipments report's ``shipment-id``): a
    #: report imported again finds its shipments by it (and, for a shipment in several parcels, the tracking
    #: number). Empty for the seller's own shipments.
    amazon_shipment_id = models.CharField(_("Amazon shipment id"), max_length=40, blank=True)
    fulfillment_center_id = models.CharField(_("fulfilment centre"), max_length=16, blank=True)
    estimated_arrival_at = models.DateTimeField(_("estimated arrival"), null=True, blank=True)

    class Meta:
        ordering = ["-shipped_at", "-id"]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        constraints = [
            models.CheckConstraint(
                condition=Q(first_scan_at__isnull=True) | Q(delivered_at__isnull=True)
                | Q(delivered_at__gte=F("first_scan_at")),
                name="shipment_delivered_after_scan",
            ),
            # A package of Amazon's shipment: one shipment may leave in several parcels, each tracked.
            models.UniqueConstraint(fields=["store", "amazon_shipment_id", "tracking_number"],
                                    condition=~Q(amazon_shipment_id=""), name="shipment_unique_amazon_id"),
        ]
        indexes = [
            # The tracking metrics, by ship confirmation and by deliver-by date; the included columns let
            # PostgreSQL answer them from the indexes alone.
            models.Index(fields=["store", "order_fulfillment_channel", "shipped_at"], name="shipment_metric_shipped",
                         include=["first_scan_at"]),
            models.Index(fields=["store", "order_fulfillment_channel", "order_latest_delivery_date"],
                         name="shipment_metric_deliverby", include=["first_scan_at", "delivered_at"]),
            models.Index(fields=["order", "shipped_at"], name="shipment_order_shipped",
                         include=["first_scan_at", "delivered_at"]),
            models.Index(fields=["tracking_number"], name="shipment_tracking"),
            # The order queue's search matches a tracking number whatever its case.
            models.Index(Upper("tracking_number"), name="shipment_tracking_upper"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.carrier} {self.tracking_number}"

    @property
    def carrier_label(self) -> str:
        return self.carrier_name if self.carrier == Carrier.OTHER and self.carrier_name else self.get_carrier_display()


class ShipmentItem(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="items")
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.CASCADE, related_name="shipment_items")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("shipment item")
        verbose_name_plural = _("shipment items")
        constraints = [models.CheckConstraint(condition=Q(quantity__gte=1), name="shipmentitem_quantity_gte_1")]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.order_item.sku}"


class InboundStatus(models.TextChoices):
    WORKING = "working", _("Working")
    SHIPPED = "shipped", _("Shipped")
    RECEIVING = "receiving", _("Receiving")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


I = InboundStatus  # noqa: E741
INBOUND_TRANSITIONS: dict[str, set[str]] = {
    I.WORKING: {I.SHIPPED, I.CANCELLED},
    I.SHIPPED: {I.RECEIVING, I.CLOSED},
    I.RECEIVING: {I.CLOSED},
    I.CLOSED: set(),
    I.CANCELLED: set(),
}
#: The inbound shipment's status machine: the table, and the time shipping, receiving and closing record.
INBOUND_STATES = StateMachine(INBOUND_TRANSITIONS, dict(InboundStatus.choices),
                              entered_at={I.SHIPPED: "shipped_at", I.RECEIVING: "receiving_at", I.CLOSED: "closed_at"})


class InboundShipment(models.Model):
    """An FBA inbound shipment: units the seller sends to an Amazon fulfilment centre."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="inbound_shipments")
    shipment_id = models.CharField(_("shipment id"), max_length=20)
    name = models.CharField(_("name"), max_length=200, blank=True)
    destination_fc = models.CharField(_("destination fulfilment centre"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=InboundStatus.choices,
                              default=InboundStatus.WORKING)
    carrier = models.CharField(_("carrier"), max_length=80, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created"))
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    receiving_at = models.DateTimeField(_("receiving since"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("FBA inbound shipment")
        verbose_name_plural = _("FBA inbound shipments")
        constraints = [models.UniqueConstraint(fields=["store", "shipment_id"], name="inbound_unique_store_id")]
        indexes = [models.Index(fields=["store", "status"], name="inbound_store_status")]

    def __str__(self) -> str:
        return self.shipment_id


class InboundShipmentItem(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    inbound_shipment = models.ForeignKey(InboundShipment, on_delete=models.CASCADE, related_name="items")
    listing = models.ForeignKey("listings.Listing", on_delete=models.PROTECT, related_name="inbound_items")
    quantity_expected = models.PositiveIntegerField(_("units expected"))
    quantity_received = models.PositiveIntegerField(_("units received"), default=0)

    class Meta:
        verbose_name = _("inbound item")
        verbose_name_plural = _("inbound items")
        constraints = [
            models.UniqueConstraint(fields=["inbound_shipment", "listing"], name="inbounditem_unique_listing"),
        ]

    def __str__(self) -> str:
        return f"{self.listing.sku}: {self.quantity_received}/{self.quantity_expected}"

    @property
    def discrepancy(self) -> int:
        return self.quantity_received - self.quantity_expected
