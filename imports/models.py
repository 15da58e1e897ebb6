"""An uploaded Amazon report file, its import into one store, and the lines of its preview."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.models import Store


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
        ALL_LISTINGS = "all_listings", _("All Listings report")
        FBA_INVENTORY = "fba_inventory", _("FBA Manage Inventory report")
        FBA_PLANNING = "fba_planning", _("FBA Inventory Planning report")
        FBA_STRANDED = "fba_stranded", _("Stranded Inventory report")
        FBA_RESERVED = "fba_reserved", _("Reserved Inventory report")
        TRACKING_EVENTS = "tracking_events", _("Carrier tracking events file")

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
    #: What a finished import created or changed: ``{"order": {"created": {"count": n, "keys": [first ids]}}}``
    #: (``imports.base.Touched``), for its page to link to.
    touched = models.JSONField(_("objects created or changed"), default=dict, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    alive_until = models.DateTimeField(
        _("worker alive until"), null=True, blank=True,
        help_text=_("Renewed by the worker while it imports or previews the file; once past, the job has lost "
                    "its worker and fails."))
    runner = models.CharField(
        _("held by"), max_length=300, blank=True,
        help_text=_("The process (host:pid) that has taken the job and not finished it; a page that sees that process "
                    "gone fails the job."))
    preview = models.JSONField(_("preview summary"), null=True, blank=True,
                               help_text=_("What the dry run of a previewed file found, once it has run."))

    class Meta:
        db_table = "sellerops_importjob"  # the table it had when the core held the imports
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
    def reading_rows(self) -> bool:
        """Whether the job is still reading its file: how many rows it holds is not known yet."""
        return self.status == self.Status.RUNNING and not self.total_rows

    @property
    def percent(self) -> int:
        if self.is_finished:
            return 100
        return min(100, self.processed_rows * 100 // self.total_rows) if self.total_rows else 0


class ImportPreviewLine(models.Model):
    """What the dry run of a previewed shipping confirmation file found one of its lines would do."""

    class Outcome(models.TextChoices):
        SHIP = "ship", _("Ships")
        #: A line of a catalogue report that creates or changes a listing.
        WRITE = "write", _("Writes")
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
        db_table = "sellerops_importpreviewline"
        ordering = ["job", "line"]
        verbose_name = _("preview line")
        verbose_name_plural = _("preview lines")
        constraints = [models.UniqueConstraint(fields=["job", "line"], name="importpreviewline_job_line")]
        indexes = [models.Index(fields=["job", "outcome", "line"], name="importpreviewline_outcome")]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line} {self.outcome}"
