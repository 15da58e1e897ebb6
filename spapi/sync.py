"""Pull the orders Amazon changed since the last sync (Orders API v0) and apply them through ``orders.services``.

The window is ``LastUpdatedAfter`` = where the last sync stopped, ``LastUpdatedBefore`` = a few minutes ago
(Amazon refuses a bound less than two minutes old), paged with ``NextToken``. New orders are created with
``order_create``; a known order only moves status where ``ORDER_TRANSITIONS`` allows, otherwise it is left as
it is and the refusal logged. Running the same window twice changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.models import Store
from listings.models import Channel
from orders.models import CancelInitiator, Order, OrderStatus, ShipServiceCategory
from orders.services import (
    AddressData,
    ItemData,
    OrderData,
    order_buyer_cancel_request,
    order_cancel,
    order_create,
    order_set_status,
)
from orders.status import status_agrees
from spapi.models import SellerCredentials

from .client import Sleep, SpApiClients, SpApiError, call, clients_for
from .services import credentials_of, credentials_record_failure

logger = logging.getLogger(__name__)

SOURCE = "sync"
#: How far behind now the window ends: Amazon rejects a ``LastUpdatedBefore`` less than 2 minutes ago.
WINDOW_LAG = timedelta(minutes=3)
PAGE_SIZE = 100
S = OrderStatus
AMAZON_STATUSES = frozenset({S.PENDING_AVAILABILITY, S.PENDING, S.UNSHIPPED, S.PARTIALLY_SHIPPED, S.SHIPPED,
                             S.INVOICE_UNCONFIRMED, S.CANCELED, S.UNFULFILLABLE})
_CREATABLE = frozenset({S.PENDING_AVAILABILITY, S.PENDING, S.UNSHIPPED})
_SHIPPED = frozenset({S.PARTIALLY_SHIPPED, S.SHIPPED, S.INVOICE_UNCONFIRMED})


# --- mapping: Orders API v0 JSON → OrderData (pure) -------------------------------------------------------

def parse_datetime(value: str | None) -> datetime | None:
    """An ISO 8601 time as Amazon writes it (``2024-05-01T17:03:11Z``, with or without milliseconds)."""
    if not value:
        return None
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _money(value: dict[str, Any] | None) -> Decimal:
    try:
        amount = Decimal(str((value or {}).get("Amount") or "0"))
    except InvalidOperation:
        return Decimal("0")
    return amount if amount.is_finite() else Decimal("0")


#: An order item's ``Money`` fields (``BuyerInfo`` holds the gift wrap's) → our line's amount columns.
_ITEM_MONEY = {"ItemPrice": "item_price", "ItemTax": "item_tax", "ShippingPrice": "shipping_price",
               "ShippingTax": "shipping_tax", "PromotionDiscount": "promotion_discount",
               "ShippingDiscount": "ship_promotion_discount"}
_GIFT_WRAP_MONEY = {"GiftWrapPrice": "gift_wrap_price", "GiftWrapTax": "gift_wrap_tax"}


def _item_amounts(item: dict[str, Any], currency: str) -> tuple[dict[str, Decimal], list[str]]:
    """The line's amounts in ``currency``; an amount Amazon gives in another currency is left out and named."""
    amounts: dict[str, Decimal] = {}
    left_out: list[str] = []
    sources = [(item, _ITEM_MONEY), (item.get("BuyerInfo") or {}, _GIFT_WRAP_MONEY)]
    for source, fields in sources:
        for key, name in fields.items():
            money = source.get(key)
            if not money:
                continue
            if currency and money.get("CurrencyCode") and money["CurrencyCode"] != currency:
                left_out.append(f"{key} {money.get('Amount')} {money['CurrencyCode']}")
                continue
            amounts[name] = _money(money)
    return amounts, left_out


def item_currency(item: dict[str, Any]) -> str:
    """The currency of the line: its price's, else that of the first amount Amazon gives."""
    for key in _ITEM_MONEY:
        code = (item.get(key) or {}).get("CurrencyCode")
        if code:
            return str(code)[:3]
    return ""


def _truthy(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


def address_from_spapi(address: dict[str, Any] | None) -> AddressData:
    """``ShippingAddress``; without a restricted-data token Amazon sends only city, region, postcode, country."""
    address = address or {}
    line2 = ", ".join(p for p in [address.get("AddressLine2"), address.get("AddressLine3")] if p)
    return AddressData(
        name=address.get("Name") or "", line1=address.get("AddressLine1") or "", line2=line2,
        city=address.get("City") or "", state=address.get("StateOrRegion") or "",
        postal_code=address.get("PostalCode") or "", country=(address.get("CountryCode") or "")[:2],
    )


def buyer_cancel_request(item: dict[str, Any]) -> tuple[bool, str]:
    """Whether the item carries the buyer's request to cancel (``BuyerRequestedCancel``), and its reason."""
    request = item.get("BuyerRequestedCancel") or {}
    return _truthy(request.get("IsBuyerRequestedCancel")), str(request.get("BuyerCancelReason") or "")


def item_from_spapi(item: dict[str, Any], *, warnings: list[str] | None = None) -> ItemData:
    """One ``OrderItem``; ``QuantityOrdered`` 0 is how Amazon reports a cancelled line."""
    quantity = int(item.get("QuantityOrdered") or 0)
    currency = item_currency(item)
    amounts, left_out = _item_amounts(item, currency)
    if left_out and warnings is not None:
        warnings.append(_("Item %(item)s: amounts not in %(currency)s left out: %(amounts)s.")
                        % {"item": item.get("OrderItemId") or item.get("SellerSKU"), "currency": currency,
                           "amounts": "; ".join(left_out)})
    return ItemData(
        sku=item.get("SellerSKU") or "", quantity=quantity,
        asin=item.get("ASIN") or "", title=(item.get("Title") or "")[:500],
        order_item_id=item.get("OrderItemId") or "", currency=currency, is_canceled=quantity == 0,
        buyer_requested_cancel=buyer_cancel_request(item)[0], **amounts,
    )


def order_data_from_spapi(order: dict[str, Any], items: list[dict[str, Any]], *,
                          warnings: list[str] | None = None) -> OrderData:
    """The ``OrderData`` of one ``Order`` and its ``OrderItems`` as getOrders/getOrderItems return them.

    Amounts stay in the currency Amazon gives (``OrderTotal``, each item's ``ItemPrice``); a buyer's request
    to cancel on any item marks the order.
    """
    channel = order.get("FulfillmentChannel") or Channel.MFN
    category = order.get("ShipmentServiceLevelCategory") or ShipServiceCategory.STANDARD
    buyer = order.get("BuyerInfo") or {}
    purchase_date = parse_datetime(order.get("PurchaseDate"))
    if purchase_date is None:
        raise ApplicationError(_("Order %(id)s has no purchase date.") % {"id": order.get("AmazonOrderId")})
    total = order.get("OrderTotal") or {}
    requested, reason = next((r for r in map(buyer_cancel_request, items) if r[0]), (False, ""))
    return OrderData(
        amazon_order_id=order.get("AmazonOrderId") or "",
        purchase_date=purchase_date,
        items=[item_from_spapi(item, warnings=warnings) for item in items],
        order_total=_money(total) if total.get("Amount") not in (None, "") else None,
        currency=str(total.get("CurrencyCode") or next((item_currency(i) for i in items if item_currency(i)), ""))[:3],
        is_replacement_order=_truthy(order.get("IsReplacementOrder")),
        replaced_order_id=str(order.get("ReplacedOrderId") or "")[:19],
        sales_channel=str(order.get("SalesChannel") or "")[:40],
        buyer_cancel_requested_at=(parse_datetime(order.get("LastUpdateDate")) or purchase_date) if requested else None,
        buyer_cancel_reason=reason,
        fulfillment_channel=channel if channel in Channel.values else Channel.MFN,
        status=order.get("OrderStatus") or S.PENDING,
        earliest_ship_date=parse_datetime(order.get("EarliestShipDate")),
        latest_ship_date=parse_datetime(order.get("LatestShipDate")),
        earliest_delivery_date=parse_datetime(order.get("EarliestDeliveryDate")),
        latest_delivery_date=parse_datetime(order.get("LatestDeliveryDate")),
        ship_service_level=(order.get("ShipServiceLevel") or "")[:64],
        shipment_service_level_category=category if category in ShipServiceCategory.values
        else ShipServiceCategory.STANDARD,
        is_prime=_truthy(order.get("IsPrime")),
        is_business_order=_truthy(order.get("IsBusinessOrder")),
        buyer_name=(buyer.get("BuyerName") or "")[:200],
        buyer_email=buyer.get("BuyerEmail") or "",
        address=address_from_spapi(order.get("ShippingAddress")),
    )


def cancellation_from_spapi(items: list[dict[str, Any]]) -> tuple[str, str]:
    """Who cancelled and why, as far as the items tell (``BuyerRequestedCancel``); otherwise Amazon's system."""
    for item in items:
        requested, reason = buyer_cancel_request(item)
        if requested:
            if reason:
                return CancelInitiator.BUYER, (_("Buyer requested cancellation on Amazon: %(reason)s")
                                               % {"reason": reason})
            return CancelInitiator.BUYER, _("Buyer requested cancellation on Amazon.")
    return CancelInitiator.SYSTEM, _("Cancelled on Amazon.")


# --- the sync ----------------------------------------------------------------------------------------------

@dataclass
class SyncResult:
    store: str
    window_from: datetime | None = None
    window_to: datetime | None = None
    pages: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)
    #: Orders recorded, with something of Amazon's data left out (and why).
    warnings: list[str] = field(default_factory=list)
    #: Open orders the buyer has asked to cancel since the last sync.
    cancel_requests: int = 0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("window_from", "window_to"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class _OrderSync:
    def __init__(self, *, store: Store, clients: SpApiClients, sleep: Sleep | None, now: datetime,
                 result: SyncResult) -> None:
        self.store, self.clients, self.sleep, self.now, self.result = store, clients, sleep, now, result

    def order_items(self, amazon_order_id: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = []
        next_token: str | None = None
        while True:
            params = {"NextToken": next_token} if next_token else {}
            page = call(self.clients.orders.get_order_items, amazon_order_id, what="getOrderItems",
                        sleep=self.sleep, **params)
            items.extend(page.payload.get("OrderItems") or [])
            next_token = page.payload.get("NextToken")
            if not next_token:
                return items

    def apply_page(self, orders: list[dict[str, Any]]) -> None:
        ids = [o.get("AmazonOrderId") for o in orders if o.get("AmazonOrderId")]
        known = {o.amazon_order_id: o for o in Order.objects.filter(store=self.store, amazon_order_id__in=ids)}
        for order_json in orders:
            self.apply(order_json, known.get(order_json.get("AmazonOrderId") or ""))

    def apply(self, order_json: dict[str, Any], order: Order | None) -> None:
        amazon_id = order_json.get("AmazonOrderId") or "?"
        status = order_json.get("OrderStatus") or ""
        try:
            if status not in AMAZON_STATUSES:
                raise ApplicationError(_("Amazon status %(status)s is not known.") % {"status": status})
            if order is None:
                self.create(order_json, status)
                self.result.created += 1
            elif status_agrees(order.status, status):
                if not self.note_cancel_request(order, order_json):
                    self.result.unchanged += 1
            else:
                self.move(order, status, order_json, items=None)
                self.result.updated += 1
        except SpApiError:
            raise
        except ApplicationError as exc:
            self.result.skipped.append(f"{amazon_id}: {exc.message}")
            logger.warning("SP-API sync of %s skipped order %s: %s", self.store.code, amazon_id, exc.message)

    def note_cancel_request(self, order: Order, order_json: dict[str, Any]) -> bool:
        """Mark an open order whose buyer has asked to cancel since we last wrote it; True if marked.

        Only the items say so, and reading them costs a rate-limited call: it is made only for an open order
        Amazon changed after our last write to it.
        """
        changed_at = parse_datetime(order_json.get("LastUpdateDate"))
        if (not order.is_open or order.buyer_cancel_requested_at is not None or changed_at is None
                or changed_at <= order.last_update_date):
            return False
        items = self.order_items(order.amazon_order_id)
        requested, reason = next((r for r in map(buyer_cancel_request, items) if r[0]), (False, ""))
        if not requested:
            return False
        with transaction.atomic():
            order_buyer_cancel_request(order=order, at=min(changed_at, self.now), reason=reason, source=SOURCE)
            flagged = [i.get("OrderItemId") for i in items if buyer_cancel_request(i)[0]]
            order.items.filter(order_item_id__in=flagged).update(buyer_requested_cancel=True)
        self.result.cancel_requests += 1
        return True

    def create(self, order_json: dict[str, Any], status: str) -> Order:
        channel = order_json.get("FulfillmentChannel") or Channel.MFN
        if status in _SHIPPED and channel == Channel.MFN:
            raise ApplicationError(_("Shipped outside SellerOps; Amazon's order data holds no carrier or tracking "
                                     "number, so import it from the All Orders report."))
        items = self.order_items(order_json["AmazonOrderId"])
        warnings: list[str] = []
        data = order_data_from_spapi(order_json, items, warnings=warnings)
        self.result.warnings.extend(f"{data.amazon_order_id}: {warning}" for warning in warnings)
        if status in _CREATABLE:
            data.status = status
        else:
            data.status = S.PENDING if status == S.CANCELED else S.UNSHIPPED
        with transaction.atomic():
            order = order_create(store=self.store, data=data, source=SOURCE)
            if order.status != status:
                self.move(order, status, order_json, items=items)
        return order

    def move(self, order: Order, status: str, order_json: dict[str, Any], *,
             items: list[dict[str, Any]] | None) -> Order:
        """Apply Amazon's status through the services; they refuse what the transition table does not allow."""
        at = min(parse_datetime(order_json.get("LastUpdateDate")) or self.now, self.now)
        at = max(at, order.purchase_date)
        if status == S.CANCELED:
            if items is None:
                items = self.order_items(order.amazon_order_id)
            initiator, reason = cancellation_from_spapi(items)
            return order_cancel(order=order, initiator=initiator, reason=reason, source=SOURCE, at=at)
        return order_set_status(order=order, status=status, source=SOURCE, at=at, note=_("Reported by Amazon."))


def spapi_sync_orders(*, store: Store, since: datetime | None = None, now: datetime | None = None,
                      sleep: Sleep | None = None) -> SyncResult:
    """Pull the orders of ``store`` updated since ``since`` (default: where the last sync stopped).

    Orders are applied one by one, each in its own transaction; a refused order is skipped and logged. On an
    API failure the error is recorded on the credentials, the window is not advanced (the next run repeats it)
    and ``SpApiError`` is raised.
    """
    credentials = credentials_of(store)
    now = now or timezone.now()
    # Whole seconds: the bound sent to Amazon is exactly where the next window starts.
    until = (now - WINDOW_LAG).replace(microsecond=0)
    initial_days = getattr(settings, "SPAPI_INITIAL_SYNC_DAYS", 30)
    since = since or credentials.last_synced_at or now - timedelta(days=initial_days)
    result = SyncResult(store=store.code, window_from=since, window_to=until)
    if since >= until:
        return result
    try:
        clients = clients_for(credentials)
    except SpApiError as exc:
        credentials_record_failure(credentials, exc.message, now)
        raise
    sync = _OrderSync(store=store, clients=clients, sleep=sleep, now=now, result=result)
    filters = {"LastUpdatedAfter": _iso(since), "LastUpdatedBefore": _iso(until), "MaxResultsPerPage": PAGE_SIZE}
    try:
        next_token: str | None = None
        while True:
            params = {**filters, "NextToken": next_token} if next_token else filters
            page = call(clients.orders.get_orders, what="getOrders", sleep=sleep, **params)
            result.pages += 1
            sync.apply_page(page.payload.get("Orders") or [])
            next_token = page.payload.get("NextToken")
            if not next_token:
                break
    except SpApiError as exc:
        credentials_record_failure(credentials, exc.message, now)
        logger.warning("SP-API sync of %s failed: %s", store.code, exc.message)
        raise
    finally:
        clients.close()
    # An explicit later ``since`` must not leave a gap behind the stored position.
    advance = credentials.last_synced_at is None or since <= credentials.last_synced_at
    updates: dict[str, Any] = {"last_error": "", "last_error_at": None}
    if advance:
        updates["last_synced_at"] = until
    SellerCredentials.objects.filter(pk=credentials.pk).update(**updates)
    for warning in result.warnings:
        logger.warning("SP-API sync of %s: %s", store.code, warning)
    logger.info("SP-API sync of %s: %d created, %d updated, %d unchanged, %d skipped (%d pages)", store.code,
                result.created, result.updated, result.unchanged, len(result.skipped), result.pages)
    return result
