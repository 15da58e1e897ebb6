"""A-to-z claims: their response deadline, what Amazon will look at, the drafted response and the claim's page."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from orders.models import OrderStatus
from returns.models import Refund
from support.claim_responses import RESPONSE_TEMPLATES, claim_response_draft, response_language
from support.claim_review import ClaimFacts, Verdict, claim_review
from support.deadlines import CLAIM_RESPONSE_DEADLINE
from support.models import Claim, Message
from support.selectors import claim_deadline
from support.services import claim_file, claim_record_notice, claim_respond, claim_set_respond_by
from tests.factories import (
    ClaimFactory,
    MembershipFactory,
    MessageFactory,
    OrderFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order():
    now = timezone.now()
    return OrderFactory(store=StoreFactory(code="ACME-DE", marketplace="DE"), status=OrderStatus.SHIPPED,
                        purchase_date=now - timedelta(days=12), currency="EUR")


# --- The deadline ---


def test_an_a_to_z_claim_without_a_deadline_gets_72_hours_and_a_chargeback_none(order):
    filed = timezone.now() - timedelta(hours=1)
    claim = claim_file(order=order, kind=Claim.Kind.A_TO_Z, filed_at=filed)
    assert claim.respond_by == filed + CLAIM_RESPONSE_DEADLINE == filed + timedelta(hours=72)
    chargeback = claim_file(order=order, kind=Claim.Kind.CHARGEBACK, filed_at=filed)
    assert chargeback.respond_by is None


def test_the_notice_deadline_replaces_the_default_but_not_one_a_person_set(order):
    filed = timezone.now() - timedelta(hours=2)
    claim = claim_file(order=order, kind=Claim.Kind.A_TO_Z, filed_at=filed)
    claim, done = claim_record_notice(order=order, filed_at=filed, respond_by=filed + timedelta(days=2))
    assert done == "updated" and claim.respond_by == filed + timedelta(days=2)
    claim = claim_set_respond_by(claim=claim, respond_by=filed + timedelta(hours=30))
    claim, done = claim_record_notice(order=order, filed_at=filed, respond_by=filed + timedelta(days=3))
    assert done == "exists" and claim.respond_by == filed + timedelta(hours=30)
    with pytest.raises(ApplicationError):
        claim_set_respond_by(claim=claim, respond_by=filed - timedelta(hours=1))


def test_the_countdown_is_urgent_under_24_hours_and_stops_once_answered(order):
    now = timezone.now()
    claim = ClaimFactory(order=order, filed_at=now - timedelta(hours=50), respond_by=now + timedelta(hours=22))
    assert claim_deadline(claim, now).state == "soon"
    assert claim_deadline(claim, now - timedelta(hours=3)).state == "ok"
    assert claim_deadline(claim, now + timedelta(hours=23)).state == "overdue"
    claim = claim_respond(claim=claim, response="We shipped it on time.", actor=None, at=now)
    assert claim.responded_at == now and claim_deadline(claim, now) is None
    assert order.events.filter(note__contains="We shipped it on time.").exists()


def test_a_decided_claim_takes_no_response(order):
    claim = ClaimFactory(order=order, status=Claim.Status.DENIED)
    with pytest.raises(ApplicationError):
        claim_respond(claim=claim, response="Too late", actor=None)


# --- What Amazon will look at ---


def _shipped_order(order, *, late=False, delivered=True, carrier="DHL", number="00340434161094042557"):
    shipped = order.latest_ship_date + (timedelta(hours=5) if late else -timedelta(hours=5))
    return ShipmentFactory(order=order, carrier=carrier, tracking_number=number, shipped_at=shipped,
                           first_scan_at=shipped + timedelta(hours=3),
                           delivered_at=order.latest_delivery_date - timedelta(days=1) if delivered else None)


def test_the_review_answers_each_question_from_the_order(order):
    _shipped_order(order)
    order.refresh_from_db()
    thread = ThreadFactory(store=order.store, order=order)
    MessageFactory(thread=thread, direction="outbound", body="Your parcel is on its way.",
                   sent_at=order.purchase_date + timedelta(days=4))
    MessageFactory(thread=thread, direction="outbound", is_internal_note=True, body="internal")
    review = claim_review(order=order, shipments=order.shipments.all(),
                          messages=Message.objects.filter(thread=thread), refunds=[])
    verdicts = {check.key: check.verdict for check in review.checks}
    assert verdicts == {"tracking": Verdict.YES, "shipped": Verdict.YES, "delivered": Verdict.YES,
                        "contacted": Verdict.YES, "refund": Verdict.NO}
    assert review.facts.tracking_link.endswith("00340434161094042557")
    assert review.facts.contacted_at == order.purchase_date + timedelta(days=4)


def test_late_undelivered_malformed_is_said_so(order):
    _shipped_order(order, late=True, delivered=False, carrier="UPS", number="1Z999AA10123456785")
    order.refresh_from_db()
    Refund.objects.create(store=order.store, order=order, kind="full", amount=Decimal("19.99"), currency="EUR",
                          refunded_at=timezone.now())
    review = claim_review(order=order, shipments=order.shipments.all(), messages=[], refunds=order.refunds.all())
    verdicts = {check.key: check.verdict for check in review.checks}
    assert verdicts == {"tracking": Verdict.NO, "shipped": Verdict.NO, "delivered": Verdict.NO,
                        "contacted": Verdict.NO, "refund": Verdict.YES}
    assert review.facts.refunded == Decimal("19.99")


def test_an_amazon_fulfilled_order_leaves_shipping_to_amazon():
    order = OrderFactory(fulfillment_channel="AFN", status=OrderStatus.SHIPPED)
    review = claim_review(order=order, shipments=[], messages=[], refunds=[])
    assert [c.verdict for c in review.checks[:3]] == [Verdict.NOT_APPLICABLE] * 3


# --- The drafted response ---


@pytest.mark.parametrize(("marketplace_language", "language", "says"), [
    ("en", "en", "tracking number 1Z999"), ("de", "de", "Sendungsnummer 1Z999"), ("fr", "fr", "numéro de suivi"),
    ("it", "it", "numero di tracciamento"), ("es", "es", "número de seguimiento"), ("ja", "ja", "伝票番号"),
    ("nl", "en", "tracking number"),
])
def test_the_draft_is_in_the_marketplace_language_and_states_only_known_facts(marketplace_language, language, says):
    now = timezone.now()
    facts = ClaimFacts(order_id="302-1183920-5521877", shipped_at=now - timedelta(days=5),
                       ship_by=now - timedelta(days=4), carrier="UPS", tracking_number="1Z999AA10123456784",
                       tracking_link="https://www.ups.com/track?tracknum=1Z999AA10123456784")
    assert response_language(marketplace_language) == language
    draft = claim_response_draft(facts=facts, language=marketplace_language, tz=ZoneInfo("Europe/Berlin"))
    assert "302-1183920-5521877" in draft and says in draft
    assert facts.tracking_link in draft
    assert RESPONSE_TEMPLATES[language]["refunded"].split("{")[0] not in draft or language == "ja"


def test_every_language_has_every_sentence():
    keys = set(RESPONSE_TEMPLATES["en"])
    assert {lang: set(t) for lang, t in RESPONSE_TEMPLATES.items()} == dict.fromkeys(RESPONSE_TEMPLATES, keys)
    assert set(RESPONSE_TEMPLATES) == {"en", "de", "fr", "it", "es", "ja"}


# --- The pages ---


@pytest.fixture
def agent_client(order, client):
    user = UserFactory(username="agent")
    MembershipFactory(user=user, store=order.store, role="agent")
    client.force_login(user)
    return client


def test_the_claim_page_shows_the_checks_and_a_german_draft_and_records_the_response(order, agent_client):
    _shipped_order(order)
    now = timezone.now()
    claim = ClaimFactory(order=order, reason="Item not received", filed_at=now - timedelta(hours=60),
                         respond_by=now + timedelta(hours=12))
    page = agent_client.get(reverse("support:claim", args=[claim.pk])).content.decode()
    assert 'data-check="tracking" data-verdict="yes"' in page and 'data-state="soon"' in page
    assert "Sehr geehrtes A-bis-z-Garantie-Team" in page
    response = agent_client.post(reverse("support:claim_respond", args=[claim.pk]),
                                 {"response": "Sehr geehrtes Team, zugestellt."})
    assert response.status_code == 302
    claim.refresh_from_db()
    assert claim.response == "Sehr geehrtes Team, zugestellt." and claim.responded_at is not None
    listing = agent_client.get(reverse("support:claims")).content.decode()
    assert reverse("support:claim", args=[claim.pk]) in listing and "claim-responded" in listing


def test_the_claims_tab_and_the_order_page_count_down_and_link_the_claim(order, agent_client):
    now = timezone.now()
    claim = ClaimFactory(order=order, filed_at=now - timedelta(hours=60), respond_by=now + timedelta(hours=12))
    listing = agent_client.get(reverse("support:claims")).content.decode()
    assert 'data-state="soon"' in listing and reverse("support:claim", args=[claim.pk]) in listing
    order_page = agent_client.get(reverse("orders:detail", args=[order.amazon_order_id])).content.decode()
    assert reverse("support:claim", args=[claim.pk]) in order_page and "claim-countdown" in order_page


def test_a_manager_sees_the_claim_but_may_not_respond(order, client):
    user = UserFactory(username="manager")
    MembershipFactory(user=user, store=order.store, role="manager")
    client.force_login(user)
    claim = ClaimFactory(order=order, respond_by=timezone.now() + timedelta(hours=30))
    page = client.get(reverse("support:claim", args=[claim.pk])).content.decode()
    assert "claim-response-form" not in page
    assert client.post(reverse("support:claim_respond", args=[claim.pk]), {"response": "x"}).status_code == 403
    other = ClaimFactory(order=OrderFactory(store=StoreFactory(code="ELSE-UK", marketplace="UK")))
    assert client.get(reverse("support:claim", args=[other.pk])).status_code == 404
