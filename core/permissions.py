"""Who may do what: one table of roles per write, checked in the store concerned.

Reading needs only membership of the store (every read is scoped); every write is listed below, and a write
that is not listed is refused. Superusers may do everything. The API and the pages check the same table.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from .models import Membership, Role, Store

R = Role
#: The roles allowed to perform each write, keyed ``<resource>.<action>``.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "store.create": frozenset({R.ADMIN}),
    "store.manage": frozenset({R.ADMIN}),
    "order.create": frozenset({R.OPERATOR, R.ADMIN}),
    "order.confirm": frozenset({R.OPERATOR, R.ADMIN}),
    "order.pack": frozenset({R.OPERATOR, R.ADMIN}),
    "order.cancel": frozenset({R.OPERATOR, R.ADMIN}),
    "order.ship": frozenset({R.OPERATOR, R.ADMIN}),
    "order.note": frozenset({R.OPERATOR, R.ADMIN}),
    "shipment.create": frozenset({R.OPERATOR, R.ADMIN}),
    "return.create": frozenset({R.OPERATOR, R.AGENT, R.ADMIN}),
    "feedback.create": frozenset({R.OPERATOR, R.AGENT, R.ADMIN}),
    "claim.create": frozenset({R.OPERATOR, R.AGENT, R.ADMIN}),
    "message.create": frozenset({R.OPERATOR, R.AGENT, R.ADMIN}),
    # The store's relay mailbox: its server and credentials, seen and changed in the back office only.
    "mailbox.manage": frozenset({R.MANAGER, R.ADMIN}),
}


def allowed_roles(permission: str) -> frozenset[str]:
    """The roles that may perform ``permission``; none for a write that is not in the table."""
    return ROLE_PERMISSIONS.get(permission, frozenset())


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


def permissions_for_roles(roles: set[str] | frozenset[str]) -> frozenset[str]:
    """Every permission that one of ``roles`` grants."""
    return frozenset(permission for permission, allowed in ROLE_PERMISSIONS.items() if allowed & set(roles))


def user_permissions(*, user: User | AnonymousUser, store: Store) -> frozenset[str]:
    """Every permission ``user`` holds in ``store``, read in one query (for pages that offer several actions)."""
    if not user.is_authenticated:
        return frozenset()
    if user.is_superuser:
        return frozenset(ROLE_PERMISSIONS)
    roles = set(Membership.objects.filter(user=user, store=store).values_list("role", flat=True))
    return permissions_for_roles(roles)


def user_can(*, user: User | AnonymousUser, store: Store | int, permission: str) -> bool:
    """Whether ``user``'s role in ``store`` allows ``permission`` (e.g. ``"order.ship"``)."""
    return has_role(user=user, permission=permission, store=store)
