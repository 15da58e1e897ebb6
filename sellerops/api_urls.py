"""Everything under /api/: the resources, the metrics of a store, the OpenAPI schema and its docs."""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.routers import DefaultRouter

from core.api.views import StoreViewSet
from fulfillment.api.views import OrderShipViewSet, ShipmentViewSet, TrackingEventViewSet, store_carrier_days
from listings.api.views import ListingViewSet
from metrics.api.views import store_metrics
from orders.api.views import OrderViewSet
from returns.api.views import ReturnViewSet
from support.api.views import ClaimViewSet, FeedbackViewSet, MessageViewSet

router = DefaultRouter()
router.include_format_suffixes = False
router.register("stores", StoreViewSet, basename="api-store")
router.register("orders", OrderViewSet, basename="api-order")
router.register("listings", ListingViewSet, basename="api-listing")
router.register("shipments", ShipmentViewSet, basename="api-shipment")
router.register("tracking-events", TrackingEventViewSet, basename="api-tracking-event")
router.register("feedback", FeedbackViewSet, basename="api-feedback")
router.register("claims", ClaimViewSet, basename="api-claim")
router.register("messages", MessageViewSet, basename="api-message")
router.register("returns", ReturnViewSet, basename="api-return")

urlpatterns = [
    path("stores/<str:code>/metrics/", store_metrics, name="api-store-metrics"),
    path("stores/<str:code>/carrier-days/", store_carrier_days, name="api-store-carrier-days"),
    # An order's ship action is fulfillment's view, at the address and URL name the router would give it (and
    # built as the router builds an action's view); ahead of the router, which serves the rest of /api/orders/.
    re_path(rf"^orders/(?P<amazon_order_id>{OrderShipViewSet.lookup_value_regex})/ship/$",
            OrderShipViewSet.as_view({"post": "ship"}, basename="api-order", detail=True,
                                     **OrderShipViewSet.ship.kwargs),
            name="api-order-ship"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves its start-up script as a file, as the Content-Security-Policy requires.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema", template_name="api/swagger_ui.html"),
         name="api-docs"),
    *router.urls,
]
