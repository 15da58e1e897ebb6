from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpapiConfig(AppConfig):
    """Amazon's Selling Partner API: a store's credentials, the order sync and the performance report."""

    name = "spapi"
    verbose_name = _("Selling Partner API")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the tasks)
