"""Filters every store-owned resource accepts."""

from __future__ import annotations

from django.db.models import QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField, IsoDateTimeRangeField

from core.dates import utc_instant
from core.models import Store


class UTCIsoDateTimeField(IsoDateTimeField):
    """An ISO 8601 instant, turned to UTC: the database is never asked about an offset it cannot store.

    A bound past the calendar's edge once in UTC (``0001-01-01T00:00:00+05:00``) is that edge: the filter then
    means "from the start" (or "to the end"), as its sender meant.
    """

    def to_python(self, value):
        parsed = super().to_python(value)
        return utc_instant(parsed) if parsed is not None and timezone.is_aware(parsed) else parsed


class UTCIsoDateTimeRangeField(IsoDateTimeRangeField):
    def __init__(self, *args, **kwargs) -> None:
        super(IsoDateTimeRangeField, self).__init__((UTCIsoDateTimeField(), UTCIsoDateTimeField()), *args, **kwargs)


class InstantRangeFilter(filters.IsoDateTimeFromToRangeFilter):
    """``?name_after=`` / ``?name_before=`` with ISO 8601 instants in any offset."""

    field_class = UTCIsoDateTimeRangeField


class StoreFilterSet(filters.FilterSet):
    """``?store=CODE``: only that store's rows (a store the user is not a member of yields none)."""

    store = filters.CharFilter(method="filter_store", help_text=_("The store's code."))

    def filter_store(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # The store's id as a value, not a join: the indexes that lead with the store then give rows in order.
        return queryset.filter(store_id=Subquery(Store.objects.filter(code=value).values("id")[:1]))


class StoreOrderFilterSet(StoreFilterSet):
    """Adds ``?order=AMAZON_ORDER_ID``."""

    order = filters.CharFilter(field_name="order__amazon_order_id", help_text=_("The Amazon order id."))


class StoreListFilter(filters.FilterSet):
    class Meta:
        model = Store
        fields = ["marketplace", "is_active"]
