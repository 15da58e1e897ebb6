"""The reconciliation pages: Amazon's figures beside ours, the orders behind a difference, for the store's members
only, in a number of queries that does not grow with the reports or the orders."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from spapi.models import Reconciliation, SellerPerformanceReport
from spapi.reconciliation.services import reconciliation_run
from tests.factories import MembershipFactory, OrderFactory, StoreFactory, UserFactory

from .reconcile_world import AS_OF, MARKETPLACE_US, build, document

pytestmark = pytest.mark.django_db


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def manager(store):
    user = UserFactory(username="mgr")
    MembershipFactory(user=user, store=store, role="manager")
    return user


def reconciled(store, days: int = 1) -> None:
    world = build(store)
    reconciliation_run(report_id=world.report.pk, now=AS_OF)
    for day in range(1, days):
        report = SellerPerformanceReport.objects.create(store=store, report_id=f"R-{day + 1}",
                                                        fetched_at=AS_OF + timedelta(days=day),
                                                        marketplace_id=MARKETPLACE_US, raw=document())
        reconciliation_run(report_id=report.pk, now=report.fetched_at)


def test_the_page_sets_each_figure_beside_ours(store, manager):
    reconciled(store)

    response = client_of(manager).get(f"/health/reconciliation/?store={store.code}")

    assert response.status_code == 200
    html = response.content.decode()
    assert "1 of 3 figures agree." in html
    assert 'data-metric="odr" data-channel="MFN" data-verdict="differs"' in html
    assert 'data-metric="cancel" data-channel="MFN" data-verdict="agrees"' in html
    assert "+41.67 pp" in html and "2025-04-01 – 2025-05-30" in html
    assert 'aria-current="page">Amazon\'s figures</a>' in html


def test_without_a_store_chosen_the_page_opens_on_the_store_whose_figures_differ(store, manager):
    agreeing = StoreFactory(code="AAA-FIRST")
    MembershipFactory(user=manager, store=agreeing, role="manager")
    reconciled(store)
    assert store.code > agreeing.code and Reconciliation.objects.filter(
        store=store, verdict=Reconciliation.Verdict.DIFFERS).exists()

    html = client_of(manager).get("/health/reconciliation/").content.decode()

    assert f"Amazon's figures beside ours · {store.code}" in html
    Reconciliation.objects.filter(store=store).update(verdict=Reconciliation.Verdict.AGREES)
    html = client_of(manager).get("/health/reconciliation/").content.decode()
    assert f"Amazon's figures beside ours · {agreeing.code}" in html


def test_a_difference_names_its_orders_with_their_links_and_times(store, manager):
    reconciled(store)
    odr = Reconciliation.objects.get(metric="odr")

    response = client_of(manager).get(f"/health/reconciliation/{odr.pk}/")

    html = response.content.decode()
    assert "Time-zone edge of the window" in html and "Accounts for the whole difference" in html
    assert "Negative feedback: we count more than Amazon" in html and "Likely cause" in html
    o3 = odr.orders.filter(cause="tz_edge", side="ours").select_related("order").first().order
    assert f'href="/orders/{o3.amazon_order_id}/?store={store.code}"' in html
    # o3 was bought 2025-04-01 03:00 UTC: the evening before, in Los Angeles, said with its offset.
    assert "Mar 31, 20:00 UTC\u22127" in html


def test_the_page_in_chinese(store, manager):
    reconciled(store)
    odr = Reconciliation.objects.get(metric="odr")
    client = client_of(manager)

    with translation.override("zh-hans"):
        response = client.get(f"/health/reconciliation/{odr.pk}/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.status_code == 200


def test_queries_do_not_grow_with_reports_or_orders(store, manager):
    other = StoreFactory(code="MORE-US", marketplace="US")
    MembershipFactory(user=manager, store=other, role="manager")
    reconciled(store, days=1)
    reconciled(other, days=6)
    for n in range(30):
        OrderFactory(store=other, purchase_date=AS_OF - timedelta(days=100 - n))
    client = client_of(manager)

    def count(url: str) -> int:
        client.get(url)  # warm the per-process caches (translations, templates)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count(f"/health/reconciliation/?store={store.code}") == count(f"/health/reconciliation/?store={other.code}")
    small = Reconciliation.objects.get(store=store, metric="odr")
    large = Reconciliation.objects.filter(store=other, metric="odr").order_by("-as_of").first()
    assert count(f"/health/reconciliation/{small.pk}/") == count(f"/health/reconciliation/{large.pk}/")


def test_another_stores_reconciliations_are_never_shown(store, manager, other_store):
    reconciled(store)
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, store=other_store, role="manager")
    odr = Reconciliation.objects.get(metric="odr")
    client = client_of(stranger)

    assert client.get(f"/health/reconciliation/{odr.pk}/").status_code == 404
    assert client.get(f"/health/reconciliation/?store={store.code}").status_code == 404
    page = client.get("/health/reconciliation/").content.decode()
    assert store.code not in page and "reconcile-empty" in page
    assert client.post("/health/reconciliation/run/", {"store": store.code}).status_code == 404


def test_only_managers_and_admins_compare_again(store, manager, django_capture_on_commit_callbacks):
    world = build(store)
    operator = UserFactory(username="op")
    MembershipFactory(user=operator, store=store, role="operator")

    assert "reconcile-again" not in client_of(operator).get("/health/reconciliation/").content.decode()
    assert client_of(operator).post("/health/reconciliation/run/", {"store": store.code}).status_code == 403
    assert not Reconciliation.objects.exists()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_of(manager).post("/health/reconciliation/run/", {"store": store.code})

    assert response.status_code == 302
    assert Reconciliation.objects.filter(report=world.report).count() == 3
