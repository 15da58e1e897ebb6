"""Filters every store-owned resource accepts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from sellerops.models import Store


class StoreFilterSet(filters.FilterSet):
    """``?store=CODE``: only that store's rows (a store the user is not a member of yields none)."""

    store = filters.CharFilter(field_name="store__code", help_text=_("The store's code."))


class StoreOrderFilterSet(StoreFilterSet):
    """Adds ``?order=AMAZON_ORDER_ID``."""

    order = filters.CharFilter(field_name="order__amazon_order_id", help_text=_("The Amazon order id."))


class StoreListFilter(filters.FilterSet):
    class Meta:
        model = Store
        fields = ["marketplace", "is_active"]
