"""A Celery worker killed in the middle of a metrics recompute: nothing of that run stays, and the run that
follows — the same task, handed out again by Redis — leaves exactly what a clean run leaves.

``metrics_recompute`` is one transaction: it locks the store row, writes the snapshots, and opens, updates and
resolves breaches as it goes. To catch a worker inside it deterministically, the test holds a row lock (in a
connection of its own) on a row the recompute writes late, waits until PostgreSQL shows the worker's backend
waiting on that lock, and SIGKILLs the worker's process group. The task was taken with ``acks_late``, so Redis
keeps it as unacknowledged; once ``CELERY_VISIBILITY_TIMEOUT`` has passed, the next worker that starts hands it
out again.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection, connections
from django.utils import timezone

from core.models import Store
from metrics.engine import compute_all
from metrics.models import Breach, MetricSnapshot, Status
from metrics.tasks import metrics_recompute_store_task
from metrics.tests.test_services import late_orders
from tests.conftest import LiveWorker, celery_sends_to, start_celery_worker
from tests.factories import StoreFactory

from .services import PrivateRedis, private_redis_for_test, redis_missing

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
                       reason="a worker process cannot see the SQLite test database; set DATABASE_URL to PostgreSQL"),
    pytest.mark.skipif(redis_missing() is not None, reason=f"a private Redis is needed: {redis_missing()}"),
]

#: Seconds before Redis hands an unacknowledged task to another worker, in the workers these tests start.
VISIBILITY_TIMEOUT = 2
WAIT_TIMEOUT = 60.0
LSR_10, LSR_30, CANCEL_7, VTR_30 = ("lsr", "MFN", 10), ("lsr", "MFN", 30), ("cancel", "MFN", 7), ("vtr", "MFN", 30)
#: Red in the store ``late_orders(late=2, on_time=2)`` builds: half its orders shipped late, its tracking invalid.
RED = [LSR_10, LSR_30, VTR_30]


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    with private_redis_for_test() as server, celery_sends_to(server.url()):
        yield server


@pytest.fixture
def workers(private_redis: PrivateRedis, tmp_path: Path) -> Iterator[Callable[[], LiveWorker]]:
    """Start workers on the private Redis with ``start()``; every one still running is stopped afterwards."""
    started: list[LiveWorker] = []
    client = private_redis.client()

    def start() -> LiveWorker:
        log_path = tmp_path / f"celery-worker-{len(started) + 1}.log"
        process = start_celery_worker(
            redis_url=private_redis.url(), log_path=log_path,
            hostname=f"faults-{private_redis.port}-{len(started) + 1}@%h",
            env={"CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT)})
        worker = LiveWorker(process=process, log_path=log_path, redis=client, redis_url=private_redis.url())
        started.append(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
        client.close()


@contextmanager
def row_locked(table: str, pk: int) -> Iterator[int]:
    """Hold ``SELECT … FOR UPDATE`` on one row from a connection of its own; yield that backend's pid."""
    holder = connections.create_connection("default")
    try:
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f'SELECT id FROM "{table}" WHERE id = %s FOR UPDATE', [pk])
            assert cursor.fetchone() == (pk,)
            cursor.execute("SELECT pg_backend_pid()")
            yield cursor.fetchone()[0]
        holder.rollback()
    finally:
        holder.close()


def backends_waiting_on(holder_pid: int) -> set[int]:
    """The sessions waiting, directly or behind another waiter (a row's tuple lock), on ``holder_pid``'s locks."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid, pg_blocking_pids(pid) FROM pg_stat_activity "
                       "WHERE datname = current_database() AND wait_event_type = 'Lock'")
        blocked_by = dict(cursor.fetchall())
    waiting: set[int] = set()
    while True:
        more = {pid for pid, blockers in blocked_by.items() if {holder_pid, *waiting} & set(blockers)} - waiting
        if not more:
            return waiting
        waiting |= more


def tables_written_by(pid: int) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relation::regclass::text FROM pg_locks WHERE pid = %s AND mode = 'RowExclusiveLock' "
                       "AND locktype = 'relation'", [pid])
        return {row[0] for row in cursor.fetchall()}


def backend_exists(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def wait_for(condition, what: str, timeout: float = WAIT_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Not within {timeout:.0f} s: {what}")
        time.sleep(0.05)


def breach_rows(store: Store) -> list[dict]:
    return list(Breach.objects.filter(store=store).order_by("pk").values())


def open_breach(store: Store, key: tuple[str, str, int], *, days_ago: int, rate: str) -> Breach:
    at = timezone.now() - timedelta(days=days_ago)
    metric, channel, window_days = key
    return Breach.objects.create(store=store, metric=metric, channel=channel, window_days=window_days, opened_at=at,
                                 opening_rate=Decimal(rate), peak_rate=Decimal(rate), peak_at=at)


def test_a_worker_killed_mid_recompute_leaves_nothing_and_the_redelivered_task_is_exact(private_redis, workers):
    store = StoreFactory(code="KILL-US", marketplace="US")
    late_orders(store, late=2, on_time=2)
    before = {r.key: r.status for r in compute_all(store, timezone.now())}
    assert sorted(key for key, status in before.items() if status == Status.RED) == RED
    assert before[CANCEL_7] == Status.GREEN
    stays_open = open_breach(store, LSR_30, days_ago=2, rate="0.1")
    to_resolve = open_breach(store, CANCEL_7, days_ago=3, rate="0.05")
    breaches_before = breach_rows(store)

    # The recompute writes the snapshots and breaches of ODR and LSR (opening LSR 10 d, raising LSR 30 d's peak),
    # then must lock the cancel-rate breach to resolve it: there it waits for the test, mid-transaction, before
    # it reaches VTR.
    first = workers()
    with row_locked(Breach._meta.db_table, to_resolve.pk) as holder:
        result = metrics_recompute_store_task.delay(store.pk)
        first.wait_until(lambda: bool(backends_waiting_on(holder)), "the worker waits on the breach row lock")
        (killed_backend,) = backends_waiting_on(holder)
        # Mid-transaction indeed: it has already written snapshot and breach rows, not yet committed.
        assert {MetricSnapshot._meta.db_table, Breach._meta.db_table} <= tables_written_by(killed_backend)
        first.kill()
    # The lock is released: the orphaned backend finds its client gone and rolls the transaction back.
    wait_for(lambda: not backend_exists(killed_backend), "the killed worker's database session ends")
    assert not MetricSnapshot.objects.filter(store=store).exists()
    assert breach_rows(store) == breaches_before

    # Redis still holds the task as unacknowledged. Once the visibility timeout has passed, a worker that starts
    # takes it back into the queue and runs it again.
    with private_redis.client() as broker:
        (_, taken_at), = broker.zrange("unacked_index", 0, -1, withscores=True)
    wait_for(lambda: time.time() > taken_at + VISIBILITY_TIMEOUT + 0.5, "the visibility timeout passes")
    second = workers()
    second.wait_until(lambda: MetricSnapshot.objects.filter(store=store).exists(), "the redelivered recompute")
    second.wait_until(lambda: f"[{result.id}] succeeded" in second.log(), "the redelivered task reports success")
    assert f"Task metrics.tasks.metrics_recompute_store_task[{result.id}] received" in second.log()
    with private_redis.client() as broker:
        assert broker.zcard("unacked_index") == 0 and broker.llen("celery") == 0

    # Exactly what an in-process computation at the same instant gives, once.
    snapshots = MetricSnapshot.objects.filter(store=store)
    (as_of,) = set(snapshots.values_list("as_of", flat=True))
    expected = {(r.metric, r.channel, r.window_days): (r.numerator, r.denominator, r.rate, r.status)
                for r in compute_all(store, as_of)}
    assert {(s.metric, s.channel, s.window_days): (s.numerator, s.denominator, s.rate, s.status)
            for s in snapshots} == expected
    assert snapshots.count() == len(expected) == 11

    # One open breach per red result; the one already open is the same row, the one back in target resolved once.
    red = {key for key, (*_, status) in expected.items() if status == Status.RED}
    open_keys = list(Breach.objects.filter(store=store, resolved_at__isnull=True)
                     .values_list("metric", "channel", "window_days"))
    assert sorted(open_keys) == sorted(red) == RED
    assert Breach.objects.filter(store=store).count() == 4
    stays_open.refresh_from_db()
    assert stays_open.is_open and stays_open.opened_at == breaches_before[0]["opened_at"]
    assert (stays_open.peak_rate, stays_open.peak_at) == (expected[LSR_30][2], as_of)
    to_resolve.refresh_from_db()
    assert to_resolve.resolved_at == as_of
    assert Breach.objects.filter(store=store, metric="cancel").count() == 1
    for key in (LSR_10, VTR_30):
        opened = Breach.objects.get(store=store, metric=key[0], channel=key[1], window_days=key[2])
        assert (opened.opened_at, opened.opening_rate) == (as_of, expected[key][2])


def test_two_workers_recomputing_one_store_at_once_open_each_breach_once(private_redis, workers):
    """Two worker processes run the store's recompute at the same moment: the store lock serialises them."""
    store = StoreFactory(code="TWICE-US", marketplace="US")
    late_orders(store, late=2, on_time=2)
    started = [workers(), workers()]
    for worker in started:
        # A worker still starting would hand the other's task out again (the visibility timeout is short).
        worker.wait_until(lambda w=worker: " ready." in w.log(), "the worker is ready")
    # Both tasks are taken, one by each worker, and both wait on the store row; released, they race.
    with row_locked(Store._meta.db_table, store.pk) as holder:
        metrics_recompute_store_task.delay(store.pk)
        metrics_recompute_store_task.delay(store.pk)
        started[0].wait_until(lambda: len(backends_waiting_on(holder)) == 2, "both workers wait on the store row")
    for worker in started:
        worker.wait_until(lambda w=worker: "succeeded" in w.log(), "each worker finishes its recompute")

    assert MetricSnapshot.objects.filter(store=store).values("as_of").distinct().count() == 2
    assert sorted(Breach.objects.filter(store=store).values_list("metric", "channel", "window_days", "resolved_at")) \
        == [(*key, None) for key in RED]
