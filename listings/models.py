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
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)
    lead_time_days = models.PositiveSmallIntegerField(_("replenishment lead time (days)"), default=30)
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
