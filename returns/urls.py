from django.urls import path

from . import views

app_name = "returns"

urlpatterns = [
    path("", views.return_list_view, name="list"),
    path("<int:pk>/", views.return_detail_view, name="detail"),
    path("<int:pk>/<slug:action>/", views.return_action_view, name="action"),
]
