"""Replies Amazon's messaging rules would reject are refused with the reason; clean ones pass."""

from __future__ import annotations

import pytest

from support.feedback_removal import removal_reasons
from support.rules import reply_check

CLEAN = ("Hallo K. Schmidt,\n\nvielen Dank für Ihre Nachricht zu Bestellung 302-1183920-5521877. Ihr Paket wurde "
         "am 18.11. mit DHL versandt (Sendungsnummer 00340434161094042557): "
         "https://www.dhl.com/global-en/home/tracking.html?tracking-id=00340434161094042557\n\nFreundliche Grüße")


def codes(body: str, **kwargs) -> list[str]:
    return [v.code for v in reply_check(body, **kwargs)]


def test_a_clean_reply_with_order_id_tracking_number_and_carrier_link_passes():
    assert codes(CLEAN, allowed_numbers=("00340434161094042557",)) == []


@pytest.mark.parametrize("body", [
    "Order details: https://www.amazon.de/gp/your-account/order-details?orderID=302-1183920-5521877",
    "Start the return at amazon.co.jp or sellercentral.amazon.com.",
    "Tracking: https://www.ups.com/track?tracknum=1Z999AA10123456784",
])
def test_links_to_amazon_and_carrier_tracking_are_allowed(body):
    assert codes(body, allowed_numbers=("1Z999AA10123456784",)) == []


@pytest.mark.parametrize("body", [
    "See our shop at https://acme-gadgets.example.com/deals",
    "Visit www.acmegadgets.shop for a discount",
    "More on acme-gadgets.com",
    "Lookalike https://amazon.com.evil.io/login",
])
def test_links_outside_amazon_are_refused(body):
    found = reply_check(body)
    assert [v.code for v in found] == ["external_link"]
    assert "outside Amazon" in found[0].reason


@pytest.mark.parametrize("body", [
    "Write to support@acme-gadgets.com directly.",
    "Contact us: service (at) acmegadgets.de",
    "メール：info＠acme.co.jp",
])
def test_email_addresses_are_refused(body):
    assert "email_address" in codes(body)


@pytest.mark.parametrize("body", ["Call us on +49 30 1234 5678.", "Tel. (030) 123-45678", "電話 03-1234-5678"])
def test_phone_numbers_are_refused(body):
    assert "phone_number" in codes(body)


@pytest.mark.parametrize("body", [
    "If you are happy, please leave us a positive review!",
    "We would love a 5-star rating.",
    "We will refund you in full if you remove your negative feedback.",
    "Über eine positive Bewertung freuen wir uns sehr.",
    "Merci de laisser un avis positif.",
    "Ci lasci una recensione positiva, grazie.",
    "Déjenos una valoración positiva.",
    "高評価をお願いいたします。",
    "请给我们好评",
    "Would you change your feedback once the parcel arrives?",
])
def test_asking_for_positive_reviews_or_feedback_changes_is_refused(body):
    found = reply_check(body)
    assert [v.code for v in found] == ["review_request"]
    assert "feedback manipulation" in found[0].reason


def test_a_neutral_thank_you_is_not_a_review_request():
    assert codes("Thank you for your order, we hope you enjoy the product.") == []


def test_unfilled_placeholder_is_refused():
    assert codes("Track it here: {tracking_url}") == ["placeholder"]


def test_each_broken_rule_is_reported():
    assert sorted(set(codes("Mail me at a@b.com, call +1 212 555 0100, see http://x.io, 5-star review please"))) == [
        "email_address", "external_link", "phone_number", "review_request"]


@pytest.mark.parametrize(("comment", "fba", "eligible"), [
    ("Package arrived two days late.", True, True),            # FBA delivery: Amazon strikes it through
    ("Package arrived two days late.", False, True),           # only about the delivery
    ("The product broke after a week, poor quality.", False, True),   # a product review
    ("Produkt defekt, Qualität schlecht.", False, True),
    ("Seller never answered my question about the product.", False, False),
    ("配送が遅かった", True, True),
    ("Rude. Call me at +1 212 555 0100", False, True),        # personal information
    ("Not what I expected.", False, False),
])
def test_feedback_removal_grounds(comment, fba, eligible):
    assert bool(removal_reasons(comment=comment, fulfilled_by_amazon=fba)) is eligible
