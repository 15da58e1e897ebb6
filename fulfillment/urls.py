from django.urls import path

import orders.urls  # noqa: F401  (registers the ``amazon_id`` converter of the order pages' paths)

from . import fba_views, views

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

#: Shipping orders: pages of the ``orders`` namespace under /orders/, beside ``orders.urls.urlpatterns``
#: (``sellerops/urls.py`` puts them together).
order_urlpatterns = [
    path("bulk/ship/", views.bulk_ship_view, name="bulk-ship"),
    path("tracking-check/", views.tracking_check_view, name="tracking-check"),
    path("at-risk/carriers/<slug:store_code>/", views.carrier_days_view, name="at-risk-carriers"),
    path("<amazon_id:amazon_order_id>/ship/", views.order_ship_view, name="ship"),
    path("<amazon_id:amazon_order_id>/trace/", views.order_trace_view, name="trace"),
    path("<amazon_id:amazon_order_id>/trace/status/", views.order_trace_status_view, name="trace-status"),
    path("<amazon_id:amazon_order_id>/replacement/", views.order_replacement_view, name="replacement"),
    path("<amazon_id:amazon_order_id>/track/", views.order_track_view, name="track"),
]

#: FBA inventory health: pages of the ``fba`` namespace under /fba/ (``sellerops/urls.py``).
fba_urlpatterns = [
    path("", fba_views.fba_health_view, name="health"),
    path("<slug:store_code>/parts/<str:part>/", fba_views.fba_part_view, name="part"),
    path("<slug:store_code>/aged/", fba_views.fba_aged_view, name="aged"),
    path("<slug:store_code>/fees/", fba_views.fba_fees_view, name="fees"),
    path("<slug:store_code>/restock/", fba_views.fba_restock_view, name="restock"),
]
