"""Listings (what a store sells) and their stock."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    MFN = "MFN", _("Seller-fulfilled (MFN)")
    AFN = "AFN", _("Fulfilled by Amazon (AFN)")


class Listing(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        INACTIVE = "inactive", _("Inactive")
        INCOMPLETE = "incomplete", _("Incomplete")
        SUPPRESSED = "suppressed", _("Suppressed")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="listings")
    sku = models.CharField(_("SKU"), max_length=40)
    asin = models.CharField(_("ASIN"), max_length=10, blank=True)
    fnsku = models.CharField(_("FNSKU"), max_length=10, blank=True)
    title = models.CharField(_("title"), max_length=500)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    #: The title's parts: brand + core function + key attributes (``listings.quality`` builds and checks it).
    core_function = models.CharField(_("core function"), max_length=200, blank=True)
    key_attributes = models.CharField(_("key attributes"), max_length=300, blank=True)
    product_type = models.CharField(_("product type"), max_length=100, blank=True,
                                    help_text=_("Amazon's product type, e.g. LUGGAGE or HOME_ORGANIZERS_AND_STORAGE."))
    #: The product type's attributes, by Amazon's attribute name (values as entered; see ProductTypeDefinition).
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    condition = models.CharField(_("condition"), max_length=32, default="new_new")
    #: The product's standard identifier as the All Listings report gives it (UPC, EAN, JAN, ISBN or ASIN).
    product_id = models.CharField(_("product id"), max_length=40, blank=True)
    product_id_type = models.CharField(_("product id type"), max_length=16, blank=True)
    handling_time_days = models.PositiveSmallIntegerField(_("handling time (days)"), null=True, blank=True)
    open_date = models.DateTimeField(_("listed on Amazon since"), null=True, blank=True)
    bullets = models.JSONField(_("bullet points"), default=list, blank=True)
    description = models.TextField(_("description"), blank=True)
    price = models.DecimalField(_("price"), max_digits=12, decimal_places=2, null=True, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    fulfillment_channel = models.CharField(_("channel"), max_length=3, choices=Channel.choices,
                                           default=Channel.MFN)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE)
    main_image = models.ImageField(_("main image"), upload_to="listings/", blank=True)
    quantity_available = models.PositiveIntegerField(_("available"), default=0)
    quantity_reserved = models.PositiveIntegerField(_("reserved"), default=0)
    quantity_inbound = models.PositiveIntegerField(_("inbound"), default=0)
    quantity_unfulfillable = models.PositiveIntegerField(_("unfulfillable"), default=0)
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)
    lead_time_days = models.PositiveSmallIntegerField(_("replenishment lead time (days)"), default=30)
    # What Amazon says of the listing (Listings Items API summaries and issues, or the All Listings report).
    amazon_status = models.JSONField(_("status on Amazon"), default=list, blank=True,
                                     help_text=_("BUYABLE and/or DISCOVERABLE, as Amazon reports them."))
    amazon_issues = models.JSONField(_("Amazon's issues"), default=list, blank=True)
    amazon_checked_at = models.DateTimeField(_("checked by Amazon at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    publish_error = models.TextField(_("publishing error"), blank=True)
    # Stock sync: every change of the sellable quantity bumps ``stock_version``; a push sends the figure of one
    # version and is recorded only if no newer version was accepted before it (never an older figure after a
    # newer one).
    stock_version = models.PositiveBigIntegerField(_("stock version"), default=0)
    stock_sent_version = models.PositiveBigIntegerField(_("stock version sent"), default=0)
    stock_accepted_quantity = models.PositiveIntegerField(_("quantity Amazon accepted"), null=True, blank=True)
    stock_accepted_at = models.DateTimeField(_("quantity accepted at"), null=True, blank=True)
    stock_sync_error = models.TextField(_("stock sync error"), blank=True)
    stock_sync_failed_at = models.DateTimeField(_("stock sync failed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["store", "sku"]
        verbose_name = _("listing")
        verbose_name_plural = _("listings")
        constraints = [
            models.UniqueConstraint(fields=["store", "sku"], name="listing_unique_store_sku"),
            models.CheckConstraint(condition=Q(quantity_available__gte=0), name="listing_available_gte_0"),
            models.CheckConstraint(condition=Q(quantity_reserved__gte=0), name="listing_reserved_gte_0"),
            models.CheckConstraint(condition=Q(quantity_inbound__gte=0), name="listing_inbound_gte_0"),
        ]
        indexes = [models.Index(fields=["store", "asin"], name="listing_store_asin")]

    def __str__(self) -> str:
        return f"{self.sku} ({self.store})"

    @property
    def is_low_stock(self) -> bool:
        return self.quantity_available <= self.safety_stock

    @property
    def sellable_quantity(self) -> int:
        """What Amazon may sell of an MFN listing: available − safety stock, never below 0 (reserved units have
        already left ``quantity_available``)."""
        return max(0, self.quantity_available - self.safety_stock)


class ListingImage(models.Model):
    """One of a listing's other images (the main image is ``Listing.main_image``): up to eight, in order."""

    MAX_IMAGES = 8

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="images")
    position = models.PositiveSmallIntegerField(_("position"))
    image = models.ImageField(_("image"), upload_to="listings/")
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["listing", "position"]
        verbose_name = _("listing image")
        verbose_name_plural = _("listing images")
        constraints = [
            models.UniqueConstraint(fields=["listing", "position"], name="listingimage_unique_position"),
            models.CheckConstraint(condition=Q(position__gte=1, position__lte=8), name="listingimage_position_1_8"),
        ]

    def __str__(self) -> str:
        return f"{self.listing.sku} #{self.position}"


class ProductTypeDefinition(models.Model):
    """Amazon's definition of one product type in one marketplace (Product Type Definitions API), cached.

    ``required`` lists the attribute names a listing of this type must carry; ``properties`` keeps, per
    attribute, what the editor needs to ask for it (title, description, enum values, examples).
    """

    marketplace_id = models.CharField(_("marketplace id"), max_length=20)
    product_type = models.CharField(_("product type"), max_length=100)
    locale = models.CharField(_("locale"), max_length=16, default="en_US")
    display_name = models.CharField(_("name"), max_length=200, blank=True)
    version = models.CharField(_("version"), max_length=100, blank=True)
    required = models.JSONField(_("required attributes"), default=list, blank=True)
    properties = models.JSONField(_("attributes"), default=dict, blank=True)
    schema = models.JSONField(_("schema"), default=dict, blank=True)
    fetched_at = models.DateTimeField(_("fetched at"))

    class Meta:
        ordering = ["marketplace_id", "product_type"]
        verbose_name = _("product type definition")
        verbose_name_plural = _("product type definitions")
        constraints = [
            models.UniqueConstraint(fields=["marketplace_id", "product_type", "locale"],
                                    name="ptd_unique_marketplace_type_locale"),
        ]

    def __str__(self) -> str:
        return f"{self.product_type} ({self.marketplace_id})"


class StockMovement(models.Model):
    """One change to a listing's stock, and why: the audit trail behind every number on the stock page."""

    class Reason(models.TextChoices):
        RESERVE = "reserve", _("Reserved for an order")
        RELEASE = "release", _("Released by a cancellation")
        CONSUME = "consume", _("Shipped")
        RECEIVE = "receive", _("Received")
        RETURN = "return", _("Returned to stock")
        ADJUST = "adjust", _("Adjusted")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="movements")
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    available_delta = models.IntegerField(_("available change"), default=0)
    reserved_delta = models.IntegerField(_("reserved change"), default=0)
    inbound_delta = models.IntegerField(_("inbound change"), default=0)
    unfulfillable_delta = models.IntegerField(_("unfulfillable change"), default=0)
    order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")
    note = models.CharField(_("note"), max_length=200, blank=True)
    at = models.DateTimeField(_("at"))

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        indexes = [models.Index(fields=["listing", "-at"], name="stockmove_listing_at")]

    def __str__(self) -> str:
        return f"{self.listing.sku} {self.reason} {self.available_delta:+d}/{self.reserved_delta:+d}"
