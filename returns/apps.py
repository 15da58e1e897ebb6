from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReturnsConfig(AppConfig):
    name = "returns"
    verbose_name = _("Returns")

    def ready(self) -> None:
        from orders.sections import section_add

        from .order_page import SECTIONS

        for section in SECTIONS:
            section_add(section)
