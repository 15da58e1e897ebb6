"""Order facts that drifted are e-mailed to the superusers by the daily check, and their repair recomputes the
metrics that read them (fulfillment's signals, connected in MetricsConfig.ready)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from fulfillment.order_facts import order_facts_repair
from fulfillment.tasks import order_facts_check_task
from fulfillment.tests.corrupt import raw, triggers_off
from metrics.models import MetricSnapshot
from metrics.services import metrics_recompute
from metrics.windows import local_midnight
from tests.factories import MembershipFactory, OrderFactory, ShipmentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_in_time(store):
    """An MFN order due two days ago, confirmed three hours before its ship-by date."""
    due = local_midnight(timezone.now().astimezone(store.tz).date(), store.tz) - timedelta(days=2, hours=-14)
    order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
    ShipmentFactory(order=order, store=store, shipped_at=due - timedelta(hours=3),
                    first_scan_at=due - timedelta(hours=1))
    return order


def forget_first_confirmations() -> None:
    with triggers_off():
        raw("UPDATE orders_order SET first_shipped_at = NULL")


def late_shipments(results) -> int:
    return next(r.numerator for r in results if (r.metric, r.channel, r.window_days) == ("lsr", "MFN", 10))


@pytest.fixture
def superuser(store):
    return UserFactory(username="root", email="root@example.com", is_superuser=True)


@pytest.fixture
def not_told(store):
    """A manager of the store, a superuser without e-mail and a former one: none of them is e-mailed."""
    manager = UserFactory(username="manager", email="manager@example.com")
    MembershipFactory(user=manager, store=store, role="manager")
    UserFactory(username="root-no-mail", email="", is_superuser=True)
    UserFactory(username="root-gone", email="gone@example.com", is_superuser=True, is_active=False)


def test_the_daily_check_emails_the_superusers_when_order_facts_drifted(
        store, shipped_in_time, superuser, not_told, django_capture_on_commit_callbacks):
    forget_first_confirmations()
    with django_capture_on_commit_callbacks(execute=True):
        order_facts_check_task.delay()
    [message] = mail.outbox
    assert message.to == ["root@example.com"]
    assert message.subject == "[SellerOps] Stored order facts differ from their orders and shipments"
    assert "Orders whose first ship confirmation differs from their shipments': 1" in message.body
    assert "copy of their order's channel or deliver-by date differs: 0" in message.body
    assert f"these stores may be wrong until they are repaired: {store.code}" in message.body
    assert f"{store.code} {shipped_in_time.amazon_order_id} (id {shipped_in_time.pk})" in message.body
    assert "`manage.py verify_order_facts --fix` repairs them" in message.body


def test_a_missing_trigger_is_emailed_too(store, superuser, django_capture_on_commit_callbacks):
    if connection.vendor == "postgresql":
        raw("DROP TRIGGER shipments_inserted ON fulfillment_shipment")
    else:
        raw("DROP TRIGGER shipment_inserted")
    with django_capture_on_commit_callbacks(execute=True):
        order_facts_check_task.delay()
    [message] = mail.outbox
    assert "Database triggers missing or disabled, so the facts will drift again: fulfillment_shipment." in (
        message.body)
    assert "Orders whose first ship confirmation" not in message.body


def test_nobody_is_emailed_when_the_facts_agree(store, shipped_in_time, superuser,
                                                django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_facts_check_task.delay()
    assert mail.outbox == []


def test_the_repair_recomputes_the_metrics_from_the_right_facts(store, shipped_in_time,
                                                                django_capture_on_commit_callbacks):
    forget_first_confirmations()
    assert late_shipments(metrics_recompute(store=store)) == 1  # the metric reads the drifted fact
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True):
        order_facts_repair()
    latest = MetricSnapshot.objects.filter(store=store, kind="live", metric="lsr", channel="MFN", window_days=10)
    assert list(latest.order_by("computed_at", "pk").values_list("numerator", flat=True)) == [1, 0]
