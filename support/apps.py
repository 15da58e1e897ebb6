from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "support"
    verbose_name = _("Buyer support")

    def ready(self) -> None:
        from orders.sections import section_add

        from . import tasks  # noqa: F401  (registers the tasks)
        from .order_page import SECTIONS

        for section in SECTIONS:
            section_add(section)

        from orders.queue_tabs import QueueTab, queue_tab_add

        from .delivery_risk_selectors import at_risk_tab_count

        queue_tab_add(QueueTab(key="at_risk", label=_("Deliveries at risk"), url_name="orders:at-risk",
                               after="unshipped", count=at_risk_tab_count, alarming=True))
