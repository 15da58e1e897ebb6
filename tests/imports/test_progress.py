"""How far a running import has got, as its page shows it, and the import run after the upload's response when
there is no broker (the embedded defaults): the upload answers at once, the page follows the rows, and a job whose
process is gone is failed instead of running forever."""

from __future__ import annotations

import socket
import subprocess
import sys
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from core import background
from core.background import IMPORT_RUN_TASK, background_runner_id, background_wait
from imports import services
from imports.models import ImportJob
from imports.progress import progress_apply, progress_record
from orders.models import Order

from .conftest import sample

pytestmark = pytest.mark.django_db
HEADER = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\tship-city\n"


def orders_file(lines: int) -> bytes:
    rows = (f"114-{n:07d}-0000001\t2026-11-20T08:15:00+00:00\tShipped\tAmazon\tSKU-{n % 7}\t1\tDenver\n"
            for n in range(1, lines + 1))
    return (HEADER + "".join(rows)).encode()


@pytest.fixture
def running(store, operator):
    return ImportJob.objects.create(store=store, kind="all_orders", file="imports/x.txt", file_name="x.txt",
                                    created_by=operator, status=ImportJob.Status.RUNNING,
                                    alive_until=timezone.now() + timedelta(minutes=15),
                                    runner=background_runner_id())


@pytest.fixture
def held(running):
    """``running`` as held by this process's worker thread (as while its import runs)."""
    work = (IMPORT_RUN_TASK, running.pk)
    background._worker.hold(work)
    yield running
    background._worker.release(work)


# --- The bookkeeping ---


def test_the_cache_is_read_when_it_is_further_along_than_the_row(running):
    progress_record(job_id=running.pk, total_rows=0, processed_rows=4000)
    assert (progress_apply(running).total_rows, running.processed_rows, running.percent) == (0, 4000, 0)
    # Counted: writing starts from 0 of a known total, which is further along than any count of lines read.
    progress_record(job_id=running.pk, total_rows=20_000, processed_rows=0)
    assert (progress_apply(running).total_rows, running.processed_rows) == (20_000, 0)
    progress_record(job_id=running.pk, total_rows=20_000, processed_rows=5000)
    assert progress_apply(running).percent == 25


def test_the_row_wins_when_the_cache_is_behind_or_the_job_is_over(running):
    ImportJob.objects.filter(pk=running.pk).update(total_rows=100, processed_rows=80)
    running.refresh_from_db()
    progress_record(job_id=running.pk, total_rows=100, processed_rows=40)
    assert progress_apply(running).processed_rows == 80
    progress_record(job_id=running.pk, total_rows=0, processed_rows=90_000)
    assert progress_apply(running).processed_rows == 80
    running.status, running.alive_until = ImportJob.Status.DONE, None
    progress_record(job_id=running.pk, total_rows=100, processed_rows=99)
    assert progress_apply(running).percent == 100


def test_the_pulse_keeps_progress_where_the_page_sees_it_while_the_files_transaction_is_open(held, op_client):
    with transaction.atomic(), services._Pulse(held.pk) as pulse:
        pulse.set(total_rows=200, processed_rows=0)
        pulse.set(processed_rows=150)
        html = op_client.get(f"/imports/{held.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert 'aria-valuenow="75"' in html and "150 of 200 rows" in html and 'hx-trigger="every 1s"' in html


def test_while_rows_are_read_the_bar_sweeps_without_a_value(held, op_client):
    """No share of an uncounted file is known: the bar claims none (no ``aria-valuenow``) instead of 0 %."""
    progress_record(job_id=held.pk, total_rows=0, processed_rows=4000)
    reading = op_client.get(f"/imports/{held.pk}/", headers={"HX-Request": "true"}).content.decode()
    progress_record(job_id=held.pk, total_rows=8000, processed_rows=2000)
    writing = op_client.get(f"/imports/{held.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "progress-reading" in reading and "aria-valuenow" not in reading and "4,000 lines read" in reading
    assert "progress-reading" not in writing and 'aria-valuenow="25"' in writing and "2,000 of 8,000 rows" in writing


def test_an_import_reports_rows_read_then_rows_written_in_order(store, operator, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    seen: list[tuple[int, int]] = []
    monkeypatch.setattr(services, "progress_record",
                        lambda *, job_id, total_rows, processed_rows: seen.append((total_rows, processed_rows)))
    with django_capture_on_commit_callbacks(execute=True):
        job = services.import_job_create(store=store, kind="all_orders", actor=operator,
                                         upload=SimpleUploadedFile("orders.txt", orders_file(12_000)))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created_count == 12_000
    assert seen == sorted(seen), seen
    assert (0, 2000) in seen and (12_000, 5000) in seen and seen[-1] == (12_000, 12_000)
    assert any(0 < written < 12_000 for total, written in seen if total)


# --- Whose process holds a job ---


def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.mark.parametrize("runner, lost", [
    ("{host}:{dead}", True),          # this host's process, gone (the server restarted under another pid)
    ("{host}:{me}", True),            # this very process, which does not hold it (restarted under the same pid)
    ("{host}:1", False),              # a live process of this host (another web process or worker)
    ("elsewhere.example:{dead}", False),  # another host: its lease says
])
def test_a_job_whose_process_is_gone_is_failed_when_its_page_is_seen(running, op_client, runner, lost):
    import os

    runner = runner.format(host=socket.gethostname(), dead=dead_pid(), me=os.getpid())
    ImportJob.objects.filter(pk=running.pk).update(runner=runner, processed_rows=10, total_rows=100)
    html = op_client.get(f"/imports/{running.pk}/").content.decode()
    running.refresh_from_db()
    assert (running.status == ImportJob.Status.FAILED) is lost
    if lost:
        assert running.worker_lost and running.runner == "" and "the worker was lost" in html
        assert 'hx-trigger="every 1s"' not in html
    else:
        assert running.status == ImportJob.Status.RUNNING and 'hx-trigger="every 1s"' in html


def test_a_job_this_process_holds_keeps_running(held, op_client):
    op_client.get(f"/imports/{held.pk}/")
    held.refresh_from_db()
    assert held.status == ImportJob.Status.RUNNING


def test_the_list_fails_a_queued_job_whose_process_is_gone(store, operator, op_client):
    job = ImportJob.objects.create(store=store, kind="all_orders", file="imports/x.txt", file_name="queued.txt",
                                   created_by=operator, runner=f"{socket.gethostname()}:{dead_pid()}")
    html = op_client.get("/imports/").content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.worker_lost and "badge-failed" in html


# --- After the response, in this process's worker thread (real transactions: the thread has its own connection) ---


@pytest.mark.django_db(transaction=True)
def test_the_upload_answers_before_its_import_runs_and_the_import_then_finishes(client, operator, store,
                                                                               monkeypatch):
    started: list[str] = []
    real = background._worker.submit
    monkeypatch.setattr(background._worker, "submit", lambda work: (started.append(
        ImportJob.objects.get(pk=work[1]).status), real(work)))
    client.force_login(operator)
    response = client.post("/imports/", {"store": store.code, "kind": "",
                                         "file": SimpleUploadedFile("orders.txt", orders_file(3000))})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    # Handed to the thread only once the response was complete; queued until then, and this process's.
    assert started == [ImportJob.Status.QUEUED]
    assert background_wait(timeout=60)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.runner, job.alive_until) == ("done", 3000, "", None)
    assert Order.objects.count() == 3000


@pytest.mark.django_db(transaction=True)
def test_an_htmx_upload_is_sent_to_the_jobs_page_and_a_bad_file_fails_there(client, operator, store):
    client.force_login(operator)
    response = client.post("/imports/", {"store": store.code, "kind": "all_orders",
                                         "file": SimpleUploadedFile("bad.txt", sample("bad_all_orders_date.txt"))},
                           headers={"HX-Request": "true"})
    job = ImportJob.objects.get()
    assert response.status_code == 204 and response["HX-Redirect"] == f"/imports/{job.pk}/"
    assert background_wait(timeout=60)
    job.refresh_from_db()
    assert job.status == "failed" and job.errors[0]["column"] == "purchase-date" and Order.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_task_that_breaks_in_the_thread_leaves_a_failed_job_not_a_running_one(client, operator, store,
                                                                               monkeypatch, caplog):
    def broken(*, job):
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, alive_until=timezone.now()
                                                   + timedelta(minutes=15))
        raise RuntimeError("a bug")

    monkeypatch.setattr("imports.tasks.import_job_process", broken)
    client.force_login(operator)
    client.post("/imports/", {"store": store.code, "kind": "all_orders",
                              "file": SimpleUploadedFile("orders.txt", sample("all_orders_us.txt"))})
    assert background_wait(timeout=60)
    assert "stopped on an unexpected error" in caplog.text
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.RUNNING
    # The thread let go of it: its page, from this very process, fails it.
    html = client.get(f"/imports/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "the worker was lost" in html


def test_an_upload_form_sent_by_htmx_comes_back_with_its_errors_in_place(op_client, store, tmp_path):
    response = op_client.post("/imports/", {"store": store.code, "kind": "",
                                            "file": SimpleUploadedFile("x.txt", b"sku\tasin\nA\tB\n")},
                              headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 400 and html.lstrip().startswith("<form") and "form-error" in html
    assert "data-upload-status" in html and "Recent imports" not in html
    assert ImportJob.objects.count() == 0
