from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from orders.models import OrderStatus
from support.models import Message, ReplyTemplate
from support.reply_templates import DEFAULT_TEMPLATES
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def inbox():
    """An agent of three stores with a morning's buyer messages, the German one the most overdue."""
    now = timezone.now()
    for name, bodies in DEFAULT_TEMPLATES.items():
        for language, body in bodies.items():
            ReplyTemplate.objects.get_or_create(store=None, name=name, language=language, defaults={"body": body})
    us = StoreFactory(code="ACME-US", name="Acme US", marketplace="US")
    de = StoreFactory(code="ACME-DE", name="Acme DE", marketplace="DE")
    jp = StoreFactory(code="ACME-JP", name="Acme JP", marketplace="JP")
    agent = UserFactory(username="agent")
    for store in (us, de, jp):
        MembershipFactory(user=agent, store=store, role="agent")
    rows = [
        (de, "302-1183920-5521877", "K. Schmidt", "de", "Wo ist meine Bestellung?",
         "Hallo, ich habe vor 6 Tagen bestellt und die Sendungsverfolgung zeigt seit 3 Tagen nichts Neues. "
         "Wann kommt mein Paket an?", timedelta(hours=26), True),
        (us, "113-4829104-7710263", "J. Miller", "en", "Wrong color received",
         "Hi, I ordered the black charger but got white. <script>alert('x')</script> Can you help?",
         timedelta(hours=24, minutes=40), False),
        (jp, "250-7731029-1038847", "佐藤 様", "ja", "配送日について",
         "お世話になっております。配送日を変更することは可能でしょうか。", timedelta(hours=20, minutes=50), False),
        (us, "112-5520183-9925510", "A. Chen", "en", "Gift receipt?",
         "Could you include a gift receipt with my order?", timedelta(hours=19), False),
        (us, "111-0038291-4472910", "Ridge Outfitters LLC", "en", "Invoice for business order",
         "Please send a VAT invoice for PO 55-1182.", timedelta(hours=3), False),
    ]
    for store, oid, buyer, lang, subject, body, age, shipped in rows:
        order = OrderFactory(store=store, amazon_order_id=oid, buyer_name=buyer, purchase_date=now - timedelta(days=6),
                             status=OrderStatus.SHIPPED if shipped else OrderStatus.UNSHIPPED,
                             latest_ship_date=now + timedelta(days=1))
        OrderItemFactory(order=order, sku=f"SKU-{oid[-4:]}")
        if shipped:
            ShipmentFactory(order=order, carrier="DHL", tracking_number="00340434161094042557",
                            shipped_at=now - timedelta(days=4), first_scan_at=now - timedelta(days=3))
        thread = ThreadFactory(store=store, order=order, buyer_name=buyer, language=lang, subject=subject,
                               buyer_email=f"{oid.replace('-', '')}@marketplace.{store.marketplace_info.domain}",
                               last_message_at=now - age)
        MessageFactory(thread=thread, body=body, sent_at=now - age, message_id=f"<{oid}@relay>")
    answered = ThreadFactory(store=us, subject="Thanks!", last_message_at=now - timedelta(days=2))
    MessageFactory(thread=answered, sent_at=now - timedelta(days=2), replied_at=now - timedelta(days=1, hours=23))
    MessageFactory(thread=answered, direction="outbound", sent_at=now - timedelta(days=1, hours=23))
    fba = OrderFactory(store=us, fulfillment_channel="AFN", status=OrderStatus.SHIPPED)
    FeedbackFactory(order=fba, rating=1, comment="Package arrived late, box crushed.",
                    received_at=now - timedelta(hours=5))
    FeedbackFactory(order=OrderFactory(store=de), rating=2, comment="Verkäufer antwortet nicht.",
                    received_at=now - timedelta(hours=9))
    ClaimFactory(order=OrderFactory(store=us, purchase_date=now - timedelta(days=20)), reason="Item not received",
                 filed_at=now - timedelta(days=2), respond_by=now + timedelta(hours=20), amount=49)
    return agent


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/inbox/")
    assert "/accounts/login/" in page.url
    page.fill("input[name=username]", "agent")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/inbox/")


def test_agent_answers_the_most_urgent_thread_from_a_template(page, live_server, inbox, screenshot):
    violations: list[str] = []
    page.on("console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, live_server)

    rows = page.locator(".thread-row")
    assert rows.count() == 5
    assert "Wo ist meine Bestellung?" in rows.first.inner_text()
    assert "overdue" in rows.first.inner_text()
    assert page.locator("[data-tab=overdue] strong").inner_text() == "2"
    screenshot("inbox-en")

    rows.first.click()
    page.wait_for_selector(".thread-head h1:has-text('Wo ist meine Bestellung?')")
    assert "302-1183920-5521877" in page.locator(".order-col").inner_text()
    assert "German" in page.locator(".template-pick").inner_text()

    template = ReplyTemplate.objects.get(store=None, name="Where is my order", language="de")
    page.select_option("#template-select", str(template.pk))
    expect(page.locator("#reply-form textarea")).to_have_value(re.compile("Hallo K. Schmidt"))
    body = page.locator("#reply-form textarea").input_value()
    assert "302-1183920-5521877" in body and "tracking-id=00340434161094042557" in body
    screenshot("inbox-thread-en")

    # A rule-breaking edit is refused with its reason, and nothing leaves.
    page.fill("#reply-form textarea", body + "\nÜber eine positive Bewertung freuen wir uns!")
    page.click("#reply-form button[value=send]")
    page.wait_for_selector(".rules-bad")
    assert "feedback manipulation" in page.locator(".rules-bad").inner_text()
    assert not Message.objects.filter(direction="outbound", thread__subject="Wo ist meine Bestellung?").exists()
    screenshot("inbox-refused-en")

    page.fill("#reply-form textarea", body)
    page.click("#reply-form button[value=send]")
    page.wait_for_selector(".message-success")
    assert Message.objects.filter(direction="outbound", thread__subject="Wo ist meine Bestellung?").exists()
    assert page.locator("[data-tab=overdue] strong").inner_text() == "1"

    page.click("[data-tab=overdue]")
    page.wait_for_selector("[data-tab=overdue].active")
    overdue = page.locator("#inbox-list .thread-row")
    assert overdue.count() == 1
    assert "Wrong color received" in overdue.first.inner_text()
    assert "Wo ist meine Bestellung?" not in page.locator("#inbox-list").inner_text()

    # The buyer's markup is text on the page, never a script.
    overdue.first.click()
    page.wait_for_selector(".thread-head h1:has-text('Wrong color received')")
    assert "<script>alert('x')</script>" in page.locator(".msg-body").first.inner_text()
    assert dialogs == [] and violations == []


def test_inbox_claims_and_feedback_in_chinese(page, live_server, inbox, screenshot):
    log_in(page, live_server)
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    page.locator(".thread-row").first.click()
    page.wait_for_selector(".order-col")
    screenshot("inbox-zh")
    page.goto(f"{live_server.url}/inbox/claims/")
    assert page.locator(".claim-row").count() == 1
    screenshot("inbox-claims-zh")
    page.goto(f"{live_server.url}/inbox/feedback/")
    assert page.locator(".feedback-row.removable").count() == 1
    page.click(".feedback-row.removable button")
    page.wait_for_selector(".message-success")
    screenshot("inbox-feedback-zh")
