"""A store's Selling Partner API credentials, and the seller-performance reports fetched with them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.models import Store


class SellerCredentials(models.Model):
    """A store's Selling Partner API authorisation. The three secrets are encrypted and never shown back."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="spapi_credentials")
    refresh_token = EncryptedTextField(_("refresh token"))
    lwa_client_id = EncryptedTextField(_("LWA client id"))
    lwa_client_secret = EncryptedTextField(_("LWA client secret"))
    seller_id = models.CharField(
        _("seller id (merchant token)"), max_length=20, blank=True,
        help_text=_("Seller Central › Settings › Account Info › Merchant Token, e.g. A2EXAMPLE1234. The Listings Items "
                    "API needs it to publish listings and send stock."))
    is_active = models.BooleanField(_("sync enabled"), default=True)
    last_synced_at = models.DateTimeField(
        _("orders synced up to"), null=True, blank=True,
        help_text=_("Orders updated after this time are pulled on the next sync."))
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        db_table = "sellerops_sellercredentials"  # the table it had when the core held the SP-API models
        verbose_name = _("SP-API credentials")
        verbose_name_plural = _("SP-API credentials")

    def __str__(self) -> str:
        return _("SP-API credentials of %(store)s") % {"store": self.store}

    def __repr__(self) -> str:
        return f"<SellerCredentials store_id={self.store_id} secrets=********>"


class SellerPerformanceReport(models.Model):
    """One copy of Amazon's account-health report (GET_V2_SELLER_PERFORMANCE_REPORT), kept as history.

    Amazon gives only the current windows; a daily copy lets our order defect rate be reconciled with
    Amazon's. The ODR figures are split by channel as Amazon reports them; the raw document keeps the rest.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="performance_reports")
    fetched_at = models.DateTimeField(_("fetched at"))
    report_id = models.CharField(_("report id"), max_length=64)
    report_document_id = models.CharField(_("report document id"), max_length=200, blank=True)
    marketplace_id = models.CharField(_("marketplace id"), max_length=20, blank=True)
    account_status = models.CharField(_("account status"), max_length=32, blank=True)
    raw = models.JSONField(_("report document"), default=dict)
    afn_date_from = models.DateTimeField(_("AFN window from"), null=True, blank=True)
    afn_date_to = models.DateTimeField(_("AFN window to"), null=True, blank=True)
    afn_order_count = models.PositiveIntegerField(_("AFN orders"), null=True, blank=True)
    afn_orders_with_defects = models.PositiveIntegerField(_("AFN orders with defects"), null=True, blank=True)
    afn_claims = models.PositiveIntegerField(_("AFN A-to-z claims"), null=True, blank=True)
    afn_chargebacks = models.PositiveIntegerField(_("AFN chargebacks"), null=True, blank=True)
    afn_negative_feedback = models.PositiveIntegerField(_("AFN negative feedback"), null=True, blank=True)
    afn_rate = models.DecimalField(_("AFN ODR"), max_digits=12, decimal_places=8, null=True, blank=True)
    afn_target_value = models.DecimalField(_("AFN ODR target"), max_digits=12, decimal_places=8, null=True,
                                           blank=True)
    mfn_date_from = models.DateTimeField(_("MFN window from"), null=True, blank=True)
    mfn_date_to = models.DateTimeField(_("MFN window to"), null=True, blank=True)
    mfn_order_count = models.PositiveIntegerField(_("MFN orders"), null=True, blank=True)
    mfn_orders_with_defects = models.PositiveIntegerField(_("MFN orders with defects"), null=True, blank=True)
    mfn_claims = models.PositiveIntegerField(_("MFN A-to-z claims"), null=True, blank=True)
    mfn_chargebacks = models.PositiveIntegerField(_("MFN chargebacks"), null=True, blank=True)
    mfn_negative_feedback = models.PositiveIntegerField(_("MFN negative feedback"), null=True, blank=True)
    mfn_rate = models.DecimalField(_("MFN ODR"), max_digits=12, decimal_places=8, null=True, blank=True)
    mfn_target_value = models.DecimalField(_("MFN ODR target"), max_digits=12, decimal_places=8, null=True,
                                           blank=True)

    class Meta:
        db_table = "sellerops_sellerperformancereport"
        ordering = ["-fetched_at", "-id"]
        verbose_name = _("seller-performance report")
        verbose_name_plural = _("seller-performance reports")
        constraints = [
            models.UniqueConstraint(fields=["store", "report_id"], name="perfreport_unique_store_report"),
        ]
        indexes = [models.Index(fields=["store", "-fetched_at"], name="perfreport_store_fetched")]

    def __str__(self) -> str:
        return f"{self.store} · {self.fetched_at:%Y-%m-%d %H:%M}"
