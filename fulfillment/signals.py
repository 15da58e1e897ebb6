"""Signals of the fulfilment app, for the apps above it (metrics) to act on without being imported here."""

from __future__ import annotations

from django.dispatch import Signal

#: The daily check found stored order facts that differ from their rows, or a trigger that keeps them missing.
#: Sent with ``drift`` (an ``order_facts.OrderFactsDrift``) and ``at`` (when the check ran).
order_facts_drifted = Signal()

#: Drifted order facts were rewritten from their rows. Sent with ``store_ids``: the stores whose facts changed.
order_facts_repaired = Signal()
