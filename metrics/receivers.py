"""How metrics hears of the lower layers' writes without their importing it (``core.signals``)."""

from __future__ import annotations

from django.dispatch import receiver

from core.signals import store_data_changed
from fulfillment.signals import order_facts_drifted, order_facts_repaired

from .alerts import order_facts_drift_alert
from .services import metrics_inputs_changed, order_facts_repaired_recompute


@receiver(store_data_changed, dispatch_uid="metrics.recompute_on_change")
def recompute_on_change(sender, *, store_id: int, **kwargs) -> None:
    """A store's orders, returns, messages… changed: recompute its metrics after the commit, debounced."""
    metrics_inputs_changed(store_id=store_id)


# Fulfilment's daily check of the order facts tells of drift and of a repair by signals (it does not import metrics).
order_facts_drifted.connect(order_facts_drift_alert, dispatch_uid="metrics.order_facts_drift_alert")
order_facts_repaired.connect(order_facts_repaired_recompute, dispatch_uid="metrics.order_facts_repaired_recompute")
