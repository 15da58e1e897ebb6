"""Each seller-fulfilled listing's sellable quantity reaches Amazon after every change that moves it, debounced,
never an older figure after a newer one (``spapi.stock``), against the local Amazon."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from unittest import mock

import psycopg2
import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from core.models import DeferredTask
from imports.services import import_file
from listings.models import Channel, Listing, StockMovement
from listings.selectors import listings_with_sync_problems
from listings.services import stock_adjust, stock_consume, stock_release, stock_reserve, stock_versions_bump
from listings.signals import stock_changed
from orders.models import CancelInitiator, OrderStatus
from orders.services import ItemData, OrderData, order_cancel, order_create
from returns.services import return_authorize, return_create, return_receive
from spapi import stock
from spapi.services import credentials_save
from spapi.stock import (
    LOCK_NAMESPACE,
    STOCK_PUSH_TASK,
    Outcome,
    stock_push,
    stock_push_accepted,
    stock_push_failed,
    stock_push_sweep,
)
from tests.factories import ListingFactory, OrderFactory, OrderItemFactory
from tests.imports.conftest import sample

from .conftest import SECRETS

pytestmark = pytest.mark.django_db

SKU = "MUG-450"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def on_amazon(amazon, sku: str, quantity: int = 99) -> None:
    """``sku`` is a listing of the local Amazon's seller, holding ``quantity``."""
    amazon.listing_items[sku] = {"productType": "DRINKING_CUP", "submissions": [], "attributes": {
        "fulfillment_availability": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}]}}


@pytest.fixture
def listing(store, amazon, credentials) -> Listing:
    on_amazon(amazon, SKU)
    return ListingFactory(store=store, sku=SKU, product_type="DRINKING_CUP", quantity_available=5, safety_stock=2)


def reload(listing: Listing) -> Listing:
    listing.refresh_from_db()
    return listing


def sent_quantities(amazon, sku: str = SKU) -> list[int]:
    import json
    return [json.loads(call.body)["patches"][0]["value"][0]["quantity"]
            for call in amazon.calls("patchListingsItem") if call.path.endswith(f"/{sku}")]


def order_for(store, quantity: int, sku: str = SKU, n: int = 1):
    return order_create(store=store, data=OrderData(
        amazon_order_id=f"113-0000000-{n:07d}", purchase_date=timezone.now() - timedelta(minutes=5),
        items=[ItemData(sku=sku, quantity=quantity, order_item_id=f"{n:014d}", item_price=Decimal("9.99"))]))


# --- versions: every change of the sellable quantity, and only those, owes Amazon a push ------------------


def test_each_movement_that_moves_the_sellable_quantity_bumps_the_version_and_signals(store):
    listing = ListingFactory(store=store, quantity_available=10)
    heard: list[list[int]] = []

    def hear(sender, *, listing_ids, **kwargs):
        heard.append(listing_ids)

    stock_changed.connect(hear, dispatch_uid="test.hear")
    try:
        stock_reserve(listing=listing, quantity=3)
        assert (reload(listing).stock_version, heard) == (1, [[listing.pk]])
        stock_release(listing=listing, quantity=1)
        stock_adjust(listing=listing, available=4)
        assert reload(listing).stock_version == 3
        # Shipping reserved units and planning inbound ones leave what Amazon may sell as it was.
        stock_consume(listing=listing, reserved=2)
        stock_adjust(listing=listing, inbound=20)
        stock_reserve(listing=ListingFactory(store=store, quantity_available=0), quantity=1)
        assert reload(listing).stock_version == 3 and len(heard) == 3
        # Shipping units never reserved takes them from available.
        stock_consume(listing=listing, reserved=0, unreserved=2)
        stock_versions_bump(listing_ids=[listing.pk, listing.pk])
        assert reload(listing).stock_version == 5 and heard[-1] == [listing.pk]
    finally:
        stock_changed.disconnect(dispatch_uid="test.hear")
    assert reload(listing).stock_sent_version == 0


def test_an_older_push_finishing_last_never_overwrites_the_newer_figure(listing):
    now = timezone.now()
    Listing.objects.filter(pk=listing.pk).update(stock_version=2)
    # Version 2 (quantity 1) is accepted first; the push of version 1 (quantity 3) completes after it.
    assert stock_push_accepted(listing_id=listing.pk, version=2, quantity=1, at=now)
    assert not stock_push_accepted(listing_id=listing.pk, version=1, quantity=3, at=now + timedelta(seconds=1))
    assert not stock_push_failed(listing_id=listing.pk, version=1, message="late", at=now + timedelta(seconds=2))
    listing = reload(listing)
    assert (listing.stock_sent_version, listing.stock_accepted_quantity, listing.stock_accepted_at,
            listing.stock_sync_error) == (2, 1, now, "")
    # Amazon may hold the older figure now: the listing owes its current one again.
    assert listing.stock_version == 3


def test_the_push_sends_the_figure_of_the_version_it_read(listing, amazon):
    Listing.objects.filter(pk=listing.pk).update(stock_version=7)
    assert stock_push(listing_id=listing.pk) is Outcome.ACCEPTED
    listing = reload(listing)
    assert (listing.stock_sent_version, listing.stock_accepted_quantity) == (7, 3)
    assert amazon.listed_quantity(SKU) == 3
    # Nothing owed: nothing sent.
    assert stock_push(listing_id=listing.pk) is Outcome.UP_TO_DATE
    assert len(amazon.calls("patchListingsItem")) == 1
    body = amazon.calls("patchListingsItem")[0]
    assert body.query["marketplaceIds"] == ["ATVPDKIKX0DER"] and "/A2EXAMPLESELLER/MUG-450" in body.path


def test_a_burst_of_changes_queues_one_push_per_listing(listing, settings, django_capture_on_commit_callbacks):
    settings.SPAPI_STOCK_DEBOUNCE_SECONDS = 3
    other = ListingFactory(store=listing.store, sku="MUG-OTHER", quantity_available=5)
    task = mock.Mock()
    with mock.patch.object(stock, "task_named", return_value=task):
        for _ in range(3):
            with django_capture_on_commit_callbacks(execute=True):
                stock_reserve(listing=listing, quantity=1)
                stock_adjust(listing=other, available=1)
        assert [c.kwargs for c in task.apply_async.call_args_list] == [
            {"args": [listing.pk], "countdown": 3}, {"args": [other.pk], "countdown": 3}]
        # The push starts (and clears its pending key): the next change queues another.
        stock._forget_pending(listing.pk)
        with django_capture_on_commit_callbacks(execute=True):
            stock_adjust(listing=listing, available=1)
        assert task.apply_async.call_count == 3


def test_listings_amazon_does_not_have_or_the_store_cannot_push_are_not_pushed(store, amazon, credentials,
                                                                            django_capture_on_commit_callbacks):
    draft = ListingFactory(store=store, sku="DRAFT-1", asin="", quantity_available=4)
    fba = ListingFactory(store=store, sku="FBA-1", fulfillment_channel=Channel.AFN, quantity_available=4)
    for listing in (draft, fba):
        on_amazon(amazon, listing.sku)
        with django_capture_on_commit_callbacks(execute=True):
            stock_adjust(listing=listing, available=1)
    assert amazon.calls("patchListingsItem") == []
    assert stock_push(listing_id=draft.pk) is Outcome.NOT_PUSHED
    # Published by us, with no ASIN yet: pushed.
    Listing.objects.filter(pk=draft.pk).update(published_at=timezone.now())
    assert stock_push(listing_id=draft.pk) is Outcome.ACCEPTED
    # A store without a seller id owes nothing.
    credentials_save(store=store, seller_id="")
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(listing=draft, available=1)
    assert len(amazon.calls("patchListingsItem")) == 1
    assert stock_push_sweep() == 0


# --- every kind of change reaches the local Amazon ------------------------------------------------------


def test_an_order_for_the_last_sellable_unit_sends_zero_and_its_cancellation_sends_it_back(
        listing, store, amazon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        order = order_for(store, 3)
    listing = reload(listing)
    assert (listing.quantity_available, listing.sellable_quantity) == (2, 0)
    assert amazon.listed_quantity(SKU) == 0
    assert (listing.stock_accepted_quantity, listing.stock_sent_version) == (0, listing.stock_version)
    assert listing.stock_accepted_at is not None

    with django_capture_on_commit_callbacks(execute=True):
        order_cancel(order=order, initiator=CancelInitiator.SELLER, reason="Out of stock")
    assert amazon.listed_quantity(SKU) == 3
    assert sent_quantities(amazon) == [0, 3]


def test_an_adjustment_goods_received_and_a_return_restocked_are_each_pushed(
        listing, store, amazon, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(listing=listing, available=-1, note="Counted")
    assert amazon.listed_quantity(SKU) == 2
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(listing=listing, available=10, reason=StockMovement.Reason.RECEIVE, note="Delivery")
    assert amazon.listed_quantity(SKU) == 12

    order = OrderFactory(store=store, status=OrderStatus.DELIVERED, purchase_date=timezone.now() - timedelta(days=10))
    OrderItemFactory(order=order, listing=listing, sku=SKU, quantity=2, quantity_shipped=2)
    request = return_authorize(return_request=return_create(
        order=order, sku=SKU, quantity=2, reason="DEFECTIVE", requested_at=timezone.now() - timedelta(days=2)))
    with django_capture_on_commit_callbacks(execute=True):
        return_receive(return_request=request, disposition="sellable")
    assert amazon.listed_quantity(SKU) == 14
    assert sent_quantities(amazon) == [2, 12, 14]


def test_an_order_import_reserving_stock_is_pushed(store, amazon, credentials, django_capture_on_commit_callbacks):
    for sku in ("BOTTLE-750", "LID-BAMBOO"):
        on_amazon(amazon, sku)
    bottle = ListingFactory(store=store, sku="BOTTLE-750", asin="B0BOTTLE01", quantity_available=10)
    lid = ListingFactory(store=store, sku="LID-BAMBOO", asin="B0LIDBAMB1", quantity_available=1)
    with django_capture_on_commit_callbacks(execute=True):
        import_file(store=store, kind="unshipped_orders", data=sample("unshipped_orders.txt"))
    bottle, lid = reload(bottle), reload(lid)
    assert lid.quantity_available == 0 and bottle.quantity_available < 10
    assert (amazon.listed_quantity("LID-BAMBOO"), amazon.listed_quantity("BOTTLE-750")) == (
        0, bottle.quantity_available)
    assert (lid.stock_version, lid.stock_sent_version) == (1, 1)


# --- failures ---------------------------------------------------------------------------------------------


def test_amazons_issues_are_kept_on_the_listing_until_a_push_is_accepted(listing, amazon,
                                                                          django_capture_on_commit_callbacks):
    amazon.listing_issues[SKU] = [{"code": "8541", "message": "The SKU data conflicts with the catalogue.",
                                   "severity": "ERROR", "attributeNames": ["fulfillment_availability"]}]
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(listing=listing, available=1)
    listing = reload(listing)
    assert "8541: The SKU data conflicts with the catalogue." in listing.stock_sync_error
    assert "INVALID" in listing.stock_sync_error and listing.stock_sync_failed_at is not None
    assert (listing.stock_sent_version, listing.stock_accepted_quantity) == (0, None)
    assert amazon.listed_quantity(SKU) == 99

    # The sweep leaves it alone for a while, then tries again; Amazon accepts now.
    assert stock_push_sweep() == 0
    amazon.listing_issues.pop(SKU)
    with mock.patch.object(stock, "task_named") as task_named:
        assert stock_push_sweep(now=timezone.now() + timedelta(hours=1)) == 1
    assert task_named.return_value.apply_async.call_args.kwargs == {"args": [listing.pk], "countdown": 0}
    assert stock_push(listing_id=listing.pk) is Outcome.ACCEPTED
    listing = reload(listing)
    assert (listing.stock_sync_error, listing.stock_sync_failed_at, listing.stock_accepted_quantity) == ("", None, 4)


def test_throttling_is_retried_with_back_off(listing, amazon, sleeps):
    Listing.objects.filter(pk=listing.pk).update(stock_version=1)
    amazon.throttle["patchListingsItem"] = 2
    assert stock_push(listing_id=listing.pk, sleep=sleeps.append) is Outcome.ACCEPTED
    assert len(sleeps) == 2 and amazon.listed_quantity(SKU) == 3


def test_refused_credentials_are_an_error_on_the_listing(listing, store):
    credentials_save(store=store, refresh_token="Atzr|revoked", lwa_client_id=SECRETS["lwa_client_id"],
                     lwa_client_secret=SECRETS["lwa_client_secret"])
    Listing.objects.filter(pk=listing.pk).update(stock_version=1)
    assert stock_push(listing_id=listing.pk, sleep=lambda s: None) is Outcome.REFUSED
    assert "Login with Amazon" in reload(listing).stock_sync_error


def test_a_second_push_of_a_listing_being_pushed_waits_its_turn(listing, amazon):
    Listing.objects.filter(pk=listing.pk).update(stock_version=1)
    settings_dict = connection.settings_dict
    other = psycopg2.connect(host=settings_dict["HOST"] or "127.0.0.1", port=settings_dict["PORT"] or 5432,
                             user=settings_dict["USER"], password=settings_dict["PASSWORD"] or None,
                             dbname=settings_dict["NAME"])
    other.autocommit = True
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, listing.pk])
        with mock.patch.object(stock, "task_named") as task_named:
            assert stock_push(listing_id=listing.pk) is Outcome.BUSY
        assert task_named.return_value.apply_async.call_args.kwargs["args"] == [listing.pk]
        assert amazon.calls("patchListingsItem") == []
    finally:
        other.close()  # its session ends: the lock is free
    assert stock_push(listing_id=listing.pk) is Outcome.ACCEPTED


def test_a_push_the_broker_refused_is_owed_work_and_clears_it_when_it_runs(listing, caplog,
                                                                            django_capture_on_commit_callbacks):
    import kombu.exceptions

    task = mock.Mock()
    task.apply_async.side_effect = kombu.exceptions.OperationalError("Connection refused")
    with mock.patch.object(stock, "task_named", return_value=task), \
            django_capture_on_commit_callbacks(execute=True):
        stock_adjust(listing=listing, available=-3)
    owed = DeferredTask.objects.get()
    assert (owed.task, owed.object_id, owed.store_id) == (STOCK_PUSH_TASK, listing.pk, listing.store_id)
    assert reload(listing).stock_version == 1 and not cache.get(stock._pending_key(listing.pk))
    assert stock_push(listing_id=listing.pk) is Outcome.ACCEPTED
    assert not DeferredTask.objects.exists()
    assert reload(listing).stock_accepted_quantity == 0


# --- pages ----------------------------------------------------------------------------------------------


def test_the_listing_page_shows_what_amazon_has_and_the_list_flags_a_failed_push(listing, amazon, op_client,
                                                                                  django_capture_on_commit_callbacks):
    page = op_client.get(f"/listings/{listing.pk}/").content.decode()
    assert "Amazon has not accepted a quantity from SellerOps yet." in page and 'data-pending="false"' in page

    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(listing=listing, available=-2)
    page = op_client.get(f"/listings/{listing.pk}/").content.decode()
    assert "Amazon has 1 (accepted at " in page and 'data-failed="false"' in page

    # The stock moves while Amazon refuses it: the page says so, the list flags the row.
    amazon.listing_issues[SKU] = [{"code": "8541", "message": "Conflicts with the catalogue.", "severity": "ERROR"}]
    with django_capture_on_commit_callbacks(execute=True):
        stock_adjust(listing=listing, available=4)
    page = op_client.get(f"/listings/{listing.pk}/").content.decode()
    assert "Amazon has 1 (accepted at " in page and 'data-pending="true"' in page and 'data-failed="true"' in page
    assert "Stock push failed" in page and "8541: Conflicts with the catalogue." in page
    rows = op_client.get("/listings/").content.decode()
    assert rows.count("stock-sync-failed") == 1
    assert list(listings_with_sync_problems(Listing.objects.all())) == [listing]

    amazon.listing_issues.clear()
    assert stock_push(listing_id=listing.pk) is Outcome.ACCEPTED
    assert "stock-sync-failed" not in op_client.get("/listings/").content.decode()
    assert not listings_with_sync_problems(Listing.objects.all()).exists()


def test_an_fba_listing_page_says_nothing_of_the_stock_push(store, op_client):
    fba = ListingFactory(store=store, fulfillment_channel=Channel.AFN)
    page = op_client.get(f"/listings/{fba.pk}/").content.decode()
    assert 'id="stock-sync"' not in page
