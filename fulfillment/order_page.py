"""What fulfillment shows on an order's page (``orders.sections``): its shipments with their carrier events and the
form that records one, and the form that confirms a shipment."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context
from django.utils import timezone

from orders.sections import Section, Slot
from orders.views import order_action_url

from .carrier_status import STATUS_TONES
from .forms import CarrierEventForm, ShipForm
from .models import CarrierEvent, ShipmentItem
from .tracking import tracking_url

#: Carrier events shown open under a parcel; the earlier ones fold away.
EVENTS_SHOWN = 3


def shipments_context(context: Context) -> dict[str, Any]:
    """The order's shipments, oldest first, each with its carrier's tracking link, its units and its carrier
    events (latest first); the form that records an event, for those who may."""
    order = context["order"]
    shipments = sorted(order.shipments.all(), key=lambda s: (s.shipped_at, s.pk))
    # The order page loads the shipments; their units and their events come in one more query each, whatever
    # their number.
    prefetch_related_objects(shipments, Prefetch(
        "items", queryset=ShipmentItem.objects.select_related("order_item").order_by("id")), Prefetch(
        "carrier_events", queryset=CarrierEvent.objects.order_by("-at", "-id"), to_attr="events_latest_first"))
    rows = []
    for s in shipments:
        events = [{"event": e, "tone": STATUS_TONES.get(e.status, "quiet")} for e in s.events_latest_first]
        rows.append({"shipment": s, "url": tracking_url(carrier=s.carrier, number=s.tracking_number),
                     "items": s.items.all(), "events": events[:EVENTS_SHOWN], "earlier": events[EVENTS_SHOWN:]})
    track_form = None
    if context["can"].get("track"):
        track_form = context["forms"].get("track") or CarrierEventForm(
            order=order, initial={"at": timezone.localtime(context["now"])})
    return {"shipments": rows, "track_form": track_form,
            "track_url": order_action_url(order, "track") if track_form else ""}


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
