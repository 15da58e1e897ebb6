from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SellerOpsConfig(AppConfig):
    name = "sellerops"
    verbose_name = _("Stores and users")
