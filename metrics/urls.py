from django.urls import path

from . import views

app_name = "metrics"

urlpatterns = [
    path("", views.health_view, name="health"),
    path("<slug:store_code>/<str:metric>/<str:channel>/<int:window_days>/", views.drilldown_view,
         name="drilldown"),
]
