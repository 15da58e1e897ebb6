"""Who may do what through the API: ``core.permissions.ROLE_PERMISSIONS``, checked in the store concerned.

Reading needs only membership of the store (the querysets are scoped); every write is listed in the table, and
a write that is not listed is refused. Superusers may do everything.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework.exceptions import PermissionDenied
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request

from core.models import Store
from core.permissions import ROLE_PERMISSIONS, allowed_roles, has_role

__all__ = ["ROLE_PERMISSIONS", "READ_ACTIONS", "StoreRolePermission", "allowed_roles", "has_role", "require_role",
           "view_permission"]

#: Actions that only read; any member of the store may perform them (a view adds its own in ``read_actions``).
READ_ACTIONS = frozenset({"list", "retrieve", "metadata"})


def require_role(*, user: User | AnonymousUser, permission: str, store: Store) -> None:
    """Raise a 403 unless ``user``'s role in ``store`` allows ``permission``."""
    if not has_role(user=user, permission=permission, store=store):
        raise PermissionDenied(_("Your role in store %(store)s does not allow this.") % {"store": store.code})


def view_permission(view) -> str:
    """The table entry an action needs: the view's ``action_permissions`` may name it (several actions sharing
    one entry, as creating and editing a listing share ``listing.edit``); else ``<resource>.<action>``."""
    named = getattr(view, "action_permissions", {}).get(view.action)
    return named or f"{view.permission_resource}.{view.action}"


class StoreRolePermission(BasePermission):
    """Reads for members; writes for the roles ``ROLE_PERMISSIONS`` names, in the object's own store.

    ``has_permission`` answers early for a user who holds no allowed role in any store; the store itself is
    checked on the object (detail actions) or, for creation, by the view once the body names the store.
    """

    message = gettext_lazy("Your role does not allow this.")

    def _reads(self, request: Request, view) -> bool:
        reads = READ_ACTIONS | getattr(view, "read_actions", frozenset())
        return request.method in SAFE_METHODS and (view.action in reads or view.action is None)

    def has_permission(self, request: Request, view) -> bool:
        if self._reads(request, view):
            return True
        return has_role(user=request.user, permission=view_permission(view))

    def has_object_permission(self, request: Request, view, obj) -> bool:
        if self._reads(request, view):
            return True
        return has_role(user=request.user, permission=view_permission(view), store=obj.store_id)
