"""Django's admin app, serving the back office from ``core.admin_site.BackOfficeSite``."""

from __future__ import annotations

from axes.apps import AppConfig as AxesConfig
from django.contrib.admin.apps import AdminConfig
from django.utils.translation import gettext_lazy as _


class BackOfficeAdminConfig(AdminConfig):
    default_site = "core.admin_site.BackOfficeSite"


class LoginLockoutsConfig(AxesConfig):
    """django-axes under a name the back office can translate (it has none of its own: its section read "Axes")."""

    verbose_name = _("Login lockouts")
