"""FBA storage fees and the aged-inventory surcharge, from a dated fee table per marketplace, and the action that
avoids the next surcharge.

Sources (Seller Central help, United States): "Monthly inventory storage fees"; "2024 FBA monthly inventory
storage fee and aged inventory surcharge changes"; "Aged inventory surcharge" (assessed on a snapshot of the 15th
of each month, on top of the monthly storage fee; inventory age counted first-in, first-out across the network, so
a unit sold or removed is taken from the oldest units); "FBA removal order fees"; "FBA liquidations". Values not
confirmed from Amazon's own page are marked in the table's ``source``; the EU, UK and JP tables are placeholders
(``placeholder=True``) that a deployment replaces through ``settings.FBA_FEE_TABLES`` (see ``fee_table_from_dict``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .inputs import AgeBuckets, FbaSku

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CENT = Decimal("0.01")
#: One cubic foot in cubic metres (exactly 0.3048³).
FT3_IN_M3 = Decimal("0.028316846592")


class StorageClass(StrEnum):
    STANDARD = "standard"
    OVERSIZE = "oversize"
    DG_STANDARD = "dg_standard"
    DG_OVERSIZE = "dg_oversize"


class VolumeUnit(StrEnum):
    FT3 = "ft3"
    M3 = "m3"


def is_oversize(size_tier: str) -> bool:
    """Amazon's large bulky and extra-large tiers (formerly "oversize") against the standard-size ones."""
    tier = size_tier.lower()
    return any(word in tier for word in ("oversize", "bulky", "extra-large", "extra large"))


def storage_class(sku: FbaSku) -> StorageClass:
    if sku.dangerous_goods:
        return StorageClass.DG_OVERSIZE if is_oversize(sku.size_tier) else StorageClass.DG_STANDARD
    return StorageClass.OVERSIZE if is_oversize(sku.size_tier) else StorageClass.STANDARD


@dataclass(frozen=True)
class StorageRate:
    """Monthly storage fee per unit of volume: January to September, and October to December."""

    off_peak: Decimal
    peak: Decimal

    def for_month(self, month: int) -> Decimal:
        return self.peak if month >= 10 else self.off_peak


@dataclass(frozen=True)
class AgeBand:
    """A band of the aged-inventory surcharge: ages in days ``[start, end]`` (``end`` None: and over), charged
    per unit of volume, at least ``min_per_unit`` a unit."""

    start: int
    end: int | None
    rate: Decimal
    min_per_unit: Decimal = Decimal(0)

    @property
    def label(self) -> str:
        return f"{self.start}+" if self.end is None else f"{self.start}-{self.end}"

    def per_unit(self, volume: Decimal) -> Decimal:
        return max(self.rate * volume, self.min_per_unit)


@dataclass(frozen=True)
class RemovalBand:
    """A removal (or disposal) fee per unit for shipping weights up to ``max_lb`` (None: above the last band:
    ``fee`` plus ``per_lb_above`` for each pound, rounded up, over the previous band's limit)."""

    max_lb: Decimal | None
    fee: Decimal
    per_lb_above: Decimal = Decimal(0)


@dataclass(frozen=True, kw_only=True)
class FeeTable:
    marketplace: str
    effective_from: date
    currency: str
    volume_unit: VolumeUnit
    storage: Mapping[StorageClass, StorageRate]
    #: Youngest first; the last band is open-ended.
    aged_bands: tuple[AgeBand, ...]
    #: Clothing, shoes, bags, jewelry and watches pay no surcharge on bands ending at or before this age (US: 270).
    apparel_exempt_through_day: int = 0
    assessment_day: int = 15
    #: "standard" and "oversize" (which includes dangerous goods and other special handling), heaviest last.
    removal: Mapping[str, tuple[RemovalBand, ...]] = field(default_factory=dict)
    #: What a liquidated unit brings the seller, as a share of its price, net of Amazon's fees on it.
    liquidation_recovery: Decimal = Decimal("0.05")
    placeholder: bool = False
    source: str = ""

    def __post_init__(self) -> None:
        if not self.aged_bands or self.aged_bands[-1].end is not None:
            raise ValueError(f"{self.marketplace} {self.effective_from}: the last age band must be open-ended.")

    def volume(self, ft3: Decimal) -> Decimal:
        """``ft3`` cubic feet in the table's unit of volume."""
        return ft3 if self.volume_unit == VolumeUnit.FT3 else ft3 * FT3_IN_M3


# The tables ---------------------------------------------------------------------------------------------------

D = Decimal
_US_REMOVAL = {
    "standard": (RemovalBand(D("0.5"), D("1.04")), RemovalBand(D("1"), D("1.53")), RemovalBand(D("2"), D("2.27")),
                 RemovalBand(None, D("2.89"), D("1.06"))),
    "oversize": (RemovalBand(D("1"), D("3.12")), RemovalBand(D("2"), D("4.30")), RemovalBand(D("4"), D("6.36")),
                 RemovalBand(D("10"), D("10.04")), RemovalBand(None, D("14.32"), D("1.06"))),
}
_US_STORAGE_2023 = {
    StorageClass.STANDARD: StorageRate(D("0.87"), D("2.40")),
    StorageClass.OVERSIZE: StorageRate(D("0.56"), D("1.40")),
    StorageClass.DG_STANDARD: StorageRate(D("0.99"), D("3.63")),
    StorageClass.DG_OVERSIZE: StorageRate(D("0.78"), D("2.43")),
}


def _us_bands(d271: str, d301: str, d331: str) -> tuple[AgeBand, ...]:
    return (AgeBand(181, 210, D("0.50")), AgeBand(211, 240, D("1.00")), AgeBand(241, 270, D("1.50")),
            AgeBand(271, 300, D(d271)), AgeBand(301, 330, D(d301)), AgeBand(331, 365, D(d331)),
            AgeBand(366, None, D("6.90"), D("0.15")))


_US_2023 = FeeTable(
    marketplace="US", effective_from=date(2023, 4, 15), currency="USD", volume_unit=VolumeUnit.FT3,
    storage=_US_STORAGE_2023, aged_bands=_us_bands("3.80", "4.00", "4.20"), apparel_exempt_through_day=270,
    removal=_US_REMOVAL,
    source="Seller Central: Monthly inventory storage fees (dangerous goods), 2024 storage fee changes (\"prior to "
           "April 1, 2024\"), aged inventory surcharge from April 15, 2023. Removal fees: as summarised by sellers' "
           "guides for 2024-2025; confirm against FBA removal order fees.",
)
_US_2024_STORAGE = FeeTable(
    marketplace="US", effective_from=date(2024, 4, 1), currency="USD", volume_unit=VolumeUnit.FT3,
    storage={**_US_STORAGE_2023, StorageClass.STANDARD: StorageRate(D("0.78"), D("2.40"))},
    aged_bands=_US_2023.aged_bands, apparel_exempt_through_day=270, removal=_US_REMOVAL,
    source="Seller Central: 2024 FBA monthly inventory storage fee and aged inventory surcharge changes "
           "(standard-size off-peak $0.78 from April 1, 2024).",
)
_US_2024_AGED = FeeTable(
    marketplace="US", effective_from=date(2024, 4, 15), currency="USD", volume_unit=VolumeUnit.FT3,
    storage=_US_2024_STORAGE.storage, aged_bands=_us_bands("5.45", "5.70", "5.90"), apparel_exempt_through_day=270,
    removal=_US_REMOVAL,
    source="Aged inventory surcharge 271-365 days as announced for 2024 ($5.45/$5.70/$5.90 per cubic foot); "
           "the date and values are to confirm against Seller Central's Aged inventory surcharge page.",
)
_US_2026_REMOVAL = FeeTable(
    marketplace="US", effective_from=date(2026, 1, 15), currency="USD", volume_unit=VolumeUnit.FT3,
    storage=_US_2024_AGED.storage, aged_bands=_US_2024_AGED.aged_bands, apparel_exempt_through_day=270,
    removal={**_US_REMOVAL, "standard": (RemovalBand(D("0.5"), D("0.84")),) + _US_REMOVAL["standard"][1:]},
    source="Standard-size removal fee up to 0.5 lb lowered to $0.84 from January 15, 2026, as sellers' guides "
           "report it; everything else as in 2024.",
)


def _placeholder(code: str, currency: str, off_peak: str, peak: str, aged: str, aged_365: str) -> FeeTable:
    """A table whose values are stand-ins, per cubic metre, for a marketplace whose fees we have not confirmed."""
    rate = StorageRate(D(off_peak), D(peak))
    return FeeTable(
        marketplace=code, effective_from=date(2024, 1, 1), currency=currency, volume_unit=VolumeUnit.M3,
        storage=dict.fromkeys(StorageClass, rate),
        aged_bands=(AgeBand(271, 365, D(aged)), AgeBand(366, None, D(aged_365))),
        removal={"standard": (RemovalBand(None, D(off_peak) / 20),), "oversize": (RemovalBand(None, D(off_peak) / 5),)},
        placeholder=True,
        source="PLACEHOLDER: not Amazon's published fees. Set settings.FBA_FEE_TABLES for this marketplace.",
    )


DEFAULT_FEE_TABLES: tuple[FeeTable, ...] = (
    _US_2023, _US_2024_STORAGE, _US_2024_AGED, _US_2026_REMOVAL,
    _placeholder("UK", "GBP", "25.00", "35.00", "170.00", "500.00"),
    _placeholder("DE", "EUR", "27.00", "42.00", "170.00", "500.00"),
    _placeholder("FR", "EUR", "27.00", "42.00", "170.00", "500.00"),
    _placeholder("IT", "EUR", "27.00", "42.00", "170.00", "500.00"),
    _placeholder("ES", "EUR", "27.00", "42.00", "170.00", "500.00"),
    _placeholder("JP", "JPY", "5160", "9170", "17000", "50000"),
)


def fee_table_from_dict(data: Mapping[str, Any]) -> FeeTable:
    """A fee table from plain settings values, e.g. ``{"marketplace": "DE", "effective_from": "2025-02-01",
    "currency": "EUR", "volume_unit": "m3", "storage": {"standard": ["27.54", "42.00"], …},
    "aged_bands": [[271, 365, "170"], [366, null, "500", "0"]], "removal": {"standard": [["0.5", "0.90"],
    [null, "1.20", "0.50"]]}, "apparel_exempt_through_day": 0, "liquidation_recovery": "0.05"}``."""
    return FeeTable(
        marketplace=data["marketplace"], effective_from=date.fromisoformat(data["effective_from"]),
        currency=data["currency"], volume_unit=VolumeUnit(data["volume_unit"]),
        storage={StorageClass(k): StorageRate(D(v[0]), D(v[1])) for k, v in data["storage"].items()},
        aged_bands=tuple(AgeBand(b[0], b[1], D(b[2]), D(b[3]) if len(b) > 3 else D(0)) for b in data["aged_bands"]),
        apparel_exempt_through_day=data.get("apparel_exempt_through_day", 0),
        assessment_day=data.get("assessment_day", 15),
        removal={tier: tuple(RemovalBand(None if b[0] is None else D(b[0]), D(b[1]), D(b[2]) if len(b) > 2 else D(0))
                             for b in bands) for tier, bands in data.get("removal", {}).items()},
        liquidation_recovery=D(data.get("liquidation_recovery", "0.05")),
        placeholder=bool(data.get("placeholder", False)), source=data.get("source", "settings.FBA_FEE_TABLES"),
    )


def configured_fee_tables() -> list[FeeTable]:
    """The default tables, with those of ``settings.FBA_FEE_TABLES`` (a list of dicts) added; one with the same
    marketplace and start date as a default replaces it."""
    tables = {(t.marketplace, t.effective_from): t for t in DEFAULT_FEE_TABLES}
    for data in getattr(settings, "FBA_FEE_TABLES", []):
        table = fee_table_from_dict(data)
        tables[(table.marketplace, table.effective_from)] = table
    return list(tables.values())


def fee_table(marketplace: str, *, on: date, tables: Iterable[FeeTable] | None = None) -> FeeTable:
    """The table of ``marketplace`` in force on ``on``: the latest one that started on or before it."""
    candidates = [t for t in (configured_fee_tables() if tables is None else tables)
                  if t.marketplace == marketplace and t.effective_from <= on]
    if not candidates:
        raise LookupError(f"No FBA fee table for {marketplace} on {on.isoformat()}; add one to FBA_FEE_TABLES.")
    return max(candidates, key=lambda t: t.effective_from)


# Storage and surcharge ----------------------------------------------------------------------------------------

def _money(value: Decimal | Fraction) -> Decimal:
    if isinstance(value, Fraction):
        value = Decimal(value.numerator) / Decimal(value.denominator)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def monthly_storage_fee(sku: FbaSku, table: FeeTable, *, month: date, average_units: Decimal | int | None = None
                        ) -> Decimal:
    """Average units stored in ``month`` × unit volume × the month's rate for the SKU's storage class.

    ``average_units`` defaults to every unit at Amazon now (fulfillable, reserved, unfulfillable): Amazon charges
    on the daily average volume, which a caller with daily snapshots passes instead."""
    units = Decimal(sku.total_units if average_units is None else average_units)
    rate = table.storage[storage_class(sku)].for_month(month.month)
    return _money(units * table.volume(sku.unit_volume_ft3) * rate)


def next_assessment(on: date, *, day: int = 15) -> date:
    """The first assessment date on or after ``on`` (the ``day`` of a month)."""
    if on.day <= day:
        return on.replace(day=day)
    first_of_next = (on.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first_of_next.replace(day=day)


def units_by_age_band(ages: AgeBuckets, bands: Sequence[AgeBand], *, days_ahead: int,
                      units_sold: Fraction | int = 0) -> list[Fraction]:
    """Units in each band ``days_ahead`` days from the snapshot, after ``units_sold`` have left oldest first.

    Within a bucket, units are taken as spread evenly over its days (the report gives no finer ages); the 366+
    bucket stays in the open band."""
    remaining = Fraction(units_sold)
    kept: list[tuple[Fraction, Fraction | None, Fraction]] = []
    for start, end, units in reversed(ages.segments()):
        if remaining >= units:
            remaining -= units
            continue
        if remaining and end is not None:
            # Keep the youngest part of the bucket: the oldest days leave first.
            end = start + (end - start) * (units - remaining) / units
        kept.append((start, end, units - remaining))
        remaining = Fraction(0)
    counts = [Fraction(0)] * len(bands)
    for start, end, units in kept:
        if end is None:  # the 366+ bucket only grows older: the open band keeps it
            counts[-1] += units
            continue
        start, end = start + days_ahead, end + days_ahead
        for i, band in enumerate(bands):
            # Band "181-210" is the ages [181, 211) in days.
            low = max(start, Fraction(band.start))
            high = end if band.end is None else min(end, Fraction(band.end + 1))
            if high > low:
                counts[i] += units * (high - low) / (end - start)
    return counts


@dataclass(frozen=True)
class BandCharge:
    band: AgeBand
    units: Decimal
    fee: Decimal


@dataclass(frozen=True)
class Assessment:
    """The aged-inventory surcharge of one SKU at one assessment."""

    sku: str
    on: date
    charges: tuple[BandCharge, ...]
    fee: Decimal
    currency: str
    #: Units charged, summed exactly before being written as a decimal.
    units: Decimal


def _chargeable(sku: FbaSku, table: FeeTable, band: AgeBand) -> bool:
    exempt = sku.apparel_exempt and band.end is not None and band.end <= table.apparel_exempt_through_day
    return not exempt


def aged_surcharge(sku: FbaSku, table: FeeTable, *, as_of: date, on: date | None = None,
                   units_sold: Fraction | int | None = None) -> Assessment:
    """The surcharge at the assessment ``on`` (default: the next one on or after ``as_of``, the snapshot's date).

    Units sold until then (default: the SKU's 90-day velocity × the days) leave the oldest first; a band's fee is
    units × max(unit volume × rate, the band's minimum per unit)."""
    on = on or next_assessment(as_of, day=table.assessment_day)
    days = (on - as_of).days
    if days < 0:
        raise ValueError("The assessment must not precede the snapshot.")
    sold = sku.velocity * days if units_sold is None else Fraction(units_sold)
    volume = table.volume(sku.unit_volume_ft3)
    charges, total = [], Fraction(0)
    for band, units in zip(table.aged_bands,
                           units_by_age_band(sku.ages, table.aged_bands, days_ahead=days, units_sold=sold),
                           strict=True):
        if units and _chargeable(sku, table, band):
            total += units
            units_dec = Decimal(units.numerator) / Decimal(units.denominator)
            charges.append(BandCharge(band, units_dec, _money(units_dec * band.per_unit(volume))))
    return Assessment(sku=sku.sku, on=on, charges=tuple(charges),
                      fee=sum((c.fee for c in charges), Decimal(0)), currency=table.currency,
                      units=Decimal(total.numerator) / Decimal(total.denominator))


def surcharge_forecast(sku: FbaSku, *, marketplace: str, as_of: date, months: int = 3,
                       tables: Iterable[FeeTable] | None = None) -> list[Assessment]:
    """The next ``months`` assessments, each with the table in force on its date, the units aging into the bands
    by then and the sales until then taken from the oldest."""
    tables = list(configured_fee_tables() if tables is None else tables)
    day = fee_table(marketplace, on=as_of, tables=tables).assessment_day
    forecasts, on = [], next_assessment(as_of, day=day)
    for _i in range(months):
        forecasts.append(aged_surcharge(sku, fee_table(marketplace, on=on, tables=tables), as_of=as_of, on=on))
        on = next_assessment(on + timedelta(days=1), day=day)
    return forecasts


# The action that avoids it ------------------------------------------------------------------------------------

class Action(StrEnum):
    REMOVE = "remove"
    LIQUIDATE = "liquidate"
    LOWER_PRICE = "lower_price"


ACTION_LABELS: dict[Action, StrOrPromise] = {
    Action.REMOVE: _("Remove"),
    Action.LIQUIDATE: _("Liquidate"),
    Action.LOWER_PRICE: _("Lower the price"),
}


def removal_fee(sku: FbaSku, table: FeeTable) -> Decimal:
    """The table's removal fee for one unit: by size tier (oversize and dangerous goods: the oversize bands) and
    shipping weight; a unit of unknown weight pays the heaviest flat band, so the cost is not understated."""
    bands = table.removal["oversize" if is_oversize(sku.size_tier) or sku.dangerous_goods else "standard"]
    weight = sku.unit_weight_lb
    if weight is None:
        flat = [b for b in bands if b.max_lb is not None]
        return (flat or list(bands))[-1].fee
    limit = Decimal(0)
    for band in bands:
        if band.max_lb is None:
            return band.fee + band.per_lb_above * math.ceil(max(Decimal(0), weight - limit))
        if weight <= band.max_lb:
            return band.fee
        limit = band.max_lb
    return bands[-1].fee


@dataclass(frozen=True)
class SurchargeAction:
    sku: str
    action: Action
    #: Units that would be charged at the assessment (after the sales expected until then).
    units: int
    assessment: date
    fee_avoided: Decimal
    cost: Decimal
    saves: Decimal
    #: Lower the price only: the cut as a share of the price (0.25: 25 % off) and the units a day it must sell.
    price_cut: Decimal | None = None
    target_velocity: Decimal | None = None
    reason: str = ""


def surcharge_actions(sku: FbaSku, table: FeeTable, *, as_of: date, elasticity: Decimal = Decimal(2),
                      max_price_cut: Decimal = Decimal("0.5"), removal_extra_per_unit: Decimal = Decimal(0)
                      ) -> list[SurchargeAction]:
    """Each way to avoid the SKU's next surcharge, best first (most money saved = fee avoided − action cost).

    - Remove the units that would be charged now: costs the removal fee a unit (plus ``removal_extra_per_unit``,
      the seller's own receiving cost); the goods come back.
    - Liquidate them: costs the removal fee and the goods' cost a unit, less what Amazon's liquidation returns
      (price × the table's recovery share); offered only when the unit cost and price are known.
    - Lower the price so the SKU sells them before the assessment. Demand is taken to have constant price
      elasticity ``elasticity`` (units sold ∝ price^−elasticity; 2 by default, a common estimate for discretionary
      goods): to sell at v₁ instead of v units a day the price becomes p × (v ÷ v₁)^(1/elasticity). The cost is
      the cut on every unit sold until the assessment. Offered when the SKU sells, the price is known and the cut
      is at most ``max_price_cut``.
    Nothing is returned when the assessment would charge nothing.
    """
    assessment = aged_surcharge(sku, table, as_of=as_of)
    if assessment.fee <= 0:
        return []
    days = (assessment.on - as_of).days
    units = math.ceil(round(assessment.units, 6))
    fee = assessment.fee
    options: list[SurchargeAction] = []

    remove_cost = _money((removal_fee(sku, table) + removal_extra_per_unit) * units)
    options.append(SurchargeAction(
        sku=sku.sku, action=Action.REMOVE, units=units, assessment=assessment.on, fee_avoided=fee, cost=remove_cost,
        saves=fee - remove_cost,
        reason=gettext("Remove %(units)s units before %(date)s: the surcharge is %(fee)s %(currency)s, removal "
                       "costs %(cost)s.") % {"units": units, "date": assessment.on.isoformat(), "fee": fee,
                                              "currency": table.currency, "cost": remove_cost}))

    if sku.price is not None and sku.unit_cost is not None:
        recovery = sku.price * table.liquidation_recovery
        liquidate_cost = _money((removal_fee(sku, table) + sku.unit_cost - recovery) * units)
        options.append(SurchargeAction(
            sku=sku.sku, action=Action.LIQUIDATE, units=units, assessment=assessment.on, fee_avoided=fee,
            cost=liquidate_cost, saves=fee - liquidate_cost,
            reason=gettext("Liquidate %(units)s units before %(date)s: they bring back about %(recovery)s each.")
            % {"units": units, "date": assessment.on.isoformat(), "recovery": _money(recovery)}))

    velocity = sku.velocity
    if sku.price is not None and velocity > 0 and days > 0:
        sold = velocity * days + units
        target = sold / days
        ratio = float(velocity / target) ** (1 / float(elasticity))
        cut = Decimal(str(round(1 - ratio, 4)))
        if cut <= max_price_cut:
            cost = _money(sku.price * cut * Decimal(sold.numerator) / Decimal(sold.denominator))
            target_dec = (Decimal(target.numerator) / Decimal(target.denominator)).quantize(Decimal("0.01"))
            options.append(SurchargeAction(
                sku=sku.sku, action=Action.LOWER_PRICE, units=units, assessment=assessment.on, fee_avoided=fee,
                cost=cost, saves=fee - cost, price_cut=cut, target_velocity=target_dec,
                reason=gettext("Lower the price by %(cut)s %% to sell %(velocity)s a day until %(date)s.")
                % {"cut": (cut * 100).quantize(Decimal("0.1")), "velocity": target_dec,
                   "date": assessment.on.isoformat()}))
    return sorted(options, key=lambda o: (-o.saves, list(Action).index(o.action)))


def surcharge_plan(skus: Iterable[FbaSku], table: FeeTable, *, as_of: date, **options: Any) -> list[SurchargeAction]:
    """The best action for each SKU facing a surcharge, the most money saved first."""
    best = [actions[0] for sku in skus if (actions := surcharge_actions(sku, table, as_of=as_of, **options))]
    return sorted(best, key=lambda a: (-a.saves, a.sku))
