"""Snapshots of computed metrics, and the breaches they open and resolve."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from .definitions import METRIC_CHOICES


class Status(models.TextChoices):
    GREEN = "green", _("Healthy")
    AMBER = "amber", _("At risk")
    RED = "red", _("Breach")
    NONE = "none", _("No data")


class MetricSnapshot(models.Model):
    """One metric result at one instant: ``live`` from each recompute, ``daily`` at each local midnight."""

    class Kind(models.TextChoices):
        LIVE = "live", _("Live")
        DAILY = "daily", _("Daily")

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="metric_snapshots")
    metric = models.CharField(_("metric"), max_length=16, choices=METRIC_CHOICES)
    channel = models.CharField(_("channel"), max_length=3)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.LIVE)
    as_of = models.DateTimeField(_("as of"))
    window_start = models.DateTimeField(_("window start"))
    window_end = models.DateTimeField(_("window end"))
    numerator = models.PositiveIntegerField(_("numerator"))
    denominator = models.PositiveIntegerField(_("denominator"))
    rate = models.DecimalField(_("rate"), max_digits=9, decimal_places=6, null=True, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices)
    definition = models.JSONField(_("definition used"))
    computed_at = models.DateTimeField(_("computed at"), auto_now_add=True)

    class Meta:
        ordering = ["-as_of"]
        verbose_name = _("metric snapshot")
        verbose_name_plural = _("metric snapshots")
        constraints = [
            models.UniqueConstraint(fields=["store", "kind", "metric", "channel", "window_days", "as_of"],
                                    name="snapshot_unique_instant"),
        ]
        indexes = [models.Index(fields=["store", "kind", "metric", "channel", "window_days", "-as_of"],
                                name="snapshot_series")]

    def __str__(self) -> str:
        return f"{self.store} {self.metric}/{self.channel}/{self.window_days}d @ {self.as_of:%Y-%m-%d %H:%M}"


class Breach(models.Model):
    """A metric past its threshold, from the recompute that saw it red to the one that saw it back in target."""

    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="breaches")
    metric = models.CharField(_("metric"), max_length=16, choices=METRIC_CHOICES)
    channel = models.CharField(_("channel"), max_length=3)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    opened_at = models.DateTimeField(_("opened at"))
    opening_rate = models.DecimalField(_("rate when opened"), max_digits=9, decimal_places=6)
    peak_rate = models.DecimalField(_("worst rate"), max_digits=9, decimal_places=6)
    peak_at = models.DateTimeField(_("worst at"))
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        verbose_name = _("breach")
        verbose_name_plural = _("breaches")
        constraints = [
            models.UniqueConstraint(fields=["store", "metric", "channel", "window_days"],
                                    condition=models.Q(resolved_at__isnull=True), name="breach_one_open"),
        ]

    def __str__(self) -> str:
        return f"{self.store} {self.metric}/{self.channel}/{self.window_days}d since {self.opened_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
