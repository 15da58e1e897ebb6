"""Breach pages, the banner on every page, the plan-of-action download, live refresh and stale numbers."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from metrics.models import Breach, MetricSnapshot
from metrics.services import metrics_recompute
from metrics.windows import local_midnight
from tests.factories import (
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(store):
    user = UserFactory(username="manager")
    MembershipFactory(user=user, store=store, role="manager")
    return user


@pytest.fixture
def client_in(client, manager):
    client.force_login(manager)
    return client


def seed_late(store, *, late: int, on_time: int, sku: str = "SKU-LATE") -> list:
    due = local_midnight(timezone.now().astimezone(store.tz).date(), store.tz) - timedelta(days=2, hours=-14)
    orders = []
    for _ in range(late):
        order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
        OrderItemFactory(order=order, sku=sku)
        orders.append(order)
    for _ in range(on_time):
        order = OrderFactory(store=store, purchase_date=due - timedelta(days=2), latest_ship_date=due)
        OrderItemFactory(order=order, sku="SKU-FINE")
        ShipmentFactory(order=order, store=store, shipped_at=due - timedelta(hours=3),
                        first_scan_at=due - timedelta(hours=1))
    return orders


def make_breach(store, *, resolved: bool = False, metric: str = "lsr", days: int = 10, ago: int = 1) -> Breach:
    now = timezone.now()
    return Breach.objects.create(
        store=store, metric=metric, channel="MFN", window_days=days, opened_at=now - timedelta(days=ago),
        opening_rate=Decimal("0.05"), peak_rate=Decimal("0.08"), peak_at=now - timedelta(days=ago, hours=-2),
        resolved_at=now - timedelta(hours=1) if resolved else None,
    )


def banner(html: str) -> str | None:
    match = re.search(r'<div class="site-breach-banner".*?</div>', html, re.S)
    return match.group(0) if match else None


def test_the_banner_shows_on_every_page_while_a_breach_is_open(client_in, store, other_store):
    seed_late(store, late=2, on_time=3)
    metrics_recompute(store=store)
    breach = Breach.objects.get(window_days=10)
    html = client_in.get("/orders/").content.decode()
    shown = banner(html)
    assert shown is not None
    assert "2 breaches open" in shown  # the 10- and the 30-day late shipment rates
    assert "ACME-US" in shown and "Late Shipment Rate" in shown
    newest = Breach.objects.order_by("-opened_at", "-pk").first()
    assert f'href="{reverse("metrics:breach_detail", args=[newest.pk])}"' in shown
    assert 'href="/health/breaches/?state=open"' in shown
    assert banner(client_in.get(reverse("metrics:breaches")).content.decode()) is not None
    assert banner(client_in.get(reverse("metrics:breach_detail", args=[breach.pk])).content.decode()) is not None

    # Back in target: the next recompute resolves the breaches and the banner goes.
    seed_late(store, late=0, on_time=200)
    metrics_recompute(store=store)
    assert not Breach.objects.filter(resolved_at__isnull=True).exists()
    assert banner(client_in.get("/orders/").content.decode()) is None


def test_the_banner_shows_only_my_stores(client_in, store, other_store):
    make_breach(other_store)
    assert banner(client_in.get("/orders/").content.decode()) is None
    make_breach(store)
    assert "1 breach open" in banner(client_in.get("/orders/").content.decode())


def test_the_banner_in_chinese(client_in, store):
    make_breach(store)
    html = client_in.get("/orders/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert '<html lang="zh-hans">' in html and banner(html) is not None


def test_no_banner_for_anonymous_pages(client, store):
    make_breach(store)
    assert banner(client.get(reverse("login")).content.decode()) is None


def test_breach_list_shows_open_and_resolved_with_their_timeline(client_in, store, other_store):
    open_breach = make_breach(store)
    resolved = make_breach(store, resolved=True, metric="cancel", days=7, ago=5)
    make_breach(other_store)
    html = client_in.get(reverse("metrics:breaches")).content.decode()
    rows = re.findall(r'data-breach="(\d+)"', html)
    assert rows == [str(open_breach.pk), str(resolved.pk)]  # open first
    row = html.split(f'data-breach="{resolved.pk}"')[1].split("</tr>")[0]
    assert "Pre-fulfilment Cancel Rate" in row and "Resolved" in row and "at 5 %" in row and "8 %" in row
    open_html = client_in.get(reverse("metrics:breaches"), {"state": "open"}).content.decode()
    assert re.findall(r'data-breach="(\d+)"', open_html) == [str(open_breach.pk)]
    resolved_html = client_in.get(reverse("metrics:breaches"), {"state": "resolved"}).content.decode()
    assert re.findall(r'data-breach="(\d+)"', resolved_html) == [str(resolved.pk)]
    assert client_in.get(reverse("metrics:breaches"), {"store": other_store.code}).status_code == 404


def test_breach_list_partial_for_htmx(client_in, store):
    make_breach(store)
    response = client_in.get(reverse("metrics:breaches"), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="breach-results"') and "<html" not in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("count", [3, 30])
def test_breach_list_query_count_does_not_grow(client_in, manager, store, count, django_assert_max_num_queries):
    stores = [store] + [StoreFactory(code=f"S-{i}") for i in range(2)]
    for s in stores[1:]:
        MembershipFactory(user=manager, store=s, role="manager")
    for i in range(count):
        make_breach(stores[i % 3], resolved=i >= 3, ago=i + 1)  # one open breach per store at most
    # Session, user, profile, stores, one page of breaches with their stores, the top bar's summary, the user's
    # roles (what the navigation and the section's links offer), the top bar's store switcher (three stores).
    with django_assert_max_num_queries(8):
        assert client_in.get(reverse("metrics:breaches")).status_code == 200


def test_breach_detail_shows_the_root_cause_and_a_plan(client_in, store):
    late = seed_late(store, late=3, on_time=7)
    metrics_recompute(store=store)
    breach = Breach.objects.get(window_days=10)
    response = client_in.get(reverse("metrics:breach_detail", args=[breach.pk]))
    html = response.content.decode()
    assert "Late Shipment Rate · seller-fulfilled · 10 days · ACME-US" in html
    sku = html.split('data-dimension="sku"')[1].split("</table>")[0]
    assert re.findall(r'data-bucket="([^"]+)" data-defects="(\d+)"', sku) == [("SKU-LATE", "3")]
    carrier = html.split('data-dimension="carrier"')[1].split("</table>")[0]
    assert "no shipment" in carrier
    assert "not confirmed" in html
    plan = html.split('<textarea id="plan-text"')[1].split("</textarea>")[0]
    assert "30 %" in plan and "3 of 10" in plan and "SKU-LATE (3 of 3 defects)" in plan
    for order in late:
        assert order.amazon_order_id in plan
    assert "3 orders affected" in html


def test_breach_detail_of_another_store_is_404(client_in, other_store):
    breach = make_breach(other_store)
    assert client_in.get(reverse("metrics:breach_detail", args=[breach.pk])).status_code == 404
    assert client_in.get(reverse("metrics:breach_plan", args=[breach.pk])).status_code == 404


def test_breach_detail_in_chinese(client_in, store):
    seed_late(store, late=3, on_time=7)
    metrics_recompute(store=store)
    breach = Breach.objects.get(window_days=10)
    html = client_in.get(reverse("metrics:breach_detail", args=[breach.pk]),
                         headers={"Accept-Language": "zh-hans"}).content.decode()
    assert '<html lang="zh-hans">' in html and "SKU-LATE" in html


def test_plan_downloads_as_text(client_in, store):
    late = seed_late(store, late=2, on_time=3)
    metrics_recompute(store=store)
    breach = Breach.objects.get(window_days=10)
    url = reverse("metrics:breach_plan", args=[breach.pk])
    response = client_in.get(url)
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="plan-of-action-acme-us-lsr-')
    text = response.content.decode()
    assert "1. Root cause" in text and late[0].amazon_order_id in text
    edited = client_in.post(url, {"plan": "Our own words.\r\nSecond line."})
    assert edited.content.decode() == "Our own words.\nSecond line."


def test_a_resolved_breach_is_explained_at_its_worst(client_in, store):
    seed_late(store, late=2, on_time=3)
    metrics_recompute(store=store)
    breach = Breach.objects.get(window_days=10)
    seed_late(store, late=0, on_time=100)
    metrics_recompute(store=store)
    breach.refresh_from_db()
    assert breach.resolved_at is not None
    html = client_in.get(reverse("metrics:breach_detail", args=[breach.pk])).content.decode()
    assert "Root cause at its worst" in html and "40 %" in html


# --- Live refresh and stale numbers ---------------------------------------------------------------------------


def tile(html: str, dom_id: str) -> str:
    return html.split(f'id="{dom_id}"')[1].split("</article>")[0]


def test_tiles_say_when_they_were_computed_and_when_stale(client_in, store):
    html = client_in.get("/health/").content.decode()
    assert "not recomputed yet" in tile(html, "tile-lsr-mfn-10")
    assert 'data-stale="true"' in tile(html, "tile-lsr-mfn-10")

    metrics_recompute(store=store)
    html = client_in.get("/health/").content.decode()
    fresh = tile(html, "tile-lsr-mfn-10")
    assert 'data-stale="false"' in fresh and "computed " in fresh
    assert "stale-flag" not in html

    # Older than two recompute periods: every tile says stale.
    MetricSnapshot.objects.update(computed_at=timezone.now() - timedelta(hours=2, minutes=1))
    html = client_in.get("/health/").content.decode()
    assert 'data-stale="true"' in tile(html, "tile-lsr-mfn-10")
    assert '<strong class="stale-flag">stale</strong>' in tile(html, "tile-lsr-mfn-10")
    assert "last recompute" in html


@override_settings(METRICS_STALE_AFTER_SECONDS=60)
def test_the_stale_threshold_is_a_setting(client_in, store):
    metrics_recompute(store=store)
    MetricSnapshot.objects.update(computed_at=timezone.now() - timedelta(minutes=2))
    assert 'data-stale="true"' in tile(client_in.get("/health/").content.decode(), "tile-lsr-mfn-10")


def test_time_travel_neither_polls_nor_says_stale(client_in, store):
    day = (timezone.now().astimezone(store.tz).date() - timedelta(days=3)).isoformat()
    html = client_in.get("/health/", {"as_of": day}).content.decode()
    assert "health-poll" not in html and "data-stale" not in html


def test_the_dashboard_polls_and_swaps_only_after_a_newer_recompute(client_in, store):
    metrics_recompute(store=store)
    html = client_in.get("/health/").content.decode()
    poll = re.search(r'class="health-poll" hidden hx-get="([^"]+)" hx-trigger="every 15s"', html)
    assert poll
    url = poll.group(1).replace("&amp;", "&")
    assert client_in.get(url, headers={"HX-Request": "true"}).status_code == 204

    seed_late(store, late=2, on_time=3)
    metrics_recompute(store=store)
    response = client_in.get(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    board = response.content.decode()
    assert board.lstrip().startswith('<div id="health-board"') and "<html" not in board
    assert 'data-numerator="2"' in tile(board, "tile-lsr-mfn-10")
    # The new board polls from the new recompute on.
    new_url = re.search(r'class="health-poll" hidden hx-get="([^"]+)"', board).group(1).replace("&amp;", "&")
    assert new_url != url
    assert client_in.get(new_url, headers={"HX-Request": "true"}).status_code == 204


def test_polling_another_store_reveals_nothing(client_in, store, other_store):
    metrics_recompute(store=other_store)
    response = client_in.get(reverse("metrics:health_poll"), {"store": other_store.code, "known": "0"})
    assert response.status_code == 204
