"""Django's admin app, serving the back office from ``core.admin_site.BackOfficeSite``."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    default_site = "core.admin_site.BackOfficeSite"
