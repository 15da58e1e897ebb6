from django.urls import path

from . import views

app_name = "listings"

urlpatterns = [
    path("", views.listing_list_view, name="list"),
    path("export/", views.listing_export_view, name="export"),
    path("bulk/", views.listing_bulk_view, name="bulk"),
    path("bulk/apply/", views.listing_bulk_apply_view, name="bulk-apply"),
    path("<int:pk>/", views.listing_detail_view, name="detail"),
    path("<int:pk>/adjust/", views.listing_adjust_view, name="adjust"),
    path("<int:pk>/image/", views.listing_image_view, name="image"),
    path("<int:pk>/image/file/", views.listing_image_file_view, name="image-file"),
]
