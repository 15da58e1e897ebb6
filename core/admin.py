"""The back office of the core: stores, memberships, profiles, and (``core.accounts_admin``) the accounts."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .admin_kit import StoreManagersOnlyMixin, StoreScopedAdmin, StoreScopedInline, _ScopedChoicesMixin
from .models import Membership, Profile, Role, Store
from .selectors import colleague_list


class MembershipInline(StoreScopedInline, admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["created_at"]


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


# The accounts, API tokens and login records: Django's, DRF's and django-axes' admins, scoped to the stores.
from . import accounts_admin  # noqa: E402, F401
