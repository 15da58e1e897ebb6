"""How the SP-API layer hears of the lower layers' writes without their importing it."""

from __future__ import annotations

from collections.abc import Iterable

from listings.signals import stock_changed

from .stock import stock_push_soon


def push_stock_on_change(sender: object, *, listing_ids: Iterable[int], **kwargs: object) -> None:
    """A listing's sellable quantity changed: push it to Amazon after the commit, debounced (``spapi.stock``)."""
    stock_push_soon(listing_ids=listing_ids)


stock_changed.connect(push_stock_on_change, dispatch_uid="spapi.push_stock_on_change")
