"""JSON listings feeds and product type definitions against the local Amazon, and Amazon's own examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command

from listings.models import ProductTypeDefinition
from spapi.attributes import Destination, listing_attributes
from spapi.definitions import definition_from_schema, product_type_definition, product_type_search
from spapi.feeds import feed_document, feed_message, listing_feed_request, listing_feed_run, parse_processing_report
from spapi.models import ListingFeed, ListingPublication
from tests.factories import MembershipFactory, UserFactory

from .listing_world import clean_listing

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "listings"


def fixture(name: str):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.LISTING_MEDIA_BASE_URL = "https://media.example.com/media/"
    settings.SPAPI_FEED_POLL_SECONDS = 0


@pytest.fixture
def operator(store):
    user = UserFactory(username="feeder")
    MembershipFactory(user=user, store=store, role="operator")
    return user


# --- The attributes and the feed have the shapes of Amazon's examples ---------------------------------------------


def _shape(value):
    """The keys (recursively) of a JSON value: what must match Amazon's example, whatever the values."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__


def test_attributes_have_the_shape_of_amazons_feed_example(store, settings):
    example = fixture("listings-feed-schema-v2.example.json")
    update = next(m for m in example["messages"] if m["operationType"] == "UPDATE")
    listing = clean_listing(store, others=2)
    where = Destination(marketplace_id="ATVPDKIKX0DER", language_tag="en_US",
                        media_base_url="https://media.example.com/media/")
    attributes = listing_attributes(listing, where, create=True)
    assert _shape(attributes["item_name"]) == _shape(update["attributes"]["item_name"])
    assert attributes["item_name"] == [{"value": listing.title, "language_tag": "en_US",
                                        "marketplace_id": "ATVPDKIKX0DER"}]
    assert [b["value"] for b in attributes["bullet_point"]] == listing.bullets
    assert attributes["condition_type"] == [{"value": "new_new", "marketplace_id": "ATVPDKIKX0DER"}]
    assert attributes["purchasable_offer"] == [{"currency": "USD", "marketplace_id": "ATVPDKIKX0DER",
                                                "our_price": [{"schedule": [{"value_with_tax": 19.99}]}]}]
    # fulfillment_availability as in the example's DEFAULT channel, plus the handling time on creation only.
    assert set(attributes["fulfillment_availability"][0]) == {"fulfillment_channel_code", "quantity",
                                                              "lead_time_to_ship_max_days"}
    assert "fulfillment_availability" not in listing_attributes(listing, where, create=False)
    assert attributes["main_product_image_locator"] == [
        {"media_location": "https://media.example.com/media/listings/mug-450.png", "marketplace_id": "ATVPDKIKX0DER"}]
    assert sorted(k for k in attributes if k.startswith("other_product_image_locator_")) == [
        "other_product_image_locator_1", "other_product_image_locator_2"]
    assert attributes["color"][0]["value"] == "Blue"  # Listing.attributes, as given
    message, _held = feed_message(listing, 1, where, None)
    document = feed_document(seller_id="AXXXXXXXXXXXX", issue_locale="en_US", messages=[message])
    assert set(document["header"]) <= set(example["header"]) and document["header"]["version"] == "2.0"
    assert set(message) == set(update)


def test_german_and_japanese_marketplaces_tag_their_language(other_store):
    from core.marketplaces import MARKETPLACES
    from spapi.attributes import language_tag

    assert [language_tag(MARKETPLACES[c]) for c in ("US", "DE", "JP", "UK", "FR")] == [
        "en_US", "de_DE", "ja_JP", "en_GB", "fr_FR"]


def test_amazons_processing_report_example_is_read_message_by_message():
    report = fixture("listings-feed-processing-report-schema-v2.example.json")
    parsed = parse_processing_report(report, skus={4: "My-SKU-B", 5: "My-SKU-C", 6: "My-SKU-D"},
                                     marketplace_id="ATVPDKIKX0DER")
    assert {m: o.accepted for m, o in parsed.outcomes.items()} == {4: False, 5: False, 6: True}
    assert [i["message"] for i in parsed.outcomes[4].issues] == [
        "'[batteries_required]' is required but not supplied.",
        "'[supplier_declared_dg_hz_regulation]' is required but not supplied."]
    assert parsed.summary["messagesInvalid"] == 2
    assert parsed.summaries["My-SKU-B"]["status"] == ["BUYABLE", "DISCOVERABLE"]


# --- A feed of three listings, one refused ------------------------------------------------------------------------


def test_a_feed_of_three_records_each_listings_outcome(amazon, credentials, operator, sleeps,
                                                      django_capture_on_commit_callbacks):
    store = credentials.store
    listings = [clean_listing(store, sku=f"MUG-{n}", others=0) for n in (1, 2, 3)]
    amazon.listing_issues["MUG-2"] = [{"code": "90220", "message": "'brand' is required but not supplied.",
                                       "severity": "ERROR", "attributeNames": ["brand"]}]
    request = listing_feed_request(store=store, listings=listings, user=operator)
    assert request.skipped == {}
    listing_feed_run(feed_id=request.feed.pk, sleep=sleeps.append)
    feed = ListingFeed.objects.get(pk=request.feed.pk)
    assert feed.status == "done" and feed.summary["accepted"] == 2 and feed.summary["invalid"] == 1
    sent = amazon.feed_sent(feed.feed_id)
    assert sent["header"] == {"sellerId": "A2EXAMPLESELLER", "version": "2.0", "issueLocale": "en_US"}
    assert [(m["messageId"], m["sku"], m["operationType"]) for m in sent["messages"]] == [
        (1, "MUG-1", "UPDATE"), (2, "MUG-2", "UPDATE"), (3, "MUG-3", "UPDATE")]
    assert sorted(amazon.listing_items) == ["MUG-1", "MUG-3"]
    for listing in listings:
        listing.refresh_from_db()
    assert [bool(item.published_at) for item in listings] == [True, False, True]
    assert "90220" in listings[1].publish_error and listings[1].amazon_issues[0]["severity"] == "ERROR"
    assert listings[0].amazon_status == ["BUYABLE"] and listings[0].asin == "B0EXAMPLE2"
    # A second feed after a price change patches only what changed.
    listings[0].price = listings[0].price - 1
    listings[0].save()
    again = listing_feed_request(store=store, listings=listings[:1], user=operator)
    listing_feed_run(feed_id=again.feed.pk, sleep=sleeps.append)
    patched = amazon.feed_sent(ListingFeed.objects.get(pk=again.feed.pk).feed_id)["messages"]
    assert [(m["operationType"], [p["path"] for p in m["patches"]]) for m in patched] == [
        ("PATCH", ["/attributes/purchasable_offer"])]
    assert ListingPublication.objects.filter(listing=listings[0], operation="feed").count() == 2


def test_the_management_command_sends_a_feed(amazon, credentials, sleeps, settings):
    clean_listing(credentials.store, sku="CMD-1", others=0)
    call_command("spapi_publish_listings", "--store", credentials.store.code, "--sku", "CMD-1")
    assert "CMD-1" in amazon.listing_items


# --- Product type definitions -----------------------------------------------------------------------------------


def test_definition_from_amazons_schema():
    required, properties = definition_from_schema(fixture("BRACELET_schema_head.json"))
    assert "item_name" in required and "brand" in required
    parentage = properties["parentage_level"]
    assert (parentage["title"], parentage["enum"], parentage["examples"]) == ("Parentage Level", ["child", "parent"],
                                                                             ["Parent"])
    assert parentage["description"] == "Specify whether a SKU is a parent or child"
    assert properties["child_parent_sku_relationship"]["fields"] == ["child_relationship_type", "parent_sku"]


def test_a_definition_is_fetched_once_and_cached(amazon, credentials, sleeps):
    amazon.product_type_schemas["BRACELET"] = ("Bracelet", fixture("BRACELET_schema_head.json"))
    first = product_type_definition(store=credentials.store, product_type="BRACELET", sleep=sleeps.append)
    again = product_type_definition(store=credentials.store, product_type="BRACELET", sleep=sleeps.append)
    assert first.pk == again.pk and len(amazon.calls("getDefinitionsProductType")) == 1
    assert len(amazon.calls("schema")) == 1
    query = amazon.calls("getDefinitionsProductType")[0].query
    assert query["requirements"] == ["LISTING"] and query["locale"] == ["en_US"]
    assert first.display_name == "Bracelet" and first.version == "UHqSqmb4FNUk="
    assert first.properties["parentage_level"]["enum"] == ["child", "parent"]
    # A new version of the type at Amazon is fetched again.
    product_type_definition(store=credentials.store, product_type="BRACELET", version="NEWVERSION=")
    assert len(amazon.calls("getDefinitionsProductType")) == 2
    assert ProductTypeDefinition.objects.count() == 1


def test_product_type_search_for_the_picker(amazon, credentials):
    amazon.product_type_schemas["BRACELET"] = ("Bracelet", {})
    amazon.product_type_schemas["LUGGAGE"] = ("Luggage", {})
    assert [p["name"] for p in product_type_search(store=credentials.store, keywords="lugg")] == ["LUGGAGE"]
