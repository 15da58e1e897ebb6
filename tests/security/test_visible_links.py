"""No visible link leads a role to a refusal: every link a page shows a member is a page that member may open.

For each role, the site is crawled from the order queue the way a person clicks through it: every ``<a href>`` of
every page reached, two clicks deep, at most a few addresses of each shape (one order page stands for them all).
None may answer 403. ``test_role_pages.py`` checks the buttons and forms of a write; this checks the links.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from datetime import timedelta
from decimal import Decimal
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from core.models import Store
from imports.models import ImportJob
from metrics.definitions import DEFINITIONS, MetricKey
from metrics.models import Breach, Notification
from tests.factories import ClaimFactory, UserFactory

from .role_walks import ACTORS, buyer_thread, fba_plan, member, open_return, removable_feedback, unshipped_order

pytestmark = pytest.mark.django_db

START = "/orders/"
DEPTH = 2
PER_SHAPE = 2
#: Links that are not pages to open: leaving the site's pages, or the back office (it has its own login).
SKIPPED = re.compile(r"^/(admin/|api/|i18n/|accounts/logout/|static/|media/)")
HREF = re.compile(r'<a\b[^>]*?\bhref="([^"#][^"]*)"', re.S)


def shape(url: str) -> str:
    """``/orders/113-0000001-0000002/?store=X`` and its siblings are one shape: digits and the query do not count."""
    return re.sub(r"\d+", "N", urlsplit(url).path)


def links(html: str, base: str) -> list[str]:
    found = []
    for href in HREF.findall(html):
        url = urljoin(base, unescape(href))
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not parts.path.startswith("/") or SKIPPED.match(parts.path):
            continue
        found.append(url)
    return found


def store_with_something_everywhere(store: Store, user) -> None:
    """An order, a return, a thread, feedback, a claim, an FBA plan, an import, a breach and its notification."""
    order = unshipped_order(store)
    open_return(store)
    buyer_thread(store)
    removable_feedback(store)
    ClaimFactory(order=order, reason="Item not received")
    fba_plan(store)
    importer = UserFactory(username=f"importer-{store.code}".lower())
    ImportJob.objects.create(store=store, kind=ImportJob.Kind.ALL_ORDERS, file_name="orders.txt", created_by=importer)
    definition = DEFINITIONS[MetricKey.ODR]
    now = timezone.now()
    breach = Breach.objects.create(store=store, metric=MetricKey.ODR, channel=definition.channels[0],
                                   window_days=definition.window_days[0], opened_at=now - timedelta(days=1),
                                   opening_rate=Decimal("0.02"), peak_rate=Decimal("0.03"), peak_at=now)
    Notification.objects.create(user=user, store=store, breach=breach, metric=breach.metric, channel=breach.channel,
                                window_days=breach.window_days, level="red", numerator=3, denominator=100,
                                message="Order Defect Rate above target", created_at=now)


def crawl(client: Client) -> dict[str, int]:
    """Every page reached from the queue within ``DEPTH`` clicks: URL -> status."""
    seen: dict[str, int] = {}
    per_shape: Counter[str] = Counter()
    queue = deque([(START, 0)])
    while queue:
        url, depth = queue.popleft()
        if url in seen or per_shape[shape(url)] >= PER_SHAPE:
            continue
        per_shape[shape(url)] += 1
        response = client.get(url, follow=True)
        seen[url] = response.status_code
        if depth < DEPTH and response.status_code == 200 and response["Content-Type"].startswith("text/html"):
            queue.extend((link, depth + 1) for link in links(response.content.decode(), url))
    return seen


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.parametrize("role", ACTORS)
def test_no_link_a_role_sees_leads_to_a_refusal(store, role):
    user = member(store, role)
    store_with_something_everywhere(store, user)
    client = Client()
    client.force_login(user)
    answers = crawl(client)
    # The crawl reached every section and the pages inside them, so it cannot pass by seeing nothing.
    reached = {shape(url) for url in answers}
    assert {"/orders/N-N-N/", "/health/", "/health/breaches/N/", "/inbox/N/", "/returns/", "/listings/N/",
            "/fulfillment/inbound/N/"} <= reached, sorted(reached)
    refused = sorted(url for url, status in answers.items() if status == 403)
    assert refused == [], f"{role} is shown links to pages it may not open: {refused}"
    assert all(status == 200 for status in answers.values()), {u: s for u, s in answers.items() if s != 200}
