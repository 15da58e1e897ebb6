"""Shipments of orders (the seller's own, and Amazon's for FBA orders), and FBA inbound shipments to Amazon's
warehouses."""

from __future__ import annotations

from django.conf import settings
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


class CarrierEventStatus(models.TextChoices):
    """What a carrier's tracking event says of a parcel, in the words tracking services share (EasyPost,
    AfterShip, 17TRACK): each carrier's own wording is mapped onto these."""

    LABEL_CREATED = "label_created", _("Label created")
    IN_TRANSIT = "in_transit", _("In transit")
    OUT_FOR_DELIVERY = "out_for_delivery", _("Out for delivery")
    ATTEMPTED = "attempted", _("Delivery attempted")
    PICKUP = "pickup", _("Waiting for pickup")
    DELIVERED = "delivered", _("Delivered")
    EXCEPTION = "exception", _("Exception")
    ADDRESS_PROBLEM = "address_problem", _("Address problem")
    RETURNED = "returned", _("Returned to sender")
    LOST = "lost", _("Lost")


#: Statuses that put a delivery at risk however recent the event.
CARRIER_EXCEPTIONS = frozenset({CarrierEventStatus.EXCEPTION, CarrierEventStatus.ADDRESS_PROBLEM,
                                CarrierEventStatus.RETURNED, CarrierEventStatus.LOST})


class FollowUp(models.TextChoices):
    """What the seller did about a delivery at risk (``fulfillment.delivery_risk``); the latest is kept on the
    shipment, every one on the order's timeline."""

    BUYER_MESSAGED = "buyer_messaged", _("Buyer told")
    TRACE = "trace", _("Carrier trace filed")
    REPLACEMENT = "replacement", _("Replacement sent")


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
    #: The latest carrier event's time and status (``CarrierEvent``), kept with the events by
    #: ``fulfillment.carrier_events``: the deliveries-at-risk queue reads them without touching the events.
    last_event_at = models.DateTimeField(_("last carrier event"), null=True, blank=True)
    last_event_status = models.CharField(_("last carrier status"), max_length=20, blank=True,
                                         choices=CarrierEventStatus.choices)
    #: The lost or stuck shipment this one replaces, sent again at no charge (``fulfillment.remedies``). Amazon
    #: never hears of a replacement: it is not the order's ship confirmation and no shipment metric counts it
    #: (``AMAZON_KNOWN_SHIPMENTS``). One replacement per shipment; a lost replacement is replaced in its turn.
    replacement_of = models.OneToOneField("self", on_delete=models.RESTRICT, null=True, blank=True,
                                          related_name="replacement", verbose_name=_("replacement of"))
    #: What the seller last did about this delivery being at risk, when and who: the at-risk queue keeps showing
    #: the parcel, marked, until it is delivered (``fulfillment.follow_ups``).
    follow_up = models.CharField(_("follow-up"), max_length=16, blank=True, choices=FollowUp.choices)
    follow_up_at = models.DateTimeField(_("followed up at"), null=True, blank=True)
    follow_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("followed up by"))

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
            # Replacements are no metric's rows (``AMAZON_KNOWN_SHIPMENTS``): the indexes leave them out.
            models.Index(fields=["store", "order_fulfillment_channel", "shipped_at"], name="shipment_metric_shipped",
                         include=["first_scan_at"], condition=Q(replacement_of__isnull=True)),
            models.Index(fields=["store", "order_fulfillment_channel", "order_latest_delivery_date"],
                         name="shipment_metric_deliverby", include=["first_scan_at", "delivered_at"],
                         condition=Q(replacement_of__isnull=True)),
            models.Index(fields=["order", "shipped_at"], name="shipment_order_shipped",
                         include=["first_scan_at", "delivered_at"]),
            models.Index(fields=["tracking_number"], name="shipment_tracking"),
            # The order queue's search matches a tracking number whatever its case.
            models.Index(Upper("tracking_number"), name="shipment_tracking_upper"),
            # Deliveries at risk (``fulfillment.delivery_risk``): seller-fulfilled parcels with a tracking number
            # not yet delivered, a few among every shipment ever made, by store and ship time (the rule follows
            # parcels of recent weeks only); the included columns let PostgreSQL judge each from the index alone.
            models.Index(fields=["store", "shipped_at"], name="shipment_undelivered",
                         condition=Q(delivered_at__isnull=True, order_fulfillment_channel="MFN")
                         & ~Q(tracking_number=""),
                         include=["order", "carrier", "first_scan_at", "last_event_at", "last_event_status",
                                  "order_latest_delivery_date", "follow_up_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.carrier} {self.tracking_number}"

    @property
    def carrier_label(self) -> str:
        return self.carrier_name if self.carrier == Carrier.OTHER and self.carrier_name else self.get_carrier_display()

    @property
    def is_replacement(self) -> bool:
        return self.replacement_of_id is not None

    @property
    def is_sellers(self) -> bool:
        """The seller shipped it (not Amazon, for an FBA order)."""
        return not self.amazon_shipment_id and self.order.is_mfn

    @property
    def is_delivered(self) -> bool:
        """Delivered, as recorded or as the carrier's latest event says."""
        return self.delivered_at is not None or self.last_event_status == CarrierEventStatus.DELIVERED


#: The shipments Amazon knows of: all but the replacements the seller sent on their own, which are not the
#: order's ship confirmation. The shipment metrics (Valid Tracking, On-Time Delivery) read only these.
AMAZON_KNOWN_SHIPMENTS = Q(replacement_of__isnull=True)


class CarrierEvent(models.Model):
    """One tracking event of a shipment, as the carrier reported it (carrier CSV import, API, sync or by hand)."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="carrier_events")
    at = models.DateTimeField(_("at"))
    status = models.CharField(_("status"), max_length=20, choices=CarrierEventStatus.choices)
    #: The carrier's own words ("Arrived at USPS Regional Facility"), kept as given.
    description = models.CharField(_("description"), max_length=300, blank=True)
    location = models.CharField(_("location"), max_length=120, blank=True)
    source = models.CharField(_("source"), max_length=20, blank=True, help_text=_("import, api, ui, sync or demo"))
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("carrier event")
        verbose_name_plural = _("carrier events")
        constraints = [
            # The same event reported twice (a file imported again) is one event.
            models.UniqueConstraint(fields=["shipment", "at", "status"], name="carrierevent_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.at:%Y-%m-%d %H:%M} {self.status}"


class TraceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FOUND = "found", _("Found")
    LOST = "lost", _("Lost")
    CLOSED = "closed", _("Closed")


T = TraceStatus
TRACE_TRANSITIONS: dict[str, set[str]] = {
    T.OPEN: {T.FOUND, T.LOST, T.CLOSED},
    # A parcel declared lost sometimes turns up after all.
    T.LOST: {T.FOUND, T.CLOSED},
    T.FOUND: {T.CLOSED},
    T.CLOSED: set(),
}
#: The carrier trace's status machine: the carrier's answer (found, lost) stamps ``resolved_at``; closing,
#: ``closed_at``.
TRACE_STATES = StateMachine(TRACE_TRANSITIONS, dict(TraceStatus.choices),
                            entered_at={T.FOUND: "resolved_at", T.LOST: "resolved_at", T.CLOSED: "closed_at"})


class CarrierTrace(models.Model):
    """A trace (search request, missing-mail or loss claim) the seller filed with the carrier for a parcel that is
    stuck or lost, and what came of it."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    shipment = models.ForeignKey(Shipment, on_delete=models.CASCADE, related_name="traces",
                                 verbose_name=_("shipment"))
    filed_at = models.DateTimeField(_("filed at"))
    #: The carrier's own number for the request (USPS search request number, UPS claim number, 問い合わせ番号…).
    reference = models.CharField(_("carrier's reference"), max_length=80, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=TraceStatus.choices, default=TraceStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+", verbose_name=_("filed by"))
    resolved_at = models.DateTimeField(_("carrier answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name = _("carrier trace")
        verbose_name_plural = _("carrier traces")
        constraints = [
            # One trace at a time per parcel: a second would be the same request filed twice.
            models.UniqueConstraint(fields=["shipment"], condition=Q(status="open"),
                                    name="carriertrace_one_open_per_shipment"),
        ]
        indexes = [models.Index(fields=["store", "status", "filed_at"], name="carriertrace_store_status")]

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.reference or '—'} {self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == TraceStatus.OPEN


#: The most days of silence a store may allow a carrier: a parcel is followed for 60 days at most by default
#: (``fulfillment.delivery_risk.FOLLOW_DAYS``), so a longer allowance would never see it at risk.
SILENT_DAYS_MAX = 60


class CarrierSilence(models.Model):
    """A store's own days of silence for one carrier: its parcels with that carrier are at risk after this many
    days without a carrier event, whatever the carrier table or ``settings.DELIVERY_RISK_SILENT_DAYS`` say (a
    consolidator line slower than the carrier's usual, a domestic carrier the team wants to hear from daily)."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="carrier_silences")
    carrier = models.CharField(_("carrier"), max_length=40, choices=Carrier.choices)
    days = models.PositiveSmallIntegerField(_("days of silence"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", verbose_name=_("updated by"))

    class Meta:
        ordering = ["store", "carrier"]
        verbose_name = _("carrier's days of silence")
        verbose_name_plural = _("carriers' days of silence")
        constraints = [
            models.UniqueConstraint(fields=["store", "carrier"], name="carriersilence_unique_store_carrier"),
            models.CheckConstraint(condition=Q(days__gte=1, days__lte=SILENT_DAYS_MAX),
                                   name="carriersilence_days_1_to_60"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} {self.carrier}: {self.days}"


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


class FbaInventorySnapshot(models.Model):
    """One FBA SKU's inventory at Amazon on one day (the store's local date): units by state and age, Amazon's
    own planning figures, stranded units. Written by the FBA reports (``fulfillment.fba_snapshots``); each report
    fills the fields it carries and leaves the others as an earlier report of the day left them."""

    class Source(models.TextChoices):
        MANAGE_INVENTORY = "manage_inventory", _("FBA Manage Inventory report")
        PLANNING = "planning", _("FBA Inventory Planning report")
        STRANDED = "stranded", _("Stranded Inventory report")
        RESERVED = "reserved", _("Reserved Inventory report")
        DEMO = "demo", _("Demo data")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="fba_snapshots")
    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="fba_snapshots")
    day = models.DateField(_("day"), help_text=_("The store's local date the figures are of."))
    # Units by state.
    fulfillable = models.PositiveIntegerField(_("fulfillable"), default=0)
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    reserved_customer_orders = models.PositiveIntegerField(_("reserved for customer orders"), null=True, blank=True)
    reserved_fc_transfers = models.PositiveIntegerField(_("reserved for FC transfers"), null=True, blank=True)
    reserved_fc_processing = models.PositiveIntegerField(_("reserved for FC processing"), null=True, blank=True)
    inbound_working = models.PositiveIntegerField(_("inbound: working"), default=0)
    inbound_shipped = models.PositiveIntegerField(_("inbound: shipped"), default=0)
    inbound_receiving = models.PositiveIntegerField(_("inbound: receiving"), default=0)
    unfulfillable = models.PositiveIntegerField(_("unfulfillable"), default=0)
    researching = models.PositiveIntegerField(_("researching"), default=0)
    pending_removal = models.PositiveIntegerField(_("pending removal"), null=True, blank=True)
    # Units by age (days since they reached Amazon).
    age_0_90 = models.PositiveIntegerField(_("aged 0–90 days"), default=0)
    age_91_180 = models.PositiveIntegerField(_("aged 91–180 days"), default=0)
    age_181_270 = models.PositiveIntegerField(_("aged 181–270 days"), default=0)
    age_271_365 = models.PositiveIntegerField(_("aged 271–365 days"), default=0)
    age_365_plus = models.PositiveIntegerField(_("aged over 365 days"), default=0)
    # Amazon's planning figures (FBA Inventory Planning report); unknown until a report gives them.
    units_shipped_t7 = models.PositiveIntegerField(_("units shipped, last 7 days"), null=True, blank=True)
    units_shipped_t30 = models.PositiveIntegerField(_("units shipped, last 30 days"), null=True, blank=True)
    units_shipped_t60 = models.PositiveIntegerField(_("units shipped, last 60 days"), null=True, blank=True)
    units_shipped_t90 = models.PositiveIntegerField(_("units shipped, last 90 days"), null=True, blank=True)
    sell_through = models.DecimalField(_("sell-through (Amazon's)"), max_digits=10, decimal_places=2, null=True,
                                       blank=True)
    days_of_supply = models.DecimalField(_("days of supply (Amazon's)"), max_digits=10, decimal_places=1,
                                         null=True, blank=True)
    estimated_excess_units = models.PositiveIntegerField(_("excess units (Amazon's estimate)"), null=True,
                                                         blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    estimated_storage_cost_next_month = models.DecimalField(_("estimated storage cost next month"), max_digits=12,
                                                            decimal_places=2, null=True, blank=True)
    estimated_ltsf_next_charge = models.DecimalField(
        _("estimated aged-inventory fee, next charge"), max_digits=12, decimal_places=2, null=True, blank=True,
        help_text=_("Long-term storage fee or aged inventory surcharge, as the report names it."))
    storage_volume = models.DecimalField(_("storage volume"), max_digits=14, decimal_places=4, null=True,
                                         blank=True)
    item_volume = models.DecimalField(_("volume of one unit"), max_digits=14, decimal_places=4, null=True,
                                      blank=True)
    volume_unit = models.CharField(_("volume unit"), max_length=20, blank=True,
                                   help_text=_("As Amazon writes it: cubic feet or cubic meters."))
    size_tier = models.CharField(_("size tier / storage type"), max_length=40, blank=True)
    recommended_action = models.CharField(_("Amazon's recommended action"), max_length=200, blank=True)
    # Stranded: units at Amazon without an active offer (Stranded Inventory report).
    stranded_units = models.PositiveIntegerField(_("stranded units"), default=0)
    stranded_reason = models.CharField(_("why stranded"), max_length=300, blank=True)
    stranded_since = models.DateField(_("stranded since"), null=True, blank=True)
    #: The reports that filled the row, comma-separated ``Source`` values in alphabetical order.
    source = models.CharField(_("source"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["store", "listing", "-day"]
        verbose_name = _("FBA inventory snapshot")
        verbose_name_plural = _("FBA inventory snapshots")
        constraints = [models.UniqueConstraint(fields=["listing", "day"], name="fbasnapshot_unique_listing_day")]
        indexes = [
            models.Index(fields=["store", "day"], name="fbasnapshot_store_day"),
            models.Index(fields=["listing", "-day"], name="fbasnapshot_listing_day"),
        ]

    def __str__(self) -> str:
        return f"{self.listing_id} · {self.day}"

    @property
    def inbound(self) -> int:
        return self.inbound_working + self.inbound_shipped + self.inbound_receiving

    @property
    def aged_units(self) -> int:
        """Units at Amazon for more than 180 days (what the aged-inventory fees charge)."""
        return self.age_181_270 + self.age_271_365 + self.age_365_plus


class FbaAccountSnapshot(models.Model):
    """A store's FBA account figures on one day: Amazon's Inventory Performance Index and storage limits.

    Amazon shows them on Seller Central pages, not in the flat-file reports: they are entered in the back office
    (or by a later integration); every figure stays unknown until then."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="fba_account_snapshots")
    day = models.DateField(_("day"))
    amazon_index = models.PositiveSmallIntegerField(_("Inventory Performance Index (Amazon's)"), null=True,
                                                    blank=True)
    storage_limit_units = models.PositiveIntegerField(_("storage limit (units)"), null=True, blank=True)
    storage_limit_volume = models.DecimalField(_("storage limit (volume)"), max_digits=14, decimal_places=2,
                                               null=True, blank=True)
    storage_used = models.DecimalField(_("storage used (volume)"), max_digits=14, decimal_places=2, null=True,
                                       blank=True)
    volume_unit = models.CharField(_("volume unit"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["store", "-day"]
        verbose_name = _("FBA account snapshot")
        verbose_name_plural = _("FBA account snapshots")
        constraints = [
            models.UniqueConstraint(fields=["store", "day"], name="fbaaccount_unique_store_day"),
            models.CheckConstraint(condition=Q(amazon_index__isnull=True) | Q(amazon_index__lte=1000),
                                   name="fbaaccount_index_lte_1000"),
        ]

    def __str__(self) -> str:
        return f"{self.store_id} · {self.day}"


class FbaStoreDay(models.Model):
    """A store's FBA inventory on one day, summed: the units by state and age, each index part's numerator and
    denominator, the SKUs that move each part most and the aged-inventory fee forecast with its ranked actions.

    Written from the day's snapshots whenever they are written (``fulfillment.fba_health.fba_store_day_refresh``),
    so the inventory-health page reads one row a day instead of every SKU's history."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="fba_days")
    day = models.DateField(_("day"))
    skus = models.PositiveIntegerField(_("SKUs"), default=0)
    fulfillable = models.PositiveIntegerField(_("fulfillable"), default=0)
    reserved = models.PositiveIntegerField(_("reserved"), default=0)
    inbound = models.PositiveIntegerField(_("inbound"), default=0)
    unfulfillable = models.PositiveIntegerField(_("unfulfillable"), default=0)
    stranded_units = models.PositiveIntegerField(_("stranded units"), default=0)
    age_0_90 = models.PositiveIntegerField(_("aged 0–90 days"), default=0)
    age_91_180 = models.PositiveIntegerField(_("aged 91–180 days"), default=0)
    age_181_270 = models.PositiveIntegerField(_("aged 181–270 days"), default=0)
    age_271_365 = models.PositiveIntegerField(_("aged 271–365 days"), default=0)
    age_365_plus = models.PositiveIntegerField(_("aged over 365 days"), default=0)
    #: ``{part key: [numerator, denominator]}`` as decimal strings (``fulfillment.fba.parts.PART_DEFINITIONS``).
    parts = models.JSONField(_("index parts"), default=dict)
    #: ``{part key: [{"sku", "listing_id", "numerator", "denominator", "value", "impact"}, …]}``, largest first.
    contributors = models.JSONField(_("top contributors"), default=dict)
    #: ``{"currency", "assessments": [{"on", "fee", "units"}], "actions": [{"sku", "action", …}]}``.
    fees = models.JSONField(_("fee forecast"), default=dict)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["store", "-day"]
        verbose_name = _("FBA store day")
        verbose_name_plural = _("FBA store days")
        constraints = [models.UniqueConstraint(fields=["store", "day"], name="fbastoreday_unique_store_day")]

    def __str__(self) -> str:
        return f"{self.store_id} · {self.day}"
