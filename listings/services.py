"""Every stock movement. Quantities change with conditional UPDATEs, so concurrent orders never oversell
and no quantity ever goes below zero (the database's check constraints back this up).

A movement that can change what Amazon may sell (``Listing.sellable_quantity``) bumps ``stock_version`` in the
same UPDATE and sends ``listings.signals.stock_changed``: the version is what PostgreSQL owes Amazon (pushed
while ``stock_version > stock_sent_version``), the signal lets the SP-API layer push it soon. A write elsewhere
that moves a quantity in bulk (an order import) calls ``stock_versions_bump`` with the ids it changed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, StockError

from .models import Channel, Listing, StockMovement
from .signals import listing_changed_send, stock_changed_send

#: Add to a quantity-changing UPDATE: the listing owes Amazon its new sellable quantity.
BUMP = {"stock_version": F("stock_version") + 1}


def stock_versions_bump(*, listing_ids: Iterable[int]) -> None:
    """The sellable quantity of ``listing_ids`` changed outside this module's movements (an import, an edited
    safety stock): bump their versions and tell the layers that push stock. Call inside the writing transaction."""
    ids = sorted(set(listing_ids))
    if ids:
        Listing.objects.filter(pk__in=ids).update(**BUMP)
        stock_changed_send(listing_ids=ids)


#: "Whatever it is now": the default of a write that checks no previously read value.
ANY = object()


def _record(*, listing: Listing, reason: str, available: int = 0, reserved: int = 0, inbound: int = 0,
            unfulfillable: int = 0, order=None, actor=None, note: str = "", at: datetime | None = None) -> None:
    StockMovement.objects.create(
        store_id=listing.store_id, listing=listing, reason=reason, available_delta=available,
        reserved_delta=reserved, inbound_delta=inbound, unfulfillable_delta=unfulfillable, order=order,
        actor=actor, note=note[:200], at=at or timezone.now(),
    )


@transaction.atomic
def stock_reserve(*, listing: Listing, quantity: int, order=None, at: datetime | None = None) -> int:
    """Move up to ``quantity`` units from available to reserved; return how many could be reserved."""
    if quantity <= 0:
        return 0
    current = Listing.objects.select_for_update().only("quantity_available").get(pk=listing.pk)
    reserved = min(quantity, current.quantity_available)
    if reserved:
        Listing.objects.filter(pk=listing.pk).update(
            quantity_available=F("quantity_available") - reserved,
            quantity_reserved=F("quantity_reserved") + reserved, **BUMP,
        )
        stock_changed_send(listing_ids=[listing.pk])
        _record(listing=listing, reason=StockMovement.Reason.RESERVE, available=-reserved, reserved=reserved,
                order=order, at=at)
    return reserved


@transaction.atomic
def stock_release(*, listing: Listing, quantity: int, order=None, actor=None, at: datetime | None = None) -> None:
    """Return ``quantity`` reserved units to available (a cancellation)."""
    if quantity <= 0:
        return
    updated = Listing.objects.filter(pk=listing.pk, quantity_reserved__gte=quantity).update(
        quantity_available=F("quantity_available") + quantity,
        quantity_reserved=F("quantity_reserved") - quantity, **BUMP,
    )
    if not updated:
        raise StockError(_("Cannot release %(qty)d units of %(sku)s: fewer are reserved.")
                         % {"qty": quantity, "sku": listing.sku})
    stock_changed_send(listing_ids=[listing.pk])
    _record(listing=listing, reason=StockMovement.Reason.RELEASE, available=quantity, reserved=-quantity,
            order=order, actor=actor, at=at)


@transaction.atomic
def stock_consume(*, listing: Listing, reserved: int, unreserved: int = 0, order=None, actor=None,
                  at: datetime | None = None) -> None:
    """Units leave the warehouse: ``reserved`` of them were reserved, ``unreserved`` come from available."""
    current = Listing.objects.select_for_update().only("quantity_available", "quantity_reserved").get(
        pk=listing.pk)
    if reserved > current.quantity_reserved:
        raise StockError(_("Cannot ship %(qty)d reserved units of %(sku)s: only %(have)d are reserved.")
                         % {"qty": reserved, "sku": listing.sku, "have": current.quantity_reserved})
    from_available = min(unreserved, current.quantity_available)
    if not (reserved or from_available):
        return
    # Shipping reserved units leaves the sellable quantity as it was; shipping unreserved ones lowers it.
    Listing.objects.filter(pk=listing.pk).update(
        quantity_reserved=F("quantity_reserved") - reserved,
        quantity_available=F("quantity_available") - from_available, **(BUMP if from_available else {}),
    )
    if from_available:
        stock_changed_send(listing_ids=[listing.pk])
    _record(listing=listing, reason=StockMovement.Reason.CONSUME, available=-from_available, reserved=-reserved,
            order=order, actor=actor, at=at)


@transaction.atomic
def stock_consume_available(*, quantities: Mapping[Listing, int], order=None, actor=None,
                            at: datetime | None = None) -> None:
    """Units leave the warehouse from what is available, none of them reserved (a replacement sent again): all of
    them, or none. Refuse, naming every short SKU, when a listing has fewer units available than asked."""
    wanted = {listing.pk: (listing, qty) for listing, qty in quantities.items() if qty > 0}
    # Locked in id order, as every multi-listing write locks them, so two of these cannot deadlock.
    current = {row.pk: row for row in Listing.objects.select_for_update().filter(pk__in=sorted(wanted))
               .only("quantity_available").order_by("pk")}
    short = [(listing, qty, current[pk].quantity_available) for pk, (listing, qty) in sorted(wanted.items())
             if current[pk].quantity_available < qty]
    if short:
        raise StockError(
            _("Not enough stock: %(items)s.") % {"items": "; ".join(
                _("%(sku)s needs %(qty)d, %(have)d available") % {"sku": listing.sku, "qty": qty, "have": have}
                for listing, qty, have in short)},
            extra={"short": {listing.sku: {"needed": qty, "available": have} for listing, qty, have in short}},
        )
    for _pk, (listing, qty) in sorted(wanted.items()):
        stock_consume(listing=listing, reserved=0, unreserved=qty, order=order, actor=actor, at=at)


@transaction.atomic
def stock_adjust(*, listing: Listing, available: int = 0, inbound: int = 0, reason: str = StockMovement.Reason.ADJUST,
                 actor=None, note: str = "", at: datetime | None = None) -> Listing:
    """Add (or, with negative numbers, remove) available and inbound units; refuse to go below zero."""
    current = Listing.objects.select_for_update().get(pk=listing.pk)
    if current.quantity_available + available < 0 or current.quantity_inbound + inbound < 0:
        raise StockError(
            _("%(sku)s has %(available)d available and %(inbound)d inbound; that change would go below zero.")
            % {"sku": listing.sku, "available": current.quantity_available, "inbound": current.quantity_inbound}
        )
    Listing.objects.filter(pk=listing.pk).update(
        quantity_available=F("quantity_available") + available,
        quantity_inbound=F("quantity_inbound") + inbound, **(BUMP if available else {}),
    )
    if available:
        stock_changed_send(listing_ids=[listing.pk])
    _record(listing=listing, reason=reason, available=available, inbound=inbound, actor=actor, note=note, at=at)
    current.refresh_from_db()
    return current


@transaction.atomic
def listing_set_main_image(*, listing: Listing, image) -> Listing:
    """Replace the listing's main image with the uploaded file; the old file is deleted once this commits."""
    current = Listing.objects.select_for_update().get(pk=listing.pk)
    old_name = current.main_image.name if current.main_image else ""
    current.main_image.save(image.name, image, save=False)
    current.save(update_fields=["main_image", "updated_at"])
    if old_name and old_name != current.main_image.name:
        storage = current.main_image.storage
        transaction.on_commit(lambda: storage.delete(old_name))
    return current


# --- What Amazon's catalogue reports say of a store's listings ---

#: The listing fields a report from Amazon may write. Stock is never among them: it moves through movements.
AMAZON_LISTING_FIELDS = frozenset({
    "title", "description", "condition", "price", "currency", "status", "asin", "fnsku", "open_date",
    "product_id", "product_id_type", "fulfillment_channel",
})


def _check_fields(fields: Iterable[str]) -> None:
    unknown = set(fields) - AMAZON_LISTING_FIELDS
    if unknown:
        raise ValueError(f"not a field Amazon's reports write: {sorted(unknown)}")


def listings_create_from_amazon(*, store_id: int, listings: list[Mapping[str, Any]]) -> list[Listing]:
    """Create the listings Amazon's report holds and we do not, with no stock: the caller brings their stock in
    through ``stock_adjust`` or ``stock_set_from_amazon``, so every unit has its movement."""
    for fields in listings:
        _check_fields(set(fields) - {"sku"})
    return Listing.objects.bulk_create([Listing(store_id=store_id, **fields) for fields in listings],
                                       batch_size=1000)


def listing_update_from_amazon(*, listing: Listing, fields: Mapping[str, Any]) -> list[str]:
    """Write what Amazon's report says of ``listing`` where it differs from ours; return the fields changed.

    Amazon's own view of the listing, so nothing is sent back to it (no ``listing_changed``).
    """
    _check_fields(fields)
    changed = [name for name, value in fields.items() if getattr(listing, name) != value]
    if changed:
        for name in changed:
            setattr(listing, name, fields[name])
        listing.save(update_fields=[*changed, "updated_at"])
    return changed


@dataclass(frozen=True)
class AmazonStock:
    """An Amazon-fulfilled listing's stock as Amazon counts it (the FBA Manage Inventory report)."""

    available: int
    reserved: int
    inbound: int
    unfulfillable: int


@transaction.atomic
def stock_set_from_amazon(*, listing: Listing, stock: AmazonStock, note: str, actor=None,
                          at: datetime | None = None) -> bool:
    """Set an Amazon-fulfilled listing's stock to Amazon's figures, recording the change as one ADJUST movement
    with its deltas; return whether anything changed.

    Amazon holds the units, so its figures are written as given; they are not sent back to it. A
    seller-fulfilled listing's stock is ours and is refused.
    """
    current = Listing.objects.select_for_update().get(pk=listing.pk)
    if current.fulfillment_channel != Channel.AFN:
        raise StockError(_("%(sku)s is seller-fulfilled: its stock is not Amazon's to set.") % {"sku": listing.sku})
    if min(stock.available, stock.reserved, stock.inbound, stock.unfulfillable) < 0:
        raise StockError(_("%(sku)s: a stock figure cannot be below zero.") % {"sku": listing.sku})
    deltas = {
        "available": stock.available - current.quantity_available,
        "reserved": stock.reserved - current.quantity_reserved,
        "inbound": stock.inbound - current.quantity_inbound,
        "unfulfillable": stock.unfulfillable - current.quantity_unfulfillable,
    }
    if not any(deltas.values()):
        return False
    Listing.objects.filter(pk=listing.pk).update(
        quantity_available=stock.available, quantity_reserved=stock.reserved, quantity_inbound=stock.inbound,
        quantity_unfulfillable=stock.unfulfillable)
    _record(listing=current, reason=StockMovement.Reason.ADJUST, actor=actor, note=note, at=at, **deltas)
    return True
#: The highest price the column holds (12 digits, 2 of them decimals).
PRICE_MAX = Decimal("9999999999.99")


def price_check(price: Decimal) -> None:
    """Refuse a price that is not above zero, has more than two decimals or does not fit the column."""
    if price <= 0:
        raise ApplicationError(_("A price must be above zero."))
    if price > PRICE_MAX:
        raise ApplicationError(_("A price cannot exceed %(max)s.") % {"max": PRICE_MAX})
    if price != price.quantize(Decimal("0.01")):
        raise ApplicationError(_("A price has at most two decimals."))


@transaction.atomic
def listing_set_price(*, listing: Listing, price: Decimal, expected: Decimal | None | object = ANY,
                      actor=None) -> Listing:
    """Set the listing's price and tell the layers that publish to Amazon.

    With ``expected``, refuse if the price is no longer that one (someone changed it since it was read).
    """
    price_check(price)
    current = Listing.objects.select_for_update().get(pk=listing.pk)
    if expected is not ANY and current.price != expected:
        raise ApplicationError(_("The price of %(sku)s changed meanwhile (now %(now)s); nothing was written.")
                               % {"sku": current.sku, "now": current.price if current.price is not None else "—"})
    if current.price == price:
        return current
    current.price = price
    current.save(update_fields=["price", "updated_at"])
    listing_changed_send(listing_ids=[current.pk], fields=["price"])
    return current


#: The fields ``listing_update`` writes; of them, those Amazon shows are announced with ``listing_changed``.
EDITABLE_FIELDS = frozenset({
    "asin", "fnsku", "title", "brand", "core_function", "key_attributes", "bullets", "description", "product_type",
    "attributes", "condition", "handling_time_days", "price", "currency", "safety_stock", "lead_time_days",
})
#: Editable fields that only plan the stock here; Amazon does not show them.
_PLANNING_FIELDS = frozenset({"lead_time_days"})


@transaction.atomic
def stock_adjust_by_seller(*, listing: Listing, available: int = 0, inbound: int = 0,
                           reason: str = StockMovement.Reason.ADJUST, actor=None, note: str = "") -> Listing:
    """A seller's own stock change: available units of an FBA listing are Amazon's count, so they are refused."""
    if available and listing.fulfillment_channel == Channel.AFN:
        raise StockError(_("%(sku)s is fulfilled by Amazon: its available quantity is Amazon's and changes only "
                           "with Amazon's reports.") % {"sku": listing.sku})
    return stock_adjust(listing=listing, available=available, inbound=inbound, reason=reason, actor=actor,
                        note=note)


@transaction.atomic
def listing_create(*, store, sku: str, title: str, fields: dict | None = None, opening_quantity: int = 0,
                   actor=None) -> Listing:
    """A new listing of ``store``; its opening stock (seller-fulfilled only) is recorded as a stock movement."""
    fields = dict(fields or {})
    unknown = set(fields) - EDITABLE_FIELDS - {"fulfillment_channel"}
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if Listing.objects.filter(store=store, sku=sku).exists():
        raise ApplicationError(_("Store %(store)s already has a listing %(sku)s.") % {"store": store.code, "sku": sku})
    if fields.get("price") is not None:
        price_check(fields["price"])
    fields.setdefault("currency", store.currency)
    if opening_quantity and fields.get("fulfillment_channel") == Channel.AFN:
        raise StockError(_("An FBA listing's stock is Amazon's: give no opening quantity."))
    listing = Listing.objects.create(store=store, sku=sku, title=title, **fields)
    if opening_quantity:
        stock_adjust(listing=listing, available=opening_quantity, reason=StockMovement.Reason.ADJUST, actor=actor,
                     note=_("Opening stock"))
        listing.refresh_from_db()
    return listing


@transaction.atomic
def listing_update(*, listing: Listing, changes: dict, actor=None) -> Listing:
    """Write ``changes`` (``EDITABLE_FIELDS`` only; never quantities) and announce what changed: content and price
    to the publishing layer, the safety stock (which moves the sellable quantity) to the stock sync."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    if changes.get("price") is not None:
        price_check(changes["price"])
    current = Listing.objects.select_for_update().get(pk=listing.pk)
    changed = sorted(name for name, value in changes.items() if getattr(current, name) != value)
    if not changed:
        return current
    for name in changed:
        setattr(current, name, changes[name])
    current.save(update_fields=[*changed, "updated_at"])
    shown = set(changed) - _PLANNING_FIELDS - {"safety_stock"}
    if shown:
        listing_changed_send(listing_ids=[current.pk], fields=shown)
    if "safety_stock" in changed:
        stock_changed_send(listing_ids=[current.pk])
    return current
