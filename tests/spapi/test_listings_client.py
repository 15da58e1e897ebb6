"""The Listings Items API client against the local Amazon: create, validate, patch, read, and back off on 429."""

from __future__ import annotations

import pytest

from spapi.client import SpApiError, call, clients_for

pytestmark = pytest.mark.django_db

ATTRIBUTES = {
    "item_name": [{"value": "Acme Travel Mug 450 ml, Stainless Steel", "language_tag": "en_US"}],
    "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": 7}],
}


def _quantity_patch(quantity: int) -> list[dict]:
    return [{"op": "replace", "path": "/attributes/fulfillment_availability",
             "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]}]


def test_put_then_patch_reaches_amazon_and_reads_back(amazon, credentials, sleeps):
    clients = clients_for(credentials)
    assert clients.seller_id == amazon.seller_id
    put = call(clients.listings.put_listings_item, clients.seller_id, "MUG-450", what="putListingsItem",
               sleep=sleeps.append, marketplaceIds=[clients.marketplace_id],
               body={"productType": "DRINKING_CUP", "requirements": "LISTING", "attributes": ATTRIBUTES})
    assert put.payload["status"] == "ACCEPTED"
    amazon.throttle["patchListingsItem"] = 2
    patch = call(clients.listings.patch_listings_item, clients.seller_id, "MUG-450", what="patchListingsItem",
                 sleep=sleeps.append, marketplaceIds=[clients.marketplace_id],
                 body={"productType": "DRINKING_CUP", "patches": _quantity_patch(0)})
    assert patch.payload["status"] == "ACCEPTED"
    assert len(sleeps) == 2 and amazon.listed_quantity("MUG-450") == 0
    item = call(clients.listings.get_listings_item, clients.seller_id, "MUG-450", what="getListingsItem",
                marketplaceIds=[clients.marketplace_id],
                includedData=["summaries", "issues", "fulfillmentAvailability"])
    assert item.payload["summaries"][0]["status"] == ["BUYABLE", "DISCOVERABLE"]
    assert item.payload["fulfillmentAvailability"] == [{"fulfillmentChannelCode": "DEFAULT", "quantity": 0}]
    clients.close()


def test_validation_preview_stores_nothing_and_returns_amazons_issues(amazon, credentials):
    amazon.listing_issues["MUG-450"] = [{"code": "90220", "message": "'brand' is required but not supplied.",
                                         "severity": "ERROR", "attributeNames": ["brand"]}]
    clients = clients_for(credentials)
    answer = call(clients.listings.put_listings_item, clients.seller_id, "MUG-450", what="putListingsItem",
                  marketplaceIds=[clients.marketplace_id], mode="VALIDATION_PREVIEW",
                  body={"productType": "DRINKING_CUP", "requirements": "LISTING", "attributes": ATTRIBUTES})
    assert answer.payload["status"] == "INVALID"
    assert answer.payload["issues"][0]["attributeNames"] == ["brand"]
    assert "MUG-450" not in amazon.listing_items
    clients.close()


def test_another_sellers_listing_is_refused_with_a_clear_error(amazon, credentials):
    clients = clients_for(credentials)
    with pytest.raises(SpApiError, match="patchListingsItem failed: Unauthorized"):
        call(clients.listings.patch_listings_item, "A9OTHERSELLER", "MUG-450", what="patchListingsItem",
             marketplaceIds=[clients.marketplace_id], body={"productType": "DRINKING_CUP",
                                                             "patches": _quantity_patch(1)})
    clients.close()
