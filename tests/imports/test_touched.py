"""A finished import links to what it created or changed: orders, shipments, returns, listings."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports import base
from imports.models import ImportJob
from orders.models import Order
from returns.models import ReturnRequest

from .conftest import sample

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def run(client, store, kind, name, capture) -> tuple[ImportJob, str]:
    with capture(execute=True):
        client.post("/imports/", {"store": store.code, "kind": kind, "file": SimpleUploadedFile(name, sample(name))})
    job = ImportJob.objects.filter(kind=kind).latest("pk")
    assert job.status == "done", job.errors
    return job, client.get(f"/imports/{job.pk}/").content.decode()


def test_the_orders_an_import_created_are_links_to_them(client, operator, store,
                                                        django_capture_on_commit_callbacks):
    client.force_login(operator)
    job, html = run(client, store, "all_orders", "all_orders_us.txt", django_capture_on_commit_callbacks)
    ids = sorted(Order.objects.filter(store=store).values_list("amazon_order_id", flat=True))
    assert job.touched["order"]["created"] == {"count": 4, "keys": job.touched["order"]["created"]["keys"]}
    assert sorted(job.touched["order"]["created"]["keys"]) == ids
    section = html[html.index('data-touched="order-created"'):]
    for order_id in ids:
        assert f'href="/orders/{order_id}/?store=ACME-US">{order_id}</a>' in section


def test_the_returns_and_shipments_an_import_recorded_are_links(client, operator, store,
                                                                django_capture_on_commit_callbacks):
    client.force_login(operator)
    run(client, store, "all_orders", "all_orders_us.txt", django_capture_on_commit_callbacks)
    job, html = run(client, store, "returns", "returns.txt", django_capture_on_commit_callbacks)
    returns = list(ReturnRequest.objects.filter(store=store))
    assert returns and job.touched["return"]["created"]["count"] == len(returns)
    for r in returns:
        assert f'href="/returns/{r.pk}/"' in html


def test_only_the_first_ones_are_kept_with_the_count(monkeypatch):
    monkeypatch.setattr(base, "TOUCHED_KEEP", 3)
    touched = base.Touched()
    touched.add_many("order", [f"111-0000000-000000{n}" for n in range(7)], created=True)
    assert touched.data == {"order": {"created": {"count": 7, "keys": [f"111-0000000-000000{n}" for n in range(3)]}}}

