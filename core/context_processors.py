"""Values every page of the site layout needs."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .models import Membership, Role
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

#: Where each role lands after signing in (README: the three workspaces). A person with several roles lands where
#: the first of them in this order works.
LANDING = [
    (Role.OPERATOR, "orders:list"),
    (Role.ADMIN, "orders:list"),
    (Role.MANAGER, "metrics:health"),
    (Role.AGENT, "support:inbox"),
]
LANDING_DEFAULT = "orders:list"


def landing_url_name(user: User | AnonymousUser) -> str:
    """The URL name of ``user``'s own workspace, by their roles in their stores (a superuser: the order queue)."""
    if not user.is_authenticated or user.is_superuser:
        return LANDING_DEFAULT
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    return next((url_name for role, url_name in LANDING if role in roles), LANDING_DEFAULT)


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
