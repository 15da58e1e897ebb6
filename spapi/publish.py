"""Publish a listing's content and price to Amazon through the Listings Items API 2021-08-01.

Our checks first (an error refuses, warnings want a confirmation), then Amazon's own validation
(``mode=VALIDATION_PREVIEW``), and only if Amazon finds no ERROR the real submission: ``putListingsItem`` for a
listing never published, ``patchListingsItem`` with ``replace`` patches of the attributes that changed for a
published one. The listing's status is then read back (``getListingsItem`` summaries). Nothing is written
while Amazon is being asked: the outcome is recorded at the end, in one transaction, so a failure leaves the
listing as it was plus its ``publish_error``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

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
from listings.quality import Problem, check_image_file, listing_publishable
from listings.selectors import listing_problems

from .attributes import Destination, attribute_names_for, attribute_patches, destination, listing_attributes
from .client import Sleep, SpApiClients, SpApiError, call, clients_for
from .models import ListingPublication, SellerCredentials

logger = logging.getLogger(__name__)

PUBLISH_TASK = "spapi.tasks.listing_publish_task"
#: What the readback asks for.
INCLUDED_DATA = ["summaries", "issues"]

REFUSE = "refuse"
CONFIRM = "confirm"
PUBLISHABLE = "ok"


class PublishRefused(ApplicationError):
    """Our checks found an error: the listing is not sent."""


class ConfirmationNeeded(ApplicationError):
    """Our checks found only warnings: publish again with ``confirm_warnings``."""


def publish_verdict(problems: Iterable[Problem]) -> str:
    """``"refuse"`` when a check found an error, ``"confirm"`` when only warnings, ``"ok"`` when none
    (``listings.quality.listing_publishable``, the rule the editor shows)."""
    ok, needs_confirmation = listing_publishable(problems)
    if not ok:
        return REFUSE
    return CONFIRM if needs_confirmation else PUBLISHABLE


def publish_problems(listing: Listing) -> list[Problem]:
    """Our checks of what Amazon will show, as the listing pages judge them (its marketplace, its product type's
    required attributes), and the main image file when there is one."""
    problems = listing_problems([listing])[listing.pk]
    if listing.main_image:
        try:
            with listing.main_image.open("rb") as file:
                problems += check_image_file(file)
        except OSError:
            problems.append(Problem("image_unreadable", "error", _("The image file cannot be read.")))
    if not (listing.product_type or "").strip():
        problems.append(Problem("product_type_missing", "error",
                                _("Choose Amazon's product type before publishing.")))
    return problems


def _gate(listing: Listing, *, confirm_warnings: bool) -> None:
    problems = publish_problems(listing)
    verdict = publish_verdict(problems)
    if verdict == REFUSE:
        raise PublishRefused(_("Fix the errors our checks found before publishing: %(errors)s")
                             % {"errors": " ".join(p.message for p in problems if p.is_error)})
    if verdict == CONFIRM and not confirm_warnings:
        raise ConfirmationNeeded(_("Our checks found warnings: confirm to publish anyway."))


def media_base_url() -> str:
    """The public address the listing images are served from (Amazon fetches them)."""
    configured = getattr(settings, "LISTING_MEDIA_BASE_URL", "")
    if configured:
        return configured
    return f"{settings.SITE_URL.rstrip('/')}/{settings.MEDIA_URL.strip('/')}/"


def destination_of(store: Store) -> Destination:
    return destination(store.marketplace_info, media_base_url())


def publishing_credentials(store: Store) -> SellerCredentials:
    """The store's credentials, if they can publish (active, with the seller's merchant token)."""
    credentials = SellerCredentials.objects.select_related("store").filter(store=store).first()
    if credentials is None or not credentials.is_active:
        raise ApplicationError(_("Store %(store)s has no active SP-API credentials: export a flat file to upload "
                                 "in Seller Central instead.") % {"store": store.code})
    if not credentials.seller_id.strip():
        raise ApplicationError(_("Store %(store)s has no seller id (merchant token) on its SP-API credentials.")
                               % {"store": store.code})
    return credentials


def _require_permission(user: User | AnonymousUser | None, listing: Listing) -> None:
    if user is not None and not user_can(user=user, store=listing.store_id, permission="listing.publish"):
        raise ApplicationError(_("Your role in store %(store)s does not allow publishing listings.")
                               % {"store": listing.store.code})


# --- Queueing (the page and the change receiver) ----------------------------------------------------------------


def _queue(publication: ListingPublication) -> None:
    transaction.on_commit(lambda: task_enqueue_or_defer(
        task_name=PUBLISH_TASK, store_id=publication.store_id, object_id=publication.pk,
        countdown=None if not publication.fields else getattr(settings, "SPAPI_PUBLISH_DEBOUNCE_SECONDS", 10)))


@transaction.atomic
def listing_publish_request(*, listing: Listing, user: User | AnonymousUser,
                            confirm_warnings: bool = False) -> ListingPublication:
    """Check the listing and queue its publication; raise ``PublishRefused`` or ``ConfirmationNeeded`` first."""
    _require_permission(user, listing)
    publishing_credentials(listing.store)
    _gate(listing, confirm_warnings=confirm_warnings)
    pending = listing.amazon_publications.filter(status__in=[ListingPublication.Status.QUEUED,
                                                             ListingPublication.Status.RUNNING]).first()
    if pending is not None:
        return pending
    publication = ListingPublication.objects.create(
        store_id=listing.store_id, listing=listing, requested_by=user if user.is_authenticated and user.pk else None,
        confirm_warnings=confirm_warnings, requested_at=timezone.now())
    _queue(publication)
    return publication


@transaction.atomic
def listing_changes_queue(*, listing_ids: Iterable[int], fields: Iterable[str]) -> list[ListingPublication]:
    """Queue a patch of the changed attributes of each published listing whose store can publish.

    A listing that already has a patch waiting gets these fields added to it (one patch for a burst of edits).
    """
    fields = sorted(set(fields))
    queued: list[ListingPublication] = []
    listings = (Listing.objects.filter(pk__in=list(listing_ids), published_at__isnull=False,
                                       store__spapi_credentials__is_active=True)
                .exclude(store__spapi_credentials__seller_id="").select_related("store"))
    for listing in listings:
        waiting = (ListingPublication.objects.select_for_update()
                   .filter(listing=listing, status=ListingPublication.Status.QUEUED).first())
        if waiting is not None:
            if waiting.fields:  # a full publish (no fields) already sends everything
                waiting.fields = sorted(set(waiting.fields) | set(fields))
                waiting.save(update_fields=["fields"])
            queued.append(waiting)
            continue
        publication = ListingPublication.objects.create(store_id=listing.store_id, listing=listing,
                                                        fields=fields or ["attributes"], confirm_warnings=True,
                                                        requested_at=timezone.now())
        _queue(publication)
        queued.append(publication)
    return queued


# --- The publication itself (the task) --------------------------------------------------------------------------


def _errors(issues: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    return [i for i in issues if i.get("severity") == "ERROR"]


def issue_text(issues: Iterable[dict[str, Any]]) -> str:
    return " ".join(f"{i.get('code', '')}: {i.get('message', '')}".strip(": ") for i in issues)


def last_sent_attributes(listing: Listing) -> dict[str, Any]:
    """The attributes Amazon holds from us, as recorded by the last publication it accepted."""
    last = (ListingPublication.objects.filter(listing=listing, status=ListingPublication.Status.PUBLISHED)
            .exclude(attributes={}).order_by("-finished_at", "-id").first())
    return dict(last.attributes) if last else {}


def _record(listing: Listing, publication: ListingPublication | None, *, status: str, operation: str = "",
            issues: list[dict[str, Any]] | None = None, error: str = "", attributes: dict[str, Any] | None = None,
            submission_id: str = "", summary: dict[str, Any] | None = None) -> ListingPublication | None:
    """Write the outcome on the listing and the publication, together."""
    now = timezone.now()
    with transaction.atomic():
        current = Listing.objects.select_for_update().get(pk=listing.pk)
        values: dict[str, Any] = {"publish_error": error[:4000]}
        if issues is not None:
            values.update(amazon_issues=issues, amazon_checked_at=now)
        if status == ListingPublication.Status.PUBLISHED:
            values["published_at"] = current.published_at or now
            if summary is not None:
                values.update(amazon_status=list(summary.get("status") or []), amazon_checked_at=now)
                if len(str(summary.get("asin") or "")) == 10 and not current.asin:
                    values["asin"] = str(summary["asin"])
        Listing.objects.filter(pk=listing.pk).update(**values)
        for name, value in values.items():
            setattr(listing, name, value)
        if publication is not None:
            publication.status, publication.error, publication.finished_at = status, error[:4000], now
            publication.operation = operation or publication.operation
            publication.issues = issues or []
            publication.submission_id = submission_id
            if attributes is not None:
                publication.attributes = attributes
            publication.save(update_fields=["status", "error", "finished_at", "operation", "issues",
                                            "submission_id", "attributes"])
    return publication


def applied_patches(held: dict[str, Any], patches: list[dict[str, Any]]) -> dict[str, Any]:
    """What Amazon holds once ``patches`` are applied to ``held``."""
    result = dict(held)
    for patch in patches:
        name = patch["path"].removeprefix("/attributes/")
        if patch["op"] == "delete":
            result.pop(name, None)
        else:
            result[name] = patch["value"]
    return result


def _readback(clients: SpApiClients, sku: str, sleep: Sleep | None) -> tuple[dict[str, Any] | None, list | None]:
    """Amazon's summary of ``sku`` in the store's marketplace and its issues, or (None, None) if unreadable."""
    try:
        item = call(clients.listings.get_listings_item, clients.seller_id, sku, what="getListingsItem", sleep=sleep,
                    marketplaceIds=[clients.marketplace_id], includedData=INCLUDED_DATA).payload or {}
    except SpApiError as error:
        logger.warning("Listing %s accepted but not read back: %s", sku, error.message)
        return None, None
    summaries = [s for s in item.get("summaries") or [] if s.get("marketplaceId") == clients.marketplace_id]
    return (summaries[0] if summaries else {}), list(item.get("issues") or [])


def listing_publish(listing: Listing, *, user: User | AnonymousUser | None,
                    confirm_warnings: bool = False, publication: ListingPublication | None = None,
                    sleep: Sleep | None = None) -> ListingPublication | None:
    """Validate, submit and read back one listing (see the module). Returns the publication, updated.

    Raises ``PublishRefused``/``ConfirmationNeeded`` (nothing sent, nothing written) for our own checks; every
    failure after that is recorded as ``publish_error`` and the publication's status instead of raised.
    """
    _require_permission(user, listing)
    full = publication is None or not publication.fields
    if full:
        _gate(listing, confirm_warnings=confirm_warnings or bool(publication and publication.confirm_warnings))
    elif publish_verdict(publish_problems(listing)) == REFUSE:
        # An edit broke the listing: keep Amazon's copy as it is and say why on the page.
        errors = [p for p in publish_problems(listing) if p.is_error]
        return _record(listing, publication, status=ListingPublication.Status.FAILED,
                       error=_("Not sent to Amazon: %(errors)s") % {"errors": " ".join(p.message for p in errors)})
    try:
        credentials = publishing_credentials(listing.store)
        clients = clients_for(credentials)
    except ApplicationError as error:
        return _record(listing, publication, status=ListingPublication.Status.FAILED, error=error.message)
    try:
        return _submit(listing, publication, clients, sleep=sleep)
    except SpApiError as error:
        return _record(listing, publication, status=ListingPublication.Status.FAILED,
                       error=_("Amazon could not be reached: %(error)s") % {"error": error.message})
    finally:
        clients.close()


def _submit(listing: Listing, publication: ListingPublication | None, clients: SpApiClients, *,
            sleep: Sleep | None) -> ListingPublication | None:
    where = destination_of(listing.store)
    published = listing.published_at is not None
    current = listing_attributes(listing, where, create=not published)
    common: dict[str, Any] = {"marketplaceIds": [clients.marketplace_id], "sleep": sleep}
    if not published:
        operation, method, what = ListingPublication.Operation.PUT, clients.listings.put_listings_item, \
            "putListingsItem"
        body: dict[str, Any] = {"productType": listing.product_type, "requirements": "LISTING",
                                "attributes": current}
        sent = current
    else:
        previous = last_sent_attributes(listing)
        only = attribute_names_for(publication.fields if publication else [], current)
        patches = attribute_patches(sent=previous, current=current, only=only)
        sent = applied_patches(previous, patches)
        if not patches:
            summary, issues = _readback(clients, listing.sku, sleep)
            return _record(listing, publication, status=ListingPublication.Status.PUBLISHED,
                           operation=ListingPublication.Operation.PATCH, issues=issues, summary=summary,
                           attributes=sent)
        operation, method, what = ListingPublication.Operation.PATCH, clients.listings.patch_listings_item, \
            "patchListingsItem"
        body = {"productType": listing.product_type, "patches": patches}
    preview = call(method, clients.seller_id, listing.sku, what=what, mode="VALIDATION_PREVIEW", body=body,
                   **common).payload or {}
    issues = list(preview.get("issues") or [])
    if preview.get("status") == "INVALID" or _errors(issues):
        return _record(listing, publication, status=ListingPublication.Status.INVALID, operation=operation,
                       issues=issues, submission_id=str(preview.get("submissionId") or ""),
                       error=_("Amazon's validation found errors; nothing was submitted: %(issues)s")
                       % {"issues": issue_text(_errors(issues))})
    answer = call(method, clients.seller_id, listing.sku, what=what, body=body, **common).payload or {}
    answer_issues = list(answer.get("issues") or [])
    if answer.get("status") != "ACCEPTED" or _errors(answer_issues):
        return _record(listing, publication, status=ListingPublication.Status.INVALID, operation=operation,
                       issues=answer_issues, submission_id=str(answer.get("submissionId") or ""),
                       error=_("Amazon refused the submission: %(issues)s") % {"issues": issue_text(answer_issues)})
    summary, read_issues = _readback(clients, listing.sku, sleep)
    return _record(listing, publication, status=ListingPublication.Status.PUBLISHED, operation=operation,
                   issues=read_issues if read_issues is not None else answer_issues, summary=summary,
                   submission_id=str(answer.get("submissionId") or ""),
                   attributes={k: v for k, v in sent.items() if k not in ("fulfillment_availability",)})


def listing_publish_run(*, publication_id: int, sleep: Sleep | None = None) -> ListingPublication | None:
    """Run a queued publication (the task's body); one already run or running is left alone."""
    claimed = ListingPublication.objects.filter(pk=publication_id, status=ListingPublication.Status.QUEUED).update(
        status=ListingPublication.Status.RUNNING)
    if not claimed:
        return None
    publication = ListingPublication.objects.select_related("listing__store", "requested_by").get(pk=publication_id)
    listing = publication.listing
    try:
        return listing_publish(listing, user=publication.requested_by, publication=publication,
                               confirm_warnings=publication.confirm_warnings, sleep=sleep)
    except ApplicationError as error:
        return _record(listing, publication, status=ListingPublication.Status.FAILED, error=error.message)
