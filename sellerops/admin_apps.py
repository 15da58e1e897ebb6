"""Django's admin app, serving the back office from ``sellerops.admin_site.BackOfficeSite``."""

from __future__ import annotations

from django.contrib.admin.apps import AdminConfig


class BackOfficeAdminConfig(AdminConfig):
    default_site = "sellerops.admin_site.BackOfficeSite"
