"""Return services: request, answer, receipt (and stock), refund, close; response time and the timeline."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition
from listings.models import StockMovement
from orders.models import OrderEvent, OrderStatus
from returns.models import Refund, ReturnRequest, ReturnStatus
from returns.services import (
    return_authorize,
    return_close,
    return_create,
    return_receive,
    return_record_negative_feedback,
    return_refund,
    return_reject,
)
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def actor(store):
    return get_user_model().objects.create(username="returns-op")


@pytest.fixture
def delivered(store):
    """A delivered order of 2 × RT-1 (a 40.00 line) and 1 × RT-2, with RT-1's listing out of stock."""
    listing = ListingFactory(store=store, sku="RT-1", quantity_available=0)
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED,
                         purchase_date=timezone.now() - timedelta(days=10))
    OrderItemFactory(order=order, listing=listing, sku="RT-1", quantity=2, quantity_shipped=2,
                     item_price=Decimal("40.00"))
    OrderItemFactory(order=order, sku="RT-2", quantity=1, quantity_shipped=1, item_price=Decimal("15.00"))
    return order


def _request(order, sku="RT-1", quantity=1, **kwargs) -> ReturnRequest:
    kwargs.setdefault("requested_at", timezone.now() - timedelta(days=2))
    return return_create(order=order, sku=sku, quantity=quantity, reason="DEFECTIVE", **kwargs)


def test_create_records_the_request_and_an_event(delivered, actor):
    requested_at = timezone.now() - timedelta(days=1)
    return_request = _request(delivered, quantity=2, requested_at=requested_at, actor=actor)
    assert (return_request.status, return_request.quantity, return_request.requested_at) == (
        ReturnStatus.REQUESTED, 2, requested_at)
    assert return_request.order_item.sku == "RT-1"
    assert return_request.responded_at is None
    event = delivered.events.get()
    assert (event.kind, event.actor, event.at) == (OrderEvent.Kind.RETURN, actor, requested_at)
    assert "RT-1" in event.note and "Requested" in event.note


@pytest.mark.parametrize("status", [OrderStatus.UNSHIPPED, OrderStatus.CANCELED, OrderStatus.PENDING])
def test_create_refuses_an_order_that_has_not_shipped(store, status):
    order = OrderFactory(store=store, status=status,
                         canceled_at=timezone.now() if status == OrderStatus.CANCELED else None)
    OrderItemFactory(order=order, sku="RT-1")
    with pytest.raises(ApplicationError, match="only shipped or delivered"):
        _request(order)
    assert not ReturnRequest.objects.exists()


def test_create_refuses_a_sku_not_in_the_order(delivered):
    with pytest.raises(ApplicationError, match="no item with SKU NOPE"):
        _request(delivered, sku="NOPE")


def test_create_counts_what_is_already_being_returned(delivered):
    _request(delivered, quantity=1)
    _request(delivered, quantity=1)
    with pytest.raises(ApplicationError, match="2 were sent and 2 are already being returned"):
        _request(delivered, quantity=1)
    assert ReturnRequest.objects.count() == 2


def test_a_rejected_return_frees_its_units_for_a_new_request(delivered):
    first = _request(delivered, quantity=2)
    return_reject(return_request=first, reason="Outside the window")
    second = _request(delivered, quantity=2)
    # Taking the first back now would return the same units twice.
    with pytest.raises(ApplicationError, match="already being returned"):
        return_authorize(return_request=first)
    assert second.status == ReturnStatus.REQUESTED


def test_partially_shipped_order_returns_only_shipped_units(store):
    order = OrderFactory(store=store, status=OrderStatus.PARTIALLY_SHIPPED)
    OrderItemFactory(order=order, sku="RT-1", quantity=3, quantity_shipped=1)
    with pytest.raises(ApplicationError, match="1 were sent"):
        _request(order, quantity=2, requested_at=timezone.now())
    assert _request(order, quantity=1, requested_at=timezone.now()).quantity == 1


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"quantity": 0}, "at least 1"),
    ({"reason": "BORED"}, "Unknown return reason"),
    ({"requested_at": "future"}, "in the future"),
    ({"requested_at": "before"}, "before the order was placed"),
])
def test_create_refusals(delivered, kwargs, message):
    if kwargs.get("requested_at") == "future":
        kwargs["requested_at"] = timezone.now() + timedelta(days=1)
    elif kwargs.get("requested_at") == "before":
        kwargs["requested_at"] = delivered.purchase_date - timedelta(days=1)
    call = {"order": delivered, "sku": "RT-1", "quantity": 1, "reason": "DEFECTIVE",
            "requested_at": timezone.now(), **kwargs}
    with pytest.raises(ApplicationError, match=message):
        return_create(**call)
    assert not ReturnRequest.objects.exists()
    assert not OrderEvent.objects.exists()


def test_authorize_sets_the_first_response_once(delivered, actor):
    return_request = _request(delivered)
    first = timezone.now() - timedelta(days=1)
    return_authorize(return_request=return_request, label_provided=True, merchant_rma_id="RMA-9",
                     at=first, actor=actor)
    return_request.refresh_from_db()
    assert (return_request.status, return_request.label_provided, return_request.merchant_rma_id) == (
        ReturnStatus.AUTHORIZED, True, "RMA-9")
    assert return_request.responded_at == first
    return_close(return_request=return_request)
    return_request.refresh_from_db()
    assert return_request.responded_at == first
    assert return_request.closed_at is not None


def test_authorize_without_label(delivered):
    return_request = return_authorize(return_request=_request(delivered))
    assert return_request.label_provided is False
    assert "no label" in delivered.events.latest("id").note


def test_a_response_cannot_come_before_the_request(delivered):
    return_request = _request(delivered)
    with pytest.raises(ApplicationError, match="before the return was requested"):
        return_authorize(return_request=return_request, at=return_request.requested_at - timedelta(minutes=1))
    return_request.refresh_from_db()
    assert (return_request.status, return_request.responded_at) == (ReturnStatus.REQUESTED, None)


def test_reject_needs_a_reason_and_warns_when_in_policy(delivered):
    return_request = _request(delivered, in_policy=True)
    with pytest.raises(ApplicationError, match="reason"):
        return_reject(return_request=return_request, reason="  ")
    result = return_reject(return_request=return_request, reason="Item was used")
    assert result.warning and "Return Dissatisfaction" in result.warning
    stored = ReturnRequest.objects.get(pk=return_request.pk)
    assert (stored.status, stored.rejected_reason) == (ReturnStatus.REJECTED, "Item was used")
    assert stored.rejected_at == stored.responded_at is not None


def test_reject_out_of_policy_has_no_warning(delivered):
    result = return_reject(return_request=_request(delivered, in_policy=False), reason="Past 30 days")
    assert result.warning == ""
    assert result.return_request.status == ReturnStatus.REJECTED


def test_receive_sellable_puts_units_back_on_sale(delivered, store):
    return_request = return_authorize(return_request=_request(delivered, quantity=2))
    return_receive(return_request=return_request, disposition="sellable")
    listing = delivered.items.get(sku="RT-1").listing
    listing.refresh_from_db()
    assert listing.quantity_available == 2
    movement = StockMovement.objects.get()
    assert (movement.reason, movement.available_delta, movement.listing) == (
        StockMovement.Reason.RETURN, 2, listing)
    return_request.refresh_from_db()
    assert (return_request.status, return_request.disposition) == (ReturnStatus.RECEIVED, "sellable")
    assert return_request.received_at is not None


@pytest.mark.parametrize("disposition", ["damaged", "disposed"])
def test_receive_damaged_or_disposed_adds_no_stock(delivered, disposition):
    return_request = return_authorize(return_request=_request(delivered))
    return_receive(return_request=return_request, disposition=disposition)
    listing = delivered.items.get(sku="RT-1").listing
    listing.refresh_from_db()
    assert listing.quantity_available == 0
    assert not StockMovement.objects.exists()


def test_receive_sellable_without_a_listing_is_refused(delivered):
    return_request = return_authorize(return_request=_request(delivered, sku="RT-2"))
    with pytest.raises(ApplicationError, match="No listing has SKU RT-2"):
        return_receive(return_request=return_request, disposition="sellable")
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.AUTHORIZED


def test_receive_refuses_an_unknown_disposition(delivered):
    return_request = return_authorize(return_request=_request(delivered))
    with pytest.raises(ApplicationError, match="disposition"):
        return_receive(return_request=return_request, disposition="lost")


def test_receive_before_authorizing_is_an_invalid_transition(delivered):
    with pytest.raises(InvalidTransition, match="Requested"):
        return_receive(return_request=_request(delivered), disposition="damaged")
    assert not StockMovement.objects.exists()


def test_full_refund_refunds_the_units_value(delivered, actor):
    return_request = _request(delivered, quantity=1)
    refund = return_refund(return_request=return_request, kind="full", reason="Defective", actor=actor)
    assert (refund.kind, refund.amount, refund.currency, refund.order, refund.actor) == (
        Refund.Kind.FULL, Decimal("20.00"), "USD", delivered, actor)
    return_request.refresh_from_db()
    assert return_request.status == ReturnStatus.REFUNDED
    assert return_request.responded_at == refund.refunded_at


def test_a_second_full_refund_is_refused(delivered):
    return_request = _request(delivered)
    return_refund(return_request=return_request, kind="full")
    with pytest.raises(ApplicationError, match="already been refunded in full"):
        return_refund(return_request=return_request, kind="full")
    assert Refund.objects.count() == 1


def test_a_second_refund_is_refused_by_the_state_machine(delivered):
    return_request = _request(delivered)
    return_refund(return_request=return_request, kind="partial", amount="5")
    with pytest.raises(InvalidTransition, match="Refunded"):
        return_refund(return_request=return_request, kind="partial", amount="5")
    assert Refund.objects.count() == 1


@pytest.mark.parametrize(("amount", "message"), [
    (None, "greater than zero"),
    ("0", "greater than zero"),
    ("-1", "greater than zero"),
    ("abc", "greater than zero"),
    ("20.01", "more than the 20.00 left"),
])
def test_partial_refund_amount_must_be_positive_and_within_the_value(delivered, amount, message):
    return_request = _request(delivered)
    with pytest.raises(ApplicationError, match=message):
        return_refund(return_request=return_request, kind="partial", amount=amount)
    assert not Refund.objects.exists()
    return_request.refresh_from_db()
    assert (return_request.status, return_request.responded_at) == (ReturnStatus.REQUESTED, None)


def test_partial_refund_up_to_the_value(delivered):
    refund = return_refund(return_request=_request(delivered), kind="partial", amount=Decimal("20.00"))
    assert (refund.kind, refund.amount) == (Refund.Kind.PARTIAL, Decimal("20.00"))


def test_full_refund_after_a_partial_one_on_the_same_units_is_refused(delivered):
    first = _request(delivered, quantity=2)
    return_refund(return_request=first, kind="partial", amount="10")
    return_close(return_request=first)
    # The line is worth 40.00 and 10.00 of it was refunded; a new request for it cannot be refunded in full.
    ReturnRequest.objects.filter(pk=first.pk).update(status=ReturnStatus.REJECTED)
    second = _request(delivered, quantity=2)
    with pytest.raises(ApplicationError, match="would refund it twice"):
        return_refund(return_request=second, kind="full")


def test_refund_needs_a_known_price(store):
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED)
    OrderItemFactory(order=order, sku="FREE", item_price=Decimal("0"))
    return_request = _request(order, sku="FREE", requested_at=timezone.now())
    with pytest.raises(ApplicationError, match="no price"):
        return_refund(return_request=return_request, kind="full")


def test_close_an_unanswered_request_counts_as_the_response(delivered):
    return_request = return_close(return_request=_request(delivered), note="Buyer kept the item")
    assert return_request.responded_at == return_request.closed_at is not None
    assert "Buyer kept the item" in delivered.events.latest("id").note


def test_negative_return_feedback_is_recorded_once(delivered):
    return_request = _request(delivered)
    at = timezone.now() - timedelta(hours=1)
    return_record_negative_feedback(return_request=return_request, at=at)
    return_record_negative_feedback(return_request=return_request)
    return_request.refresh_from_db()
    assert return_request.negative_feedback_at == at


def test_every_step_writes_one_return_event(delivered, actor):
    return_request = _request(delivered, actor=actor)
    return_authorize(return_request=return_request, actor=actor)
    return_receive(return_request=return_request, disposition="damaged", actor=actor)
    return_refund(return_request=return_request, kind="full", actor=actor)
    return_close(return_request=return_request, actor=actor)
    events = list(delivered.events.order_by("id"))
    assert [e.kind for e in events] == [OrderEvent.Kind.RETURN] * 5
    assert all(e.actor == actor for e in events)
    assert [e.note.split(": ")[1].split(".")[0] for e in events] == [
        "— → Requested", "Requested → Authorised", "Authorised → Received", "Received → Refunded",
        "Refunded → Closed"]


def test_each_step_schedules_a_recompute(delivered, monkeypatch):
    calls = []
    monkeypatch.setattr("returns.services.store_data_changed_send", lambda *, store_id: calls.append(store_id))
    return_request = _request(delivered)
    return_authorize(return_request=return_request)
    return_close(return_request=return_request)
    assert calls == [delivered.store_id] * 3


@pytest.mark.parametrize(("code", "reason"), [
    ("CR-DEFECTIVE", "DEFECTIVE"), ("DEFECTIVE", "DEFECTIVE"), ("AMZ-PG-BAD-DESC", "NOT_AS_DESCRIBED"),
    ("AMZ-PG-APP-TOO-SMALL", "TOO_SMALL"), ("APPAREL_TOO_LARGE", "TOO_LARGE"), ("CR-UNWANTED_ITEM", "UNWANTED_ITEM"),
    ("CR-SWITCHEROO", "WRONG_ITEM"), ("cr-damaged_by_fc", "DAMAGED_BY_CARRIER"), ("NEVER_ARRIVED",
                                                                                  "MISSED_ESTIMATED_DELIVERY"),
    ("CR-SOMETHING-NEW", "OTHER"), ("", "OTHER"),
])
def test_amazons_reason_codes_map_to_our_reasons(code, reason):
    from returns.models import AMAZON_RETURN_REASONS, ReturnReason, return_reason_from_amazon

    assert return_reason_from_amazon(code) == reason
    assert set(AMAZON_RETURN_REASONS.values()) <= set(ReturnReason.values)


def test_an_fba_return_is_recorded_received_with_amazons_disposition_and_facts(store):
    from returns.services import AmazonReturnFacts, return_record_fba

    order = OrderFactory(store=store, fulfillment_channel="AFN", status=OrderStatus.SHIPPED)
    OrderItemFactory(order=order, sku="KETTLE-1", quantity=2, quantity_shipped=2)
    at = order.purchase_date + timedelta(hours=5)
    facts = AmazonReturnFacts(reason_code="DEFECTIVE", fnsku="X001ABCDEF", license_plate_number="LPNRR123456789",
                              fulfillment_center_id="PHX7", detailed_disposition="CUSTOMER_DAMAGED")

    returned = return_record_fba(order=order, sku="KETTLE-1", quantity=1, returned_at=at, reason="DEFECTIVE",
                                 buyer_comment="Stopped heating", amazon=facts)

    assert (returned.status, returned.disposition, returned.received_at) == (ReturnStatus.RECEIVED, "damaged", at)
    assert (returned.fulfillment_channel, returned.fnsku, returned.license_plate_number) == (
        "AFN", "X001ABCDEF", "LPNRR123456789")
    assert order.events.filter(kind=OrderEvent.Kind.RETURN).count() == 1
    mfn = OrderFactory(store=store, status=OrderStatus.SHIPPED)
    OrderItemFactory(order=mfn, sku="KETTLE-1", quantity_shipped=1)
    with pytest.raises(ApplicationError, match="seller-fulfilled"):
        return_record_fba(order=mfn, sku="KETTLE-1", quantity=1, returned_at=at, reason="DEFECTIVE", amazon=facts)
