"""Publishing pages, mounted under /listings/ by ``sellerops.urls`` (namespace ``publish``)."""

from django.urls import path

from . import views

app_name = "publish"

urlpatterns = [
    path("publish/", views.listing_bulk_publish_view, name="bulk"),
    path("export/flat-file/", views.listing_flat_file_view, name="flat-file"),
    path("<int:pk>/publish/", views.listing_publish_view, name="publish"),
    path("<int:pk>/amazon/", views.listing_amazon_panel_view, name="panel"),
]
