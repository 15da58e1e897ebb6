"""One demo store's operations over ``days`` days ending at ``now``: listings, stock, orders, after-sale.

Rows are left exactly as the services would leave them (statuses, events, stock movements, reservations),
but built in memory and written in bulk. Each domain has its module (``listings``, ``orders``,
``fulfillment``, ``returns``, ``support``); this one runs them in order on one ``StoreContext``, so a seed and
an instant always give the same data.
"""

from __future__ import annotations

from datetime import datetime

from core.models import Store
from listings.models import Listing

from .context import Actors, Profile, S, StoreContext
from .fulfillment import Fulfillment
from .listings import Stock, Stockroom
from .orders import Orders
from .returns import Returns
from .support import Support
from .writer import Row, Writer


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
        self.ctx = StoreContext(
            store=store, profile=profile, orders=orders, days=days, seed=seed, now=now, writer=writer, actors=actors
        )
        # Each part takes its quotas from the store's random stream as it is built: keep this order.
        self.stockroom = Stockroom(self.ctx)
        self.orders = Orders(self.ctx, self.stockroom)
        self.fulfillment = Fulfillment(self.ctx, self.stockroom)
        self.support = Support(self.ctx)
        self.returns = Returns(self.ctx, self.stockroom)

    def run(self) -> list[Listing]:
        """Generate everything; return the store's listings with their final stock (to be saved)."""
        self.stockroom.create_listings()
        self.fulfillment.inbound_shipments()
        for purchase in self.orders.purchase_times():
            placed = self.orders.place(purchase, self.fulfillment)
            if placed is not None:
                self._after_sale(*placed)
            self.ctx.writer.maybe_flush()
        return self.stockroom.final_listings()

    def _after_sale(self, order: Row, items: list[tuple[Row, Stock]]) -> None:
        ctx = self.ctx
        delivered = getattr(order, "delivered_at", None)
        shipped = getattr(order, "shipped_at", None)
        if delivered is not None:
            self.support.feedback(order, delivered)
            if ctx.rng.random() < ctx.profile.returns:
                self.returns.request(order, items, delivered)
        if shipped is not None:
            self.support.claims(order, delivered)
        if order.status != S.CANCELED and ctx.rng.random() < ctx.profile.threads * (
            4 if delivered is None and shipped is not None and order.latest_delivery_date < ctx.now else 1
        ):
            self.support.thread(order, items, shipped, delivered)
