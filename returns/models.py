"""Return requests, refunds and replacements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.state import StateMachine
from listings.models import Channel


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
#: The return's status machine: the table, and the time rejecting, receiving and closing record.
RETURN_STATES = StateMachine(RETURN_TRANSITIONS, dict(ReturnStatus.choices),
                             entered_at={R.REJECTED: "rejected_at", R.RECEIVED: "received_at", R.CLOSED: "closed_at"})
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


R_ = ReturnReason
#: Amazon's return reason codes as its reports and notices write them (``CR-DEFECTIVE``, ``AMZ-PG-BAD-DESC``,
#: the FBA customer returns report's bare ``DEFECTIVE``), each as one of our reasons. The code itself is kept
#: on the return too, so nothing Amazon said is lost where our list is coarser.
AMAZON_RETURN_REASONS: dict[str, str] = {
    "DEFECTIVE": R_.DEFECTIVE, "DAMAGED_BY_CARRIER": R_.DAMAGED, "DAMAGED_BY_FC": R_.DAMAGED,
    "NOT_AS_DESCRIBED": R_.NOT_AS_DESCRIBED, "NOT_COMPATIBLE": R_.NOT_AS_DESCRIBED,
    "PART_NOT_COMPATIBLE": R_.NOT_AS_DESCRIBED, "EXCESSIVE_INSTALLATION": R_.NOT_AS_DESCRIBED,
    "SWITCHEROO": R_.WRONG_ITEM, "WRONG_ITEM": R_.WRONG_ITEM, "EXTRA_ITEM": R_.WRONG_ITEM,
    "MISSING_PARTS": R_.MISSING_PARTS, "UNWANTED_ITEM": R_.NO_LONGER_NEEDED, "APPAREL_STYLE": R_.NO_LONGER_NEEDED,
    "FOUND_BETTER_PRICE": R_.BETTER_PRICE, "ORDERED_WRONG_ITEM": R_.ORDERED_BY_MISTAKE,
    "UNAUTHORIZED_PURCHASE": R_.ORDERED_BY_MISTAKE, "APPAREL_TOO_SMALL": R_.TOO_SMALL, "TOO_SMALL": R_.TOO_SMALL,
    "APPAREL_TOO_LARGE": R_.TOO_LARGE, "TOO_LARGE": R_.TOO_LARGE, "MISSED_ESTIMATED_DELIVERY": R_.LATE,
    "NEVER_ARRIVED": R_.LATE, "QUALITY_UNACCEPTABLE": R_.QUALITY, "DID_NOT_LIKE_FABRIC": R_.QUALITY,
    "NO_REASON_GIVEN": R_.OTHER, "OTHER": R_.OTHER,
    # The seller-fulfilled returns report's own codes.
    "AMZ-PG-BAD-DESC": R_.NOT_AS_DESCRIBED, "AMZ-PG-APP-TOO-SMALL": R_.TOO_SMALL,
    "AMZ-PG-APP-TOO-LARGE": R_.TOO_LARGE, "AMZ-PG-APP-STYLE": R_.NO_LONGER_NEEDED,
    "AMZ-PG-MISORDERED": R_.ORDERED_BY_MISTAKE, "AMZ-PG-DEFECTIVE": R_.DEFECTIVE,
}


def return_reason_from_amazon(code: str) -> str:
    """Amazon's return reason code (``CR-DEFECTIVE``, ``AMZ-PG-BAD-DESC``, ``DEFECTIVE``…) as ours; else Other."""
    code = code.strip().upper().replace(" ", "_")
    return AMAZON_RETURN_REASONS.get(code) or AMAZON_RETURN_REASONS.get(code.removeprefix("CR-"), R_.OTHER)


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
    #: AFN returns go back to Amazon's warehouse and Amazon handles them: recorded from the FBA customer returns
    #: report, never waiting for the seller, and not in the Return Dissatisfaction Rate.
    fulfillment_channel = models.CharField(_("channel"), max_length=3, choices=Channel.choices,
                                           default=Channel.MFN)
    reason_code = models.CharField(_("Amazon's reason code"), max_length=64, blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    label_cost = models.DecimalField(_("label cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    return_carrier = models.CharField(_("return carrier"), max_length=64, blank=True)
    return_tracking_number = models.CharField(_("return tracking number"), max_length=64, blank=True)
    a_to_z_claim = models.BooleanField(_("A-to-z claim"), default=False)
    refunded_amount = models.DecimalField(_("refunded amount (Amazon)"), max_digits=12, decimal_places=2, null=True,
                                          blank=True)
    fnsku = models.CharField(_("FNSKU"), max_length=16, blank=True)
    license_plate_number = models.CharField(_("license plate number"), max_length=40, blank=True)
    fulfillment_center_id = models.CharField(_("fulfilment centre"), max_length=16, blank=True)
    detailed_disposition = models.CharField(_("Amazon's disposition"), max_length=40, blank=True)

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
