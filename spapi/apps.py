from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpapiConfig(AppConfig):
    """Amazon's Selling Partner API: credentials, the order sync, the performance report, the stock pushed to
    Amazon and publishing listings."""

    name = "spapi"
    verbose_name = _("Selling Partner API")

    def ready(self) -> None:
        from . import receivers, tasks  # noqa: F401  (connects the receivers, registers the tasks)
