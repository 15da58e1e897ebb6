from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SpapiConfig(AppConfig):
    """Amazon's Selling Partner API: credentials, the order sync, the performance report, publishing listings."""

    name = "spapi"
    verbose_name = _("Selling Partner API")

    def ready(self) -> None:
        from listings.signals import listing_changed

        from . import tasks  # noqa: F401  (registers the tasks)
        from .receivers import listing_changed_receiver

        listing_changed.connect(listing_changed_receiver, dispatch_uid="spapi.listing_changed")
