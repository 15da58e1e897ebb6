"""The pages offer a role only what the table lets it do: every action button, form and link that leads to a write,
and the sections of the top navigation, are shown exactly to the roles ``core.permissions`` allows.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client

from core.context_processors import NAVIGATION
from core.models import Role, Store
from fulfillment.models import InboundStatus
from returns.models import ReturnStatus
from tests.factories import ListingFactory

from .role_walks import (
    ACTORS,
    Actor,
    allows,
    buyer_thread,
    fba_plan,
    member,
    open_return,
    previewed_job,
    removable_feedback,
    unshipped_order,
)

pytestmark = pytest.mark.django_db

#: page -> what it is built from: (its URL, {permission: what in the page offers it}).
Page = Callable[[Actor], tuple[str, dict[str, str]]]
PAGES: dict[str, Page] = {}


def page(name: str):
    def register(build: Page) -> Page:
        PAGES[name] = build
        return build
    return register


@page("order")
def _order(actor: Actor):
    order = unshipped_order(actor.store)
    base = f"/orders/{order.amazon_order_id}"
    return f"{base}/?store={actor.store.code}", {
        f"order.{action}": f'action="{base}/{action}/?store={actor.store.code}"'
        for action in ("confirm", "pack", "ship", "cancel", "note")}


@page("order-queue")
def _order_queue(actor: Actor):
    unshipped_order(actor.store)
    return "/orders/", {
        "order.confirm": 'name="action" value="confirm"', "order.ship": 'name="action" value="ship"',
        "order.cancel": 'name="action" value="cancel"', "import.upload": 'href="/imports/ship-confirm/"'}


@page("returns")
def _returns(actor: Actor):
    requested = open_return(actor.store)
    authorized = open_return(actor.store, ReturnStatus.AUTHORIZED, sku="RT-2")
    offers = {f"return.{action}": f'/returns/{requested.pk}/{action}/'
              for action in ("authorize", "reject", "refund", "replace", "close")}
    return "/returns/?tab=all", {**offers, "return.receive": f"/returns/{authorized.pk}/receive/"}


@page("listing")
def _listing(actor: Actor):
    listing = ListingFactory(store=actor.store)
    return f"/listings/{listing.pk}/", {"stock.adjust": f'action="/listings/{listing.pk}/adjust/"',
                                        "listing.edit": f'action="/listings/{listing.pk}/image/"',
                                        "listing.publish": f'action="/listings/{listing.pk}/publish/"'}


@page("inbound-list")
def _inbound_list(actor: Actor):
    return "/fulfillment/", {"inbound.create": 'href="/fulfillment/inbound/new/"'}


@page("inbound-working")
def _inbound_working(actor: Actor):
    inbound = fba_plan(actor.store)
    url = f"/fulfillment/inbound/{inbound.pk}/"
    return url, {"inbound.ship": f'action="{url}ship/"', "inbound.cancel": f'action="{url}cancel/"'}


@page("inbound-shipped")
def _inbound_shipped(actor: Actor):
    inbound = fba_plan(actor.store, InboundStatus.SHIPPED)
    url = f"/fulfillment/inbound/{inbound.pk}/"
    return url, {"inbound.receive": f'name="received-{inbound.items.get().pk}"',
                 "inbound.close": f'action="{url}close/"'}


@page("inbox-thread")
def _inbox_thread(actor: Actor):
    thread = buyer_thread(actor.store)
    url = f"/inbox/{thread.pk}/"
    return url, {"message.reply": f'action="{url}reply/"', "thread.no_reply": f'action="{url}no-reply/"',
                 "thread.note": f'action="{url}note/"', "thread.assign": f'action="{url}assign/"'}


@page("feedback")
def _feedback(actor: Actor):
    feedback = removable_feedback(actor.store)
    return "/inbox/feedback/", {"feedback.request_removal": f'action="/inbox/feedback/{feedback.pk}/request-removal/"'}


@page("ship-confirm-preview")
def _ship_confirm_preview(actor: Actor):
    job = previewed_job(actor)
    url = f"/imports/ship-confirm/{job.pk}/"
    return url, {"import.confirm": f'action="{url}confirm/"'}


@page("imports")
def _imports(actor: Actor):
    return "/imports/", {"import.upload": 'enctype="multipart/form-data"'}


@page("account-health")
def _account_health(actor: Actor):
    return "/health/", {"alert.set": 'href="/health/alerts/"'}


@page("carrier days")
def _carrier_days(actor: Actor):
    return f"/orders/at-risk/carriers/{actor.store.code}/", {"delivery.silence": 'name="days:YunExpress"'}


@page("notifications")
def _notifications(actor: Actor):
    return "/health/notifications/", {"alert.set": 'href="/health/alerts/"'}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def get(actor: Actor, url: str) -> str:
    response = actor.page.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


@pytest.mark.parametrize("role", ACTORS)
@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_offers_each_action_to_the_roles_the_table_allows(store, role, name,
                                                                 django_capture_on_commit_callbacks):
    actor = Actor(store=store, user=member(store, role), capture=django_capture_on_commit_callbacks)
    url, offers = PAGES[name](actor)
    html = get(actor, url)
    shown = {permission: marker in html for permission, marker in offers.items()}
    assert shown == {permission: allows(role, permission) for permission in offers}


def nav_links(html: str) -> list[str]:
    nav = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    return re.findall(r'href="([^"]+)"', nav)


def sections_for(role: str) -> list[str]:
    return [url for url, _label, permission in NAVIGATION if permission is None or allows(role, permission)]


@pytest.mark.parametrize("role", ACTORS)
def test_the_navigation_shows_a_role_the_sections_it_may_use(store, role, django_capture_on_commit_callbacks):
    actor = Actor(store=store, user=member(store, role), capture=django_capture_on_commit_callbacks)
    assert nav_links(get(actor, "/orders/")) == sections_for(role)


def test_every_member_reads_every_section_and_imports_are_for_importers():
    # The sections are not all for everyone (the test above could not fail otherwise), and none is hidden from a
    # role that may use it: reading is every member's.
    assert "/imports/" in sections_for(Role.OPERATOR) and "/imports/" not in sections_for(Role.AGENT)
    readable = [url for url, _label, permission in NAVIGATION if permission is None]
    assert {"/orders/", "/health/", "/inbox/", "/returns/", "/listings/", "/fulfillment/"} <= set(readable)


def test_a_member_of_two_stores_sees_a_section_usable_in_either(store, django_capture_on_commit_callbacks):
    agent = member(store, Role.AGENT)
    elsewhere = Store.objects.create(code="ELSE-UK", name="Else", marketplace="UK")
    client = Client()
    client.force_login(agent)
    assert "/imports/" not in nav_links(client.get("/orders/").content.decode())
    agent.memberships.create(store=elsewhere, role=Role.OPERATOR)
    assert "/imports/" in nav_links(client.get("/orders/").content.decode())
