from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Stores, memberships, roles and the kits every other app stands on.

    Its label is still ``sellerops`` (the package's name before the core had one of its own), so its tables,
    migrations and admin addresses keep their names.
    """

    name = "core"
    label = "sellerops"
    verbose_name = _("Stores and users")

    def ready(self) -> None:
        from . import tasks  # noqa: F401  (registers the tasks, queued by name: core.background.task_named)
