"""The FBA Inventory Planning report (Inventory Age, Manage Excess Inventory): each FBA SKU's units by age,
Amazon's sales, storage and fee figures on the day of its ``snapshot-date``.

``GET_FBA_INVENTORY_PLANNING_DATA`` through the Reports API, or downloaded from Seller Central (Inventory ›
Inventory Planning › Inventory Age / FBA Inventory), tab-separated. The older Inventory Age report
(``GET_FBA_INVENTORY_AGED_DATA``) has the same first columns and is read the same way. The columns changed over
the years; each is read when the file has it:

- units by age: ``inv-age-0-to-90-days`` (or its parts ``inv-age-0-to-30-days`` + ``31-to-60`` + ``61-to-90``),
  ``inv-age-91-to-180-days``, ``inv-age-181-to-270-days``, ``inv-age-271-to-365-days``, ``inv-age-365-plus-days``.
  A file with only the newer ``inv-age-181-to-330-days`` and ``inv-age-331-to-365-days`` has its 181–330 units
  kept as 181–270 and its 331–365 units as 271–365 (the aged-inventory fees charge both from day 181);
- the aged-inventory fee due next: ``estimated-ltsf-next-charge``, else the sum of the older report's
  ``projected-ltsf-*`` columns, else the sum of the newer ``estimated-ais-*`` (aged inventory surcharge) columns;
- ``available`` → fulfillable, ``reserved-quantity`` (``Total Reserved Quantity``), ``unfulfillable-quantity``,
  ``inbound-working``, ``inbound-shipped``, ``inbound-received`` (→ receiving), ``pending-removal-quantity``,
  ``units-shipped-t7/t30/t60/t90``, ``sell-through``, ``days-of-supply``, ``estimated-excess-quantity``,
  ``estimated-storage-cost-next-month`` with ``currency``, ``storage-volume``, ``item-volume`` with
  ``volume-unit-measurement``, ``storage-type`` (the size tier), ``recommended-action``.

A figure that is not a number from 0 is an error naming its line and column, and nothing of the file is written.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from fulfillment.models import FbaInventorySnapshot

from ..base import Context, Counts
from ..parsers import Cells, Column, Row
from . import _fba_snapshot
from ._fba_snapshot import SnapshotRow, check_sku, local_day, money, number, quantities

LABEL = gettext_lazy("FBA Inventory Planning report")
SELLER_CENTRAL_NAME = gettext_lazy("FBA Inventory Planning report (Inventory › Inventory Planning › Inventory Age)")
REPORT_TYPE = "GET_FBA_INVENTORY_PLANNING_DATA"
REPORT_TYPES = (REPORT_TYPE, "GET_FBA_INVENTORY_AGED_DATA")
SOURCE = FbaInventorySnapshot.Source.PLANNING

_AGES = {
    "age_0_30": "inv-age-0-to-30-days", "age_31_60": "inv-age-31-to-60-days", "age_61_90": "inv-age-61-to-90-days",
    "age_0_90": "inv-age-0-to-90-days", "age_91_180": "inv-age-91-to-180-days",
    "age_181_270": "inv-age-181-to-270-days", "age_271_365": "inv-age-271-to-365-days",
    "age_181_330": "inv-age-181-to-330-days", "age_331_365": "inv-age-331-to-365-days",
    "age_365_plus": "inv-age-365-plus-days",
}
#: The older report's projected long-term storage fees (their month counts changed: 6, 9, 11, 12).
_PROJECTED_LTSF = {f"projected_ltsf_{n}": f"projected-ltsf-{n}-mo" for n in (6, 9, 11, 12)}
_AIS = {f"ais_{span}": f"estimated-ais-{span}-days"
        for span in ("181-210", "211-240", "241-270", "271-300", "301-330", "331-365", "365-plus")}
#: Snapshot field → row key, for the whole numbers read as they are.
_QUANTITIES = {
    "fulfillable": "available", "pending_removal": "pending_removal", "reserved": "reserved",
    "unfulfillable": "unfulfillable", "inbound_working": "inbound_working", "inbound_shipped": "inbound_shipped",
    "inbound_receiving": "inbound_received", "units_shipped_t7": "t7", "units_shipped_t30": "t30",
    "units_shipped_t60": "t60", "units_shipped_t90": "t90", "estimated_excess_units": "excess",
    "reserved_customer_orders": "reserved_customer_orders", "reserved_fc_transfers": "reserved_fc_transfers",
    "reserved_fc_processing": "reserved_fc_processing",
}

COLUMNS = [
    Column("snapshot_date", "snapshot-date", required=True),
    Column("sku", "sku", required=True),
    Column("fnsku", "fnsku"),
    Column("asin", "asin"),
    Column("title", "product-name"),
    Column("condition", "condition"),
    Column("available", "available", required=True),
    Column("pending_removal", "pending-removal-quantity"),
    *(Column(key, header, required=key == "age_91_180") for key, header in _AGES.items()),
    Column("currency", "currency"),
    *(Column(key, header) for key, header in _PROJECTED_LTSF.items()),
    Column("ltsf_next", "estimated-ltsf-next-charge"),
    *(Column(key, header) for key, header in _AIS.items()),
    Column("t7", "units-shipped-t7"),
    Column("t30", "units-shipped-t30"),
    Column("t60", "units-shipped-t60"),
    Column("t90", "units-shipped-t90"),
    Column("recommended_action", "recommended-action"),
    Column("sell_through", "sell-through"),
    Column("item_volume", "item-volume"),
    Column("volume_unit", "volume-unit-measurement"),
    Column("storage_type", "storage-type"),
    Column("storage_volume", "storage-volume"),
    Column("days_of_supply", "days-of-supply"),
    Column("excess", "estimated-excess-quantity"),
    Column("storage_cost", "estimated-storage-cost-next-month"),
    Column("inbound_working", "inbound-working"),
    Column("inbound_shipped", "inbound-shipped"),
    Column("inbound_received", "inbound-received"),
    Column("reserved", "reserved-quantity", aliases=("Total Reserved Quantity",)),
    Column("unfulfillable", "unfulfillable-quantity"),
    Column("reserved_customer_orders", "Reserved Customer Order"),
    Column("reserved_fc_transfers", "Reserved FC Transfer"),
    Column("reserved_fc_processing", "Reserved FC Processing"),
]


def _sum(cells: Cells, keys: list[str]) -> int | None:
    """The sum of the cells of ``keys`` that hold a number; None when none does."""
    present = [key for key in keys if cells.row.values.get(key, "").strip()]
    if not present:
        return None
    return sum(cells.quantity(key) or 0 for key in present)


def _money_sum(cells: Cells, keys: list[str]) -> Any:
    present = [key for key in keys if cells.row.values.get(key, "").strip()]
    if not present:
        return None
    return sum((money(cells, key) or 0 for key in present), start=0)


def _ages(cells: Cells) -> dict[str, int]:
    ages: dict[str, int] = {}
    for name, keys in (("age_0_90", ["age_0_90"]), ("age_91_180", ["age_91_180"]),
                       ("age_181_270", ["age_181_270"]), ("age_271_365", ["age_271_365"]),
                       ("age_365_plus", ["age_365_plus"])):
        value = _sum(cells, keys)
        if value is not None:
            ages[name] = value
    # Newer layouts: the first bucket in parts, the fee buckets 181–330 and 331–365.
    if "age_0_90" not in ages and (parts := _sum(cells, ["age_0_30", "age_31_60", "age_61_90"])) is not None:
        ages["age_0_90"] = parts
    if "age_181_270" not in ages and "age_271_365" not in ages:
        for name, key in (("age_181_270", "age_181_330"), ("age_271_365", "age_331_365")):
            if (value := _sum(cells, [key])) is not None:
                ages[name] = value
    return ages


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, SnapshotRow] | None:
    """Check one row on its own; no database access."""
    v = row.values
    at = cells.datetime("snapshot_date", required=True)
    day = local_day(ctx, at)
    sku = check_sku(cells, ctx, line=row.line, day=day)
    values: dict[str, Any] = quantities(cells, _QUANTITIES)
    values.update(_ages(cells))
    ltsf = money(cells, "ltsf_next") if v.get("ltsf_next") else None
    if ltsf is None:
        ltsf = _money_sum(cells, list(_PROJECTED_LTSF)) if any(v.get(k) for k in _PROJECTED_LTSF) else None
    if ltsf is None:
        ltsf = _money_sum(cells, list(_AIS))
    figures = {
        "estimated_ltsf_next_charge": ltsf,
        "estimated_storage_cost_next_month": money(cells, "storage_cost"),
        "sell_through": number(cells, "sell_through"),
        "days_of_supply": number(cells, "days_of_supply", places=1),
        "storage_volume": number(cells, "storage_volume", places=4),
        "item_volume": number(cells, "item_volume", places=4),
    }
    values.update({name: value for name, value in figures.items() if value is not None})
    texts = {"currency": cells.text("currency", max_length=3).upper(),
             "volume_unit": cells.text("volume_unit", max_length=20),
             "size_tier": cells.text("storage_type", max_length=40),
             "recommended_action": cells.text("recommended_action", max_length=200)}
    values.update({name: value for name, value in texts.items() if value})
    if not cells.ok:
        return None
    return f"{sku}\x1f{day.isoformat()}", SnapshotRow(line=row.line, sku=sku, day=day, values=values)


build = _fba_snapshot.build


def apply(rows: list[SnapshotRow], ctx: Context) -> Counts:
    counts, _written = _fba_snapshot.apply_snapshots(rows, ctx, source=SOURCE, report=str(LABEL))
    return counts
