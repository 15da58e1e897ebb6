"""The All Listings report: every listing of the seller in one marketplace, one row per SKU.

The same layout comes as ``GET_MERCHANT_LISTINGS_ALL_DATA`` (All Listings), ``GET_MERCHANT_LISTINGS_DATA``
(Active Listings) and ``GET_MERCHANT_LISTINGS_INACTIVE_DATA`` (Inactive Listings), through the Reports API or
downloaded from Seller Central (Inventory › Inventory Reports), tab-separated. Japan writes its headers in
Japanese (商品名, 出品者SKU, 価格, 数量, 出品日…) in Shift-JIS; Europe may write Windows-1252.

Rules:

- A SKU we do not hold becomes a listing: title from ``item-name`` (the SKU, with a warning, when the name is
  empty), ASIN from ``asin1``, price, the store's currency, status from ``status`` (Active, Inactive,
  Incomplete, also in the marketplace's language; a report without the column, such as the Active Listings
  report, makes it Active), open date from ``open-date`` read per marketplace (``2019-02-05 08:36:12 PST``,
  ``08/07/2016 10:12:40 BST``, ``2021/03/01 10:00:00 JST``), channel from ``fulfillment-channel``
  (``DEFAULT`` is MFN, ``AMAZON_NA``/``AMAZON_EU``/``AMAZON_FE`` AFN), condition from the ``item-condition``
  code (11 New, 1–4 Used, 5–8 Collectible, 10 Refurbished), ``product-id`` and its type, description from
  ``item-description``. A new MFN listing's ``quantity`` becomes its available stock, as one stock movement
  through ``listings.services``.
- A SKU we hold has its content (title, description, condition, product id), price, status, ASIN and open
  date brought to the report's; an empty cell changes nothing. Its stock stays ours (Amazon's quantity is what
  we last told it): a ``quantity`` that differs from the listing's sellable quantity is a warning naming the
  SKU and both figures. A channel that differs from ours is a warning too, not a change.
- The same SKU twice in the file, an unknown status, channel or condition code, a price below zero or a date
  that cannot be read is an error naming its line, and nothing of the file is written. A row that changes
  nothing is skipped: importing the same file twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from listings.models import Channel, Listing
from listings.services import listing_update_from_amazon, listings_create_from_amazon, stock_adjust

from ..base import Context, Counts, PlanLine
from ..parsers import Cells, Column, Row, shown
from ._catalogue import channel_of, condition_of, price_of

LABEL = gettext_lazy("All Listings report")
SELLER_CENTRAL_NAME = gettext_lazy("All Listings report (Inventory › Inventory Reports › All Listings)")
REPORT_TYPE = "GET_MERCHANT_LISTINGS_ALL_DATA"
#: The other reports of the same layout.
REPORT_TYPES = (REPORT_TYPE, "GET_MERCHANT_LISTINGS_DATA", "GET_MERCHANT_LISTINGS_INACTIVE_DATA")
COLUMNS = [
    Column("title", "item-name", required=True, aliases=("商品名",)),
    Column("description", "item-description", aliases=("商品の説明",)),
    Column("listing_id", "listing-id", aliases=("出品ID",)),
    Column("sku", "seller-sku", required=True, aliases=("出品者SKU",)),
    Column("price", "price", aliases=("価格",)),
    Column("quantity", "quantity", aliases=("数量",)),
    Column("open_date", "open-date", aliases=("出品日",)),
    Column("product_id_type", "product-id-type", aliases=("商品IDタイプ",)),
    Column("item_note", "item-note", aliases=("コンディション説明",)),
    Column("condition", "item-condition", aliases=("コンディション",)),
    Column("asin", "asin1", aliases=("ASIN 1",)),
    Column("product_id", "product-id", aliases=("商品ID",)),
    Column("channel", "fulfillment-channel", aliases=("フルフィルメント・チャンネル", "フルフィルメント・チャネル")),
    Column("status", "status", aliases=("ステータス",)),
]
#: ``status`` as Amazon writes it, in each marketplace's language.
STATUSES = {
    "active": Listing.Status.ACTIVE, "inactive": Listing.Status.INACTIVE, "incomplete": Listing.Status.INCOMPLETE,
    "出品中": Listing.Status.ACTIVE, "出品停止中": Listing.Status.INACTIVE, "停止中": Listing.Status.INACTIVE,
    "不完全": Listing.Status.INCOMPLETE,
    "aktiv": Listing.Status.ACTIVE, "inaktiv": Listing.Status.INACTIVE, "unvollständig": Listing.Status.INCOMPLETE,
    "actif": Listing.Status.ACTIVE, "inactif": Listing.Status.INACTIVE, "incomplet": Listing.Status.INCOMPLETE,
    "attivo": Listing.Status.ACTIVE, "inattivo": Listing.Status.INACTIVE, "incompleto": Listing.Status.INCOMPLETE,
    "activo": Listing.Status.ACTIVE, "inactivo": Listing.Status.INACTIVE,
}
#: ``product-id-type`` codes.
PRODUCT_ID_TYPES = {"1": "ASIN", "2": "ISBN", "3": "UPC", "4": "EAN", "5": "JAN"}


@dataclass
class ListingRow:
    """One checked row: what the report says of one SKU (empty values say nothing)."""

    line: int
    sku: str
    title: str
    quantity: int | None
    channel: str
    fields: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def _note() -> str:
    return _("From the %(report)s") % {"report": LABEL}


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, ListingRow] | None:
    """Check one row on its own; no database access."""
    v = row.values
    sku = cells.text("sku", required=True, max_length=40)
    title = cells.text("title", max_length=500)
    asin = cells.text("asin", max_length=10)
    product_id = cells.text("product_id", max_length=40)
    price = price_of(cells)
    quantity = cells.quantity("quantity")
    opened = cells.datetime("open_date")
    if opened is not None and opened > ctx.now:
        cells.fail("open_date", _("%(value)s is in the future.") % {"value": shown(v["open_date"])})
    condition = condition_of(cells, "condition")
    channel = channel_of(cells, "channel")
    status = ""
    if v.get("status"):
        status = STATUSES.get(v["status"].strip().lower(), "")
        if not status:
            cells.fail("status", _("%(value)s is not a listing status Amazon writes (Active, Inactive, "
                                   "Incomplete).") % {"value": shown(v["status"])})
    if sku:
        first = ctx.first_line("sku", sku, line=row.line)
        if first is not None:
            cells.fail("sku", _("SKU %(sku)s is also on line %(line)d.") % {"sku": sku, "line": first})
    if not cells.ok:
        return None
    warnings = []
    if not title:
        warnings.append(_("Line %(line)d has no item-name: %(sku)s is named by its SKU.")
                        % {"line": row.line, "sku": sku})
        ctx.warn(row.line, ctx.headers["title"], warnings[-1])
    type_code = v.get("product_id_type", "").strip()
    fields: dict[str, Any] = {
        "title": title, "description": v.get("description", ""), "asin": asin.upper(), "price": price,
        "open_date": opened, "condition": condition, "status": status, "product_id": product_id,
        "product_id_type": PRODUCT_ID_TYPES.get(type_code, type_code)[:16] if product_id else "",
    }
    return sku, ListingRow(line=row.line, sku=sku, title=title, quantity=quantity, channel=channel,
                           fields={name: value for name, value in fields.items() if value not in ("", None)},
                           warnings=warnings)


def build(groups: list[list[ListingRow]], ctx: Context) -> list[ListingRow]:
    return [row for group in groups for row in group]


def _plan(ctx: Context, row: ListingRow, outcome: str, message: str) -> None:
    ctx.plan.append(PlanLine(line=row.line, order_id=row.sku, outcome=outcome, message=message,
                             warnings=list(row.warnings)))


def apply(rows: list[ListingRow], ctx: Context) -> Counts:
    """Create the SKUs we do not hold (a new MFN listing's quantity as its stock); bring the others' content to
    the report's, keeping our stock."""
    counts = Counts()
    existing = {listing.sku: listing for listing in
                Listing.objects.filter(store=ctx.store, sku__in=[row.sku for row in rows])}
    new_rows = [row for row in rows if row.sku not in existing]
    for row in rows:
        listing = existing.get(row.sku)
        if listing is not None:
            _update(ctx, row, listing, counts)
    if new_rows:
        created = listings_create_from_amazon(store_id=ctx.store.pk, listings=[{
            **row.fields, "sku": row.sku, "title": row.title or row.sku, "currency": ctx.store.currency,
            "fulfillment_channel": row.channel or Channel.MFN} for row in new_rows])
        for row, listing in zip(new_rows, created, strict=True):
            stocked = listing.fulfillment_channel == Channel.MFN and bool(row.quantity)
            if stocked:
                stock_adjust(listing=listing, available=row.quantity or 0, actor=ctx.actor, note=_note(),
                             at=ctx.now)
            _plan(ctx, row, "write", _("Creates %(sku)s (%(channel)s)%(stock)s.") % {
                "sku": row.sku, "channel": listing.fulfillment_channel,
                "stock": _(" with %(n)d available") % {"n": row.quantity} if stocked else ""})
        counts.created += len(created)
        ctx.touched.add_many("listing", [listing.pk for listing in created], created=True)
    return counts


def _update(ctx: Context, row: ListingRow, listing: Listing, counts: Counts) -> None:
    if row.channel and row.channel != listing.fulfillment_channel:
        row.warnings.append(_("%(sku)s is %(ours)s here and %(theirs)s on the report: the channel is not changed.")
                            % {"sku": row.sku, "ours": listing.fulfillment_channel, "theirs": row.channel})
        ctx.warn(row.line, ctx.headers.get("channel", "fulfillment-channel"), row.warnings[-1])
    if row.quantity is not None and listing.fulfillment_channel == Channel.MFN \
            and row.quantity != listing.sellable_quantity:
        row.warnings.append(_("%(sku)s: Amazon shows %(theirs)d, we hold %(ours)d sellable; our figure stands.")
                            % {"sku": row.sku, "theirs": row.quantity, "ours": listing.sellable_quantity})
        ctx.warn(row.line, ctx.headers.get("quantity", "quantity"), row.warnings[-1])
    changed = listing_update_from_amazon(listing=listing, fields=row.fields)
    if changed:
        counts.updated += 1
        ctx.touched.add("listing", listing.pk, created=False)
        _plan(ctx, row, "write", _("Updates %(sku)s: %(fields)s.") % {"sku": row.sku, "fields": ", ".join(changed)})
    else:
        counts.skipped += 1
        _plan(ctx, row, "skip", _("%(sku)s is up to date.") % {"sku": row.sku})
