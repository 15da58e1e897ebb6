"""Query-string filters of /api/returns/."""

from __future__ import annotations

from django_filters import rest_framework as filters

from core.api.filters import InstantRangeFilter, StoreOrderFilterSet

from ..models import ReturnReason, ReturnRequest, ReturnStatus


class ReturnFilter(StoreOrderFilterSet):
    status = filters.MultipleChoiceFilter(choices=ReturnStatus.choices)
    reason = filters.ChoiceFilter(choices=ReturnReason.choices)
    sku = filters.CharFilter()
    requested_at = InstantRangeFilter()

    class Meta:
        model = ReturnRequest
        fields = ["store", "order", "status", "reason", "sku"]
