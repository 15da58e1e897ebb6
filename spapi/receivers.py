"""What the SP-API layer does when the listings layer says a listing changed."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from .publish import listing_changes_queue


def listing_changed_receiver(sender: Any, *, listing_ids: list[int], fields: list[str], **kwargs: Any) -> None:
    """Edited content, price, images or attributes of published listings: patch them on Amazon after the commit."""
    ids, changed = list(listing_ids), list(fields)
    transaction.on_commit(lambda: listing_changes_queue(listing_ids=ids, fields=changed))
