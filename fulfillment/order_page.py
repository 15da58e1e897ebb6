"""What fulfillment shows on an order's page (``orders.sections``): its shipments, and the form that confirms one."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context
from django.utils import timezone

from orders.sections import Section, Slot
from orders.views import order_action_url

from .forms import ShipForm
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


def ship_form_context(context: Context) -> dict[str, Any]:
    """The shipment confirmation form: as the operator sent it if it was refused, else empty, dated now."""
    order = context["order"]
    form = context["forms"].get("ship") or ShipForm(order=order,
                                                     initial={"shipped_at": timezone.localtime(context["now"])})
    return {"ship_form": form, "ship_url": order_action_url(order, "ship")}


SECTIONS = [
    Section(name="fulfillment.shipments", slot=Slot.MAIN, position=10,
            template="fulfillment/order_shipments.html", context=shipments_context),
    Section(name="fulfillment.ship", slot=Slot.ACTIONS, position=10,
            template="fulfillment/order_ship_form.html", context=ship_form_context),
]
