"""Values every page of the site layout needs."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

#: The top navigation: (path prefix, label). Plain paths, so a section not yet served never breaks a page.
NAVIGATION = [
    ("/orders/", _("Orders")),
    ("/health/", _("Account health")),
    ("/inbox/", _("Inbox")),
    ("/returns/", _("Returns")),
    ("/listings/", _("Listings")),
    ("/fulfillment/", _("FBA inbound")),
]


def _health_alerts(request: HttpRequest):
    """Open breaches and unread notifications of the user: one query, made once per request and only if shown."""
    if not hasattr(request, "_health_alerts"):
        from metrics.alerts import health_summary

        request._health_alerts = health_summary(user=request.user)
    return request._health_alerts


def navigation(request: HttpRequest) -> dict:
    path = request.path
    return {
        "nav_items": [
            {"url": url, "label": label, "active": path.startswith(url)} for url, label in NAVIGATION
        ],
        "health_alerts": SimpleLazyObject(lambda: _health_alerts(request)),
    }
