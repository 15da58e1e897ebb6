"""Every page sends a Content-Security-Policy that forbids inline script and style, and no page needs either."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from .conftest import StoreBWorld
from .urlwalk import all_routes, read, route_url

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>\s*\S", re.IGNORECASE)
INLINE_STYLE = re.compile(rb"<style[\s>]|\sstyle=[\"']", re.IGNORECASE)
EVENT_HANDLER = re.compile(rb"<[^>]+\son[a-z]+=[\"']", re.IGNORECASE)
JSON_SCRIPT = re.compile(rb"<script[^>]*type=[\"']application/(?:ld\+)?json[\"']", re.IGNORECASE)


def _pages(world: StoreBWorld):
    client = Client()
    client.force_login(world.user)
    for route in all_routes():
        if route.namespace == "admin":
            continue
        url = route_url(route, world)
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            yield url, headers, response, read(response)


def test_every_page_sends_a_strict_policy(world_b: StoreBWorld):
    seen = 0
    for url, headers, response, _body in _pages(world_b):
        policy = response.get("Content-Security-Policy", "")
        assert policy, (url, headers, response.status_code)
        assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, url
        if "sandbox" not in policy:
            assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
            assert "frame-ancestors 'none'" in policy, url
        seen += 1
    assert seen > 80


def test_no_page_relies_on_inline_script_or_style(world_b: StoreBWorld):
    offenders = []
    for url, headers, response, body in _pages(world_b):
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        for name, pattern in (("inline script", INLINE_SCRIPT), ("inline style", INLINE_STYLE),
                              ("event handler attribute", EVENT_HANDLER)):
            for match in pattern.finditer(body):
                if name == "inline script" and JSON_SCRIPT.match(body, match.start()):
                    continue  # data, not code: json_script is never executed
                offenders.append(f"{url} {headers}: {name}: {body[match.start():match.start() + 80]!r}")
    assert not offenders, "\n".join(offenders)


def test_the_admin_sends_the_policy_too(client, world_b: StoreBWorld):
    assert "script-src 'self'" in client.get("/admin/login/")["Content-Security-Policy"]


#: The site-wide policy, directive by directive: its order in the header carries no meaning.
SITE_POLICY = {
    "default-src": "'self'", "img-src": "'self' data:", "script-src": "'self'", "style-src": "'self'",
    "object-src": "'none'", "frame-ancestors": "'none'", "base-uri": "'self'", "form-action": "'self'",
}


def _directives(header: str) -> dict[str, str]:
    directives = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, _, sources = part.partition(" ")
        assert name not in directives, header
        directives[name] = sources.strip()
    return directives


def _world_paths(world: StoreBWorld) -> list[tuple[str, dict, bool]]:
    """(path, headers, logged in) of each kind of answer: pages, partials, API, admin, docs, refusals."""
    return [
        ("/orders/", {}, True),
        ("/orders/?tab=late", {"HX-Request": "true"}, True),
        (f"/inbox/{world.thread.pk}/", {}, True),
        ("/inbox/claims/", {}, True),
        ("/api/docs/", {}, True),
        ("/api/schema/", {}, True),
        ("/api/orders/", {}, True),
        ("/admin/login/", {}, False),
        ("/accounts/login/", {}, False),
        ("/orders/", {}, False),  # the redirect to the login page
        ("/orders/?q=%00", {}, True),  # refused before any view runs
        ("/no-such-page/", {}, True),
    ]


def test_every_kind_of_answer_sends_exactly_the_site_policy(world_b: StoreBWorld):
    for path, headers, logged_in in _world_paths(world_b):
        client = Client()
        if logged_in:
            client.force_login(world_b.user)
        response = client.get(path, headers=headers)
        assert _directives(response["Content-Security-Policy"]) == SITE_POLICY, (path, response.status_code)
        assert "Content-Security-Policy-Report-Only" not in response, path


def test_a_buyer_attachment_is_sandboxed_with_nothing_allowed(client, world_b: StoreBWorld):
    client.force_login(world_b.user)
    response = client.get(f"/inbox/attachments/{world_b.attachment.pk}/")
    assert response.status_code == 200
    assert _directives(response["Content-Security-Policy"]) == {"default-src": "'none'", "sandbox": ""}
