"""Every (from, to) pair of every status machine, driven through the services that own it.

Allowed moves succeed and leave a trace; forbidden ones raise an error naming both statuses and change
nothing at all.
"""

from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.forms.models import model_to_dict
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition
from core.state import check_transition
from fulfillment.models import INBOUND_TRANSITIONS, InboundStatus, Shipment
from fulfillment.services import order_ship
from listings.models import Listing, StockMovement
from orders.models import ORDER_TRANSITIONS, SHIPPABLE_STATUSES, OrderEvent, OrderItem, OrderStatus
from orders.services import order_cancel, order_set_status
from returns.models import RETURN_TRANSITIONS, Refund, ReturnRequest, ReturnStatus
from returns.services import return_authorize, return_close, return_receive, return_refund, return_reject
from support.models import CLAIM_STATUS_TIME_FIELD, CLAIM_TRANSITIONS, Claim
from support.services import claim_set_status
from tests.factories import (
    ClaimFactory,
    ListingFactory,
    MembershipFactory,
    OrderFactory,
    OrderItemFactory,
    ReturnRequestFactory,
)

pytestmark = pytest.mark.django_db

ORDER_LABELS = dict(OrderStatus.choices)
RETURN_LABELS = dict(ReturnStatus.choices)
CLAIM_LABELS = dict(Claim.Status.choices)
#: Units in the order's one line, and how many of them each starting status has already shipped.
UNITS = 2
SHIPPED_BEFORE = {
    OrderStatus.PARTIALLY_SHIPPED: 1, OrderStatus.SHIPPED: 2, OrderStatus.INVOICE_UNCONFIRMED: 2,
    OrderStatus.DELIVERED: 2,
}
OPEN_BEFORE = {OrderStatus.PENDING_AVAILABILITY, OrderStatus.PENDING, OrderStatus.UNSHIPPED,
               OrderStatus.CONFIRMED, OrderStatus.PACKED, OrderStatus.PARTIALLY_SHIPPED}


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def operator(store):
    # No password: hashing one for each of hundreds of cases is what would take the time.
    user = get_user_model().objects.create(username="transitions-op")
    MembershipFactory(user=user, store=store)
    return user


def _order_in(store, status: str):
    """An MFN order in ``status`` whose items and stock are what that status implies."""
    shipped = SHIPPED_BEFORE.get(status, 0)
    reserved = UNITS - shipped if status in OPEN_BEFORE else 0
    listing = ListingFactory(store=store, sku="TR-1", quantity_available=10, quantity_reserved=reserved)
    purchase = timezone.now() - timedelta(days=2)
    canceled_at = purchase + timedelta(hours=1) if status == OrderStatus.CANCELED else None
    order = OrderFactory(store=store, status=status, purchase_date=purchase, canceled_at=canceled_at)
    item = OrderItemFactory(order=order, listing=listing, sku="TR-1", quantity=UNITS,
                            quantity_shipped=shipped, quantity_reserved=reserved)
    return order, item, listing


def _order_state(order) -> dict:
    return {
        "order": model_to_dict(order.__class__.objects.get(pk=order.pk)),
        "items": list(OrderItem.objects.filter(order=order).values()),
        "listings": list(Listing.objects.filter(store=order.store).values()),
        "events": OrderEvent.objects.count(),
        "movements": StockMovement.objects.count(),
        "shipments": Shipment.objects.count(),
    }


def _move_order(order, item, new: str, actor):
    """Drive ``order`` to ``new`` through the service an operator (or Amazon's sync) would use."""
    old = order.status
    if new == OrderStatus.CANCELED:
        return order_cancel(order=order, initiator="seller", reason="Cannot source the item", actor=actor)
    if new in {OrderStatus.SHIPPED, OrderStatus.PARTIALLY_SHIPPED} and old in SHIPPABLE_STATUSES:
        quantities = {item.pk: 1} if new == OrderStatus.PARTIALLY_SHIPPED else None
        if new == OrderStatus.PARTIALLY_SHIPPED and old == OrderStatus.PARTIALLY_SHIPPED:
            # Another partial shipment keeps the status: not a transition, so the table is asked directly.
            return order_set_status(order=order, status=new, actor=actor)
        return order_ship(order=order, carrier="UPS", tracking_number="1Z999AA10123456784",
                          quantities=quantities, actor=actor)
    return order_set_status(order=order, status=new, actor=actor)


ORDER_PAIRS = list(itertools.product(OrderStatus.values, repeat=2))


@pytest.mark.parametrize(("old", "new"), ORDER_PAIRS, ids=[f"{a}->{b}" for a, b in ORDER_PAIRS])
def test_order_transition(store, operator, old, new):
    order, item, _ = _order_in(store, old)
    before = _order_state(order)
    if new in ORDER_TRANSITIONS[old]:
        _move_order(order, item, new, operator)
        order.refresh_from_db()
        assert order.status == new
        event = OrderEvent.objects.filter(order=order).latest("id")
        assert (event.from_status, event.to_status, event.actor) == (old, new, operator)
        assert OrderEvent.objects.count() == before["events"] + 1
    else:
        with pytest.raises(ApplicationError) as caught:
            _move_order(order, item, new, operator)
        assert isinstance(caught.value, InvalidTransition)
        assert str(ORDER_LABELS[old]) in caught.value.message
        assert str(ORDER_LABELS[new]) in caught.value.message
        assert caught.value.extra == {"from": old, "to": new}
        assert _order_state(order) == before


def test_every_order_status_is_in_the_table():
    assert set(ORDER_TRANSITIONS) == set(OrderStatus.values)
    assert all(targets <= set(OrderStatus.values) for targets in ORDER_TRANSITIONS.values())


# --- Returns ---


def _return_in(store, status: str) -> ReturnRequest:
    listing = ListingFactory(store=store, sku="RT-1", quantity_available=0)
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED,
                         purchase_date=timezone.now() - timedelta(days=20))
    item = OrderItemFactory(order=order, listing=listing, sku="RT-1", quantity=1, quantity_shipped=1,
                            item_price=Decimal("30.00"))
    requested = order.purchase_date + timedelta(days=5)
    responded = requested + timedelta(hours=3) if status != ReturnStatus.REQUESTED else None
    return ReturnRequestFactory(order=order, order_item=item, sku="RT-1", status=status,
                                requested_at=requested, responded_at=responded)


def _return_state(return_request: ReturnRequest) -> dict:
    return {
        "return": model_to_dict(ReturnRequest.objects.get(pk=return_request.pk)),
        "refunds": Refund.objects.count(),
        "events": OrderEvent.objects.count(),
        "listings": list(Listing.objects.values("pk", "quantity_available")),
        "movements": StockMovement.objects.count(),
    }


RETURN_SERVICES = {
    ReturnStatus.AUTHORIZED: lambda r, u: return_authorize(return_request=r, label_provided=True, actor=u),
    ReturnStatus.REJECTED: lambda r, user: return_reject(return_request=r, reason="Used", actor=user),
    ReturnStatus.RECEIVED: lambda r, u: return_receive(return_request=r, disposition="sellable", actor=u),
    ReturnStatus.REFUNDED: lambda r, user: return_refund(return_request=r, kind="full", actor=user),
    ReturnStatus.CLOSED: lambda r, user: return_close(return_request=r, actor=user),
}
RETURN_PAIRS = list(itertools.product(ReturnStatus.values, repeat=2))


@pytest.mark.parametrize(("old", "new"), RETURN_PAIRS, ids=[f"{a}->{b}" for a, b in RETURN_PAIRS])
def test_return_transition(store, operator, old, new):
    return_request = _return_in(store, old)
    before = _return_state(return_request)
    if new == ReturnStatus.REQUESTED:
        # No service moves a return back to Requested: it is where every return starts.
        assert new not in RETURN_TRANSITIONS[old]
        with pytest.raises(InvalidTransition):
            check_transition(RETURN_TRANSITIONS, RETURN_LABELS, old=old, new=new, what="Return")
        return
    if new in RETURN_TRANSITIONS[old]:
        RETURN_SERVICES[new](return_request, operator)
        return_request.refresh_from_db()
        assert return_request.status == new
        assert return_request.responded_at is not None
        event = OrderEvent.objects.filter(order=return_request.order).latest("id")
        assert event.kind == OrderEvent.Kind.RETURN and event.actor == operator
        assert str(RETURN_LABELS[new]) in event.note
        assert OrderEvent.objects.count() == before["events"] + 1
    else:
        with pytest.raises(InvalidTransition) as caught:
            RETURN_SERVICES[new](return_request, operator)
        assert str(RETURN_LABELS[old]) in caught.value.message
        assert str(RETURN_LABELS[new]) in caught.value.message
        assert _return_state(return_request) == before


# --- Claims ---


def _claim_in(store, kind: str, status: str) -> Claim:
    order = OrderFactory(store=store, status=OrderStatus.DELIVERED,
                         purchase_date=timezone.now() - timedelta(days=30))
    claim = ClaimFactory(order=order, kind=kind, status=status)
    if status in CLAIM_STATUS_TIME_FIELD:
        setattr(claim, CLAIM_STATUS_TIME_FIELD[status], claim.filed_at + timedelta(days=1))
    if status == Claim.Status.REVERSED:
        claim.granted_at = claim.filed_at + timedelta(hours=12)
    claim.save()
    return claim


CLAIM_CASES = [(kind, old, new) for kind in Claim.Kind.values
               for old, new in itertools.product(Claim.Status.values, repeat=2)]


@pytest.mark.parametrize(("kind", "old", "new"), CLAIM_CASES,
                         ids=[f"{k}:{a}->{b}" for k, a, b in CLAIM_CASES])
def test_claim_transition(store, kind, old, new):
    claim = _claim_in(store, kind, old)
    before = model_to_dict(claim)
    if new in CLAIM_TRANSITIONS[kind][old]:
        claim_set_status(claim=claim, status=new)
        claim.refresh_from_db()
        assert claim.status == new
        assert getattr(claim, CLAIM_STATUS_TIME_FIELD[new]) is not None
    else:
        with pytest.raises(InvalidTransition) as caught:
            claim_set_status(claim=claim, status=new)
        assert str(CLAIM_LABELS[old]) in caught.value.message
        assert str(CLAIM_LABELS[new]) in caught.value.message
        assert model_to_dict(Claim.objects.get(pk=claim.pk)) == before


def test_only_a_chargeback_can_be_reversed():
    a_to_z = CLAIM_TRANSITIONS[Claim.Kind.A_TO_Z]
    assert not any(Claim.Status.REVERSED in targets for targets in a_to_z.values())
    assert Claim.Status.REVERSED in CLAIM_TRANSITIONS[Claim.Kind.CHARGEBACK][Claim.Status.GRANTED]


# --- FBA inbound shipments ---

INBOUND_PAIRS = list(itertools.product(InboundStatus.values, repeat=2))


@pytest.mark.parametrize(("old", "new"), INBOUND_PAIRS, ids=[f"{a}->{b}" for a, b in INBOUND_PAIRS])
def test_inbound_transition_table(old, new):
    labels = dict(InboundStatus.choices)
    if new in INBOUND_TRANSITIONS[old]:
        check_transition(INBOUND_TRANSITIONS, labels, old=old, new=new, what="FBA15ABC")
    else:
        with pytest.raises(InvalidTransition) as caught:
            check_transition(INBOUND_TRANSITIONS, labels, old=old, new=new, what="FBA15ABC")
        assert str(labels[old]) in caught.value.message and str(labels[new]) in caught.value.message
