"""What the FBA health formulas read: one SKU's daily FBA inventory snapshot, as plain frozen dataclasses.

The report imports keep a snapshot per FBA SKU per day; a selector turns each row into an ``FbaSku`` so the
formulas do not depend on the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

#: Days of sales the excess-inventory part allows (Amazon's "more than 90 days of supply").
SUPPLY_DAYS = 90


@dataclass(frozen=True, kw_only=True)
class AgeBuckets:
    """Units on hand by inventory age, as Amazon's FBA Inventory report gives them (``inv-age-0-to-90-days`` …).

    The buckets are the closed day ranges 0–90, 91–180, 181–270, 271–365 and 366 and over (Amazon's "365+").
    Amazon ages units first-in, first-out across its whole network.
    """

    d0_90: int = 0
    d91_180: int = 0
    d181_270: int = 0
    d271_365: int = 0
    d365_plus: int = 0

    def __post_init__(self) -> None:
        if min(self.d0_90, self.d91_180, self.d181_270, self.d271_365, self.d365_plus) < 0:
            raise ValueError("Age buckets cannot hold negative units.")

    @property
    def total(self) -> int:
        return self.d0_90 + self.d91_180 + self.d181_270 + self.d271_365 + self.d365_plus

    def segments(self) -> list[tuple[Fraction, Fraction | None, Fraction]]:
        """The buckets as continuous age intervals ``[start, end)`` in days with their units, youngest first;
        ``end`` None for the open 366+ bucket. Day ``n`` of age is the interval ``[n, n+1)``."""
        return [
            (Fraction(0), Fraction(91), Fraction(self.d0_90)),
            (Fraction(91), Fraction(181), Fraction(self.d91_180)),
            (Fraction(181), Fraction(271), Fraction(self.d181_270)),
            (Fraction(271), Fraction(366), Fraction(self.d271_365)),
            (Fraction(366), None, Fraction(self.d365_plus)),
        ]


@dataclass(frozen=True, kw_only=True)
class FbaSku:
    """One FBA SKU on one day: its stock, its ages, its sales and what a unit measures.

    ``fulfillable`` includes ``stranded`` units (fulfillable units with no active offer to sell them).
    """

    sku: str
    fulfillable: int = 0
    reserved: int = 0
    inbound: int = 0
    unfulfillable: int = 0
    stranded: int = 0
    ages: AgeBuckets = field(default_factory=AgeBuckets)
    shipped_t7: int = 0
    shipped_t30: int = 0
    shipped_t60: int = 0
    shipped_t90: int = 0
    #: Units on hand (``fulfillable + reserved``) 90 days before; 0 for a SKU that had none or did not exist.
    on_hand_90_days_ago: int = 0
    #: Of the last ``days_tracked`` days (at most 30), how many ended with fulfillable units.
    days_in_stock: int = 0
    days_tracked: int = 30
    #: The seller marked the SKU as not to be replenished (a discontinued or seasonal item).
    non_replenishable: bool = False
    #: Cubic feet of one unit, packed as Amazon measures it; 0 when unknown.
    unit_volume_ft3: Decimal = Decimal(0)
    #: Shipping weight of one unit in pounds; None when unknown.
    unit_weight_lb: Decimal | None = None
    #: Amazon's product size tier as the report names it ("Small standard-size", "Large bulky", …).
    size_tier: str = ""
    dangerous_goods: bool = False
    #: Clothing, shoes, bags, jewelry and watches: exempt from the US surcharge between 181 and 270 days.
    apparel_exempt: bool = False
    price: Decimal | None = None
    #: What one unit cost the seller, landed; None when unknown.
    unit_cost: Decimal | None = None

    def __post_init__(self) -> None:
        counts = (self.fulfillable, self.reserved, self.inbound, self.unfulfillable, self.stranded, self.shipped_t7,
                  self.shipped_t30, self.shipped_t60, self.shipped_t90, self.on_hand_90_days_ago,
                  self.days_in_stock, self.days_tracked)
        if min(counts) < 0:
            raise ValueError(f"{self.sku}: unit and day counts cannot be negative.")
        if self.days_in_stock > self.days_tracked or self.days_tracked > 30:
            raise ValueError(f"{self.sku}: days in stock must lie within the (at most 30) days tracked.")
        if self.unit_volume_ft3 < 0:
            raise ValueError(f"{self.sku}: a unit's volume cannot be negative.")

    @property
    def on_hand(self) -> int:
        """Units at Amazon that are the seller's to sell or already promised: fulfillable and reserved."""
        return self.fulfillable + self.reserved

    @property
    def total_units(self) -> int:
        """Every unit at Amazon, sellable or not: the denominator of the excess and stranded parts."""
        return self.fulfillable + self.reserved + self.unfulfillable

    @property
    def velocity(self) -> Fraction:
        """Units a day over the last 90 days."""
        return Fraction(self.shipped_t90, SUPPLY_DAYS)

    @property
    def replenishable(self) -> bool:
        """Amazon's in-stock rate counts a SKU sold in the last 60 days that the seller still replenishes."""
        return self.shipped_t60 > 0 and not self.non_replenishable
