"""Values every page of the site layout needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise, SimpleLazyObject
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

#: Where each role works, first match wins for a member of several stores: the page a "way back" leads to.
WORKSPACES = [
    (Role.OPERATOR, "/orders/", _("Orders")),
    (Role.ADMIN, "/orders/", _("Orders")),
    (Role.MANAGER, "/health/", _("Account health")),
    (Role.AGENT, "/inbox/", _("Inbox")),
]


@dataclass(frozen=True)
class Workspace:
    url: str
    label: str | Promise


def workspace_for(user: User | AnonymousUser) -> Workspace:
    """The page the user works from (their role's section), or the login page."""
    if not user.is_authenticated:
        return Workspace(url=reverse("login"), label=_("Log in"))
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True))
    if user.is_superuser:
        roles.add(Role.ADMIN)
    for role, url, label in WORKSPACES:
        if role in roles:
            return Workspace(url=url, label=label)
    return Workspace(url="/", label="SellerOps")


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
