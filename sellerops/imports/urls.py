from django.urls import path

from . import views

app_name = "imports"

urlpatterns = [
    path("", views.import_list_view, name="list"),
    path("<int:job_id>/", views.import_detail_view, name="detail"),
]
