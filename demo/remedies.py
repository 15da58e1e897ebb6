"""The demo's parcels that went astray: one with a trace open at its carrier, one replaced at no charge; and the
store's own days of silence for its slower consolidator line.

Made through the services themselves (``fulfillment.remedies``), after the histories are written, from the oldest
undelivered parcels of the first store that the seller shipped and tracked.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from core.models import Store
from fulfillment.models import Carrier, Shipment
from fulfillment.remedies import carrier_trace_file, shipment_replace
from fulfillment.silence import carrier_days_set
from fulfillment.tracking import tracking_validate
from listings.services import stock_adjust


def demo_carrier_days(*, store: Store, actor) -> None:
    """``store`` allows its 4PX line nine days of silence (the table's seven are too few for its route): its
    silent 4PX parcel, quiet for longer, stays at risk, and the page of days shows one of the store's own."""
    carrier_days_set(store=store, days={Carrier.FOURPX: 9}, actor=actor)


def demo_delivery_remedies(*, store: Store, now: datetime, actor) -> list[int]:
    """File a trace for one stuck parcel of ``store`` and replace another; return the orders' ids."""
    stuck = list(Shipment.objects.filter(
        store=store, order__fulfillment_channel="MFN", amazon_shipment_id="", delivered_at__isnull=True,
        replacement_of__isnull=True, shipped_at__lte=now - timedelta(days=6)).exclude(tracking_number="")
        .select_related("order").order_by("shipped_at", "id")[:2])
    if len(stuck) < 2:
        return []
    traced, replaced = stuck
    carrier_trace_file(shipment=traced, reference=f"MM{traced.order.amazon_order_id[-7:]}",
                       filed_at=now - timedelta(days=1), note="No scan since the first; buyer asked where it is.",
                       actor=actor, source="demo")
    for item in replaced.items.select_related("order_item__listing"):
        listing = item.order_item.listing
        if listing is not None and listing.quantity_available < item.quantity:
            # The demo's stock is whatever the history left: top it up so the replacement can leave.
            stock_adjust(listing=listing, available=item.quantity, note="Demo: stock for a replacement",
                         at=now - timedelta(hours=3))
    # A well-formed UPS number of its own (not the lost parcel's).
    number = next(n for n in ("1Z12345E6605272234", "1Z999AA10123456784") if n != replaced.tracking_number)
    shipment_replace(shipment=replaced, carrier="UPS", tracking_number=number, shipped_at=now - timedelta(hours=2),
                     accept_malformed=tracking_validate(carrier="UPS", number=number).is_malformed, actor=actor,
                     source="demo")
    return [traced.order_id, replaced.order_id]
