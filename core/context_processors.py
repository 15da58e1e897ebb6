"""Values every page of the site layout needs."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise, SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from .chosen_store import chosen_store_id
from .models import Membership, Role
from .permissions import request_grants
from .selectors import store_list

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
    ("/fba/", _("FBA inventory"), None),
    ("/imports/", _("Imports"), "import.upload"),
]

#: Where each role works (README: the three workspaces): the page it lands on after signing in, and where a page's
#: "way back" leads. A person with several roles works where the first of them in this order does.
WORKSPACES = [
    (Role.OPERATOR, "orders:list", _("Orders")),
    (Role.ADMIN, "orders:list", _("Orders")),
    (Role.MANAGER, "metrics:health", _("Account health")),
    (Role.AGENT, "support:inbox", _("Inbox")),
]


@dataclass(frozen=True)
class Workspace:
    url: str
    label: str | Promise


def _workspace(user: User | AnonymousUser) -> tuple[str, str | Promise]:
    """(URL name, label) of the workspace of ``user``'s first role in ``WORKSPACES`` (a superuser: an admin's)."""
    roles = set(Membership.objects.filter(user=user).values_list("role", flat=True)) if user.is_authenticated \
        else set()
    if user.is_superuser:
        roles.add(Role.ADMIN)
    _role, url_name, label = next((entry for entry in WORKSPACES if entry[0] in roles), WORKSPACES[0])
    return url_name, label


def landing_url_name(user: User | AnonymousUser) -> str:
    """The URL name of the page ``user`` lands on after signing in: their workspace."""
    return _workspace(user)[0]


def workspace_for(user: User | AnonymousUser) -> Workspace:
    """The page the user works from (their role's section), or the login page."""
    if not user.is_authenticated:
        return Workspace(url=reverse("login"), label=_("Log in"))
    url_name, label = _workspace(user)
    return Workspace(url=reverse(url_name), label=label)


def navigation(request: HttpRequest) -> dict:
    path = request.path

    def items() -> list[dict]:
        grants = request_grants(request)
        return [{"url": url, "label": label, "active": path.startswith(url)}
                for url, label, permission in NAVIGATION if permission is None or grants.can(permission)]

    def store_switch() -> dict:
        user = request.user
        # The grants the navigation reads already tell whether the user has more than one store; only then is
        # there a choice, read in one query (the chosen store is among them, or not chosen any more).
        grants = request_grants(request)
        if not grants.everywhere and len(grants.by_store) < 2:
            return {"stores": [], "chosen": None}
        stores = list(store_list(user=user).order_by("code").only("id", "code"))
        chosen_id = chosen_store_id(user=user)
        chosen = next((store for store in stores if store.pk == chosen_id), None)
        return {"stores": stores if len(stores) > 1 else [], "chosen": chosen}

    return {
        "nav_items": SimpleLazyObject(items),
        # The top bar's store switcher: the user's stores (when more than one) and the one they chose.
        "store_switch": SimpleLazyObject(store_switch),
        # What the user may do in at least one store: ``{% if "alert.set" in grants %}``.
        "grants": SimpleLazyObject(lambda: request_grants(request)),
    }
