"""The Reserved Inventory report: each FBA SKU's reserved units and why they are reserved.

``GET_RESERVED_INVENTORY_DATA`` through the Reports API, or downloaded from Seller Central (Reports ›
Fulfillment › Reserved Inventory), tab-separated: ``reserved_qty`` and its parts ``reserved_customerorders``
(units of orders not yet shipped), ``reserved_fc-transfers`` (moving between fulfilment centres) and
``reserved_fc-processing`` (held for a check, a removal…), written into the SKU's snapshot of the day the file is
imported (the store's local date). Newer files add ``reserved_staging`` and ``program``: the total is kept as
written, never recomputed from the parts.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from fulfillment.models import FbaInventorySnapshot

from ..base import Context, Counts
from ..parsers import Cells, Column, Row
from . import _fba_snapshot
from ._fba_snapshot import SnapshotRow, check_sku, local_day, quantities

LABEL = gettext_lazy("Reserved Inventory report")
SELLER_CENTRAL_NAME = gettext_lazy("Reserved Inventory report (Reports › Fulfillment › Reserved Inventory)")
REPORT_TYPE = "GET_RESERVED_INVENTORY_DATA"
SOURCE = FbaInventorySnapshot.Source.RESERVED
COLUMNS = [
    Column("sku", "sku", required=True),
    Column("fnsku", "fnsku"),
    Column("asin", "asin"),
    Column("title", "product-name"),
    Column("reserved", "reserved_qty", required=True),
    Column("customer_orders", "reserved_customerorders"),
    Column("fc_transfers", "reserved_fc-transfers"),
    Column("fc_processing", "reserved_fc-processing"),
]
_PARTS = {"reserved_customer_orders": "customer_orders",
           "reserved_fc_transfers": "fc_transfers", "reserved_fc_processing": "fc_processing"}


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, SnapshotRow] | None:
    """Check one row on its own; no database access."""
    day = local_day(ctx)
    sku = check_sku(cells, ctx, line=row.line, day=day)
    reserved = cells.quantity("reserved", required=True)
    values = {**quantities(cells, _PARTS), "reserved": reserved}
    if not cells.ok:
        return None
    return f"{sku}\x1f{day.isoformat()}", SnapshotRow(line=row.line, sku=sku, day=day, values=values)


build = _fba_snapshot.build


def apply(rows: list[SnapshotRow], ctx: Context) -> Counts:
    counts, _written = _fba_snapshot.apply_snapshots(rows, ctx, source=SOURCE, report=str(LABEL))
    return counts
