"""What fulfillment shows on an order's page (``orders.sections``): its shipments with their carrier events and the
form that records one, the form that confirms a shipment, and the remedies for a parcel that is stuck or lost (a
carrier trace, a replacement)."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, prefetch_related_objects
from django.template import Context
from django.utils import timezone

from core.permissions import request_grants
from orders.sections import Section, Slot
from orders.views import order_action_url

from .carrier_status import STATUS_TONES
from .forms import CarrierEventForm, ReplacementForm, ShipForm, TraceForm, TraceStatusForm
from .models import CARRIER_EXCEPTIONS, TRACE_TRANSITIONS, CarrierEvent, CarrierTrace, Shipment, ShipmentItem
from .remedies import replacement_refusal, trace_facts, trace_refusal
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
    by_id = {s.pk: s for s in shipments}
    replaced = {s.replacement_of_id: s for s in shipments if s.replacement_of_id}
    rows = []
    for s in shipments:
        events = [{"event": e, "tone": STATUS_TONES.get(e.status, "quiet")} for e in s.events_latest_first]
        rows.append({"shipment": s, "url": tracking_url(carrier=s.carrier, number=s.tracking_number),
                     "items": s.items.all(), "events": events[:EVENTS_SHOWN], "earlier": events[EVENTS_SHOWN:],
                     "replaces": by_id.get(s.replacement_of_id) if s.replacement_of_id else None,
                     "replaced_by": replaced.get(s.pk)})
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


def _needs_attention(shipment: Shipment, context: Context) -> bool:
    """Whether the parcel looks stuck: the carrier reported a problem, or the promised delivery date has passed
    (a replacement, sent after that date, is judged by its carrier's events only)."""
    deliver_by = context["order"].latest_delivery_date
    overdue = bool(deliver_by and context["now"] > deliver_by and not shipment.is_replacement)
    return shipment.last_event_status in CARRIER_EXCEPTIONS or overdue


def _bound(context: Context, action: str, matches) -> Any:
    form = context["forms"].get(action)
    return form if form is not None and matches(form) else None


def remedies_context(context: Context) -> dict[str, Any]:
    """The order's seller-shipped parcels a trace may be filed for or a replacement sent for (with their forms),
    and the traces filed; nothing at all for an order Amazon ships or one not shipped yet."""
    order = context["order"]
    shipments = sorted((s for s in order.shipments.all() if not s.amazon_shipment_id), key=lambda s: (s.shipped_at,
                                                                                                      s.pk))
    if not order.is_mfn or not shipments:
        return {"traces": [], "trace_blocks": [], "replacement_blocks": []}
    prefetch_related_objects(shipments, Prefetch(
        "items", queryset=ShipmentItem.objects.select_related("order_item").order_by("id")))
    traces = list(CarrierTrace.objects.filter(shipment__in=shipments).select_related("actor", "shipment")
                  .order_by("-filed_at", "-id"))
    grants = request_grants(context["request"])
    can_trace = grants.can("shipment.trace", order.store_id)
    can_replace = grants.can("shipment.replace", order.store_id)
    open_traces = {t.shipment_id: t for t in traces if t.is_open}
    replaced = {s.replacement_of_id: s for s in shipments if s.replacement_of_id}
    open_form = context.get("open_form", "")
    trace_blocks, replacement_blocks = [], []
    for s in shipments:
        attention = _needs_attention(s, context)
        if can_trace and not trace_refusal(shipment=s, open_trace=open_traces.get(s.pk)):
            form = _bound(context, "trace", lambda f, s=s: f.parcel.pk == s.pk) or TraceForm(shipment=s)
            trace_blocks.append({"shipment": s, "form": form, "facts": trace_facts(shipment=s, items=s.items.all()),
                                 "open": attention or form.is_bound})
        if can_replace and not replacement_refusal(shipment=s, replaced_by=replaced.get(s.pk)):
            form = (_bound(context, "replacement", lambda f, s=s: f.parcel.pk == s.pk)
                    or ReplacementForm(shipment=s, initial={"shipped_at": timezone.localtime(context["now"])}))
            lost = s.last_event_status in CARRIER_EXCEPTIONS or any(
                t.shipment_id == s.pk and t.status == "lost" for t in traces)
            replacement_blocks.append({"shipment": s, "form": form, "open": lost or form.is_bound,
                                       "replaces": s.replacement_of_id})
    trace_rows = []
    for t in traces:
        form = None
        if can_trace and TRACE_TRANSITIONS[t.status]:
            form = (_bound(context, "trace_status", lambda f, t=t: f.record.pk == t.pk)
                    or TraceStatusForm(trace=t))
        trace_rows.append({"trace": t, "form": form})
    return {"traces": trace_rows, "trace_blocks": trace_blocks, "replacement_blocks": replacement_blocks,
            "open_form": open_form, "trace_url": order_action_url(order, "trace"),
            "trace_status_url": order_action_url(order, "trace-status"),
            "replacement_url": order_action_url(order, "replacement")}


SECTIONS = [
    Section(name="fulfillment.shipments", slot=Slot.MAIN, position=10,
            template="fulfillment/order_shipments.html", context=shipments_context),
    Section(name="fulfillment.ship", slot=Slot.ACTIONS, position=10,
            template="fulfillment/order_ship_form.html", context=ship_form_context),
    # Two cards, #delivery-trace and #delivery-replacement (the deliveries-at-risk queue links both), from one read.
    Section(name="fulfillment.delivery", slot=Slot.MAIN, position=20,
            template="fulfillment/order_delivery.html", context=remedies_context),
]
