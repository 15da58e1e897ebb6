"""Publishing pages, mounted under /listings/ by ``sellerops.urls`` (namespace ``publish``); the reconciliation
with Amazon's account-health report, mounted among the account-health pages (namespace ``metrics``)."""

from django.urls import path

from . import views
from .reconciliation import views as reconciliation_views

app_name = "publish"

urlpatterns = [
    path("publish/", views.listing_bulk_publish_view, name="bulk"),
    path("export/flat-file/", views.listing_flat_file_view, name="flat-file"),
    path("<int:pk>/publish/", views.listing_publish_view, name="publish"),
    path("<int:pk>/amazon/", views.listing_amazon_panel_view, name="panel"),
]

health_urlpatterns = [
    path("reconciliation/", reconciliation_views.reconciliation_view, name="reconciliation"),
    path("reconciliation/run/", reconciliation_views.reconciliation_run_view, name="reconciliation_run"),
    path("reconciliation/<int:pk>/", reconciliation_views.reconciliation_detail_view, name="reconciliation_detail"),
]
