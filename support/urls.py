from django.urls import path

from . import delivery_risk_views, views

app_name = "support"

urlpatterns = [
    path("", views.inbox_view, name="inbox"),
    path("<int:pk>/", views.inbox_view, name="thread"),
    path("<int:pk>/reply/", views.reply_view, name="reply"),
    path("<int:pk>/no-reply/", views.no_reply_view, name="no_reply"),
    path("<int:pk>/note/", views.note_view, name="note"),
    path("<int:pk>/assign/", views.assign_view, name="assign"),
    path("attachments/<int:pk>/", views.attachment_view, name="attachment"),
    path("claims/", views.claims_view, name="claims"),
    path("claims/<int:pk>/", views.claim_view, name="claim"),
    path("claims/<int:pk>/respond/", views.claim_respond_view, name="claim_respond"),
    path("claims/<int:pk>/deadline/", views.claim_deadline_view, name="claim_deadline"),
    path("feedback/", views.feedback_view, name="feedback"),
    path("feedback/<int:pk>/request-removal/", views.feedback_removal_view, name="feedback_removal"),
]

#: Deliveries at risk: a tab of the order queue, under /orders/ in the ``orders`` namespace (``sellerops/urls.py``).
order_urlpatterns = [
    path("at-risk/", delivery_risk_views.at_risk_list_view, name="at-risk"),
    path("at-risk/<int:pk>/message/", delivery_risk_views.at_risk_message_view, name="at-risk-message"),
]
