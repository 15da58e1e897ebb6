from django.urls import path

from . import views

app_name = "fulfillment"

urlpatterns = [
    path("", views.inbound_list_view, name="list"),
    path("inbound/new/", views.inbound_create_view, name="new"),
    path("inbound/<int:pk>/", views.inbound_detail_view, name="detail"),
    path("inbound/<int:pk>/ship/", views.inbound_ship_view, name="ship"),
    path("inbound/<int:pk>/receive/", views.inbound_receive_view, name="receive"),
    path("inbound/<int:pk>/close/", views.inbound_close_view, name="close"),
    path("inbound/<int:pk>/cancel/", views.inbound_cancel_view, name="cancel"),
]
