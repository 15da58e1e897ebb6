"""The demo store's listings and their stock as it moves through time: opening stock, purchase orders received,
units reserved, released and consumed, each with the stock movement ``listings.services`` would record."""

from __future__ import annotations

import heapq
import string
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from listings.models import Listing, StockMovement

from . import catalog
from .context import AFN, DAY, MFN, StoreContext, secs
from .writer import Row


@dataclass(eq=False)
class Stock:
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

    def credit(self, at: datetime, quantity: int) -> None:
        """Units that become available again at ``at`` (a cancelled order's, a sellable return's)."""
        heapq.heappush(self.credits, (at, quantity))


class Stockroom:
    """The store's listings, the pools orders draw them from, and every stock movement."""

    def __init__(self, ctx: StoreContext) -> None:
        self.ctx = ctx
        self.stocks: list[Stock] = []
        self.pools: dict[str, tuple[list[Stock], list[float]]] = {}

    def create_listings(self) -> None:
        ctx = self.ctx
        rng, store = ctx.rng, ctx.store
        variants = catalog.variants(ctx.lang)
        count = max(16, min(len(variants), round(ctx.n_orders / 60)))
        chosen = rng.sample(variants, count)
        n_afn = round(count * 0.4)
        orders_per_day = ctx.n_orders / ctx.days
        pools: dict[str, list[tuple[Stock, float]]] = {MFN: [], AFN: []}
        for index, variant in enumerate(chosen):
            channel = AFN if index < n_afn else MFN
            popularity = 1 / (index - (0 if channel == AFN else n_afn) + 1.5) ** 0.9
            status = Listing.Status.ACTIVE
            if index == count - 1:
                status = Listing.Status.INACTIVE
            elif index == count - 2 and count > 20:
                status = Listing.Status.SUPPRESSED
            bullets = list(catalog.BULLETS.get(ctx.lang, catalog.BULLETS["en"]))
            created = secs(ctx.start - timedelta(days=rng.uniform(30, 400)))
            listing = ctx.writer.add(
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
            stock = Stock(listing=listing, category=variant.product.category, velocity=0.0, safety=0)
            self.stocks.append(stock)
            pools[channel].append((stock, popularity))
        afn_share = 0.4
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
        ctx.writer.flush(Listing)
        opening = ctx.start - DAY
        for stock in self.stocks:
            if stock.listing.fulfillment_channel == AFN:
                stock.available = max(5, round(stock.velocity * rng.uniform(20, 60)))
            else:
                self.receive(stock, opening, note="Opening stock")
        if ctx.profile.out_of_stock_listing:
            mfn = self.pools[MFN][0]
            mfn[min(3, len(mfn) - 1)].dry_at = ctx.now - timedelta(hours=rng.uniform(36, 52))

    def final_listings(self) -> list[Listing]:
        """The listings with their stock as of now (to be saved)."""
        listings = []
        for stock in self.stocks:
            stock.settle(self.ctx.now)
            row = stock.listing
            listings.append(
                Listing(
                    id=row.id,
                    quantity_available=stock.available,
                    quantity_reserved=stock.reserved,
                    quantity_inbound=row.quantity_inbound,
                    quantity_unfulfillable=row.quantity_unfulfillable,
                    safety_stock=row.safety_stock,
                )
            )
        return listings

    def receive(self, stock: Stock, at: datetime, *, note: str) -> None:
        ctx = self.ctx
        quantity = max(10, round(stock.velocity * ctx.rng.uniform(14, 30)))
        stock.available += quantity
        ctx.writer.add(
            StockMovement,
            store_id=ctx.store.pk,
            listing_id=stock.listing.id,
            reason=StockMovement.Reason.RECEIVE,
            available_delta=quantity,
            actor_id=ctx.actors.operator_id,
            note=note,
            at=at,
        )

    def move(
        self,
        stock: Stock,
        reason: str,
        at: datetime,
        order: Row | None,
        *,
        available: int = 0,
        reserved: int = 0,
        actor_id: int | None = None,
        note: str = "",
    ) -> None:
        self.ctx.writer.add(
            StockMovement,
            store_id=self.ctx.store.pk,
            listing_id=stock.listing.id,
            reason=reason,
            available_delta=available,
            reserved_delta=reserved,
            order_id=order.id if order else None,
            actor_id=actor_id,
            note=note,
            at=at,
        )

    def reserve(self, stock: Stock, quantity: int, at: datetime, order: Row) -> int:
        ctx = self.ctx
        stock.settle(at)
        if stock.dry_at is not None and at >= stock.dry_at:
            if stock.available:
                self.move(
                    stock,
                    StockMovement.Reason.ADJUST,
                    stock.dry_at,
                    None,
                    available=-stock.available,
                    actor_id=ctx.actors.operator_id,
                    note="Stock count: units damaged, written off",
                )
                stock.available = 0
        elif stock.available - quantity < stock.safety / 2:
            self.receive(
                stock,
                max(ctx.start, at - timedelta(hours=ctx.rng.uniform(1, 8))),
                note=f"Purchase order PO-{ctx.rng.randint(10000, 99999)} received",
            )
        reserved = min(quantity, stock.available)
        if reserved:
            stock.available -= reserved
            stock.reserved += reserved
            self.move(stock, StockMovement.Reason.RESERVE, at, order, available=-reserved, reserved=reserved)
        return reserved
