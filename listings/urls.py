from django.urls import path

from . import edit_views, views

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
    path("new/", edit_views.listing_new_view, name="new"),
    path("new/validate/", edit_views.listing_validate_view, name="validate-new"),
    path("new/attributes/", edit_views.listing_attribute_fields_view, name="attributes-new"),
    path("<int:pk>/edit/", edit_views.listing_edit_view, name="edit"),
    path("<int:pk>/edit/validate/", edit_views.listing_validate_view, name="validate"),
    path("<int:pk>/edit/attributes/", edit_views.listing_attribute_fields_view, name="attributes"),
    path("<int:pk>/edit/main-image/", edit_views.listing_main_image_view, name="main-image"),
    path("<int:pk>/edit/images/", edit_views.listing_image_add_view, name="image-add"),
    path("<int:pk>/edit/images/<int:image_id>/remove/", edit_views.listing_image_remove_view, name="image-remove"),
    path("<int:pk>/edit/images/<int:image_id>/move/", edit_views.listing_image_move_view, name="image-move"),
    path("<int:pk>/images/<int:image_id>/file/", edit_views.listing_image_other_file_view, name="image-other-file"),
]
