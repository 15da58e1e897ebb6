"""Orders, items and reports shaped as Amazon's Orders API v0 and account-health report models give them."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta
from typing import Any

from .server import amazon_time

MARKETPLACE_US = "ATVPDKIKX0DER"


def amazon_order(amazon_order_id: str, *, now: datetime, status: str = "Unshipped", channel: str = "MFN",
                 hours_ago: float = 30, updated_hours_ago: float = 1, prime: bool = False, business: bool = False,
                 total: str = "45.98", **extra: Any) -> dict[str, Any]:
    """One ``Order`` of a getOrders payload, purchased ``hours_ago`` and last updated ``updated_hours_ago``."""
    purchased = now - timedelta(hours=hours_ago)
    order: dict[str, Any] = {
        "AmazonOrderId": amazon_order_id,
        "SellerOrderId": amazon_order_id,
        "PurchaseDate": amazon_time(purchased),
        "LastUpdateDate": amazon_time(now - timedelta(hours=updated_hours_ago)),
        "OrderStatus": status,
        "FulfillmentChannel": channel,
        "SalesChannel": "Amazon.com",
        "ShipServiceLevel": "Std US D2D Dom" if channel == "MFN" else "Expedited",
        "OrderTotal": {"CurrencyCode": "USD", "Amount": total},
        "NumberOfItemsShipped": 0,
        "NumberOfItemsUnshipped": 2,
        "PaymentMethod": "Other",
        "PaymentMethodDetails": ["Standard"],
        "MarketplaceId": MARKETPLACE_US,
        "ShipmentServiceLevelCategory": "Standard" if channel == "MFN" else "Expedited",
        "OrderType": "StandardOrder",
        "EarliestShipDate": amazon_time(purchased + timedelta(hours=2)),
        "LatestShipDate": amazon_time(purchased + timedelta(days=2)),
        "EarliestDeliveryDate": amazon_time(purchased + timedelta(days=3)),
        "LatestDeliveryDate": amazon_time(purchased + timedelta(days=7)),
        "IsBusinessOrder": business,
        "IsPrime": prime,
        "IsPremiumOrder": False,
        "IsGlobalExpressEnabled": False,
        "IsReplacementOrder": "false",
        "IsSoldByAB": False,
        "IsISPU": False,
        "IsAccessPointOrder": False,
        "HasRegulatedItems": False,
        "ShippingAddress": {"City": "SEATTLE", "StateOrRegion": "WA", "PostalCode": "98101-1234",
                            "CountryCode": "US"},
        "BuyerInfo": {"BuyerEmail": "xyz123abc@marketplace.amazon.com"},
    }
    order.update(extra)
    return order


def amazon_item(sku: str, *, order_item_id: str, asin: str = "B08N5WRWNW", quantity: int = 1,
                price: str = "22.99", title: str = "Stainless Steel Water Bottle, 750 ml",
                **extra: Any) -> dict[str, Any]:
    """One ``OrderItem`` of a getOrderItems payload."""
    item: dict[str, Any] = {
        "ASIN": asin,
        "SellerSKU": sku,
        "OrderItemId": order_item_id,
        "Title": title,
        "QuantityOrdered": quantity,
        "QuantityShipped": 0,
        "ProductInfo": {"NumberOfItems": "1"},
        "ItemPrice": {"CurrencyCode": "USD", "Amount": price},
        "ShippingPrice": {"CurrencyCode": "USD", "Amount": "0.00"},
        "ItemTax": {"CurrencyCode": "USD", "Amount": "1.84"},
        "PromotionDiscount": {"CurrencyCode": "USD", "Amount": "0.00"},
        "IsGift": "false",
        "ConditionId": "New",
        "ConditionSubtypeId": "New",
        "IsTransparency": False,
        "SerialNumberRequired": False,
        "BuyerRequestedCancel": {"IsBuyerRequestedCancel": "false", "BuyerCancelReason": ""},
    }
    item.update(extra)
    return item


_ODR_MFN = {
    "reportingDateRange": {"reportingDateFrom": "2020-09-06T00:00Z", "reportingDateTo": "2020-11-04T23:59Z"},
    "orderCount": 539,
    "orderWithDefects": {"count": 6, "status": "BAD"},
    "claims": {"count": 2, "status": "NONE"},
    "chargebacks": {"count": 1, "status": "NONE"},
    "negativeFeedback": {"count": 3, "status": "NONE"},
    "fulfillmentType": "mfn",
    "status": "BAD",
    "rate": 0.01113173,
    "targetValue": 0.01,
    "targetCondition": "LESS_THAN",
}
_ODR_AFN = {
    "reportingDateRange": {"reportingDateFrom": "2020-09-06T00:00Z", "reportingDateTo": "2020-11-04T23:59Z"},
    "orderCount": 1200,
    "orderWithDefects": {"count": 3, "status": "GOOD"},
    "claims": {"count": 1, "status": "NONE"},
    "chargebacks": {"count": 0, "status": "NONE"},
    "negativeFeedback": {"count": 2, "status": "NONE"},
    "fulfillmentType": "afn",
    "status": "GOOD",
    "rate": 0.0025,
    "targetValue": 0.01,
    "targetCondition": "LESS_THAN",
}


def performance_document(marketplace_id: str = MARKETPLACE_US) -> dict[str, Any]:
    """A GET_V2_SELLER_PERFORMANCE_REPORT document as the account-health report schema describes it."""
    window = {"reportingDateFrom": "2020-10-21T00:00Z", "reportingDateTo": "2020-11-19T23:59Z"}
    return {
        "accountStatuses": [
            {"marketplaceId": marketplace_id, "status": "AT_RISK"},
            {"marketplaceId": "A2EUQ1WTGCTBG2", "status": "NORMAL"},
        ],
        "performanceMetrics": [
            {
                "marketplaceId": "A2EUQ1WTGCTBG2",
                "orderDefectRate": {"mfn": {**copy.deepcopy(_ODR_MFN), "orderCount": 9, "rate": 0.5}},
            },
            {
                "marketplaceId": marketplace_id,
                "lateShipmentRate": {"reportingDateRange": window, "orderCount": 870, "lateShipmentCount": 27,
                                     "status": "GOOD", "rate": 0.03103448, "targetValue": 0.04,
                                     "targetCondition": "LESS_THAN"},
                "prefulfillmentCancelRate": {"reportingDateRange": window, "orderCount": 171,
                                             "cancellationCount": 1, "status": "GOOD", "rate": 0.005847953,
                                             "targetValue": 0.025, "targetCondition": "LESS_THAN"},
                "validTrackingRate": {"reportingDateRange": window, "shipmentCount": 878,
                                      "validTrackingCount": 860, "status": "GOOD", "rate": 0.97949886,
                                      "targetValue": 0.95, "targetCondition": "GREATER_THAN"},
                "orderDefectRate": {"mfn": copy.deepcopy(_ODR_MFN), "afn": copy.deepcopy(_ODR_AFN)},
                "accountHealthRating": {"ahrStatus": "AT_RISK",
                                        "reportingDateRange": {"reportingDateFrom": "2020-05-23T00:00Z",
                                                               "reportingDateTo": "2020-11-19T23:59Z"}},
            },
        ],
    }
