"""Snapshots, breaches, the debounced trigger, the command and the API endpoint."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from rest_framework.authtoken.models import Token

from metrics.models import Breach, MetricSnapshot
from metrics.services import metrics_inputs_changed, metrics_recompute, metrics_snapshot_daily
from metrics.tasks import metrics_snapshot_store_task
from tests.factories import (
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def clear_cache():
    cache.clear()
    yield
    cache.clear()


def late_orders(store, late: int, on_time: int, due=None):
    """MFN orders due to ship yesterday (store time): ``late`` never confirmed, ``on_time`` confirmed."""
    due = due or timezone.now().astimezone(store.tz).replace(hour=0, minute=0, second=0, microsecond=0) \
        - timedelta(hours=12)
    for _ in range(late):
        OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
    for _ in range(on_time):
        order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
        ShipmentFactory(order=order, store=store, shipped_at=due - timedelta(hours=1))


def lsr10(results):
    return next(r for r in results if r.metric == "lsr" and r.window_days == 10)


def test_red_metric_opens_one_breach_and_tracks_its_peak(store):
    late_orders(store, late=1, on_time=9)  # 10 %
    metrics_recompute(store=store)
    metrics_recompute(store=store)
    breach = Breach.objects.get(store=store, metric="lsr", window_days=10)
    assert breach.is_open and breach.opening_rate == breach.peak_rate
    late_orders(store, late=2, on_time=0)  # 3 of 12 = 25 %
    metrics_recompute(store=store)
    breach.refresh_from_db()
    assert (breach.peak_rate, breach.opening_rate) == (Decimal("0.25"), Decimal("0.1"))
    assert Breach.objects.filter(store=store, metric="lsr", window_days=10, resolved_at__isnull=True).count() == 1


def test_breach_resolves_when_back_inside_the_target(store):
    late_orders(store, late=1, on_time=9)
    metrics_recompute(store=store)
    late_orders(store, late=0, on_time=30)  # 1 of 40 = 2.5 %: amber is inside the target
    results = metrics_recompute(store=store)
    assert lsr10(results).status == "green"
    breach = Breach.objects.get(store=store, metric="lsr", window_days=10)
    assert breach.resolved_at is not None
    late_orders(store, late=5, on_time=0)
    metrics_recompute(store=store)
    assert Breach.objects.filter(store=store, metric="lsr", window_days=10).count() == 2


def test_recompute_of_a_past_instant_snapshots_but_leaves_breaches_alone(store):
    as_of = timezone.now() - timedelta(hours=1)
    # Due the local day before as_of's (not before now's: an hour ago may be yesterday).
    local_day = as_of.astimezone(store.tz).replace(hour=0, minute=0, second=0, microsecond=0)
    late_orders(store, late=1, on_time=1, due=local_day - timedelta(hours=12))
    results = metrics_recompute(store=store, as_of=as_of)
    assert lsr10(results).status == "red"
    assert not Breach.objects.exists()
    assert MetricSnapshot.objects.filter(store=store, metric="lsr").count() == 2


def test_snapshot_is_idempotent_and_records_its_definition(store):
    late_orders(store, late=1, on_time=3)
    as_of = timezone.now()
    metrics_recompute(store=store, as_of=as_of)
    metrics_recompute(store=store, as_of=as_of)
    snapshot = MetricSnapshot.objects.get(store=store, metric="lsr", window_days=10, as_of=as_of)
    assert (snapshot.numerator, snapshot.denominator, snapshot.status) == (1, 4, "red")
    assert snapshot.definition["target"] == "0.04" and snapshot.definition["window_days"] == [10, 30]
    assert snapshot.window_end <= as_of
    assert MetricSnapshot.objects.filter(store=store).count() == 11


def test_daily_snapshot_is_taken_at_local_midnight(store):
    metrics_snapshot_daily(store=store)
    metrics_snapshot_daily(store=store)
    as_ofs = set(MetricSnapshot.objects.filter(kind="daily").values_list("as_of", flat=True))
    assert len(as_ofs) == 1
    local = as_ofs.pop().astimezone(store.tz)
    assert (local.hour, local.minute) == (0, 0)


@override_settings(METRICS_LIVE_KEEP_DAYS=7)
def test_the_daily_job_prunes_old_live_recomputes_but_each_stores_latest(store, other_store):
    now = timezone.now()
    for days_ago in (30, 8, 6, 0):
        metrics_recompute(store=store, as_of=now - timedelta(days=days_ago))
    metrics_recompute(store=other_store, as_of=now - timedelta(days=20))  # its latest, however old
    metrics_recompute(store=store, as_of=now - timedelta(days=400), kind=MetricSnapshot.Kind.DAILY)

    metrics_snapshot_store_task.delay(store.pk)
    metrics_snapshot_store_task.delay(other_store.pk)

    def live_days(of):
        found = MetricSnapshot.objects.filter(store=of, kind="live").values_list("as_of", flat=True)
        return sorted({round((now - as_of) / timedelta(days=1)) for as_of in found})

    assert live_days(store) == [0, 6]
    assert live_days(other_store) == [20]
    assert MetricSnapshot.objects.filter(store=store, kind="live", as_of=now).count() == 11
    # Daily snapshots stay, the year-old one too, beside today's.
    assert MetricSnapshot.objects.filter(store=store, kind="daily").count() == 2 * 11


def test_a_burst_of_changes_enqueues_one_recompute(store, django_capture_on_commit_callbacks, monkeypatch):
    calls = []
    monkeypatch.setattr("metrics.tasks.metrics_recompute_store_task.apply_async",
                        lambda args, countdown: calls.append((args, countdown)))
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(1000):
            metrics_inputs_changed(store_id=store.pk)
    assert calls == [([store.pk], 30)]
    other = StoreFactory(code="OTHER")
    with django_capture_on_commit_callbacks(execute=True):
        metrics_inputs_changed(store_id=other.pk)
    assert len(calls) == 2


def test_the_recompute_clears_the_debounce_so_later_changes_schedule_again(store, django_capture_on_commit_callbacks):
    # Eager mode: the task runs at once, clears the pending flag and recomputes.
    with django_capture_on_commit_callbacks(execute=True):
        metrics_inputs_changed(store_id=store.pk)
    assert MetricSnapshot.objects.filter(store=store).count() == 11
    assert cache.get(f"metrics:recompute-pending:{store.pk}") is None


def test_nothing_is_enqueued_when_the_transaction_rolls_back(store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                metrics_inputs_changed(store_id=store.pk)
                raise RuntimeError("abort")
        except RuntimeError:
            pass
    assert callbacks == []


def test_command_prints_json_for_one_store_at_an_instant(store):
    late_orders(store, late=1, on_time=1)
    out = StringIO()
    call_command("recompute_metrics", "--store", store.code, "--as-of", timezone.now().isoformat(), "--json",
                 stdout=out)
    rows = json.loads(out.getvalue())
    assert len(rows) == 11
    assert next(r for r in rows if r["metric"] == "lsr" and r["window_days"] == 10)["numerator"] == 1


@pytest.mark.parametrize("args", [["--store", "NOPE"], ["--as-of", "yesterday"], ["--as-of", "2026-11-01T00:00"]])
def test_command_rejects_bad_arguments(store, args):
    with pytest.raises(CommandError):
        call_command("recompute_metrics", *args, stdout=StringIO())


def test_api_metrics_for_a_member_with_a_token(client, store):
    user = UserFactory(username="mgr")
    MembershipFactory(user=user, store=store, role="manager")
    late_orders(store, late=1, on_time=3)
    token = Token.objects.create(user=user)
    response = client.get(f"/api/stores/{store.code}/metrics/", {"as_of": timezone.now().isoformat()},
                          headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200
    row = next(r for r in response.json() if r["metric"] == "lsr" and r["window_days"] == 10)
    assert row | {"window_start": None, "window_end": None, "as_of": None} == {
        "metric": "lsr", "channel": "MFN", "window_days": 10, "numerator": 1, "denominator": 4, "rate": 0.25,
        "target": 0.04, "status": "red", "defects_until_breach": 0, "window_start": None, "window_end": None,
        "as_of": None,
    }
    odr = next(r for r in response.json() if r["metric"] == "odr" and r["channel"] == "AFN")
    assert odr["rate"] is None and odr["status"] == "none"


def test_api_metrics_scoping_and_auth(client, store):
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, store=StoreFactory(code="ELSEWHERE"))
    assert client.get(f"/api/stores/{store.code}/metrics/").status_code == 401
    client.force_login(stranger)
    assert client.get(f"/api/stores/{store.code}/metrics/").status_code == 404
    assert client.get("/api/stores/NO-SUCH/metrics/").status_code == 404
    assert client.get("/api/stores/ELSEWHERE/metrics/", {"as_of": "not a date"}).status_code == 400


def test_backfill_writes_one_daily_snapshot_per_local_midnight_and_replaces_on_rerun(store):
    from metrics.services import metrics_backfill_daily

    late_orders(store, late=1, on_time=1)
    assert metrics_backfill_daily(store=store, days=3) == 4 * 11
    assert metrics_backfill_daily(store=store, days=3) == 4 * 11
    daily = MetricSnapshot.objects.filter(store=store, kind="daily")
    assert daily.count() == 44
    midnights = sorted(set(daily.values_list("as_of", flat=True)))
    assert [(m.astimezone(store.tz).hour, m.astimezone(store.tz).minute) for m in midnights] == [(0, 0)] * 4
    latest = daily.get(metric="lsr", window_days=10, as_of=midnights[-1])
    assert (latest.numerator, latest.denominator) == (1, 2)


# --- Breaches tracked at chosen instants ---------------------------------------------------------------------

PST = ZoneInfo("America/Los_Angeles")  # ACME-US's marketplace time


def breach_of(store, metric: str, window_days: int) -> Breach:
    return Breach.objects.get(store=store, metric=metric, window_days=window_days)


def test_a_breach_opens_and_closes_at_the_instants_it_is_tracked_at(store):
    opened = datetime(2026, 11, 20, 10, 0, tzinfo=PST)
    late_orders(store, late=1, on_time=3, due=datetime(2026, 11, 18, 14, 0, tzinfo=PST))  # 25 %: red
    metrics_recompute(store=store, as_of=opened, track_breaches=True)
    breach = breach_of(store, "lsr", 10)
    assert breach.is_open and (breach.opened_at, breach.peak_at, breach.opening_rate) == (
        opened, opened, Decimal("0.25"))

    worse = opened + timedelta(hours=6)
    late_orders(store, late=1, on_time=0, due=datetime(2026, 11, 19, 14, 0, tzinfo=PST))  # 2 of 5
    metrics_recompute(store=store, as_of=worse, track_breaches=True)
    breach.refresh_from_db()
    assert (breach.peak_rate, breach.peak_at, breach.resolved_at) == (Decimal("0.4"), worse, None)

    resolved = datetime(2026, 11, 22, 9, 30, tzinfo=PST)
    late_orders(store, late=0, on_time=50, due=datetime(2026, 11, 21, 14, 0, tzinfo=PST))  # 2 of 55: 3.6 %
    results = metrics_recompute(store=store, as_of=resolved, track_breaches=True)
    assert lsr10(results).status == "amber"
    breach.refresh_from_db()
    assert breach.resolved_at == resolved and breach.opened_at == opened


def test_tracking_an_instant_before_the_latest_one_changes_no_breach(store):
    opened = datetime(2026, 11, 20, 10, 0, tzinfo=PST)
    late_orders(store, late=1, on_time=3, due=datetime(2026, 11, 18, 14, 0, tzinfo=PST))
    metrics_recompute(store=store, as_of=opened, track_breaches=True)
    late_orders(store, late=0, on_time=50, due=datetime(2026, 11, 18, 15, 0, tzinfo=PST))  # back in target
    # An hour earlier the rows were already there, so the metric is green then; but the breach opened later.
    results = metrics_recompute(store=store, as_of=opened - timedelta(hours=1), track_breaches=True)
    assert lsr10(results).status != "red"
    assert breach_of(store, "lsr", 10).is_open
    metrics_recompute(store=store, as_of=opened + timedelta(hours=1), track_breaches=True)
    resolved_at = breach_of(store, "lsr", 10).resolved_at
    assert resolved_at == opened + timedelta(hours=1)
    late_orders(store, late=40, on_time=0, due=datetime(2026, 11, 18, 16, 0, tzinfo=PST))  # red again
    metrics_recompute(store=store, as_of=opened + timedelta(minutes=30), track_breaches=True)  # before it closed
    assert Breach.objects.filter(store=store, metric="lsr", window_days=10).count() == 1
    metrics_recompute(store=store, as_of=opened + timedelta(hours=2), track_breaches=True)
    assert Breach.objects.filter(store=store, metric="lsr", window_days=10, resolved_at__isnull=True).count() == 1


def test_the_evenings_unanswered_messages_open_no_breach_at_midnight(store):
    """Pending rows are not counted yet: the night's recompute opens no false breach; a real one opens later."""
    for hour in (9, 10, 11, 12, 13):  # answered within the hour, two days before
        thread = ThreadFactory(store=store)
        MessageFactory(thread=thread, store=store, sent_at=datetime(2026, 11, 18, hour, tzinfo=PST))
        MessageFactory(thread=thread, store=store, direction="outbound",
                       sent_at=datetime(2026, 11, 18, hour, 30, tzinfo=PST))
    for hour in (19, 20, 21, 22, 23):  # the evening before, not answered yet
        MessageFactory(thread=ThreadFactory(store=store), store=store, sent_at=datetime(2026, 11, 19, hour, tzinfo=PST))
    just_after_midnight = datetime(2026, 11, 20, 0, 5, tzinfo=PST)
    results = metrics_recompute(store=store, as_of=just_after_midnight, track_breaches=True)
    response7 = next(r for r in results if r.metric == "response" and r.window_days == 7)
    assert (response7.numerator, response7.denominator, response7.pending, response7.status) == (5, 5, 5, "green")
    assert not Breach.objects.filter(store=store, metric="response").exists()
    # A day later the five are still unanswered and their 24 hours have passed: 5 of 10 on time, a breach.
    a_day_later = datetime(2026, 11, 21, 0, 5, tzinfo=PST)
    metrics_recompute(store=store, as_of=a_day_later, track_breaches=True)
    assert breach_of(store, "response", 7).opened_at == a_day_later
