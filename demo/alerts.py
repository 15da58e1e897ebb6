"""The demo team's alert rules, set before the metrics are computed so the open breaches notify as they would
have: the manager watches the order defect rate and late shipments at risk, and every metric in breach."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from metrics.alerts import AlertRuleData, alert_rule_create
from metrics.definitions import MetricKey
from metrics.models import AlertBand, AlertRule

#: (metric, band) of the manager's rules, for every store they manage: the two that suspend accounts soonest
#: when at risk, every other metric once in breach.
WATCHED_AT_RISK = (MetricKey.ODR, MetricKey.LSR)
DEMO_RULES = [(metric, AlertBand.AMBER) for metric in WATCHED_AT_RISK] + [
    (metric, AlertBand.RED) for metric in MetricKey if metric not in WATCHED_AT_RISK]


def demo_alert_rules(*, manager_id: int, operator_id: int) -> list[AlertRule]:
    """The manager's rules (the operator also told of late shipments); in the app only, no e-mail."""
    user_model = get_user_model()
    manager, operator = user_model.objects.get(pk=manager_id), user_model.objects.get(pk=operator_id)
    AlertRule.objects.filter(owner=manager).delete()
    return [alert_rule_create(owner=manager, data=AlertRuleData(
        metric=metric, band=band, email=False,
        recipients=[manager, operator] if metric == MetricKey.LSR else [manager]))
        for metric, band in DEMO_RULES]
