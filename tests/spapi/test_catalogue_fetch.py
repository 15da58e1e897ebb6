"""The daily catalogue: the All Listings and FBA Manage Inventory reports fetched from Amazon and imported as
an uploaded file would be (the same job, the same checks), whatever the document's encoding."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from django.conf import settings
from sp_api.auth import access_token_client

from fulfillment.models import FbaInventorySnapshot
from imports.models import ImportJob
from listings.models import Channel, Listing
from spapi.catalogue import CATALOGUE_REPORT_TYPES, catalogue_fetch
from spapi.models import SellerCredentials
from spapi.services import credentials_save
from spapi.tasks import catalogue_fetch_task
from tests.factories import StoreFactory
from tests.imports.conftest import sample

from .conftest import SECRETS
from .server import FakeAmazonWithDocuments

pytestmark = pytest.mark.django_db
LISTINGS, INVENTORY, *FBA_HEALTH = CATALOGUE_REPORT_TYPES


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def amazon_docs(settings) -> Iterator[FakeAmazonWithDocuments]:
    server = FakeAmazonWithDocuments(refresh_token=SECRETS["refresh_token"], client_id=SECRETS["lwa_client_id"],
                                     client_secret=SECRETS["lwa_client_secret"]).start()
    settings.SPAPI_ENDPOINT = server.url
    settings.SPAPI_LWA_TOKEN_URL = f"{server.url}/auth/o2/token"
    access_token_client.cache.clear()
    yield server
    server.stop()
    access_token_client.cache.clear()


def test_both_reports_are_fetched_and_imported_through_the_upload_path(
        amazon_docs, credentials, store, sleeps, django_capture_on_commit_callbacks):
    amazon_docs.documents = {LISTINGS: sample("real/all_listings_US_books_2022.txt"),
                             INVENTORY: sample("real/fba_inventory_US_CONSTRUCTED.txt")}
    amazon_docs.cancelled = set(FBA_HEALTH)

    with django_capture_on_commit_callbacks(execute=True):
        outcome = catalogue_fetch(store=store, sleep=sleeps.append, poll_seconds=0)

    assert [json.loads(call.body)["reportType"] for call in amazon_docs.calls("createReport")] == [
        "GET_MERCHANT_LISTINGS_ALL_DATA", "GET_FBA_MYI_UNSUPPRESSED_INVENTORY_DATA",
        "GET_FBA_INVENTORY_PLANNING_DATA", "GET_RESERVED_INVENTORY_DATA", "GET_STRANDED_INVENTORY_UI_DATA"]
    assert (outcome.errors, outcome.empty) == ([], FBA_HEALTH)
    jobs = ImportJob.objects.filter(pk__in=outcome.jobs).order_by("pk")
    assert [(job.kind, job.status, job.created_count, job.created_by) for job in jobs] == [
        (ImportJob.Kind.ALL_LISTINGS, ImportJob.Status.DONE, 4, None),
        (ImportJob.Kind.FBA_INVENTORY, ImportJob.Status.DONE, 2, None)]
    assert jobs[0].file_name == "GET_MERCHANT_LISTINGS_ALL_DATA-50001.txt"
    hardcover = Listing.objects.get(store=store, sku="0F-O1L9-60Y7")
    assert (hardcover.fulfillment_channel, hardcover.quantity_available, hardcover.quantity_inbound) == (
        Channel.AFN, 12, 8)


def test_a_japanese_document_keeps_its_shift_jis_bytes_for_the_importer(
        amazon_docs, sleeps, django_capture_on_commit_callbacks):
    store = StoreFactory(code="SHOP-JP", marketplace="JP")
    credentials_save(store=store, **SECRETS)
    amazon_docs.documents = {LISTINGS: sample("real/all_listings_JP_cp932_CONSTRUCTED.txt")}
    amazon_docs.cancelled = {INVENTORY, *FBA_HEALTH}

    with django_capture_on_commit_callbacks(execute=True):
        outcome = catalogue_fetch(store=store, sleep=sleeps.append, poll_seconds=0)

    assert outcome.empty == [INVENTORY, *FBA_HEALTH] and len(outcome.jobs) == 1
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
    assert Listing.objects.get(sku="BOTTLE-750-BL").title == "ステンレスボトル 750ml（ブルー）"


def test_a_report_amazon_ends_fatal_is_recorded_and_the_other_still_imports(
        amazon_docs, credentials, store, sleeps, django_capture_on_commit_callbacks):
    amazon_docs.documents = {LISTINGS: sample("real/all_listings_US_books_2022.txt")}
    amazon_docs.report_final_status = "FATAL"

    with django_capture_on_commit_callbacks(execute=True):
        outcome = catalogue_fetch(store=store, sleep=sleeps.append, poll_seconds=0)

    assert outcome.jobs == [] and len(outcome.errors) == len(CATALOGUE_REPORT_TYPES)
    assert "FATAL" in SellerCredentials.objects.get(pk=credentials.pk).last_error
    assert Listing.objects.count() == 0


def test_the_fba_health_reports_write_the_days_snapshots(
        amazon_docs, credentials, store, sleeps, django_capture_on_commit_callbacks):
    amazon_docs.documents = {LISTINGS: sample("real/all_listings_US_books_2022.txt"),
                             INVENTORY: sample("real/fba_inventory_US_CONSTRUCTED.txt"),
                             **dict(zip(FBA_HEALTH, [sample("real/fba_planning_US_CONSTRUCTED.txt"),
                                                     sample("real/fba_reserved_JP_cp932_CONSTRUCTED.txt"),
                                                     sample("real/fba_stranded_US_CONSTRUCTED.txt")], strict=True))}

    with django_capture_on_commit_callbacks(execute=True):
        outcome = catalogue_fetch(store=store, sleep=sleeps.append, poll_seconds=0)

    jobs = ImportJob.objects.filter(pk__in=outcome.jobs).order_by("pk")
    assert [(job.kind, job.status) for job in jobs] == [
        (ImportJob.Kind.ALL_LISTINGS, ImportJob.Status.DONE), (ImportJob.Kind.FBA_INVENTORY, ImportJob.Status.DONE),
        (ImportJob.Kind.FBA_PLANNING, ImportJob.Status.DONE), (ImportJob.Kind.FBA_RESERVED, ImportJob.Status.DONE),
        (ImportJob.Kind.FBA_STRANDED, ImportJob.Status.DONE)]
    alchemist = FbaInventorySnapshot.objects.filter(listing__sku="KE-H1ZQ-628T").latest("day")
    assert (alchemist.stranded_units, alchemist.fulfillable) == (3, 3)
    assert FbaInventorySnapshot.objects.filter(day="2025-07-14", listing__sku="KE-H1ZQ-628T").get().age_365_plus == 2


def test_the_daily_task_queues_one_fetch_per_store_with_credentials(credentials, store, monkeypatch):
    queued: list[dict] = []
    monkeypatch.setattr(catalogue_fetch_task, "delay", lambda **kwargs: queued.append(kwargs))

    assert catalogue_fetch_task() == {"enqueued": [store.pk]}
    assert queued == [{"store_id": store.pk}]
    entry = settings.CELERY_BEAT_SCHEDULE["catalogue-reports-daily"]
    assert entry["task"] == "spapi.tasks.catalogue_fetch_task"
