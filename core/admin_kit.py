"""The back office's kit, for every app's admin: staff who are not superusers see and choose only the
rows of their own stores.

``StoreScopedAdmin`` (and ``StoreScopedInline``) narrow every changelist, change page and foreign-key
choice to the user's stores through ``core.selectors``; ``ReadOnlyAdmin`` serves the tables that only
services write (timelines, stock movements, snapshots). Every list filter on a relation, on any admin, offers
only the related rows the user may see (``ScopedRelatedFieldListFilter``), and a raw-id field names its row only
if the user may see it. The accounts, API tokens and login records are scoped in ``core.accounts_admin``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import get_model_from_relation
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from .models import Store
from .permissions import has_role
from .selectors import colleague_list, scoped

if TYPE_CHECKING:
    # What the mixins below are mixed into; at run time they stand alone.
    _AdminBase = admin.options.BaseModelAdmin[Any]
else:
    _AdminBase = object


def _store_field_of(model: type[models.Model]) -> str | None:
    """The path from ``model`` to its store, for the models whose rows belong to one."""
    if model is Store:
        return "id"
    try:
        field = model._meta.get_field("store")
    except FieldDoesNotExist:
        return None
    return "store" if getattr(field, "related_model", None) is Store else None


def scoped_choices(model: type[models.Model], request: HttpRequest) -> QuerySet | None:
    """The rows of ``model`` the user may pick in a form, or None when the model is not store-owned."""
    user = request.user
    if user.is_superuser:
        return None
    if model is get_user_model() or model._meta.label == settings.AUTH_USER_MODEL:
        return colleague_list(user=user)
    store_field = _store_field_of(model)
    if store_field is None:
        return None
    return scoped(model._default_manager.all(), user=user, store_field=store_field)


class ScopedRelatedFieldListFilter(admin.RelatedFieldListFilter):
    """Offers only the related rows the user may see; Django's lists every row of the related table."""

    def field_choices(self, field, request, model_admin):
        allowed = scoped_choices(get_model_from_relation(field), request)
        if allowed is None:
            return super().field_choices(field, request, model_admin)
        limit = Q(pk__in=allowed.values("pk"))
        own_limit = field.get_limit_choices_to() if hasattr(field, "get_limit_choices_to") else None
        if own_limit:
            limit &= own_limit if isinstance(own_limit, Q) else Q(**own_limit)
        ordering = self.field_admin_ordering(field, request, model_admin)
        return field.get_choices(include_blank=False, limit_choices_to=limit, ordering=ordering)


# Every relation filter of every admin (ours, Django's, third parties'), unless one names its own filter class.
admin.FieldListFilter.register(lambda field: field.remote_field, ScopedRelatedFieldListFilter, take_priority=True)


class ScopedForeignKeyRawIdWidget(ForeignKeyRawIdWidget):
    """Names the chosen row only if the user may choose it; Django's looks the id up in the whole table, so a
    typed or posted id of another store's row would show that row's name."""

    def __init__(self, rel, admin_site, attrs=None, using=None, *, queryset: QuerySet) -> None:
        super().__init__(rel, admin_site, attrs, using)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            visible = self.queryset.filter(**{key: value}).exists()
        except (ValueError, TypeError, ValidationError):
            visible = False
        return super().label_and_url_for_value(value) if visible else ("", "")


class _ScopedChoicesMixin(_AdminBase):
    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = scoped_choices(db_field.related_model, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
                if db_field.name in self.raw_id_fields and "widget" not in kwargs:
                    kwargs["widget"] = ScopedForeignKeyRawIdWidget(db_field.remote_field, self.admin_site,
                                                                   using=kwargs.get("using"), queryset=queryset)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs:
            queryset = scoped_choices(db_field.related_model, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class StoreScopedAdmin(_ScopedChoicesMixin, admin.ModelAdmin):
    """A model admin that shows a non-superuser only the rows of the stores they are a member of."""

    #: The lookup from this admin's model to its ``Store``.
    store_field = "store"
    list_per_page = 50
    show_full_result_count = False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return scoped(super().get_queryset(request), user=request.user, store_field=self.store_field)


class StoreScopedInline(_ScopedChoicesMixin):
    """Mixed into an inline: the parent is already scoped, this keeps its foreign-key choices so too."""


class ReadOnlyMixin:
    """For rows only services write: viewable, never added or changed here; only a superuser deletes."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return request.user.is_superuser


class ReadOnlyAdmin(ReadOnlyMixin, StoreScopedAdmin):
    pass


class ReadOnlyTabularInline(ReadOnlyMixin, StoreScopedInline, admin.TabularInline):
    extra = 0
    show_change_link = True

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class StoreManagersOnlyMixin(_AdminBase):
    """Stores and their credentials are changed only by the admins of the store concerned (and superusers),
    whatever model permissions a staff account holds."""

    def _may_manage(self, request: HttpRequest, obj=None) -> bool:
        store = obj if isinstance(obj, Store) or obj is None else obj.store
        return has_role(user=request.user, permission="store.manage", store=store)

    def has_add_permission(self, request: HttpRequest, *args) -> bool:
        return super().has_add_permission(request, *args) and self._may_manage(request)

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_change_permission(request, obj) and self._may_manage(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return super().has_delete_permission(request, obj) and self._may_manage(request, obj)
