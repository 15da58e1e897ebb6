"""The demo store's shipping: its FBA inbound shipments, the seller's parcels with their carrier scans and
deliveries, and Amazon shipping and delivering the FBA orders."""

from __future__ import annotations

import string
from datetime import UTC, datetime, time, timedelta

from fulfillment.models import (
    INBOUND_STATES,
    Carrier,
    InboundShipment,
    InboundShipmentItem,
    InboundStatus,
    Shipment,
    ShipmentItem,
)
from listings.models import StockMovement
from orders.status import order_status_derived

from . import locales
from .context import AFN, HOUR, Kind, Quota, StoreContext, secs
from .fba import FbaHistory
from .listings import Stock, Stockroom
from .tracking import DAY, Tracking, tracking_for
from .writer import Row

FULFILMENT_CENTRES = {
    "US": ("PHX7", "ONT8", "BFI4", "SDF8", "MDW2"),
    "CA": ("YYZ4", "YVR2"),
    "UK": ("LTN1", "BHX4", "MAN1"),
    "DE": ("LEJ1", "FRA3", "MUC3", "DTM2"),
    "FR": ("ORY1", "LYS1"),
    "IT": ("MXP5", "FCO1"),
    "ES": ("MAD4", "BCN1"),
    "JP": ("NRT5", "KIX1", "HND3"),
}


class Fulfillment:
    def __init__(self, ctx: StoreContext, stockroom: Stockroom, fba: FbaHistory) -> None:
        self.ctx, self.stockroom, self.fba = ctx, stockroom, fba
        rng, p = ctx.rng, ctx.profile
        self.q_invalid = Quota(rng, p.invalid_tracking)
        self.q_late_delivery = Quota(rng, p.late_delivery)
        self.tracking = Tracking(ctx)

    def inbound_shipments(self) -> None:
        ctx = self.ctx
        rng, w = ctx.rng, ctx.writer
        afn = self.stockroom.pools[AFN][0]
        if not afn:
            return
        centres = FULFILMENT_CENTRES.get(ctx.store.marketplace, ("FC01",))
        plan = [
            InboundStatus.CLOSED,
            InboundStatus.CLOSED,
            InboundStatus.CLOSED,
            InboundStatus.RECEIVING,
            InboundStatus.SHIPPED,
            InboundStatus.WORKING,
        ]
        for number, status in enumerate(plan, start=1):
            created = ctx.now - timedelta(days=(len(plan) - number) * 12 + rng.uniform(2, 8))
            shipment = w.add(
                InboundShipment,
                store_id=ctx.store.pk,
                shipment_id="FBA15"
                + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(7)),
                name=f"FBA ({created.astimezone(ctx.tz):%d/%m/%Y %H:%M}) - {number}",
                destination_fc=rng.choice(centres),
                status=InboundStatus.WORKING,
                created_at=secs(created),
            )
            # Walked along the table to the planned status, each step stamped with its time.
            if status != InboundStatus.WORKING:
                shipment.carrier = ctx.locale.carrier(rng)
                shipment.tracking_number = locales.TRACKING.get(shipment.carrier, locales.TRACKING["UPS"])(
                    rng
                )
                at = secs(created + timedelta(days=rng.uniform(1, 3)))
                INBOUND_STATES.move(shipment, InboundStatus.SHIPPED, what=shipment.shipment_id, at=at)
            if status in {InboundStatus.RECEIVING, InboundStatus.CLOSED}:
                at = secs(shipment.shipped_at + timedelta(days=rng.uniform(3, 6)))
                INBOUND_STATES.move(shipment, InboundStatus.RECEIVING, what=shipment.shipment_id, at=at)
            if status == InboundStatus.CLOSED:
                at = secs(shipment.receiving_at + timedelta(days=rng.uniform(2, 5)))
                INBOUND_STATES.move(shipment, InboundStatus.CLOSED, what=shipment.shipment_id, at=at)
            for stock in rng.sample(afn, min(len(afn), rng.randint(2, 5))):
                expected = max(10, round(stock.velocity * rng.uniform(15, 40) / 10) * 10)
                received = 0
                if status == InboundStatus.CLOSED:
                    received = expected - (rng.choice((1, 2, 3)) if rng.random() < 0.15 else 0)
                elif status == InboundStatus.RECEIVING:
                    received = round(expected * rng.uniform(0.2, 0.8))
                if status in {InboundStatus.SHIPPED, InboundStatus.RECEIVING}:
                    stock.listing.quantity_inbound += expected - received
                self.fba.record_inbound(stock.listing.id, created=shipment.created_at, shipped=shipment.shipped_at,
                                        receiving=shipment.receiving_at, closed=shipment.closed_at,
                                        expected=expected, received=received)
                w.add(
                    InboundShipmentItem,
                    store_id=ctx.store.pk,
                    inbound_shipment_id=shipment.id,
                    listing_id=stock.listing.id,
                    quantity_expected=expected,
                    quantity_received=received,
                )

    def ship(self, order: Row, items: list[tuple[Row, Stock]], ship_at: datetime) -> None:
        """The seller ships every unit in one parcel; the carrier scans it and delivers it (or not yet)."""
        ctx = self.ctx
        rng, now, w = ctx.rng, ctx.now, ctx.writer
        carrier = ctx.locale.carrier(rng)
        tracking = locales.TRACKING[carrier](rng)
        invalid = self.q_invalid()
        well_formed = True
        if invalid and rng.random() < 0.4:
            tracking, well_formed = tracking[: len(tracking) - rng.randint(2, 4)], False
        first_scan = None if invalid else ctx.after(ship_at, 0.5, 12)
        if first_scan is not None and first_scan > now:
            first_scan = None
        delivered = None
        if first_scan is not None:
            if self.q_late_delivery():
                delivered = ctx.after(order.latest_delivery_date, 3, 60)
                if delivered < first_scan + HOUR:  # shipped after the deliver-by date itself
                    delivered = ctx.after(first_scan, 2, 10)
            else:
                low = max(order.earliest_delivery_date, first_scan + timedelta(hours=6))
                day = ctx.between(low, max(low, order.latest_delivery_date)).astimezone(ctx.tz).date()
                delivered = datetime.combine(
                    day, time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=ctx.tz
                ).astimezone(UTC)
                if delivered < first_scan + HOUR:
                    delivered = ctx.after(first_scan, 2, 10)
            if delivered > now:
                delivered = None
        showcase = self.tracking.showcase_for(order, ship_at)
        if showcase is not None:
            # One of the store's deliveries at risk: its carrier, its scans, not delivered.
            if showcase.carrier:
                carrier, tracking = showcase.carrier, tracking_for(showcase.carrier, self.tracking.rng)
            well_formed, delivered = True, None
            first_scan = secs(ship_at + showcase.steps[1][0] * DAY)
        shipment = w.add(
            Shipment,
            store_id=ctx.store.pk,
            order_id=order.id,
            carrier=carrier,
            ship_method=order.ship_service_level,
            tracking_number=tracking,
            tracking_format_valid=well_formed,
            shipped_at=ship_at,
            first_scan_at=first_scan,
            delivered_at=delivered,
        )
        self.tracking.record(shipment, order, showcase)
        operator = ctx.actors.operator_id
        for item, stock in items:
            w.add(
                ShipmentItem,
                store_id=ctx.store.pk,
                shipment_id=shipment.id,
                order_item_id=item.id,
                quantity=item.quantity,
            )
            if item.quantity_reserved:
                stock.reserved -= item.quantity_reserved
                self.stockroom.move(
                    stock,
                    StockMovement.Reason.CONSUME,
                    ship_at,
                    order,
                    reserved=-item.quantity_reserved,
                    actor_id=operator,
                )
            item.quantity_shipped, item.quantity_reserved = item.quantity, 0
        shipped = order_status_derived(status=order.status, lines=[item for item, _ in items])
        note = f"{Carrier(carrier).label} {tracking}"
        ctx.move_order(order, shipped, Kind.SHIPMENT, ship_at, actor_id=operator, note=note)
        order.shipped_at = ship_at
        if delivered is not None:
            ctx.move_order(order, order_status_derived(status=order.status, delivered=True), Kind.STATUS, delivered)
        order.delivered_at = delivered

    def amazon_ships(self, order: Row, items: list[tuple[Row, Stock]]) -> None:
        """Amazon ships an FBA order within the day and delivers it, sooner when it is Prime."""
        ctx = self.ctx
        ship_at = ctx.after(order.purchase_date, 1, 20)
        if ship_at > ctx.now:
            return
        for item, stock in items:
            item.quantity_shipped = item.quantity
            self.fba.record_shipment(stock.listing.id, ship_at, item.quantity)
        shipped = order_status_derived(status=order.status, lines=[item for item, _ in items])
        ctx.move_order(order, shipped, Kind.STATUS, ship_at)
        order.shipped_at = ship_at
        delivered = ctx.after(ship_at, 10, 40) if order.is_prime else ctx.after(ship_at, 40, 100)
        order.delivered_at = None
        if delivered <= ctx.now:
            ctx.move_order(order, order_status_derived(status=order.status, delivered=True), Kind.STATUS, delivered)
            order.delivered_at = delivered
