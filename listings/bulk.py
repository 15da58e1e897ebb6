"""Bulk edits of the listing list: price and available quantity, previewed, then applied listing by listing.

The preview computes each selected listing's new value, or why it is refused, without writing. Confirming sends
back the values the preview showed as old; each listing is then written in a transaction of its own, under a row
lock, and only if its value is still the previewed one (a listing changed meanwhile, by an order, an import or a
colleague, is refused with its current value, never silently overwritten). One refusal stops that listing only:
each row is whole or untouched, and the result lists every row's outcome.

Prices go through ``listing_set_price`` (which tells the publishing layer), quantities through ``stock_adjust``
(which records the movement); only seller-fulfilled (MFN) quantities are ours to change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from core.permissions import user_grants

from .models import Channel, Listing, StockMovement
from .services import PRICE_MAX, listing_set_price, stock_adjust

CENT = Decimal("0.01")


class Operation(models.TextChoices):
    PRICE_SET = "price_set", gettext_lazy("Set price to")
    PRICE_ADD = "price_add", gettext_lazy("Increase price by (amount)")
    PRICE_SUB = "price_sub", gettext_lazy("Decrease price by (amount)")
    PRICE_PCT_UP = "price_pct_up", gettext_lazy("Increase price by %")
    PRICE_PCT_DOWN = "price_pct_down", gettext_lazy("Decrease price by %")
    QTY_SET = "qty_set", gettext_lazy("Set available to")
    QTY_ADD = "qty_add", gettext_lazy("Add units")
    QTY_REMOVE = "qty_remove", gettext_lazy("Remove units")


PRICE_OPERATIONS = frozenset({Operation.PRICE_SET, Operation.PRICE_ADD, Operation.PRICE_SUB,
                              Operation.PRICE_PCT_UP, Operation.PRICE_PCT_DOWN})
QUANTITY_OPERATIONS = frozenset({Operation.QTY_SET, Operation.QTY_ADD, Operation.QTY_REMOVE})


def permission_of(operation: str) -> str:
    """The role-table entry an operation needs in each listing's store."""
    return "listing.edit" if operation in PRICE_OPERATIONS else "stock.adjust"


def price_after(old: Decimal | None, operation: str, amount: Decimal) -> Decimal:
    """The new price, rounded half up to the cent; refused (``ApplicationError``) if it would not be above zero."""
    if operation == Operation.PRICE_SET:
        new = amount
    elif old is None:
        raise ApplicationError(_("Has no price to change; set one instead."))
    elif operation == Operation.PRICE_ADD:
        new = old + amount
    elif operation == Operation.PRICE_SUB:
        new = old - amount
    elif operation == Operation.PRICE_PCT_UP:
        new = old * (1 + amount / 100)
    elif operation == Operation.PRICE_PCT_DOWN:
        new = old * (1 - amount / 100)
    else:
        raise ValueError(operation)
    new = new.quantize(CENT, rounding=ROUND_HALF_UP)
    if new <= 0:
        raise ApplicationError(_("Would be zero or below (%(price)s).") % {"price": new})
    if new > PRICE_MAX:
        raise ApplicationError(_("Would exceed the highest price, %(max)s.") % {"max": PRICE_MAX})
    return new


def quantity_after(old: int, operation: str, amount: int) -> int:
    """The new available quantity; refused if it would go below zero."""
    if operation == Operation.QTY_SET:
        new = amount
    elif operation == Operation.QTY_ADD:
        new = old + amount
    elif operation == Operation.QTY_REMOVE:
        new = old - amount
    else:
        raise ValueError(operation)
    if new < 0:
        raise ApplicationError(_("Would go below zero (%(available)d available).") % {"available": old})
    return new


def value_text(value: Decimal | int | None) -> str:
    """A previewed value as the confirmation form carries it back."""
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, Decimal) else str(value)


@dataclass(frozen=True)
class BulkChange:
    """One listing's line of the preview or the result: old → new, or why not."""

    listing: Listing
    old: Decimal | int | None
    new: Decimal | int | None = None
    refusal: str = ""
    done: bool = False

    @property
    def old_text(self) -> str:
        return value_text(self.old)


def _current(listing: Listing, operation: str) -> Decimal | int | None:
    return listing.price if operation in PRICE_OPERATIONS else listing.quantity_available


def change_of(listing: Listing, operation: str, amount: Decimal, *, permitted: bool) -> BulkChange:
    """What ``operation`` would do to ``listing`` as it is now (no write)."""
    old = _current(listing, operation)
    if not permitted:
        return BulkChange(listing, old, refusal=_("Your role in store %(store)s does not allow this.")
                          % {"store": listing.store.code})
    try:
        if operation in PRICE_OPERATIONS:
            new: Decimal | int = price_after(listing.price, operation, amount)
        else:
            if listing.fulfillment_channel == Channel.AFN:
                raise ApplicationError(_("FBA quantity is Amazon's: it changes only with Amazon's reports."))
            new = quantity_after(listing.quantity_available, operation, int(amount))
    except ApplicationError as refusal:
        return BulkChange(listing, old, refusal=refusal.message)
    if new == old:
        return BulkChange(listing, old, new, refusal=_("Already at that value: nothing to change."))
    return BulkChange(listing, old, new)


def _permitted(user: User, operation: str) -> Callable[[int], bool]:
    """Whether ``user`` may perform ``operation`` in a store (their roles read once)."""
    grants, permission = user_grants(user=user), permission_of(operation)
    return lambda store_id: grants.can(permission, store_id)


def bulk_preview(*, listings: Iterable[Listing], user: User, operation: str, amount: Decimal) -> list[BulkChange]:
    """Each listing's change, or refusal, as confirming now would make it (nothing is written)."""
    permitted = _permitted(user, operation)
    return [change_of(listing, operation, amount, permitted=permitted(listing.store_id)) for listing in listings]


def _apply_one(listing: Listing, operation: str, amount: Decimal, expected: str | None, user: User) -> BulkChange:
    with transaction.atomic():
        current = Listing.objects.select_for_update().select_related("store").get(pk=listing.pk)
        change = change_of(current, operation, amount, permitted=True)
        if expected is None:
            return BulkChange(current, change.old, refusal=_("Not in the preview: preview again."))
        if value_text(change.old) != expected:
            return BulkChange(current, change.old, refusal=_(
                "Changed since the preview (was %(was)s, now %(now)s): nothing written; preview again.")
                % {"was": expected or "—", "now": value_text(change.old) or "—"})
        if change.refusal:
            return change
        if operation in PRICE_OPERATIONS:
            assert isinstance(change.new, Decimal)
            listing_set_price(listing=current, price=change.new, expected=current.price, actor=user)
        else:
            assert isinstance(change.new, int) and isinstance(change.old, int)
            stock_adjust(listing=current, available=change.new - change.old, reason=StockMovement.Reason.ADJUST,
                         actor=user, note=_("Bulk edit: %(operation)s %(amount)s")
                         % {"operation": Operation(operation).label, "amount": amount})
    return BulkChange(current, change.old, change.new, done=True)


def bulk_apply(*, listings: Iterable[Listing], user: User, operation: str, amount: Decimal,
               expected: Mapping[int, str]) -> list[BulkChange]:
    """Apply ``operation`` to each listing whose value is still ``expected[listing.pk]`` (the previewed old value),
    each in its own transaction; every listing's outcome is returned, done or refused and why."""
    permitted = _permitted(user, operation)
    outcomes: list[BulkChange] = []
    for listing in listings:
        if not permitted(listing.store_id):
            outcomes.append(change_of(listing, operation, amount, permitted=False))
            continue
        try:
            outcomes.append(_apply_one(listing, operation, amount, expected.get(listing.pk), user))
        except ApplicationError as refusal:
            outcomes.append(BulkChange(listing, _current(listing, operation), refusal=refusal.message))
    return outcomes
