"""Each hostile input that answered 500 now gets a 400 that says why, or the page with the filter refused and said
so: a forged API cursor, days and times at the calendar's edges, a NUL byte in a parameter or a path, a deeply
nested JSON body, and a mail subject or Message-ID holding a line break."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import quote, urlencode

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from core.exports import csv_response
from core.models import Profile
from metrics.definitions import DEFINITIONS, MetricKey
from orders.models import Order
from support.models import Message, MessageThread
from tests.api.conftest import token_client
from tests.factories import (
    ListingFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

EDGE_DAYS = ["0001-01-01", "9999-12-31"]
EDGE_INSTANTS = ["0001-01-01T00:00:00+05:00", "9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00Z",
                 "9999-12-31T23:59:59Z", "0001-01-01T00:00:00", "9999-12-31T23:59:59"]


@pytest.fixture
def admin(store):
    """An admin of ``store`` who reads times in Tokyo: a local midnight there is the day before in UTC."""
    user = UserFactory(username="edge-admin")
    MembershipFactory(user=user, store=store, role="admin")
    Profile.objects.update_or_create(user=user, defaults={"timezone": "Asia/Tokyo"})
    return user


@pytest.fixture
def api(admin):
    return token_client(admin)


@pytest.fixture
def page(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


@pytest.fixture
def orders(store):
    made = [OrderFactory(store=store, purchase_date=timezone.now() - timedelta(days=n)) for n in range(1, 4)]
    for order in made:
        OrderItemFactory(order=order)
    return made


def _cursor(query: str) -> str:
    return base64.b64encode(query.encode()).decode()


# --- A forged cursor --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("position", ["2026", "not a time", "0001-01-01 00:00:00+05:00", "2026-01-01 00:00:00",
                                      "2026-01-01 00:00:00+00:00\x00", "9999-12-31 23:59:59-05:00"])
def test_a_forged_cursor_position_is_a_400(api, orders, position):
    response = api.get("/api/orders/", {"cursor": _cursor(urlencode({"p": position}))})

    assert response.status_code == 400, response.content
    assert "Invalid cursor" in response.json()["cursor"][0]


@pytest.mark.parametrize("cursor", ["zzz", _cursor("o=x"), _cursor("r=x"), _cursor("p=\x00"), "YQ==\x00"])
def test_a_malformed_cursor_is_a_400(api, orders, cursor):
    response = api.get("/api/orders/", {"cursor": cursor})
    assert response.status_code == 400, response.content


def test_a_forged_cursor_on_a_text_column_is_a_400(api, store):
    response = api.get("/api/stores/", {"cursor": _cursor("p=ACME\x00")})
    assert response.status_code == 400


def test_the_cursors_the_api_hands_out_still_page(api, orders):
    first = api.get("/api/orders/", {"page_size": 2}).json()
    second = api.get(first["next"]).json()
    assert [o["amazon_order_id"] for o in first["results"] + second["results"]] == \
        [o.amazon_order_id for o in orders]
    assert api.get(second["previous"]).json()["results"] == first["results"]


# --- The calendar's edges ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("instant", EDGE_INSTANTS)
@pytest.mark.parametrize("name", ["purchase_date_after", "purchase_date_before", "last_update_date_after",
                                  "latest_ship_date_before"])
def test_api_filters_at_the_calendars_edges_answer(api, orders, name, instant):
    response = api.get("/api/orders/", {name: instant})

    assert response.status_code == 200, response.content
    # The edge is the calendar's: after its start or before its end is every order; the other way round, none.
    opens = instant.startswith("0001") == name.endswith("_after")
    assert len(response.json()["results"]) == (len(orders) if opens else 0)


@pytest.mark.parametrize("instant", EDGE_INSTANTS[:4])
def test_api_metrics_as_of_at_the_calendars_edges_is_a_400(api, store, instant):
    response = api.get(f"/api/stores/{store.code}/metrics/", {"as_of": instant})

    assert response.status_code == 400, response.content
    assert "Give a date between 1900-01-01 and 2999-12-31" in response.json()["as_of"][0]


@pytest.mark.parametrize("instant", EDGE_INSTANTS[:4])
def test_api_writes_refuse_times_at_the_calendars_edges(api, store, instant):
    ListingFactory(store=store, sku="EDGE-SKU")
    response = api.post("/api/orders/", {
        "store": store.code, "amazon_order_id": "113-0000000-0000009", "purchase_date": instant,
        "items": [{"sku": "EDGE-SKU", "quantity": 1}]}, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == {"purchase_date"}
    assert not Order.objects.exists()


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_the_order_queue_refuses_a_ship_by_day_at_the_edge_and_says_so(page, orders, day):
    for params in ({"ship_to": day}, {"ship_from": day}, {"ship_by": "range", "ship_from": day, "ship_to": day}):
        full = page.get("/orders/", params)
        partial = page.get("/orders/", params, headers={"HX-Request": "true"})
        for response in (full, partial):
            assert response.status_code == 200
            text = response.content.decode()
            assert "not applied: Give a date between 1900-01-01 and 2999-12-31." in text
            # The refused filter is left out: the queue is shown as without it.
            assert all(o.amazon_order_id in text for o in orders)


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_the_order_export_refuses_a_ship_by_day_at_the_edge(page, orders, day):
    response = page.get("/orders/export.csv", {"tab": "all", "ship_to": day})

    assert response.status_code == 400
    assert not response.streaming
    text = response.content.decode()
    assert "Nothing was exported" in text and "Give a date between 1900-01-01 and 2999-12-31." in text


def test_the_order_queue_still_filters_by_a_day_range(page, store):
    inside = OrderFactory(store=store, latest_ship_date=datetime(2026, 3, 10, 18, tzinfo=UTC))
    outside = OrderFactory(store=store, latest_ship_date=datetime(2026, 3, 20, 18, tzinfo=UTC))
    text = page.get("/orders/", {"tab": "all", "ship_from": "2026-03-09", "ship_to": "2026-03-11"}).content.decode()
    assert inside.amazon_order_id in text and outside.amazon_order_id not in text
    assert "not applied" not in text
    export = page.get("/orders/export.csv", {"tab": "all", "ship_from": "2026-03-09", "ship_to": "2026-03-11"})
    assert export.status_code == 200 and inside.amazon_order_id.encode() in b"".join(export.streaming_content)


def _drill(store) -> str:
    definition = DEFINITIONS[MetricKey.ODR]
    return f"/health/{store.code}/{MetricKey.ODR}/{definition.channels[0]}/{definition.window_days[0]}/"


@pytest.mark.parametrize("day", EDGE_DAYS)
def test_account_health_refuses_a_day_at_the_edge_and_says_so(page, store, orders, day):
    for url in ["/health/", f"/health/?store={store.code}", _drill(store), _drill(store) + "trend/"]:
        response = page.get(url, {"as_of": day})
        assert response.status_code == 200, url
        if "trend" not in url:
            assert "not applied: Give a date between 1900-01-01 and 2999-12-31." in response.content.decode(), url
    assert page.get("/health/poll/", {"as_of": day, "known": "1e309"}).status_code in (200, 204)
    export = page.get(_drill(store), {"as_of": day, "format": "csv"})
    assert export.status_code == 400 and b"Give a date between" in export.content


def test_account_health_still_travels_in_time(page, store, orders):
    response = page.get("/health/", {"store": store.code, "as_of": "2026-01-15"})
    assert response.status_code == 200
    assert "not applied" not in response.content.decode()


# --- NUL bytes ------------------------------------------------------------------------------------------------

def test_a_nul_in_a_parameter_is_a_400_that_says_so(page, store, orders):
    order = orders[0]
    for url in [f"/orders/{order.amazon_order_id}/?store=%00", "/health/poll/?store=%00", "/inbox/claims/?store=%00",
                "/inbox/feedback/?store=%00", "/returns/export.csv?q=%00", "/orders/?q=abc%00"]:
        response = page.get(url)
        assert response.status_code == 400, url
        assert not getattr(response, "streaming", False), url
        assert "NUL character" in response.content.decode(), url


def test_a_nul_in_the_path_of_the_api_is_a_400(api, store):
    response = api.get(f"/api/stores/{store.code}%00/metrics/")

    assert response.status_code == 400
    assert response.json()["code"] == "invalid" and "NUL character" in response.json()["detail"]


def test_a_nul_in_a_form_post_writes_nothing(page, store, orders):
    order = orders[0]
    response = page.post(f"/orders/{order.amazon_order_id}/note/?store={store.code}", {"note": "hi\x00there"})

    assert response.status_code == 400
    assert not order.events.exists()


def test_a_nul_in_the_session_cookie_or_the_token_is_a_400(store):
    # A quoted cookie may spell NUL as an octal escape; servers pass it through, Django unquotes it.
    for client in (Client(HTTP_COOKIE='sessionid="abcdefgh\\000ijkl"'), Client(HTTP_COOKIE="sessionid=abcdefgh\x00")):
        response = client.get("/orders/")
        assert response.status_code == 400 and "NUL character" in response.content.decode()
    response = Client(HTTP_AUTHORIZATION="Token abc\x00def").get("/api/orders/")
    assert response.status_code == 400 and response.json()["code"] == "invalid"


def test_the_refusal_is_in_the_viewers_language(page):
    response = page.get("/orders/?q=%00", headers={"Accept-Language": "zh-hans"})
    assert response.status_code == 400
    assert '<html lang="zh-hans">' in response.content.decode()


def test_an_export_runs_its_query_before_it_answers():
    def rows():
        raise ValueError("A string literal cannot contain NUL (0x00) characters.")
        yield []

    with pytest.raises(ValueError, match="NUL"):
        csv_response(["a"], rows(), filename="x.csv")


def test_the_returns_export_still_streams(page, store):
    returned = ReturnRequestFactory(order__store=store, sku="RET-1")
    response = page.get("/returns/export.csv", {"q": returned.order.amazon_order_id})
    assert response.status_code == 200 and response.streaming
    assert returned.order.amazon_order_id.encode() in b"".join(response.streaming_content)


# --- Deeply nested JSON ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("depth", [33, 5_000, 200_000])
def test_a_deeply_nested_json_body_is_a_400(api, store, depth):
    body = "[" * depth + "]" * depth
    response = api.generic("POST", "/api/orders/", body, content_type="application/json")

    assert response.status_code == 400
    assert "nests deeper than 32 levels" in response.json()["detail"]


def test_a_body_as_deep_as_the_api_needs_is_read(api, store):
    nested = {"a": 1}
    for _ in range(30):
        nested = {"x": nested}
    response = api.post("/api/orders/", {"store": store.code, "shipping_address": nested}, format="json")
    assert response.status_code == 400
    assert "nests" not in json.dumps(response.json())


# --- Line breaks in header-bound fields ---------------------------------------------------------------------------

@pytest.mark.parametrize("field", ["subject", "message_id", "sender", "buyer_name"])
@pytest.mark.parametrize("value", ["Hi\r\nBcc: victim@example.com", "<a@b>\nX-Injected: 1", "line\rbreak"])
def test_the_api_refuses_a_line_break_in_a_header_field(api, store, field, value):
    response = api.post("/api/messages/", {"store": store.code, "direction": "inbound", "body": "Hi",
                                           field: value}, format="json")

    assert response.status_code == 400, response.content
    assert set(response.json()) == {field}
    assert "line break" in response.json()[field][0]
    assert not Message.objects.exists()


def test_model_validation_refuses_a_line_break_in_a_header_field(store):
    thread = ThreadFactory.build(store=store, subject="Hi\r\nBcc: x@example.com", buyer_name="A\nB")
    with pytest.raises(ValidationError) as refused:
        thread.full_clean()
    assert set(refused.value.message_dict) == {"subject", "buyer_name"}
    message = MessageFactory.build(thread=ThreadFactory(store=store), message_id="<a@b>\r\nX: 1", subject="S\n")
    with pytest.raises(ValidationError) as refused:
        message.full_clean()
    assert set(refused.value.message_dict) == {"message_id", "subject"}


def test_a_reply_to_a_thread_stored_with_line_breaks_is_sent_on_clean_headers(
        page, store, mailoutbox, django_capture_on_commit_callbacks):
    # Rows as the API accepted them before: subject and Message-IDs holding CR/LF, written directly.
    thread = ThreadFactory(store=store, subject="Where is it?\r\nBcc: victim@example.com")
    MessageFactory(thread=thread, message_id="<evil@relay>\r\nBcc: victim@example.com", subject=thread.subject,
                   sent_at=timezone.now() - timedelta(hours=3))
    MessageFactory(thread=thread, message_id="<good@relay>", sent_at=timezone.now() - timedelta(hours=2))

    with django_capture_on_commit_callbacks(execute=True):
        response = page.post(f"/inbox/{thread.pk}/reply/", {"body": "It ships today.", "action": "send"})

    assert response.status_code == 302, response.content[:500]
    [sent] = mailoutbox
    assert sent.subject == "Re: Where is it? Bcc: victim@example.com"
    assert sent.bcc == [] and "victim@example.com" not in sent.recipients()
    message = sent.message()
    assert message["In-Reply-To"] == "<good@relay>" and message["References"] == "<good@relay>"
    assert "\n" not in message["Subject"] and "Bcc" not in message
    assert Message.objects.filter(thread=thread, direction="outbound").count() == 1
    assert MessageThread.objects.get(pk=thread.pk).subject == thread.subject  # listed, not rewritten


def test_the_inbox_pages_show_a_thread_stored_with_line_breaks(page, store):
    thread = ThreadFactory(store=store, subject="Where is it?\r\nBcc: victim@example.com")
    MessageFactory(thread=thread, message_id="<evil@relay>\r\nX: 1")
    for url in ["/inbox/?tab=all", f"/inbox/{thread.pk}/", f"/api/messages/?{urlencode({'thread': thread.pk})}",
                f"/inbox/?{urlencode({'q': 'x'})}{quote('')}"]:
        assert page.get(url).status_code == 200, url
