"""One demo store's operations over ``days`` days ending at ``now``: listings, stock, orders, after-sale.

Rows are left exactly as the services would leave them (statuses, events, stock movements, reservations),
but built in memory and written in bulk. Each domain has its module (``listings``, ``orders``,
``fulfillment``, ``returns``, ``support``, and ``fba`` for the FBA inventory's daily history); the generator is
the store's ``StoreContext`` and runs them in order, so a seed and an instant always give the same data.
"""

from __future__ import annotations

from listings.models import Listing

from .context import S, StoreContext
from .fba import FbaHistory
from .fulfillment import Fulfillment
from .listings import Stock, Stockroom
from .orders import Orders
from .returns import Returns
from .support import Support
from .writer import Row


class StoreGenerator(StoreContext):
    """One store's generation: its context (built from ``StoreContext``'s arguments) and the parts it runs."""

    def run(self) -> list[Listing]:
        """Generate everything; return the store's listings with their final stock (to be saved)."""
        # Each part takes its quotas from the store's random stream as it is built: keep this order.
        stockroom = Stockroom(self)
        orders = Orders(self, stockroom)
        fba = FbaHistory(self, stockroom)
        fulfillment = Fulfillment(self, stockroom, fba)
        support = Support(self)
        returns = Returns(self, stockroom)
        stockroom.create_listings()
        fulfillment.inbound_shipments()
        for purchase in orders.purchase_times():
            placed = orders.place(purchase, fulfillment)
            if placed is not None:
                self._after_sale(*placed, support=support, returns=returns)
            self.writer.maybe_flush()
        fba.build()
        return stockroom.final_listings()

    def _after_sale(self, order: Row, items: list[tuple[Row, Stock]], *, support: Support, returns: Returns) -> None:
        delivered = getattr(order, "delivered_at", None)
        shipped = getattr(order, "shipped_at", None)
        if delivered is not None:
            support.feedback(order, delivered)
            if self.rng.random() < self.profile.returns:
                returns.request(order, items, delivered)
        if shipped is not None:
            support.claims(order, delivered)
        # A showcased delivery at risk (``demo.tracking``) has its own thread; the draw is made all the same, so the
        # rest of the store's history stays what the seed gives.
        wants_thread = order.status != S.CANCELED and self.rng.random() < self.profile.threads * (
            4 if delivered is None and shipped is not None and order.latest_delivery_date < self.now else 1
        )
        if not support.showcase_thread(order) and wants_thread:
            support.thread(order, items, shipped, delivered)
