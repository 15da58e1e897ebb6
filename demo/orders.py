"""The demo store's orders: when they are placed, what they hold, their ship-by and deliver-by windows, and
what becomes of them (cancelled, confirmed and packed, shipped, or still open and maybe late)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from listings.models import StockMovement
from orders.models import OPEN_STATUSES, CancelInitiator, Order, OrderItem, units_owed
from orders.risk import risk_flags

from . import locales
from .context import (
    AFN,
    HOUR,
    MFN,
    Kind,
    Quota,
    S,
    StoreContext,
    add_business_days,
    end_of_day,
    secs,
    start_of_day,
)
from .fulfillment import Fulfillment
from .listings import Stock, Stockroom
from .writer import Row

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
SELLER_CANCEL_REASONS = (
    "Out of stock",
    "Out of stock",
    "Out of stock",
    "Item damaged in the warehouse",
    "Pricing error",
)
BUYER_CANCEL_REASONS = ("Buyer changed their mind", "Ordered by mistake", "Found a better price")
SYSTEM_CANCEL_REASONS = ("Payment could not be authorised", "Order flagged by Amazon fraud prevention")

Items = list[tuple[Row, Stock]]


class Orders:
    def __init__(self, ctx: StoreContext, stockroom: Stockroom) -> None:
        self.ctx, self.stockroom = ctx, stockroom
        self.order_ids: set[str] = set()
        rng, p = ctx.rng, ctx.profile
        self.q_late = Quota(rng, p.late_ship)
        self.q_late_recent = Quota(rng, p.late_ship_recent)
        self.q_cancel_seller = Quota(rng, p.cancel_seller)
        self.q_cancel_system = Quota(rng, p.cancel_system)

    def purchase_times(self) -> list[datetime]:
        """``n_orders`` sorted instants following the local daily and weekly rhythm and a gentle growth."""
        ctx = self.ctx
        rng, tz, start, now = ctx.rng, ctx.tz, ctx.start, ctx.now
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
        for k in range(ctx.n_orders):
            target = (k + rng.random()) / ctx.n_orders * total
            while index < len(buckets) - 1 and before + buckets[index][2] < target:
                before += buckets[index][2]
                index += 1
            b_start, b_end, weight = buckets[index]
            fraction = min(max((target - before) / weight, 0.0), 0.999)
            times.append(secs(b_start + (b_end - b_start) * fraction))
        return times

    def _order_id(self) -> str:
        rng = self.ctx.rng
        prefixes = ORDER_ID_PREFIXES.get(self.ctx.store.marketplace, ("111",))
        while True:
            value = f"{rng.choice(prefixes)}-{rng.randrange(10**7):07d}-{rng.randrange(10**7):07d}"
            if value not in self.order_ids:
                self.order_ids.add(value)
                return value

    def place(self, purchase: datetime, fulfillment: Fulfillment) -> tuple[Row, Items] | None:
        """Place an order at ``purchase`` and live its life up to now; return it with its items, or None
        while it is still Pending (nothing else can have happened to it yet)."""
        ctx = self.ctx
        rng, locale, tz, now = ctx.rng, ctx.locale, ctx.tz, ctx.now
        channel = AFN if rng.random() < 0.4 else MFN
        pool, cumulative = self.stockroom.pools[channel]
        if not pool:
            channel = MFN if channel == AFN else AFN
            pool, cumulative = self.stockroom.pools[channel]
        lines: list[Stock] = []
        for _ in range(rng.choices((1, 2, 3), (0.78, 0.17, 0.05))[0]):
            stock = rng.choices(pool, cum_weights=cumulative)[0]
            if stock not in lines:
                lines.append(stock)
        business = rng.random() < (0.03 if ctx.store.marketplace == "JP" else 0.08)
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
        ship_day = add_business_days(local_day, handling)
        latest_ship = end_of_day(ship_day, tz)
        earliest_delivery = start_of_day(add_business_days(ship_day, transit[0]), tz)
        latest_delivery = end_of_day(add_business_days(ship_day, transit[1]), tz)

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
        order = ctx.writer.add(
            Order,
            store_id=ctx.store.pk,
            amazon_order_id=self._order_id(),
            purchase_date=purchase,
            status=status,
            fulfillment_channel=channel,
            sales_channel=f"Amazon.{ctx.market.domain.split('amazon.', 1)[1]}",
            ship_service_level=f"{locales.SERVICE_NAMES[category]} {locale.service_prefix} Dom",
            shipment_service_level_category=category,
            earliest_ship_date=purchase,
            latest_ship_date=latest_ship,
            earliest_delivery_date=earliest_delivery,
            latest_delivery_date=latest_delivery,
            is_prime=prime,
            is_business_order=business,
            currency=ctx.store.currency,
            buyer_name=buyer,
            created_at=purchase,
            last_update_date=purchase,
            buyer_email=f"{ctx.token(15)}@{ctx.relay_domain}",
            ship_name=buyer if rng.random() < 0.88 else locale.person(rng),
            ship_line1=line1,
            ship_line2=line2,
            ship_city=city,
            ship_state=state,
            ship_postal_code=postal,
            ship_country=locale.country,
        )
        items: Items = []
        total = Decimal("0")
        short = False
        for stock in lines:
            quantity = rng.choices((1, 2, 3), (0.86, 0.1, 0.04))[0]
            if business and rng.random() < 0.1:
                quantity = rng.randint(10, 12)
            amount = stock.listing.price * quantity
            total += amount
            item = ctx.writer.add(
                OrderItem,
                store_id=ctx.store.pk,
                order_id=order.id,
                order_item_id=f"{rng.randrange(10**13, 10**14)}",
                listing_id=stock.listing.id,
                sku=stock.listing.sku,
                asin=stock.listing.asin,
                title=stock.listing.title,
                quantity=quantity,
                item_price=amount,
                currency=ctx.store.currency,
            )
            if mfn:
                item.quantity_reserved = self.stockroom.reserve(stock, quantity, purchase, order)
                short = short or item.quantity_reserved < quantity
            items.append((item, stock))
        order.order_total = total
        ctx.event(order, Kind.CREATED, purchase, new=status)
        if status == S.PENDING:
            self._finish(order, items)
            return None
        if mfn:
            self._mfn_lifecycle(order, items, fulfillment, short=short)
        else:
            self._afn_lifecycle(order, items, fulfillment)
        self._finish(order, items)
        return order, items

    def _finish(self, order: Row, items: Items) -> None:
        if order.status == S.CANCELED:
            order.risk_flags = []
            return
        owed = [(units_owed(quantity=i.quantity, shipped=i.quantity_shipped, is_canceled=i.is_canceled),
                 i.quantity_reserved, True) for i, _ in items]
        order.risk_flags = risk_flags(
            channel=order.fulfillment_channel,
            line1=order.ship_line1,
            line2=order.ship_line2,
            city=order.ship_city,
            postal_code=order.ship_postal_code,
            country=order.ship_country,
            items=[i for i in owed if i[0] > 0] if order.status in OPEN_STATUSES else [],
        )

    def _cancel(self, order: Row, items: Items, at: datetime, initiator: str, reason: str) -> None:
        ctx = self.ctx
        actor = ctx.actors.operator_id if initiator == CancelInitiator.SELLER else None
        for item, stock in items:
            if order.fulfillment_channel == MFN and item.quantity_reserved:
                stock.reserved -= item.quantity_reserved
                stock.credit(at, item.quantity_reserved)
                self.stockroom.move(
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
        order.cancel_initiator, order.cancel_reason = initiator, reason
        if initiator == CancelInitiator.BUYER:
            order.buyer_cancel_requested_at, order.buyer_cancel_reason = at, reason
        ctx.move_order(
            order, S.CANCELED, Kind.CANCEL, at, actor_id=actor, note=f"{CancelInitiator(initiator).label}: {reason}"
        )

    def _mfn_lifecycle(self, order: Row, items: Items, fulfillment: Fulfillment, *, short: bool) -> None:
        ctx = self.ctx
        rng, now, purchase = ctx.rng, ctx.now, order.purchase_date
        latest_ship = order.latest_ship_date
        seller, system = self.q_cancel_seller(), self.q_cancel_system()
        cancel: tuple[str, datetime, str] | None = None
        if seller:
            window = max(3.0, (latest_ship - purchase).total_seconds() / 3600 * 0.9)
            cancel = (
                CancelInitiator.SELLER,
                ctx.after(purchase, 2, window),
                rng.choice(SELLER_CANCEL_REASONS),
            )
        elif system:
            cancel = (
                CancelInitiator.SYSTEM,
                ctx.after(purchase, 0.3, 6),
                rng.choice(SYSTEM_CANCEL_REASONS),
            )
        elif rng.random() < ctx.profile.cancel_buyer:
            cancel = (CancelInitiator.BUYER, ctx.after(purchase, 0.2, 18), rng.choice(BUYER_CANCEL_REASONS))
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
            ship_at = ctx.after(latest_ship, 1, 24 * rng.choice((1, 1, 2, 4)))
        else:
            ship_at = ctx.between(purchase + timedelta(minutes=30), latest_ship - timedelta(minutes=30))
        confirmed_at = packed_at = None
        if rng.random() < 0.55:
            confirmed_at = ctx.between(purchase + timedelta(minutes=5), purchase + (ship_at - purchase) / 2)
        if rng.random() < 0.45:
            packed_at = ctx.between(confirmed_at or purchase, ship_at - timedelta(minutes=5))
        operator = ctx.actors.operator_id
        if confirmed_at and confirmed_at <= now:
            ctx.move_order(order, S.CONFIRMED, Kind.STATUS, confirmed_at, actor_id=operator)
        if packed_at and packed_at <= now:
            ctx.move_order(order, S.PACKED, Kind.STATUS, packed_at, actor_id=operator)
        if ship_at > now:
            return
        fulfillment.ship(order, items, ship_at)

    def _afn_lifecycle(self, order: Row, items: Items, fulfillment: Fulfillment) -> None:
        ctx = self.ctx
        rng = ctx.rng
        if rng.random() < ctx.profile.cancel_buyer:
            at = ctx.after(order.purchase_date, 0.1, 3)
            if at <= ctx.now:
                self._cancel(order, items, at, CancelInitiator.BUYER, rng.choice(BUYER_CANCEL_REASONS))
            return
        fulfillment.amazon_ships(order, items)
