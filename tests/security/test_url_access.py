"""Every URL of the site, found by walking the URL configuration: login required, and store B's objects are
invisible and untouchable to a user of store A through every page, partial, export and API endpoint."""

from __future__ import annotations

import pytest
from django.test import Client

from core.models import Membership, Store
from fulfillment.models import InboundShipment, Shipment
from imports.models import ImportJob
from listings.models import Listing, StockMovement
from metrics.models import AlertRule, Breach, Notification
from orders.models import Order, OrderEvent, OrderItem
from returns.models import ReturnRequest
from support.models import Claim, Feedback, Message, MessageThread

from .conftest import SECRET, StoreBWorld
from .urlwalk import PUBLIC, URL_ARGUMENTS, Route, all_routes, route_url

pytestmark = pytest.mark.django_db

ROUTES = [route for route in all_routes() if route.name not in PUBLIC]
ADMIN_ROUTES = [route for route in ROUTES if route.namespace == "admin"]
SITE_ROUTES = [route for route in ROUTES if route.namespace != "admin"]
LOGIN_VIEWS = {"login", "admin:login"}


def _ids(routes: list[Route]) -> list[str]:
    return [route.template for route in routes]


def test_the_walk_finds_every_workspace():
    names = {route.name for route in all_routes()}
    for expected in ["orders:detail", "orders:export", "returns:action", "listings:adjust", "fulfillment:ship",
                     "metrics:drilldown", "support:thread", "imports:detail", "api-order-detail", "admin:index"]:
        assert expected in names


def test_every_url_with_arguments_has_a_store_b_value(world_b):
    missing = []
    for route in ROUTES:
        try:
            route_url(route, world_b)
        except LookupError as error:
            missing.append(str(error))
    assert not missing, "\n".join(missing)


def test_every_argument_value_is_still_used():
    names = {route.name for route in all_routes()}
    assert set(URL_ARGUMENTS) <= names, f"stale entries: {set(URL_ARGUMENTS) - names}"


def _refused_to_anonymous(response) -> bool:
    if response.status_code in (401, 403):
        return True
    return bool(response.redirect_chain) and response.resolver_match.view_name in LOGIN_VIEWS


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_anonymous_get_is_sent_to_login(client: Client, world_b: StoreBWorld, route: Route):
    url = route_url(route, world_b)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get(url, headers=headers, follow=True)
        assert _refused_to_anonymous(response), (url, response.status_code, response.redirect_chain)
        assert SECRET.encode() not in response.content


@pytest.mark.parametrize("route", ROUTES, ids=_ids(ROUTES))
def test_anonymous_post_is_refused_and_writes_nothing(client: Client, world_b: StoreBWorld, route: Route):
    url = route_url(route, world_b)
    before = _store_state(world_b.store)
    response = client.post(url, _form_payload(world_b), follow=True)
    assert response.status_code in (401, 403, 405) or _refused_to_anonymous(response), (url, response.status_code)
    assert _store_state(world_b.store) == before


def test_public_urls_show_no_store_data(client: Client, world_b: StoreBWorld):
    for route in all_routes():
        if route.name in PUBLIC:
            response = client.get(route_url(route, world_b), follow=True)
            assert response.status_code < 500
            assert SECRET.encode() not in response.content, route.name


# --- a user of store A against the objects of store B ---------------------------------------------------------

def _store_state(store: Store) -> list:
    """Every row of ``store``, as values: a write through any URL changes it."""
    state: list = [list(Store.objects.filter(pk=store.pk).values())]
    for model in (Order, OrderItem, OrderEvent, Shipment, Listing, StockMovement, MessageThread, Message, Feedback,
                  Claim, ReturnRequest, InboundShipment, ImportJob, Breach, AlertRule, Notification, Membership):
        state.append(sorted(model.objects.filter(store=store).values_list("pk", flat=True)))
        state.append(list(model.objects.filter(store=store).order_by("pk").values()))
    return state


def _form_payload(w: StoreBWorld) -> dict[str, object]:
    """A form body naming store B's objects under every name a view of this site reads."""
    return {
        "ids": [w.order.amazon_order_id, str(w.order.pk)], "store": w.store.code, "order": w.order.amazon_order_id,
        "amazon_order_id": w.order.amazon_order_id, "reason": "buyer asked", "note": "x", "body": "x",
        "carrier": "UPS", "tracking_number": "1Z999AA10123456784", "quantity": "1", "delta": "1",
        "kind": "all_orders", "status": "canceled", "user": str(w.user.pk), "assignee": str(w.user.pk),
        "metric": "odr", "band": "amber", "listing": str(w.listing.pk), "sku": w.listing.sku,
    }


def _json_payload(w: StoreBWorld) -> dict[str, object]:
    return {"store": w.store.code, "order": w.order.amazon_order_id, "amazon_order_id": "305-9999999-9999993",
            "reason": "x", "carrier": "UPS", "tracking_number": "1Z999AA10123456784", "rating": 1, "body": "x",
            "kind": "a_to_z", "sku": w.listing.sku, "quantity": 1,
            "purchase_date": "2026-01-01T00:00:00Z", "items": [{"sku": w.listing.sku, "quantity": 1}]}


def _query_variants(w: StoreBWorld) -> list[str]:
    return ["", f"?store={w.store.code}", f"?store={w.store.pk}", f"?q={w.order.amazon_order_id}",
            f"?ids={w.order.amazon_order_id}", "?format=csv"]


@pytest.mark.parametrize("route", SITE_ROUTES, ids=_ids(SITE_ROUTES))
def test_user_of_store_a_never_reaches_store_b(client: Client, user_a, world_b: StoreBWorld, route: Route):
    client.force_login(user_a)
    url = route_url(route, world_b)
    before = _store_state(world_b.store)
    is_api = url.startswith("/api/")
    answers = []
    for query in _query_variants(world_b) if not route.arguments else ["", "?format=csv"]:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url + query, headers=headers)
            answers.append(("GET" + query, headers, response))
    if is_api:
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)(url, _json_payload(world_b), content_type="application/json")
            answers.append((method.upper(), {}, response))
    else:
        for headers in ({}, {"HX-Request": "true"}):
            answers.append(("POST", headers, client.post(url, _form_payload(world_b), headers=headers)))

    for label, headers, response in answers:
        body = response.content if not getattr(response, "streaming", False) else b"".join(
            response.streaming_content)
        assert response.status_code < 500, (label, url, headers, response.status_code)
        assert SECRET.encode() not in body, (label, url, headers, response.status_code)
        if route.arguments:
            # An object of store B does not exist for A: 404, or 405 for a method the URL does not take
            # (403 where a role check comes first) -- never success, never a redirect after a write.
            assert response.status_code in (403, 404, 405), (label, url, headers, response.status_code)
    if route.arguments:
        assert any(r.status_code in (403, 404) for _, _, r in answers), url
    assert _store_state(world_b.store) == before, f"{url} changed store B's data for a user of store A"


@pytest.mark.parametrize("route", ADMIN_ROUTES[:1] + [r for r in ADMIN_ROUTES if "sellerops" in r.template],
                         ids=_ids(ADMIN_ROUTES[:1] + [r for r in ADMIN_ROUTES if "sellerops" in r.template]))
def test_admin_site_is_staff_only(client: Client, user_a, world_b: StoreBWorld, route: Route):
    client.force_login(user_a)
    response = client.get(route_url(route, world_b), follow=True)
    assert response.resolver_match.view_name == "admin:login" or response.status_code in (403, 404)
    assert SECRET.encode() not in response.content
