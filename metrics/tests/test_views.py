"""The account-health dashboard and its drill-down: scoping, values, partials, CSV and query counts."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from core.background import METRICS_RECOMPUTE_TASK, deferred_task_mark
from metrics.engine import compute_all
from metrics.models import Breach, MetricSnapshot
from metrics.services import metrics_backfill_daily, metrics_recompute
from metrics.views.common import percent
from metrics.windows import local_midnight
from support.models import Claim
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

URL = "/health/"


@pytest.fixture
def manager(store):
    user = UserFactory(username="manager")
    MembershipFactory(user=user, store=store, role="manager")
    return user


@pytest.fixture
def client_in(client, manager):
    client.force_login(manager)
    return client


def local_today(store) -> date:
    return timezone.now().astimezone(store.tz).date()


def as_of_yesterday(store) -> tuple[str, datetime]:
    """The query value for "as of yesterday" and the instant it stands for: the start of today, store time."""
    day = local_today(store) - timedelta(days=1)
    return day.isoformat(), local_midnight(day + timedelta(days=1), store.tz)


def seed_lsr(store, *, late: int, on_time: int, due: datetime | None = None) -> list:
    """MFN orders due to ship two days ago (store time): ``late`` never confirmed, ``on_time`` confirmed in time."""
    midnight = local_midnight(local_today(store), store.tz)
    due = due or midnight - timedelta(days=2) + timedelta(hours=14)
    late_orders = [OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
                   for _ in range(late)]
    for _ in range(on_time):
        order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
        ShipmentFactory(order=order, store=store, shipped_at=due - timedelta(hours=3),
                        first_scan_at=due - timedelta(hours=1))
    return late_orders


def tiles(html: str) -> dict[str, dict[str, str]]:
    found = {}
    for match in re.finditer(r'<article class="tile[^"]*" id="([^"]+)"([^>]*)>', html):
        attrs = dict(re.findall(r'data-([a-z]+)="([^"]*)"', match.group(2)))
        found[match.group(1)] = attrs
    return found


def drill_url(store, metric="lsr", channel="MFN", days=10) -> str:
    return reverse("metrics:drilldown", kwargs={"store_code": store.code, "metric": metric, "channel": channel,
                                                "window_days": days})


def test_urls():
    assert reverse("metrics:health") == URL
    assert reverse("metrics:drilldown", kwargs={"store_code": "ACME-US", "metric": "lsr", "channel": "MFN",
                                                "window_days": 10}) == "/health/ACME-US/lsr/MFN/10/"


def test_login_is_required(client, store):
    for url in (URL, drill_url(store), drill_url(store) + "?format=csv"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_member_sees_only_their_stores(client_in, store, other_store):
    seed_lsr(other_store, late=3, on_time=0)
    assert client_in.get(URL, {"store": other_store.code}).status_code == 404
    assert client_in.get(URL, {"store": "NO-SUCH"}).status_code == 404
    assert client_in.get(drill_url(other_store)).status_code == 404
    assert client_in.get(drill_url(other_store), {"format": "csv"}).status_code == 404
    html = client_in.get(URL).content.decode()
    assert other_store.code not in html


def test_unknown_metric_channel_or_window_is_404(client_in, store):
    assert client_in.get(drill_url(store, metric="nps")).status_code == 404
    assert client_in.get(drill_url(store, channel="AFN")).status_code == 404
    assert client_in.get(drill_url(store, days=11)).status_code == 404


def test_tiles_show_exactly_what_compute_all_computes(client_in, store):
    seed_lsr(store, late=2, on_time=3)
    odr_order = OrderFactory(store=store, fulfillment_channel="AFN",
                             purchase_date=timezone.now() - timedelta(days=30))
    FeedbackFactory(order=odr_order, rating=1, received_at=odr_order.purchase_date + timedelta(days=3))
    day, as_of = as_of_yesterday(store)
    html = client_in.get(URL, {"as_of": day}).content.decode()
    found = tiles(html)
    assert len(found) == 10
    expected = {(r.metric, r.channel, r.window_days): r for r in compute_all(store, as_of)}
    for attrs in found.values():
        result = expected[(attrs["metric"], attrs["channel"], int(attrs["window"]))]
        assert (int(attrs["numerator"]), int(attrs["denominator"]), attrs["status"]) == (
            result.numerator, result.denominator, result.status)
    assert found["tile-lsr-mfn-10"]["numerator"] == "2" and found["tile-lsr-mfn-10"]["denominator"] == "5"
    assert found["tile-odr-afn-60"]["numerator"] == "1"
    assert "40 %" in html  # LSR 2 of 5
    assert "target &lt; 4 %" in html and "target ≥ 95 %" in html
    # A day in the past reads as that day, not as the midnight after it.
    yesterday = date.fromisoformat(day)
    assert f"As of the end of {date_format(yesterday)} (store time)" in " ".join(html.split())
    assert f"As of {local_today(store):%b} {local_today(store).day}, 00:00" not in html


def test_groups_and_order_follow_amazon(client_in, store):
    html = client_in.get(URL).content.decode()
    order = list(tiles(html))
    assert order == ["tile-odr-mfn-60", "tile-odr-afn-60", "tile-lsr-mfn-10", "tile-lsr-mfn-30",
                     "tile-cancel-mfn-7", "tile-vtr-mfn-30", "tile-otdr-mfn-14", "tile-response-all-7",
                     "tile-response-all-30", "tile-rdr-all-60"]
    positions = [html.index(f"<h2>{label}</h2>") for label in (
        "Customer service performance", "Shipping performance", "Customer contact", "Returns")]
    assert positions == sorted(positions)


def test_statuses_render_as_labels_and_consequences(client_in, store):
    seed_lsr(store, late=2, on_time=3)
    html = client_in.get(URL).content.decode()
    lsr = html[html.index('id="tile-lsr-mfn-10"'):]
    lsr = lsr[:lsr.index("</article>")]
    assert 'class="badge badge-red">Breach<' in lsr
    # 2 late of 5: back under 4 % once 2 / (5 + g) < 0.04, i.e. after 46 more good orders.
    assert "Back in target after 46 more orders shipped on time" in lsr
    odr = html[html.index('id="tile-odr-mfn-60"'):]
    odr = odr[:odr.index("</article>")]
    assert "No data" in odr and "No orders in window" in odr


def test_amber_tile_says_how_many_defects_until_breach(client_in, store):
    seed_lsr(store, late=3, on_time=97)  # 3 %: amber, red at 4 of 100
    html = client_in.get(URL).content.decode()
    lsr = html[html.index('id="tile-lsr-mfn-10"'):]
    lsr = lsr[:lsr.index("</article>")]
    assert "At risk" in lsr and "1 more defect until breach" in lsr


def test_change_vs_a_week_ago_comes_from_the_daily_snapshot(client_in, store):
    seed_lsr(store, late=2, on_time=3)  # 40 %
    day, as_of = as_of_yesterday(store)
    [result] = [r for r in compute_all(store, as_of) if r.key == ("lsr", "MFN", 10)]
    MetricSnapshot.objects.create(
        store=store, kind=MetricSnapshot.Kind.DAILY, metric="lsr", channel="MFN", window_days=10,
        as_of=as_of - timedelta(days=7), window_start=result.window.start, window_end=result.window.end,
        numerator=1, denominator=10, rate=Decimal("0.1"), status="red", definition={},
    )
    html = client_in.get(URL, {"as_of": day}).content.decode()
    lsr = html[html.index('id="tile-lsr-mfn-10"'):]
    lsr = lsr[:lsr.index("</article>")]
    assert 'class="change change-worse"' in lsr and "▲ 30" in lsr
    assert "<svg" in lsr and "spark-line" in lsr


def test_change_vs_a_week_ago_is_computed_without_snapshots(client_in, store):
    # Orders due five days ago: in today's 10-day window, not yet in the window of a week ago.
    due = local_midnight(local_today(store), store.tz) - timedelta(days=5) + timedelta(hours=14)
    seed_lsr(store, late=1, on_time=1, due=due)
    lsr = client_in.get(URL).content.decode().split('id="tile-lsr-mfn-10"')[1].split("</article>")[0]
    assert "No history yet" in lsr
    assert "no change to show" in lsr  # a week ago the window was empty: no rate to compare with
    # One on-time order due twelve days ago: in the window of a week ago (0 of 1 late), out of today's.
    seed_lsr(store, late=0, on_time=1, due=due - timedelta(days=7))
    lsr = client_in.get(URL).content.decode().split('id="tile-lsr-mfn-10"')[1].split("</article>")[0]
    assert "▲ 50" in lsr and "change-worse" in lsr


def test_htmx_gets_the_board_partial_with_vary(client_in, store):
    response = client_in.get(URL, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="health-board"')
    assert "<html" not in html and 'class="topbar"' not in html
    assert "HX-Request" in response["Vary"]
    full = client_in.get(URL)
    assert "<html" in full.content.decode() and "HX-Request" in full["Vary"]


def test_overview_of_every_store(client, store, other_store):
    user = UserFactory(username="multi")
    MembershipFactory(user=user, store=store, role="manager")
    MembershipFactory(user=user, store=other_store, role="manager")
    StoreFactory(code="NOT-MINE")
    seed_lsr(store, late=2, on_time=3)
    client.force_login(user)
    html = client.get(URL).content.decode()
    assert 'data-store="ACME-US"' in html and 'data-store="OTHER-DE"' in html and "NOT-MINE" not in html
    row = html.split('data-store="ACME-US"')[1].split("</tr>")[0]
    assert 'class="cell cell-red"' in row and "40 %" in row and "Breach" in row
    assert f'href="{URL}?store=ACME-US"' in html
    store_page = client.get(URL, {"store": "OTHER-DE"}).content.decode()
    assert "Account health · OTHER-DE" in store_page and len(tiles(store_page)) == 10


def test_time_travel_date_sets_the_end_of_that_local_day(client_in, store):
    late = seed_lsr(store, late=1, on_time=0)
    late_due = late[0].latest_ship_date
    day_before = (late_due.astimezone(store.tz) - timedelta(days=1)).date()
    found = tiles(client_in.get(URL, {"as_of": day_before.isoformat()}).content.decode())
    assert found["tile-lsr-mfn-10"]["denominator"] == "0"
    found = tiles(client_in.get(URL, {"as_of": late_due.astimezone(store.tz).date().isoformat()}).content.decode())
    assert found["tile-lsr-mfn-10"]["denominator"] == "1"
    # A bad date is ignored: the dashboard shows now.
    assert client_in.get(URL, {"as_of": "yesterday"}).status_code == 200


def test_open_breaches_are_listed_in_a_banner(client_in, store, other_store):
    seed_lsr(store, late=2, on_time=3)
    metrics_recompute(store=store)
    seed_lsr(other_store, late=2, on_time=0)
    metrics_recompute(store=other_store)
    html = client_in.get(URL).content.decode()
    banner = html.split('class="breach-banner"')[1].split("</section>")[0]
    assert ("Open breach on ACME-US: Late Shipment Rate · seller-fulfilled · 10 days, 40 % when opened, "
            "worst 40 %, since") in banner
    assert "OTHER-DE" not in banner
    assert f'href="{drill_url(store)}?part=numerator"' in banner
    Breach.objects.update(resolved_at=timezone.now())
    assert 'class="breach-banner"' not in client_in.get(URL).content.decode()


def test_drilldown_numerator_lists_exactly_the_counted_rows(client_in, store):
    late = seed_lsr(store, late=2, on_time=3)
    day, _as_of = as_of_yesterday(store)
    numerator = client_in.get(drill_url(store), {"part": "numerator", "as_of": day}).content.decode()
    listed = set(re.findall(r'class="drill-row[^"]*" data-order="([^"]+)"', numerator))
    assert listed == {order.amazon_order_id for order in late}
    assert "not confirmed" in numerator
    # Each row's order id opens the order's page (its store named).
    assert f'href="/orders/{late[0].amazon_order_id}/?store=ACME-US"' in numerator
    denominator = client_in.get(drill_url(store), {"part": "denominator", "as_of": day}).content.decode()
    assert len(re.findall(r'class="drill-row', denominator)) == 5
    assert "Showing 1–5 of 5" in denominator
    assert "40 %" in denominator and "2 / 5" in denominator


def test_drilldown_of_odr_names_every_defect(client_in, store):
    order = OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=30))
    FeedbackFactory(order=order, rating=2, received_at=order.purchase_date + timedelta(days=2))
    ClaimFactory(order=order, kind=Claim.Kind.A_TO_Z, filed_at=order.purchase_date + timedelta(days=3))
    OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=30))
    html = client_in.get(drill_url(store, "odr", "MFN", 60), {"part": "numerator"}).content.decode()
    assert html.count('class="drill-row') == 1
    row = html.split(f'data-order="{order.amazon_order_id}"')[1].split("</tr>")[0]
    assert "negative feedback" in row and "A-to-z claim" in row and "chargeback" not in row


def test_drilldown_of_a_floor_metric_offers_the_missed_rows(client_in, store):
    due = local_midnight(local_today(store), store.tz) - timedelta(days=3)
    scanned = ShipmentFactory(order__store=store, store=store, shipped_at=due, first_scan_at=due + timedelta(hours=2))
    unscanned = ShipmentFactory(order__store=store, store=store, shipped_at=due)
    html = client_in.get(drill_url(store, "vtr", "MFN", 30), {"part": "missed"}).content.decode()
    assert 'data-part="missed"' in html
    listed = re.findall(r'class="drill-row[^"]*" data-order="([^"]+)"', html)
    assert listed == [unscanned.order.amazon_order_id]
    assert "no carrier scan" in html
    numerator = client_in.get(drill_url(store, "vtr", "MFN", 30), {"part": "numerator"}).content.decode()
    assert re.findall(r'class="drill-row[^"]*" data-order="([^"]+)"', numerator) == [scanned.order.amazon_order_id]


def test_drilldown_lists_pending_rows_apart(client_in, store):
    """A message whose 24 hours still run, unanswered, is on the pending tab and in neither number."""
    day, midnight = as_of_yesterday(store)  # as of the end of yesterday: today's local midnight
    waiting = ThreadFactory(store=store, order=OrderFactory(store=store, purchase_date=midnight - timedelta(days=3)))
    MessageFactory(thread=waiting, store=store, sent_at=midnight - timedelta(hours=1))  # 23 hours left
    overdue = ThreadFactory(store=store, order=OrderFactory(store=store, purchase_date=midnight - timedelta(days=4)))
    MessageFactory(thread=overdue, store=store, sent_at=midnight - timedelta(hours=30))
    url = drill_url(store, "response", "ALL", 7)

    html = client_in.get(url, {"part": "pending", "as_of": day}).content.decode()
    assert 'data-part="pending"' in html and "neither number" in html
    tab = html.split('data-part="pending"')[1].split("</a>")[0]
    assert "Pending" in tab and '<span class="count">1</span>' in tab
    assert re.findall(r'class="drill-row[^"]*" data-order="([^"]+)"', html) == [waiting.order.amazon_order_id]
    row = html.split(f'data-order="{waiting.order.amazon_order_id}"')[1].split("</tr>")[0]
    assert "<td>pending</td>" in row and "badge-bad" not in row
    assert "0 / 1" in html  # the overdue message alone is counted

    denominator = client_in.get(url, {"part": "denominator", "as_of": day}).content.decode()
    assert re.findall(r'class="drill-row[^"]*" data-order="([^"]+)"', denominator) == [
        overdue.order.amazon_order_id]
    assert "<td>not answered in 24 h</td>" in denominator

    partial = client_in.get(url, {"part": "pending", "as_of": day}, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="drill-results"') and "neither number" in partial

    response = client_in.get(url, {"part": "pending", "as_of": day, "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:5] == ["Order", "Verdict", "Reasons", "Received", "Answer due"]
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [(waiting.order.amazon_order_id, "pending", "")]


def test_only_metrics_with_a_deadline_have_a_pending_tab(client_in, store):
    assert 'data-part="pending"' in client_in.get(drill_url(store, "rdr", "ALL", 60)).content.decode()
    lsr = client_in.get(drill_url(store), {"part": "pending"}).content.decode()
    assert 'data-part="pending"' not in lsr
    assert re.search(r'data-part="denominator"\s+class="active"', lsr)  # as for any part it does not have


def test_drilldown_htmx_partial_and_pages(client_in, store):
    seed_lsr(store, late=55, on_time=0)
    response = client_in.get(drill_url(store), {"part": "numerator"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="drill-results"') and "<html" not in html
    assert "HX-Request" in response["Vary"]
    assert html.count('class="drill-row') == 50
    assert 'rel="next"' in html
    second = client_in.get(drill_url(store), {"part": "numerator", "page": "2"}).content.decode()
    assert second.count('class="drill-row') == 5 and "Showing 51–55 of 55" in second


def test_csv_has_a_header_and_the_rows(client_in, store):
    late = seed_lsr(store, late=2, on_time=3)
    response = client_in.get(drill_url(store), {"part": "numerator", "format": "csv"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Order", "Verdict", "Reasons", "Ship by", "First confirmation", "Status"]
    assert {row[0] for row in rows[1:]} == {order.amazon_order_id for order in late}
    assert all(row[1] == "late" for row in rows[1:])
    assert rows[1][3] == late[0].latest_ship_date.astimezone(store.tz).isoformat()
    everything = client_in.get(drill_url(store), {"part": "denominator", "format": "csv"})
    assert len(list(csv.reader(io.StringIO(b"".join(everything.streaming_content).decode())))) == 6


@pytest.mark.parametrize("count", [5, 40])
def test_dashboard_query_count_does_not_grow_with_rows(client_in, store, count, django_assert_max_num_queries):
    seed_lsr(store, late=count // 5, on_time=count - count // 5)
    for order in OrderFactory.create_batch(3, store=store, purchase_date=timezone.now() - timedelta(days=20)):
        FeedbackFactory(order=order, rating=1, received_at=order.purchase_date + timedelta(days=1))
    # Session, user, profile, stores, breaches, the latest recompute (none) and whether one is owed, 9 metric
    # queries now (the defect rate and the response rate count their numerators apart), snapshots, 9 a week ago,
    # the top bar's unread notifications and the user's roles (what the navigation offers).
    with django_assert_max_num_queries(28):
        assert client_in.get(URL).status_code == 200


def test_live_tiles_show_the_latest_recompute_while_it_stands(client_in, store, django_assert_max_num_queries):
    seed_lsr(store, late=1, on_time=3)
    metrics_backfill_daily(store=store, days=8)  # the change in a week reads a daily snapshot
    metrics_recompute(store=store)
    # Rows that reach the database without a service call: no recompute follows, so the tiles keep the last one.
    seed_lsr(store, late=2, on_time=0)
    # Session, user, profile, stores, breaches, the latest recompute, whether one is owed, 90 days of snapshots,
    # the top bar.
    with django_assert_max_num_queries(10):
        html = client_in.get(URL).content.decode()
    assert (tiles(html)["tile-lsr-mfn-10"]["numerator"], tiles(html)["tile-lsr-mfn-10"]["denominator"]) == ("1", "4")
    chosen = tiles(client_in.get(URL, {"store": store.code}).content.decode())
    assert chosen["tile-lsr-mfn-10"]["numerator"] == "1"

    # Once stale, the numbers are computed for the request (and the tiles say stale).
    MetricSnapshot.objects.update(computed_at=timezone.now() - timedelta(hours=3))
    found = tiles(client_in.get(URL).content.decode())
    assert (found["tile-lsr-mfn-10"]["numerator"], found["tile-lsr-mfn-10"]["denominator"]) == ("3", "6")


def test_live_tiles_are_computed_while_the_store_is_owed_a_recompute(client_in, store):
    seed_lsr(store, late=1, on_time=3)
    metrics_recompute(store=store)
    seed_lsr(store, late=2, on_time=0)
    # The broker refused the recompute these changes asked for: it is owed, kept in the database.
    deferred_task_mark(task_name=METRICS_RECOMPUTE_TASK, store_id=store.pk, object_id=store.pk)
    found = tiles(client_in.get(URL).content.decode())
    assert (found["tile-lsr-mfn-10"]["numerator"], found["tile-lsr-mfn-10"]["denominator"]) == ("3", "6")


def test_a_recompute_from_before_local_midnight_is_not_shown_today(client_in, store):
    seed_lsr(store, late=1, on_time=3)
    before_midnight = local_midnight(local_today(store), store.tz) - timedelta(minutes=1)
    metrics_recompute(store=store, as_of=before_midnight)  # computed just now, for yesterday's windows
    seed_lsr(store, late=2, on_time=0)
    found = tiles(client_in.get(URL).content.decode())
    assert (found["tile-lsr-mfn-10"]["numerator"], found["tile-lsr-mfn-10"]["denominator"]) == ("3", "6")
    assert found["tile-lsr-mfn-10"]["window"] == "10"


def test_the_overview_row_of_each_store_reads_its_own_recompute(client, store, other_store):
    manager = UserFactory(username="boss")
    for each in (store, other_store):
        MembershipFactory(user=manager, store=each, role="manager")
    seed_lsr(store, late=1, on_time=1)
    seed_lsr(other_store, late=0, on_time=2)
    metrics_recompute(store=store)
    seed_lsr(store, late=1, on_time=0)
    seed_lsr(other_store, late=1, on_time=0)  # not recomputed at all: computed for the request
    client.force_login(manager)
    html = client.get(URL).content.decode()
    rows = {code: html.split(f'data-store="{code}"')[1].split("</tr>")[0] for code in (store.code, other_store.code)}
    # LSR: the recompute's 1 of 2 (50 %), not the 2 of 3 in the database now; the other store's 1 of 3 as it is.
    assert f"{percent(Decimal(1) / 2)} %" in rows[store.code] and f"{percent(Decimal(2) / 3)} %" not in rows[store.code]
    assert f"{percent(Decimal(1) / 3)} %" in rows[other_store.code]


@pytest.mark.parametrize("count", [5, 40])
def test_drilldown_query_count_does_not_grow_with_rows(client_in, store, count, django_assert_max_num_queries):
    seed_lsr(store, late=count, on_time=count)
    # Session, user, profile, store, the metric, one page of rows, the daily history, the top bar's breaches, the
    # user's roles (what the navigation offers).
    for part in ("numerator", "denominator"):
        with django_assert_max_num_queries(9):
            assert client_in.get(drill_url(store), {"part": part}).status_code == 200
    with django_assert_max_num_queries(9):
        assert client_in.get(drill_url(store, "vtr", "MFN", 30), {"part": "denominator"}).status_code == 200
    with django_assert_max_num_queries(5):
        response = client_in.get(drill_url(store), {"format": "csv"})
        b"".join(response.streaming_content)


def test_every_drilldown_lists_its_rows_with_their_facts(client_in, store):
    now = timezone.now()
    day_ago = local_midnight(local_today(store), store.tz) - timedelta(hours=10)
    order = OrderFactory(store=store, purchase_date=day_ago - timedelta(days=2), latest_ship_date=day_ago,
                         latest_delivery_date=day_ago + timedelta(hours=2))
    ShipmentFactory(order=order, store=store, shipped_at=day_ago - timedelta(hours=20),
                    first_scan_at=day_ago - timedelta(hours=18), delivered_at=day_ago + timedelta(hours=5))
    cancelled = OrderFactory(store=store, purchase_date=day_ago, status="Canceled", canceled_at=day_ago,
                             cancel_initiator="seller", cancel_reason="No stock")
    thread = ThreadFactory(store=store, order=order, subject="Where is it?")
    MessageFactory(thread=thread, store=store, sent_at=day_ago - timedelta(hours=30))
    ReturnRequestFactory(order=order, store=store, requested_at=day_ago - timedelta(days=4))
    old = OrderFactory(store=store, purchase_date=now - timedelta(days=30))
    FeedbackFactory(order=old, rating=1, received_at=old.purchase_date + timedelta(days=1))
    expectations = {
        ("odr", "MFN", 60): (old.amazon_order_id, "negative feedback"),
        ("lsr", "MFN", 30): (order.amazon_order_id, "On time"),
        ("cancel", "MFN", 7): (cancelled.amazon_order_id, "No stock"),
        ("vtr", "MFN", 30): (order.amazon_order_id, "UPS"),
        ("otdr", "MFN", 14): (order.amazon_order_id, "delivered late"),
        ("response", "ALL", 30): (order.amazon_order_id, "not answered"),
        ("rdr", "ALL", 60): (order.amazon_order_id, "no response within 48 hours"),
    }
    for (metric, channel, days), (order_id, text) in expectations.items():
        url = drill_url(store, metric, channel, days)
        html = client_in.get(url, {"part": "denominator"}).content.decode()
        assert f'data-order="{order_id}"' in html, metric
        assert text.lower() in html.lower(), metric
        response = client_in.get(url, {"part": "denominator", "format": "csv"})
        assert order_id in b"".join(response.streaming_content).decode(), metric


def test_drilldown_csv_defuses_what_buyers_and_colleagues_typed(client_in, store):
    """A buyer's subject and a typed cancellation reason reach the CSV as text, in a comma or semicolon locale."""
    day_ago = local_midnight(local_today(store), store.tz) - timedelta(hours=10)
    order = OrderFactory(store=store, purchase_date=day_ago - timedelta(days=2), latest_ship_date=day_ago)
    thread = ThreadFactory(store=store, order=order, subject="=HYPERLINK(\"http://evil\")")
    MessageFactory(thread=thread, store=store, sent_at=day_ago - timedelta(hours=30))
    OrderFactory(store=store, purchase_date=day_ago, status="Canceled", canceled_at=day_ago,
                 cancel_initiator="seller", cancel_reason="x;=cmd|' /C calc'!A0")
    for metric, channel, days in (("response", "ALL", 30), ("cancel", "MFN", 7)):
        response = client_in.get(drill_url(store, metric, channel, days), {"part": "denominator", "format": "csv"})
        text = b"".join(response.streaming_content).decode()
        cells = [cell for delimiter in (",", ";") for row in csv.reader(io.StringIO(text), delimiter=delimiter)
                 for cell in row]
        assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))], metric
        assert "'=HYPERLINK" in text or "x;'=cmd" in text, metric


def test_time_travel_equals_the_daily_snapshot_of_that_date(client_in, store):
    from metrics.models import MetricSnapshot
    from metrics.services import metrics_backfill_daily

    seed_lsr(store, late=2, on_time=3)
    seed_lsr(store, late=1, on_time=4, due=local_midnight(local_today(store), store.tz) - timedelta(days=6))
    metrics_backfill_daily(store=store, days=8)
    for back in (1, 3, 5):
        day = local_today(store) - timedelta(days=back)
        snapshot = MetricSnapshot.objects.get(store=store, kind="daily", metric="lsr", channel="MFN", window_days=30,
                                              as_of=local_midnight(day + timedelta(days=1), store.tz))
        tile = tiles(client_in.get(URL, {"as_of": day.isoformat()}).content.decode())["tile-lsr-mfn-30"]
        assert (tile["numerator"], tile["denominator"]) == (str(snapshot.numerator), str(snapshot.denominator))
    assert {s.denominator for s in MetricSnapshot.objects.filter(store=store, kind="daily", metric="lsr",
                                                                 window_days=30)} >= {5, 10}
