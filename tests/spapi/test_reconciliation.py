"""Reconciliation with Amazon's account-health report: the parser on Amazon's own example, the comparison, the
causes worked out by hand (a time-zone edge, a deadline still running, defects by kind), the task and the alert."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from metrics.models import AlertRule, Notification
from spapi.models import Reconciliation, ReconciliationOrder, SellerPerformanceReport
from spapi.reconciliation.compare import Tolerance, Verdict, compare
from spapi.reconciliation.explain import AMAZON, DEADLINE, DEFECT_COUNTED, OURS, TZ_EDGE, local_window
from spapi.reconciliation.figures import amazon_figures, window_end
from spapi.reconciliation.services import reconciliation_run
from spapi.tasks import reconciliation_run_task
from tests.factories import MembershipFactory, UserFactory

from .reconcile_world import AS_OF, MARKETPLACE_US, build, document

FIXTURES = Path(__file__).parent / "fixtures"
TOL = Tolerance(points=Decimal("0.1"), rows=1)


# --- The parser, on the example Amazon publishes ----------------------------------------------------------------


def example() -> dict:
    return json.loads((FIXTURES / "seller_performance_report_example.json").read_text(encoding="utf-8"))


def test_amazons_example_gives_every_figure_we_also_compute():
    figures = {(f.metric, f.channel): f for f in amazon_figures(example(), marketplace_id=MARKETPLACE_US)}

    assert sorted(figures) == [("cancel", "MFN"), ("lsr", "MFN"), ("odr", "AFN"), ("odr", "MFN"), ("otdr", "MFN"),
                               ("vtr", "MFN")]
    odr = figures[("odr", "MFN")]
    assert (odr.numerator, odr.denominator, odr.rate, odr.target) == (1078, 539000, Decimal("0.009"), Decimal("0.01"))
    assert odr.components == {"has_a_to_z_claim": 442, "has_chargeback": 15, "has_negative_feedback": 628}
    assert (odr.start, odr.end, odr.window_days) == (datetime(2020, 9, 6, tzinfo=UTC),
                                                     datetime(2020, 11, 5, tzinfo=UTC), 60)
    assert (odr.source, odr.status, odr.target_condition) == ("orderDefectRate.mfn", "GOOD", "LESS_THAN")
    lsr = figures[("lsr", "MFN")]
    assert (lsr.numerator, lsr.denominator, lsr.rate, lsr.window_days) == (27896, 870669, Decimal("0.03203973"), 30)
    cancel = figures[("cancel", "MFN")]
    assert (cancel.numerator, cancel.denominator, cancel.window_days) == (551, 17197, 7)
    assert cancel.source == "prefulfillmentCancelRate"
    vtr, otdr = figures[("vtr", "MFN")], figures[("otdr", "MFN")]
    # Amazon's example counts more valid (on-time) shipments than shipments: kept as given, its stated rate used.
    assert (vtr.numerator, vtr.denominator, vtr.rate) == (896462, 878443, Decimal("0.9529"))
    assert (otdr.numerator, otdr.denominator, otdr.rate) == (847987, 808046, Decimal("0.9529"))


def test_a_marketplace_without_figures_gives_none_and_a_broken_entry_is_left_out():
    assert amazon_figures(example(), marketplace_id="A2EUQ1WTGCTBG2") == []
    assert amazon_figures({"performanceMetrics": "nonsense"}, marketplace_id=MARKETPLACE_US) == []
    doc = document()
    metrics = doc["performanceMetrics"][0]
    metrics["lateShipmentRate"]["reportingDateRange"] = {"reportingDateFrom": "soon"}
    metrics["orderDefectRate"]["mfn"]["orderCount"] = -3
    metrics["lateShipmentRateList"] = [
        {**metrics["preFulfillmentCancellationRate"], "lateShipmentCount": 0},
        {"reportingDateRange": {"reportingDateFrom": "2025-07-11T00:00Z", "reportingDateTo": "2025-07-20T23:59Z"},
         "orderCount": 4, "lateShipmentCount": 1, "rate": 0.25}]

    figures = amazon_figures(doc, marketplace_id=MARKETPLACE_US)

    assert [(f.metric, f.source, f.window_days) for f in figures] == [
        ("odr", "orderDefectRate.mfn", 60), ("lsr", "lateShipmentRateList[0]", 7),
        ("lsr", "lateShipmentRateList[1]", 10), ("cancel", "preFulfillmentCancellationRate", 7)]
    assert figures[0].denominator is None


def test_amazons_last_minute_is_inside_the_window():
    assert window_end(datetime(2020, 11, 4, 23, 59, tzinfo=UTC)) == datetime(2020, 11, 5, tzinfo=UTC)
    assert window_end(datetime(2020, 11, 4, 23, 59, 59, tzinfo=UTC)) == datetime(2020, 11, 5, tzinfo=UTC)


def test_amazons_dates_read_as_store_days():
    [odr, *_rest] = amazon_figures(document(), marketplace_id=MARKETPLACE_US)
    assert local_window(odr, ZoneInfo("America/Los_Angeles")) == (datetime(2025, 4, 1, 7, tzinfo=UTC),
                                                                  datetime(2025, 5, 31, 7, tzinfo=UTC))
    assert local_window(odr, ZoneInfo("Asia/Tokyo")) == (datetime(2025, 3, 31, 15, tzinfo=UTC),
                                                         datetime(2025, 5, 30, 15, tzinfo=UTC))


# --- The comparison, pure -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("amazon", "ours", "verdict", "points", "rows"), [
    ((1, 3, None), (1, 3), Verdict.AGREES, Decimal("0"), 0),
    ((0, 0, None), (0, 0), Verdict.AGREES, None, 0),
    ((10, 1000, Decimal("0.01")), (11, 1000), Verdict.WITHIN, Decimal("0.1"), 1),
    ((100, 10000, None), (105, 10000), Verdict.WITHIN, Decimal("0.05"), 5),
    ((1, 3, Decimal("0.3333")), (3, 4), Verdict.DIFFERS, Decimal("41.67"), 2),
    ((10, 1000, None), (12, 1000), Verdict.DIFFERS, Decimal("0.2"), 2),
    ((None, None, None), (4, 9), Verdict.UNKNOWN, None, None),
])
def test_comparison_worked_out_by_hand(amazon, ours, verdict, points, rows):
    numerator, denominator, rate = amazon
    result = compare(amazon_numerator=numerator, amazon_denominator=denominator, amazon_rate=rate,
                     our_numerator=ours[0], our_denominator=ours[1], tolerance=TOL)

    assert result.verdict == verdict
    assert result.numerator_rows == rows
    if points is not None:
        assert result.points == points
    else:
        assert result.points is None or result.points == 0


def test_amazons_stated_rate_is_the_one_compared():
    # 1078 / 539000 is 0.2 %, Amazon states 0.9 %: its own figure is what it judges by.
    result = compare(amazon_numerator=1078, amazon_denominator=539000, amazon_rate=Decimal("0.009"),
                     our_numerator=1078, our_denominator=539000, tolerance=TOL)
    assert result.verdict == Verdict.AGREES and result.points == Decimal("-0.7")


# --- The reconciliation of a kept report -------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


def by_metric(kept) -> dict[str, Reconciliation]:
    return {r.metric: r for r in kept}


@pytestmark_db
def test_a_time_zone_edge_accounts_for_the_order_defect_rate(store):
    world = build(store)

    kept = by_metric(reconciliation_run(report_id=world.report.pk, now=AS_OF))

    odr = kept["odr"]
    assert (odr.channel, odr.window_days, odr.as_of) == ("MFN", 60, AS_OF)
    assert (odr.amazon_numerator, odr.amazon_denominator, odr.amazon_rate) == (1, 3, Decimal("0.3333"))
    assert (odr.our_numerator, odr.our_denominator, odr.our_rate) == (3, 4, Decimal("0.75"))
    assert (odr.points, odr.numerator_rows, odr.denominator_rows) == (Decimal("41.67"), 2, 1)
    assert odr.verdict == Verdict.DIFFERS
    assert odr.components == {"has_a_to_z_claim": {"amazon": 1, "ours": 1},
                              "has_chargeback": {"amazon": 0, "ours": 0},
                              "has_negative_feedback": {"amazon": 0, "ours": 2}}
    causes = {c["cause"]: c for c in odr.causes}
    assert causes[TZ_EDGE]["accounts_for_all"] is True
    assert (causes[TZ_EDGE]["ours_rows"], causes[TZ_EDGE]["ours_counted"], causes[TZ_EDGE]["amazon_rows"]) == (2, 2, 1)
    # The two negative feedbacks Amazon does not count: the same orders, but moving them alone does not give
    # Amazon's denominator.
    assert causes[DEFECT_COUNTED]["accounts_for_all"] is False
    named = {(o.cause, o.side, o.order.amazon_order_id, o.counted) for o in odr.orders.select_related("order")}
    o = world.orders
    assert named == {(TZ_EDGE, OURS, o["o3"].amazon_order_id, True), (TZ_EDGE, OURS, o["o3b"].amazon_order_id, True),
                     (TZ_EDGE, AMAZON, o["o4"].amazon_order_id, False),
                     (DEFECT_COUNTED, OURS, o["o3"].amazon_order_id, True),
                     (DEFECT_COUNTED, OURS, o["o3b"].amazon_order_id, True)}


@pytestmark_db
def test_a_deadline_still_running_accounts_for_the_late_shipment_rate(store):
    world = build(store)

    lsr = by_metric(reconciliation_run(report_id=world.report.pk, now=AS_OF))["lsr"]

    # l3 and l4 must ship by 20:00 and 22:00 UTC on the report's day, after it: not late yet, in neither number.
    assert (lsr.our_numerator, lsr.our_denominator, lsr.amazon_numerator, lsr.amazon_denominator) == (1, 3, 1, 5)
    assert (lsr.points, lsr.numerator_rows, lsr.denominator_rows) == (Decimal("13.3333"), 0, -2)
    assert lsr.verdict == Verdict.DIFFERS
    [cause] = lsr.causes
    assert (cause["cause"], cause["amazon_rows"], cause["accounts_for_all"]) == (DEADLINE, 2, True)
    assert sorted(lsr.orders.values_list("order__amazon_order_id", "side", "at")) == [
        (world.orders["l3"].amazon_order_id, AMAZON, world.orders["l3"].latest_ship_date),
        (world.orders["l4"].amazon_order_id, AMAZON, world.orders["l4"].latest_ship_date)]


@pytestmark_db
def test_an_agreeing_figure_names_no_order_and_invoices_are_not_ours(store):
    world = build(store)

    kept = reconciliation_run(report_id=world.report.pk, now=AS_OF)

    assert sorted(r.metric for r in kept) == ["cancel", "lsr", "odr"]
    cancel = by_metric(kept)["cancel"]
    assert (cancel.our_numerator, cancel.our_denominator, cancel.verdict) == (1, 2, Verdict.AGREES)
    assert cancel.causes == [] and not cancel.orders.exists()


@pytestmark_db
def test_reconciling_again_replaces_the_rows_and_the_task_does_it(store):
    world = build(store)
    reconciliation_run(report_id=world.report.pk, now=AS_OF)

    result = reconciliation_run_task(world.report.pk)

    assert result == {"report": world.report.pk, "figures": 3, "differ": 2}
    assert Reconciliation.objects.count() == 3
    assert ReconciliationOrder.objects.count() == 7
    assert reconciliation_run_task(987654) == {"report": 987654, "skipped": "no such report"}


@pytestmark_db
def test_a_report_kept_queues_its_reconciliation(store, django_capture_on_commit_callbacks):
    from spapi.performance import parse_performance_report, performance_report_record

    build(store)
    doc = document()
    with django_capture_on_commit_callbacks(execute=True):
        report = performance_report_record(store=store, report_id="R-2", report_document_id="D", document=doc,
                                           figures=parse_performance_report(doc, marketplace_id=MARKETPLACE_US),
                                           fetched_at=AS_OF)

    assert Reconciliation.objects.filter(report=report).count() == 3


# --- The alert: once per difference ------------------------------------------------------------------------------


@pytestmark_db
def test_a_difference_notifies_once_and_again_only_after_agreeing(store, mailoutbox,
                                                                  django_capture_on_commit_callbacks):
    manager = UserFactory(username="mgr", email="mgr@example.com")
    MembershipFactory(user=manager, store=store, role="manager")
    rule = AlertRule.objects.create(owner=manager, store=store, metric="lsr")
    rule.recipients.add(manager)
    world = build(store)

    def run(report_id: int, now: datetime) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            reconciliation_run(report_id=report_id, now=now)

    def fetch(report_id: str, day: int, **counts: int) -> SellerPerformanceReport:
        report = SellerPerformanceReport.objects.create(store=store, report_id=report_id,
                                                        fetched_at=AS_OF + timedelta(days=day),
                                                        marketplace_id=MARKETPLACE_US, raw=document(**counts))
        run(report.pk, report.fetched_at)
        return report

    run(world.report.pk, AS_OF)
    run(world.report.pk, AS_OF)

    [note] = Notification.objects.all()
    assert (note.user, note.metric, note.channel, note.window_days) == (manager, "reconcile_lsr", "MFN", 30)
    assert note.message.startswith("ACME-US: our Late Shipment Rate · seller-fulfilled · 30 days is 33.33 % (1 of 3), "
                                   "Amazon's 20 % (1 of 5)")
    # The next day's report still differs: no second notification. Reconciling an old copy changes nothing.
    fetch("R-2", 1)
    run(world.report.pk, AS_OF + timedelta(days=1))
    assert Notification.objects.count() == 1
    # Then it agrees (l3 and l4, never shipped, are late by now on both sides), and differs again: told again.
    fetch("R-3", 2, lsr_late=3, lsr_orders=5)
    assert Reconciliation.objects.get(report__report_id="R-3", metric="lsr").verdict == Verdict.AGREES
    fetch("R-4", 3)
    assert Notification.objects.count() == 2
    # Only the rule's metric is watched: the ODR difference notifies nobody here.
    assert set(Notification.objects.values_list("metric", flat=True)) == {"reconcile_lsr"}
    assert len(mailoutbox) == 2 and mailoutbox[0].to == ["mgr@example.com"]
