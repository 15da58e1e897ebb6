"""Signals through which a lower layer lets a higher one react, without importing it (docs/architecture.md)."""

from __future__ import annotations

from django.dispatch import Signal

#: Something of a store that its derived figures read (orders, shipments, returns, messages, claims, feedback)
#: was written. Sent inside the writing transaction with ``store_id``; ``metrics`` connects the receiver that
#: schedules the store's recompute once the transaction commits.
store_data_changed = Signal()


def store_data_changed_send(*, store_id: int) -> None:
    """Say that ``store_id``'s data changed; what depends on it is brought up to date after the commit."""
    store_data_changed.send(sender=None, store_id=store_id)
