"""Return requests, refunds and replacements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReturnStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    AUTHORIZED = "authorized", _("Authorised")
    REJECTED = "rejected", _("Rejected")
    RECEIVED = "received", _("Received")
    REFUNDED = "refunded", _("Refunded")
    CLOSED = "closed", _("Closed")


R = ReturnStatus
RETURN_TRANSITIONS: dict[str, set[str]] = {
    R.REQUESTED: {R.AUTHORIZED, R.REJECTED, R.REFUNDED, R.CLOSED},
    R.AUTHORIZED: {R.RECEIVED, R.REFUNDED, R.CLOSED},
    R.REJECTED: {R.AUTHORIZED, R.CLOSED},
    R.RECEIVED: {R.REFUNDED, R.CLOSED},
    R.REFUNDED: {R.CLOSED},
    R.CLOSED: set(),
}
#: Any of these moves is a response to the buyer's request (Return Dissatisfaction Rate's 48 hours).
RESPONSE_STATUSES = frozenset({R.AUTHORIZED, R.REJECTED, R.REFUNDED, R.CLOSED})


class ReturnReason(models.TextChoices):
    """Amazon's return reason codes, grouped in the interface by category."""

    DEFECTIVE = "DEFECTIVE", _("Defective or does not work")
    DAMAGED = "DAMAGED_BY_CARRIER", _("Arrived damaged")
    NOT_AS_DESCRIBED = "NOT_AS_DESCRIBED", _("Not as described")
    WRONG_ITEM = "WRONG_ITEM", _("Wrong item sent")
    MISSING_PARTS = "MISSING_PARTS", _("Missing parts or accessories")
    NO_LONGER_NEEDED = "UNWANTED_ITEM", _("No longer needed")
    BETTER_PRICE = "FOUND_BETTER_PRICE", _("Better price available")
    ORDERED_BY_MISTAKE = "ORDERED_WRONG_ITEM", _("Ordered by mistake")
    TOO_SMALL = "TOO_SMALL", _("Too small")
    TOO_LARGE = "TOO_LARGE", _("Too large")
    LATE = "MISSED_ESTIMATED_DELIVERY", _("Arrived too late")
    QUALITY = "QUALITY_UNACCEPTABLE", _("Quality unacceptable")
    OTHER = "OTHER", _("Other")


#: Reasons that point at the product or the seller rather than the buyer's change of mind.
SELLER_FAULT_REASONS = frozenset({
    ReturnReason.DEFECTIVE, ReturnReason.DAMAGED, ReturnReason.NOT_AS_DESCRIBED, ReturnReason.WRONG_ITEM,
    ReturnReason.MISSING_PARTS, ReturnReason.QUALITY, ReturnReason.LATE,
})


class Disposition(models.TextChoices):
    SELLABLE = "sellable", _("Sellable (back to stock)")
    DAMAGED = "damaged", _("Damaged")
    DISPOSED = "disposed", _("Disposed")


class ReturnRequest(models.Model):
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="returns")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="returns")
    order_item = models.ForeignKey("orders.OrderItem", on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="returns")
    amazon_rma_id = models.CharField(_("Amazon RMA id"), max_length=40, blank=True)
    merchant_rma_id = models.CharField(_("merchant RMA id"), max_length=40, blank=True)
    sku = models.CharField(_("SKU"), max_length=40)
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    reason = models.CharField(_("reason"), max_length=32, choices=ReturnReason.choices, default=ReturnReason.OTHER)
    buyer_comment = models.TextField(_("buyer comment"), blank=True)
    in_policy = models.BooleanField(_("in policy"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=ReturnStatus.choices, default=R.REQUESTED)
    requested_at = models.DateTimeField(_("requested at"))
    responded_at = models.DateTimeField(_("first response at"), null=True, blank=True)
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    rejected_reason = models.CharField(_("rejection reason"), max_length=200, blank=True)
    label_provided = models.BooleanField(_("prepaid label"), default=False)
    received_at = models.DateTimeField(_("received at"), null=True, blank=True)
    disposition = models.CharField(_("disposition"), max_length=16, choices=Disposition.choices, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    negative_feedback_at = models.DateTimeField(
        _("negative return feedback at"), null=True, blank=True,
        help_text=_("When the buyer rated the return experience negatively."),
    )
    replacement_order = models.ForeignKey("orders.Order", on_delete=models.SET_NULL, null=True, blank=True,
                                          related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("return request")
        verbose_name_plural = _("return requests")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="return_quantity_gte_1"),
            models.CheckConstraint(
                condition=Q(responded_at__isnull=True) | Q(responded_at__gte=models.F("requested_at")),
                name="return_response_after_request",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "requested_at"], name="return_store_requested"),
            models.Index(fields=["store", "status"], name="return_store_status"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · {self.sku} × {self.quantity}"


class Refund(models.Model):
    class Kind(models.TextChoices):
        FULL = "full", _("Full")
        PARTIAL = "partial", _("Partial")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="refunds")
    return_request = models.ForeignKey(ReturnRequest, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="refunds")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3)
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"))
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                              related_name="+")

    class Meta:
        ordering = ["-refunded_at"]
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0")]

    def __str__(self) -> str:
        return f"{self.order} {self.amount} {self.currency}"
