"""The store chosen in the top bar carries across the workspaces, unless the address names another (or all)."""

from __future__ import annotations

import pytest

from core.chosen_store import STORE_DEFAULT_PAGES
from core.models import Profile
from returns.tests.test_views import make_return
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, StoreFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "orders:list": "/orders/?tab=all",
    "orders:at-risk": "/orders/at-risk/",
    "metrics:health": "/health/",
    "metrics:breaches": "/health/breaches/",
    "metrics:reconciliation": "/health/reconciliation/",
    "support:inbox": "/inbox/?tab=all",
    "support:claims": "/inbox/claims/",
    "support:feedback": "/inbox/feedback/",
    "returns:list": "/returns/?tab=all",
    "listings:list": "/listings/",
    "fulfillment:list": "/fulfillment/",
    "imports:list": "/imports/",
}


@pytest.fixture
def both(client, store, other_store):
    user = UserFactory(username="boss")
    MembershipFactory(user=user, store=store, role="admin")
    MembershipFactory(user=user, store=other_store, role="admin")
    client.force_login(user)
    return client, user


def choose(client, code: str, next_url: str = "/orders/?tab=all&store=OTHER-DE&page=2"):
    return client.post("/accounts/store/", {"store": code, "next": next_url})


def test_every_workspace_is_listed():
    assert set(PAGES) == STORE_DEFAULT_PAGES


def test_choosing_a_store_keeps_it_on_the_profile_and_goes_back_without_the_pages_own_store(both, store):
    client, user = both
    response = choose(client, "ACME-US")
    assert response.status_code == 302 and response.url == "/orders/?tab=all"
    assert Profile.objects.get(user=user).store == store
    assert choose(client, "").status_code == 302
    assert Profile.objects.get(user=user).store is None


def test_a_store_the_user_is_not_in_is_refused(both):
    StoreFactory(code="ELSE-UK", marketplace="UK")
    client, _user = both
    assert choose(client, "ELSE-UK").status_code == 404


def test_the_switcher_is_in_the_top_bar_with_all_stores(both):
    client, _user = both
    choose(client, "OTHER-DE")
    html = client.get("/orders/").content.decode()
    switch = html[html.index('id="store-switch"'):html.index("</form>", html.index('id="store-switch"'))]
    assert '<option value="">All stores</option>' in switch
    assert '<option value="OTHER-DE" selected>' in switch


@pytest.mark.parametrize("name", sorted(PAGES))
def test_each_workspace_follows_the_chosen_store(both, name):
    client, _user = both
    choose(client, "OTHER-DE")
    response = client.get(PAGES[name])
    assert response.status_code == 200
    assert response.wsgi_request.GET["store"] == "OTHER-DE"


@pytest.mark.parametrize("name", sorted(PAGES))
def test_the_address_wins_and_an_empty_store_means_all(both, name):
    client, _user = both
    choose(client, "OTHER-DE")
    joiner = "&" if "?" in PAGES[name] else "?"
    assert client.get(f"{PAGES[name]}{joiner}store=ACME-US").wsgi_request.GET["store"] == "ACME-US"
    assert client.get(f"{PAGES[name]}{joiner}store=").wsgi_request.GET["store"] == ""


def test_the_queue_returns_listings_and_inbox_show_only_the_chosen_store(both, store, other_store):
    client, _user = both
    mine, theirs = OrderFactory(store=store), OrderFactory(store=other_store)
    mine_return, their_return = make_return(store, sku="MINE-R"), make_return(other_store, sku="THEIR-R")
    ListingFactory(store=store, sku="MINE-L")
    ListingFactory(store=other_store, sku="THEIR-L")
    ThreadFactory(store=store, subject="Mine thread")
    ThreadFactory(store=other_store, subject="Their thread")
    choose(client, "ACME-US")
    queue = client.get("/orders/?tab=all").content.decode()
    assert mine.amazon_order_id in queue and theirs.amazon_order_id not in queue
    returns = client.get("/returns/?tab=all").content.decode()
    assert f'data-return="{mine_return.pk}"' in returns and f'data-return="{their_return.pk}"' not in returns
    listings = client.get("/listings/").content.decode()
    assert "MINE-L" in listings and "THEIR-L" not in listings
    inbox = client.get("/inbox/?tab=all").content.decode()
    assert "Mine thread" in inbox and "Their thread" not in inbox
    choose(client, "")
    queue = client.get("/orders/?tab=all").content.decode()
    assert mine.amazon_order_id in queue and theirs.amazon_order_id in queue


def test_a_store_no_longer_the_users_is_not_applied(both, other_store):
    client, user = both
    choose(client, "OTHER-DE")
    user.memberships.filter(store=other_store).delete()
    assert "store" not in client.get("/orders/").wsgi_request.GET
