"""The back office. Staff who are not superusers see and choose only the rows of their own stores.

``StoreScopedAdmin`` (and ``StoreScopedInline``) narrow every changelist, change page and foreign-key
choice to the user's stores through ``sellerops.selectors``; ``ReadOnlyAdmin`` serves the tables that only
services write (timelines, stock movements, snapshots). Every list filter on a relation, on any admin, offers
only the related rows the user may see (``ScopedRelatedFieldListFilter``), and a raw-id field names its row only
if the user may see it. The accounts, API tokens and login records are scoped in ``sellerops.accounts_admin``.
"""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.utils import get_model_from_relation
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import Membership, Profile, Role, SellerCredentials, SellerPerformanceReport, Store
from .permissions import has_role
from .selectors import colleague_list, scoped


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


class _ScopedChoicesMixin:
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


class MembershipInline(StoreScopedInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


class StoreManagersOnlyMixin:
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


@admin.register(Store)
class StoreAdmin(StoreManagersOnlyMixin, StoreScopedAdmin):
    store_field = "id"
    list_display = ["code", "name", "marketplace", "timezone", "currency", "seller_id", "is_active",
                    "created_at"]
    list_filter = ["marketplace", "is_active"]
    search_fields = ["code", "name", "seller_id"]
    readonly_fields = ["created_at"]
    inlines = [MembershipInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        if not change and not request.user.is_superuser:
            # Otherwise the store would vanish from its creator's view the moment it is saved.
            Membership.objects.get_or_create(user=request.user, store=obj, defaults={"role": Role.ADMIN})


@admin.register(Membership)
class MembershipAdmin(StoreManagersOnlyMixin, StoreScopedAdmin):
    list_display = ["user", "store", "role", "created_at"]
    list_filter = ["store", "role"]
    search_fields = ["user__username", "user__email", "store__code", "store__name"]
    list_select_related = ["user", "store"]
    autocomplete_fields = ["user", "store"]
    readonly_fields = ["created_at"]


@admin.register(Profile)
class ProfileAdmin(_ScopedChoicesMixin, admin.ModelAdmin):
    """The profiles of the user and the members of their stores."""

    list_display = ["user", "timezone"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(user__in=colleague_list(user=request.user))


admin.site.site_header = _("SellerOps administration")
admin.site.site_title = _("SellerOps admin")
admin.site.index_title = _("Back office")


_SECRET_FIELDS = ("refresh_token", "lwa_client_id", "lwa_client_secret")


class SellerCredentialsForm(forms.ModelForm):
    """Write-only secrets: never rendered back; left empty on change, the stored value stays."""

    refresh_token = forms.CharField(label=_("Refresh token"), required=False,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    lwa_client_id = forms.CharField(label=_("LWA client id"), required=False,
                                    widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))
    lwa_client_secret = forms.CharField(label=_("LWA client secret"), required=False,
                                        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}))

    class Meta:
        model = SellerCredentials
        fields = ["store", "is_active", *_SECRET_FIELDS]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        stored = self.instance.pk is not None
        for name in _SECRET_FIELDS:
            self.initial[name] = ""
            field = self.fields[name]
            field.required = not stored
            field.help_text = _("Stored and hidden. Leave empty to keep it; type a new value to replace it.") \
                if stored else _("Stored encrypted; it is never shown again.")

    def clean(self) -> dict:
        cleaned = super().clean()
        for name in _SECRET_FIELDS:
            if not cleaned.get(name):
                # Left out of cleaned_data, the model keeps the stored value.
                cleaned.pop(name, None)
        return cleaned


@admin.register(SellerCredentials)
class SellerCredentialsAdmin(StoreManagersOnlyMixin, StoreScopedAdmin):
    form = SellerCredentialsForm
    list_display = ["store", "is_active", "last_synced_at", "last_sync_ok", "last_error_at"]
    list_filter = ["is_active"]
    search_fields = ["store__code", "store__name"]
    list_select_related = ["store"]
    autocomplete_fields = ["store"]
    fieldsets = [
        (None, {"fields": ["store", "is_active"]}),
        (_("Credentials"), {"fields": list(_SECRET_FIELDS)}),
        (_("Sync"), {"fields": ["last_synced_at", "last_error", "last_error_at", "updated_at"]}),
    ]
    readonly_fields = ["last_synced_at", "last_error", "last_error_at", "updated_at"]

    def get_fieldsets(self, request: HttpRequest, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        return fieldsets if obj is not None else fieldsets[:2]

    @admin.display(boolean=True, description=_("last sync OK"))
    def last_sync_ok(self, obj: SellerCredentials) -> bool:
        return not obj.last_error


def _odr_fields(channel: str) -> list[str]:
    return [f"{channel}_{name}" for name in ("date_from", "date_to", "order_count", "orders_with_defects", "claims",
                                             "chargebacks", "negative_feedback", "rate", "target_value")]


def _odr_summary(rate, defects, orders) -> str:
    if rate is None:
        return "—"
    return f"{rate * 100:.2f}% ({defects} / {orders})"


@admin.register(SellerPerformanceReport)
class SellerPerformanceReportAdmin(ReadOnlyAdmin):
    list_display = ["store", "fetched_at", "account_status", "afn_odr", "mfn_odr"]
    list_filter = ["account_status", "store"]
    list_select_related = ["store"]
    date_hierarchy = "fetched_at"
    search_fields = ["store__code", "report_id"]
    readonly_fields = ["document"]
    fieldsets = [
        (None, {"fields": ["store", "fetched_at", "account_status", "marketplace_id", "report_id",
                           "report_document_id"]}),
        (_("Order defect rate, fulfilled by Amazon"), {"fields": _odr_fields("afn")}),
        (_("Order defect rate, seller-fulfilled"), {"fields": _odr_fields("mfn")}),
        (_("Report document"), {"fields": ["document"], "classes": ["collapse"]}),
    ]

    @admin.display(description=_("AFN ODR"), ordering="afn_rate")
    def afn_odr(self, obj: SellerPerformanceReport) -> str:
        return _odr_summary(obj.afn_rate, obj.afn_orders_with_defects, obj.afn_order_count)

    @admin.display(description=_("MFN ODR"), ordering="mfn_rate")
    def mfn_odr(self, obj: SellerPerformanceReport) -> str:
        return _odr_summary(obj.mfn_rate, obj.mfn_orders_with_defects, obj.mfn_order_count)

    @admin.display(description=_("report document"))
    def document(self, obj: SellerPerformanceReport) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.raw, indent=2, sort_keys=True))


# The accounts, API tokens and login records: Django's, DRF's and django-axes' admins, scoped to the stores.
from . import accounts_admin  # noqa: E402, F401
