from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.health_view, name="health"),
    path("poll/", views.health_poll_view, name="health_poll"),
    path("alerts/", views.alert_list_view, name="alerts"),
    path("alerts/<int:rule_id>/", views.alert_edit_view, name="alert_edit"),
    path("alerts/<int:rule_id>/delete/", views.alert_delete_view, name="alert_delete"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("notifications/<int:notification_id>/read/", views.notification_read_view, name="notification_read"),
    path("notifications/read-all/", views.notifications_read_all_view, name="notifications_read_all"),
    path("breaches/", views.breach_list_view, name="breaches"),
    path("breaches/<int:breach_id>/", views.breach_detail_view, name="breach_detail"),
    path("breaches/<int:breach_id>/plan.txt", views.breach_plan_view, name="breach_plan"),
    path("<slug:store_code>/<str:metric>/<str:channel>/<int:window_days>/", views.drilldown_view,
         name="drilldown"),
    path("<slug:store_code>/<str:metric>/<str:channel>/<int:window_days>/trend/", views.trend_view,
         name="trend"),
]
