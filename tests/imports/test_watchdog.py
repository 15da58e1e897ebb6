"""A job never stays "Running" without a live worker: a lease the worker renews, a watchdog that fails the job
once the lease has run out (from beat, and whenever the job's page is read), and a page that says so."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import psycopg2
import pytest
from celery.schedules import crontab
from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from imports.models import ImportJob
from imports.services import import_jobs_watchdog
from imports.tasks import import_jobs_watchdog_task, import_run_task
from orders.models import Order
from sellerops.celery import app as celery_app
from tests.factories import ListingFactory

pytestmark = pytest.mark.django_db
LOST = "The import stopped without finishing (the worker was lost); nothing was imported."


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def running_job(store, operator, *, alive_until, status=ImportJob.Status.RUNNING, kind="all_orders",
                **fields) -> ImportJob:
    return ImportJob.objects.create(store=store, kind=kind, file="imports/x.txt", file_name="x.txt",
                                    created_by=operator, status=status, alive_until=alive_until,
                                    total_rows=1000, processed_rows=400, **fields)


def test_the_beat_task_fails_jobs_whose_worker_was_lost_and_only_those(store, operator):
    now = timezone.now()
    lost = running_job(store, operator, alive_until=now - timedelta(seconds=1))
    alive = running_job(store, operator, alive_until=now + timedelta(seconds=30))
    preparing = running_job(store, operator, alive_until=now - timedelta(minutes=5), status="preview")
    queued = running_job(store, operator, alive_until=None, status="queued")
    waiting_preview = running_job(store, operator, alive_until=None, status="preview")

    assert import_jobs_watchdog_task() == 2

    for job in (lost, alive, preparing, queued, waiting_preview):
        job.refresh_from_db()
    assert (lost.status, preparing.status) == ("failed", "failed")
    assert lost.worker_lost and lost.finished_at is not None and lost.alive_until is None
    assert LOST in lost.errors[0]["message"]
    assert (alive.status, queued.status, waiting_preview.status) == ("running", "queued", "preview")
    assert import_jobs_watchdog_task() == 0


def test_the_watchdog_runs_every_minute_from_beat():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values()
                 if e["task"] == "imports.tasks.import_jobs_watchdog_task")
    assert entry["schedule"] == crontab()
    assert entry["task"] in celery_app.tasks


def test_the_page_fails_a_job_left_running_by_a_killed_web_process(client, store, operator):
    """Eager mode: the web process that ran the import died; no beat runs. Reading the page is enough."""
    job = running_job(store, operator, alive_until=timezone.now() - timedelta(seconds=1))
    client.force_login(operator)

    partial = client.get(reverse("imports:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert LOST in partial and 'hx-trigger="every 1s"' not in partial and "job-failed" in partial
    assert "Correct these lines" not in partial
    html = client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert LOST in html
    job.refresh_from_db()
    assert job.status == "failed"


def test_the_page_keeps_polling_a_job_whose_worker_is_alive(client, store, operator):
    job = running_job(store, operator, alive_until=timezone.now() + timedelta(seconds=30))
    client.force_login(operator)
    partial = client.get(reverse("imports:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'hx-trigger="every 1s"' in partial and LOST not in partial
    job.refresh_from_db()
    assert job.status == "running"


def test_the_list_page_shows_a_lost_job_as_failed(client, store, operator):
    job = running_job(store, operator, alive_until=timezone.now() - timedelta(seconds=1))
    client.force_login(operator)
    html = client.get(reverse("imports:list")).content.decode()
    row = html.split(f'data-job="{job.pk}"')[1].split("</tr>")[0]
    assert "Failed" in row and "Running" not in row


def test_a_preview_whose_worker_was_lost_leads_to_the_message(client, store, operator):
    job = running_job(store, operator, alive_until=timezone.now() - timedelta(seconds=1), status="preview",
                      kind="ship_confirm")
    client.force_login(operator)
    url = reverse("imports:ship_confirm_preview", args=[job.pk])
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled["HX-Redirect"] == reverse("imports:detail", args=[job.pk])
    page = client.get(url, follow=True).content.decode()
    assert LOST in page


def test_a_finished_run_holds_no_lease(store, operator):
    job = ImportJob(store=store, kind="all_orders", created_by=operator, file_name="a.txt")
    job.file.save("a.txt", ContentFile(b"amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\t"
                                       b"quantity\n"), save=True)
    assert import_run_task(job.pk) == "done"
    job.refresh_from_db()
    assert job.alive_until is None and job.finished_at is not None


# --- PostgreSQL: the lease is renewed from outside the file's transaction, while the import is held up ---

ORDERS = ("amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\n"
          + "".join(f"113-{n:07d}-0000001\t2026-11-20T08:15:00+00:00\tUnshipped\tMerchant\tBOTTLE-750\t1\n"
                    for n in range(1, 31)))
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="SQLite serialises every write on one file lock; run on PostgreSQL")


class HeldListing:
    """Another session holds the listing's row lock: the import waits for it inside its own transaction."""

    def __init__(self, listing_id: int) -> None:
        params = connection.get_connection_params()
        self.conn = psycopg2.connect(**{k: v for k, v in params.items() if k in
                                        ("dbname", "user", "password", "host", "port")})
        self.cursor = self.conn.cursor()
        self.cursor.execute("SELECT id FROM listings_listing WHERE id = %s FOR UPDATE", [listing_id])

    def release(self) -> None:
        self.conn.rollback()
        self.conn.close()


def run_in_thread(job_id: int) -> tuple[threading.Thread, list]:
    outcome: list = []

    def target() -> None:
        try:
            outcome.append(import_run_task(job_id))
        except Exception as error:  # noqa: BLE001  (asserted by the test)
            outcome.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, outcome


def wait_for(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def held_import(settings, store, operator):
    """Start a queued import whose worker then waits on a row lock half-way through its transaction; the
    fixture's value releases the lock and returns what the task returned."""
    settings.IMPORT_HEARTBEAT_SECONDS = 0.1
    settings.IMPORT_STALE_AFTER_SECONDS = 60
    listing = ListingFactory(store=store, sku="BOTTLE-750", quantity_available=100)
    job = ImportJob(store=store, kind="all_orders", created_by=operator, file_name="orders.txt")
    job.file.save("orders.txt", ContentFile(ORDERS.encode()), save=True)
    lock = HeldListing(listing.pk)
    thread, outcome = run_in_thread(job.pk)
    released = []

    def release():
        lock.release()
        released.append(True)
        thread.join(timeout=60)
        assert not thread.is_alive()
        return outcome

    claimed = wait_for(lambda: ImportJob.objects.filter(pk=job.pk, status="running").values_list(
        "alive_until", flat=True).first(), "the worker to claim the job")
    yield job, claimed, release
    if not released:
        release()


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_held_worker_renews_its_lease_outside_its_transaction_and_finishes(held_import):
    job, claimed, release = held_import
    # Progress and a renewed lease, written while the import's transaction is open and waits on the lock.
    wait_for(lambda: ImportJob.objects.filter(pk=job.pk, total_rows=30, alive_until__gt=claimed).exists(),
             "a heartbeat from the held worker")
    assert import_jobs_watchdog() == 0
    assert ImportJob.objects.get(pk=job.pk).status == "running"
    assert Order.objects.count() == 0  # nothing is visible before the file's transaction commits

    assert release() == ["done"]
    job.refresh_from_db()
    assert (job.status, job.created_count, job.alive_until) == ("done", 30, None)
    assert Order.objects.count() == 30


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_a_job_the_watchdog_failed_is_never_also_imported(held_import):
    job, _claimed, release = held_import
    wait_for(lambda: ImportJob.objects.filter(pk=job.pk, total_rows=30).exists(), "the worker to read the file")
    # As if the worker had gone silent: the watchdog runs an hour later and fails the job.
    assert import_jobs_watchdog(now=timezone.now() + timedelta(hours=1)) == 1

    assert release() == ["failed"]
    job.refresh_from_db()
    assert job.status == "failed" and job.worker_lost and job.alive_until is None
    assert Order.objects.count() == 0
