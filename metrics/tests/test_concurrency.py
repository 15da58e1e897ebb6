"""Recomputes of one store running at the same time leave one breach and one snapshot per instant."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from metrics.models import Breach, MetricSnapshot
from metrics.services import metrics_recompute
from metrics.tests.test_services import late_orders

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_recomputes_do_not_duplicate_breaches(store):
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent transactions need PostgreSQL (SQLite serialises every writer).")
    late_orders(store, late=2, on_time=2)
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def recompute() -> None:
        try:
            barrier.wait(timeout=10)
            metrics_recompute(store=store)
        except BaseException as error:  # noqa: BLE001 - reported to the test thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recompute) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    assert Breach.objects.filter(store=store, metric="lsr", resolved_at__isnull=True).count() == 2  # 10 d and 30 d
    assert MetricSnapshot.objects.filter(store=store).values("as_of").distinct().count() == 4
