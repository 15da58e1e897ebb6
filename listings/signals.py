"""Signals through which the listings layer tells higher layers (the SP-API sync) that a listing moved.

Both are sent inside the writing transaction; a receiver that talks to Amazon acts once it commits.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.dispatch import Signal

#: The sellable quantity of these listings may have changed (an order placed or cancelled, a return restocked,
#: an adjustment, an import, goods received). Sent with ``listing_ids``.
stock_changed = Signal()

#: What Amazon shows of these listings was edited (content, price, images, attributes). Sent with
#: ``listing_ids`` and ``fields`` (the names of the model fields written).
listing_changed = Signal()


def stock_changed_send(*, listing_ids: Iterable[int]) -> None:
    ids = sorted(set(listing_ids))
    if ids:
        stock_changed.send(sender=None, listing_ids=ids)


def listing_changed_send(*, listing_ids: Iterable[int], fields: Iterable[str]) -> None:
    ids = sorted(set(listing_ids))
    if ids:
        listing_changed.send(sender=None, listing_ids=ids, fields=sorted(set(fields)))
