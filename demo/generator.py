"""One demo store's operations over ``days`` days ending at ``now``: listings, stock, orders, after-sale.

Rows are left exactly as the services would leave them (statuses, events, stock movements, reservations),
but built in memory and written in bulk. Every random choice comes from the store's own ``random.Random``,
and every instant is derived from ``now``, so a seed and an instant always give the same data.
"""

from __future__ import annotations

import heapq
import random
import string
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from core.models import Store
from fulfillment.models import (
    Carrier,
    InboundShipment,
    InboundShipmentItem,
    InboundStatus,
    Shipment,
    ShipmentItem,
)
from listings.models import Channel, Listing, StockMovement
from orders.models import CancelInitiator, Order, OrderEvent, OrderItem, OrderStatus
from orders.risk import risk_flags
from returns.models import (
    SELLER_FAULT_REASONS,
    Disposition,
    Refund,
    ReturnReason,
    ReturnRequest,
    ReturnStatus,
)
from support.models import Claim, Feedback, Message, MessageThread

from . import catalog, locales
from .writer import Row, Writer

HOUR = timedelta(hours=1)
CENT = Decimal("0.01")
DAY = timedelta(days=1)
S = OrderStatus
Kind = OrderEvent.Kind
MFN, AFN = Channel.MFN.value, Channel.AFN.value

#: Relative order volume by local hour of the day and by weekday (Monday first).
HOURLY = (
    0.35,
    0.22,
    0.15,
    0.12,
    0.12,
    0.18,
    0.35,
    0.6,
    0.8,
    0.95,
    1.0,
    1.05,
    1.1,
    1.05,
    1.0,
    1.0,
    1.05,
    1.1,
    1.2,
    1.35,
    1.45,
    1.4,
    1.05,
    0.65,
)
WEEKDAY = (1.02, 0.98, 0.97, 0.96, 0.92, 1.04, 1.13)
ORDER_ID_PREFIXES = {
    "US": ("111", "112", "113", "114"),
    "CA": ("701", "702"),
    "UK": ("202", "203", "204", "205"),
    "DE": ("302", "303", "304", "305", "306"),
    "FR": ("402", "403", "404", "405"),
    "IT": ("406", "407"),
    "ES": ("408", "171"),
    "JP": ("249", "250", "503"),
}
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
SELLER_CANCEL_REASONS = (
    "Out of stock",
    "Out of stock",
    "Out of stock",
    "Item damaged in the warehouse",
    "Pricing error",
)
BUYER_CANCEL_REASONS = ("Buyer changed their mind", "Ordered by mistake", "Found a better price")
SYSTEM_CANCEL_REASONS = ("Payment could not be authorised", "Order flagged by Amazon fraud prevention")
REJECT_IN_POLICY = ("Item shows signs of use", "Original packaging missing")
CLAIM_REASONS = ("Item not received", "Item not as described", "Item damaged or defective")
CHARGEBACK_REASONS = ("Unauthorised transaction", "Merchandise not received")


@dataclass(frozen=True)
class Profile:
    """How well a store operates: the share of rows that go wrong, per metric."""

    late_ship: float
    late_ship_recent: float  # ship-by in the last 10 days: a store can be slipping now
    cancel_seller: float
    cancel_system: float
    invalid_tracking: float
    late_delivery: float
    negative_feedback: float  # share of feedback with 1 or 2 stars
    a_to_z: float
    chargeback: float
    late_reply: float
    late_reply_recent: float  # first messages of the last 8 days
    never_reply: float
    return_bad: float
    cancel_buyer: float = 0.012
    feedback: float = 0.10
    feedback_removed: float = 0.12
    returns: float = 0.05
    threads: float = 0.12
    out_of_stock_listing: bool = False


HEALTHY = Profile(
    late_ship=0.007,
    late_ship_recent=0.007,
    cancel_seller=0.003,
    cancel_system=0.001,
    invalid_tracking=0.008,
    late_delivery=0.008,
    negative_feedback=0.05,
    a_to_z=0.0003,
    chargeback=0.0001,
    late_reply=0.008,
    late_reply_recent=0.0,
    never_reply=0.002,
    return_bad=0.025,
    feedback_removed=0.15,
)
#: Slipping lately: LSR red over 10 days and amber over 30, ODR in the warning band.
STRUGGLING = Profile(
    late_ship=0.026,
    late_ship_recent=0.05,
    cancel_seller=0.006,
    cancel_system=0.002,
    invalid_tracking=0.02,
    late_delivery=0.015,
    negative_feedback=0.07,
    a_to_z=0.0011,
    chargeback=0.0005,
    late_reply=0.04,
    late_reply_recent=0.06,
    never_reply=0.008,
    return_bad=0.055,
    feedback_removed=0.08,
    out_of_stock_listing=True,
)


class Quota:
    """Pick about ``rate`` of a stream, evenly: any run of n draws holds close to ``rate × n`` hits."""

    def __init__(self, rng: random.Random, rate: float) -> None:
        self.rng, self.rate, self.level = rng, rate, rng.random()

    def __call__(self) -> bool:
        self.level += self.rate
        if self.level >= 1:
            self.level -= 1 + (self.rng.random() - 0.5) * 0.5
            return True
        return False


def _start_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def _end_of_day(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=tz).astimezone(UTC)


def _add_business_days(day: date, n: int) -> date:
    while n > 0:
        day += timedelta(days=1)
        if day.weekday() < 5:
            n -= 1
    return day


def _secs(dt: datetime) -> datetime:
    return dt.replace(microsecond=0)


@dataclass(eq=False)
class _Stock:
    """A listing's stock as the generator walks through time."""

    listing: Row
    category: str
    velocity: float  # units a day
    safety: int
    available: int = 0
    reserved: int = 0
    credits: list[tuple[datetime, int]] = field(default_factory=list)  # units coming back to available later
    dry_at: datetime | None = None

    def settle(self, at: datetime) -> None:
        while self.credits and self.credits[0][0] <= at:
            self.available += heapq.heappop(self.credits)[1]


@dataclass(frozen=True)
class Actors:
    operator_id: int | None = None
    agent_id: int | None = None
    agent_email: str = ""


class StoreGenerator:
    def __init__(
        self,
        *,
        store: Store,
        profile: Profile,
        orders: int,
        days: int,
        seed: int,
        now: datetime,
        writer: Writer,
        actors: Actors,
    ) -> None:
        self.store, self.profile, self.n_orders, self.days = store, profile, orders, days
        self.now, self.writer, self.actors = _secs(now.astimezone(UTC)), writer, actors
        self.start = self.now - timedelta(days=days)
        self.rng = random.Random(f"sellerops-demo:{seed}:{store.code}")
        self.tz = ZoneInfo(store.timezone)
        self.market = store.marketplace_info
        self.locale = locales.LOCALES[store.marketplace]
        self.lang = self.locale.language
        self.relay_domain = f"marketplace.{self.market.domain}"
        self.seller_address = f"orders@{store.code.lower()}.example.com"
        self.order_ids: set[str] = set()
        self.message_seq = 0
        rng = self.rng
        p = profile
        self.q_late = Quota(rng, p.late_ship)
        self.q_late_recent = Quota(rng, p.late_ship_recent)
        self.q_cancel_seller = Quota(rng, p.cancel_seller)
        self.q_cancel_system = Quota(rng, p.cancel_system)
        self.q_invalid = Quota(rng, p.invalid_tracking)
        self.q_late_delivery = Quota(rng, p.late_delivery)
        # ODR is judged per channel, so each channel gets its own even share of defects.
        self.q_negative = {c: Quota(rng, p.feedback * p.negative_feedback) for c in (MFN, AFN)}
        self.q_a_to_z = {c: Quota(rng, p.a_to_z) for c in (MFN, AFN)}
        self.q_chargeback = {c: Quota(rng, p.chargeback) for c in (MFN, AFN)}
        self.q_late_reply = Quota(rng, p.late_reply)
        self.q_late_reply_recent = Quota(rng, p.late_reply_recent)
        self.q_never_reply = Quota(rng, p.never_reply)
        self.q_return_bad = Quota(rng, p.return_bad)

    # ---------------------------------------------------------------------------------------------- setup
    def run(self) -> list[Listing]:
        """Generate everything; return the store's listings with their final stock (to be saved)."""
        self._listings()
        self._inbound_shipments()
        for purchase in self._purchase_times():
            self._order(purchase)
            self.writer.maybe_flush()
        listings = []
        for stock in self.stocks:
            stock.settle(self.now)
            row = stock.listing
            listings.append(
                Listing(
                    id=row.id,
                    quantity_available=stock.available,
                    quantity_reserved=stock.reserved,
                    quantity_inbound=row.quantity_inbound,
                    safety_stock=row.safety_stock,
                )
            )
        return listings

    def _listings(self) -> None:
        rng, store = self.rng, self.store
        variants = catalog.variants(self.lang)
        count = max(16, min(len(variants), round(self.n_orders / 60)))
        chosen = rng.sample(variants, count)
        n_afn = round(count * 0.4)
        orders_per_day = self.n_orders / self.days
        self.stocks: list[_Stock] = []
        pools: dict[str, list[tuple[_Stock, float]]] = {MFN: [], AFN: []}
        for index, variant in enumerate(chosen):
            channel = AFN if index < n_afn else MFN
            popularity = 1 / (index - (0 if channel == AFN else n_afn) + 1.5) ** 0.9
            status = Listing.Status.ACTIVE
            if index == count - 1:
                status = Listing.Status.INACTIVE
            elif index == count - 2 and count > 20:
                status = Listing.Status.SUPPRESSED
            bullets = list(catalog.BULLETS.get(self.lang, catalog.BULLETS["en"]))
            created = _secs(self.start - timedelta(days=rng.uniform(30, 400)))
            listing = self.writer.add(
                Listing,
                store_id=store.pk,
                created_at=created,
                updated_at=created,
                sku=variant.sku,
                asin=variant.asin,
                title=variant.title,
                brand=variant.product.brand,
                fnsku=("X00" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(7)))
                if channel == AFN
                else "",
                bullets=bullets[: rng.randint(3, 4)],
                description=variant.title,
                price=catalog.price(variant.product.usd, store.currency, rng),
                currency=store.currency,
                fulfillment_channel=channel,
                status=status,
                lead_time_days=rng.choice((14, 21, 30, 45)),
            )
            stock = _Stock(listing=listing, category=variant.product.category, velocity=0.0, safety=0)
            self.stocks.append(stock)
            pools[channel].append((stock, popularity))
        afn_share = 0.4
        self.pools: dict[str, tuple[list[_Stock], list[float]]] = {}
        for channel, pool in pools.items():
            total = sum(w for _, w in pool)
            share = afn_share if channel == AFN else 1 - afn_share
            cumulative, running = [], 0.0
            for stock, weight in pool:
                stock.velocity = orders_per_day * share * weight / total * 1.25
                stock.safety = max(3, round(stock.velocity * rng.uniform(5, 10)))
                stock.listing.safety_stock = stock.safety
                running += weight
                cumulative.append(running)
            self.pools[channel] = ([s for s, _ in pool], cumulative)
        self.writer.flush(Listing)
        opening = self.start - DAY
        for stock in self.stocks:
            if stock.listing.fulfillment_channel == AFN:
                stock.available = max(5, round(stock.velocity * rng.uniform(20, 60)))
            else:
                self._receive(stock, opening, note="Opening stock")
        if self.profile.out_of_stock_listing:
            mfn = self.pools[MFN][0]
            mfn[min(3, len(mfn) - 1)].dry_at = self.now - timedelta(hours=rng.uniform(36, 52))

    def _receive(self, stock: _Stock, at: datetime, *, note: str) -> None:
        quantity = max(10, round(stock.velocity * self.rng.uniform(14, 30)))
        stock.available += quantity
        self.writer.add(
            StockMovement,
            store_id=self.store.pk,
            listing_id=stock.listing.id,
            reason=StockMovement.Reason.RECEIVE,
            available_delta=quantity,
            actor_id=self.actors.operator_id,
            note=note,
            at=at,
        )

    def _inbound_shipments(self) -> None:
        rng, w = self.rng, self.writer
        afn = self.pools[AFN][0]
        if not afn:
            return
        centres = FULFILMENT_CENTRES.get(self.store.marketplace, ("FC01",))
        plan = [
            InboundStatus.CLOSED,
            InboundStatus.CLOSED,
            InboundStatus.CLOSED,
            InboundStatus.RECEIVING,
            InboundStatus.SHIPPED,
            InboundStatus.WORKING,
        ]
        for number, status in enumerate(plan, start=1):
            created = self.now - timedelta(days=(len(plan) - number) * 12 + rng.uniform(2, 8))
            shipment = w.add(
                InboundShipment,
                store_id=self.store.pk,
                shipment_id="FBA15"
                + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(7)),
                name=f"FBA ({created.astimezone(self.tz):%d/%m/%Y %H:%M}) - {number}",
                destination_fc=rng.choice(centres),
                status=status,
                created_at=_secs(created),
            )
            if status != InboundStatus.WORKING:
                shipment.carrier = self.locale.carrier(rng)
                shipment.tracking_number = locales.TRACKING.get(shipment.carrier, locales.TRACKING["UPS"])(
                    rng
                )
                shipment.shipped_at = _secs(created + timedelta(days=rng.uniform(1, 3)))
            if status in {InboundStatus.RECEIVING, InboundStatus.CLOSED}:
                shipment.receiving_at = _secs(shipment.shipped_at + timedelta(days=rng.uniform(3, 6)))
            if status == InboundStatus.CLOSED:
                shipment.closed_at = _secs(shipment.receiving_at + timedelta(days=rng.uniform(2, 5)))
            for stock in rng.sample(afn, min(len(afn), rng.randint(2, 5))):
                expected = max(10, round(stock.velocity * rng.uniform(15, 40) / 10) * 10)
                received = 0
                if status == InboundStatus.CLOSED:
                    received = expected - (rng.choice((1, 2, 3)) if rng.random() < 0.15 else 0)
                elif status == InboundStatus.RECEIVING:
                    received = round(expected * rng.uniform(0.2, 0.8))
                if status in {InboundStatus.SHIPPED, InboundStatus.RECEIVING}:
                    stock.listing.quantity_inbound += expected - received
                w.add(
                    InboundShipmentItem,
                    store_id=self.store.pk,
                    inbound_shipment_id=shipment.id,
                    listing_id=stock.listing.id,
                    quantity_expected=expected,
                    quantity_received=received,
                )

    def _purchase_times(self) -> list[datetime]:
        """``n_orders`` sorted instants following the local daily and weekly rhythm and a gentle growth."""
        rng, tz, start, now = self.rng, self.tz, self.start, self.now
        span = (now - start).total_seconds()
        buckets: list[tuple[datetime, datetime, float]] = []
        noise: dict[date, float] = {}
        t = start
        while t < now:
            end = min(t + HOUR, now)
            local = (t + (end - t) / 2).astimezone(tz)
            day = local.date()
            if day not in noise:
                noise[day] = rng.lognormvariate(0, 0.12)
            trend = 0.85 + 0.3 * (t - start).total_seconds() / span
            weight = (
                HOURLY[local.hour]
                * WEEKDAY[local.weekday()]
                * noise[day]
                * trend
                * (end - t).total_seconds()
                / 3600
            )
            buckets.append((t, end, weight))
            t = end
        total = sum(b[2] for b in buckets)
        times, index, before = [], 0, 0.0
        for k in range(self.n_orders):
            target = (k + rng.random()) / self.n_orders * total
            while index < len(buckets) - 1 and before + buckets[index][2] < target:
                before += buckets[index][2]
                index += 1
            b_start, b_end, weight = buckets[index]
            fraction = min(max((target - before) / weight, 0.0), 0.999)
            times.append(_secs(b_start + (b_end - b_start) * fraction))
        return times

    # ---------------------------------------------------------------------------------------------- helpers
    def _order_id(self) -> str:
        prefixes = ORDER_ID_PREFIXES.get(self.store.marketplace, ("111",))
        while True:
            value = (
                f"{self.rng.choice(prefixes)}-{self.rng.randrange(10**7):07d}-{self.rng.randrange(10**7):07d}"
            )
            if value not in self.order_ids:
                self.order_ids.add(value)
                return value

    def _between(self, low: datetime, high: datetime) -> datetime:
        if high <= low:
            return low
        return _secs(low + (high - low) * self.rng.random())

    def _after(self, at: datetime, low_hours: float, high_hours: float) -> datetime:
        return _secs(at + timedelta(hours=self.rng.uniform(low_hours, high_hours)))

    def _event(
        self,
        order: Row,
        kind: str,
        at: datetime,
        *,
        old: str = "",
        new: str = "",
        note: str = "",
        actor_id: int | None = None,
    ) -> None:
        self.writer.add(
            OrderEvent,
            store_id=self.store.pk,
            order_id=order.id,
            kind=kind,
            from_status=old,
            to_status=new,
            actor_id=actor_id,
            source="demo",
            note=note,
            at=at,
        )
        if at > order.last_update_date:
            order.last_update_date = at

    def _move(
        self,
        stock: _Stock,
        reason: str,
        at: datetime,
        order: Row | None,
        *,
        available: int = 0,
        reserved: int = 0,
        actor_id: int | None = None,
        note: str = "",
    ) -> None:
        self.writer.add(
            StockMovement,
            store_id=self.store.pk,
            listing_id=stock.listing.id,
            reason=reason,
            available_delta=available,
            reserved_delta=reserved,
            order_id=order.id if order else None,
            actor_id=actor_id,
            note=note,
            at=at,
        )

    def _reserve(self, stock: _Stock, quantity: int, at: datetime, order: Row) -> int:
        stock.settle(at)
        if stock.dry_at is not None and at >= stock.dry_at:
            if stock.available:
                self._move(
                    stock,
                    StockMovement.Reason.ADJUST,
                    stock.dry_at,
                    None,
                    available=-stock.available,
                    actor_id=self.actors.operator_id,
                    note="Stock count: units damaged, written off",
                )
                stock.available = 0
        elif stock.available - quantity < stock.safety / 2:
            self._receive(
                stock,
                max(self.start, at - timedelta(hours=self.rng.uniform(1, 8))),
                note=f"Purchase order PO-{self.rng.randint(10000, 99999)} received",
            )
        reserved = min(quantity, stock.available)
        if reserved:
            stock.available -= reserved
            stock.reserved += reserved
            self._move(stock, StockMovement.Reason.RESERVE, at, order, available=-reserved, reserved=reserved)
        return reserved

    # ---------------------------------------------------------------------------------------------- orders
    def _order(self, purchase: datetime) -> None:
        rng, locale, tz, now = self.rng, self.locale, self.tz, self.now
        channel = AFN if rng.random() < 0.4 else MFN
        pool, cumulative = self.pools[channel]
        if not pool:
            channel = MFN if channel == AFN else AFN
            pool, cumulative = self.pools[channel]
        lines: list[_Stock] = []
        for _ in range(rng.choices((1, 2, 3), (0.78, 0.17, 0.05))[0]):
            stock = rng.choices(pool, cum_weights=cumulative)[0]
            if stock not in lines:
                lines.append(stock)
        business = rng.random() < (0.03 if self.store.marketplace == "JP" else 0.08)
        mfn = channel == MFN

        # Service level, ship-by and deliver-by windows, in the marketplace's local days.
        if mfn:
            category = rng.choices(
                ("Standard", "Expedited", "SecondDay", "NextDay"), (0.74, 0.18, 0.05, 0.03)
            )[0]
            prime = category in {"SecondDay", "NextDay"} and rng.random() < 0.6
            handling = 1 if prime or rng.random() < 0.55 else 2
            transit = locale.transit_days.get(category, (3, 5))
        else:
            prime = rng.random() < 0.72
            category = (
                rng.choices(("SecondDay", "NextDay", "Expedited"), (0.6, 0.25, 0.15))[0]
                if prime
                else "Standard"
            )
            handling = 1
            transit = (1, 2) if prime else (2, 4)
        local_day = purchase.astimezone(tz).date()
        ship_day = _add_business_days(local_day, handling)
        latest_ship = _end_of_day(ship_day, tz)
        earliest_delivery = _start_of_day(_add_business_days(ship_day, transit[0]), tz)
        latest_delivery = _end_of_day(_add_business_days(ship_day, transit[1]), tz)

        buyer = locale.person(rng)
        line1, line2, city, state, postal = locale.address(rng)
        if business:
            line1, line2 = rng.choice(locale.companies), line1
        if mfn and rng.random() < 0.012:
            line1, line2 = locale.po_box(rng), ""
        elif mfn and rng.random() < 0.006:
            if rng.random() < 0.5:
                postal = ""
            else:
                line1, line2 = "", ""
        status = S.PENDING if now - purchase < timedelta(minutes=20) else S.UNSHIPPED
        order = self.writer.add(
            Order,
            store_id=self.store.pk,
            amazon_order_id=self._order_id(),
            purchase_date=purchase,
            status=status,
            fulfillment_channel=channel,
            sales_channel=f"Amazon.{self.market.domain.split('amazon.', 1)[1]}",
            ship_service_level=f"{locales.SERVICE_NAMES[category]} {locale.service_prefix} Dom",
            shipment_service_level_category=category,
            earliest_ship_date=purchase,
            latest_ship_date=latest_ship,
            earliest_delivery_date=earliest_delivery,
            latest_delivery_date=latest_delivery,
            is_prime=prime,
            is_business_order=business,
            currency=self.store.currency,
            buyer_name=buyer,
            created_at=purchase,
            last_update_date=purchase,
            buyer_email=f"{self._token(15)}@{self.relay_domain}",
            ship_name=buyer if rng.random() < 0.88 else locale.person(rng),
            ship_line1=line1,
            ship_line2=line2,
            ship_city=city,
            ship_state=state,
            ship_postal_code=postal,
            ship_country=locale.country,
        )
        items: list[tuple[Row, _Stock]] = []
        total = Decimal("0")
        short = False
        for stock in lines:
            quantity = rng.choices((1, 2, 3), (0.86, 0.1, 0.04))[0]
            if business and rng.random() < 0.1:
                quantity = rng.randint(10, 12)
            amount = stock.listing.price * quantity
            total += amount
            item = self.writer.add(
                OrderItem,
                store_id=self.store.pk,
                order_id=order.id,
                order_item_id=f"{rng.randrange(10**13, 10**14)}",
                listing_id=stock.listing.id,
                sku=stock.listing.sku,
                asin=stock.listing.asin,
                title=stock.listing.title,
                quantity=quantity,
                item_price=amount,
                currency=self.store.currency,
            )
            if mfn:
                item.quantity_reserved = self._reserve(stock, quantity, purchase, order)
                short = short or item.quantity_reserved < quantity
            items.append((item, stock))
        order.order_total = total
        self._event(order, Kind.CREATED, purchase, new=status)
        if status == S.PENDING:
            self._finish(order, items)
            return
        if mfn:
            self._mfn_lifecycle(order, items, short=short)
        else:
            self._afn_lifecycle(order, items)
        self._finish(order, items)
        self._after_sale(order, items)

    def _token(self, n: int) -> str:
        return "".join(self.rng.choice(string.ascii_lowercase + string.digits) for _ in range(n))

    def _finish(self, order: Row, items: list[tuple[Row, _Stock]]) -> None:
        if order.status == S.CANCELED:
            order.risk_flags = []
            return
        is_open = order.status in {S.PENDING, S.UNSHIPPED, S.CONFIRMED, S.PACKED, S.PARTIALLY_SHIPPED}
        owed = [(i.quantity - i.quantity_shipped, i.quantity_reserved, True) for i, _ in items]
        order.risk_flags = risk_flags(
            channel=order.fulfillment_channel,
            line1=order.ship_line1,
            line2=order.ship_line2,
            city=order.ship_city,
            postal_code=order.ship_postal_code,
            country=order.ship_country,
            items=[i for i in owed if i[0] > 0] if is_open else [],
        )

    def _cancel(
        self, order: Row, items: list[tuple[Row, _Stock]], at: datetime, initiator: str, reason: str
    ) -> None:
        actor = self.actors.operator_id if initiator == CancelInitiator.SELLER else None
        for item, stock in items:
            if order.fulfillment_channel == MFN and item.quantity_reserved:
                stock.reserved -= item.quantity_reserved
                heapq.heappush(stock.credits, (at, item.quantity_reserved))
                self._move(
                    stock,
                    StockMovement.Reason.RELEASE,
                    at,
                    order,
                    available=item.quantity_reserved,
                    reserved=-item.quantity_reserved,
                    actor_id=actor,
                )
                item.quantity_reserved = 0
            if initiator == CancelInitiator.BUYER:
                item.buyer_requested_cancel = True
        old = order.status
        order.status, order.canceled_at = S.CANCELED, at
        order.cancel_initiator, order.cancel_reason = initiator, reason
        if initiator == CancelInitiator.BUYER:
            order.buyer_cancel_requested_at, order.buyer_cancel_reason = at, reason
        self._event(
            order,
            Kind.CANCEL,
            at,
            old=old,
            new=S.CANCELED,
            actor_id=actor,
            note=f"{CancelInitiator(initiator).label}: {reason}",
        )

    def _mfn_lifecycle(self, order: Row, items: list[tuple[Row, _Stock]], *, short: bool) -> None:
        rng, now, purchase = self.rng, self.now, order.purchase_date
        latest_ship = order.latest_ship_date
        seller, system = self.q_cancel_seller(), self.q_cancel_system()
        cancel: tuple[str, datetime, str] | None = None
        if seller:
            window = max(3.0, (latest_ship - purchase).total_seconds() / 3600 * 0.9)
            cancel = (
                CancelInitiator.SELLER,
                self._after(purchase, 2, window),
                rng.choice(SELLER_CANCEL_REASONS),
            )
        elif system:
            cancel = (
                CancelInitiator.SYSTEM,
                self._after(purchase, 0.3, 6),
                rng.choice(SYSTEM_CANCEL_REASONS),
            )
        elif rng.random() < self.profile.cancel_buyer:
            cancel = (CancelInitiator.BUYER, self._after(purchase, 0.2, 18), rng.choice(BUYER_CANCEL_REASONS))
        if cancel is not None:
            initiator, at, reason = cancel
            if at <= now:
                self._cancel(order, items, at, initiator, reason)
            elif initiator == CancelInitiator.BUYER:
                # Asked already, not yet cancelled: what the operator must act on.
                order.buyer_cancel_requested_at = min(now, purchase + timedelta(minutes=20))
                order.buyer_cancel_reason = reason
                for item, _ in items:
                    item.buyer_requested_cancel = True
            return
        recent = latest_ship >= now - timedelta(days=10)
        late = (self.q_late_recent if recent else self.q_late)()
        if short:
            return  # waiting for stock: it stays open, and late once its ship-by passes
        if late and now - timedelta(days=2) <= latest_ship < now:
            return  # overdue and not yet confirmed: what the operator's queue is there to catch
        if late:
            ship_at = self._after(latest_ship, 1, 24 * rng.choice((1, 1, 2, 4)))
        else:
            ship_at = self._between(purchase + timedelta(minutes=30), latest_ship - timedelta(minutes=30))
        confirmed_at = packed_at = None
        if rng.random() < 0.55:
            confirmed_at = self._between(purchase + timedelta(minutes=5), purchase + (ship_at - purchase) / 2)
        if rng.random() < 0.45:
            packed_at = self._between(confirmed_at or purchase, ship_at - timedelta(minutes=5))
        operator = self.actors.operator_id
        if confirmed_at and confirmed_at <= now:
            order.confirmed_at = confirmed_at
            self._event(
                order, Kind.STATUS, confirmed_at, old=order.status, new=S.CONFIRMED, actor_id=operator
            )
            order.status = S.CONFIRMED
        if packed_at and packed_at <= now:
            order.packed_at = packed_at
            self._event(order, Kind.STATUS, packed_at, old=order.status, new=S.PACKED, actor_id=operator)
            order.status = S.PACKED
        if ship_at > now:
            return
        self._ship(order, items, ship_at)

    def _ship(self, order: Row, items: list[tuple[Row, _Stock]], ship_at: datetime) -> None:
        rng, now, w = self.rng, self.now, self.writer
        carrier = self.locale.carrier(rng)
        tracking = locales.TRACKING[carrier](rng)
        invalid = self.q_invalid()
        well_formed = True
        if invalid and rng.random() < 0.4:
            tracking, well_formed = tracking[: len(tracking) - rng.randint(2, 4)], False
        first_scan = None if invalid else self._after(ship_at, 0.5, 12)
        if first_scan is not None and first_scan > now:
            first_scan = None
        delivered = None
        if first_scan is not None:
            if self.q_late_delivery():
                delivered = self._after(order.latest_delivery_date, 3, 60)
            else:
                low = max(order.earliest_delivery_date, first_scan + timedelta(hours=6))
                day = self._between(low, max(low, order.latest_delivery_date)).astimezone(self.tz).date()
                delivered = datetime.combine(
                    day, time(rng.randint(9, 19), rng.randint(0, 59)), tzinfo=self.tz
                ).astimezone(UTC)
                if delivered < first_scan + HOUR:
                    delivered = self._after(first_scan, 2, 10)
            if delivered > now:
                delivered = None
        shipment = w.add(
            Shipment,
            store_id=self.store.pk,
            order_id=order.id,
            carrier=carrier,
            ship_method=order.ship_service_level,
            tracking_number=tracking,
            tracking_format_valid=well_formed,
            shipped_at=ship_at,
            first_scan_at=first_scan,
            delivered_at=delivered,
        )
        operator = self.actors.operator_id
        for item, stock in items:
            w.add(
                ShipmentItem,
                store_id=self.store.pk,
                shipment_id=shipment.id,
                order_item_id=item.id,
                quantity=item.quantity,
            )
            if item.quantity_reserved:
                stock.reserved -= item.quantity_reserved
                self._move(
                    stock,
                    StockMovement.Reason.CONSUME,
                    ship_at,
                    order,
                    reserved=-item.quantity_reserved,
                    actor_id=operator,
                )
            item.quantity_shipped, item.quantity_reserved = item.quantity, 0
        self._event(
            order,
            Kind.SHIPMENT,
            ship_at,
            old=order.status,
            new=S.SHIPPED,
            actor_id=operator,
            note=f"{Carrier(carrier).label} {tracking}",
        )
        order.status = S.SHIPPED
        order.shipped_at = ship_at
        if delivered is not None:
            self._event(order, Kind.STATUS, delivered, old=S.SHIPPED, new=S.DELIVERED)
            order.status = S.DELIVERED
        order.delivered_at = delivered

    def _afn_lifecycle(self, order: Row, items: list[tuple[Row, _Stock]]) -> None:
        rng, now, purchase = self.rng, self.now, order.purchase_date
        if rng.random() < self.profile.cancel_buyer:
            at = self._after(purchase, 0.1, 3)
            if at <= now:
                self._cancel(order, items, at, CancelInitiator.BUYER, rng.choice(BUYER_CANCEL_REASONS))
            return
        ship_at = self._after(purchase, 1, 20)
        if ship_at > now:
            return
        for item, _ in items:
            item.quantity_shipped = item.quantity
        self._event(order, Kind.STATUS, ship_at, old=order.status, new=S.SHIPPED)
        order.status = S.SHIPPED
        order.shipped_at = ship_at
        delivered = self._after(ship_at, 10, 40) if order.is_prime else self._after(ship_at, 40, 100)
        order.delivered_at = None
        if delivered <= now:
            self._event(order, Kind.STATUS, delivered, old=S.SHIPPED, new=S.DELIVERED)
            order.status = S.DELIVERED
            order.delivered_at = delivered

    # ------------------------------------------------------------------------------------------- after-sale
    def _after_sale(self, order: Row, items: list[tuple[Row, _Stock]]) -> None:
        delivered = getattr(order, "delivered_at", None)
        shipped = getattr(order, "shipped_at", None)
        if delivered is not None:
            self._feedback(order, delivered)
            if self.rng.random() < self.profile.returns:
                self._return(order, items, delivered)
        if shipped is not None:
            self._claims(order, delivered)
        if order.status != S.CANCELED and self.rng.random() < self.profile.threads * (
            4 if delivered is None and shipped is not None and order.latest_delivery_date < self.now else 1
        ):
            self._thread(order, items, shipped, delivered)

    def _feedback(self, order: Row, delivered: datetime) -> None:
        rng, p = self.rng, self.profile
        negative = self.q_negative[order.fulfillment_channel]()
        if not negative and rng.random() >= p.feedback * (1 - p.negative_feedback):
            return
        received = self._after(delivered, 6, 24 * min(20, 0.5 + rng.expovariate(1 / 4)))
        if received > self.now:
            return
        if negative:
            rating, tone = rng.choice((1, 1, 2)), "negative"
        else:
            rating = rng.choices((3, 4, 5), (0.06, 0.2, 0.74))[0]
            tone = "neutral" if rating == 3 else "positive"
        feedback = self.writer.add(
            Feedback,
            store_id=self.store.pk,
            order_id=order.id,
            rating=rating,
            received_at=received,
            comment=locales.text(locales.FEEDBACK[tone], self.lang, rng) if rng.random() < 0.8 else "",
        )
        if negative and rng.random() < p.feedback_removed:
            requested = self._after(received, 2, 48)
            if requested <= self.now:
                feedback.removal_requested_at = requested
                removed = self._after(requested, 24, 96)
                feedback.removed_at = removed if removed <= self.now else None
        elif negative and rng.random() < 0.5:
            feedback.response = locales.FEEDBACK_RESPONSE.get(self.lang, locales.FEEDBACK_RESPONSE["en"])

    def _claims(self, order: Row, delivered: datetime | None) -> None:
        rng, now = self.rng, self.now
        channel = order.fulfillment_channel
        counting_claim, counting_chargeback = self.q_a_to_z[channel](), self.q_chargeback[channel]()
        base = delivered or order.latest_delivery_date
        for kind, counting, extra in (
            (Claim.Kind.A_TO_Z, counting_claim, 0.001),
            (Claim.Kind.CHARGEBACK, counting_chargeback, 0.0003),
        ):
            if not counting and rng.random() >= extra:
                continue
            filed = self._after(base, 48, 24 * 20)
            if filed > now:
                continue
            claim = self.writer.add(
                Claim,
                store_id=self.store.pk,
                order_id=order.id,
                kind=kind,
                filed_at=filed,
                respond_by=filed + timedelta(hours=72),
                amount=order.order_total,
                reason=rng.choice(CLAIM_REASONS if kind == Claim.Kind.A_TO_Z else CHARGEBACK_REASONS),
            )
            decided = self._after(filed, 48, 240)
            if decided > now:
                continue  # still open
            if kind == Claim.Kind.CHARGEBACK:
                # The bank decides for the buyer; the seller's representment may reverse it later.
                claim.status, claim.granted_at = Claim.Status.GRANTED, decided
                reversed_at = self._after(decided, 24 * 5, 24 * 30)
                if not counting and reversed_at <= now:
                    claim.status, claim.reversed_at = Claim.Status.REVERSED, reversed_at
            elif counting:
                claim.status, claim.granted_at = Claim.Status.GRANTED, decided
                withdrawn = self._after(decided, 24, 120)
                if rng.random() < 0.15 and withdrawn <= now:
                    claim.status, claim.withdrawn_at = Claim.Status.WITHDRAWN, withdrawn
            elif rng.random() < 0.7:
                claim.status, claim.denied_at = Claim.Status.DENIED, decided
            else:
                claim.status, claim.withdrawn_at = Claim.Status.WITHDRAWN, self._after(filed, 12, 47)

    def _return_event(
        self, order: Row, ret: Row, old: str, at: datetime, note: str = "", *, actor_id: int | None = None
    ) -> None:
        labels = dict(ReturnStatus.choices)
        head = f"Return {ret.sku} × {ret.quantity}: {labels[old] if old else '—'} → {labels[ret.status]}"
        self._event(order, Kind.RETURN, at, note=f"{head}. {note}" if note else head, actor_id=actor_id)

    def _return(self, order: Row, items: list[tuple[Row, _Stock]], delivered: datetime) -> None:
        rng, now, w, operator = self.rng, self.now, self.writer, self.actors.operator_id
        item, stock = rng.choice(items)
        reasons, weights = zip(*catalog.RETURN_REASONS[stock.category], strict=True)
        reason = rng.choices(reasons, weights)[0]
        in_policy = rng.random() < 0.94
        requested = self._after(delivered, 12, 24 * (25 if in_policy else 45))
        if not in_policy:
            requested = max(requested, _secs(delivered + timedelta(days=31)))
        if requested > now:
            return
        bad = self.q_return_bad() if in_policy else False
        how = rng.choices(("late", "rejected", "negative"), (0.5, 0.25, 0.25))[0] if bad else ""
        quantity = item.quantity if item.quantity <= 2 else 1
        ret = w.add(
            ReturnRequest,
            store_id=self.store.pk,
            order_id=order.id,
            order_item_id=item.id,
            sku=item.sku,
            quantity=quantity,
            reason=reason,
            in_policy=in_policy,
            requested_at=requested,
            status=ReturnStatus.REQUESTED,
            amazon_rma_id="D"
            + "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(8))
            + "RMA",
        )
        self._return_event(order, ret, "", requested, str(ReturnReason(reason).label))
        responded = self._after(requested, 49, 110) if how == "late" else self._after(requested, 0.5, 40)
        if responded > now:
            return
        ret.responded_at = last = responded
        if how == "rejected" or not in_policy:
            ret.status, ret.rejected_at = ReturnStatus.REJECTED, responded
            ret.rejected_reason = rng.choice(REJECT_IN_POLICY) if in_policy else "Outside the return window"
            self._return_event(
                order, ret, ReturnStatus.REQUESTED, responded, ret.rejected_reason, actor_id=operator
            )
        else:
            amount = (item.item_price * quantity / item.quantity).quantize(CENT, rounding=ROUND_HALF_UP)
            returnless = amount < 15 * catalog.RATES.get(self.store.currency, 1) and rng.random() < 0.3
            refund_at: datetime | None = responded if returnless else None
            if not returnless:
                ret.status = ReturnStatus.AUTHORIZED
                ret.label_provided = reason in SELLER_FAULT_REASONS
                self._return_event(
                    order,
                    ret,
                    ReturnStatus.REQUESTED,
                    responded,
                    "prepaid label" if ret.label_provided else "no label",
                    actor_id=operator,
                )
                received = self._after(responded, 72, 288)
                if received <= now:
                    ret.status, ret.received_at = ReturnStatus.RECEIVED, received
                    ret.disposition = rng.choices(Disposition.values, (0.6, 0.3, 0.1))[0]
                    if ret.disposition == Disposition.SELLABLE:
                        heapq.heappush(stock.credits, (received, quantity))
                        self._move(
                            stock,
                            StockMovement.Reason.RETURN,
                            received,
                            None,
                            available=quantity,
                            actor_id=operator,
                            note=f"Return on order {order.amazon_order_id}",
                        )
                    self._return_event(
                        order,
                        ret,
                        ReturnStatus.AUTHORIZED,
                        received,
                        str(Disposition(ret.disposition).label),
                        actor_id=operator,
                    )
                    last, refund_at = received, self._after(received, 2, 48)
            if refund_at is not None and refund_at <= now:
                old, ret.status, last = ret.status, ReturnStatus.REFUNDED, refund_at
                kind = Refund.Kind.FULL
                if ret.disposition == Disposition.DAMAGED and rng.random() < 0.3:
                    kind, amount = Refund.Kind.PARTIAL, (amount / 2).quantize(CENT, rounding=ROUND_HALF_UP)
                w.add(
                    Refund,
                    store_id=self.store.pk,
                    order_id=order.id,
                    return_request_id=ret.id,
                    kind=kind,
                    amount=amount,
                    currency=self.store.currency,
                    refunded_at=refund_at,
                    actor_id=operator,
                )
                self._return_event(
                    order,
                    ret,
                    old,
                    refund_at,
                    f"{Refund.Kind(kind).label} {amount} {self.store.currency}",
                    actor_id=operator,
                )
        if ret.status in {ReturnStatus.REFUNDED, ReturnStatus.REJECTED} and rng.random() < 0.3:
            closed = self._after(last, 24, 240)
            if closed <= now:
                old, ret.status, ret.closed_at, last = ret.status, ReturnStatus.CLOSED, closed, closed
                self._return_event(order, ret, old, closed, actor_id=operator)
        if how == "negative":
            at = self._after(last, 24, 120)
            if at <= now:
                ret.negative_feedback_at = at
                self._event(order, Kind.RETURN, at, note=f"Return {ret.sku}: negative feedback")

    def _thread(
        self,
        order: Row,
        items: list[tuple[Row, _Stock]],
        shipped: datetime | None,
        delivered: datetime | None,
    ) -> None:
        rng, now, w = self.rng, self.now, self.writer
        if delivered is not None:
            topics = ["damaged", "return_question"]
            if any(s.category == "apparel" for _, s in items):
                topics += ["return_question"] * 2
            if order.is_business_order:
                topics += ["invoice"] * 3
            topic, first = rng.choice(topics), self._after(delivered, 2, 120)
        elif shipped is not None:
            topic, first = "where_is_order", self._after(shipped, 24, 120)
        else:
            topic = rng.choice(("change_address", "where_is_order"))
            first = self._after(order.purchase_date, 0.5, 20)
        if first > now:
            return
        subject = locales.SUBJECTS.get(self.lang, locales.SUBJECTS["en"]).format(
            buyer=order.buyer_name, order_id=order.amazon_order_id
        )
        thread = w.add(
            MessageThread,
            store_id=self.store.pk,
            order_id=order.id,
            buyer_name=order.buyer_name,
            buyer_email=order.buyer_email,
            subject=subject,
            language=self.lang,
            last_message_at=first,
            created_at=first,
            assigned_to_id=self.actors.agent_id if rng.random() < 0.5 else None,
        )
        body = locales.text(locales.INBOUND[topic], self.lang, rng).format(order_id=order.amazon_order_id)
        inbound = self._message(order, thread, Message.Direction.INBOUND, first, subject, body)
        recent = first >= now - timedelta(days=8)
        if not recent and self.q_never_reply():
            return
        reply_at = (
            self._after(first, 24.05, 60)
            if (self.q_late_reply_recent if recent else self.q_late_reply)()
            else self._after(first, 0.1, 0.2 + 22 * rng.random() ** 3)
        )
        if reply_at > now:
            return
        inbound.replied_at = reply_at
        text = locales.text(locales.OUTBOUND, self.lang, rng).format(
            buyer=order.buyer_name, order_id=order.amazon_order_id
        )
        self._message(order, thread, Message.Direction.OUTBOUND, reply_at, f"Re: {subject}", text)
        thanks = self._after(reply_at, 1, 48)
        if rng.random() < 0.4 and thanks <= now:
            # A thank-you the agent took out of the reply queue.
            self._message(
                order,
                thread,
                Message.Direction.INBOUND,
                thanks,
                f"Re: {subject}",
                locales.text(locales.INBOUND["thanks"], self.lang, rng),
                needs_reply=False,
            )

    def _message(
        self,
        order: Row,
        thread: Row,
        direction: str,
        at: datetime,
        subject: str,
        body: str,
        *,
        needs_reply: bool = True,
    ) -> Row:
        inbound = direction == Message.Direction.INBOUND
        agent = self.actors.agent_id
        if inbound:
            self.message_seq += 1
            message_id = f"<{self.rng.getrandbits(64):016x}.{self.message_seq}@{self.relay_domain}>"
        message = self.writer.add(
            Message,
            store_id=self.store.pk,
            thread_id=thread.id,
            direction=direction,
            message_id=message_id if inbound else "",
            sender=thread.buyer_email if inbound else self.actors.agent_email,
            subject=subject,
            body=body,
            sent_at=at,
            needs_reply=inbound and needs_reply,
            no_reply_needed_by_id=agent if inbound and not needs_reply else None,
            author_id=None if inbound else agent,
        )
        thread.last_message_at = max(thread.last_message_at, at)
        note = "Message from the buyer" if inbound else "Reply to the buyer"
        self._event(
            order, Kind.MESSAGE, at, note=f"{note}: {body[:200]}", actor_id=None if inbound else agent
        )
        return message
