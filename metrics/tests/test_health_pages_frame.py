"""The frame of the account-health pages: the as-of line of a day in the past, one sub-navigation, breadcrumbs."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def client_in(client, store):
    manager = UserFactory(username="manager")
    MembershipFactory(user=manager, store=store, role="manager")
    client.force_login(manager)
    return client


def test_time_travel_to_a_day_reads_as_the_end_of_that_day(client_in, store):
    html = client_in.get(reverse("metrics:health"), {"as_of": "2031-11-15"}).content.decode()
    text = re.sub(r"\s+", " ", html)
    assert "As of the end of Nov. 15, 2031 (store time)" in text
    assert "Nov. 16" not in text and "Nov 16" not in text


def test_every_health_page_has_one_sub_navigation_first_in_the_page(client_in, store):
    urls = [reverse("metrics:health"), reverse("metrics:breaches"), reverse("metrics:notifications"),
            reverse("metrics:alerts"),
            reverse("metrics:drilldown", args=[store.code, "lsr", "MFN", 10]),
            reverse("metrics:trend", args=[store.code, "lsr", "MFN", 10])]
    for url in urls:
        html = client_in.get(url).content.decode()
        assert html.count('class="health-links"') == 1, url
        main = html[html.index('<main class="page">'):]
        after_messages = main.index('class="health-links"')
        assert "<h1" not in main[:after_messages], url


def test_breadcrumbs_end_with_the_page_not_a_separator(client_in, store):
    html = client_in.get(reverse("metrics:trend", args=[store.code, "lsr", "MFN", 10])).content.decode()
    crumbs = html[html.index('class="crumbs"'):html.index("</nav>", html.index('class="crumbs"'))]
    assert "›" not in crumbs
    assert re.search(r'<li><span aria-current="page">Daily trend</span></li></ol>', crumbs)


def test_the_all_stores_matrix_names_each_column_apart_and_shows_its_target(client_in, store, other_store):
    MembershipFactory(user=User.objects.get(username="manager"), store=other_store, role="manager")
    html = client_in.get(reverse("metrics:health")).content.decode()
    table = html[html.index('class="health-overview"'):]
    headings = re.findall(r'<th scope="col" title="[^"]*">([^<]*)<span class="sub">([^<]*)</span></th>', table)
    names = [name for name, _target in headings]
    assert len(names) == len(set(names)) > 2
    assert "Response · 7 days" in names and "Response · 30 days" in names
    assert all(target.startswith("target") for _name, target in headings)
