"""The daily trend page of one metric: scoped, charted, one row per daily snapshot."""

from __future__ import annotations

import pytest

from metrics.models import MetricSnapshot
from metrics.services import metrics_backfill_daily
from metrics.tests.test_services import late_orders
from tests.factories import MembershipFactory, StoreFactory, UserFactory

pytestmark = pytest.mark.django_db

URL = "/health/{code}/lsr/MFN/10/trend/"


@pytest.fixture
def manager_client(client, store):
    user = UserFactory(username="mgr")
    MembershipFactory(user=user, store=store, role="manager")
    client.force_login(user)
    return client


def test_trend_page_charts_every_daily_snapshot_with_target_and_warning(manager_client, store):
    late_orders(store, late=1, on_time=3)
    metrics_backfill_daily(store=store, days=5)
    with_rate = MetricSnapshot.objects.filter(store=store, kind="daily", metric="lsr", window_days=10,
                                              rate__isnull=False).count()
    assert with_rate >= 1
    response = manager_client.get(URL.format(code=store.code), {"days": 30})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('class="trend-dot"') == with_rate
    assert "trend-ref trend-target" in html and "trend-ref trend-warning" in html
    assert html.count("badge badge-") == 6


def test_trend_page_partial_and_empty_state(manager_client, store):
    response = manager_client.get(URL.format(code=store.code), headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert b"<html" not in response.content and b"trend-empty" in response.content
    assert "HX-Request" in response["Vary"]


def test_trend_page_is_scoped_and_validates_the_metric(manager_client, store):
    other = StoreFactory(code="ELSEWHERE")
    assert manager_client.get(URL.format(code=other.code)).status_code == 404
    assert manager_client.get(f"/health/{store.code}/lsr/MFN/11/trend/").status_code == 404
    assert manager_client.get(f"/health/{store.code}/nope/MFN/10/trend/").status_code == 404
