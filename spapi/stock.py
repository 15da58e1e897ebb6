"""Keep each seller-fulfilled listing's quantity on Amazon equal to what we may sell, never oversold.

What is owed lives in PostgreSQL, in the listing row itself: every change of the sellable quantity bumps
``Listing.stock_version`` in the same UPDATE as the change (``listings.services``), and Amazon is owed the
listing's current figure while ``stock_version > stock_sent_version``. Nothing here can lose that debt: Redis
only makes the push prompt.

How a change reaches Amazon:

1. The movement sends ``listings.signals.stock_changed``; ``spapi.receivers`` calls ``stock_push_soon``, which,
   once the transaction commits, queues ``spapi_push_stock_task(listing_id)`` ``SPAPI_STOCK_DEBOUNCE_SECONDS``
   later for each listing Amazon has and that the store can push (MFN, on Amazon, active credentials with a
   seller id). A pending key in the cache (``cache.add``) makes a burst queue one task per listing, not one
   per change; the task clears the key as it starts, so any change after that queues another.
2. The task (``stock_push``) takes a PostgreSQL advisory lock on the listing (``pg_try_advisory_lock``; a second
   push of the same listing meanwhile queues itself again and returns), reads the version and the quantity from
   the same row, sends ``fulfillment_availability`` with the Listings Items API (``patchListingsItem``; ``call``
   backs off on 429), and records Amazon's answer:
   - ACCEPTED: ``stock_push_accepted`` writes ``stock_sent_version``, the quantity and the time only if no
     newer version was accepted before (``stock_sent_version < version``, one conditional UPDATE). If a newer
     one was (an older push finishing last), Amazon may hold the older figure, so the listing is owed again.
   - refused (INVALID with Amazon's issues, an HTTP error, throttled to the end, credentials refused):
     ``stock_push_failed`` keeps the error and its time on the listing; the version stays owed.
   The lock is held across the call, and the lock is not the row lock, so orders keep reserving meanwhile.
   If ``stock_version`` moved on while the push ran, the push queues the next one.
3. Faults. Redis down when a change commits: the debt is already in the row; queuing fails, a
   ``core.models.DeferredTask`` row is written (the pages show that background work is paused, and
   ``deferred_tasks_requeue`` queues it when Redis is back). A worker killed mid-push: its database session
   ends and frees the lock; the pending key expires; the beat sweep (``stock_push_sweep``, every minute) queues
   every owed listing not already pending. A failed push is retried by the sweep once
   ``SPAPI_STOCK_RETRY_SECONDS`` have passed since it failed, and at once by the next change of its stock.

Never an older figure after a newer one: pushes of one listing are serialised by the lock, each sends the
figure of the version it read, and an accepted figure is recorded only over an older one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import BROKER_ERRORS, deferred_task_done, deferred_task_seen, task_defer, task_named
from core.errors import ApplicationError
from listings.models import Channel, Listing

from .client import Sleep, call, clients_for

logger = logging.getLogger(__name__)

STOCK_PUSH_TASK = "spapi.tasks.spapi_push_stock_task"
#: The first key of the advisory locks of stock pushes (the second is the listing id).
LOCK_NAMESPACE = 0x53544B  # "STK"
#: Amazon's product type when the listing has none recorded: enough for a patch of offer attributes.
DEFAULT_PRODUCT_TYPE = "PRODUCT"
#: Owed listings queued by one sweep at most (the next sweep takes the rest).
SWEEP_LIMIT = 2000


class Outcome(StrEnum):
    ACCEPTED = "accepted"
    REFUSED = "refused"
    UP_TO_DATE = "up to date"
    NOT_PUSHED = "not pushed"
    BUSY = "busy"


def _pending_key(listing_id: int) -> str:
    return f"spapi:stock-push-pending:{listing_id}"


def pushable_listings() -> QuerySet[Listing]:
    """The listings whose stock is sent to Amazon: seller-fulfilled, existing on Amazon (published by us, or
    known to Amazon by an ASIN or a listing date), of an active store with active credentials and a seller id."""
    return (Listing.objects.filter(fulfillment_channel=Channel.MFN, store__is_active=True,
                                   store__spapi_credentials__is_active=True)
            .exclude(store__spapi_credentials__seller_id="")
            .filter(Q(published_at__isnull=False) | ~Q(asin="") | Q(open_date__isnull=False)))


def owed_listings() -> QuerySet[Listing]:
    return pushable_listings().filter(stock_version__gt=F("stock_sent_version"))


def stock_patch_body(*, product_type: str, quantity: int) -> dict[str, Any]:
    """The ``patchListingsItem`` body that sets the seller-fulfilled quantity."""
    return {"productType": product_type or DEFAULT_PRODUCT_TYPE, "patches": [{
        "op": "replace", "path": "/attributes/fulfillment_availability",
        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
    }]}


def stock_push_schedule(*, listing_id: int, store_id: int, countdown: float | None = None) -> bool:
    """Queue a push of ``listing_id`` unless one is pending; False if the broker refused (then it is recorded
    as owed background work, and the listing's version keeps it owed anyway)."""
    delay = settings.SPAPI_STOCK_DEBOUNCE_SECONDS if countdown is None else countdown
    key = _pending_key(listing_id)
    try:
        # The key outlives the delay so that a push stuck in a queue still absorbs the burst; if the push is
        # lost, the key expires and the next change or sweep queues another.
        if cache.add(key, 1, timeout=max(int(delay) * 10, 60)):
            try:
                task_named(STOCK_PUSH_TASK).apply_async(args=[listing_id], countdown=delay)  # type: ignore[arg-type]  # a list: fine for Celery, not its stubs
            except BROKER_ERRORS:
                _forget_pending(listing_id)
                raise
    except BROKER_ERRORS as error:
        task_defer(task_name=STOCK_PUSH_TASK, store_id=store_id, object_id=listing_id, error=error)
        return False
    return True


def _forget_pending(listing_id: int) -> None:
    with suppress(*BROKER_ERRORS):  # the key expires by itself
        cache.delete(_pending_key(listing_id))


def stock_push_soon(*, listing_ids: Iterable[int]) -> None:
    """The sellable quantity of ``listing_ids`` changed in the current transaction: once it commits, queue a
    debounced push of those Amazon should hear of."""
    ids = sorted(set(listing_ids))
    if not ids:
        return

    def enqueue() -> None:
        for listing_id, store_id in owed_listings().filter(pk__in=ids).values_list("pk", "store_id"):
            stock_push_schedule(listing_id=listing_id, store_id=store_id)

    # Robust: the change has committed; a push that cannot be queued is owed in the row, never an error answer.
    transaction.on_commit(enqueue, robust=True)


@contextmanager
def _push_lock(listing_id: int) -> Iterator[bool]:
    """Hold the listing's push lock for the block, if no one else holds it: yields whether it was taken.
    A session lock, not the row's: reservations go on while Amazon answers; a dead worker's session frees it."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, listing_id])
        taken = bool(cursor.fetchone()[0])
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, listing_id])


def stock_push_accepted(*, listing_id: int, version: int, quantity: int, at: datetime) -> bool:
    """Record that Amazon accepted ``quantity`` as of ``version``, unless a newer version was accepted first.

    When one was, Amazon may have applied this older figure after the newer one: the listing is owed its
    current figure again (its version moves on). Returns whether this push was recorded.
    """
    recorded = Listing.objects.filter(pk=listing_id, stock_sent_version__lt=version).update(
        stock_sent_version=version, stock_accepted_quantity=quantity, stock_accepted_at=at,
        stock_sync_error="", stock_sync_failed_at=None)
    if not recorded:
        logger.warning("Stock push of listing %s (version %s) finished after a newer one; pushing again.",
                       listing_id, version)
        Listing.objects.filter(pk=listing_id).update(stock_version=F("stock_version") + 1)
    return bool(recorded)


def stock_push_failed(*, listing_id: int, version: int, message: str, at: datetime) -> bool:
    """Keep why the push of ``version`` failed, unless a newer version has been accepted since."""
    return bool(Listing.objects.filter(pk=listing_id, stock_sent_version__lt=version).update(
        stock_sync_error=message[:2000], stock_sync_failed_at=at))


def _issues_message(issues: list[dict[str, Any]]) -> str:
    messages = [f"{issue.get('code', '')}: {issue.get('message', '')}".strip(": ") for issue in issues
                if issue.get("severity") == "ERROR"] or [str(issue.get("message", "")) for issue in issues]
    return "; ".join(message for message in messages if message)


@dataclass(frozen=True)
class Sent:
    version: int
    quantity: int
    outcome: Outcome
    error: str = ""


def _send(listing: Listing, *, sleep: Sleep | None) -> Sent:
    """Send ``listing``'s sellable quantity, as read with its version, and record Amazon's answer."""
    version, quantity = listing.stock_version, listing.sellable_quantity
    now = timezone.now()
    try:
        clients = clients_for(listing.store.spapi_credentials)
        try:
            response = call(clients.listings.patch_listings_item, clients.seller_id, listing.sku,
                            what="patchListingsItem", sleep=sleep, marketplaceIds=[clients.marketplace_id],
                            body=stock_patch_body(product_type=listing.product_type, quantity=quantity))
        finally:
            clients.close()
    except ApplicationError as error:
        stock_push_failed(listing_id=listing.pk, version=version, message=error.message, at=now)
        return Sent(version, quantity, Outcome.REFUSED, error.message)
    payload = response.payload or {}
    if payload.get("status") != "ACCEPTED":
        message = _("Amazon did not accept the quantity %(quantity)d (%(status)s): %(issues)s") % {
            "quantity": quantity, "status": payload.get("status") or "?",
            "issues": _issues_message(payload.get("issues") or []) or "—"}
        stock_push_failed(listing_id=listing.pk, version=version, message=message, at=now)
        return Sent(version, quantity, Outcome.REFUSED, message)
    stock_push_accepted(listing_id=listing.pk, version=version, quantity=quantity, at=timezone.now())
    return Sent(version, quantity, Outcome.ACCEPTED)


def stock_push(*, listing_id: int, sleep: Sleep | None = None) -> Outcome:
    """Send ``listing_id``'s current sellable quantity to Amazon if it is owed (the task's body)."""
    _forget_pending(listing_id)
    seen = deferred_task_seen(task_name=STOCK_PUSH_TASK, object_id=listing_id)
    with _push_lock(listing_id) as taken:
        listing = (pushable_listings().select_related("store", "store__spapi_credentials")
                   .filter(pk=listing_id).first())
        if listing is None:
            outcome = Outcome.NOT_PUSHED
        elif not taken:
            # Another push of this listing is under way: try again once it is likely done.
            stock_push_schedule(listing_id=listing_id, store_id=listing.store_id)
            return Outcome.BUSY
        elif listing.stock_version <= listing.stock_sent_version:
            outcome = Outcome.UP_TO_DATE
        else:
            sent = _send(listing, sleep=sleep)
            outcome = sent.outcome
            logger.info("Stock of %s (listing %s, version %s): %d %s%s", listing.sku, listing_id, sent.version,
                        sent.quantity, outcome, f" ({sent.error})" if sent.error else "")
    deferred_task_done(task_name=STOCK_PUSH_TASK, object_id=listing_id, seen=seen)
    if outcome is Outcome.ACCEPTED and listing is not None and owed_listings().filter(pk=listing_id).exists():
        # The stock moved again while Amazon answered (or an older push finished last): push the new figure.
        stock_push_schedule(listing_id=listing_id, store_id=listing.store_id)
    return outcome


def stock_push_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Queue a push of every owed listing not pending already (from beat): what a lost task, a dead worker or
    a broker outage left owed. A listing whose last push failed waits ``SPAPI_STOCK_RETRY_SECONDS``. Returns
    how many were queued or found pending."""
    now = now or timezone.now()
    retry_before = now - timedelta(seconds=settings.SPAPI_STOCK_RETRY_SECONDS)
    owed = (owed_listings().filter(Q(stock_sync_failed_at__isnull=True) | Q(stock_sync_failed_at__lt=retry_before))
            .order_by("pk").values_list("pk", "store_id")[:limit])
    queued = 0
    for listing_id, store_id in owed:
        if not stock_push_schedule(listing_id=listing_id, store_id=store_id, countdown=0):
            break  # the broker is still away: the next sweep tries again
        queued += 1
    return queued
