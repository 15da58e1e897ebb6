"""Every page fits every screen: real Chromium opens each page of the site at phone, tablet and desktop widths, in
English and in Chinese, and fails if the page is wider than the screen or anything sticks out of it other than
inside a box that scrolls. The pages are listed once, in ``PAGES``; a page the site serves that is not listed there
(or in ``NOT_PAGES``, with the reason) fails ``test_every_page_of_the_site_is_in_the_list``.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from fulfillment.fba_health import fba_store_day_refresh
from fulfillment.models import FbaInventorySnapshot
from listings.models import Channel
from metrics.services import metrics_recompute
from orders.models import OrderStatus
from support.models import Message
from tests.factories import ListingFactory, MessageFactory, OrderFactory, OrderItemFactory, ThreadFactory
from tests.security.conftest import StoreBWorld, world_b  # noqa: F401  (the fixture: one of everything in store B)
from tests.security.urlwalk import URL_ARGUMENTS, all_routes, route_url

from .conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"
WIDTHS = (390, 768, 1280, 1440)
#: Screenshots of the three workspaces at a phone's and a desktop's width, in both languages.
SCREENSHOTS = {"orders:list": "queue", "metrics:health": "health", "support:thread": "inbox"}
SCREENSHOT_WIDTHS = (390, 1280)

#: Every page of the site: (URL name, query string). Arguments come from ``tests/security/urlwalk.py``'s
#: ``URL_ARGUMENTS`` (store B's objects); ``{order_pk}`` in a query is store B's open order. One line per page.
PAGES: list[tuple[str, str]] = [
    ("orders:list", ""),
    ("orders:list", "?tab=all"),
    ("orders:detail", ""),
    ("orders:packing-slips", "?ids={order_pk}"),
    ("orders:bulk-ship", "?ids={order_pk}"),
    ("orders:bulk-cancel", "?ids={order_pk}"),
    ("orders:at-risk", ""),
    ("orders:at-risk-message", ""),
    ("orders:at-risk-carriers", ""),
    ("metrics:health", ""),
    ("metrics:drilldown", ""),
    ("metrics:trend", ""),
    ("metrics:breaches", ""),
    ("metrics:breach_detail", ""),
    ("metrics:alerts", ""),
    ("metrics:alert_edit", ""),
    ("metrics:notifications", ""),
    ("metrics:reconciliation", ""),
    ("metrics:reconciliation_detail", ""),
    ("support:inbox", ""),
    ("support:thread", ""),
    ("support:claims", ""),
    ("support:claim", ""),
    ("support:feedback", ""),
    ("returns:list", "?tab=all"),
    ("returns:detail", ""),
    ("listings:list", ""),
    ("listings:detail", ""),
    ("listings:new", ""),
    ("listings:edit", ""),
    ("fulfillment:list", ""),
    ("fulfillment:detail", ""),
    ("fulfillment:new", ""),
    ("fba:health", ""),
    ("fba:part", ""),
    ("fba:aged", ""),
    ("fba:fees", ""),
    ("fba:restock", ""),
    ("imports:list", ""),
    ("imports:detail", ""),
    ("imports:ship_confirm", ""),
    ("preferences", ""),
    ("password_change", ""),
    ("password_change_done", ""),
]

#: Pages of the site that answer a GET with HTML but are not opened above, and why.
NOT_PAGES = {
    "home": "redirects to the user's workspace",
    "listings:attributes-new": "the editor's product-type attribute fields, a partial",
    "listings:attributes": "the editor's product-type attribute fields, a partial",
    "publish:panel": "the listing page's Amazon panel, polled while a publication runs",
    "login": "opened first, before logging in, in every language",
    "metrics:health_poll": "the health board's polling partial",
    "imports:ship_confirm_preview": "a preview of a ship-confirm file; store B's import is an order report",
    "orders:tracking-check": "the ship form's tracking-number hint, a partial",
    "api-docs": "Swagger UI, its own stylesheet",
}

#: The page is wider than the screen, or an element sticks out of it outside any box that scrolls or clips.
OVERFLOW = """() => {
  const width = window.innerWidth;
  // Inside a box that scrolls or clips: one that is the element's containing block or encloses it (an absolutely
  // positioned element escapes every box up to its positioned ancestor, so a scroll box below that holds it not).
  const contained = (el) => {
    let escaping = getComputedStyle(el).position === 'absolute';
    if (getComputedStyle(el).position === 'fixed') return false;
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (escaping && style.position === 'static') continue;
      escaping = style.position === 'absolute';
      if (style.overflowX !== 'visible') return true;
      if (style.position === 'fixed') return false;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (!r.width || !r.height || (r.right <= width + 1 && r.left >= -1) || contained(el)) continue;
    const id = el.id ? '#' + el.id : '';
    const names = typeof el.className === 'string' ? el.className.trim().split(/\\s+/).filter(Boolean) : [];
    const cls = names.map((name) => '.' + name).join('');
    out.push(`${el.tagName.toLowerCase()}${id}${cls} [${Math.round(r.left)}, ${Math.round(r.right)}]`);
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, sticking: out.slice(0, 5)};
}"""


def page_url(world: StoreBWorld, name: str, query: str) -> str:
    arguments = URL_ARGUMENTS[name](world) if name in URL_ARGUMENTS else {}
    return reverse(name, kwargs=arguments) + query.format(order_pk=world.order.pk)


@pytest.fixture
def crowded(world_b: StoreBWorld) -> StoreBWorld:  # noqa: F811
    """Store B as the demo fills it: long names and titles, Chinese and Japanese buyers, many items, tiles."""
    store, now = world_b.store, timezone.now()
    long_sku = "VOL-CHARGE-006-BLK-EXTRA-LONG"
    ListingFactory(store=store, sku=long_sku, title="Wireless charging stand, 15 W, aluminium, with a braided "
                   "2 m USB-C cable, for every Qi phone and earbuds case, black " * 2)
    for n, (buyer, city) in enumerate([("佐藤 花子", "渋谷区, 東京都"), ("Ridge Outfitters Limited Liability Company",
                                        "Denver, CO"), ("王小明", "上海市浦东新区")]):
        order = OrderFactory(store=store, buyer_name=buyer, ship_name=buyer, ship_city=city, is_prime=True,
                             purchase_date=now - timedelta(hours=30 + n), latest_ship_date=now - timedelta(hours=n),
                             risk_flags=["po_box", "stock_short"])
        for sku in (long_sku, "NOR-SOCKS-003-S", "LUM-LAMP-009-BLK"):
            OrderItemFactory(order=order, sku=sku, quantity=12)
    for days in range(1, 5):
        OrderFactory(store=store, status=OrderStatus.DELIVERED, purchase_date=now - timedelta(days=days + 3))
    thread = ThreadFactory(store=store, order=world_b.order, buyer_name="Julia Fischer",
                           subject="Anfrage von Amazon-Kunde Julia Fischer (Bestellung: 303-9212357-2040821) " * 2)
    MessageFactory(thread=thread, store=store, body="Der Artikel ist beschädigt angekommen. " * 8)
    MessageFactory(thread=thread, store=store, direction=Message.Direction.OUTBOUND, body="Vielen Dank. " * 20)
    fba = ListingFactory(store=store, sku=f"FBA-{long_sku}", fulfillment_channel=Channel.AFN, price=Decimal("25"))
    day = now.astimezone(store.tz).date()
    FbaInventorySnapshot.objects.create(
        store=store, listing=fba, day=day, fulfillable=900, unfulfillable=4, age_0_90=100, age_181_270=300,
        age_271_365=300, age_365_plus=200, units_shipped_t7=30, units_shipped_t30=120, units_shipped_t60=240,
        units_shipped_t90=360, stranded_units=12, item_volume=Decimal("0.3"), volume_unit="cubic feet",
        size_tier="Standard", recommended_action="Create removal order", source="planning")
    fba_store_day_refresh(store=store, day=day)
    world_b.breach.peak_rate = Decimal("0.031")
    world_b.breach.save(update_fields=["peak_rate"])
    metrics_recompute(store=store, as_of=now)
    return world_b


def log_in(context, live_server, world: StoreBWorld, language: str):
    page = context.new_page()
    page.goto(f"{live_server.url}{reverse('login')}")
    assert page.locator("html").get_attribute("lang") == language
    problems = overflow(page)
    page.fill("input[name=username]", world.user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/orders/")
    return page, problems


def overflow(page) -> str | None:
    found = page.evaluate(OVERFLOW)
    if found["scrollWidth"] > found["width"] or found["sticking"]:
        return f"page {found['scrollWidth']} px wide on {found['width']} px; sticking out: {found['sticking']}"
    return None


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_every_page_fits_phones_tablets_and_desktops(chromium, live_server, crowded, language):
    # One context per language (Accept-Language, as a browser set to Chinese sends it); one login for every page.
    context = chromium.new_context(viewport={"width": WIDTHS[0], "height": 860}, bypass_csp=True,
                                   locale="zh-CN" if language == "zh-hans" else "en-US", timezone_id="Asia/Shanghai")
    context.set_default_timeout(10_000)
    failures: list[str] = []
    try:
        page, problem = log_in(context, live_server, crowded, language)
        if problem:
            failures.append(f"login @ {WIDTHS[0]}: {problem}")
        ARTIFACTS.mkdir(exist_ok=True)
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 860})
            for name, query in PAGES:
                url = page_url(crowded, name, query)
                response = page.goto(f"{live_server.url}{url}")
                if response.status != 200:
                    failures.append(f"{url}: answered {response.status}")
                    continue
                assert page.locator("html").get_attribute("lang") == language, url
                problem = overflow(page)
                if problem:
                    failures.append(f"{url} @ {width}: {problem}")
                if name in SCREENSHOTS and width in SCREENSHOT_WIDTHS and not query:
                    page.screenshot(path=str(ARTIFACTS / f"fit-{SCREENSHOTS[name]}-{width}-{language}.png"),
                                    full_page=True)
    finally:
        context.close()
    assert not failures, "\n".join(failures)


def test_the_menu_button_folds_the_navigation_on_a_phone(chromium, live_server, crowded):
    context = chromium.new_context(viewport={"width": 390, "height": 860}, bypass_csp=True, locale="zh-CN")
    context.set_default_timeout(10_000)
    try:
        page, _problem = log_in(context, live_server, crowded, "zh-hans")
        toggle = page.locator("button.nav-toggle")
        sections = page.locator("#topbar-menu .mainnav a")
        assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
        assert not sections.first.is_visible()

        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true"
        assert sections.count() >= 6 and all(sections.nth(i).is_visible() for i in range(sections.count()))
        # Chinese labels on one line each, never one character per line.
        heights = [sections.nth(i).evaluate("a => a.getClientRects().length") for i in range(sections.count())]
        assert heights == [1] * sections.count()
        assert overflow(page) is None
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "fit-menu-open-390-zh-hans.png"))
        page.keyboard.press("Escape")
        assert toggle.get_attribute("aria-expanded") == "false" and not sections.first.is_visible()

        # After htmx swaps a part of the page (a tab of the queue), the button still works.
        with page.expect_response(lambda r: "tab=all" in r.url and r.request.headers.get("hx-request") == "true"):
            page.click(".tabs a[href*='tab=all']")
        toggle.click()
        assert toggle.get_attribute("aria-expanded") == "true" and sections.first.is_visible()
        sections.nth(1).click()
        page.wait_for_url("**/health/")
        assert page.locator("button.nav-toggle").get_attribute("aria-expanded") == "false"

        # On a desktop the sections are in the bar and the button is not there.
        page.set_viewport_size({"width": 1280, "height": 860})
        assert not page.locator("button.nav-toggle").is_visible() and sections.first.is_visible()
    finally:
        context.close()


def test_every_page_of_the_site_is_in_the_list(world_b: StoreBWorld):  # noqa: F811
    """A new page answers HTML to a GET: it must be added to ``PAGES`` (or to ``NOT_PAGES``, saying why)."""
    client = Client()
    client.force_login(world_b.user)
    listed = {name for name, _query in PAGES} | set(NOT_PAGES)
    missing = []
    for route in all_routes():
        if route.namespace == "admin" or route.name.startswith("api") or route.name in listed:
            continue
        response = client.get(route_url(route, world_b))
        if response.status_code == 200 and response["Content-Type"].startswith("text/html") and not response.streaming:
            missing.append(route.name)
    assert missing == [], f"pages missing from PAGES in {__file__}: {missing}"
