from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list_view, name="list"),
    path("<int:job_id>/", views.import_detail_view, name="detail"),
    path("ship-confirm/", views.ship_confirm_upload_view, name="ship_confirm"),
    path("ship-confirm/<int:job_id>/", views.ship_confirm_preview_view, name="ship_confirm_preview"),
    path("ship-confirm/<int:job_id>/confirm/", views.ship_confirm_confirm_view, name="ship_confirm_confirm"),
]
