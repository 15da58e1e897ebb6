"""A return's own page: its history, order, items, refunds and actions, reached from the list, the order page and
the API."""

from __future__ import annotations

from decimal import Decimal

import pytest

from returns.models import ReturnStatus
from returns.selectors import return_history
from returns.services import return_authorize, return_receive, return_refund
from returns.tests.test_views import make_return

pytestmark = pytest.mark.django_db


def test_the_page_shows_the_order_link_items_history_and_the_actions_the_list_offers(op_client, store, operator):
    r = make_return(store, sku="PAGE-1", hours_ago=30)
    return_authorize(return_request=r, label_provided=True, actor=operator)
    r.refresh_from_db()
    html = op_client.get(f"/returns/{r.pk}/").content.decode()
    assert f'href="/orders/{r.order.amazon_order_id}/?store=ACME-US"' in html
    assert 'data-status="authorized"' in html
    assert "PAGE-1" in html and "40.00" in html
    history = html[html.index('class="order-timeline return-history"'):]
    assert "Requested" in history and "Authorised" in history and "prepaid label" in history
    # The list's actions for an authorised return: receive, refund, close; they post back to this page.
    assert f'action="/returns/{r.pk}/receive/"' in html
    assert '<input type="hidden" name="back" value="detail">' in html


def test_an_action_posted_from_the_page_comes_back_to_it(op_client, store):
    r = make_return(store, sku="BACK-1", hours_ago=5)
    response = op_client.post(f"/returns/{r.pk}/authorize/", {"back": "detail", "note": "ok"})
    assert response.status_code == 302 and response.url == f"/returns/{r.pk}/"
    r.refresh_from_db()
    assert r.status == ReturnStatus.AUTHORIZED
    page = op_client.get(response.url).content.decode()
    assert "Authorised" in page


def test_a_refused_action_shows_why_on_the_page(op_client, store):
    r = make_return(store, sku="NOPE-1", hours_ago=5)
    response = op_client.post(f"/returns/{r.pk}/receive/", {"back": "detail", "disposition": "sellable"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="return-detail"' in html and 'role="alert"' in html


def test_the_history_follows_the_state_machine_stamps_and_refunds(store, operator):
    r = make_return(store, sku="HIST-1", hours_ago=40)
    return_authorize(return_request=r, actor=operator)
    return_receive(return_request=r, disposition="damaged", actor=operator)
    return_refund(return_request=r, kind="partial", amount=Decimal("5.00"), reason="", actor=operator)
    r.refresh_from_db()
    labels = [str(step.label) for step in return_history(r) if step.kind != "event"]
    assert labels == ["Requested", "Authorised", "Received", "Refunded"]
    assert any(step.kind == "event" for step in return_history(r))


def test_another_stores_return_is_not_found(op_client, other_store):
    r = make_return(other_store, sku="ELSE-1")
    assert op_client.get(f"/returns/{r.pk}/").status_code == 404


def test_the_list_the_order_page_and_the_api_link_to_the_page(op_client, store):
    r = make_return(store, sku="LINK-1", hours_ago=5)
    page = f'href="/returns/{r.pk}/"'
    assert page in op_client.get("/returns/").content.decode()
    order_html = op_client.get(f"/orders/{r.order.amazon_order_id}/?store=ACME-US").content.decode()
    assert page in order_html
    data = op_client.get(f"/api/returns/{r.pk}/").json()
    assert data["page_url"].endswith(f"/returns/{r.pk}/")
