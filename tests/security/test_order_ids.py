"""An Amazon order id is 3-7-7 *ASCII* digits everywhere one is parsed: the API, the after-sale endpoints, report
imports, URLs and buyer mail. An id in other digits (full-width, Arabic-Indic …) is refused with a message, and a
row already stored with one neither takes the order API or pages down nor goes unnoticed: a deploy-time check and
a command list it."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO
from urllib.parse import quote

import pytest
from django.core.checks import run_checks
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from imports.services import import_file
from orders.forms import parse_ids
from orders.ids import AMAZON_ORDER_ID
from orders.models import Order
from support.mail import parse_mail
from support.models import Feedback, Message
from tests.api.conftest import token_client
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    StoreFactory,
    UserFactory,
)
from tests.imports.conftest import db_state, sample

pytestmark = pytest.mark.django_db

FULL_WIDTH = "１２３-1234567-1234567"
UNICODE_IDS = [
    FULL_WIDTH,
    "١٢٣-١٢٣٤٥٦٧-١٢٣٤٥٦٧",  # Arabic-Indic
    "۱۱۳-1234567-1234567",  # Extended Arabic-Indic (Persian)
    "113-१२३४५६७-1234567",  # Devanagari
    "113-1234567-123456７",  # one full-width digit at the end
]


@pytest.fixture
def admin_api(store):
    user = UserFactory(username="ids-admin")
    MembershipFactory(user=user, store=store, role="admin")
    return token_client(user)


def _order_body(store, amazon_order_id: str) -> dict:
    ListingFactory(store=store, sku="IDS-SKU")
    return {"store": store.code, "amazon_order_id": amazon_order_id,
            "purchase_date": (timezone.now() - timedelta(hours=1)).isoformat(),
            "items": [{"sku": "IDS-SKU", "quantity": 1}]}


def test_the_pattern_takes_ascii_digits_only():
    assert AMAZON_ORDER_ID.match("113-1234567-1234567")
    for value in [*UNICODE_IDS, "113-1234567-1234567\n", " 113-1234567-1234567", "113-1234567-12345678"]:
        assert not AMAZON_ORDER_ID.match(value), value
        assert not AMAZON_ORDER_ID.search(value), value


@pytest.mark.parametrize("amazon_order_id", UNICODE_IDS)
def test_api_refuses_an_order_id_in_other_digits(admin_api, store, amazon_order_id):
    response = admin_api.post("/api/orders/", _order_body(store, amazon_order_id), format="json")

    assert response.status_code == 400, response.content
    assert "3-7-7 digits" in response.json()["amazon_order_id"][0]
    assert not Order.objects.exists()


def test_api_still_creates_an_ascii_order_id(admin_api, store):
    response = admin_api.post("/api/orders/", _order_body(store, "113-1234567-1234567"), format="json")

    assert response.status_code == 201, response.content
    assert response["Location"].endswith("/api/orders/113-1234567-1234567/")


@pytest.mark.parametrize("endpoint", ["/api/feedback/", "/api/claims/", "/api/returns/", "/api/messages/"])
def test_after_sale_endpoints_refuse_an_order_id_in_other_digits(admin_api, store, endpoint):
    body = {"store": store.code, "order": FULL_WIDTH, "rating": 1, "kind": "a_to_z", "reason": "x", "sku": "S",
            "direction": "inbound", "body": "Hi"}
    response = admin_api.post(endpoint, body, format="json")

    assert response.status_code == 400, response.content
    assert "3-7-7 digits" in response.json()["order"][0]
    assert not Feedback.objects.exists() and not Message.objects.exists()


@pytest.fixture
def stored_bad_order(store):
    """A row as the old pattern let in, written directly: the list and the pages must live with it."""
    good = OrderFactory(store=store, amazon_order_id="113-0000000-0000001")
    OrderItemFactory(order=good)
    bad = OrderFactory(store=store, amazon_order_id=FULL_WIDTH, purchase_date=good.purchase_date + timedelta(1))
    OrderItemFactory(order=bad)
    return bad


def test_the_order_list_answers_while_a_bad_id_is_stored(admin_api, store, stored_bad_order):
    for url in ["/api/orders/", f"/api/orders/?store={store.code}", "/api/orders/?page_size=1",
                "/api/orders/?order_status=Unshipped"]:
        response = admin_api.get(url)
        assert response.status_code == 200, (url, response.content[:300])
    rows = {row["amazon_order_id"]: row for row in admin_api.get("/api/orders/").json()["results"]}
    assert rows[FULL_WIDTH]["url"] is None
    assert rows["113-0000000-0000001"]["url"].endswith("/api/orders/113-0000000-0000001/")
    # The id matches no URL: its detail is not found, never a server error.
    assert admin_api.get(f"/api/orders/{quote(FULL_WIDTH)}/").status_code == 404
    assert admin_api.post(f"/api/orders/{quote(FULL_WIDTH)}/cancel/", {"initiator": "seller", "reason": "x"},
                          format="json").status_code == 404


def test_the_order_pages_answer_while_a_bad_id_is_stored(store, operator, stored_bad_order):
    client = Client()
    client.force_login(operator)
    for url in ["/orders/?tab=all", f"/orders/?tab=all&q={quote(FULL_WIDTH)}", "/orders/export.csv?tab=all",
                f"/orders/bulk/cancel/?ids={stored_bad_order.pk}", f"/orders/bulk/ship/?ids={stored_bad_order.pk}",
                f"/orders/packing-slips/?ids={stored_bad_order.pk}"]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert FULL_WIDTH.encode() in body, url
    assert client.get(f"/orders/{quote(FULL_WIDTH)}/").status_code == 404


def test_an_imported_line_with_other_digits_is_an_error_and_nothing_is_written(store):
    ListingFactory(store=store, sku="BOTTLE-750", quantity_available=10)
    ListingFactory(store=store, sku="LID-BAMBOO", quantity_available=1)
    lines = sample("all_orders_us.txt").decode().splitlines(keepends=True)
    bad_line = lines[3].split("\t")
    bad_line[0] = FULL_WIDTH
    lines[3] = "\t".join(bad_line)
    before = db_state()

    result = import_file(store=store, kind="all_orders", data="".join(lines).encode())

    assert [(error["line"], error["column"]) for error in result.errors] == [(4, "amazon-order-id")]
    assert FULL_WIDTH in result.errors[0]["message"]
    assert result.created == 0
    assert db_state() == before


def test_buyer_mail_names_only_ascii_order_ids():
    raw = (f"Subject: Order {FULL_WIDTH} and 113-7654321-7654321\r\nFrom: b@marketplace.amazon.com\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nAlso ١٢٣-١٢٣٤٥٦٧-١٢٣٤٥٦٧ and ７113-1111111-1111111.\r\n"
           ).encode()
    assert parse_mail(raw).order_ids == ["113-7654321-7654321"]


def test_bulk_ids_take_ascii_digits_only():
    assert parse_ids(["12,１３,٣,14"]) == [12, 14]


# --- Finding rows stored before ----------------------------------------------------------------------------------

def test_the_deploy_check_names_stored_bad_ids(store, stored_bad_order):
    other = StoreFactory(code="OTHER-JP")
    OrderFactory(store=other, amazon_order_id="٣٠٥-1234567-1234567")

    messages = [m for m in run_checks(tags=["database"], databases=["default"]) if m.id == "orders.W001"]

    assert len(messages) == 1
    assert FULL_WIDTH in messages[0].msg and "٣٠٥-1234567-1234567" in messages[0].msg
    assert "113-0000000-0000001" not in messages[0].msg
    assert "order_ids_check" in messages[0].hint
    # Plain `manage.py check` does not read the database.
    assert not [m for m in run_checks() if m.id == "orders.W001"]


def test_the_deploy_check_is_quiet_when_every_id_is_ascii(store):
    OrderFactory(store=store, amazon_order_id="113-0000000-0000001")
    assert not [m for m in run_checks(tags=["database"], databases=["default"]) if m.id == "orders.W001"]


def test_the_command_lists_every_bad_id_and_changes_nothing(store, stored_bad_order):
    out = StringIO()
    with pytest.raises(CommandError, match="1 order"):
        call_command("order_ids_check", stdout=out)

    assert out.getvalue().splitlines() == [f"{store.code}\t{stored_bad_order.pk}\t{FULL_WIDTH!r}\tUnshipped"]
    assert Order.objects.count() == 2

    stored_bad_order.delete()
    out = StringIO()
    call_command("order_ids_check", stdout=out)
    assert "Every stored order id" in out.getvalue()
