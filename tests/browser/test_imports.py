"""The upload page in headless Chromium: a bad file, a good one, and a job's progress bar polled live."""

from __future__ import annotations

import pytest

from imports.models import ImportJob
from imports.services import KINDS
from tests.factories import MembershipFactory, StoreFactory, UserFactory
from tests.imports.conftest import FILES

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def operator_user():
    store = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    user = UserFactory(username="operator")
    MembershipFactory(user=user, store=store)
    return user


def log_in(page, live_server, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}{path}")


def test_upload_a_bad_then_a_good_file(page, live_server, operator_user, screenshot):
    log_in(page, live_server, "/orders/")
    screenshot("imports-order-list-links")
    page.click("text=Import reports")
    page.wait_for_url(f"{live_server.url}/imports/")

    page.select_option("select[name=kind]", "all_orders")
    page.set_input_files("input[name=file]", str(FILES / "bad_all_orders_date.txt"))
    page.click("button:has-text('Import')")
    page.wait_for_selector(".badge.badge-failed")
    assert page.locator("table.import-problems tbody tr").count() == 1
    assert "purchase-date" in page.locator("table.import-problems").inner_text()
    screenshot("imports-failed")

    page.goto(f"{live_server.url}/imports/")
    page.set_input_files("input[name=file]", str(FILES / "all_orders_us.txt"))
    page.click("button:has-text('Import')")
    page.wait_for_selector(".badge.badge-done")
    assert page.locator("[data-count=created]").inner_text() == "4"
    screenshot("imports-done")
    page.goto(f"{live_server.url}/imports/")
    assert page.locator("tr[data-job]").count() == 2
    screenshot("imports-list")


def test_progress_bar_follows_the_job_and_stops_polling(page, live_server, operator_user, screenshot):
    job = ImportJob.objects.create(store=operator_user.memberships.get().store, kind="all_orders",
                                   file="imports/x.txt", file_name="all-orders-november.txt", status="running",
                                   total_rows=100_000, processed_rows=20_000, created_by=operator_user)
    log_in(page, live_server, f"/imports/{job.pk}/")
    assert page.get_attribute(".progress", "aria-valuenow") == "20"
    screenshot("imports-running")

    ImportJob.objects.filter(pk=job.pk).update(processed_rows=60_000)
    page.wait_for_selector(".progress[aria-valuenow='60']")
    ImportJob.objects.filter(pk=job.pk).update(status="done", processed_rows=100_000, created_count=72_000,
                                               skipped_count=3)
    page.wait_for_selector("[data-count=created]")
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None
    screenshot("imports-finished-live")


def test_a_job_whose_worker_was_lost_stops_its_progress_bar(page, live_server, operator_user, screenshot):
    from datetime import timedelta

    from django.utils import timezone

    job = ImportJob.objects.create(store=operator_user.memberships.get().store, kind="all_orders",
                                   file="imports/x.txt", file_name="all-orders-november.txt", status="running",
                                   total_rows=100_000, processed_rows=40_000, created_by=operator_user,
                                   alive_until=timezone.now() + timedelta(seconds=2))
    log_in(page, live_server, f"/imports/{job.pk}/")
    assert page.get_attribute(".progress", "aria-valuenow") == "40"
    # The worker dies: nothing renews its lease. The page's own polling notices once the lease has run out.
    page.wait_for_selector("[data-state=worker-lost]", timeout=15_000)
    assert "the worker was lost" in page.locator("#job-progress").inner_text()
    assert page.locator("#job-progress").get_attribute("hx-trigger") is None
    screenshot("imports-worker-lost")


def test_the_report_is_detected_when_not_chosen(page, live_server, operator_user, screenshot, tmp_path):
    log_in(page, live_server, "/imports/")
    kind = page.locator("select[name=kind]")
    assert kind.locator("option:checked").inner_text() == "Detect from the file"
    assert "Shipping confirmation upload (Order Fulfillment template)" in kind.inner_text()
    screenshot("imports-upload-detect")

    page.set_viewport_size({"width": 390, "height": 844})
    listings = tmp_path / "listings.txt"
    listings.write_bytes(b"sku\tasin\tprice\tquantity\nBOTTLE-750\tB0BOTTLE01\t12.99\t4\n")
    page.set_input_files("input[name=file]", str(listings))
    page.click("button:has-text('Import')")
    error = page.locator(".form-error", has_text="could not be recognised from its header")
    error.wait_for()
    # The long message, a report to a line, wraps inside the narrow page rather than widening it.
    assert error.inner_text().count("\n") == len(KINDS)
    assert page.locator(".import-upload").evaluate("e => e.getBoundingClientRect().right") <= 390
    screenshot("imports-upload-detect-not-recognised-390")

    page.set_input_files("input[name=file]", str(FILES / "feedback.txt"))
    page.click("button:has-text('Import')")
    page.wait_for_selector(".badge.badge-failed, .badge.badge-done")
    assert ImportJob.objects.get().kind == "feedback"
