"""What the FBA inventory reports share (Inventory Planning, Stranded, Reserved; the Manage Inventory report
too): a row's figures for one SKU on one day, written into that day's snapshot of the SKU's FBA listing.

Rules every one of them follows:

- The day is the store's local date: the report's own date where it has one (``snapshot-date``), else the
  day the file is imported.
- A SKU the store does not hold is a warning naming it, and skipped: the FBA Manage Inventory report (or the All
  Listings report) creates FBA listings; these reports only describe them. A SKU the store sells itself (MFN) is
  a warning too: Amazon's figures are not its stock.
- The same SKU twice for the same day is an error naming both lines, and nothing of the file is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from fulfillment.fba_snapshots import Outcome, SnapshotFigures, fba_snapshots_merge
from listings.models import Channel, Listing

from ..base import Context, Counts, PlanLine
from ..parsers import Cells, shown

#: Digits of a volume or a ratio read from a report (a unit's cubic feet: 0.0123).
#: The largest such figure: what every snapshot column of them holds.
NUMBER_MAX = 10**8
_PLACES = {2: Decimal("0.01"), 1: Decimal("0.1"), 4: Decimal("0.0001")}


@dataclass
class SnapshotRow:
    line: int
    sku: str
    day: date
    values: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def local_day(ctx: Context, at: datetime | None = None) -> date:
    """The store's local date of ``at`` (the import's time when None)."""
    return (at or ctx.now).astimezone(ctx.store.tz).date()


def check_sku(cells: Cells, ctx: Context, *, line: int, day: date) -> str:
    """The row's SKU; the same SKU on an earlier line for the same day is an error on this one."""
    sku = cells.text("sku", required=True, max_length=40)
    if sku:
        first = ctx.first_line("sku", sku, day.isoformat(), line=line)
        if first is not None:
            cells.fail("sku", _("SKU %(sku)s is also on line %(line)d for %(day)s.")
                       % {"sku": sku, "line": first, "day": day.isoformat()})
    return sku


def number(cells: Cells, key: str, *, places: int = 2) -> Decimal | None:
    """A figure that is not money (a volume, a ratio, days): from 0, rounded to ``places``; None when empty.

    Amazon writes a percentage with its sign in some marketplaces (``45%``): it is read as the number shown.
    """
    value = cells.row.values.get(key, "").strip().rstrip("%").strip()
    if not value:
        return None
    normalized = value.replace(",", ".") if value.count(",") == 1 and "." not in value else value.replace(",", "")
    try:
        figure = Decimal(normalized)
    except InvalidOperation:
        figure = None
    if figure is None or not figure.is_finite():
        cells.fail(key, _("%(value)s is not a number.") % {"value": shown(value)})
        return None
    if abs(figure) >= NUMBER_MAX:
        cells.fail(key, _("%(value)s is more than %(maximum)d.") % {"value": shown(value), "maximum": NUMBER_MAX})
        return None
    if figure < 0:
        cells.fail(key, _("%(value)s is less than 0.") % {"value": shown(value)})
        return None
    return figure.quantize(_PLACES[places])


def money(cells: Cells, key: str) -> Decimal | None:
    """An amount from 0; None when the cell is empty (unknown, not nothing)."""
    if not cells.row.values.get(key, "").strip():
        return None
    amount = cells.decimal(key)
    if amount < 0:
        cells.fail(key, _("%(value)s: an amount cannot be below zero.") % {"value": shown(cells.row.values[key])})
        return None
    return amount


def quantities(cells: Cells, columns: dict[str, str]) -> dict[str, int]:
    """Each snapshot field of ``columns`` (field → row key) whose cell holds a whole number from 0."""
    found = {}
    for name, key in columns.items():
        if cells.row.values.get(key, "").strip():
            value = cells.quantity(key)
            if value is not None:
                found[name] = value
    return found


def _plan(ctx: Context, row: SnapshotRow, outcome: str, message: str) -> None:
    ctx.plan.append(PlanLine(line=row.line, order_id=row.sku, outcome=outcome, message=message,
                             warnings=list(row.warnings)))


def _warn(ctx: Context, row: SnapshotRow, message: str) -> None:
    row.warnings.append(message)
    ctx.warn(row.line, ctx.headers.get("sku", "sku"), message)


def fba_listings(ctx: Context, rows: list[SnapshotRow]) -> dict[str, Listing]:
    return {listing.sku: listing for listing in
            Listing.objects.filter(store=ctx.store, sku__in={row.sku for row in rows})}


def apply_snapshots(rows: list[SnapshotRow], ctx: Context, *, source: str, report: str) -> tuple[Counts, list[int]]:
    """Write each row into its FBA listing's snapshot of the day; return the counts and the listings written."""
    counts = Counts()
    listings = fba_listings(ctx, rows)
    kept: list[tuple[SnapshotRow, Listing]] = []
    for row in rows:
        listing = listings.get(row.sku)
        if listing is None:
            _warn(ctx, row, _("%(sku)s is not in this store: import the FBA Manage Inventory report first, which "
                              "creates the FBA listings.") % {"sku": row.sku})
        elif listing.fulfillment_channel != Channel.AFN:
            _warn(ctx, row, _("%(sku)s is seller-fulfilled here: the %(report)s's figures for it are not kept.")
                  % {"sku": row.sku, "report": report})
        else:
            kept.append((row, listing))
            continue
        counts.skipped += 1
        _plan(ctx, row, "skip", row.warnings[-1])
    outcomes = fba_snapshots_merge(store=ctx.store, source=source, figures=[
        SnapshotFigures(listing_id=listing.pk, day=row.day, values=row.values) for row, listing in kept])
    for (row, _listing), outcome in zip(kept, outcomes, strict=True):
        day = row.day.isoformat()
        if outcome == Outcome.CREATED:
            counts.created += 1
            _plan(ctx, row, "write", _("Records %(sku)s on %(day)s.") % {"sku": row.sku, "day": day})
        elif outcome == Outcome.UPDATED:
            counts.updated += 1
            _plan(ctx, row, "write", _("Updates %(sku)s on %(day)s.") % {"sku": row.sku, "day": day})
        else:
            counts.skipped += 1
            _plan(ctx, row, "skip", _("%(sku)s on %(day)s is up to date.") % {"sku": row.sku, "day": day})
    return counts, [listing.pk for _row, listing in kept]


def build(groups: list[list[SnapshotRow]], ctx: Context) -> list[SnapshotRow]:
    return [row for group in groups for row in group]
