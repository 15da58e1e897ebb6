"""Writes to shipments: the seller's shipment confirmation of an order, Amazon's own shipments of FBA orders
(from its reports), and carrier tracking events."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.signals import store_data_changed_send
from core.state import locked
from orders.models import Order
from orders.services import order_set_status, order_ship_prepare, order_ship_record
from orders.status import order_status_derived

from .carrier_status import carrier_event_time_check
from .models import Carrier, CarrierEventStatus, Shipment, ShipmentItem
from .tracking import tracking_validate


@transaction.atomic
def order_ship(*, order: Order, carrier: str, tracking_number: str, shipped_at: datetime | None = None,
               quantities: dict[int, int] | None = None, carrier_name: str = "", ship_method: str = "",
               actor: User | None = None, source: str = "ui") -> Shipment:
    """Confirm a shipment of a seller-fulfilled order: all units still owed, or ``quantities`` by item id.

    Creates the shipment, consumes the shipped units' stock and moves the order to Shipped or
    PartiallyShipped (the order's own rows through ``orders.services``). Returns the shipment.
    """
    plan = order_ship_prepare(order=order, shipped_at=shipped_at, quantities=quantities)
    shipment = shipment_create(order=plan.order, carrier=carrier, carrier_name=carrier_name,
                               tracking_number=tracking_number, ship_method=ship_method,
                               shipped_at=plan.shipped_at, quantities=plan.quantities)
    order_ship_record(plan=plan, actor=actor, source=source,
                      note=f"{shipment.carrier_label} {shipment.tracking_number}".strip())
    return shipment


def shipment_create(*, order: Order, carrier: str, tracking_number: str, shipped_at: datetime,
                    quantities: dict[int, int], carrier_name: str = "", ship_method: str = "",
                    replacement_of: Shipment | None = None) -> Shipment:
    """Create the shipment rows; ``order_ship`` and ``fulfillment.remedies.shipment_replace`` call this, inside
    their transactions."""
    if carrier not in Carrier.values:
        raise ApplicationError(_("Unknown carrier %(carrier)s; choose one of the list or Other with a name.")
                               % {"carrier": carrier})
    if carrier == Carrier.OTHER and not carrier_name.strip():
        raise ApplicationError(_("Name the carrier when choosing Other."))
    tracking_number = (tracking_number or "").strip().replace(" ", "")
    if not tracking_number:
        raise ApplicationError(_("A tracking number is required: shipments without one hurt Valid Tracking Rate."))
    shipment = Shipment.objects.create(
        store_id=order.store_id, order=order, carrier=carrier, carrier_name=carrier_name.strip(),
        ship_method=ship_method, tracking_number=tracking_number, shipped_at=shipped_at,
        tracking_format_valid=tracking_validate(carrier=carrier, number=tracking_number).valid,
        replacement_of=replacement_of,
    )
    ShipmentItem.objects.bulk_create(
        ShipmentItem(store_id=order.store_id, shipment=shipment, order_item_id=pk, quantity=qty)
        for pk, qty in quantities.items()
    )
    return shipment


@dataclass(frozen=True)
class AmazonShipmentData:
    """One parcel Amazon shipped of an order it fulfils, as its shipments report gives it."""

    order_id: int
    amazon_shipment_id: str
    carrier: str
    carrier_name: str
    tracking_number: str
    shipped_at: datetime
    #: Units shipped, by order item id.
    quantities: dict[int, int]
    estimated_arrival_at: datetime | None = None
    fulfillment_center_id: str = ""


@transaction.atomic
def shipments_record_amazon(*, store_id: int, shipments: list[AmazonShipmentData]) -> list[int]:
    """Record many shipments Amazon made of FBA orders at once, with their items; return their ids.

    The caller (a report import) has checked each against its order and the shipments already recorded; the
    units shipped and the order's status are the order's to record (``orders.services``). The rows go in as
    the report importer writes orders (``COPY`` on PostgreSQL): a weekly report of a busy seller holds tens of
    thousands of parcels.
    """
    from core.bulk import insert_rows, reserve_ids

    for data in shipments:
        if data.carrier not in Carrier.values:
            raise ApplicationError(_("Unknown carrier %(carrier)s; choose one of the list or Other with a name.")
                                   % {"carrier": data.carrier})
        if not data.amazon_shipment_id or not data.quantities or min(data.quantities.values()) < 1:
            raise ApplicationError(_("Amazon's shipment %(id)s has no units.") % {"id": data.amazon_shipment_id})
    ids = reserve_ids(Shipment, len(shipments))
    insert_rows(Shipment, [
        {"id": pk, "store_id": store_id, "order_id": data.order_id, "carrier": data.carrier,
         "carrier_name": data.carrier_name, "tracking_number": data.tracking_number, "shipped_at": data.shipped_at,
         "tracking_format_valid": (tracking_validate(carrier=data.carrier, number=data.tracking_number).valid
                                   if data.tracking_number else None),
         "amazon_shipment_id": data.amazon_shipment_id, "fulfillment_center_id": data.fulfillment_center_id,
         "estimated_arrival_at": data.estimated_arrival_at}
        for pk, data in zip(ids, shipments, strict=True)])
    items = [{"store_id": store_id, "shipment_id": pk, "order_item_id": item_pk, "quantity": qty}
             for pk, data in zip(ids, shipments, strict=True) for item_pk, qty in data.quantities.items()]
    for row, pk in zip(items, reserve_ids(ShipmentItem, len(items)), strict=True):
        row["id"] = pk
    insert_rows(ShipmentItem, items)
    return ids


@transaction.atomic
def shipment_record_tracking(*, shipment: Shipment, first_scan_at: datetime | None = None,
                             delivered_at: datetime | None = None, source: str = "carrier") -> Shipment:
    """Record the carrier's first scan and delivery; once every shipment is delivered (or replaced by another
    shipment), so is the order."""
    shipment = locked(shipment)
    now = timezone.now()
    # The one rule of when a carrier event may lie (``carrier_status``): a scan and a delivery are carrier-handled.
    reported: tuple[tuple[datetime | None, str], ...] = (
        (first_scan_at, CarrierEventStatus.IN_TRANSIT), (delivered_at, CarrierEventStatus.DELIVERED))
    for value, status in reported:
        if value is not None:
            carrier_event_time_check(at=value, status=status, shipped_at=shipment.shipped_at, now=now)
    if first_scan_at is not None:
        shipment.first_scan_at = first_scan_at
    if delivered_at is not None:
        shipment.delivered_at = delivered_at
        # A delivery is also a scan: the parcel was in the carrier's hands.
        shipment.first_scan_at = shipment.first_scan_at or delivered_at
    if shipment.first_scan_at and shipment.delivered_at and shipment.delivered_at < shipment.first_scan_at:
        raise ApplicationError(_("The delivery cannot come before the first scan."))
    shipment.save(update_fields=["first_scan_at", "delivered_at"])
    order = shipment.order
    if delivered_at is not None:
        status = order_status_derived(status=order.status,
                                      delivered=not order.shipments.filter(delivered_at__isnull=True,
                                                                           replacement__isnull=True).exists())
        if status != order.status:
            order_set_status(order=order, status=status, source=source, at=delivered_at)
    store_data_changed_send(store_id=shipment.store_id)
    return shipment
