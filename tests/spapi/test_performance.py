"""The daily seller-performance report: create → poll → document → parse → kept as history."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from spapi.client import SpApiError
from spapi.models import SellerPerformanceReport
from spapi.performance import REPORT_TYPE, parse_performance_report, spapi_fetch_performance

from .samples import MARKETPLACE_US, performance_document

pytestmark = pytest.mark.django_db


def test_report_round_trip_keeps_both_channels_odr(amazon, credentials, store, sleeps, now):
    amazon.performance_document = performance_document()
    amazon.report_polls_before_done = 2

    report = spapi_fetch_performance(store=store, sleep=sleeps.append, now=now, poll_seconds=10)

    [create] = amazon.calls("createReport")
    assert json.loads(create.body) == {"reportType": REPORT_TYPE, "marketplaceIds": [MARKETPLACE_US]}
    assert len(amazon.calls("getReport")) == 3
    assert sleeps == [10, 20]
    assert report.store == store
    assert report.fetched_at == now
    assert report.report_id == "50001"
    assert report.report_document_id == "amzn1.spdoc.1.4.na.50001.T3ABCDEF"
    assert report.marketplace_id == MARKETPLACE_US
    assert report.account_status == "AT_RISK"
    assert (report.mfn_order_count, report.mfn_orders_with_defects, report.mfn_claims, report.mfn_chargebacks,
            report.mfn_negative_feedback) == (539, 6, 2, 1, 3)
    assert (report.mfn_rate, report.mfn_target_value) == (Decimal("0.01113173"), Decimal("0.01"))
    assert (report.afn_order_count, report.afn_orders_with_defects, report.afn_claims, report.afn_chargebacks,
            report.afn_negative_feedback) == (1200, 3, 1, 0, 2)
    assert report.afn_rate == Decimal("0.0025")
    assert report.mfn_date_from == datetime(2020, 9, 6, tzinfo=UTC)
    assert report.mfn_date_to == datetime(2020, 11, 4, 23, 59, tzinfo=UTC)
    reloaded = SellerPerformanceReport.objects.get(pk=report.pk)
    assert reloaded.raw == amazon.performance_document
    assert reloaded.mfn_rate == Decimal("0.01113173")


def test_each_day_adds_a_row_to_the_history(amazon, credentials, store, now):
    amazon.performance_document = performance_document()
    amazon.report_polls_before_done = 0

    spapi_fetch_performance(store=store, sleep=lambda s: None, now=now - timedelta(days=1))
    amazon.performance_document["performanceMetrics"][1]["orderDefectRate"]["mfn"]["orderWithDefects"]["count"] = 4
    spapi_fetch_performance(store=store, sleep=lambda s: None, now=now)

    history = list(SellerPerformanceReport.objects.filter(store=store).values_list("mfn_orders_with_defects",
                                                                                  flat=True))
    assert history == [4, 6]


def test_report_that_ends_fatal_is_an_error_and_recorded(amazon, credentials, store, now):
    amazon.report_polls_before_done = 1
    amazon.report_final_status = "FATAL"

    with pytest.raises(SpApiError, match="FATAL"):
        spapi_fetch_performance(store=store, sleep=lambda s: None, now=now)

    assert not SellerPerformanceReport.objects.exists()
    credentials.refresh_from_db()
    assert "FATAL" in credentials.last_error
    assert amazon.calls("getReportDocument") == []


def test_report_never_ready_stops_after_bounded_polls(amazon, credentials, store, sleeps, now):
    amazon.report_polls_before_done = 100

    with pytest.raises(SpApiError, match="not ready after 3 checks"):
        spapi_fetch_performance(store=store, sleep=sleeps.append, now=now, poll_seconds=1, max_polls=3)

    assert len(amazon.calls("getReport")) == 3
    assert sleeps == [1, 2]


def test_throttled_create_report_backs_off(amazon, credentials, store, sleeps, now):
    amazon.performance_document = performance_document()
    amazon.report_polls_before_done = 0
    amazon.throttle = {"createReport": 1}

    spapi_fetch_performance(store=store, sleep=sleeps.append, now=now)

    assert sleeps == [pytest.approx(1 / 0.0167)]
    assert SellerPerformanceReport.objects.count() == 1


def test_parse_picks_the_stores_marketplace():
    figures = parse_performance_report(performance_document(), marketplace_id="A2EUQ1WTGCTBG2")

    assert figures.account_status == "NORMAL"
    assert figures.mfn.order_count == 9
    assert figures.mfn.rate == Decimal("0.5")
    assert figures.afn is None


def test_parse_refuses_a_report_without_the_marketplace():
    with pytest.raises(ApplicationError, match="A1PA6795UKMFR9"):
        parse_performance_report(performance_document(), marketplace_id="A1PA6795UKMFR9")
    with pytest.raises(ApplicationError, match="no performance metrics"):
        parse_performance_report({"accountStatuses": []}, marketplace_id=MARKETPLACE_US)
