"""The Stranded Inventory report: FBA units at Amazon that no active offer sells.

``GET_STRANDED_INVENTORY_UI_DATA`` through the Reports API, or downloaded from Seller Central (Inventory ›
Inventory Planning › Fix Stranded Inventory), tab-separated. It lists every stranded SKU, so, on the day it is
imported (the store's local date), each SKU it lists gets ``fulfillable-qty`` as its stranded units with the
reason (``stranded-reason``, else ``status-primary`` and ``error-message``) and ``date-stranded``; each SKU the
day's snapshots hold as stranded and the report no longer lists is stranded no more.

The report's fulfillable, reserved and inbound figures are the stranded SKU's: the snapshot's unit counts are
left to the FBA Manage Inventory and Inventory Planning reports, which count every unit once.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy

from fulfillment.fba_snapshots import fba_stranded_clear
from fulfillment.models import FbaInventorySnapshot

from ..base import Context, Counts
from ..parsers import Cells, Column, Row
from . import _fba_snapshot
from ._fba_snapshot import SnapshotRow, check_sku, local_day

LABEL = gettext_lazy("Stranded Inventory report")
SELLER_CENTRAL_NAME = gettext_lazy("Stranded Inventory report (Inventory › Inventory Planning › Fix Stranded "
                                   "Inventory)")
REPORT_TYPE = "GET_STRANDED_INVENTORY_UI_DATA"
SOURCE = FbaInventorySnapshot.Source.STRANDED
COLUMNS = [
    Column("primary_action", "primary-action"),
    Column("date_stranded", "date-stranded", required=True),
    Column("status_primary", "status-primary"),
    Column("status_secondary", "status-secondary"),
    Column("error_message", "error-message"),
    Column("reason", "stranded-reason"),
    Column("asin", "asin"),
    Column("sku", "sku", required=True),
    Column("fnsku", "fnsku"),
    Column("title", "product-name"),
    Column("condition", "condition"),
    Column("fulfilled_by", "fulfilled-by"),
    Column("fulfillable", "fulfillable-qty", required=True),
    Column("price", "your-price"),
    Column("unfulfillable", "unfulfillable-qty"),
    Column("reserved", "reserved-quantity"),
    Column("inbound_shipped", "inbound-shipped-qty"),
]
_REASON_CHARS = 300


def _reason(cells: Cells) -> str:
    v = cells.row.values
    parts = [v.get("reason", "")] if v.get("reason") else [v.get("status_primary", ""), v.get("error_message", "")]
    reason = " · ".join(part.strip() for part in parts if part and part.strip())
    return reason if len(reason) <= _REASON_CHARS else reason[:_REASON_CHARS - 1] + "…"


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, SnapshotRow] | None:
    """Check one row on its own; no database access."""
    day = local_day(ctx)
    sku = check_sku(cells, ctx, line=row.line, day=day)
    stranded = cells.quantity("fulfillable", required=True)
    since = cells.datetime("date_stranded")
    for key in ("unfulfillable", "reserved", "inbound_shipped"):
        if row.values.get(key):
            cells.quantity(key)
    if not cells.ok:
        return None
    values: dict[str, Any] = {"stranded_units": stranded or 0, "stranded_reason": _reason(cells),
                              "stranded_since": local_day(ctx, since) if since else None}
    return f"{sku}\x1f{day.isoformat()}", SnapshotRow(line=row.line, sku=sku, day=day, values=values)


build = _fba_snapshot.build


def apply(rows: list[SnapshotRow], ctx: Context) -> Counts:
    counts, written = _fba_snapshot.apply_snapshots(rows, ctx, source=SOURCE, report=str(LABEL))
    ctx.state.setdefault("listings", set()).update(written)
    return counts


def finish(ctx: Context) -> Counts:
    """The SKUs the day's snapshots hold as stranded that the report no longer lists are stranded no more."""
    cleared = fba_stranded_clear(store=ctx.store, days=[local_day(ctx)],
                                 keep_listing_ids=ctx.state.get("listings", set()))
    return Counts(updated=cleared)
