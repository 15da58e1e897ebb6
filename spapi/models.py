"""A store's Selling Partner API credentials, and the seller-performance reports fetched with them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.crypto import EncryptedTextField
from core.models import Store
from metrics.definitions import METRIC_CHOICES


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


class ListingPublication(models.Model):
    """One request to publish a listing's content and price to Amazon, and how it went.

    The page shows the latest one (queued and running read as "publishing…"); ``attributes`` keeps what Amazon
    accepted, so a later change is sent as patches of the attributes that differ.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Publishing")
        PUBLISHED = "published", _("Published")
        INVALID = "invalid", _("Refused by Amazon")
        FAILED = "failed", _("Failed")

    class Operation(models.TextChoices):
        PUT = "put", _("Created (putListingsItem)")
        PATCH = "patch", _("Updated (patchListingsItem)")
        FEED = "feed", _("Sent in a JSON listings feed")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    listing = models.ForeignKey("listings.Listing", on_delete=models.CASCADE, related_name="amazon_publications")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    confirm_warnings = models.BooleanField(_("warnings confirmed"), default=False)
    #: The model fields whose change this publication sends (empty: everything, as a full publish does).
    fields = models.JSONField(_("changed fields"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    operation = models.CharField(_("operation"), max_length=8, choices=Operation.choices, blank=True)
    submission_id = models.CharField(_("submission id"), max_length=100, blank=True)
    attributes = models.JSONField(_("attributes sent"), default=dict, blank=True)
    issues = models.JSONField(_("Amazon's issues"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("listing publication")
        verbose_name_plural = _("listing publications")
        indexes = [models.Index(fields=["listing", "-requested_at"], name="listingpub_listing_requested")]

    def __str__(self) -> str:
        return f"{self.listing_id} {self.status} {self.requested_at:%Y-%m-%d %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.status in {self.Status.QUEUED, self.Status.RUNNING}


class ListingFeed(models.Model):
    """One JSON_LISTINGS_FEED sent through the Feeds API for many listings, and its processing report."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SUBMITTED = "submitted", _("Submitted")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="listing_feeds")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    listing_ids = models.JSONField(_("listings"), default=list)
    #: messageId → {"sku", "listing", "operationType"}: how the report's lines find their listing.
    messages = models.JSONField(_("messages"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    feed_id = models.CharField(_("feed id"), max_length=64, blank=True)
    feed_document_id = models.CharField(_("feed document id"), max_length=200, blank=True)
    result_document_id = models.CharField(_("processing report document id"), max_length=200, blank=True)
    processing_status = models.CharField(_("Amazon's processing status"), max_length=16, blank=True)
    summary = models.JSONField(_("summary"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    requested_at = models.DateTimeField(_("requested at"))
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("listings feed")
        verbose_name_plural = _("listings feeds")

    def __str__(self) -> str:
        return f"{self.store} feed {self.feed_id or self.pk}"


class Reconciliation(models.Model):
    """One figure of a seller-performance report set beside ours over Amazon's own window.

    Ours is computed by the metrics engine for the same window, channel and instant (the report's fetch); the
    differences, the verdict and what can account for them are kept, so the history reads without recomputing.
    """

    class Verdict(models.TextChoices):
        AGREES = "agrees", _("Agrees")
        WITHIN = "within", _("Differs within tolerance")
        DIFFERS = "differs", _("Differs")
        UNKNOWN = "unknown", _("Nothing to compare")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="reconciliations")
    report = models.ForeignKey(SellerPerformanceReport, on_delete=models.CASCADE, related_name="reconciliations")
    metric = models.CharField(_("metric"), max_length=16, choices=METRIC_CHOICES)
    channel = models.CharField(_("channel"), max_length=3)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    source = models.CharField(_("entry of Amazon's report"), max_length=64)
    window_start = models.DateTimeField(_("Amazon's window from"))
    window_end = models.DateTimeField(_("Amazon's window to (excluded)"))
    as_of = models.DateTimeField(_("as of"))
    amazon_numerator = models.PositiveIntegerField(_("Amazon's numerator"), null=True, blank=True)
    amazon_denominator = models.PositiveIntegerField(_("Amazon's denominator"), null=True, blank=True)
    amazon_rate = models.DecimalField(_("Amazon's rate"), max_digits=12, decimal_places=8, null=True, blank=True)
    amazon_target = models.DecimalField(_("Amazon's target"), max_digits=12, decimal_places=8, null=True,
                                        blank=True)
    amazon_status = models.CharField(_("Amazon's status"), max_length=16, blank=True)
    our_numerator = models.PositiveIntegerField(_("our numerator"))
    our_denominator = models.PositiveIntegerField(_("our denominator"))
    our_rate = models.DecimalField(_("our rate"), max_digits=12, decimal_places=8, null=True, blank=True)
    our_pending = models.PositiveIntegerField(_("our pending rows"), null=True, blank=True)
    points = models.DecimalField(_("difference (percentage points)"), max_digits=9, decimal_places=4, null=True,
                                 blank=True)
    numerator_rows = models.IntegerField(_("difference in the numerator"), null=True, blank=True)
    denominator_rows = models.IntegerField(_("difference in the denominator"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=8, choices=Verdict.choices)
    #: ODR: our reason flag → {"amazon": n, "ours": m}.
    components = models.JSONField(_("defects by kind"), default=dict, blank=True)
    #: What can account for the difference: ``spapi.reconciliation.explain.Cause.as_dict`` each.
    causes = models.JSONField(_("causes"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        ordering = ["-as_of", "metric", "channel", "window_days"]
        verbose_name = _("reconciliation with Amazon")
        verbose_name_plural = _("reconciliations with Amazon")
        constraints = [
            models.UniqueConstraint(fields=["report", "metric", "channel", "window_start", "window_end"],
                                    name="reconciliation_unique_figure"),
        ]
        indexes = [models.Index(fields=["store", "metric", "channel", "window_days", "-as_of"],
                                name="reconciliation_series")]

    def __str__(self) -> str:
        return f"{self.store} {self.metric}/{self.channel}/{self.window_days}d @ {self.as_of:%Y-%m-%d}: {self.verdict}"


class ReconciliationOrder(models.Model):
    """An order named by a cause of a reconciliation's difference: counted by us and likely not by Amazon, or the
    reverse."""

    class Side(models.TextChoices):
        OURS = "ours", _("Counted by us, likely not by Amazon")
        AMAZON = "amazon", _("Likely counted by Amazon, not by us")

    reconciliation = models.ForeignKey(Reconciliation, on_delete=models.CASCADE, related_name="orders")
    order = models.ForeignKey("orders.Order", on_delete=models.CASCADE, related_name="+")
    cause = models.CharField(_("cause"), max_length=20)
    side = models.CharField(_("side"), max_length=8, choices=Side.choices)
    counted = models.BooleanField(_("in the numerator"))
    at = models.DateTimeField(_("time that matters"), null=True, blank=True)
    reason = models.CharField(_("defect"), max_length=32, blank=True)

    class Meta:
        ordering = ["cause", "side", "-counted", "at", "id"]
        verbose_name = _("order behind a difference")
        verbose_name_plural = _("orders behind a difference")

    def __str__(self) -> str:
        return f"{self.reconciliation_id} {self.cause}/{self.side}: {self.order_id}"
