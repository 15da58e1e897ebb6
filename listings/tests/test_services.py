"""Stock services: every movement recorded, no quantity ever below zero."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction

from core.errors import StockError
from listings.models import Listing, StockMovement
from listings.services import stock_adjust, stock_consume, stock_release, stock_reserve
from tests.factories import ListingFactory, OrderFactory

pytestmark = pytest.mark.django_db


def _stock(listing: Listing) -> tuple[int, int, int]:
    listing.refresh_from_db()
    return listing.quantity_available, listing.quantity_reserved, listing.quantity_inbound


def test_reserve_moves_available_to_reserved_and_records_it(store):
    listing = ListingFactory(store=store, quantity_available=5)
    order = OrderFactory(store=store)
    assert stock_reserve(listing=listing, quantity=3, order=order) == 3
    assert _stock(listing) == (2, 3, 0)
    movement = StockMovement.objects.get()
    assert (movement.reason, movement.available_delta, movement.reserved_delta) == (
        StockMovement.Reason.RESERVE, -3, 3)
    assert (movement.order, movement.store) == (order, store)


def test_reserve_when_short_takes_what_there_is(store):
    listing = ListingFactory(store=store, quantity_available=2)
    assert stock_reserve(listing=listing, quantity=5) == 2
    assert _stock(listing) == (0, 2, 0)
    assert stock_reserve(listing=listing, quantity=1) == 0
    assert StockMovement.objects.count() == 1


@pytest.mark.parametrize("quantity", [0, -3])
def test_reserve_nothing_is_a_no_op(store, quantity):
    listing = ListingFactory(store=store, quantity_available=2)
    assert stock_reserve(listing=listing, quantity=quantity) == 0
    assert _stock(listing) == (2, 0, 0)
    assert not StockMovement.objects.exists()


def test_reserve_reads_the_current_quantity_not_a_stale_instance(store):
    listing = ListingFactory(store=store, quantity_available=3)
    stale = Listing.objects.get(pk=listing.pk)
    stock_reserve(listing=listing, quantity=3)
    assert stock_reserve(listing=stale, quantity=3) == 0
    assert _stock(listing) == (0, 3, 0)


def test_release_returns_reserved_units(store):
    listing = ListingFactory(store=store, quantity_available=5)
    stock_reserve(listing=listing, quantity=4)
    stock_release(listing=listing, quantity=3)
    assert _stock(listing) == (4, 1, 0)
    release = StockMovement.objects.get(reason=StockMovement.Reason.RELEASE)
    assert (release.available_delta, release.reserved_delta) == (3, -3)


def test_release_of_more_than_reserved_is_refused_and_changes_nothing(store):
    listing = ListingFactory(store=store, quantity_available=5)
    stock_reserve(listing=listing, quantity=1)
    with pytest.raises(StockError, match="fewer are reserved"):
        stock_release(listing=listing, quantity=2)
    assert _stock(listing) == (4, 1, 0)
    assert StockMovement.objects.count() == 1


def test_consume_takes_reserved_then_available(store):
    listing = ListingFactory(store=store, quantity_available=5)
    stock_reserve(listing=listing, quantity=2)
    stock_consume(listing=listing, reserved=2, unreserved=1)
    assert _stock(listing) == (2, 0, 0)
    consume = StockMovement.objects.get(reason=StockMovement.Reason.CONSUME)
    assert (consume.available_delta, consume.reserved_delta) == (-1, -2)


def test_consume_never_takes_available_below_zero(store):
    listing = ListingFactory(store=store, quantity_available=1)
    stock_consume(listing=listing, reserved=0, unreserved=4)
    assert _stock(listing) == (0, 0, 0)
    stock_consume(listing=listing, reserved=0, unreserved=4)
    assert _stock(listing) == (0, 0, 0)
    assert StockMovement.objects.filter(reason=StockMovement.Reason.CONSUME).count() == 1


def test_consume_of_more_reserved_than_held_is_refused(store):
    listing = ListingFactory(store=store, quantity_available=5)
    stock_reserve(listing=listing, quantity=1)
    with pytest.raises(StockError, match="only 1 are reserved"):
        stock_consume(listing=listing, reserved=2)
    assert _stock(listing) == (4, 1, 0)


def test_adjust_adds_and_removes_and_records_why(store, operator):
    listing = ListingFactory(store=store, quantity_available=5)
    result = stock_adjust(listing=listing, available=3, inbound=10, actor=operator, note="Cycle count")
    assert (result.quantity_available, result.quantity_inbound) == (8, 10)
    stock_adjust(listing=listing, available=-8, reason=StockMovement.Reason.ADJUST)
    assert _stock(listing) == (0, 0, 10)
    first = StockMovement.objects.order_by("id").first()
    assert (first.reason, first.available_delta, first.inbound_delta, first.actor, first.note) == (
        StockMovement.Reason.ADJUST, 3, 10, operator, "Cycle count")


@pytest.mark.parametrize(("available", "inbound"), [(-6, 0), (0, -1), (-1, -1)])
def test_adjust_below_zero_raises_stock_error_and_changes_nothing(store, available, inbound):
    listing = ListingFactory(store=store, quantity_available=5)
    with pytest.raises(StockError, match="below zero"):
        stock_adjust(listing=listing, available=available, inbound=inbound)
    assert _stock(listing) == (5, 0, 0)
    assert not StockMovement.objects.exists()


def test_the_database_itself_refuses_negative_stock(store):
    listing = ListingFactory(store=store, quantity_available=0)
    with pytest.raises(IntegrityError), transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(quantity_reserved=-1)
    assert _stock(listing) == (0, 0, 0)


def test_return_reason_is_recorded(store):
    listing = ListingFactory(store=store, quantity_available=0)
    stock_adjust(listing=listing, available=1, reason=StockMovement.Reason.RETURN)
    assert StockMovement.objects.get().reason == StockMovement.Reason.RETURN
    assert _stock(listing) == (1, 0, 0)
