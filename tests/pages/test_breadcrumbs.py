"""Every page's breadcrumbs come from the one partial: a list whose last item is the page, no separator after it."""

from __future__ import annotations

import re

import pytest

from tests.browser.test_every_page_fits import PAGES, page_url
from tests.security.conftest import StoreBWorld, world_b  # noqa: F401  (the fixture: one of everything in store B)

pytestmark = pytest.mark.django_db


def test_breadcrumbs_are_one_list_ending_with_the_page(client, world_b: StoreBWorld):  # noqa: F811
    client.force_login(world_b.user)
    seen = 0
    for name, query in PAGES:
        html = client.get(page_url(world_b, name, query)).content.decode()
        for crumbs in re.findall(r'<(?:nav|p) class="crumbs".*?</(?:nav|p)>', html, re.S):
            seen += 1
            assert "›" not in crumbs, (name, crumbs)
            items = re.findall(r"<li>(.*?)</li>", crumbs, re.S)
            assert len(items) >= 2, (name, crumbs)
            assert 'aria-current="page"' in items[-1] and "<a " not in items[-1], (name, crumbs)
    assert seen >= 10
