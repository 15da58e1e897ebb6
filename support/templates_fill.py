"""Fill reply templates with the facts of the order: only the known placeholders, never attribute lookups.

``str.format`` would let a template reach ``{order_id.__class__}``; here a placeholder is a plain name from a
fixed list, replaced by text, and anything else in braces is left as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fulfillment.carriers import tracking_url
from fulfillment.models import Shipment
from orders.models import Order

from .models import MessageThread

PLACEHOLDERS = ("buyer_name", "order_id", "tracking_url")
PLACEHOLDER_RE = re.compile(r"\{(" + "|".join(PLACEHOLDERS) + r")\}")

@dataclass(frozen=True)
class Filled:
    text: str
    missing: tuple[str, ...]  # placeholders the order could not fill (no order, no tracking yet)


def shipment_tracking_url(shipment: Shipment | None) -> str:
    """The shipment's tracking link, exactly as the order page shows it (``fulfillment.carriers``)."""
    if shipment is None:
        return ""
    return tracking_url(carrier=shipment.carrier, number=shipment.tracking_number)


def _latest_shipment(order: Order | None) -> Shipment | None:
    if order is None:
        return None
    shipments = sorted(order.shipments.all(), key=lambda s: (s.shipped_at, s.pk))
    return shipments[-1] if shipments else None


def template_values(*, thread: MessageThread, order: Order | None) -> dict[str, str]:
    buyer = (order.buyer_name if order is not None and order.buyer_name else thread.buyer_name) or ""
    return {
        "buyer_name": buyer.strip(),
        "order_id": order.amazon_order_id if order is not None else "",
        "tracking_url": shipment_tracking_url(_latest_shipment(order)),
    }


def fill(body: str, values: dict[str, str]) -> Filled:
    """Replace each known placeholder with its value; a placeholder without a value stays visible."""
    missing: list[str] = []

    def replace(match: re.Match[str]) -> str:
        value = values.get(match.group(1), "")
        if not value:
            if match.group(1) not in missing:
                missing.append(match.group(1))
            return match.group(0)
        return value

    return Filled(PLACEHOLDER_RE.sub(replace, body), tuple(missing))


def template_fill(body: str, *, thread: MessageThread, order: Order | None) -> Filled:
    return fill(body, template_values(thread=thread, order=order))
