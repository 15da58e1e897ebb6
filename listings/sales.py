"""Units sold of a listing's SKU, which the stock plan reads: the orders hold them, and orders sits above listings.

So orders provides them: ``orders.apps.OrdersConfig.ready`` registers ``orders.selectors.units_sold_since`` here
with ``units_sold_provide``, and the listing selectors ask for the subquery through ``units_sold_since``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from django.core.exceptions import ImproperlyConfigured
from django.db.models import Subquery

#: Given ``since``, a subquery of the units ordered of the outer listing's SKU in its store (correlated on
#: ``OuterRef("store_id")`` and ``OuterRef("sku")``) since then; NULL when none were.
UnitsSoldSince = Callable[[datetime], Subquery]

_provider: UnitsSoldSince | None = None


def units_sold_provide(provider: UnitsSoldSince) -> None:
    """Make ``provider`` the source of units sold (the orders app calls this when it is ready)."""
    global _provider
    _provider = provider


def units_sold_since(since: datetime) -> Subquery:
    """The units sold of the outer listing's SKU since ``since``, as a subquery of its queryset."""
    if _provider is None:
        raise ImproperlyConfigured("No app provides the units sold of a listing: the orders app registers them in "
                                   "its AppConfig.ready(); is \"orders\" in INSTALLED_APPS?")
    return _provider(since)
