"""Shipment confirmation of many orders from the queue, each in its own transaction (``orders.bulk``)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.contrib.auth.models import User
from django.utils.translation import gettext as _

from orders.bulk import BulkOutcome, bulk_apply
from orders.models import Order

from .services import order_ship


def bulk_ship(*, orders: Iterable[Order], user: User, carrier: str, carrier_name: str,
              tracking_numbers: dict[int, str], shipped_at: datetime | None = None) -> list[BulkOutcome]:
    """Ship every unit still owed on each order with its own tracking number."""
    def ship(order: Order) -> str:
        shipment = order_ship(order=order, carrier=carrier, carrier_name=carrier_name,
                              tracking_number=tracking_numbers.get(order.pk, ""), shipped_at=shipped_at,
                              actor=user, source="ui")
        return _("Shipped with %(carrier)s %(number)s.") % {
            "carrier": shipment.carrier_label, "number": shipment.tracking_number}

    return bulk_apply(orders=orders, user=user, permission="order.ship", action=ship)
