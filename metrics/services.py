"""Metric recomputation triggers. The engine itself lives in ``metrics.engine``."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

#: A burst of changes to one store within this many seconds makes one recompute.
RECOMPUTE_DEBOUNCE_SECONDS = 30


def metrics_inputs_changed(*, store_id: int) -> None:
    """Schedule one recompute of ``store_id``'s metrics after this transaction commits, debounced."""

    def enqueue() -> None:
        from .tasks import metrics_recompute_store_task

        # cache.add is atomic: only the first change in a debounce window enqueues; the task runs after the
        # window so it sees every change made during it.
        if cache.add(f"metrics:recompute-pending:{store_id}", 1, timeout=RECOMPUTE_DEBOUNCE_SECONDS):
            metrics_recompute_store_task.apply_async(args=[store_id], countdown=RECOMPUTE_DEBOUNCE_SECONDS)

    transaction.on_commit(enqueue)


def metrics_recompute_store(*, store_id: int, as_of: str | None = None) -> None:
    """Recompute every metric of one store (filled in by the metrics engine)."""
    cache.delete(f"metrics:recompute-pending:{store_id}")
