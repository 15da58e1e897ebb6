from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Account health")

    def ready(self) -> None:
        # The fulfilment app tells of drifted and repaired order facts by signals: it does not import metrics.
        from fulfillment.signals import order_facts_drifted, order_facts_repaired

        from .alerts import order_facts_drift_alert
        from .services import order_facts_repaired_recompute

        order_facts_drifted.connect(order_facts_drift_alert, dispatch_uid="metrics.order_facts_drift_alert")
        order_facts_repaired.connect(order_facts_repaired_recompute,
                                     dispatch_uid="metrics.order_facts_repaired_recompute")
