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
