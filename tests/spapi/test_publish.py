"""Publishing listings to the local Amazon: validation preview, put, patch of what changed, issues, throttling."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from listings.models import Listing
from listings.quality import Problem
from listings.signals import listing_changed_send
from spapi.models import ListingPublication
from spapi.publish import (
    ConfirmationNeeded,
    PublishRefused,
    listing_publish,
    listing_publish_request,
    publish_verdict,
)
from tests.factories import MembershipFactory, UserFactory

from .listing_world import clean_listing

pytestmark = pytest.mark.django_db

BRAND_MISSING = {"code": "90220", "message": "'brand' is required but not supplied.", "severity": "ERROR",
                 "attributeNames": ["brand"], "categories": ["MISSING_ATTRIBUTE"]}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LISTING_MEDIA_BASE_URL = "https://media.example.com/media/"


@pytest.fixture
def operator(store):
    user = UserFactory(username="publisher")
    MembershipFactory(user=user, store=store, role="operator")
    return user


def test_the_rule_refuses_errors_and_asks_to_confirm_warnings():
    assert publish_verdict([]) == "ok"
    assert publish_verdict([Problem("x", "warning", "w")]) == "confirm"
    assert publish_verdict([Problem("x", "warning", "w"), Problem("y", "error", "e")]) == "refuse"


def test_a_clean_listing_is_previewed_put_read_back_then_a_price_change_is_patched(amazon, credentials, operator,
                                                                                  sleeps):
    listing = clean_listing(credentials.store)
    publication = listing_publish(listing, user=operator, sleep=sleeps.append)
    assert publication is None or publication.status == "published"
    modes = [(r.method, r.query.get("mode", [""])[0]) for r in amazon.requests if "/listings/" in r.path]
    assert modes == [("PUT", "VALIDATION_PREVIEW"), ("PUT", ""), ("GET", "")]
    held = amazon.listing_items["MUG-450"]["attributes"]
    assert held["purchasable_offer"][0]["our_price"][0]["schedule"][0]["value_with_tax"] == 19.99
    assert held["fulfillment_availability"] == [{"fulfillment_channel_code": "DEFAULT", "quantity": 10,
                                                 "lead_time_to_ship_max_days": 2}]
    listing.refresh_from_db()
    assert listing.published_at and listing.amazon_status == ["BUYABLE", "DISCOVERABLE"]
    assert listing.asin == "B0EXAMPLE1" and listing.publish_error == "" and listing.amazon_checked_at

    # A later price change, through the signal the editor sends: one replace patch, after the commit.
    Listing.objects.filter(pk=listing.pk).update(price=Decimal("17.50"))
    with django_capture():
        listing_changed_send(listing_ids=[listing.pk], fields=["price"])
    patch = amazon.calls("patchListingsItem")[-1]
    body = json.loads(patch.body)
    offer = {"currency": "USD", "marketplace_id": "ATVPDKIKX0DER",
             "our_price": [{"schedule": [{"value_with_tax": 17.5}]}]}
    assert body["patches"] == [{"op": "replace", "path": "/attributes/purchasable_offer", "value": [offer]}]
    assert amazon.listing_items["MUG-450"]["attributes"]["purchasable_offer"][0]["our_price"][0]["schedule"][0][
        "value_with_tax"] == 17.5
    # The quantity the stock sync owns was left alone.
    assert amazon.listed_quantity("MUG-450") == 10


def django_capture():
    """Run on-commit callbacks at once (the test transaction never commits)."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def test_amazons_errors_block_the_real_submission_and_are_kept(amazon, credentials, operator):
    amazon.listing_issues["MUG-450"] = [BRAND_MISSING]
    listing = clean_listing(credentials.store)
    publication = listing_publish(listing, user=operator)
    assert publication is None or publication.status == "invalid"
    assert [r.query.get("mode") for r in amazon.calls("putListingsItem")] == [["VALIDATION_PREVIEW"]]
    assert "MUG-450" not in amazon.listing_items
    listing.refresh_from_db()
    assert listing.published_at is None and listing.amazon_issues == [BRAND_MISSING]
    assert "90220" in listing.publish_error


def test_our_errors_refuse_and_warnings_want_a_confirmation(amazon, credentials, operator):
    broken = clean_listing(credentials.store, sku="BROKEN-1", brand="")
    with pytest.raises(PublishRefused, match="brand is missing"):
        listing_publish_request(listing=broken, user=operator)
    warned = clean_listing(credentials.store, sku="WARN-1", warnings=True)
    with pytest.raises(ConfirmationNeeded):
        listing_publish_request(listing=warned, user=operator)
    with django_capture():
        publication = listing_publish_request(listing=warned, user=operator, confirm_warnings=True)
    publication.refresh_from_db()
    assert publication.status == ListingPublication.Status.PUBLISHED
    assert "WARN-1" in amazon.listing_items and "BROKEN-1" not in amazon.listing_items


def test_throttling_backs_off_and_the_publication_goes_through(amazon, credentials, operator, sleeps):
    amazon.throttle["putListingsItem"] = 2
    listing = clean_listing(credentials.store)
    listing_publish(listing, user=operator, sleep=sleeps.append)
    assert sleeps == [1.0, 2.0]
    assert "MUG-450" in amazon.listing_items


def test_amazon_unreachable_leaves_a_clear_error_and_nothing_half_written(amazon, credentials, operator, sleeps):
    amazon.throttle["putListingsItem"] = 99
    listing = clean_listing(credentials.store)
    listing_publish(listing, user=operator, sleep=sleeps.append)
    listing.refresh_from_db()
    assert listing.published_at is None and listing.amazon_status == []
    assert "still refused after 6 attempts" in listing.publish_error


def test_a_role_without_publish_is_refused(amazon, credentials):
    agent = UserFactory(username="agent-x")
    MembershipFactory(user=agent, store=credentials.store, role="agent")
    listing = clean_listing(credentials.store)
    with pytest.raises(Exception, match="does not allow publishing"):
        listing_publish_request(listing=listing, user=agent)
    assert amazon.requests == []
