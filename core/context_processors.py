"""Values every page of the site layout needs."""

from __future__ import annotations

from django.http import HttpRequest
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


def navigation(request: HttpRequest) -> dict:
    path = request.path
    return {
        "nav_items": [
            {"url": url, "label": label, "active": path.startswith(url)} for url, label in NAVIGATION
        ],
    }
