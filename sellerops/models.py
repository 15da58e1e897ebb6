"""The tenant: a Store is one seller account on one Amazon marketplace; users reach stores by membership."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .marketplaces import MARKETPLACE_CHOICES, MARKETPLACES
from .spapi.crypto import EncryptedTextField


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not an IANA timezone name."), params={"value": value})


class Store(models.Model):
    code = models.SlugField(_("code"), max_length=32, unique=True, help_text=_("Short name, e.g. ACME-US."))
    name = models.CharField(_("name"), max_length=200)
    marketplace = models.CharField(_("marketplace"), max_length=2, choices=MARKETPLACE_CHOICES)
    timezone = models.CharField(_("timezone"), max_length=64, validators=[validate_timezone], blank=True)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    seller_id = models.CharField(_("merchant token"), max_length=32, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("store")
        verbose_name_plural = _("stores")

    def __str__(self) -> str:
        return self.code

    def save(self, *args, **kwargs) -> None:
        market = MARKETPLACES.get(self.marketplace)
        if market:
            self.timezone = self.timezone or market.timezone
            self.currency = self.currency or market.currency
        super().save(*args, **kwargs)

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def marketplace_info(self):
        return MARKETPLACES[self.marketplace]


class Role(models.TextChoices):
    OPERATOR = "operator", _("Operator")
    MANAGER = "manager", _("Manager")
    AGENT = "agent", _("Support agent")
    ADMIN = "admin", _("Admin")


class Membership(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("store membership")
        verbose_name_plural = _("store memberships")
        constraints = [models.UniqueConstraint(fields=["user", "store"], name="membership_unique_user_store")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.store} ({self.get_role_display()})"


class Profile(models.Model):
    """Per-user preferences: the timezone times are shown in."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC", validators=[validate_timezone])

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return f"{self.user} ({self.timezone})"


class ImportJob(models.Model):
    """One uploaded Amazon report file and the outcome of importing it into one store."""

    class Kind(models.TextChoices):
        ALL_ORDERS = "all_orders", _("All Orders report")
        UNSHIPPED_ORDERS = "unshipped_orders", _("Unshipped orders report")
        SHIP_CONFIRM = "ship_confirm", _("Shipping confirmation file")
        FEEDBACK = "feedback", _("Seller feedback report")
        RETURNS = "returns", _("Seller-fulfilled returns report")
        FBA_RETURNS = "fba_returns", _("FBA customer returns report")
        AFN_SHIPMENTS = "afn_shipments", _("Amazon-fulfilled shipments report")

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="import_jobs")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True,
                                help_text=_("Empty: detected from the file and the marketplace."))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.QUEUED)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    skipped_count = models.PositiveIntegerField(_("skipped"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True,
                              help_text=_("One entry per problem: line, column, message."))
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    alive_until = models.DateTimeField(
        _("worker alive until"), null=True, blank=True,
        help_text=_("Renewed by the worker while it imports or previews the file; once past, the job has lost "
                    "its worker and fails."))
    preview = models.JSONField(_("preview summary"), null=True, blank=True,
                               help_text=_("What the dry run of a previewed file found, once it has run."))

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["store", "-created_at"], name="importjob_store_created")]

    def __str__(self) -> str:
        return f"{self.store} · {self.get_kind_display()} · {self.get_status_display()}"

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.FAILED}

    @property
    def has_line_errors(self) -> bool:
        """Whether some error points at a line of the file (else the whole file failed, e.g. the database was away)."""
        return any(problem.get("line") for problem in self.errors)

    @property
    def worker_lost(self) -> bool:
        """Whether the job failed because its worker stopped without finishing (the watchdog said so)."""
        return any(problem.get("code") == "worker_lost" for problem in self.errors)

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0


class ImportPreviewLine(models.Model):
    """What the dry run of a previewed shipping confirmation file found one of its lines would do."""

    class Outcome(models.TextChoices):
        SHIP = "ship", _("Ships")
        SKIP = "skip", _("Skipped")
        ERROR = "error", _("Error")

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="preview_lines")
    line = models.PositiveIntegerField(_("line"))
    order_id = models.CharField(_("order"), max_length=200, blank=True)
    carrier = models.CharField(_("carrier"), max_length=400, blank=True)
    tracking_number = models.CharField(_("tracking number"), max_length=200, blank=True)
    ship_date = models.CharField(_("ship date"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=5, choices=Outcome.choices)
    message = models.TextField(_("message"), blank=True)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)

    class Meta:
        ordering = ["job", "line"]
        verbose_name = _("preview line")
        verbose_name_plural = _("preview lines")
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="importpreviewline_job_line")]
        indexes = [models.Index(fields=["job", "outcome", "line"], name="importpreviewline_outcome")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line} {self.outcome}"


class SellerCredentials(models.Model):
    """A store's Selling Partner API authorisation. The three secrets are encrypted and never shown back."""

    store = models.OneToOneField(Store, on_delete=models.CASCADE, related_name="spapi_credentials")
    refresh_token = EncryptedTextField(_("refresh token"))
    lwa_client_id = EncryptedTextField(_("LWA client id"))
    lwa_client_secret = EncryptedTextField(_("LWA client secret"))
    is_active = models.BooleanField(_("sync enabled"), default=True)
    last_synced_at = models.DateTimeField(
        _("orders synced up to"), null=True, blank=True,
        help_text=_("Orders updated after this time are pulled on the next sync."))
    last_error = models.TextField(_("last error"), blank=True)
    last_error_at = models.DateTimeField(_("last error at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
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
        ordering = ["-fetched_at", "-id"]
        verbose_name = _("seller-performance report")
        verbose_name_plural = _("seller-performance reports")
        constraints = [
            models.UniqueConstraint(fields=["store", "report_id"], name="perfreport_unique_store_report"),
        ]
        indexes = [models.Index(fields=["store", "-fetched_at"], name="perfreport_store_fetched")]

    def __str__(self) -> str:
        return f"{self.store} · {self.fetched_at:%Y-%m-%d %H:%M}"


class DeferredTask(models.Model):
    """Background work that could not be queued because the broker was unreachable, kept until it has run.

    One row per task and object: a store's metrics recompute, an uploaded file's import. ``marks`` counts the
    attempts that failed, so a run clears the row only if no attempt failed after it started.
    """

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="+")
    task = models.CharField(_("task"), max_length=200)
    object_id = models.PositiveBigIntegerField(_("object id"))
    since = models.DateTimeField(_("waiting since"))
    marks = models.PositiveIntegerField(_("failed attempts"), default=1)
    requeued_at = models.DateTimeField(_("queued again at"), null=True, blank=True)

    class Meta:
        verbose_name = _("deferred task")
        verbose_name_plural = _("deferred tasks")
        constraints = [models.UniqueConstraint(fields=["task", "object_id"], name="deferredtask_unique_object")]

    def __str__(self) -> str:
        return f"{self.task}({self.object_id}) since {self.since:%Y-%m-%d %H:%M}"
