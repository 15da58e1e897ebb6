"""Which negative feedback Amazon removes on request: the pure rules, the 90 days, the request text."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from core.errors import ApplicationError
from support.feedback_removal import (
    REQUEST_REASONS,
    REQUEST_TEMPLATES,
    Reason,
    feedback_removal,
    is_delivery_only,
    removal_reasons,
    removal_request_text,
)
from support.inbox_services import feedback_request_removal
from tests.factories import FeedbackFactory, MembershipFactory, OrderFactory, StoreFactory, UserFactory


@pytest.mark.parametrize(("comment", "language", "fba", "reasons"), [
    ("Arrived two weeks late.", "en", False, [Reason.DELIVERY]),
    ("Never arrived, USPS lost it.", "en", False, [Reason.DELIVERY]),
    ("Paket nie angekommen, DHL hat es verloren.", "de", False, [Reason.DELIVERY]),
    ("Colis arrivé en retard, carton abîmé.", "fr", False, [Reason.DELIVERY]),
    ("Pacco mai arrivato.", "it", False, [Reason.DELIVERY]),
    ("El paquete nunca llegó.", "es", False, [Reason.DELIVERY]),
    ("配送が遅かった。箱が潰れていた。", "ja", False, [Reason.DELIVERY]),
    ("Late delivery and the product broke.", "en", False, [Reason.PRODUCT]),
    ("Late, and the seller never answered.", "en", False, []),
    ("Not what I expected.", "en", True, [Reason.FBA]),
    ("Write me at buyer@example.com", "en", False, [Reason.CONTACT]),
    ("Call me on +44 20 7946 0958", "en", False, [Reason.CONTACT]),
    ("Absolute shit seller", "en", False, [Reason.OBSCENE]),
    ("Verkäufer ist ein Arschloch", "de", False, [Reason.OBSCENE]),
    ("Not what I expected.", "en", False, []),
])
def test_removal_reasons(comment, language, fba, reasons):
    assert removal_reasons(comment=comment, fulfilled_by_amazon=fba, language=language) == reasons


def test_carrier_names_from_the_carrier_table_mark_a_delivery_complaint():
    assert is_delivery_only("Evri again. Useless.", language="en")
    assert is_delivery_only("YunExpress 太慢", language="en")


@pytest.mark.parametrize(("rating", "age_days", "eligible", "days_left"), [
    (1, 10, True, 80), (2, 89, True, 1), (2, 91, False, -1), (3, 5, False, 85), (4, 5, False, 85),
])
def test_only_1_or_2_stars_within_90_days(rating, age_days, eligible, days_left):
    now = timezone.now()
    removal = feedback_removal(rating=rating, comment="Package arrived late.", received_at=now - timedelta(
        days=age_days) + timedelta(hours=1), fulfilled_by_amazon=False, now=now)
    assert (removal.eligible, removal.days_left) == (eligible, days_left)


def test_the_request_text_is_in_the_marketplace_language():
    assert set(REQUEST_TEMPLATES) == set(REQUEST_REASONS) == {"en", "de", "fr", "it", "es", "ja"}
    text = removal_request_text(order_id="302-1183920-5521877", received_on="2026-11-02",
                                reasons=[Reason.FBA, Reason.DELIVERY], language="de")
    assert "302-1183920-5521877" in text and "von Amazon versandt" in text and "nur die Lieferung" in text
    assert "fulfilled by Amazon" in removal_request_text(order_id="1", received_on="d", reasons=[Reason.FBA],
                                                         language="nl")


@pytest.mark.django_db
def test_the_request_is_refused_for_neutral_or_too_old_feedback():
    now = timezone.now()
    order = OrderFactory(fulfillment_channel="AFN", purchase_date=now - timedelta(days=120))
    neutral = FeedbackFactory(order=order, rating=3, comment="Package late.", received_at=now - timedelta(days=5))
    with pytest.raises(ApplicationError, match="neutral"):
        feedback_request_removal(feedback=neutral, at=now)
    old = FeedbackFactory(order=OrderFactory(fulfillment_channel="AFN", purchase_date=now - timedelta(days=120)),
                          rating=1, comment="Late.", received_at=now - timedelta(days=95))
    with pytest.raises(ApplicationError, match="90 days"):
        feedback_request_removal(feedback=old, at=now)


@pytest.mark.django_db
def test_the_feedback_tab_lists_eligible_feedback_first_with_days_left_reasons_and_the_request(client):
    now = timezone.now()
    store = StoreFactory(code="ACME-FR", marketplace="FR")
    user = UserFactory(username="agent")
    MembershipFactory(user=user, store=store, role="agent")
    client.force_login(user)
    product = FeedbackFactory(order=OrderFactory(store=store), rating=2, comment="Le vendeur ne répond pas.",
                              received_at=now - timedelta(days=1))
    late = FeedbackFactory(order=OrderFactory(store=store, purchase_date=now - timedelta(days=40)), rating=1,
                           comment="Colis jamais arrivé.", received_at=now - timedelta(days=30))
    page = client.get(reverse("support:feedback")).content.decode()
    assert page.index(f'data-feedback="{late.pk}"') < page.index(f'data-feedback="{product.pk}"')
    assert 'data-days="59"' in page and 'data-reason="delivery"' in page
    assert "Merci de supprimer l&#x27;évaluation" in page and "ne concerne que la livraison" in page
