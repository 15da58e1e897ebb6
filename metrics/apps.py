from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MetricsConfig(AppConfig):
    name = "metrics"
    verbose_name = _("Account health")

    def ready(self) -> None:
        from . import receivers, tasks  # noqa: F401  (connects the receivers; registers the tasks)
