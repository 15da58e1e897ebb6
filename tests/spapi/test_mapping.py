"""Orders API v0 JSON → ``OrderData``: the pure mapping the sync feeds to ``order_create``."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from core.errors import ApplicationError
from orders.models import CancelInitiator
from spapi.sync import cancellation_from_spapi, order_data_from_spapi, parse_datetime

from .samples import amazon_item, amazon_order

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 10, 12, 0, tzinfo=UTC)


def test_afn_prime_order_maps_channel_prime_dates_and_items():
    order = amazon_order("113-1111111-1111111", now=NOW, channel="AFN", prime=True, hours_ago=26,
                         ShipmentServiceLevelCategory="NextDay")
    items = [amazon_item("BOTTLE-750", order_item_id="12345678901234", quantity=2, price="45.98"),
             amazon_item("LID-STEEL", order_item_id="12345678901235", asin="B07XJ8C8F5", price="4.50",
                         title="Steel lid")]

    data = order_data_from_spapi(order, items)

    assert data.amazon_order_id == "113-1111111-1111111"
    assert data.fulfillment_channel == "AFN"
    assert data.is_prime is True
    assert data.is_business_order is False
    assert data.shipment_service_level_category == "NextDay"
    assert data.ship_service_level == "Expedited"
    assert data.purchase_date == datetime(2025, 6, 9, 10, 0, tzinfo=UTC)
    assert data.earliest_ship_date == datetime(2025, 6, 9, 12, 0, tzinfo=UTC)
    assert data.latest_ship_date == datetime(2025, 6, 11, 10, 0, tzinfo=UTC)
    assert data.latest_delivery_date == datetime(2025, 6, 16, 10, 0, tzinfo=UTC)
    assert [(i.sku, i.quantity, i.asin, i.item_price, i.order_item_id) for i in data.items] == [
        ("BOTTLE-750", 2, "B08N5WRWNW", Decimal("45.98"), "12345678901234"),
        ("LID-STEEL", 1, "B07XJ8C8F5", Decimal("4.50"), "12345678901235"),
    ]
    assert data.items[1].title == "Steel lid"


def test_mfn_business_order_maps_full_address_and_buyer():
    order = amazon_order(
        "114-2222222-2222222", now=NOW, business=True, IsPrime="false",
        ShippingAddress={"Name": "Acme Purchasing", "AddressLine1": "410 Terry Ave N", "AddressLine2": "Floor 3",
                         "AddressLine3": "Dock 7", "City": "Seattle", "StateOrRegion": "WA",
                         "PostalCode": "98109-5210", "CountryCode": "US", "AddressType": "Commercial"},
        BuyerInfo={"BuyerEmail": "abc@marketplace.amazon.com", "BuyerName": "Pat Buyer"},
    )

    data = order_data_from_spapi(order, [amazon_item("BOTTLE-750", order_item_id="1")])

    assert data.fulfillment_channel == "MFN"
    assert data.is_business_order is True
    assert data.is_prime is False
    assert (data.address.name, data.address.line1, data.address.line2) == ("Acme Purchasing", "410 Terry Ave N",
                                                                          "Floor 3, Dock 7")
    assert (data.address.city, data.address.state, data.address.postal_code, data.address.country) == (
        "Seattle", "WA", "98109-5210", "US")
    assert (data.buyer_name, data.buyer_email) == ("Pat Buyer", "abc@marketplace.amazon.com")


def test_order_without_restricted_data_keeps_what_amazon_sends():
    order = amazon_order("113-3333333-3333333", now=NOW)
    del order["BuyerInfo"]

    data = order_data_from_spapi(order, [amazon_item("BOTTLE-750", order_item_id="1")])

    assert data.address.line1 == ""
    assert (data.address.city, data.address.postal_code, data.address.country) == ("SEATTLE", "98101-1234", "US")
    assert data.buyer_email == ""


def test_unknown_service_category_and_channel_fall_back_to_defaults():
    order = amazon_order("113-4444444-4444444", now=NOW, ShipmentServiceLevelCategory="Priority",
                         FulfillmentChannel="SFP")

    data = order_data_from_spapi(order, [])

    assert data.shipment_service_level_category == "Standard"
    assert data.fulfillment_channel == "MFN"


def test_missing_purchase_date_is_refused():
    order = amazon_order("113-5555555-5555555", now=NOW)
    del order["PurchaseDate"]

    with pytest.raises(ApplicationError, match="113-5555555-5555555"):
        order_data_from_spapi(order, [])


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-06-09T10:00:00Z", datetime(2025, 6, 9, 10, 0, tzinfo=UTC)),
    ("2025-06-09T10:00:00.123Z", datetime(2025, 6, 9, 10, 0, 0, 123000, tzinfo=UTC)),
    ("2025-06-09T19:00:00+09:00", datetime(2025, 6, 9, 10, 0, tzinfo=UTC)),
    ("2020-09-06T00:00Z", datetime(2020, 9, 6, tzinfo=UTC)),
    ("", None),
    (None, None),
])
def test_parse_datetime_reads_amazon_formats(value, expected):
    assert parse_datetime(value) == expected


def test_cancellation_names_the_buyer_when_an_item_says_so():
    items = [amazon_item("A", order_item_id="1"),
             amazon_item("B", order_item_id="2", BuyerRequestedCancel={"IsBuyerRequestedCancel": "true",
                                                                     "BuyerCancelReason": "Found cheaper"})]

    initiator, reason = cancellation_from_spapi(items)

    assert initiator == CancelInitiator.BUYER
    assert "Found cheaper" in reason
    assert cancellation_from_spapi(items[:1])[0] == CancelInitiator.SYSTEM
