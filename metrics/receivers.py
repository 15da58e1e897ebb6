"""How metrics hears of the lower layers' writes without their importing it (``core.signals``)."""

from __future__ import annotations

from django.dispatch import receiver

from core.signals import store_data_changed

from .services import metrics_inputs_changed


@receiver(store_data_changed, dispatch_uid="metrics.recompute_on_change")
def recompute_on_change(sender, *, store_id: int, **kwargs) -> None:
    """A store's orders, returns, messages… changed: recompute its metrics after the commit, debounced."""
    metrics_inputs_changed(store_id=store_id)
