from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpapiConfig(AppConfig):
    """Amazon's Selling Partner API: a store's credentials, the order sync, the performance report and the stock
    pushed to Amazon."""

    name = "spapi"
    verbose_name = _("Selling Partner API")

    def ready(self) -> None:
        from . import receivers, tasks  # noqa: F401  (connects the receivers, registers the tasks)
