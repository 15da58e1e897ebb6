"""One clock: no page prints a time of day without saying its zone.

The demo data (orders, shipments, returns, messages, breaches, notifications) is walked as an admin, page by
page, following the site's own links, in English and in Chinese; every "HH:MM" in a page's text must be
followed by its UTC offset ("Nov 25, 11:56 UTC+8"), as the ``when`` filter prints it.
"""

from __future__ import annotations

import re
from collections import deque
from datetime import UTC, datetime
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model

from demo.seed import seed_demo

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 25, 3, 56, tzinfo=UTC)
START = ("/orders/", "/health/", "/health/breaches/", "/health/notifications/", "/inbox/", "/returns/",
         "/listings/", "/fulfillment/inbound/", "/imports/")
#: Not pages to read: files, actions that change the session, other sites of the project.
SKIP = re.compile(r"^/(admin|api|i18n|accounts/logout|static|media)/|\.(csv|txt|pdf|json)$|/export|/download")
#: Pages of the same shape (ids replaced) are read once each; this many shapes in all.
MAX_SHAPES = 80
TIME = re.compile(r"(?<![\d:.+\u2212])([01]?\d|2[0-3]):[0-5]\d(?![\d:])")
VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
                  "wbr"})
ZONE = re.compile(r"\s*(UTC([+\u2212]\d{1,2}(:\d{2})?)?)")


class _Page(HTMLParser):
    """The text a reader sees (not scripts, styles or attributes, nor names kept verbatim: ``translate="no"``, such
    as an FBA shipment's name "FBA (20/11/2026 15:55) - 6" that Amazon gave it), and the links."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        skipped = tag in {"script", "style", "template"} or attributes.get("translate") == "no"
        if (self._skip or skipped) and tag not in VOID:
            self._skip += 1
        href = attributes.get("href")
        if tag == "a" and href:
            self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if self._skip and tag not in VOID:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.text.append(data)


def test_names_kept_verbatim_are_not_read_but_what_follows_them_is():
    page = _Page()
    page.feed('<p><span translate="no">FBA (20/11/2026 15:55)<br><img src="x"></span> shipped 10:02</p>')
    assert bare_times(" ".join(page.text)) == [" shipped 10:02"]


def bare_times(text: str) -> list[str]:
    """Each time of day in ``text`` not followed by its zone, with a little context."""
    found = []
    for match in TIME.finditer(text):
        if not ZONE.match(text, match.end()):
            found.append(text[max(0, match.start() - 40):match.end() + 10].replace("\n", " "))
    return found


def test_bare_times_are_found_and_zoned_times_are_not():
    assert bare_times("shipped Nov 25, 11:56 and more") == ["shipped Nov 25, 11:56 and more"]
    assert bare_times("Nov 25, 11:56 UTC+8 · 23:59 UTC\u22128 · 09:26 UTC+5:30 · 03:56 UTC") == []
    assert bare_times("v1.10:00 2026-11-25 and 5 h 12 m, 1:2") == []


def _shape(path: str) -> str:
    return re.sub(r"\d+", "N", re.sub(r"/[0-9]{3}-[0-9]{7}-[0-9]{7}/", "/ORDER/", path))


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_no_page_prints_a_time_without_its_zone(client, language):
    seed_demo(now=NOW, stores=1, orders=120, days=30, history_days=30)
    client.force_login(get_user_model().objects.get(username="admin"))
    client.cookies["django_language"] = language
    queue, shapes, offenders = deque(START), set(), {}
    while queue and len(shapes) < MAX_SHAPES:
        url = queue.popleft()
        path = urlsplit(url).path
        if SKIP.search(path) or _shape(path) in shapes:
            continue
        shapes.add(_shape(path))
        response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = _Page()
        page.feed(response.content.decode())
        bare = bare_times(" ".join(page.text))
        if bare:
            offenders[url] = bare[:3]
        queue.extend(link for link in page.links if link.startswith("/"))
    assert len(shapes) > 15, shapes  # the walk reached the workspaces, not just a login page
    assert offenders == {}, "\n".join(f"{u}: {b}" for u, b in offenders.items())
