"""Query-string filters of /api/shipments/."""

from __future__ import annotations

from django_filters import rest_framework as filters

from core.api.filters import InstantRangeFilter, StoreOrderFilterSet

from ..models import Carrier, Shipment


class ShipmentFilter(StoreOrderFilterSet):
    carrier = filters.ChoiceFilter(choices=Carrier.choices)
    shipped_at = InstantRangeFilter()
    delivered_at = InstantRangeFilter()

    class Meta:
        model = Shipment
        fields = ["store", "order", "carrier"]
