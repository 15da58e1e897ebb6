"""How the SP-API layer hears of the lower layers' writes without their importing it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from listings.signals import listing_changed, stock_changed

from .publish import listing_changes_queue
from .stock import stock_push_soon


def push_stock_on_change(sender: object, *, listing_ids: Iterable[int], **kwargs: object) -> None:
    """A listing's sellable quantity changed: push it to Amazon after the commit, debounced (``spapi.stock``)."""
    stock_push_soon(listing_ids=listing_ids)


def listing_changed_receiver(sender: Any, *, listing_ids: list[int], fields: list[str], **kwargs: Any) -> None:
    """Edited content, price, images or attributes of published listings: patch them on Amazon after the commit."""
    ids, changed = list(listing_ids), list(fields)
    transaction.on_commit(lambda: listing_changes_queue(listing_ids=ids, fields=changed))


stock_changed.connect(push_stock_on_change, dispatch_uid="spapi.push_stock_on_change")
listing_changed.connect(listing_changed_receiver, dispatch_uid="spapi.listing_changed")
