"""The demo's account-health reports from Amazon: fourteen days per store, in Amazon's shape, reconciled; every
figure agrees but the newest seller-fulfilled order defect rate of the store with a problem to show, which a
time-zone edge accounts for down to its orders, and which the manager is told about once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from demo.performance import REPORT_DAYS
from demo.seed import seed_demo
from metrics.models import Notification
from spapi.models import Reconciliation, SellerPerformanceReport

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_shows_one_difference_explained_down_to_orders():
    poor, healthy = seed_demo(now=NOW, stores=2, orders=3000, days=120, history_days=0).stores

    for store in (poor, healthy):
        assert SellerPerformanceReport.objects.filter(store=store).count() == REPORT_DAYS
        assert Reconciliation.objects.filter(store=store).count() == REPORT_DAYS * 7
    assert not Reconciliation.objects.filter(store=healthy).exclude(verdict="agrees").exists()
    [odr] = Reconciliation.objects.filter(store=poor).exclude(verdict="agrees")
    assert (odr.metric, odr.channel, odr.verdict, odr.as_of) == ("odr", "MFN", "differs", NOW)
    edge = next(c for c in odr.causes if c["cause"] == "tz_edge")
    assert edge["accounts_for_all"] and edge["ours_counted"] - edge["amazon_counted"] == odr.numerator_rows
    assert odr.orders.filter(cause="tz_edge", counted=True).count() >= 2
    assert Notification.objects.filter(metric="reconcile_odr", store=poor, user__username="manager").count() == 1
