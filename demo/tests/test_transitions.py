"""Every history the demo generates is one the status machines allow, read back from the rows it wrote.

The order timeline, the return moves its entries record, the claims' decisions and the inbound shipments'
steps each walk their transition table from where the services start them to the status the row is in.
"""

from __future__ import annotations

import itertools
import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime

import pytest

from core.state import StateMachine
from demo.seed import seed_demo
from fulfillment.models import INBOUND_STATES, InboundShipment, InboundStatus, Shipment
from orders.models import ORDER_STATES, Order, OrderEvent, OrderItem, OrderStatus
from orders.status import order_status_derived
from returns.models import RETURN_STATES, ReturnRequest, ReturnStatus
from support.models import CLAIM_STATES, CLAIM_STATUS_TIME_FIELD, Claim

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
#: The statuses ``order_create`` starts an order in.
NEW_ORDER = {OrderStatus.PENDING, OrderStatus.PENDING_AVAILABILITY, OrderStatus.UNSHIPPED}
#: "Return SKU × 1: Authorised → Received. …", as ``returns.services`` writes each move on the order's timeline.
RETURN_MOVE = re.compile(r"^Return (?P<sku>.+?) × \d+: (?P<old>[^→]+) → (?P<new>[^.]+)")


@pytest.fixture
def demo_store(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(now=NOW, stores=1, orders=300, days=45, seed=3, history_days=0)


def _walk(machine: StateMachine, statuses: list[str], what: object) -> list[tuple[str, str]]:
    """The moves from each status to the next; fail on the first the table does not allow."""
    moves = list(itertools.pairwise(statuses))
    for old, new in moves:
        assert machine.allows(old, new), f"{what}: {old} → {new}"
    return moves


def test_every_order_event_is_a_move_of_the_order_table(demo_store):
    events = defaultdict(list)
    rows = OrderEvent.objects.exclude(to_status="").order_by("at", "id")
    for event in rows.values("order_id", "kind", "from_status", "to_status", "at"):
        events[event["order_id"]].append(event)
    orders = Order.objects.in_bulk()
    assert set(events) == set(orders)
    seen = set()
    for order_id, history in events.items():
        order, created = orders[order_id], history[0]
        assert (created["kind"], created["from_status"]) == (OrderEvent.Kind.CREATED, ""), order
        assert created["to_status"] in NEW_ORDER, order
        for before, event in itertools.pairwise(history):
            assert event["from_status"] == before["to_status"], order
        seen.update(_walk(ORDER_STATES, [e["to_status"] for e in history], order))
        assert history[-1]["to_status"] == order.status
        for event in history[1:]:
            if event["to_status"] in ORDER_STATES.entered_at:
                assert getattr(order, ORDER_STATES.entered_at[event["to_status"]]) == event["at"], order
    S = OrderStatus
    assert {(S.UNSHIPPED, S.CONFIRMED), (S.CONFIRMED, S.PACKED), (S.PACKED, S.SHIPPED), (S.UNSHIPPED, S.SHIPPED),
            (S.SHIPPED, S.DELIVERED), (S.UNSHIPPED, S.CANCELED)} <= seen


def test_every_order_is_in_the_status_its_lines_and_parcels_derive(demo_store):
    lines = defaultdict(list)
    for item in OrderItem.objects.all():
        lines[item.order_id].append(item)
    parcels = defaultdict(list)
    for shipment in Shipment.objects.all():
        parcels[shipment.order_id].append(shipment.delivered_at is not None)
    for order in Order.objects.all():
        delivered = bool(parcels[order.pk]) and all(parcels[order.pk])
        derived = order_status_derived(status=order.status, lines=lines[order.pk], delivered=delivered)
        assert derived == order.status, order


def test_every_return_move_is_a_move_of_the_return_table(demo_store):
    labels = {str(label): value for value, label in ReturnStatus.choices}
    moves = defaultdict(list)
    for event in OrderEvent.objects.filter(kind=OrderEvent.Kind.RETURN).order_by("at", "id"):
        found = RETURN_MOVE.match(event.note)
        if found:
            moves[(event.order_id, found["sku"])].append((found["old"], labels[found["new"]], event.at))
    returns = list(ReturnRequest.objects.all())
    assert returns and len(moves) == len(returns)
    seen = set()
    for ret in returns:
        history = moves[(ret.order_id, ret.sku)]
        assert history[0][:2] == ("—", ReturnStatus.REQUESTED), ret
        for (_, before, _at), (old, _new, _) in itertools.pairwise(history):
            assert labels[old] == before, ret
        seen.update(_walk(RETURN_STATES, [new for _, new, _ in history], ret))
        assert history[-1][1] == ret.status, ret
        for _, new, at in history:
            if new in RETURN_STATES.entered_at:
                assert getattr(ret, RETURN_STATES.entered_at[new]) == at, ret
    R = ReturnStatus
    assert {(R.REQUESTED, R.AUTHORIZED), (R.AUTHORIZED, R.RECEIVED), (R.RECEIVED, R.REFUNDED)} <= seen


def _steps(row, start: str, fields: Mapping[str, str]) -> list[str]:
    """The statuses a row went through from ``start``, in the order of the times their fields record."""
    stamped = [(getattr(row, field), status) for status, field in fields.items() if getattr(row, field)]
    return [start] + [status for _, status in sorted(stamped)]


def test_every_claim_decision_is_a_move_of_its_kinds_table(demo_store):
    for claim in Claim.objects.all():
        statuses = _steps(claim, Claim.Status.OPEN, CLAIM_STATUS_TIME_FIELD)
        _walk(CLAIM_STATES[claim.kind], statuses, claim)
        assert statuses[-1] == claim.status, claim


def test_every_inbound_shipment_step_is_a_move_of_the_inbound_table(demo_store):
    shipments = list(InboundShipment.objects.all())
    assert {s.status for s in shipments} >= {InboundStatus.WORKING, InboundStatus.RECEIVING, InboundStatus.CLOSED}
    for shipment in shipments:
        statuses = _steps(shipment, InboundStatus.WORKING, INBOUND_STATES.entered_at)
        _walk(INBOUND_STATES, statuses, shipment)
        assert statuses[-1] == shipment.status, shipment

