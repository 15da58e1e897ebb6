"""Order services: creation with stock reservation, shipping, cancelling, the timeline and metric triggers."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from core.errors import ApplicationError, InvalidTransition
from fulfillment.models import Shipment, ShipmentItem
from fulfillment.services import order_ship
from listings.models import Channel, Listing, StockMovement
from orders.models import Order, OrderEvent, OrderItem, OrderStatus, RiskFlag
from orders.services import (
    AddressData,
    ItemData,
    OrderData,
    order_add_note,
    order_cancel,
    order_confirm,
    order_create,
    order_event_record,
    order_pack,
    order_set_status,
)
from tests.factories import ListingFactory, MembershipFactory, OrderFactory

pytestmark = pytest.mark.django_db

TRACKING = "1Z999AA10123456784"
ADDRESS = AddressData(name="Jane Miller", line1="1 Main St", city="Austin", state="TX", postal_code="73301",
                      country="US")


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()


@pytest.fixture
def actor(store):
    user = get_user_model().objects.create(username="orders-op")
    MembershipFactory(user=user, store=store)
    return user


@pytest.fixture
def enqueued(monkeypatch):
    """Every metrics recompute enqueued, as store ids, instead of running it."""
    calls: list[int] = []

    def apply_async(*, args, countdown=None):
        calls.append(args[0])

    # The services queue the task by name (core.background.task_named): replace how the registered task queues.
    monkeypatch.setattr("metrics.tasks.metrics_recompute_store_task.apply_async", apply_async)
    return calls


def _data(order_id: str = "113-1234567-1234567", *, items: list[ItemData] | None = None,
          **extra) -> OrderData:
    extra.setdefault("purchase_date", timezone.now() - timedelta(hours=3))
    extra.setdefault("address", ADDRESS)
    items = [ItemData(sku="SKU-A", quantity=2)] if items is None else items
    return OrderData(amazon_order_id=order_id, items=items, **extra)


def _db_state(store) -> dict:
    """Everything an order service may touch, to prove a refusal left it all as it was."""
    return {
        "orders": [model_to_dict(o) for o in Order.objects.filter(store=store).order_by("pk")],
        "items": list(OrderItem.objects.filter(store=store).order_by("pk").values()),
        "listings": list(Listing.objects.filter(store=store).order_by("pk").values()),
        "movements": StockMovement.objects.count(),
        "events": OrderEvent.objects.count(),
        "shipments": Shipment.objects.count(),
        "shipment_items": ShipmentItem.objects.count(),
    }


def _stock(listing: Listing) -> tuple[int, int]:
    listing.refresh_from_db()
    return listing.quantity_available, listing.quantity_reserved


# --- Creation and reservation ---


def test_create_reserves_stock_for_mfn_items(store, actor):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order = order_create(store=store, data=_data(), actor=actor)
    item = order.items.get()
    assert (item.listing, item.quantity_reserved) == (listing, 2)
    assert _stock(listing) == (3, 2)
    movement = StockMovement.objects.get(listing=listing)
    assert (movement.reason, movement.available_delta, movement.reserved_delta, movement.order) == (
        StockMovement.Reason.RESERVE, -2, 2, order)
    assert order.risk_flags == []


def test_create_afn_order_reserves_nothing(store):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=5, fulfillment_channel=Channel.AFN)
    order = order_create(store=store, data=_data(fulfillment_channel=Channel.AFN))
    assert order.items.get().quantity_reserved == 0
    assert _stock(listing) == (5, 0)
    assert not StockMovement.objects.exists()
    assert order.risk_flags == []


def test_create_short_of_stock_reserves_what_there_is_and_flags_it(store):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=1)
    order = order_create(store=store, data=_data(items=[ItemData(sku="SKU-A", quantity=3)]))
    assert order.items.get().quantity_reserved == 1
    assert _stock(listing) == (0, 1)
    assert RiskFlag.STOCK_SHORT in order.risk_flags


def test_create_with_nothing_in_stock_reserves_nothing_and_writes_no_movement(store):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=0)
    order = order_create(store=store, data=_data())
    assert order.items.get().quantity_reserved == 0
    assert _stock(listing) == (0, 0)
    assert not StockMovement.objects.exists()
    assert RiskFlag.STOCK_SHORT in order.risk_flags


def test_create_item_without_listing_reserves_nothing(store):
    order = order_create(store=store, data=_data(items=[ItemData(sku="UNKNOWN", quantity=1)]))
    item = order.items.get()
    assert (item.listing, item.quantity_reserved) == (None, 0)
    assert RiskFlag.STOCK_SHORT not in order.risk_flags


def test_create_records_the_created_event(store, actor):
    data = _data()
    order = order_create(store=store, data=data, actor=actor, source="api")
    event = order.events.get()
    assert (event.kind, event.from_status, event.to_status, event.actor, event.source, event.at) == (
        OrderEvent.Kind.CREATED, "", OrderStatus.UNSHIPPED, actor, "api", data.purchase_date)


def test_create_sums_the_order_total(store):
    order = order_create(store=store, data=_data(items=[
        ItemData(sku="A", quantity=1, item_price=Decimal("10.50")),
        ItemData(sku="B", quantity=2, item_price=Decimal("4.25")),
    ]))
    assert order.order_total == Decimal("14.75")
    assert order.currency == store.currency


@pytest.mark.parametrize(("data", "message"), [
    (lambda: _data("12345"), "not an Amazon order id"),
    (lambda: _data(items=[]), "at least one item"),
    (lambda: _data(items=[ItemData(sku="SKU-A", quantity=0)]), "quantity of at least 1"),
    (lambda: _data(status=OrderStatus.SHIPPED), "starts as Pending or Unshipped"),
    (lambda: _data(purchase_date=timezone.now() + timedelta(hours=2)), "in the future"),
    (lambda: _data(earliest_ship_date=timezone.now(), latest_ship_date=timezone.now() - timedelta(days=1)),
     "before the earliest"),
], ids=["bad-id", "no-items", "zero-quantity", "bad-status", "future", "ship-window"])
def test_create_refusals_write_nothing(store, data, message):
    ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    before = _db_state(store)
    with pytest.raises(ApplicationError, match=message):
        order_create(store=store, data=data())
    assert _db_state(store) == before


def test_create_refuses_a_duplicate_order_id(store):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order_create(store=store, data=_data())
    before = _db_state(store)
    with pytest.raises(ApplicationError, match="already exists"):
        order_create(store=store, data=_data())
    assert _db_state(store) == before
    assert _stock(listing) == (3, 2)


def test_same_order_id_in_another_store_is_another_order(store, other_store):
    order_create(store=store, data=_data())
    order_create(store=other_store, data=_data())
    assert Order.objects.filter(amazon_order_id="113-1234567-1234567").count() == 2


# --- Cancel ---


def test_cancel_releases_reserved_stock_and_records_why(store, actor):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order = order_create(store=store, data=_data())
    at = timezone.now() - timedelta(minutes=5)
    order_cancel(order=order, initiator="buyer", reason="  Ordered by mistake ", actor=actor, at=at)
    order.refresh_from_db()
    assert (order.status, order.canceled_at, order.cancel_initiator, order.cancel_reason) == (
        OrderStatus.CANCELED, at, "buyer", "Ordered by mistake")
    assert order.items.get().quantity_reserved == 0
    assert _stock(listing) == (5, 0)
    release = StockMovement.objects.get(reason=StockMovement.Reason.RELEASE)
    assert (release.available_delta, release.reserved_delta, release.order, release.actor) == (
        2, -2, order, actor)
    event = order.events.latest("id")
    assert (event.kind, event.from_status, event.to_status, event.actor, event.at) == (
        OrderEvent.Kind.CANCEL, OrderStatus.UNSHIPPED, OrderStatus.CANCELED, actor, at)
    assert "Ordered by mistake" in event.note and "Buyer" in event.note


def test_cancel_of_a_partly_reserved_order_releases_only_what_was_reserved(store):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=1)
    order = order_create(store=store, data=_data(items=[ItemData(sku="SKU-A", quantity=4)]))
    order_cancel(order=order, initiator="seller", reason="Out of stock")
    assert _stock(listing) == (1, 0)
    order.refresh_from_db()
    assert order.risk_flags == []


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"initiator": "seller", "reason": "   "}, "reason"),
    ({"initiator": "martian", "reason": "Because"}, "initiator must be one of"),
    ({"initiator": "seller", "reason": "Because", "at": timezone.now() + timedelta(days=1)}, "in the future"),
], ids=["missing-reason", "bad-initiator", "future"])
def test_cancel_refusals_change_nothing(store, kwargs, message):
    ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order = order_create(store=store, data=_data())
    before = _db_state(store)
    with pytest.raises(ApplicationError, match=message):
        order_cancel(order=order, **kwargs)
    assert _db_state(store) == before


def test_cancel_before_the_purchase_is_refused(store):
    order = order_create(store=store, data=_data())
    before = _db_state(store)
    with pytest.raises(ApplicationError, match="before it was placed"):
        order_cancel(order=order, initiator="seller", reason="x",
                     at=order.purchase_date - timedelta(minutes=1))
    assert _db_state(store) == before


def test_cancel_refuses_a_shipped_order(store):
    ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order = order_create(store=store, data=_data())
    order_ship(order=order, carrier="UPS", tracking_number=TRACKING)
    before = _db_state(store)
    with pytest.raises(ApplicationError, match="already has a confirmed shipment"):
        order_cancel(order=order, initiator="buyer", reason="Too late")
    assert _db_state(store) == before


def test_cancel_refuses_a_shipped_order_without_shipment_rows_by_the_state_machine(store):
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED)
    with pytest.raises(InvalidTransition, match="Shipped"):
        order_cancel(order=order, initiator="seller", reason="x")


# --- Ship ---


def test_ship_consumes_reserved_stock_and_records_the_shipment(store, actor):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order = order_create(store=store, data=_data())
    shipped_at = timezone.now() - timedelta(hours=1)
    shipment = order_ship(order=order, carrier="UPS", tracking_number=" 1Z999AA1 0123456784 ", actor=actor,
                          shipped_at=shipped_at)
    assert (shipment.carrier, shipment.tracking_number, shipment.shipped_at) == ("UPS", TRACKING, shipped_at)
    assert list(shipment.items.values_list("quantity", flat=True)) == [2]
    order.refresh_from_db()
    item = order.items.get()
    assert order.status == OrderStatus.SHIPPED
    assert (item.quantity_shipped, item.quantity_reserved) == (2, 0)
    assert _stock(listing) == (3, 0)
    consume = StockMovement.objects.get(reason=StockMovement.Reason.CONSUME)
    assert (consume.available_delta, consume.reserved_delta, consume.actor) == (0, -2, actor)
    event = order.events.latest("id")
    assert (event.kind, event.from_status, event.to_status, event.actor, event.at) == (
        OrderEvent.Kind.SHIPMENT, OrderStatus.UNSHIPPED, OrderStatus.SHIPPED, actor, shipped_at)
    assert TRACKING in event.note and "UPS" in event.note


def test_partial_shipments_move_to_partially_shipped_then_shipped(store):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=10)
    order = order_create(store=store, data=_data(items=[ItemData(sku="SKU-A", quantity=3),
                                                        ItemData(sku="SKU-B", quantity=1)]))
    first, second = order.items.order_by("id")
    order_ship(order=order, carrier="USPS", tracking_number="9400111899223197428490",
               quantities={first.pk: 2})
    order.refresh_from_db()
    first.refresh_from_db()
    assert order.status == OrderStatus.PARTIALLY_SHIPPED
    assert (first.quantity_shipped, first.quantity_reserved) == (2, 1)
    assert _stock(listing) == (7, 1)
    order_ship(order=order, carrier="USPS", tracking_number="9400111899223197428491")
    order.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert (first.quantity_shipped, second.quantity_shipped) == (3, 1)
    assert _stock(listing) == (7, 0)
    assert order.shipments.count() == 2
    moves = order.events.filter(kind=OrderEvent.Kind.SHIPMENT).values_list("from_status", "to_status")
    assert list(moves) == [
        (OrderStatus.UNSHIPPED, OrderStatus.PARTIALLY_SHIPPED),
        (OrderStatus.PARTIALLY_SHIPPED, OrderStatus.SHIPPED),
    ]


def test_ship_of_a_short_order_takes_what_came_in_since_and_never_goes_negative(store):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=1)
    order = order_create(store=store, data=_data(items=[ItemData(sku="SKU-A", quantity=3)]))
    Listing.objects.filter(pk=listing.pk).update(quantity_available=1)  # one more unit arrived
    order_ship(order=order, carrier="UPS", tracking_number=TRACKING)
    assert _stock(listing) == (0, 0)
    consume = StockMovement.objects.get(reason=StockMovement.Reason.CONSUME)
    assert (consume.available_delta, consume.reserved_delta) == (-1, -1)


def _shippable(store, **order_kwargs):
    listing = ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order = order_create(store=store, data=_data(**order_kwargs))
    return order, order.items.get(), listing


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"quantities": {"item": 0}}, "cannot be shipped"),
    ({"quantities": {"item": 3}}, "cannot be shipped"),
    ({"quantities": {999999: 1}}, "not in order"),
    ({"quantities": {}}, "Nothing is left"),
    ({"shipped_at": "before"}, "before the order was placed"),
    ({"shipped_at": "future"}, "in the future"),
    ({"tracking_number": "  "}, "tracking number is required"),
    ({"carrier": "Pigeon"}, "Unknown carrier"),
    ({"carrier": "Other", "carrier_name": ""}, "Name the carrier"),
], ids=["zero", "too-many", "unknown-item", "empty", "before-purchase", "future", "no-tracking",
        "bad-carrier", "other-unnamed"])
def test_ship_refusals_change_nothing(store, kwargs, message):
    order, item, _ = _shippable(store)
    kwargs = dict(kwargs)
    if "quantities" in kwargs:
        kwargs["quantities"] = {item.pk if k == "item" else k: v for k, v in kwargs["quantities"].items()}
    if kwargs.get("shipped_at") == "before":
        kwargs["shipped_at"] = order.purchase_date - timedelta(minutes=1)
    elif kwargs.get("shipped_at") == "future":
        kwargs["shipped_at"] = timezone.now() + timedelta(hours=1)
    call = {"carrier": "UPS", "tracking_number": TRACKING, **kwargs}
    before = _db_state(store)
    with pytest.raises(ApplicationError, match=message):
        order_ship(order=order, **call)
    assert _db_state(store) == before


def test_ship_refuses_an_afn_order(store):
    ListingFactory(store=store, sku="SKU-A", quantity_available=5)
    order = order_create(store=store, data=_data(fulfillment_channel=Channel.AFN))
    before = _db_state(store)
    with pytest.raises(ApplicationError, match="fulfilled by Amazon"):
        order_ship(order=order, carrier="UPS", tracking_number=TRACKING)
    assert _db_state(store) == before


def test_ship_refuses_a_cancelled_order(store):
    order, _, _ = _shippable(store)
    order_cancel(order=order, initiator="buyer", reason="Changed mind")
    before = _db_state(store)
    with pytest.raises(ApplicationError, match="Cancelled and cannot be shipped"):
        order_ship(order=order, carrier="UPS", tracking_number=TRACKING)
    assert _db_state(store) == before


def test_ship_refuses_an_order_already_shipped(store):
    order, _, _ = _shippable(store)
    order_ship(order=order, carrier="UPS", tracking_number=TRACKING)
    before = _db_state(store)
    with pytest.raises(ApplicationError, match="Shipped and cannot be shipped"):
        order_ship(order=order, carrier="UPS", tracking_number="1Z999AA10123456785")
    assert _db_state(store) == before


# --- Status changes ---


def test_confirm_and_pack_record_their_times_and_events(store, actor):
    order, _, _ = _shippable(store)
    order_confirm(order=order, actor=actor)
    order_pack(order=order, actor=actor)
    order.refresh_from_db()
    assert order.status == OrderStatus.PACKED
    assert order.confirmed_at is not None and order.packed_at >= order.confirmed_at
    moves = order.events.filter(kind=OrderEvent.Kind.STATUS).values_list("from_status", "to_status", "actor")
    assert list(moves) == [
        (OrderStatus.UNSHIPPED, OrderStatus.CONFIRMED, actor.pk),
        (OrderStatus.CONFIRMED, OrderStatus.PACKED, actor.pk),
    ]


def test_set_status_keeps_the_note_and_time(store, actor):
    order, _, _ = _shippable(store)
    at = timezone.now() - timedelta(minutes=10)
    order_set_status(order=order, status=OrderStatus.CONFIRMED, actor=actor, note="Checked the address",
                     at=at)
    event = order.events.latest("id")
    assert (event.note, event.at, event.source) == ("Checked the address", at, "ui")


@pytest.mark.parametrize(("status", "message"), [
    (OrderStatus.CANCELED, "Use cancel"),
    (OrderStatus.SHIPPED, "Use ship"),
    (OrderStatus.PARTIALLY_SHIPPED, "Use ship"),
])
def test_set_status_sends_cancel_and_ship_to_their_services(store, status, message):
    order, _, _ = _shippable(store)
    before = _db_state(store)
    with pytest.raises(ApplicationError, match=message):
        order_set_status(order=order, status=status)
    assert _db_state(store) == before


def test_amazon_reports_an_fba_order_shipped_through_set_status(store):
    order = order_create(store=store, data=_data(fulfillment_channel=Channel.AFN))
    order_set_status(order=order, status=OrderStatus.SHIPPED, source="sync")
    order.refresh_from_db()
    assert order.status == OrderStatus.SHIPPED
    assert order.events.latest("id").source == "sync"


def test_an_fba_order_has_nothing_to_confirm(store):
    order = order_create(store=store, data=_data(fulfillment_channel=Channel.AFN))
    with pytest.raises(ApplicationError, match="nothing to confirm"):
        order_confirm(order=order)


def test_unfulfillable_releases_the_reservation(store):
    order, _, listing = _shippable(store)
    order_set_status(order=order, status=OrderStatus.UNFULFILLABLE, source="sync")
    assert _stock(listing) == (5, 0)
    assert order.items.get().quantity_reserved == 0


def test_note_is_an_event_and_must_say_something(store, actor):
    order, _, _ = _shippable(store)
    event = order_add_note(order=order, note=" Buyer called ", actor=actor)
    assert (event.kind, event.note, event.actor) == (OrderEvent.Kind.NOTE, "Buyer called", actor)
    with pytest.raises(ApplicationError, match="cannot be empty"):
        order_add_note(order=order, note="  ")


def test_event_record_drops_an_anonymous_actor(store):
    from django.contrib.auth.models import AnonymousUser

    order = OrderFactory(store=store)
    event = order_event_record(order=order, kind=OrderEvent.Kind.NOTE, actor=AnonymousUser(), source="ui",
                               at=timezone.now(), note="x")
    assert (event.actor, event.store_id) == (None, store.pk)


def test_every_service_change_leaves_exactly_one_event(store, actor):
    order, item, _ = _shippable(store)
    counts = [order.events.count()]
    order_confirm(order=order, actor=actor)
    counts.append(order.events.count())
    order_pack(order=order, actor=actor)
    counts.append(order.events.count())
    order_ship(order=order, carrier="UPS", tracking_number=TRACKING, quantities={item.pk: 1}, actor=actor)
    counts.append(order.events.count())
    order_ship(order=order, carrier="UPS", tracking_number="1Z999AA10123456785", actor=actor)
    counts.append(order.events.count())
    assert counts == [1, 2, 3, 4, 5]
    assert all(e.actor == actor for e in order.events.exclude(kind=OrderEvent.Kind.CREATED))


# --- Metric recompute triggers ---


def test_a_change_enqueues_one_recompute_after_commit(store, enqueued, django_capture_on_commit_callbacks):
    order, _, _ = _shippable(store)
    cache.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        order_ship(order=order, carrier="UPS", tracking_number=TRACKING)
    assert enqueued == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert enqueued == [store.pk]


def test_changes_in_a_burst_enqueue_one_recompute(store, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_create(store=store, data=_data())
        order_cancel(order=order, initiator="buyer", reason="Changed mind")
    with django_capture_on_commit_callbacks(execute=True):
        order_create(store=store, data=_data("113-1234567-7654321"))
    assert enqueued == [store.pk]


def test_each_store_gets_its_own_recompute(store, other_store, enqueued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order_create(store=store, data=_data())
        order_create(store=other_store, data=_data())
    assert sorted(enqueued) == sorted([store.pk, other_store.pk])


def test_a_rolled_back_change_enqueues_nothing(store, enqueued, django_capture_on_commit_callbacks):
    order, _, listing = _shippable(store)
    cache.clear()
    with (django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError),
          transaction.atomic()):
        order_cancel(order=order, initiator="buyer", reason="Changed mind")
        raise RuntimeError("the request failed after the cancel")
    assert callbacks == []
    assert enqueued == []
    order.refresh_from_db()
    assert order.status == OrderStatus.UNSHIPPED
    assert _stock(listing) == (3, 2)


def test_a_refused_change_enqueues_nothing(store, enqueued, django_capture_on_commit_callbacks):
    order, _, _ = _shippable(store)
    cache.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(ApplicationError):
        order_ship(order=order, carrier="UPS", tracking_number="")
    assert callbacks == []
    assert enqueued == []

