"""After the parcel leaves: an agent answers an A-to-z claim before its deadline and prepares a feedback removal,
in English and in Chinese (asserting on ids and classes, which do not change with the language)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import OrderStatus
from support.models import Claim, Feedback
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ShipmentFactory,
    StoreFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery staple"


@pytest.fixture
def after_sale():
    """A German store's shipped order with a claim due in 20 hours, and late-delivery feedback on another."""
    now = timezone.now()
    store = StoreFactory(code="ACME-DE", name="Acme DE", marketplace="DE")
    agent = UserFactory(username="agent")
    agent.set_password(PASSWORD)
    agent.save()
    MembershipFactory(user=agent, store=store, role="agent")
    order = OrderFactory(store=store, amazon_order_id="302-1183920-5521877", status=OrderStatus.SHIPPED,
                         purchase_date=now - timedelta(days=14), currency="EUR")
    OrderItemFactory(order=order, sku="BOTTLE-750")
    ShipmentFactory(order=order, carrier="DHL", tracking_number="00340434161094042557",
                    shipped_at=order.latest_ship_date - timedelta(hours=6),
                    first_scan_at=order.latest_ship_date - timedelta(hours=2),
                    delivered_at=order.latest_delivery_date - timedelta(days=1))
    claim = ClaimFactory(order=order, reason="Item not received", filed_at=now - timedelta(hours=52),
                         respond_by=now + timedelta(hours=20), amount=49)
    late = OrderFactory(store=store, amazon_order_id="302-7731029-1038847", status=OrderStatus.SHIPPED,
                        purchase_date=now - timedelta(days=30))
    feedback = FeedbackFactory(order=late, rating=1, comment="Paket kam eine Woche zu spät an, Karton beschädigt.",
                               received_at=now - timedelta(days=20))
    return claim, feedback


def log_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/inbox/")
    page.fill("input[name=username]", "agent")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].btn-primary")
    page.wait_for_url(f"{live_server.url}/inbox/")


def answer_the_claim_and_prepare_the_removal(page, live_server, claim: Claim, feedback: Feedback, screenshot,
                                             name: str) -> None:
    page.goto(f"{live_server.url}/inbox/claims/")
    row = page.locator(f".claim-row[data-claim='{claim.pk}']")
    assert row.locator(".claim-countdown").get_attribute("data-state") == "soon"
    row.locator(".claim-link").click()
    page.wait_for_selector("#claim-review")
    for key in ("tracking", "shipped", "delivered"):
        assert page.locator(f".claim-check[data-check='{key}']").get_attribute("data-verdict") == "yes"
    assert page.locator(".claim-check[data-check='refund']").get_attribute("data-verdict") == "no"
    draft = page.locator("#claim-response-form textarea")
    text = draft.input_value()
    assert text.startswith("Sehr geehrtes A-bis-z-Garantie-Team") and "00340434161094042557" in text
    draft.fill(text + "\nDer Käufer hat die Sendung am Packstation abgeholt.")
    screenshot(f"claim-{name}")
    page.click("#claim-respond")
    page.wait_for_selector(".claim-responded")
    assert page.locator(".message-success").count() == 1
    claim.refresh_from_db()
    assert claim.responded_at is not None and claim.responded_at < claim.respond_by
    assert claim.response.endswith("Packstation abgeholt.")

    page.goto(f"{live_server.url}/inbox/feedback/")
    row = page.locator(f".feedback-row.removable[data-feedback='{feedback.pk}']")
    assert row.locator(".removal-reason[data-reason='delivery']").count() == 1
    assert row.locator(".days-left").get_attribute("data-days") == "69"
    row.locator(".removal-request summary").click()
    request_text = row.locator(".removal-request-text").input_value()
    assert "302-7731029-1038847" in request_text and "nur die Lieferung" in request_text
    screenshot(f"feedback-removal-{name}")
    row.locator("button[type=submit]").click()
    page.wait_for_selector(".message-success")
    feedback.refresh_from_db()
    assert feedback.removal_requested_at is not None


def test_agent_answers_a_claim_before_its_deadline_and_prepares_a_feedback_removal(
        page, live_server, after_sale, screenshot):
    log_in(page, live_server)
    answer_the_claim_and_prepare_the_removal(page, live_server, *after_sale, screenshot, "en")


def test_the_same_in_chinese(page, live_server, after_sale, screenshot):
    log_in(page, live_server)
    page.click(".lang-switch button[value=zh-hans]")
    page.wait_for_selector("html[lang=zh-hans]")
    answer_the_claim_and_prepare_the_removal(page, live_server, *after_sale, screenshot, "zh")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
