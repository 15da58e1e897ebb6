"""The demo team's alert rules, and the notifications the open breaches raise on the first page."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from demo.seed import seed_demo
from metrics.definitions import MetricKey
from metrics.models import AlertRule, Breach, Notification

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 3, 56, tzinfo=UTC)


def test_the_manager_has_alert_rules_and_each_open_breach_has_notified_them(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the recompute that follows the seed's commit
        seed_demo(now=NOW, stores=1, orders=1000, days=90, history_days=30)
    assert AlertRule.objects.filter(owner__username="manager", email=False).count() == len(MetricKey)
    open_breaches = Breach.objects.filter(resolved_at__isnull=True)
    assert open_breaches.exists()
    told = set(Notification.objects.filter(user__username="manager").values_list("metric", flat=True))
    assert {b.metric for b in open_breaches} <= told


def test_seeding_again_keeps_one_set_of_rules():
    seed_demo(now=NOW, stores=1, orders=100, days=30, history_days=0)
    seed_demo(now=NOW, stores=1, orders=100, days=30, history_days=0, reset=True)
    assert AlertRule.objects.filter(owner__username="manager").count() == len(MetricKey)
