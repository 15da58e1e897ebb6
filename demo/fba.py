"""The demo store's FBA inventory at Amazon, day by day: each FBA listing's units drawn down by the FBA orders
Amazon shipped, restocked by the store's inbound shipments, aging first in first out, with Amazon's planning
figures (units shipped, sell-through, days of supply, excess, storage and aged-inventory fees), a few stranded
units, and the store's Inventory Performance Index once a week.

A store whose profile has ``fba_excess`` sent far too much too early: most of its units are old, sell slowly and
cost aged-inventory fees, several SKUs are stranded, and its index is poor: what a manager should act on.

The figures are plausible, not Amazon's tariff: storage and aged-inventory rates are round numbers of the size
Amazon charges. The history draws from its own random stream, so the rest of the demo is the same with or
without it.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from fulfillment.models import FbaAccountSnapshot, FbaInventorySnapshot

from .context import AFN, StoreContext
from .listings import Stock, Stockroom

#: USD per cubic foot a month (January–September, October–December) and aged-inventory surcharge per cubic foot
#: a month by age (181–270, 271–365, over 365 days): of the size Amazon's US tariff has.
STORAGE_RATE = (Decimal("0.78"), Decimal("2.40"))
AGED_RATE = (Decimal("0.50"), Decimal("1.50"), Decimal("6.90"))
#: Units of the store's currency per US dollar (rough), and whether its reports give volumes in cubic meters.
FX = {"USD": Decimal("1"), "CAD": Decimal("1.36"), "EUR": Decimal("0.92"), "GBP": Decimal("0.79"),
      "JPY": Decimal("150")}
CUBIC_FOOT_IN_M3 = Decimal("0.0283168")
CENT = Decimal("0.01")


@dataclass
class Inbound:
    """One inbound shipment item as the history sees it: when its units are working, shipped, receiving, in."""

    created: date
    shipped: date | None
    receiving: date | None
    arrived: date | None  # the day its received units become fulfillable
    expected: int
    received: int
    closed: bool


@dataclass
class Lot:
    arrived: date
    units: int


@dataclass
class SkuState:
    stock: Stock
    lots: list[Lot] = field(default_factory=list)
    inbound: list[Inbound] = field(default_factory=list)
    shipped: list[int] = field(default_factory=list)  # units shipped per day, oldest first
    fulfillable_history: list[int] = field(default_factory=list)
    unfulfillable: int = 0
    item_volume_cuft: Decimal = Decimal("0.1")
    stranded_from: date | None = None
    stranded_units: int = 0
    stranded_reason: str = ""
    returned: Counter[date] = field(default_factory=Counter)


STRANDED_REASONS = ("Listing closed", "Incomplete · Missing required attribute", "Suppressed · Pricing error",
                    "Inactive · Listing removed")


class FbaHistory:
    def __init__(self, ctx: StoreContext, stockroom: Stockroom) -> None:
        self.ctx, self.stockroom = ctx, stockroom
        self.rng = random.Random(f"sellerops-demo-fba:{ctx.seed}:{ctx.store.code}")
        #: Units Amazon shipped, by listing id and the store's local day (filled as the orders are generated).
        self.shipped: Counter[tuple[int, date]] = Counter()
        self.inbound: defaultdict[int, list[Inbound]] = defaultdict(list)

    def record_shipment(self, listing_id: int, at: datetime, units: int) -> None:
        self.shipped[(listing_id, at.astimezone(self.ctx.tz).date())] += units

    def record_inbound(self, listing_id: int, *, created: datetime, shipped: datetime | None,
                       receiving: datetime | None, closed: datetime | None, expected: int, received: int) -> None:
        tz = self.ctx.tz

        def day(at: datetime | None) -> date | None:
            return at.astimezone(tz).date() if at is not None else None

        # A closed shipment's units are in on its closing day; a part of one still receiving, the day after.
        arrived = day(closed) if closed is not None else (
            receiving.astimezone(tz).date() + timedelta(days=1) if receiving is not None else None)
        self.inbound[listing_id].append(Inbound(created=created.astimezone(tz).date(), shipped=day(shipped),
                                                receiving=day(receiving), arrived=arrived, expected=expected,
                                                received=received, closed=closed is not None))

    def build(self) -> None:
        """Write every FBA listing's daily snapshots and the store's weekly index; leave each FBA listing's stock
        at its last day's figures."""
        ctx, rng = self.ctx, self.rng
        poor = ctx.profile.fba_excess
        first, last = ctx.start.astimezone(ctx.tz).date(), ctx.now.astimezone(ctx.tz).date()
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        afn = [stock for stock in self.stockroom.stocks if stock.listing.fulfillment_channel == AFN]
        currency = ctx.store.currency or "USD"
        metric = ctx.store.marketplace not in {"US", "CA"}
        states = []
        stranded_count = max(3, len(afn) // 4) if poor else 1
        stranded = set(rng.sample(range(len(afn)), min(stranded_count, len(afn))))
        for index, stock in enumerate(afn):
            state = SkuState(stock=stock, inbound=self.inbound.get(stock.listing.id, []))
            # Sellable customer returns go back into Amazon's stock on their day (those still to come, later).
            for at, units in stock.credits:
                if at <= ctx.now:
                    state.returned[at.astimezone(ctx.tz).date()] += units
            stock.credits = [(at, units) for at, units in stock.credits if at > ctx.now]
            state.item_volume_cuft = Decimal(str(round(rng.uniform(0.02, 0.9 if poor else 0.5), 4)))
            # Opening stock from what Amazon will ship over the history, less what the inbound shipments bring:
            # a healthy store ends with a month or two of cover, an overstocked one with a year or more.
            listing_id = stock.listing.id
            sold = sum(self.shipped.get((listing_id, day), 0) for day in days)
            received = sum(item.received for item in state.inbound
                           if item.arrived is not None and first <= item.arrived <= last)
            rate = max(sold / len(days), 0.05)
            cover = rng.uniform(150, 420) if poor else rng.uniform(25, 50)
            opening = max(10, round(sold - received + rate * cover))
            oldest = 520 if poor else 60
            for _ in range(rng.randint(2, 4)):
                state.lots.append(Lot(arrived=first - timedelta(days=rng.randint(20 if poor else 3, oldest)),
                                      units=0))
            shares = [rng.random() + 0.2 for _ in state.lots]
            for lot, share in zip(state.lots, shares, strict=True):
                lot.units = round(opening * share / sum(shares))
            # Shipments received before the history starts are part of the opening stock.
            state.lots += [Lot(arrived=item.arrived, units=item.received) for item in state.inbound
                           if item.arrived is not None and item.arrived < first and item.received]
            state.lots.sort(key=lambda lot: lot.arrived)
            if index in stranded:
                state.stranded_from = last - timedelta(days=rng.randint(4, 40 if poor else 10))
                state.stranded_units = rng.randint(5, 40) if poor else rng.randint(2, 6)
                state.stranded_reason = rng.choice(STRANDED_REASONS)
            states.append(state)
        for day in days:
            for state in states:
                self._day(state, day, currency=currency, metric=metric)
            if day.weekday() == 0 or day == last:
                self._account(day, states, poor=poor)
        for state in states:
            listing = state.stock.listing
            state.stock.available = sum(lot.units for lot in state.lots)
            listing.quantity_inbound = self._inbound(state, last)[3]
            listing.quantity_unfulfillable = state.unfulfillable

    def _inbound(self, state: SkuState, day: date) -> tuple[int, int, int, int]:
        """Units working, shipped, receiving on ``day``, and their sum."""
        working = shipped = receiving = 0
        for item in state.inbound:
            if day < item.created:
                continue
            if item.shipped is None or day < item.shipped:
                working += item.expected
            elif item.receiving is None or day < item.receiving:
                shipped += item.expected
            elif item.arrived is None or day < item.arrived:
                receiving += item.expected
            elif not item.closed:
                receiving += item.expected - item.received  # partly received: the rest is still coming in
        return working, shipped, receiving, working + shipped + receiving

    def _day(self, state: SkuState, day: date, *, currency: str, metric: bool) -> None:
        ctx, rng = self.ctx, self.rng
        listing = state.stock.listing
        for item in state.inbound:
            if item.arrived == day and item.received:
                state.lots.append(Lot(arrived=day, units=item.received))
        if state.returned.get(day):
            state.lots.append(Lot(arrived=day, units=state.returned[day]))
        wanted = self.shipped.get((listing.id, day), 0)
        shipped = 0
        for lot in state.lots:  # oldest first: Amazon ships what came in first
            take = min(lot.units, wanted - shipped)
            lot.units -= take
            shipped += take
            if shipped == wanted:
                break
        state.lots = [lot for lot in state.lots if lot.units]
        state.shipped.append(shipped)
        if rng.random() < 0.03:
            state.unfulfillable += 1  # a customer-damaged return
        elif state.unfulfillable and rng.random() < 0.02:
            state.unfulfillable -= 1  # removed or disposed of
        fulfillable = sum(lot.units for lot in state.lots)
        state.fulfillable_history.append(fulfillable)
        ages = [0, 0, 0, 0, 0]
        for lot in state.lots:
            age = (day - lot.arrived).days
            ages[0 if age <= 90 else 1 if age <= 180 else 2 if age <= 270 else 3 if age <= 365 else 4] += lot.units
        working, in_transit, receiving, _total = self._inbound(state, day)
        t = {n: sum(state.shipped[-n:]) for n in (7, 30, 60, 90)}
        window = state.fulfillable_history[-90:]
        average = sum(window) / len(window)
        sell_through = Decimal(str(round(t[90] / average, 2))) if average else None
        daily = t[30] / 30
        days_of_supply = Decimal(str(min(round(fulfillable / daily, 1), 9999))) if daily else None
        excess = max(0, fulfillable - round(daily * 90)) if daily else fulfillable
        reserved = min(fulfillable, rng.choice((0, 0, 0, 1, 2)))
        units_stored = fulfillable + reserved + state.unfulfillable
        cuft = state.item_volume_cuft * units_stored
        fx = FX.get(currency, Decimal("1"))
        storage_rate = STORAGE_RATE[1 if day.month >= 10 else 0]
        aged_fee = sum((rate * state.item_volume_cuft * units for rate, units in zip(AGED_RATE, ages[2:], strict=True)),
                       start=Decimal(0))
        stranded = 0
        if state.stranded_from is not None and day >= state.stranded_from:
            stranded = min(fulfillable, state.stranded_units)
        action = "No action required"
        if ages[4] and (sell_through or 0) < Decimal("0.5"):
            action = "Create removal order"
        elif excess:
            action = "Create a sale"
        elif days_of_supply is not None and days_of_supply < 21:
            action = "Restock"
        self.ctx.writer.add(
            FbaInventorySnapshot,
            store_id=ctx.store.pk,
            listing_id=listing.id,
            day=day,
            fulfillable=fulfillable,
            reserved=reserved,
            reserved_customer_orders=0,
            reserved_fc_transfers=reserved,
            reserved_fc_processing=0,
            inbound_working=working,
            inbound_shipped=in_transit,
            inbound_receiving=receiving,
            unfulfillable=state.unfulfillable,
            pending_removal=0,
            age_0_90=ages[0],
            age_91_180=ages[1],
            age_181_270=ages[2],
            age_271_365=ages[3],
            age_365_plus=ages[4],
            units_shipped_t7=t[7],
            units_shipped_t30=t[30],
            units_shipped_t60=t[60],
            units_shipped_t90=t[90],
            sell_through=sell_through,
            days_of_supply=days_of_supply,
            estimated_excess_units=excess,
            currency=currency,
            estimated_storage_cost_next_month=(cuft * storage_rate * fx).quantize(CENT),
            estimated_ltsf_next_charge=(aged_fee * fx).quantize(CENT),
            storage_volume=(cuft * CUBIC_FOOT_IN_M3 if metric else cuft).quantize(Decimal("0.0001")),
            item_volume=(state.item_volume_cuft * CUBIC_FOOT_IN_M3 if metric else state.item_volume_cuft)
            .quantize(Decimal("0.0001")),
            volume_unit="cubic meters" if metric else "cubic feet",
            size_tier="Oversize" if state.item_volume_cuft > Decimal("0.6") else "Standard",
            recommended_action=action,
            stranded_units=stranded,
            stranded_reason=state.stranded_reason if stranded else "",
            stranded_since=state.stranded_from if stranded else None,
            source=FbaInventorySnapshot.Source.DEMO.value,
        )

    def _account(self, day: date, states: list[SkuState], *, poor: bool) -> None:
        """Amazon's index, updated weekly: poor for a store with old, slow, stranded stock."""
        rng = self.rng
        index = rng.randint(330, 390) if poor else rng.randint(520, 640)
        volume = sum((state.item_volume_cuft * (sum(lot.units for lot in state.lots) + state.unfulfillable)
                      for state in states), start=Decimal(0))
        self.ctx.writer.add(
            FbaAccountSnapshot,
            store_id=self.ctx.store.pk,
            day=day,
            amazon_index=index,
            storage_limit_units=None,
            storage_limit_volume=Decimal(max(100, round(float(volume) * (1.1 if poor else 2.5)))),
            storage_used=volume.quantize(CENT),
            volume_unit="cubic feet",
            note="",
        )
