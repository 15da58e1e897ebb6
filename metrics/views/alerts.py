"""Alert rules (managers and admins keep their own) and each user's notifications."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core.errors import ApplicationError
from core.web import AuthenticatedHttpRequest, page_number

from ..alerts import (
    RECONCILIATION_PREFIX,
    alert_rule_create,
    alert_rule_delete,
    alert_rule_list,
    alert_rule_update,
    can_keep_alerts,
    notification_list,
    notification_mark_read,
    notification_message,
    result_title,
)
from ..forms import AlertRuleForm
from ..models import AlertBand, AlertRule, Notification, Status
from .common import render_page

NOTIFICATION_PAGE_SIZE = 50


def _require_alert_role(request: HttpRequest) -> None:
    if not can_keep_alerts(user=request.user):
        raise PermissionDenied(_("Only managers and admins keep alert rules."))


def _rule_row(rule: AlertRule) -> dict:
    channel = rule.channel or "ALL"
    watches = result_title(rule.metric, channel, rule.window_days) if rule.window_days else str(
        rule.get_metric_display())
    return {
        "rule": rule,
        "watches": watches,
        "channel": rule.channel or _("every channel"),
        "window": (_("%(days)d days") % {"days": rule.window_days}) if rule.window_days else _("every window"),
        "store": rule.store.code if rule.store else _("all my stores"),
        "band": rule.get_band_display(),
        "band_status": Status.AMBER if rule.band == AlertBand.AMBER else Status.RED,
        "recipients": ", ".join(u.get_username() for u in rule.recipients.all()),
        "edit_url": reverse("metrics:alert_edit", args=[rule.pk]),
        "delete_url": reverse("metrics:alert_delete", args=[rule.pk]),
    }


def _save(request: AuthenticatedHttpRequest, form: AlertRuleForm, rule: AlertRule | None) -> AlertRule | None:
    if not form.is_valid():
        return None
    try:
        if rule is None:
            return alert_rule_create(owner=request.user, data=form.data_object())
        return alert_rule_update(rule=rule, actor=request.user, data=form.data_object())
    except ApplicationError as error:
        form.add_error(None, error.message)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def alert_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_alert_role(request)
    form = AlertRuleForm(request.POST or None, user=request.user)
    if request.method == "POST" and _save(request, form, None):
        messages.success(request, _("Alert rule created. It notifies at the next recompute that sees the "
                                    "metric enter its band."))
        return redirect("metrics:alerts")
    rules = [_rule_row(rule) for rule in alert_rule_list(user=request.user)]
    return render(request, "metrics/alerts.html", {"rules": rules, "form": form, "editing": None})


@login_required
@require_http_methods(["GET", "POST"])
def alert_edit_view(request: AuthenticatedHttpRequest, rule_id: int) -> HttpResponse:
    _require_alert_role(request)
    rule = get_object_or_404(AlertRule.objects.prefetch_related("recipients"), pk=rule_id, owner=request.user)
    form = AlertRuleForm(request.POST or None, user=request.user, rule=rule)
    if request.method == "POST" and _save(request, form, rule):
        messages.success(request, _("Alert rule saved."))
        return redirect("metrics:alerts")
    rules = [_rule_row(r) for r in alert_rule_list(user=request.user)]
    return render(request, "metrics/alerts.html", {"rules": rules, "form": form, "editing": rule})


@login_required
@require_POST
def alert_delete_view(request: AuthenticatedHttpRequest, rule_id: int) -> HttpResponse:
    _require_alert_role(request)
    rule = get_object_or_404(AlertRule, pk=rule_id, owner=request.user)
    alert_rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Alert rule deleted."))
    return redirect("metrics:alerts")


@login_required
@require_http_methods(["GET"])
def notifications_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    page = page_number(request.GET.get("page"))
    offset = (page - 1) * NOTIFICATION_PAGE_SIZE
    rows = list(notification_list(user=request.user)[offset:offset + NOTIFICATION_PAGE_SIZE + 1])
    items = [{"notification": n, "text": notification_message(n),
              "url": (reverse("support:claim", args=[n.claim_id]) if n.claim_id
                      else reverse("metrics:breach_detail", args=[n.breach_id]) if n.breach_id
                      else f"{reverse('fba:health')}?store={n.store.code}" if n.metric.startswith("fba_")
                      else f"{reverse('metrics:reconciliation')}?store={n.store.code}"
                      if n.metric.startswith(RECONCILIATION_PREFIX)
                      else f"{reverse('metrics:health')}?store={n.store.code}")}
             for n in rows[:NOTIFICATION_PAGE_SIZE]]
    context = {
        "items": items,
        "page": page,
        "prev_url": f"?page={page - 1}" if page > 1 else None,
        "next_url": f"?page={page + 1}" if len(rows) > NOTIFICATION_PAGE_SIZE else None,
        "can_keep_alerts": can_keep_alerts(user=request.user),
    }
    return render_page(request, "metrics/notifications.html", "notification-list", context)


@login_required
@require_POST
def notification_read_view(request: AuthenticatedHttpRequest, notification_id: int) -> HttpResponse:
    get_object_or_404(Notification, pk=notification_id, user=request.user)
    notification_mark_read(user=request.user, at=timezone.now(), notification_id=notification_id)
    return redirect("metrics:notifications")


@login_required
@require_POST
def notifications_read_all_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    count = notification_mark_read(user=request.user, at=timezone.now())
    if count:
        messages.success(request, _("All notifications marked as read."))
    return redirect("metrics:notifications")
