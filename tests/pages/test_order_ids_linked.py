"""No dead end: wherever a page names an Amazon order, the id is a link to the order's page.

The main pages are read as an admin of a store filled with one of everything; any order id in their text outside
a link to ``/orders/<id>/`` fails. Two places are not text to click: a form field's value (a draft to copy) and a
thread's row in the inbox list, itself a link to the thread (a link cannot hold another; the thread's page links
each id of its subject and messages).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from listings.models import StockMovement
from tests.factories import MessageFactory
from tests.security.conftest import StoreBWorld, world_b  # noqa: F401  (the fixture: one of everything in store B)

pytestmark = pytest.mark.django_db

ORDER_ID = re.compile(r"\d{3}-\d{7}-\d{7}")
ORDER_LINK = re.compile(r"^/orders/(\d{3}-\d{7}-\d{7})/")


class Unlinked(HTMLParser):
    """Collects the text outside links to an order page (and outside form fields and the inbox's thread rows)."""

    SKIP = {"textarea", "script", "style", "option", "title"}

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []  # "order", "skip" or "" for each open <a> or skipped element
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            href = attributes.get("href") or ""
            classes = (attributes.get("class") or "").split()
            self.stack.append("order" if ORDER_LINK.match(href) else "skip" if "thread-row" in classes else "")
        elif tag in self.SKIP:
            self.stack.append("skip")

    def handle_endtag(self, tag):
        if (tag == "a" or tag in self.SKIP) and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not any(self.stack):
            self.text.append(data)


def unlinked_ids(html: str) -> list[str]:
    parser = Unlinked()
    parser.feed(html)
    return ORDER_ID.findall(" ".join(parser.text))


def pages(w: StoreBWorld) -> list[str]:
    drill = {"store_code": w.store.code, "metric": w.breach.metric, "channel": w.breach.channel,
             "window_days": w.breach.window_days}
    return [
        "/orders/?tab=all", "/returns/?tab=all", reverse("returns:detail", args=[w.return_request.pk]),
        "/inbox/?tab=all", reverse("support:thread", args=[w.thread.pk]), "/inbox/claims/", "/inbox/feedback/",
        "/listings/", reverse("listings:detail", args=[w.listing.pk]), "/health/", "/health/breaches/",
        reverse("metrics:breach_detail", args=[w.breach.pk]), reverse("metrics:drilldown", kwargs=drill),
        "/health/notifications/", "/imports/", reverse("imports:detail", args=[w.import_job.pk]), "/fulfillment/",
    ]


def test_the_parser_finds_an_id_outside_a_link():
    html = ('<p>Order 111-2222222-3333333 <a href="/orders/444-5555555-6666666/">444-5555555-6666666</a>'
            '<textarea>777-8888888-9999999</textarea></p>')
    assert unlinked_ids(html) == ["111-2222222-3333333"]


def test_every_order_id_on_the_main_pages_is_a_link_to_the_order(client, world_b):  # noqa: F811
    w = world_b
    # Order ids where they are only text: a stock movement, a buyer's message, an import's line and what it made.
    StockMovement.objects.create(store=w.store, listing=w.listing, reason="sale", available_delta=-1,
                                 order=w.order, at=w.order.purchase_date)
    MessageFactory(thread=w.thread, store=w.store, body=f"Where is order {w.order.amazon_order_id}?")
    w.thread.subject = f"Inquiry from Amazon customer (Order: {w.order.amazon_order_id})"
    w.thread.save(update_fields=["subject"])
    w.import_job.status = "done"
    w.import_job.errors = []
    w.import_job.warnings = [{"line": 2, "column": "order-id",
                              "message": f"Order {w.shipped_order.amazon_order_id} left as it was."}]
    w.import_job.touched = {"order": {"updated": {"count": 1, "keys": [w.order.amazon_order_id]}}}
    w.import_job.save()
    client.force_login(w.user)
    failures, linked = {}, set()
    for url in pages(w):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        found = unlinked_ids(html)
        if found:
            failures[url] = found
        if f'href="/orders/{w.order.amazon_order_id}/?store=BRAVO-DE"' in html:
            linked.add(url)
    assert not failures, failures
    # The pages that name the order do link to it.
    detail = {reverse("listings:detail", args=[w.listing.pk]), reverse("support:thread", args=[w.thread.pk]),
              "/inbox/claims/", "/inbox/feedback/", reverse("imports:detail", args=[w.import_job.pk])}
    assert detail <= linked, detail - linked
