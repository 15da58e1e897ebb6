"""Snapshots of computed metrics, and the breaches they open and resolve."""

from __future__ import annotations

from django.conf import settings
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
                                name="snapshot_series"),
                   # The latest recompute of a store, which the dashboard shows.
                   models.Index(fields=["store", "kind", "-as_of"], name="snapshot_latest")]

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


class AlertBand(models.TextChoices):
    """The band at which an alert rule fires: amber (at risk) or worse, or only red (breach)."""

    AMBER = "amber", _("At risk or breach")
    RED = "red", _("Breach only")


class AlertRule(models.Model):
    """A user's wish to be told, in the app and by e-mail, when a metric enters a band."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_rules")
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, null=True, blank=True,
                              related_name="alert_rules", help_text=_("Empty: every store of the owner."))
    metric = models.CharField(_("metric"), max_length=16, choices=METRIC_CHOICES)
    channel = models.CharField(_("channel"), max_length=3, blank=True, help_text=_("Empty: every channel."))
    window_days = models.PositiveSmallIntegerField(_("window (days)"), null=True, blank=True,
                                                   help_text=_("Empty: every window."))
    band = models.CharField(_("notify when"), max_length=8, choices=AlertBand.choices, default=AlertBand.AMBER)
    recipients = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="alert_subscriptions",
                                        verbose_name=_("recipients"))
    email = models.BooleanField(_("also by e-mail"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["metric", "id"]
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        indexes = [models.Index(fields=["store", "is_active"], name="alertrule_store_active")]

    def __str__(self) -> str:
        return f"{self.metric}/{self.channel or '*'}/{self.window_days or '*'} ≥ {self.band} ({self.owner})"


class AlertState(models.Model):
    """The band a rule last saw one result of one store in: a rule fires only when that band gets worse."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="states")
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="+")
    metric = models.CharField(_("metric"), max_length=16, choices=METRIC_CHOICES)
    channel = models.CharField(_("channel"), max_length=3)
    window_days = models.PositiveSmallIntegerField(_("window (days)"))
    band = models.CharField(_("last band"), max_length=8, choices=Status.choices)
    changed_at = models.DateTimeField(_("changed at"))

    class Meta:
        verbose_name = _("alert state")
        verbose_name_plural = _("alert states")
        constraints = [
            models.UniqueConstraint(fields=["rule", "store", "metric", "channel", "window_days"],
                                    name="alertstate_unique_result"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.store_id} {self.metric}/{self.channel}/{self.window_days}d: {self.band}"


class Notification(models.Model):
    """One user told, in the app, that a metric of a store entered amber or red, or that an A-to-z claim's
    response deadline is less than a day away."""

    class Kind(models.TextChoices):
        METRIC = "metric", _("Metric at risk or in breach")
        CLAIM_DEADLINE = "claim_deadline", _("A-to-z claim near its deadline")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.METRIC)
    #: The claim a ``CLAIM_DEADLINE`` notification is about (each of its people are told once).
    claim = models.ForeignKey("support.Claim", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    store = models.ForeignKey("sellerops.Store", on_delete=models.CASCADE, related_name="notifications")
    rule = models.ForeignKey(AlertRule, on_delete=models.SET_NULL, null=True, blank=True,
                             related_name="notifications")
    breach = models.ForeignKey(Breach, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    metric = models.CharField(_("metric"), max_length=16, choices=METRIC_CHOICES, blank=True)
    channel = models.CharField(_("channel"), max_length=3, blank=True)
    window_days = models.PositiveSmallIntegerField(_("window (days)"), default=0)
    level = models.CharField(_("level"), max_length=8, choices=Status.choices)
    numerator = models.PositiveIntegerField(_("numerator"), default=0)
    denominator = models.PositiveIntegerField(_("denominator"), default=0)
    rate = models.DecimalField(_("rate"), max_digits=9, decimal_places=6, null=True, blank=True)
    message = models.TextField(_("message"))
    created_at = models.DateTimeField(_("created"))
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"], name="notification_user_unread")]
        constraints = [
            # A claim near its deadline is told to each of its people once, however often the check runs.
            models.UniqueConstraint(fields=["user", "claim"], condition=models.Q(kind="claim_deadline"),
                                    name="notification_claim_deadline_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.store} {self.metric or self.kind} {self.level}"
