"""The tenant: a Store is one seller account on one Amazon marketplace; users reach stores by membership."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from .marketplaces import MARKETPLACE_CHOICES, MARKETPLACES


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
    """Per-user preferences: the timezone times are shown in, and the interface language (empty: the browser's)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    timezone = models.CharField(_("timezone"), max_length=64, default="UTC", validators=[validate_timezone])
    language = models.CharField(_("language"), max_length=16, blank=True, choices=settings.LANGUAGES)
    #: The store the workspaces show when their address names none (``core.chosen_store``); empty: all stores.
    store = models.ForeignKey(Store, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                              verbose_name=_("chosen store"))

    class Meta:
        verbose_name = _("profile")

    def __str__(self) -> str:
        return f"{self.user} ({self.timezone})"


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
