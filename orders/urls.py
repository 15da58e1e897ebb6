from django.urls import path, register_converter

from . import views
from .ids import AMAZON_ORDER_ID_PATTERN

app_name = "orders"


class AmazonOrderIdConverter:
    """3-7-7 digits: other paths under /orders/ never reach the order pages."""

    regex = AMAZON_ORDER_ID_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(AmazonOrderIdConverter, "amazon_id")

#: The order pages. Fulfillment adds its own to the same ``orders`` namespace (``ship``, ``bulk-ship``,
#: ``tracking-check``: ``fulfillment.urls.order_urlpatterns``), composed in ``sellerops/urls.py``.
urlpatterns = [
    path("", views.order_list_view, name="list"),
    path("export.csv", views.order_export_view, name="export"),
    path("bulk/", views.bulk_view, name="bulk"),
    path("bulk/cancel/", views.bulk_cancel_view, name="bulk-cancel"),
    path("packing-slips/", views.packing_slips_view, name="packing-slips"),
    path("<amazon_id:amazon_order_id>/", views.order_detail_view, name="detail"),
    *[
        path(f"<amazon_id:amazon_order_id>/{action}/", views.order_action_view, {"action": action}, name=action)
        for action in views.HANDLERS
    ],
]
