"""Everything under /api/: the resources, the metrics of a store, the OpenAPI schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core.api.views import StoreViewSet
from fulfillment.api.views import ShipmentViewSet
from metrics.api.views import store_metrics
from orders.api.views import OrderViewSet
from returns.api.views import ReturnViewSet
from support.api.views import ClaimViewSet, FeedbackViewSet, MessageViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("stores", StoreViewSet, basename="api-store")
router.register("orders", OrderViewSet, basename="api-order")
router.register("shipments", ShipmentViewSet, basename="api-shipment")
router.register("feedback", FeedbackViewSet, basename="api-feedback")
router.register("claims", ClaimViewSet, basename="api-claim")
router.register("messages", MessageViewSet, basename="api-message")
router.register("returns", ReturnViewSet, basename="api-return")

urlpatterns = [
    path("stores/<str:code>/metrics/", store_metrics, name="api-store-metrics"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, as the Content-Security-Policy requires.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    *router.urls,
]
