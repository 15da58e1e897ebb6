"""The deliveries-at-risk tab of the order queue and the message that tells the buyer first."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from core.models import Role
from fulfillment.models import CarrierEvent, FollowUp, Shipment
from orders.models import OrderEvent, OrderStatus
from support.delivery_risk_selectors import message_language, risk_message_draft
from support.models import Message, MessageThread
from tests.factories import (
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


def risky(store, *, carrier="YunExpress", tracking="YT1234567890123456", silent_days=9, status="in_transit",
          deliver_in=DAY * 3, buyer_email="buyer-x@marketplace.amazon.com", order_status=OrderStatus.SHIPPED,
          **order_fields) -> Shipment:
    """A parcel of ``store`` silent for ``silent_days`` (its last carrier event that long ago)."""
    now = timezone.now()
    order = OrderFactory(store=store, status=order_status, purchase_date=now - DAY * (silent_days + 2),
                         latest_delivery_date=now + deliver_in, buyer_email=buyer_email, buyer_name="Jane Miller",
                         order_total=Decimal("42.50"), **order_fields)
    shipment = ShipmentFactory(order=order, carrier=carrier, tracking_number=tracking,
                               shipped_at=now - DAY * (silent_days + 1), last_event_at=now - DAY * silent_days,
                               last_event_status=status)
    CarrierEvent.objects.create(store=store, shipment=shipment, at=shipment.last_event_at, status=status,
                                description="Departed from sorting center", location="Shenzhen, CN")
    return shipment


def at_risk_url(store=None) -> str:
    return reverse("orders:at-risk") + (f"?store={store.code}" if store else "")


# --- The tab -----------------------------------------------------------------------------------------------------

def test_the_tab_lists_the_parcels_at_risk_with_their_reasons_and_the_buyers_last_message(op_client, store):
    silent = risky(store)
    returned = risky(store, carrier="UPS", tracking="1Z999AA10123456784", silent_days=1, status="returned")
    risky(store, carrier="USPS", tracking="9400100000000000000000", silent_days=1)  # moving: not at risk
    thread = ThreadFactory(store=store, order=silent.order)
    MessageFactory(thread=thread, body="Where is my parcel? Nothing moves since last week.")
    response = op_client.get(at_risk_url(store))
    assert response.status_code == 200
    html = response.content.decode()
    rows = list(html.split('class="risk-row')[1:])
    assert len(rows) == 2
    assert f'data-shipment="{returned.pk}"' in rows[0] and 'data-reason="exception"' in rows[0]
    assert f'data-shipment="{silent.pk}"' in rows[1] and 'data-reason="silent"' in rows[1]
    assert "9 days" in rows[1] and "42.50 USD" in rows[1]
    assert "Where is my parcel?" in rows[1] and reverse("support:thread", args=[thread.pk]) in rows[1]
    assert "https://www.yuntrack.com/parcelTracking?id=YT1234567890123456" in rows[1]
    assert silent.order.amazon_order_id in rows[1] and 'class="mono order-link"' in rows[1]
    assert 'data-tab="at_risk"' in html and 'aria-current="page"' in html.split('data-tab="at_risk"')[1][:80]


def test_the_order_queue_shows_the_tab_with_its_count(op_client, store):
    risky(store)
    html = op_client.get(reverse("orders:list") + f"?store={store.code}").content.decode()
    tab = html.split('data-tab="at_risk"')[0].rsplit("<a", 1)[1] + html.split('data-tab="at_risk"')[1][:200]
    assert reverse("orders:at-risk") in tab and "Deliveries at risk" in tab and ">1<" in tab


@pytest.mark.parametrize(("query", "expected"), [
    ("reason=exception", {"returned"}), ("reason=silent", {"silent"}), ("reason=late", {"late"}),
    ("carrier=UPS", {"returned"}), ("", {"silent", "returned", "late"}),
])
def test_the_filters_keep_the_parcels_of_one_reason_or_carrier(op_client, store, query, expected):
    made = {"silent": risky(store),
            "returned": risky(store, carrier="UPS", tracking="1Z999AA10123456784", silent_days=1, status="returned"),
            "late": risky(store, carrier="USPS", tracking="9400100000000000000000", silent_days=1,
                          deliver_in=-DAY)}
    html = op_client.get(f"{at_risk_url(store)}&{query}").content.decode()
    assert {name for name, s in made.items() if f'data-shipment="{s.pk}"' in html} == expected


def test_the_htmx_request_gets_the_results_only(op_client, store):
    risky(store)
    response = op_client.get(at_risk_url(store), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="at-risk-results"') and "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_a_followed_up_parcel_stays_marked_after_the_others_until_delivered(op_client, store, operator):
    done = risky(store, silent_days=12)
    Shipment.objects.filter(pk=done.pk).update(follow_up=FollowUp.BUYER_MESSAGED, follow_up_at=timezone.now(),
                                               follow_up_by=operator)
    fresh = risky(store, silent_days=8)
    html = op_client.get(at_risk_url(store)).content.decode()
    assert html.index(f'data-shipment="{fresh.pk}"') < html.index(f'data-shipment="{done.pk}"')
    assert "Buyer told" in html.split(f'data-shipment="{done.pk}"')[1] and "op" in html
    Shipment.objects.filter(pk=done.pk).update(delivered_at=timezone.now())
    assert f'data-shipment="{done.pk}"' not in op_client.get(at_risk_url(store)).content.decode()


def test_cancelled_refunded_fba_and_other_stores_parcels_are_never_listed(op_client, store, other_store):
    from returns.models import Refund

    mine = risky(store)
    refunded = risky(store, tracking="YT0000000000000001")
    Refund.objects.create(store=store, order=refunded.order, kind="full", amount=Decimal("42.50"), currency="USD",
                          refunded_at=timezone.now())
    risky(store, tracking="YT0000000000000002", order_status=OrderStatus.CANCELED, canceled_at=timezone.now())
    fba = risky(store, tracking="YT0000000000000003", fulfillment_channel="AFN")
    theirs = risky(other_store, tracking="YT0000000000000004")
    html = op_client.get(reverse("orders:at-risk") + "?store=").content.decode()
    listed = {s.pk for s in Shipment.objects.all() if f'data-shipment="{s.pk}"' in html}
    assert listed == {mine.pk}
    assert fba.pk not in listed and theirs.order.amazon_order_id not in html
    assert op_client.get(reverse("orders:at-risk-message", args=[theirs.pk])).status_code == 404


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_page_reads_in_both_languages(client, operator, store, language):
    from core.models import Profile

    Profile.objects.update_or_create(user=operator, defaults={"language": language})
    risky(store)
    client.force_login(operator)
    response = client.get(at_risk_url(store))
    html = response.content.decode()
    assert response.status_code == 200 and f'<html lang="{language}">' in html
    assert ("待处理" in html) == (language == "zh-hans")  # the queue's own tabs, from the catalogue


def test_queries_do_not_grow_with_the_parcels(op_client, store, django_assert_max_num_queries):
    def count(n):
        for i in range(n):
            shipment = risky(store, tracking=f"YT{i:016d}", buyer_email=f"b{i}@marketplace.amazon.com")
            MessageFactory(thread=ThreadFactory(store=store, order=shipment.order), body=f"Where is it {i}?")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert op_client.get(at_risk_url(store)).status_code == 200
        return len(queries)

    five = count(5)
    fifty = count(45)
    assert fifty == five
    with django_assert_max_num_queries(five):
        op_client.get(at_risk_url(store))


# --- The message ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("marketplace", "language", "words"), [
    ("US", "en", "Hello Jane Miller"), ("UK", "en", "Hello Jane Miller"), ("DE", "de", "Hallo Jane Miller"),
    ("JP", "ja", "Jane Miller様"), ("FR", "fr", "Bonjour"), ("IT", "it", "Gentile"), ("ES", "es", "Hola"),
])
def test_the_message_is_drafted_in_the_marketplaces_language_with_the_parcels_tracking_link(
        marketplace, language, words):
    from support.rules import reply_check

    store = StoreFactory(code=f"DRAFT-{marketplace}", marketplace=marketplace)
    shipment = risky(store)
    assert message_language(store) == language
    draft = risk_message_draft(shipment=shipment, language=language)
    assert draft.missing == () and words in draft.text and shipment.order.amazon_order_id in draft.text
    assert "https://www.yuntrack.com/parcelTracking?id=YT1234567890123456" in draft.text
    assert reply_check(draft.text, allowed_numbers=(shipment.tracking_number,)) == []


def test_the_message_page_opens_the_draft_and_links_the_trace_and_the_replacement(op_client, store):
    shipment = risky(store)
    html = op_client.get(reverse("orders:at-risk-message", args=[shipment.pk])).content.decode()
    assert "Hello Jane Miller" in html and "No carrier scan" in html
    order_page = f"/orders/{shipment.order.amazon_order_id}/?store={store.code}"
    assert f'href="{order_page}#delivery-trace"' in html and f'href="{order_page}#delivery-replacement"' in html


def test_sending_messages_the_buyer_opens_a_thread_marks_the_parcel_and_the_timeline(
        op_client, operator, store, django_capture_on_commit_callbacks):
    shipment = risky(store)
    url = reverse("orders:at-risk-message", args=[shipment.pk])
    body = op_client.get(url).context["form"].initial["body"]
    with django_capture_on_commit_callbacks(execute=True):
        response = op_client.post(url, {"body": body, "action": "send", "next": at_risk_url(store)})
    assert response.status_code == 302 and response["Location"] == at_risk_url(store)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["buyer-x@marketplace.amazon.com"]
    thread = MessageThread.objects.get(order=shipment.order)
    assert thread.language == "en"
    reply = thread.messages.get()
    assert reply.direction == Message.Direction.OUTBOUND and reply.delivery == Message.Delivery.SENT
    shipment.refresh_from_db()
    assert (shipment.follow_up, shipment.follow_up_by) == (FollowUp.BUYER_MESSAGED, operator)
    notes = list(OrderEvent.objects.filter(order=shipment.order).values_list("kind", "note"))
    assert any(kind == "message" and note.startswith("Reply to the buyer: Hello Jane Miller") for kind, note in notes)
    assert any(kind == "note" and "Buyer told" in note for kind, note in notes)
    html = op_client.get(at_risk_url(store)).content.decode()
    assert "Buyer told" in html.split(f'data-shipment="{shipment.pk}"')[1]


def test_a_message_that_breaks_amazons_rules_is_refused_and_nothing_is_marked(
        op_client, store, django_capture_on_commit_callbacks):
    shipment = risky(store)
    url = reverse("orders:at-risk-message", args=[shipment.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = op_client.post(url, {"body": "Call us on +1 415 555 0100 or see https://my-shop.example",
                                        "action": "send"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "Not sent" in html and "Phone numbers are not allowed" in html and "my-shop.example" in html
    assert not mail.outbox and not Message.objects.filter(direction="outbound").exists()
    shipment.refresh_from_db()
    assert shipment.follow_up == ""
    checked = op_client.post(url, {"body": "Hello, your parcel is on its way.", "action": "check"})
    assert checked.status_code == 200 and "no external links" in checked.content.decode()


def test_an_order_without_a_buyer_address_is_refused_with_the_reason(op_client, store):
    shipment = risky(store, buyer_email="")
    response = op_client.post(reverse("orders:at-risk-message", args=[shipment.pk]),
                              {"body": "Hello, your parcel is on its way.", "action": "send"})
    assert response.status_code == 400 and "no buyer relay address" in response.content.decode()


@pytest.mark.parametrize(("role", "may_write"), [(Role.OPERATOR, True), (Role.AGENT, True), (Role.ADMIN, True),
                                                 (Role.MANAGER, False)])
def test_who_may_message_the_buyer(client, store, role, may_write, django_capture_on_commit_callbacks):
    user = UserFactory(username=f"u-{role}")
    MembershipFactory(user=user, store=store, role=role)
    client.force_login(user)
    shipment = risky(store)
    assert client.get(at_risk_url(store)).status_code == 200
    url = reverse("orders:at-risk-message", args=[shipment.pk])
    assert ('id="risk-message-form"' in client.get(url).content.decode()) == may_write
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"body": "Hello, your parcel is on its way.", "action": "send"})
    assert response.status_code == (302 if may_write else 403)
