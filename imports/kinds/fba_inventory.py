"""The FBA Manage Inventory report: Amazon's count of every FBA listing's units, one row per SKU.

``GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA`` (and ``GET_FBA_MYI_ALL_INVENTORY_DATA``, the same layout with
suppressed listings too), through the Reports API or downloaded from Seller Central (Inventory › Manage FBA
Inventory), tab-separated.

Rules:

- Amazon holds an Amazon-fulfilled (AFN) listing's units, so its figures are written as given: available =
  ``afn-fulfillable-quantity``, reserved = ``afn-reserved-quantity``, inbound = ``afn-inbound-working-quantity``
  + ``afn-inbound-shipped-quantity`` + ``afn-inbound-receiving-quantity``, unfulfillable =
  ``afn-unsellable-quantity``. A listing whose figures change gets one stock movement (Adjusted) with the
  deltas, noting the report, through ``listings.services.stock_set_from_amazon``; its FNSKU and ASIN are
  brought to Amazon's.
- A SKU we do not hold becomes an AFN listing (title from ``product-name``, FNSKU, ASIN, price from
  ``your-price``, the store's currency, condition) with Amazon's figures. A row that says the SKU is not
  fulfilled by Amazon (``afn-listing-exists`` No, no units) creates nothing: a warning names it.
- A SKU whose listing is seller-fulfilled (MFN) keeps its stock (ours is the truth): Amazon's figures for it,
  if any, are a warning naming the SKU, not a change.
- Every AFN listing's figures (and ``afn-researching-quantity``) are also written into its FBA inventory
  snapshot of the day the file is imported (the store's local date; ``fulfillment.fba_snapshots``): a later
  report of the same day overwrites them, the same figures change nothing.
- The same SKU twice, a figure that is not a whole number from 0, or an unreadable Yes/No is an error naming
  its line, and nothing of the file is written. Importing the same file again changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulfillment.fba_snapshots import Outcome, SnapshotFigures, fba_snapshots_merge
from fulfillment.models import FbaInventorySnapshot
from listings.models import Channel, Listing
from listings.services import (
    AmazonStock,
    listing_update_from_amazon,
    listings_create_from_amazon,
    stock_set_from_amazon,
)

from ..base import Context, Counts, PlanLine
from ..parsers import Cells, Column, Row
from ._catalogue import condition_of, price_of, yes_no
from ._fba_snapshot import local_day

LABEL = gettext_lazy("FBA Manage Inventory report")
SELLER_CENTRAL_NAME = gettext_lazy("FBA Manage Inventory report (Reports › Fulfillment › Manage FBA Inventory)")
REPORT_TYPE = "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA"
REPORT_TYPES = (REPORT_TYPE, "GET_FBA_MYI_ALL_INVENTORY_DATA")
FIGURES = ("fulfillable", "unsellable", "reserved", "inbound_working", "inbound_shipped", "inbound_receiving")
COLUMNS = [
    Column("sku", "sku", required=True, aliases=("seller-sku",)),
    Column("fnsku", "fnsku"),
    Column("asin", "asin"),
    Column("title", "product-name"),
    Column("condition", "condition"),
    Column("price", "your-price"),
    Column("mfn_listing_exists", "mfn-listing-exists"),
    Column("mfn_fulfillable", "mfn-fulfillable-quantity"),
    Column("afn_listing_exists", "afn-listing-exists"),
    Column("warehouse", "afn-warehouse-quantity"),
    Column("fulfillable", "afn-fulfillable-quantity", required=True),
    Column("unsellable", "afn-unsellable-quantity", required=True),
    Column("reserved", "afn-reserved-quantity", required=True),
    Column("total", "afn-total-quantity"),
    Column("inbound_working", "afn-inbound-working-quantity", required=True),
    Column("inbound_shipped", "afn-inbound-shipped-quantity", required=True),
    Column("inbound_receiving", "afn-inbound-receiving-quantity", required=True),
    Column("researching", "afn-researching-quantity"),
]


@dataclass
class InventoryRow:
    line: int
    sku: str
    title: str
    afn_listed: bool
    stock: AmazonStock
    fields: dict[str, Any]
    #: The day's snapshot figures (``FbaInventorySnapshot`` fields).
    snapshot: dict[str, int]
    warnings: list[str] = field(default_factory=list)

    @property
    def has_units(self) -> bool:
        s = self.stock
        return bool(s.available or s.reserved or s.inbound or s.unfulfillable)


def _note() -> str:
    return _("Amazon's figures from the %(report)s") % {"report": LABEL}


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, InventoryRow] | None:
    """Check one row on its own; no database access."""
    v = row.values
    sku = cells.text("sku", required=True, max_length=40)
    fnsku = cells.text("fnsku", max_length=10)
    asin = cells.text("asin", max_length=10)
    title = cells.text("title", max_length=500)
    price = price_of(cells)
    figures = {key: cells.quantity(key) or 0 for key in FIGURES}
    researching = cells.quantity("researching") or 0 if v.get("researching") else 0
    afn_listed = yes_no(cells, "afn_listing_exists") if v.get("afn_listing_exists") else True
    condition = condition_of(cells, "condition") if v.get("condition") else ""
    if sku:
        first = ctx.first_line("sku", sku, line=row.line)
        if first is not None:
            cells.fail("sku", _("SKU %(sku)s is also on line %(line)d.") % {"sku": sku, "line": first})
    if not cells.ok:
        return None
    stock = AmazonStock(available=figures["fulfillable"], reserved=figures["reserved"],
                        inbound=figures["inbound_working"] + figures["inbound_shipped"] + figures["inbound_receiving"],
                        unfulfillable=figures["unsellable"])
    fields: dict[str, Any] = {"fnsku": fnsku.upper(), "asin": asin.upper(), "price": price, "condition": condition}
    snapshot = {"fulfillable": figures["fulfillable"], "reserved": figures["reserved"],
                "unfulfillable": figures["unsellable"], "inbound_working": figures["inbound_working"],
                "inbound_shipped": figures["inbound_shipped"], "inbound_receiving": figures["inbound_receiving"],
                "researching": researching}
    return sku, InventoryRow(line=row.line, sku=sku, title=title, afn_listed=afn_listed, stock=stock,
                             fields={name: value for name, value in fields.items() if value not in ("", None)},
                             snapshot=snapshot)


def build(groups: list[list[InventoryRow]], ctx: Context) -> list[InventoryRow]:
    return [row for group in groups for row in group]


def _plan(ctx: Context, row: InventoryRow, outcome: str, message: str) -> None:
    ctx.plan.append(PlanLine(line=row.line, order_id=row.sku, outcome=outcome, message=message,
                             warnings=list(row.warnings)))


def _warn(ctx: Context, row: InventoryRow, column: str, message: str) -> None:
    row.warnings.append(message)
    ctx.warn(row.line, ctx.headers.get(column, column), message)


def _figures(stock: AmazonStock) -> str:
    return _("%(available)d available, %(reserved)d reserved, %(inbound)d inbound, %(unfulfillable)d "
             "unfulfillable") % {"available": stock.available, "reserved": stock.reserved, "inbound": stock.inbound,
                                 "unfulfillable": stock.unfulfillable}


def _snapshots(ctx: Context, rows: list[tuple[InventoryRow, int]]) -> list[bool]:
    """Write each row's figures into its listing's snapshot of the day; whether that changed it."""
    day = local_day(ctx)
    outcomes = fba_snapshots_merge(store=ctx.store, source=FbaInventorySnapshot.Source.MANAGE_INVENTORY, figures=[
        SnapshotFigures(listing_id=listing_id, day=day, values=row.snapshot) for row, listing_id in rows])
    return [outcome != Outcome.UNCHANGED for outcome in outcomes]


def apply(rows: list[InventoryRow], ctx: Context) -> Counts:
    """Set each AFN listing's stock to Amazon's figures; create the AFN listings we lack; leave MFN stock alone."""
    counts = Counts()
    existing = {listing.sku: listing for listing in
                Listing.objects.filter(store=ctx.store, sku__in=[row.sku for row in rows])}
    new_rows = []
    held: list[tuple[InventoryRow, int, bool]] = []  # AFN listings we hold: row, listing, whether it changed
    for row in rows:
        listing = existing.get(row.sku)
        if listing is None:
            if row.afn_listed or row.has_units:
                new_rows.append(row)
                continue
            _warn(ctx, row, "afn_listing_exists", _("%(sku)s is not fulfilled by Amazon and not in this store: "
                                                    "import the All Listings report for it.") % {"sku": row.sku})
            counts.skipped += 1
            _plan(ctx, row, "skip", row.warnings[-1])
        elif listing.fulfillment_channel != Channel.AFN:
            if row.afn_listed or row.has_units:
                _warn(ctx, row, "fulfillable", _("%(sku)s is seller-fulfilled here; Amazon's figures (%(figures)s) "
                                                 "are not applied.") % {"sku": row.sku, "figures": _figures(row.stock)})
            counts.skipped += 1
            _plan(ctx, row, "skip", _("%(sku)s is seller-fulfilled: its stock is ours.") % {"sku": row.sku})
        else:
            ids = {name: value for name, value in row.fields.items() if name in ("fnsku", "asin")}
            changed = bool(listing_update_from_amazon(listing=listing, fields=ids))
            changed = stock_set_from_amazon(listing=listing, stock=row.stock, note=_note(), actor=ctx.actor,
                                            at=ctx.now) or changed
            held.append((row, listing.pk, changed))
    snapshot_changed = _snapshots(ctx, [(row, listing_id) for row, listing_id, _changed in held])
    for (row, _listing_id, changed), snapshot in zip(held, snapshot_changed, strict=True):
        if changed or snapshot:
            counts.updated += 1
            _plan(ctx, row, "write", _("Sets %(sku)s to %(figures)s.") % {"sku": row.sku,
                                                                         "figures": _figures(row.stock)})
        else:
            counts.skipped += 1
            _plan(ctx, row, "skip", _("%(sku)s is up to date.") % {"sku": row.sku})
    if new_rows:
        created = listings_create_from_amazon(store_id=ctx.store.pk, listings=[{
            **row.fields, "sku": row.sku, "title": row.title or row.sku, "currency": ctx.store.currency,
            "fulfillment_channel": Channel.AFN} for row in new_rows])
        for row, listing in zip(new_rows, created, strict=True):
            if not row.title:
                _warn(ctx, row, "title", _("Line %(line)d has no product-name: %(sku)s is named by its SKU.")
                      % {"line": row.line, "sku": row.sku})
            stock_set_from_amazon(listing=listing, stock=row.stock, note=_note(), actor=ctx.actor, at=ctx.now)
            _plan(ctx, row, "write", _("Creates %(sku)s (AFN) with %(figures)s.")
                  % {"sku": row.sku, "figures": _figures(row.stock)})
        _snapshots(ctx, list(zip(new_rows, [listing.pk for listing in created], strict=True)))
        counts.created += len(created)
    return counts

