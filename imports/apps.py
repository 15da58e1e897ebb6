from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    """Amazon's report files, uploaded or fetched, imported into a store."""

    name = "imports"
    verbose_name = _("Report imports")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the tasks, queued by name: core.background.task_named)
