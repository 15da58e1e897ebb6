"""What fulfillment shows on an order's page (``orders.sections``): its shipments."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context

from orders.sections import Section, Slot

from .models import ShipmentItem
from .tracking import tracking_url


def shipments_context(context: Context) -> dict[str, Any]:
    """The order's shipments, oldest first, each with its carrier's tracking link and its units."""
    shipments = sorted(context["order"].shipments.all(), key=lambda s: (s.shipped_at, s.pk))
    # The order page loads the shipments; their units come in one more query, whatever their number.
    prefetch_related_objects(shipments, Prefetch(
        "items", queryset=ShipmentItem.objects.select_related("order_item").order_by("id")))
    return {"shipments": [
        {"shipment": s, "url": tracking_url(carrier=s.carrier, number=s.tracking_number), "items": s.items.all()}
        for s in shipments
    ]}


SECTIONS = [
    Section(name="fulfillment.shipments", slot=Slot.MAIN, position=10,
            template="fulfillment/order_shipments.html", context=shipments_context),
]
