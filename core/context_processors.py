"""Values every page of the site layout needs."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .permissions import request_grants

#: The top navigation: (path prefix, label, the permission it needs in one of the user's stores, or None when
#: reading is enough). Every member may read every section; a section that is only for doing something is shown
#: to those who may do it. Plain paths, so a section not yet served never breaks a page.
NAVIGATION = [
    ("/orders/", _("Orders"), None),
    ("/health/", _("Account health"), None),
    ("/inbox/", _("Inbox"), None),
    ("/returns/", _("Returns"), None),
    ("/listings/", _("Listings"), None),
    ("/fulfillment/", _("FBA inbound"), None),
    ("/imports/", _("Imports"), "import.upload"),
]


def navigation(request: HttpRequest) -> dict:
    path = request.path

    def items() -> list[dict]:
        grants = request_grants(request)
        return [{"url": url, "label": label, "active": path.startswith(url)}
                for url, label, permission in NAVIGATION if permission is None or grants.can(permission)]

    return {
        "nav_items": SimpleLazyObject(items),
        # What the user may do in at least one store: ``{% if "alert.set" in grants %}``.
        "grants": SimpleLazyObject(lambda: request_grants(request)),
    }
