"""Query-string filters of /api/orders/."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from core.api.filters import InstantRangeFilter, StoreFilterSet
from listings.models import Channel

from ..models import Order, OrderStatus


class OrderFilter(StoreFilterSet):
    order_status = filters.MultipleChoiceFilter(
        field_name="status", choices=OrderStatus.choices,
        help_text=_("One or more statuses (repeat the parameter)."))
    fulfillment_channel = filters.ChoiceFilter(choices=Channel.choices)
    is_prime = filters.BooleanFilter()
    purchase_date = InstantRangeFilter(
        help_text=_("purchase_date_after / purchase_date_before, ISO 8601 (both inclusive)."))
    last_update_date = InstantRangeFilter(
        help_text=_("last_update_date_after / last_update_date_before: what changed since a sync."))
    latest_ship_date = InstantRangeFilter(
        help_text=_("latest_ship_date_after / latest_ship_date_before: the ship-by deadline."))

    class Meta:
        model = Order
        fields = ["store", "order_status", "fulfillment_channel", "is_prime"]
