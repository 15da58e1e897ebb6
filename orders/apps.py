from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")

    def ready(self) -> None:
        from listings.sales import units_sold_provide

        from . import checks  # noqa: F401  (registers the system checks)
        from .selectors import units_sold_since

        # Listings sits below orders: the stock plan reads its sales from here.
        units_sold_provide(units_sold_since)
