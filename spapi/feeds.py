"""Many listings at once: a ``JSON_LISTINGS_FEED`` through the Feeds API 2021-06-30.

Amazon stopped accepting flat-file and XML listing feeds from applications in July 2025; this JSON feed is the
only bulk path. The feed (``schemas/feeds/listings-feed-schema-v2.json``) is a header (``sellerId``,
``version`` "2.0", ``issueLocale``) and one message per listing: ``UPDATE`` with all attributes for a listing
never published, ``PATCH`` with ``replace`` patches of what changed for a published one. It is uploaded to the
feed document's URL, the feed created and polled until DONE, and the processing report
(``listings-feed-processing-report-schema-v2.json``) read back: each issue names its ``messageId``, which names
the listing.
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.background import task_enqueue_or_defer
from core.errors import ApplicationError
from core.models import Store
from core.permissions import user_can
from listings.models import Listing

from .attributes import Destination, attribute_patches, listing_attributes
from .client import Sleep, SpApiClients, SpApiError, backoff_delay, call, clients_for, resolve_sleep
from .models import ListingFeed, ListingPublication
from .publish import (
    REFUSE,
    applied_patches,
    destination_of,
    issue_text,
    last_sent_attributes,
    publish_problems,
    publish_verdict,
    publishing_credentials,
)

logger = logging.getLogger(__name__)

FEED_TASK = "spapi.tasks.listing_feed_task"
FEED_TYPE = "JSON_LISTINGS_FEED"
CONTENT_TYPE = "application/json; charset=UTF-8"
#: getFeed is asked this many times at most before the feed is left as submitted (a later run may finish it).
MAX_POLLS = 30
FINAL = {"DONE", "FATAL", "CANCELLED"}


@dataclass
class MessageOutcome:
    message_id: int
    sku: str
    accepted: bool
    issues: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class ProcessingReport:
    summary: dict[str, Any]
    outcomes: dict[int, MessageOutcome]
    #: sku → its ``summaries`` entry for the marketplace, where the report includes items.
    summaries: dict[str, dict[str, Any]]


def feed_message(listing: Listing, message_id: int, where: Destination,
                 held: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """One feed message for ``listing`` and what Amazon will hold once it is accepted; None: nothing to send."""
    if listing.published_at is None:
        attributes = listing_attributes(listing, where, create=True)
        return ({"messageId": message_id, "sku": listing.sku, "operationType": "UPDATE",
                 "productType": listing.product_type, "requirements": "LISTING", "attributes": attributes},
                {k: v for k, v in attributes.items() if k != "fulfillment_availability"})
    current = listing_attributes(listing, where, create=False)
    patches = attribute_patches(sent=held or {}, current=current)
    if not patches:
        return None, held or {}
    return ({"messageId": message_id, "sku": listing.sku, "operationType": "PATCH",
             "productType": listing.product_type, "patches": patches}, applied_patches(held or {}, patches))


def feed_document(*, seller_id: str, issue_locale: str, messages: Sequence[dict[str, Any]]) -> dict[str, Any]:
    return {"header": {"sellerId": seller_id, "version": "2.0", "issueLocale": issue_locale},
            "messages": list(messages)}


def parse_processing_report(report: dict[str, Any], *, skus: dict[int, str],
                            marketplace_id: str) -> ProcessingReport:
    """Each message's outcome: refused when one of its issues is an ERROR, accepted otherwise."""
    by_message: dict[int, list[dict[str, Any]]] = {}
    for issue in report.get("issues") or []:
        try:
            message_id = int(issue.get("messageId"))
        except (TypeError, ValueError):
            continue
        by_message.setdefault(message_id, []).append(issue)
    outcomes = {mid: MessageOutcome(message_id=mid, sku=sku, issues=by_message.get(mid, []),
                                    accepted=not any(i.get("severity") == "ERROR" for i in by_message.get(mid, [])))
                for mid, sku in skus.items()}
    summaries: dict[str, dict[str, Any]] = {}
    for item in report.get("items") or []:
        for summary in item.get("summaries") or []:
            if summary.get("marketplaceId") == marketplace_id and item.get("sku"):
                summaries[str(item["sku"])] = summary
    return ProcessingReport(summary=dict(report.get("summary") or {}), outcomes=outcomes, summaries=summaries)


# --- Queueing --------------------------------------------------------------------------------------------------


@dataclass
class FeedRequest:
    feed: ListingFeed | None
    #: sku → why it was left out (our checks).
    skipped: dict[str, str]


@transaction.atomic
def listing_feed_request(*, store: Store, listings: Iterable[Listing], user: User | AnonymousUser,
                         confirm_warnings: bool = False) -> FeedRequest:
    """Check each listing and queue one feed of those that pass; the others are said, not sent."""
    if not user_can(user=user, store=store, permission="listing.publish"):
        raise ApplicationError(_("Your role in store %(store)s does not allow publishing listings.")
                               % {"store": store.code})
    publishing_credentials(store)
    chosen, skipped = [], {}
    for listing in listings:
        if listing.store_id != store.pk:
            continue
        problems = publish_problems(listing)
        verdict = publish_verdict(problems)
        if verdict == REFUSE:
            skipped[listing.sku] = " ".join(p.message for p in problems if p.is_error)
        elif problems and not confirm_warnings:
            skipped[listing.sku] = _("Our checks found warnings; confirm to publish it anyway.")
        else:
            chosen.append(listing.pk)
    if not chosen:
        return FeedRequest(feed=None, skipped=skipped)
    feed = ListingFeed.objects.create(store=store, requested_by=user if user.is_authenticated and user.pk else None,
                                      listing_ids=sorted(chosen), requested_at=timezone.now())
    transaction.on_commit(lambda: task_enqueue_or_defer(task_name=FEED_TASK, store_id=store.pk, object_id=feed.pk))
    return FeedRequest(feed=feed, skipped=skipped)


# --- Running ---------------------------------------------------------------------------------------------------


def _fail(feed: ListingFeed, message: str) -> ListingFeed:
    feed.status, feed.error, feed.finished_at = ListingFeed.Status.FAILED, message[:4000], timezone.now()
    feed.save(update_fields=["status", "error", "finished_at"])
    return feed


def _submit(feed: ListingFeed, clients: SpApiClients, listings: list[Listing], where: Destination,
            sleep: Sleep | None) -> dict[str, dict[str, Any]]:
    """Build and upload the feed, create it; returns messageId → {sku, listing, held} for the report."""
    messages: list[dict[str, Any]] = []
    index: dict[str, dict[str, Any]] = {}
    for listing in listings:
        message, held = feed_message(listing, len(messages) + 1, where, last_sent_attributes(listing))
        if message is None:
            continue
        messages.append(message)
        index[str(message["messageId"])] = {"sku": listing.sku, "listing": listing.pk,
                                            "operationType": message["operationType"], "held": held}
    document = feed_document(seller_id=clients.seller_id, issue_locale=where.language_tag, messages=messages)
    content = json.dumps(document, ensure_ascii=False).encode("utf-8")
    created = call(clients.feeds.create_feed_document, io.BytesIO(content), CONTENT_TYPE,
                   what="createFeedDocument", sleep=sleep).payload or {}
    feed.feed_document_id = str(created.get("feedDocumentId") or "")
    answer = call(clients.feeds.create_feed, FEED_TYPE, feed.feed_document_id, what="createFeed", sleep=sleep,
                  marketplaceIds=[clients.marketplace_id]).payload or {}
    feed.feed_id = str(answer.get("feedId") or "")
    feed.messages = index
    feed.status = ListingFeed.Status.SUBMITTED
    feed.save(update_fields=["feed_document_id", "feed_id", "messages", "status"])
    return index


def _poll(feed: ListingFeed, clients: SpApiClients, sleep: Sleep | None) -> dict[str, Any]:
    wait = resolve_sleep(sleep)
    state: dict[str, Any] = {}
    for attempt in range(1, MAX_POLLS + 1):
        state = call(clients.feeds.get_feed, feed.feed_id, what="getFeed", sleep=sleep).payload or {}
        if state.get("processingStatus") in FINAL:
            break
        wait(max(backoff_delay(attempt), getattr(settings, "SPAPI_FEED_POLL_SECONDS", 30)))
    return state


def _apply(feed: ListingFeed, report: ProcessingReport) -> None:
    """Each listing's outcome from the report, with a publication row saying what Amazon now holds."""
    now = timezone.now()
    with transaction.atomic():
        for key, entry in feed.messages.items():
            outcome = report.outcomes.get(int(key))
            if outcome is None:
                continue
            listing = Listing.objects.select_for_update().get(pk=entry["listing"])
            values: dict[str, Any] = {"amazon_issues": outcome.issues, "amazon_checked_at": now}
            if outcome.accepted:
                values.update(publish_error="", published_at=listing.published_at or now)
                summary = report.summaries.get(outcome.sku)
                if summary is not None:
                    values["amazon_status"] = list(summary.get("status") or [])
                    if len(str(summary.get("asin") or "")) == 10 and not listing.asin:
                        values["asin"] = str(summary["asin"])
            else:
                values["publish_error"] = (_("Amazon refused it in feed %(feed)s: %(issues)s")
                                           % {"feed": feed.feed_id, "issues": issue_text(outcome.issues)})[:4000]
            Listing.objects.filter(pk=listing.pk).update(**values)
            ListingPublication.objects.create(
                store_id=feed.store_id, listing=listing, requested_by=feed.requested_by, confirm_warnings=True,
                status=ListingPublication.Status.PUBLISHED if outcome.accepted else ListingPublication.Status.INVALID,
                operation=ListingPublication.Operation.FEED, submission_id=feed.feed_id,
                attributes=entry["held"] if outcome.accepted else {}, issues=outcome.issues,
                error="" if outcome.accepted else values["publish_error"], requested_at=feed.requested_at,
                finished_at=now)
        accepted = sum(1 for o in report.outcomes.values() if o.accepted)
        feed.summary = {**report.summary, "accepted": accepted, "invalid": len(report.outcomes) - accepted}
        feed.status, feed.finished_at = ListingFeed.Status.DONE, now
        feed.save(update_fields=["summary", "status", "finished_at", "processing_status", "result_document_id"])


def listing_feed_run(*, feed_id: int, sleep: Sleep | None = None) -> ListingFeed | None:
    """Send a queued feed and record its report (the task's body); a feed already sent is left alone."""
    claimed = ListingFeed.objects.filter(pk=feed_id, status=ListingFeed.Status.QUEUED).update(
        status=ListingFeed.Status.SUBMITTED)
    if not claimed:
        return None
    feed = ListingFeed.objects.select_related("store").get(pk=feed_id)
    listings = list(Listing.objects.filter(pk__in=feed.listing_ids, store=feed.store).select_related("store")
                    .prefetch_related("images").order_by("sku"))
    try:
        clients = clients_for(publishing_credentials(feed.store))
    except ApplicationError as error:
        return _fail(feed, error.message)
    try:
        index = _submit(feed, clients, listings, destination_of(feed.store), sleep)
        if not index:
            feed.summary = {"messagesProcessed": 0, "accepted": 0, "invalid": 0}
            feed.status, feed.finished_at = ListingFeed.Status.DONE, timezone.now()
            feed.save(update_fields=["summary", "status", "finished_at"])
            return feed
        state = _poll(feed, clients, sleep)
        feed.processing_status = str(state.get("processingStatus") or "")
        feed.result_document_id = str(state.get("resultFeedDocumentId") or "")
        if feed.processing_status not in FINAL:
            feed.save(update_fields=["processing_status"])
            return feed
        if not feed.result_document_id:
            return _fail(feed, _("Amazon ended feed %(feed)s as %(status)s without a processing report.")
                         % {"feed": feed.feed_id, "status": feed.processing_status})
        text = cast(str, call(clients.feeds.get_feed_document, feed.result_document_id, what="getFeedDocument",
                              sleep=sleep))
        try:
            document = json.loads(text)
        except ValueError:
            return _fail(feed, _("The processing report of feed %(feed)s is not JSON.") % {"feed": feed.feed_id})
        skus = {int(key): entry["sku"] for key, entry in index.items()}
        _apply(feed, parse_processing_report(document, skus=skus, marketplace_id=clients.marketplace_id))
        return feed
    except SpApiError as error:
        return _fail(feed, error.message)
    finally:
        clients.close()
