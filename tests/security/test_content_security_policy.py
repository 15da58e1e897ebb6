"""Every page sends a Content-Security-Policy that forbids inline script and style, and no page needs either."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from .conftest import StoreBWorld
from .urlwalk import all_routes, route_url

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
            yield url, headers, client.get(url, headers=headers)


def test_every_page_sends_a_strict_policy(world_b: StoreBWorld):
    seen = 0
    for url, headers, response in _pages(world_b):
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
    for url, headers, response in _pages(world_b):
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        body = response.content
        for name, pattern in (("inline script", INLINE_SCRIPT), ("inline style", INLINE_STYLE),
                              ("event handler attribute", EVENT_HANDLER)):
            for match in pattern.finditer(body):
                if name == "inline script" and JSON_SCRIPT.match(body, match.start()):
                    continue  # data, not code: json_script is never executed
                offenders.append(f"{url} {headers}: {name}: {body[match.start():match.start() + 80]!r}")
    assert not offenders, "\n".join(offenders)


def test_the_admin_sends_the_policy_too(client, world_b: StoreBWorld):
    assert "script-src 'self'" in client.get("/admin/login/")["Content-Security-Policy"]
