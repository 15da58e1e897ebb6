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


# Kept in the page across the upload and the job's page: every value the upload's bar and the import's bar took.
WATCH_PROGRESS = """
(() => {
  const keep = (name, value) => {
    const seen = JSON.parse(sessionStorage.getItem(name) || "[]");
    if (seen[seen.length - 1] !== value) { seen.push(value); sessionStorage.setItem(name, JSON.stringify(seen)); }
  };
  const look = () => {
    const upload = document.querySelector("[data-upload-status]:not([hidden]) progress");
    if (upload) keep("upload", Number(upload.value));
    const job = document.querySelector("#job-progress .progress");
    if (job) keep("job", Number(job.getAttribute("aria-valuenow")));
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, attributes: true});
  document.addEventListener("htmx:xhr:progress", () => setTimeout(look, 0));
  document.addEventListener("DOMContentLoaded", look);
})();
"""


def big_all_orders(path, lines: int):
    header = "amazon-order-id\tpurchase-date\torder-status\tfulfillment-channel\tsku\tquantity\tship-city\n"
    with path.open("w") as out:
        out.write(header)
        for n in range(1, lines + 1):
            out.write(f"114-{n:07d}-0000001\t2026-11-20T08:15:00+00:00\tShipped\tAmazon\tSKU-{n % 40}\t1\tDenver\n")
    return path


def test_a_large_upload_shows_the_file_sent_then_the_rows_imported(page, live_server, operator_user, screenshot,
                                                                    tmp_path):
    """Without a broker the import runs after the upload's answer, in the web process: the page that answer
    leads to follows it, from a bar strictly between 0 and 100 to the summary."""
    from orders.models import Order

    report = big_all_orders(tmp_path / "all-orders-20000.txt", 20_000)
    page.add_init_script(WATCH_PROGRESS)
    log_in(page, live_server, "/imports/")
    # Send the file slowly enough (about 400 KB/s) for the browser to report its upload as it goes.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": 400_000})
    page.set_input_files("input[name=file]", str(report))
    page.click("button:has-text('Import')")
    page.wait_for_selector("[data-upload-status][data-state=sending]")
    screenshot("imports-upload-sending")
    page.wait_for_url(f"{live_server.url}/imports/*/", timeout=60_000)
    cdp.send("Network.emulateNetworkConditions", {"offline": False, "latency": 0, "downloadThroughput": -1,
                                                  "uploadThroughput": -1})
    page.wait_for_selector(".badge.badge-running, .badge.badge-queued, .badge.badge-done")
    screenshot("imports-large-running")
    page.wait_for_selector(".badge.badge-done", timeout=120_000)
    assert page.locator("[data-count=created]").inner_text() == "20,000"

    upload = page.evaluate("JSON.parse(sessionStorage.getItem('upload') || '[]')")
    job = page.evaluate("JSON.parse(sessionStorage.getItem('job') || '[]')")
    assert any(0 < value < 100 for value in upload), upload
    assert upload[-1] == 100
    assert any(0 < value < 100 for value in job), job
    assert job[-1] == 100 and job == sorted(job), job
    assert Order.objects.filter(store__code="ACME-US").count() == 20_000
    assert ImportJob.objects.get().runner == ""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_upload_refused_shows_its_form_again_in_place(page, live_server, operator_user, screenshot, language,
                                                         tmp_path):
    log_in(page, live_server, "/imports/")
    if language == "zh-hans":
        page.click(".lang-switch button[value=zh-hans]")
        page.wait_for_selector("html[lang=zh-hans]")
    page.set_viewport_size({"width": 390, "height": 844})
    unknown = tmp_path / "listings.txt"
    unknown.write_bytes(b"sku\tasin\tprice\tquantity\nBOTTLE-750\tB0BOTTLE01\t12.99\t4\n")
    page.set_input_files("input[name=file]", str(unknown))
    page.click(".import-upload button[type=submit]")
    page.locator(".import-upload .form-error").first.wait_for()
    # The form came back in place, its error shown, the upload's bar gone; the page is still the upload page.
    assert page.url == f"{live_server.url}/imports/"
    assert page.locator("[data-upload-status]").is_hidden()
    assert page.locator(".import-upload").evaluate("e => e.getBoundingClientRect().right") <= 390
    screenshot(f"imports-upload-refused-in-place-{language}")

    page.set_input_files("input[name=file]", str(FILES / "all_orders_us.txt"))
    page.click(".import-upload button[type=submit]")
    page.wait_for_selector(".badge.badge-done")
    assert page.locator("[data-count=created]").inner_text() == "4"
    assert page.locator("html").get_attribute("lang") == language
