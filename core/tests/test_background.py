"""Work the broker refuses is kept in the database, shown on the pages, queued again, and cleared once done.

These cases make Redis fail inside the test process; tests/faults/test_redis_down.py kills a real Redis.
"""

from __future__ import annotations

import logging
from datetime import timedelta

import kombu.exceptions
import pytest
import redis.exceptions
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.api.throttling import TokenRateThrottle
from core.background import (
    IMPORT_RUN_TASK,
    METRICS_RECOMPUTE_TASK,
    REQUEUE_AFTER,
    deferred_task_mark,
    deferred_tasks_requeue,
)
from core.models import DeferredTask
from imports.models import ImportJob
from imports.services import import_job_create, import_job_run
from metrics.models import MetricSnapshot
from metrics.services import metrics_inputs_changed, metrics_recompute, metrics_snapshot_daily
from sellerops.celery import app as celery_app
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

REFUSED = kombu.exceptions.OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")


def refuse(*args, **kwargs):
    raise REFUSED


def owed(store, task: str = METRICS_RECOMPUTE_TASK) -> DeferredTask | None:
    return DeferredTask.objects.filter(task=task, object_id=store.pk).first()


def test_marking_twice_keeps_one_row_from_the_first_time_and_counts_both(store):
    deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=store.pk, object_id=store.pk)
    first = owed(store)
    DeferredTask.objects.filter(pk=first.pk).update(requeued_at=timezone.now())
    deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=store.pk, object_id=store.pk)
    again = DeferredTask.objects.get()
    assert (again.pk, again.since, again.marks, again.requeued_at) == (first.pk, first.since, 2, None)


@pytest.mark.parametrize("failure", [
    ("cache", redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")),
    ("cache", redis.exceptions.TimeoutError("Timeout reading from socket")),
    ("publish", REFUSED),
])
def test_a_change_whose_recompute_redis_refuses_is_kept_owed(store, monkeypatch, caplog, failure,
                                                             django_capture_on_commit_callbacks):
    where, error = failure

    def fail(*args, **kwargs):
        raise error

    task = "metrics.tasks.metrics_recompute_store_task"
    monkeypatch.setattr("metrics.services.cache.add" if where == "cache" else f"{task}.apply_async", fail)
    with caplog.at_level(logging.WARNING, logger="core.background"), \
            django_capture_on_commit_callbacks(execute=True):
        metrics_inputs_changed(store_id=store.pk)
    assert owed(store).marks == 1
    assert f"Could not queue {METRICS_RECOMPUTE_TASK}({store.pk})" in caplog.text
    assert not MetricSnapshot.objects.exists()


def test_a_live_recompute_settles_what_the_store_owed(store, other_store):
    for owing in (store, other_store):
        deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=owing.pk, object_id=owing.pk)
    metrics_recompute(store=store, as_of=timezone.now() - timedelta(hours=1))
    metrics_snapshot_daily(store=store)
    assert owed(store) is not None  # a past instant or a daily snapshot is not the live figure the store owes
    metrics_recompute(store=store)
    assert owed(store) is None and owed(other_store) is not None


def test_a_change_refused_while_a_recompute_runs_stays_owed(store, monkeypatch):
    """The recompute read the marks before computing; a refusal after that may be a change it did not see."""
    from metrics import services

    deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=store.pk, object_id=store.pk)
    compute_all = services.compute_all

    def compute_while_another_change_is_refused(*args):
        deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=store.pk, object_id=store.pk)
        return compute_all(*args)

    monkeypatch.setattr(services, "compute_all", compute_while_another_change_is_refused)
    metrics_recompute(store=store)
    assert owed(store).marks == 2
    monkeypatch.setattr(services, "compute_all", compute_all)
    metrics_recompute(store=store)
    assert owed(store) is None


def test_requeue_queues_each_owed_task_once_until_it_has_run(store, other_store, monkeypatch):
    sent = []
    monkeypatch.setattr("metrics.tasks.metrics_recompute_store_task.apply_async",
                        lambda args, **options: sent.append(args))
    for owing in (store, other_store):
        deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=owing.pk, object_id=owing.pk)
    now = timezone.now()

    assert deferred_tasks_requeue(now=now) == 2
    assert sent == [[store.pk], [other_store.pk]]
    assert set(DeferredTask.objects.values_list("requeued_at", flat=True)) == {now}
    # Queued a minute ago: the task may sit in a backlog, so the next sweeps leave it alone for a while.
    assert deferred_tasks_requeue(now=now + timedelta(minutes=1)) == 0
    # A change refused again is queued at the next sweep; the rest once REQUEUE_AFTER has passed.
    deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=store.pk, object_id=store.pk)
    assert deferred_tasks_requeue(now=now + timedelta(minutes=2)) == 1
    assert deferred_tasks_requeue(now=now + REQUEUE_AFTER + timedelta(minutes=1)) == 1
    assert sent[2:] == [[store.pk], [other_store.pk]]


def test_requeue_stops_while_the_broker_still_refuses(store, other_store, monkeypatch):
    monkeypatch.setattr("metrics.tasks.metrics_recompute_store_task.apply_async", refuse)
    for owing in (store, other_store):
        deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=owing.pk, object_id=owing.pk)
    assert deferred_tasks_requeue() == 0
    assert set(DeferredTask.objects.values_list("requeued_at", "marks")) == {(None, 1)}


def test_an_upload_redis_refuses_keeps_its_file_queued_until_the_import_runs(store, operator, settings, tmp_path,
                                                                             monkeypatch,
                                                                             django_capture_on_commit_callbacks):
    settings.MEDIA_ROOT = tmp_path
    # With a broker (REDIS_URL set), which refuses: without one the import would run in this process instead.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setattr("imports.tasks.import_run_task.apply_async", refuse)
    data = b"amazon-order-id\tpurchase-date\n"
    with django_capture_on_commit_callbacks(execute=True):
        job = import_job_create(store=store, kind="all_orders", upload=SimpleUploadedFile("orders.txt", data),
                                actor=operator)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED and job.file.read() == data
    assert owed(job, IMPORT_RUN_TASK).store_id == store.pk
    import_job_run(job=job)
    assert owed(job, IMPORT_RUN_TASK) is None
    assert ImportJob.objects.get().is_finished


def test_pages_tell_the_stores_users_that_background_work_is_paused(client, store, other_store):
    member, stranger = UserFactory(username="member"), UserFactory(username="stranger")
    MembershipFactory(user=member, store=store, role="manager")
    MembershipFactory(user=stranger, store=other_store, role="manager")
    deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=store.pk, object_id=store.pk)
    deferred_task_mark(task_name=IMPORT_RUN_TASK, store_id=store.pk, object_id=12)
    deferred_task_mark(task_name=IMPORT_RUN_TASK, store_id=store.pk, object_id=13)

    client.force_login(member)
    html = client.get("/health/").content.decode()
    assert "Background work is paused since" in html
    assert "Account-health metrics may be out of date; they will be recomputed when it resumes." in html
    assert "2 uploaded files are waiting to be imported; they will start when background work resumes." in html
    html = client.get("/orders/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "后台任务自" in html and "2 个已上传的文件正在等待导入" in html
    client.force_login(stranger)
    assert "Background work is paused" not in client.get("/orders/").content.decode()


def test_token_clients_are_served_while_the_throttle_cache_is_unreachable(store, monkeypatch, caplog):
    class Unreachable:
        def get(self, *args, **kwargs):
            raise redis.exceptions.ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        set = get

    user = UserFactory()
    MembershipFactory(user=user, store=store, role="operator")
    monkeypatch.setattr(TokenRateThrottle, "cache", Unreachable())
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    with caplog.at_level(logging.WARNING, logger="core.api.throttling"):
        assert client.get("/api/orders/").status_code == 200
    assert "rate limit not checked" in caplog.text


def test_the_owed_task_names_are_the_tasks_themselves():
    from imports.tasks import import_run_task
    from metrics.tasks import metrics_recompute_store_task

    assert (metrics_recompute_store_task.name, import_run_task.name) == (METRICS_RECOMPUTE_TASK, IMPORT_RUN_TASK)
