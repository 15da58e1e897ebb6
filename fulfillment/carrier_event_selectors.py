"""Reads of carrier events: a shipment's events, newest first, and the shipments a file or the API names by
tracking number."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.db.models.functions import Upper

from core.models import Store

from .models import CarrierEvent, Shipment


def tracking_key(number: str) -> str:
    """A tracking number as it is matched: whatever its case, without spaces."""
    return "".join(number.split()).upper()


def shipments_by_tracking(*, store: Store | int, numbers: Iterable[str]) -> dict[str, Shipment]:
    """The shipment of ``store`` each tracking number names (by ``tracking_key``), with its order.

    Where two shipments carry one number (carriers reuse numbers), the most recently shipped is the one tracked.
    """
    keys = {tracking_key(n) for n in numbers if n.strip()}
    if not keys:
        return {}
    shipments = (Shipment.objects.filter(store=store).annotate(tracking_upper=Upper("tracking_number"))
                 .filter(tracking_upper__in=keys).select_related("order", "store").order_by("shipped_at", "id"))
    return {tracking_key(s.tracking_number): s for s in shipments}


def carrier_events_of(*, shipment: Shipment) -> QuerySet[CarrierEvent]:
    """``shipment``'s events, the latest first."""
    return CarrierEvent.objects.filter(shipment=shipment).order_by("-at", "-id")
