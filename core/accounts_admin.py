"""Accounts, API tokens and login records in the back office, scoped like every other table.

Django's user admin, DRF's token admin and django-axes' login records list every account of every store; a
staff member who is not a superuser sees here only the accounts of the members of their stores (and their
own), only their own API token, and only the login records of those accounts. Imported by
``core.admin``; importing the original admin modules first makes sure they are registered before they
are replaced, whatever the order of ``INSTALLED_APPS``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from rest_framework.authtoken.admin import TokenAdmin as DRFTokenAdmin
from rest_framework.authtoken.models import TokenProxy

from .admin_kit import _ScopedChoicesMixin
from .selectors import colleague_list, store_ids

User = get_user_model()

#: Granted only by a superuser: whoever may change these may make themself one.
PRIVILEGE_FIELDS = ("is_staff", "is_superuser", "groups", "user_permissions")

if TYPE_CHECKING:
    # What _LoginRecordsOfColleagues is mixed into; at run time it stands alone.
    _ModelAdminBase = admin.ModelAdmin[Any]
else:
    _ModelAdminBase = object


def _replace(model, model_admin: type[admin.ModelAdmin]) -> None:
    """Put ``model_admin`` in the place of the admin its app registered (none, if the app was told not to)."""
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)


class UserAdmin(_ScopedChoicesMixin, DjangoUserAdmin):
    """The accounts of the members of the user's stores. An account that also belongs to another store, or a
    superuser's, is only viewed; new accounts and privileges are a superuser's to give."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=colleague_list(user=request.user).values("pk"))

    def _reaches_beyond(self, request: HttpRequest, obj) -> bool:
        """Whether changing ``obj`` would reach beyond the user's stores."""
        if request.user.is_superuser or obj is None:
            return False
        return obj.is_superuser or obj.memberships.exclude(store__in=store_ids(user=request.user)).exists()

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A new account belongs to no store yet, so it would vanish from its creator's view.
        return request.user.is_superuser and super().has_add_permission(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and not self._reaches_beyond(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and not self._reaches_beyond(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += [name for name in PRIVILEGE_FIELDS if name not in fields]
        return fields


class TokenAdmin(DRFTokenAdmin):
    """A token signs its holder in to the API: staff who are not superusers see and issue only their own."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        return queryset if request.user.is_superuser else queryset.filter(user=request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user" and not request.user.is_superuser:
            kwargs["queryset"] = User._default_manager.filter(pk=request.user.pk)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class _LoginRecordsOfColleagues(_ModelAdminBase):
    """Login records of the accounts the user may see; those of unknown usernames are a superuser's."""

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(username__in=colleague_list(user=request.user).values(User.USERNAME_FIELD))

    def get_actions(self, request: HttpRequest):
        actions = super().get_actions(request)
        if not request.user.is_superuser:
            # It clears the expired attempts of every account, not the ones selected.
            actions.pop("cleanup_expired_attempts", None)
        return actions


class ScopedAccessAttemptAdmin(_LoginRecordsOfColleagues, AccessAttemptAdmin):
    pass


class ScopedAccessLogAdmin(_LoginRecordsOfColleagues, AccessLogAdmin):
    pass


class ScopedAccessFailureLogAdmin(_LoginRecordsOfColleagues, AccessFailureLogAdmin):
    pass


_replace(User, UserAdmin)
_replace(TokenProxy, TokenAdmin)
_replace(AccessAttempt, ScopedAccessAttemptAdmin)
_replace(AccessLog, ScopedAccessLogAdmin)
_replace(AccessFailureLog, ScopedAccessFailureLogAdmin)
