from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import fulfillment.urls
import metrics.urls
import orders.urls
import spapi.urls
import support.urls
from core import views
from returns.exports import return_export_view

urlpatterns = [
    path("", views.home_view, name="home"),
    path("accounts/login/", views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/preferences/", views.preferences_view, name="preferences"),
    path("accounts/store/", views.store_choose_view, name="store_choose"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    # The language switch keeps a signed-in user's choice on their profile; then Django's own view.
    path("i18n/setlang/", views.language_set_view, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One namespace for the order pages, whichever app serves them: shipping them is fulfillment's, the deliveries
    # at risk (which show and send buyer messages) support's.
    path("orders/", include((orders.urls.urlpatterns + fulfillment.urls.order_urlpatterns
                             + support.urls.order_urlpatterns, "orders"))),
    # The account-health pages, and beside them the reconciliation of our figures with Amazon's report (the SP-API
    # layer's, above metrics).
    path("health/", include((metrics.urls.urlpatterns + spapi.urls.health_urlpatterns, "metrics"))),
    path("inbox/", include("support.urls")),
    path("returns/export.csv", return_export_view, name="returns-export"),
    path("returns/", include("returns.urls")),
    path("listings/", include("listings.urls")),
    # Publishing a listing to Amazon is the SP-API layer's; its pages live beside the listing's.
    path("listings/", include("spapi.urls")),
    path("fulfillment/", include("fulfillment.urls")),
    path("fba/", include((fulfillment.urls.fba_urlpatterns, "fba"))),
    path("imports/", include("imports.urls")),
    path("api/", include("sellerops.api_urls")),
    path("admin/", admin.site.urls),
]

# Our own error pages, in the site's layout and the viewer's language (core.error_views). A database failure
# outside any view is a 503 too (see core.database).
handler403 = "core.error_views.permission_denied"
handler404 = "core.error_views.page_not_found"
handler500 = "core.database.server_error"
