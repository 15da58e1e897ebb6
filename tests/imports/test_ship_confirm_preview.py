"""Ship-confirm by file: a dry run plans every line and writes nothing; confirming applies it all or nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from fulfillment.models import Shipment
from imports.models import ImportJob
from imports.preview import ship_confirm_preview
from imports.services import import_file, import_job_confirm, import_job_create
from listings.models import StockMovement
from orders.models import Order, OrderEvent, OrderStatus
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    UserFactory,
)

from .conftest import db_state

pytestmark = pytest.mark.django_db
HEADER = "order-id\torder-item-id\tquantity\tship-date\tcarrier-code\tcarrier-name\ttracking-number\tship-method\n"
GOOD_UPS = "1Z999AA10123456784"
BAD_UPS = "1Z999AA10123456785"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def ship_day() -> str:
    return (timezone.now() - timedelta(days=1)).date().isoformat()


def make_order(store, order_id: str, *, status=OrderStatus.UNSHIPPED, skus=(("BOTTLE-750", 1),), **extra):
    order = OrderFactory(store=store, amazon_order_id=order_id, status=status,
                         purchase_date=timezone.now() - timedelta(days=3), **extra)
    for n, (sku, qty) in enumerate(skus):
        listing = ListingFactory(store=store, sku=f"{sku}-{order_id[-3:]}", quantity_available=20)
        OrderItemFactory(order=order, sku=listing.sku, listing=listing, quantity=qty,
                         order_item_id=f"{order_id[-7:]}{n:02d}")
    return order


def line(order_id, tracking, *, item="", qty="", date=None, carrier="UPS", name="") -> str:
    return f"{order_id}\t{item}\t{qty}\t{date or ship_day()}\t{carrier}\t{name}\t{tracking}\tGround\n"


def counts() -> tuple[int, int, int]:
    return Shipment.objects.count(), OrderEvent.objects.count(), StockMovement.objects.count()


@pytest.fixture
def orders(store):
    return {
        "a": make_order(store, "113-0000001-0000001", skus=(("BOTTLE-750", 2), ("LID", 1))),
        "b": make_order(store, "113-0000002-0000002"),
        "c": make_order(store, "113-0000003-0000003"),
    }


def good_file(orders) -> str:
    shipped = ShipmentFactory(order=orders["c"], tracking_number="1Z999AA10000000001")
    assert shipped.order_id == orders["c"].pk
    return HEADER + line("113-0000001-0000001", GOOD_UPS) \
        + line("113-0000002-0000002", "SPD123", carrier="Other", name="Speedy") \
        + line("113-0000003-0000003", "1Z999AA10000000001")


# --- The dry run ---


def test_dry_run_plans_every_line_and_writes_nothing(store, orders):
    text = good_file(orders)
    before, state = counts(), db_state()

    result = import_file(store=store, kind="ship_confirm", data=text.encode(), dry_run=True)

    assert counts() == before and db_state() == state
    assert Order.objects.get(pk=orders["a"].pk).status == OrderStatus.UNSHIPPED
    assert result.errors == [] and (result.created, result.skipped) == (2, 1)
    plan = {entry["line"]: entry for entry in result.plan}
    assert [plan[n]["outcome"] for n in (2, 3, 4)] == ["ship", "ship", "skip"]
    first = plan[2]["message"]
    assert "113-0000001-0000001" in first and "BOTTLE-750-001 × 2" in first and "LID-001 × 1" in first
    day = date.fromisoformat(ship_day())
    # The shipping time in the store's zone, with its offset (Los Angeles: UTC−8 or UTC−7).
    assert "UPS" in first and GOOD_UPS in first and f"{day:%b} {day.day}, {day.year} 00:00 UTC\u2212" in first
    assert "Speedy" in plan[3]["message"]
    assert "already confirmed" in plan[4]["message"]
    assert all(entry["warnings"] == [] for entry in result.plan)


def previewed(store, operator, text: str, capture) -> ImportJob:
    """Upload ``text`` for a preview and let the (eager) worker run its dry run, as the upload page does."""
    with capture(execute=True):
        job = import_job_create(store=store, kind="ship_confirm", upload=SimpleUploadedFile("s.txt", text.encode()),
                                actor=operator, preview=True)
    job.refresh_from_db()
    return job


def test_preview_lines_summary_and_confirm_applies_all(store, orders, operator, django_capture_on_commit_callbacks):
    text = good_file(orders)
    before = counts()
    job = previewed(store, operator, text, django_capture_on_commit_callbacks)
    assert job.status == ImportJob.Status.PREVIEW and job.alive_until is None
    assert counts() == before
    preview = ship_confirm_preview(job=job)
    assert [(p.line, p.outcome) for p in preview.lines] == [(2, "ship"), (3, "ship"), (4, "skip")]
    assert (preview.orders_to_ship, preview.skipped, preview.error_count, preview.can_confirm) == (2, 1, 0, True)

    assert job.preview_lines.count() == 3
    with django_capture_on_commit_callbacks(execute=True):
        import_job_confirm(job=job, actor=operator)
    job.refresh_from_db()
    assert (job.status, job.created_count, job.skipped_count) == ("done", 2, 1)
    assert job.preview_lines.count() == 0 and job.preview["orders_to_ship"] == 2
    assert Order.objects.get(pk=orders["a"].pk).status == OrderStatus.SHIPPED
    assert Order.objects.get(pk=orders["b"].pk).shipments.get().carrier_name == "Speedy"

    with pytest.raises(ApplicationError, match="already been confirmed"):
        import_job_confirm(job=job, actor=operator)


def test_bad_file_lists_errors_per_line_and_column(store, orders):
    Order.objects.filter(pk=orders["b"].pk).update(status=OrderStatus.CANCELED, canceled_at=timezone.now())
    text = HEADER + line("113-0000001-0000001", GOOD_UPS) + line("113-9999999-9999999", GOOD_UPS) \
        + line("113-0000002-0000002", GOOD_UPS) + line("113-0000003-0000003", GOOD_UPS, date="31/31/2026")
    before = counts()

    result = import_file(store=store, kind="ship_confirm", data=text.encode(), dry_run=True)
    preview_errors = [(e["line"], e["column"]) for e in result.errors]

    assert counts() == before
    assert preview_errors == [(3, "order-id"), (4, "order-id"), (5, "ship-date")]
    assert "113-9999999-9999999" in result.errors[0]["message"]
    assert "cannot be shipped" in result.errors[1]["message"]
    # The good line is still planned, so the preview shows what it would do.
    assert [(e["line"], e["outcome"]) for e in result.plan] == [(2, "ship")]


def test_malformed_tracking_number_and_po_box_are_warnings(store):
    make_order(store, "113-0000004-0000004", ship_line1="PO Box 42")
    make_order(store, "113-0000005-0000005")
    text = HEADER + line("113-0000004-0000004", GOOD_UPS) + line("113-0000005-0000005", BAD_UPS)

    result = import_file(store=store, kind="ship_confirm", data=text.encode(), dry_run=True)

    assert result.errors == []
    plan = {entry["line"]: entry for entry in result.plan}
    assert "PO box" in plan[2]["warnings"][0]
    assert "check digit" in plan[3]["warnings"][0]
    assert [(w["line"], w["column"]) for w in result.warnings] == [(2, "carrier-code"), (3, "tracking-number")]
    # A real import ships them all the same; the warnings are for the preview.
    assert import_file(store=store, kind="ship_confirm", data=text.encode()).created == 2


def test_confirm_is_refused_while_the_file_has_errors(store, orders, operator, django_capture_on_commit_callbacks):
    text = HEADER + line("113-0000001-0000001", GOOD_UPS) + line("113-9999999-9999999", GOOD_UPS)
    job = previewed(store, operator, text, django_capture_on_commit_callbacks)
    assert not ship_confirm_preview(job=job).can_confirm
    with pytest.raises(ApplicationError, match="has errors"):
        import_job_confirm(job=job, actor=operator)
    job.refresh_from_db()
    assert job.status == "preview" and Shipment.objects.count() == 0


def test_orders_changed_since_the_preview_fail_the_whole_file(store, orders, operator,
                                                             django_capture_on_commit_callbacks):
    text = HEADER + line("113-0000001-0000001", GOOD_UPS) + line("113-0000002-0000002", "1Z999AA10000000002")
    job = previewed(store, operator, text, django_capture_on_commit_callbacks)
    assert ship_confirm_preview(job=job).can_confirm
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_job_confirm(job=job, actor=operator)
    # Between the confirmation and the worker, one order is cancelled.
    Order.objects.filter(pk=orders["b"].pk).update(status=OrderStatus.CANCELED, canceled_at=timezone.now())
    before = counts()
    for callback in callbacks:
        callback()

    job.refresh_from_db()
    assert job.status == "failed" and [(e["line"], e["column"]) for e in job.errors] == [(3, "order-id")]
    assert counts() == before
    assert Order.objects.get(pk=orders["a"].pk).status == OrderStatus.UNSHIPPED


# --- The pages ---


def upload(client, store, text: str):
    return client.post(reverse("imports:ship_confirm"),
                       {"store": store.code, "file": SimpleUploadedFile("ship.txt", text.encode())})


def test_upload_previews_then_confirm_queues(client, store, orders, operator, django_capture_on_commit_callbacks):
    client.force_login(operator)
    assert client.get(reverse("imports:ship_confirm")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, store, good_file(orders))
    job = ImportJob.objects.get()
    assert job.status == "preview"
    assert response.status_code == 302 and response["Location"] == reverse("imports:ship_confirm_preview",
                                                                           args=[job.pk])
    html = client.get(response["Location"]).content.decode()
    assert 'data-count="ship">2<' in html and 'data-count="skip">1<' in html and 'data-count="errors">0<' in html
    assert html.count('data-outcome="ship"') == 2 and "Confirm and ship all" in html
    assert "disabled" not in html.split("Confirm and ship all")[0].rsplit("<button", 1)[1]
    # The generic detail page of a previewed job leads back to its preview.
    assert client.get(reverse("imports:detail", args=[job.pk]))["Location"] == response["Location"]

    url = reverse("imports:ship_confirm_confirm", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = client.post(url, headers={"HX-Request": "true"})
    body = confirmed.content.decode()
    assert confirmed.status_code == 200 and body.lstrip().startswith('<section id="job-progress"')
    # The generic progress partial, polling the job until the worker has run it.
    assert f'hx-get="{reverse("imports:detail", args=[job.pk])}"' in body and "HX-Request" in confirmed["Vary"]
    done = client.get(reverse("imports:detail", args=[job.pk]), headers={"HX-Request": "true"}).content.decode()
    assert 'data-count="created">2<' in done and 'data-count="skipped">1<' in done
    assert Order.objects.get(pk=orders["a"].pk).status == OrderStatus.SHIPPED

    again = client.post(url, headers={"HX-Request": "true"})
    assert again.status_code == 409 and "already been confirmed" in again.content.decode()
    assert client.get(reverse("imports:ship_confirm_preview", args=[job.pk])).status_code == 302


def test_preview_of_a_bad_file_shows_errors_in_place_and_disables_confirm(client, store, orders, operator,
                                                                          django_capture_on_commit_callbacks):
    client.force_login(operator)
    text = HEADER + line("113-0000001-0000001", GOOD_UPS) + line("113-0000002-0000002", BAD_UPS, date="yesterday")
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, store, text)
    html = client.get(response["Location"]).content.decode()
    assert 'data-line="3" data-outcome="error"' in html and "ship-date" in html
    button = html.split("Confirm and ship all")[0].rsplit("<button", 1)[1]
    assert "disabled" in button
    job = ImportJob.objects.get()
    refused = client.post(reverse("imports:ship_confirm_confirm", args=[job.pk]))
    assert refused.status_code == 400 and Shipment.objects.count() == 0


def test_other_stores_jobs_are_404_and_viewers_cannot_confirm(client, store, other_store, orders, operator):
    text = HEADER + line("113-0000001-0000001", GOOD_UPS)
    job = import_job_create(store=store, kind="ship_confirm", upload=SimpleUploadedFile("s.txt", text.encode()),
                            actor=operator, preview=True)
    stranger = UserFactory(username="stranger")
    MembershipFactory(user=stranger, store=other_store, role="operator")
    client.force_login(stranger)
    assert client.get(reverse("imports:ship_confirm_preview", args=[job.pk])).status_code == 404
    assert client.post(reverse("imports:ship_confirm_confirm", args=[job.pk])).status_code == 404
    # The stranger cannot upload into a store that is not theirs either.
    assert upload(client, store, text).status_code == 400

    viewer = UserFactory(username="viewer")
    MembershipFactory(user=viewer, store=store, role="viewer")
    client.force_login(viewer)
    assert "Only an operator or an admin" in client.get(reverse("imports:ship_confirm")).content.decode()
    assert client.get(reverse("imports:ship_confirm_preview", args=[job.pk])).status_code == 200
    assert client.post(reverse("imports:ship_confirm_confirm", args=[job.pk])).status_code == 403
    job.refresh_from_db()
    assert job.status == "preview" and Shipment.objects.count() == 0


def test_preview_jobs_are_never_run_by_the_worker(store, orders, operator):
    from imports.services import import_job_run

    text = HEADER + line("113-0000001-0000001", GOOD_UPS)
    job = import_job_create(store=store, kind="ship_confirm", upload=SimpleUploadedFile("s.txt", text.encode()),
                            actor=operator, preview=True)
    assert import_job_run(job=job).status == "preview" and Shipment.objects.count() == 0


def test_order_list_links_to_ship_confirm_by_file(client, operator):
    client.force_login(operator)
    html = client.get(reverse("orders:list")).content.decode()
    assert reverse("imports:ship_confirm") in html and "Ship-confirm by file" in html


# --- The dry run runs once, in the worker; the page reads its result a page at a time ---


def test_the_page_polls_while_the_worker_prepares_the_preview(client, store, orders, operator,
                                                            django_capture_on_commit_callbacks):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = upload(client, store, good_file(orders))
    job = ImportJob.objects.get()
    url = response["Location"]

    waiting = client.get(url).content.decode()
    assert "Preparing the preview" in waiting and 'hx-trigger="every 1s"' in waiting
    assert "Confirm and ship all" not in waiting
    refused = client.post(reverse("imports:ship_confirm_confirm", args=[job.pk]))
    assert refused.status_code == 400 and "still being prepared" in refused.content.decode()

    assert len(queued) == 1
    queued[0]()  # the worker runs the dry run
    polled = client.get(url, headers={"HX-Request": "true"})
    body = polled.content.decode()
    assert body.lstrip().startswith('<div id="preview-body"') and 'hx-trigger="every 1s"' not in body
    assert 'data-count="ship">2<' in body and "Confirm and ship all" in body
    assert "HX-Request" in polled["Vary"]


def test_reading_the_preview_never_runs_the_dry_run_again(client, store, orders, operator,
                                                        django_capture_on_commit_callbacks,
                                                        django_assert_max_num_queries):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, store, good_file(orders))
    before = counts()
    # Session, user, job, counts and a page of lines: the same few queries however long the file.
    with django_assert_max_num_queries(12):
        html = client.get(response["Location"]).content.decode()
    assert html.count('data-outcome="ship"') == 2 and counts() == before


def long_file(store, ships: int, unknown: int) -> str:
    text = HEADER
    for n in range(ships):
        make_order(store, f"113-1000000-{n:07d}")
        text += line(f"113-1000000-{n:07d}", f"1Z999AA1{n:010d}")
    for n in range(unknown):
        text += line(f"113-9999999-{n:07d}", f"1Z999AA2{n:010d}")
    return text


def test_a_long_preview_is_paged_with_counts_of_each_outcome(client, store, operator,
                                                           django_capture_on_commit_callbacks):
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(client, store, long_file(store, ships=3, unknown=247))
    url = response["Location"]
    job = ImportJob.objects.get()
    assert job.preview["lines"] == 250 and (job.preview["ship"], job.preview["error"]) == (3, 247)

    first = client.get(url).content.decode()
    assert first.count('class="plan-line') == 100 and 'data-line="2"' in first and 'data-line="101"' in first
    assert 'data-count="ship">3<' in first and 'data-count="errors">247<' in first
    for tab, count in (("all", 250), ("ship", 3), ("skip", 0), ("error", 247)):
        assert f'data-tab="{tab}"' in first and f">{count}</span>" in first.split(f'data-tab="{tab}"')[1][:200]
    assert "Lines 1–100 of 250" in first and 'rel="next"' in first and 'rel="prev"' not in first

    last = client.get(url, {"page": 3}).content.decode()
    assert last.count('class="plan-line') == 50 and 'data-line="251"' in last and 'rel="prev"' in last

    ships = client.get(url, {"outcome": "ship"}, headers={"HX-Request": "true"}).content.decode()
    assert ships.count('data-outcome="ship"') == 3 and 'data-outcome="error"' not in ships
    assert 'class="active" aria-current="page"' in ships.split('data-tab="ship"')[1][:100]
    errors = client.get(url, {"outcome": "error", "page": 3}).content.decode()
    assert errors.count('data-outcome="error"') == 47

    for hostile in ("0", "-1", "99999999999999999999", "1e9", "x"):
        assert client.get(url, {"page": hostile, "outcome": hostile}).status_code == 200
    # A NUL byte in any parameter is refused for the whole site, before the view.
    assert client.get(url, {"page": "\x00", "outcome": "\x00"}).status_code == 400
