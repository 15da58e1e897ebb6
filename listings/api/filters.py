"""Query-string filters of /api/listings/: the list page's filters, by the same selectors."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.api.filters import StoreFilterSet

from ..models import Channel, Listing
from ..selectors import out_of_stock_q, search_listings, with_sync_problems


class ListingFilter(StoreFilterSet):
    status = filters.MultipleChoiceFilter(choices=Listing.Status.choices,
                                          help_text=_("One or more statuses (repeat the parameter)."))
    channel = filters.ChoiceFilter(field_name="fulfillment_channel", choices=Channel.choices,
                                   help_text=_("MFN (seller-fulfilled) or AFN (fulfilled by Amazon)."))
    sku = filters.CharFilter(field_name="sku", max_length=40, help_text=_("Exactly this SKU."))
    q = filters.CharFilter(method="filter_q", max_length=100,
                           help_text=_("Part of the SKU, title or brand, or the exact ASIN or FNSKU."))
    sync_problem = filters.BooleanFilter(
        method="filter_sync_problem",
        help_text=_("true: a publishing error, a stock sync error or an Amazon issue of severity ERROR."))
    out_of_stock = filters.BooleanFilter(method="filter_out_of_stock",
                                         help_text=_("true: nothing sellable (available at or below safety stock)."))

    class Meta:
        model = Listing
        fields = ["store", "status", "channel", "sku"]

    def filter_q(self, queryset: QuerySet[Listing], name: str, value: str) -> QuerySet[Listing]:
        return search_listings(queryset, value.strip()) if value.strip() else queryset

    def filter_sync_problem(self, queryset: QuerySet[Listing], name: str, value: bool | None) -> QuerySet[Listing]:
        if value is None:
            return queryset
        flagged = with_sync_problems(queryset)
        return flagged if value else queryset.exclude(pk__in=flagged.values("pk"))

    def filter_out_of_stock(self, queryset: QuerySet[Listing], name: str, value: bool | None) -> QuerySet[Listing]:
        if value is None:
            return queryset
        return queryset.filter(out_of_stock_q()) if value else queryset.exclude(out_of_stock_q())
