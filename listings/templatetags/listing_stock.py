"""``{% stock_sync listing as sync %}``: what Amazon was last told of a listing's stock (``listings.selectors``)."""

from __future__ import annotations

from django import template

from listings.models import Listing
from listings.selectors import StockSync, stock_sync_state

register = template.Library()


@register.simple_tag
def stock_sync(listing: Listing) -> StockSync | None:
    return stock_sync_state(listing)
