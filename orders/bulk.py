"""Bulk actions on the queue: each order in its own transaction, each outcome reported, none silently skipped."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import ApplicationError
from core.permissions import user_can

from .models import CancelInitiator, Order
from .services import order_cancel, order_confirm


@dataclass(frozen=True)
class BulkOutcome:
    order: Order
    done: bool
    message: str


def seller_shipped(orders: Iterable[Order]) -> tuple[list[Order], list[Order]]:
    """Split ``orders`` into those the seller ships (MFN) and those Amazon ships (FBA), keeping their order."""
    orders = list(orders)
    return [o for o in orders if o.is_mfn], [o for o in orders if not o.is_mfn]


def amazon_ships_message(orders: list[Order]) -> str:
    """Why some of the selected orders are not on the bulk ship form."""
    return ngettext(
        "%(count)d order is fulfilled by Amazon and was left out: Amazon ships it (%(ids)s).",
        "%(count)d orders are fulfilled by Amazon and were left out: Amazon ships them (%(ids)s).", len(orders),
    ) % {"count": len(orders), "ids": ", ".join(o.amazon_order_id for o in orders)}


def bulk_apply(*, orders: Iterable[Order], user: User, permission: str,
               action: Callable[[Order], str]) -> list[BulkOutcome]:
    """Run ``action`` on each order in a transaction of its own; a refusal stops that order only.

    ``action`` returns what was done, in words; an ``ApplicationError`` is reported as the order's refusal.
    """
    allowed: dict[int, bool] = {}
    outcomes: list[BulkOutcome] = []
    for order in orders:
        if order.store_id not in allowed:
            allowed[order.store_id] = user_can(user=user, store=order.store_id, permission=permission)
        if not allowed[order.store_id]:
            outcomes.append(BulkOutcome(order, False, _("Your role in store %(store)s does not allow this.")
                                        % {"store": order.store.code}))
            continue
        try:
            with transaction.atomic():
                message = action(order)
        except ApplicationError as error:
            outcomes.append(BulkOutcome(order, False, error.message))
        else:
            outcomes.append(BulkOutcome(order, True, message))
    return outcomes


def bulk_confirm(*, orders: Iterable[Order], user: User) -> list[BulkOutcome]:
    def confirm(order: Order) -> str:
        order_confirm(order=order, actor=user, source="ui")
        return _("Confirmed.")

    return bulk_apply(orders=orders, user=user, permission="order.confirm", action=confirm)


def bulk_cancel(*, orders: Iterable[Order], user: User, initiator: str,
                reason: str) -> list[BulkOutcome]:
    def cancel(order: Order) -> str:
        order_cancel(order=order, initiator=initiator, reason=reason, actor=user, source="ui")
        return _("Cancelled (%(initiator)s: %(reason)s).") % {
            "initiator": CancelInitiator(initiator).label, "reason": reason}

    return bulk_apply(orders=orders, user=user, permission="order.cancel", action=cancel)
