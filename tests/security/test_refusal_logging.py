"""A refused request is logged as one line: the status and the path, never a stack trace."""

from __future__ import annotations

import logging
import sys

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token

from core.logfilters import ClientErrorsOnOneLine
from tests.factories import ListingFactory, MembershipFactory, OrderFactory, OrderItemFactory, UserFactory

pytestmark = pytest.mark.django_db

UPS = {"carrier": "UPS", "tracking_number": "1Z999AA10123456784"}


@pytest.fixture
def order(store):
    listing = ListingFactory(store=store, quantity_available=10)
    order = OrderFactory(store=store)
    OrderItemFactory(order=order, sku=listing.sku, quantity=1)
    return order


@pytest.fixture
def agent(store):
    user = UserFactory(username="agent")
    MembershipFactory(user=user, store=store, role="agent")
    return user


def _logged(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name.startswith("django.")]


def test_a_forbidden_page_logs_one_line_without_traceback(order, agent, caplog):
    client = Client()
    client.force_login(agent)
    url = f"/orders/{order.amazon_order_id}/ship/"
    with caplog.at_level(logging.INFO):
        assert client.post(url, UPS).status_code == 403
    records = _logged(caplog)
    assert [(record.levelname, record.getMessage()) for record in records] == [
        ("WARNING", f"Forbidden (Permission denied): {url}")]
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text


def test_a_forbidden_admin_page_and_api_call_log_one_line(order, agent, caplog):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    admin_client = Client()
    admin_client.force_login(root)
    api_client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=agent).key}")
    with caplog.at_level(logging.INFO):
        assert admin_client.get("/admin/orders/order/add/").status_code == 403
        assert api_client.post(f"/api/orders/{order.amazon_order_id}/ship/", UPS,
                               content_type="application/json").status_code == 403
    assert len(_logged(caplog)) == 2
    assert all(record.exc_info is None for record in caplog.records)
    assert "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        exc_info = sys.exc_info()
    for status_code, kept in ((500, True), (403, False), (400, False)):
        record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "x", (), exc_info)
        record.status_code = status_code
        assert ClientErrorsOnOneLine().filter(record) is True
        assert (record.exc_info is not None) is kept
