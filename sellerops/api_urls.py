"""Everything under /api/."""

from django.urls import path

from metrics.api.views import store_metrics

urlpatterns = [
    path("stores/<str:code>/metrics/", store_metrics, name="api-store-metrics"),
]
