from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportJob
from imports.services import import_job_give_up
from orders.models import Order
from tests.factories import MembershipFactory, UserFactory

from .conftest import sample

pytestmark = pytest.mark.django_db
URL = "/imports/"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def client_op(client, operator):
    client.force_login(operator)
    return client


def upload(client, store, kind, name, **extra):
    data = {"store": store.code, "kind": kind, "file": SimpleUploadedFile(name, sample(name)), **extra}
    return client.post(URL, data)


def test_anonymous_is_sent_to_login(client):
    assert client.get(URL).status_code == 302


def test_upload_runs_the_job_and_shows_the_summary(client_op, store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_op, store, "all_orders", "all_orders_us.txt")

    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:detail", args=[job.pk])
    assert (job.status, job.total_rows, job.processed_rows, job.created_count) == ("done", 5, 5, 4)
    assert job.created_by.username == "op" and job.finished_at is not None
    assert Order.objects.filter(store=store).count() == 4

    page = client_op.get(response["Location"])
    html = page.content.decode()
    assert 'data-count="created">4<' in html
    # A finished job is no longer polled.
    assert 'hx-trigger="every 1s"' not in html
    listing = client_op.get(URL).content.decode()
    assert f'data-job="{job.pk}"' in listing and "all_orders_us.txt" in listing


def test_failed_job_lists_errors_by_line_and_column(client_op, store, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client_op, store, "all_orders", "bad_all_orders_date.txt")
    job = ImportJob.objects.get()
    assert job.status == "failed"
    assert job.errors == [{"line": 3, "column": "purchase-date", "message": job.errors[0]["message"]}]
    html = client_op.get(response["Location"]).content.decode()
    assert "Nothing was imported" in html and "purchase-date" in html and "20/11/2026 8am" in html
    assert "Correct these lines" in html
    assert Order.objects.count() == 0


def test_a_job_that_failed_as_a_whole_does_not_ask_to_correct_lines(client_op, store, operator):
    job = ImportJob.objects.create(store=store, kind="all_orders", file="imports/x.txt", file_name="x.txt",
                                   created_by=operator, status=ImportJob.Status.RUNNING)
    import_job_give_up(job_id=job.pk)
    html = client_op.get(f"/imports/{job.pk}/").content.decode()
    assert "Nothing was imported." in html and "Correct these lines" not in html
    assert "nothing from it was saved" in html


def test_progress_partial_polls_while_the_job_runs(client_op, store, operator):
    job = ImportJob.objects.create(store=store, kind="all_orders", file="imports/x.txt", file_name="x.txt",
                                   status="running", total_rows=200, processed_rows=50, created_by=operator)
    response = client_op.get(reverse("imports:detail", args=[job.pk]), headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response["Vary"] == "HX-Request" or "HX-Request" in response["Vary"]
    assert not html.lstrip().startswith("<!doctype")
    assert html.lstrip().startswith('<section id="job-progress"')
    assert 'hx-trigger="every 1s"' in html
    assert 'aria-valuenow="25"' in html
    assert "50 of 200 rows" in html


def test_jobs_of_other_stores_are_not_shown(client_op, other_store):
    job = ImportJob.objects.create(store=other_store, kind="feedback", file="imports/y.txt", file_name="secret.txt")
    assert client_op.get(reverse("imports:detail", args=[job.pk])).status_code == 404
    assert "secret.txt" not in client_op.get(URL).content.decode()


def test_only_the_users_importable_stores_can_be_chosen(client, store, other_store):
    agent = UserFactory(username="agent")
    MembershipFactory(user=agent, store=store, role="agent")
    client.force_login(agent)
    page = client.get(URL).content.decode()
    assert "Only an operator or an admin" in page
    response = upload(client, store, "all_orders", "all_orders_us.txt")
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


def test_a_store_not_the_users_is_refused(client_op, other_store):
    response = upload(client_op, other_store, "all_orders", "all_orders_us.txt")
    assert response.status_code == 400
    assert ImportJob.objects.count() == 0


def test_order_list_links_to_imports_and_export(client_op):
    html = client_op.get("/orders/", {"tab": "all", "channel": "MFN"}).content.decode()
    assert 'href="/imports/"' in html
    assert "/orders/export.csv?tab=all&amp;channel=MFN" in html


def test_the_task_is_idempotent(store, operator):
    from imports.tasks import import_run_task

    job = ImportJob(store=store, kind="all_orders", created_by=operator, file_name="a.txt")
    job.file.save("a.txt", io.BytesIO(sample("all_orders_us.txt")), save=True)
    assert import_run_task(job.pk) == "done"
    assert import_run_task(job.pk) == "done"
    assert Order.objects.count() == 4
    job.refresh_from_db()
    assert job.created_count == 4


def test_import_form_field_names_are_stable(client_op):
    html = client_op.get(URL).content.decode()
    for name in ("store", "kind", "file", "encoding"):
        assert f'name="{name}"' in html


@pytest.mark.parametrize("losses, status, orders", [(2, "done", 4), (6, "failed", 0)])
def test_an_import_that_loses_the_database_runs_again_then_gives_up(store, operator, monkeypatch, losses, status,
                                                                     orders):
    from django.db import OperationalError

    from imports import services
    from imports.tasks import IMPORT_RETRIES, import_run_task

    real_import_file = services.import_file
    tries = []

    def import_file(**kwargs):
        tries.append(1)
        if len(tries) <= losses:
            raise OperationalError("server closed the connection unexpectedly")
        return real_import_file(**kwargs)

    monkeypatch.setattr(services, "import_file", import_file)
    # As a worker runs it: each retry is run (at once, eagerly), not raised to the caller.
    monkeypatch.setitem(import_run_task.app.conf, "task_eager_propagates", False)
    job = ImportJob(store=store, kind="all_orders", created_by=operator, file_name="a.txt")
    job.file.save("a.txt", io.BytesIO(sample("all_orders_us.txt")), save=True)
    import_run_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == status
    assert Order.objects.count() == orders
    assert len(tries) == min(losses + 1, IMPORT_RETRIES + 1)
    if status == "failed":
        assert job.finished_at is not None
        assert "nothing from it was saved" in job.errors[0]["message"]
