"""Who may do what: one table of roles per write, checked in the store concerned.

Reading needs only membership of the store (every read is scoped); every write is listed below, and a write
that is not listed is refused. Superusers may do everything. The pages, the API and the services that check
a role all read this table, through the functions below; no other list of roles exists.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet
from django.http import HttpRequest

from .models import Membership, Role, Store

R = Role
#: Operators run the orders, the stock, returns, FBA inbound and the report imports of their stores.
OPERATIONS = frozenset({R.OPERATOR, R.ADMIN})
#: Support agents answer buyers: messages, feedback and claims; operators answer them too.
BUYER_CONTACT = frozenset({R.AGENT, R.OPERATOR, R.ADMIN})
#: Managers answer for account health: its alert rules, and the mailbox buyers' messages arrive in.
ACCOUNT_HEALTH = frozenset({R.MANAGER, R.ADMIN})
#: A parcel stuck or lost: the operators who ship, and the managers who answer for delivery metrics and claims.
DELIVERY_REMEDIES = frozenset({R.OPERATOR, R.MANAGER, R.ADMIN})
#: The store itself, its credentials and its members.
STORE_ADMIN = frozenset({R.ADMIN})

#: The roles allowed to perform each write, keyed ``<resource>.<action>``.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    # The store, its members and its SP-API credentials: the API and the back office.
    "store.create": STORE_ADMIN,
    "store.manage": STORE_ADMIN,
    # The store's relay mailbox: its server and credentials, seen and changed in the back office only.
    "mailbox.manage": ACCOUNT_HEALTH,
    # Orders: the queue, the order page, the bulk actions and the API.
    "order.create": OPERATIONS,
    "order.confirm": OPERATIONS,
    "order.pack": OPERATIONS,
    "order.ship": OPERATIONS,
    "order.cancel": OPERATIONS,
    "order.note": OPERATIONS,
    # A parcel's carrier events (delivered, address problem…): the order page's form and the API.
    "order.track": OPERATIONS,
    "shipment.create": OPERATIONS,
    # A parcel stuck or lost: a trace filed with its carrier (and its answer), a replacement sent at no charge.
    "shipment.trace": DELIVERY_REMEDIES,
    "shipment.replace": DELIVERY_REMEDIES,
    # A store's own days of silence per carrier, after which its parcels are at risk.
    "delivery.silence": DELIVERY_REMEDIES,
    # Returns: the returns queue; the API records a request and, given a later status, these same steps.
    "return.create": OPERATIONS,
    "return.authorize": OPERATIONS,
    "return.reject": OPERATIONS,
    "return.receive": OPERATIONS,
    "return.refund": OPERATIONS,
    "return.replace": OPERATIONS,
    "return.close": OPERATIONS,
    # Buyer contact: the inbox, the feedback page and the API.
    "message.create": BUYER_CONTACT,
    "message.reply": BUYER_CONTACT,
    "thread.no_reply": BUYER_CONTACT,
    "thread.note": BUYER_CONTACT,
    "thread.assign": BUYER_CONTACT,
    "feedback.create": BUYER_CONTACT,
    "feedback.request_removal": BUYER_CONTACT,
    "claim.create": BUYER_CONTACT,
    # Responding to an A-to-z claim (and setting its response deadline), from the claim's page.
    "claim.respond": BUYER_CONTACT,
    # Listings and their stock.
    "listing.edit": OPERATIONS,
    # Sending a listing's content and price to Amazon (one listing, a JSON feed of many); the flat-file export.
    "listing.publish": OPERATIONS,
    "stock.adjust": OPERATIONS,
    # FBA inbound shipments.
    "inbound.create": OPERATIONS,
    "inbound.ship": OPERATIONS,
    "inbound.receive": OPERATIONS,
    "inbound.close": OPERATIONS,
    "inbound.cancel": OPERATIONS,
    # Report files: an import writes orders, shipments, returns and feedback.
    "import.upload": OPERATIONS,
    "import.confirm": OPERATIONS,
    # Alert rules on account health (each user keeps their own).
    "alert.set": ACCOUNT_HEALTH,
    # Having Amazon's seller-performance report set beside our figures again (the reconciliation page).
    "reconciliation.run": ACCOUNT_HEALTH,
}


def allowed_roles(permission: str) -> frozenset[str]:
    """The roles that may perform ``permission``; none for a write that is not in the table."""
    return ROLE_PERMISSIONS.get(permission, frozenset())


def permissions_for_roles(roles: set[str] | frozenset[str]) -> frozenset[str]:
    """Every permission that one of ``roles`` grants."""
    return frozenset(permission for permission, allowed in ROLE_PERMISSIONS.items() if allowed & set(roles))


def has_role(*, user: User | AnonymousUser, permission: str, store: Store | int | None = None) -> bool:
    """Whether ``user`` may perform ``permission`` in ``store`` (or, without one, in any of their stores)."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    memberships = Membership.objects.filter(user=user, role__in=allowed_roles(permission))
    if store is not None:
        memberships = memberships.filter(store=store)
    return memberships.exists()


def user_can(*, user: User | AnonymousUser, store: Store | int, permission: str) -> bool:
    """Whether ``user``'s role in ``store`` allows ``permission`` (e.g. ``"order.ship"``)."""
    return has_role(user=user, permission=permission, store=store)


def user_permissions(*, user: User | AnonymousUser, store: Store) -> frozenset[str]:
    """Every permission ``user`` holds in ``store``, read in one query (for pages that offer several actions)."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLE_PERMISSIONS)
    roles = set(Membership.objects.filter(user=user, store=store).values_list("role", flat=True))
    return permissions_for_roles(roles)


def permitted_stores(*, user: User | AnonymousUser, permission: str) -> QuerySet[Store]:
    """The stores in which ``user`` may perform ``permission``: all of them for a superuser."""
    if not user.is_authenticated:
        return Store.objects.none()
    if user.is_superuser:
        return Store.objects.all()
    return Store.objects.filter(pk__in=Membership.objects.filter(
        user=user, role__in=allowed_roles(permission)).values("store_id"))


@dataclass(frozen=True)
class Grants:
    """What one user may do in each of their stores, read once for a page that offers many actions."""

    by_store: Mapping[int, frozenset[str]] = field(default_factory=dict)
    everywhere: bool = False

    def can(self, permission: str, store: Store | int | None = None) -> bool:
        """Whether ``permission`` is held in ``store`` (or, without one, in any store)."""
        if self.everywhere:
            return True
        if store is None:
            return any(permission in held for held in self.by_store.values())
        store_id = store.pk if isinstance(store, Store) else store
        return permission in self.by_store.get(store_id, frozenset())

    def __contains__(self, permission: str) -> bool:
        """``"alert.set" in grants``: held in any store (as templates ask it)."""
        return self.can(permission)


def user_grants(*, user: User | AnonymousUser) -> Grants:
    """Every permission ``user`` holds, store by store, in one query."""
    if not user.is_authenticated:
        return Grants()
    if user.is_superuser:
        return Grants(everywhere=True)
    roles: dict[int, set[str]] = {}
    for store_id, role in Membership.objects.filter(user=user).values_list("store_id", "role"):
        roles.setdefault(store_id, set()).add(role)
    return Grants(by_store={store_id: permissions_for_roles(held) for store_id, held in roles.items()})


def request_grants(request: HttpRequest) -> Grants:
    """The requesting user's grants, read once per request (the navigation and the page share them)."""
    if getattr(request, "_grants_user", None) is not request.user:
        request._grants = user_grants(user=request.user)  # type: ignore[attr-defined]  # cached per request
        request._grants_user = request.user  # type: ignore[attr-defined]  # cached per request
    return request._grants  # type: ignore[attr-defined]  # cached per request
