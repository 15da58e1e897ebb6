"""Reads of the agent's inbox: threads by time left in Amazon's 24-hour window, one thread, claims, feedback;
and what an order's page shows of its messages, feedback and claims."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.db.models import Case, Count, Exists, F, Min, OrderBy, OuterRef, Prefetch, Q, QuerySet, Subquery, When
from django.db.models.functions import Left

from core.models import Membership, Store
from core.selectors import scoped, store_list
from fulfillment.models import Shipment
from orders.models import Order
from returns.models import ReturnRequest

from .deadlines import CLAIM_ALERT_BEFORE, RESPONSE_DEADLINE
from .feedback_removal import Removal, feedback_removal, removal_request_text
from .models import Attachment, Claim, Feedback, Message, MessageThread, ReplyTemplate

#: The inbox counts time left from the deadline the Contact Response Rate counts against.
RESPONSE_WINDOW = RESPONSE_DEADLINE
#: Less time left than this and the thread is "due soon".
DUE_SOON = timedelta(hours=6)


class Tab:
    NEEDS_REPLY = "needs_reply"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    ANSWERED = "answered"
    ALL = "all"
    ORDER = (NEEDS_REPLY, OVERDUE, DUE_SOON, ANSWERED, ALL)
    #: Tabs worth a count: the threads still waiting, however long the history.
    COUNTED = (NEEDS_REPLY, OVERDUE, DUE_SOON)


class Assigned:
    ANY = ""
    ME = "me"
    UNASSIGNED = "none"
    OTHERS = "others"


@dataclass(frozen=True)
class InboxFilters:
    tab: str = Tab.NEEDS_REPLY
    store: Store | None = None
    language: str = ""
    assigned: str = Assigned.ANY


@dataclass(frozen=True)
class ReplyWindow:
    due_at: datetime
    left: timedelta  # negative once overdue

    @property
    def state(self) -> str:
        if self.left < timedelta(0):
            return "overdue"
        return "soon" if self.left < DUE_SOON else "ok"

    @property
    def is_overdue(self) -> bool:
        return self.left < timedelta(0)


def reply_window(pending_since: datetime | None, now: datetime) -> ReplyWindow | None:
    """The reply deadline of the oldest unanswered message; overdue only once ``now`` is past it."""
    if pending_since is None:
        return None
    due_at = pending_since + RESPONSE_WINDOW
    return ReplyWindow(due_at=due_at, left=due_at - now)


def pending_messages() -> QuerySet[Message]:
    """Buyer messages still waiting for an answer."""
    return Message.objects.filter(direction=Message.Direction.INBOUND, needs_reply=True, replied_at__isnull=True,
                                  is_internal_note=False)


@dataclass(frozen=True)
class Waiting:
    """The threads with a buyer message still waiting, each with when its oldest waiting message was sent.

    Read once per request, from the partial index of waiting messages: the tabs then filter the threads by
    these few ids, which the planner sees for what they are, rather than by a subquery it expects to be large.
    """

    oldest: dict[int, datetime]

    def ids(self, *, sent_from: datetime | None = None, sent_before: datetime | None = None) -> list[int]:
        """The threads whose oldest waiting message was sent in ``[sent_from, sent_before)``."""
        return [pk for pk, sent in self.oldest.items()
                if (sent_from is None or sent >= sent_from) and (sent_before is None or sent < sent_before)]


def waiting_threads(*, user: User, store: Store | None = None) -> Waiting:
    """The waiting threads of ``user``'s stores (of ``store`` only, if given), in one query on the partial index."""
    pending = scoped(pending_messages(), user=user)
    if store is not None:
        pending = pending.filter(store=store)
    rows = pending.order_by().values("thread_id").annotate(oldest=Min("sent_at")).values_list("thread_id", "oldest")
    return Waiting(oldest=dict(rows))


def _threads(*, user: User | AnonymousUser, waiting: list[int] | QuerySet) -> QuerySet[MessageThread]:
    """The user's threads with their reply deadline (``waiting``: the ids of the threads that have one)."""
    oldest_pending = pending_messages().filter(thread=OuterRef("pk")).order_by("sent_at", "id")
    latest = Message.objects.filter(thread=OuterRef("pk"), is_internal_note=False).order_by("-sent_at", "-id")
    answered = Message.objects.filter(thread=OuterRef("pk"), direction=Message.Direction.OUTBOUND,
                                      is_internal_note=False)
    return scoped(MessageThread.objects.all(), user=user).annotate(
        # Looked up only for the few waiting threads, so that sorting every thread stays cheap.
        pending_since=Case(When(pk__in=waiting, then=Subquery(oldest_pending.values("sent_at")[:1]))),
        has_reply=Exists(answered),
        snippet=Subquery(latest.annotate(snip=Left("body", 180)).values("snip")[:1]),
    )


def _filtered(queryset: QuerySet[MessageThread], *, user: User, filters: InboxFilters
              ) -> QuerySet[MessageThread]:
    if filters.store is not None:
        queryset = queryset.filter(store=filters.store)
    if filters.language:
        queryset = queryset.filter(language=filters.language)
    if filters.assigned == Assigned.ME:
        queryset = queryset.filter(assigned_to=user)
    elif filters.assigned == Assigned.UNASSIGNED:
        queryset = queryset.filter(assigned_to__isnull=True)
    elif filters.assigned == Assigned.OTHERS:
        queryset = queryset.filter(assigned_to__isnull=False).exclude(assigned_to=user)
    return queryset


def _tab_q(tab: str, now: datetime, waiting: Waiting) -> Q:
    """The tab as the waiting threads whose oldest waiting message was sent in its span."""
    overdue_before = now - RESPONSE_WINDOW
    soon_before = now - RESPONSE_WINDOW + DUE_SOON
    if tab == Tab.NEEDS_REPLY:
        return Q(pk__in=waiting.ids())
    if tab == Tab.OVERDUE:
        return Q(pk__in=waiting.ids(sent_before=overdue_before))
    if tab == Tab.DUE_SOON:
        return Q(pk__in=waiting.ids(sent_from=overdue_before, sent_before=soon_before))
    if tab == Tab.ANSWERED:
        return ~Q(pk__in=waiting.ids()) & Q(has_reply=True)
    if tab == Tab.ALL:
        return Q()
    raise ValueError(f"unknown tab {tab!r}")


def _inbox(*, user: User, filters: InboxFilters, waiting: Waiting | None
           ) -> tuple[QuerySet[MessageThread], Waiting]:
    if waiting is None:
        waiting = waiting_threads(user=user, store=filters.store)
    return _filtered(_threads(user=user, waiting=waiting.ids()), user=user, filters=filters), waiting


def thread_inbox(*, user: User, filters: InboxFilters, now: datetime, waiting: Waiting | None = None
                 ) -> QuerySet[MessageThread]:
    """Threads of the tab, the least time left first (overdue at the top), then the most recent.

    ``waiting``: ``waiting_threads`` for the same user and store, if already read.
    """
    threads, waiting = _inbox(user=user, filters=filters, waiting=waiting)
    queryset = threads.filter(_tab_q(filters.tab, now, waiting))
    ordering: tuple[str | OrderBy, ...]
    if filters.tab == Tab.ANSWERED:
        # No answered thread waits and each has messages: newest first is the whole order, read from an index.
        ordering = ("-last_message_at", "-id")
    else:
        ordering = (F("pending_since").asc(nulls_last=True), F("last_message_at").desc(nulls_last=True), "-id")
    # The order is fetched for the listed threads only: joined, it would be joined to every thread before the sort.
    return queryset.select_related("store", "assigned_to").prefetch_related("order").order_by(*ordering)


def thread_inbox_counts(*, user: User, filters: InboxFilters, now: datetime,
                        waiting: Waiting | None = None) -> dict[str, int | None]:
    """How many threads each waiting tab holds under the other filters, in one query over the waiting threads.

    The answered and all tabs grow with the whole history: like the order queue's, they are not counted (None).
    """
    threads, waiting = _inbox(user=user, filters=filters, waiting=waiting)
    if not waiting.oldest:
        return {tab: 0 if tab in Tab.COUNTED else None for tab in Tab.ORDER}
    queryset = threads.filter(_tab_q(Tab.NEEDS_REPLY, now, waiting))
    counts = queryset.aggregate(**{tab: Count("pk", filter=_tab_q(tab, now, waiting)) for tab in Tab.COUNTED})
    return {tab: counts.get(tab) for tab in Tab.ORDER}


#: The languages of each store's threads, one index probe per language (a "loose index scan"), not a pass over
#: every thread: the next language of a store is the least one above the last.
_STORE_LANGUAGES_SQL = """
    WITH RECURSIVE found (store_id, language) AS (
        SELECT s.id, (SELECT min(t.language) FROM {threads} t WHERE t.store_id = s.id AND t.language > '')
          FROM {stores} s WHERE s.id IN ({store_ids})
        UNION ALL
        SELECT f.store_id, (SELECT min(t.language) FROM {threads} t
                             WHERE t.store_id = f.store_id AND t.language > f.language)
          FROM found f WHERE f.language IS NOT NULL
    )
    SELECT DISTINCT language FROM found WHERE language IS NOT NULL
"""


def thread_languages(*, user: User) -> list[str]:
    """The languages of the threads of ``user``'s stores, sorted."""
    store_pks = list(store_list(user=user).values_list("pk", flat=True))
    if not store_pks:
        return []
    sql = _STORE_LANGUAGES_SQL.format(threads=MessageThread._meta.db_table, stores=Store._meta.db_table,
                                      store_ids=", ".join(["%s"] * len(store_pks)))
    with connection.cursor() as cursor:
        cursor.execute(sql, store_pks)
        return sorted(language for (language,) in cursor.fetchall())


def thread_detail(*, user: User, pk: int) -> MessageThread | None:
    """One thread of the user's stores with its conversation and its order's facts, or None."""
    messages = (Message.objects.select_related("author")
                .prefetch_related(Prefetch("attachments", queryset=Attachment.objects.order_by("id"))))
    orders = Order.objects.prefetch_related(
        "items",
        Prefetch("shipments", queryset=Shipment.objects.order_by("shipped_at", "id")),
        Prefetch("returns", queryset=ReturnRequest.objects.order_by("-requested_at")),
        Prefetch("claims", queryset=Claim.objects.order_by("-filed_at")),
        "feedback",
    )
    waiting = pending_messages().filter(thread_id=pk).values("thread_id")
    return (_threads(user=user, waiting=waiting).select_related("store", "assigned_to")
            .prefetch_related(Prefetch("messages", queryset=messages), Prefetch("order", queryset=orders))
            .filter(pk=pk).first())


def thread_assignees(*, thread: MessageThread) -> QuerySet:
    """The users a thread can be given to: members of its store."""
    members = Membership.objects.filter(store_id=thread.store_id).values("user_id")
    return get_user_model().objects.filter(pk__in=members, is_active=True).order_by("username")


def reply_templates(*, store: Store, language: str) -> list[ReplyTemplate]:
    """Templates for the store (its own before shared ones), the buyer's language first, then English."""
    rows = list(ReplyTemplate.objects.filter(Q(store=store) | Q(store__isnull=True)).order_by("name", "language"))
    rank = {language: 0, "en": 1}
    rows.sort(key=lambda t: (rank.get(t.language, 2), t.name, t.store_id is None, t.language))
    return rows


def template_for(*, store: Store, pk: int) -> ReplyTemplate | None:
    return ReplyTemplate.objects.filter(Q(store=store) | Q(store__isnull=True), pk=pk).first()


# --- Claims and feedback ---


def claim_list(*, user: User, store: Store | None = None, open_only: bool = False
               ) -> QuerySet[Claim]:
    """Claims and chargebacks: open ones by response deadline (the nearest first), then the decided, newest first."""
    queryset = scoped(Claim.objects.select_related("store", "order"), user=user)
    if store is not None:
        queryset = queryset.filter(store=store)
    if open_only:
        queryset = queryset.filter(status=Claim.Status.OPEN)
    return queryset.annotate(is_open=Q(status=Claim.Status.OPEN)).order_by(
        F("is_open").desc(), F("respond_by").asc(nulls_last=True), "-filed_at", "-id")


@dataclass(frozen=True)
class ClaimDeadline:
    """Time left to respond to an open claim: ``urgent`` under ``CLAIM_ALERT_BEFORE``, ``overdue`` past it."""

    respond_by: datetime
    left: timedelta

    @property
    def state(self) -> str:
        if self.left < timedelta(0):
            return "overdue"
        return "soon" if self.left < CLAIM_ALERT_BEFORE else "ok"


def claim_deadline(claim: Claim, now: datetime) -> ClaimDeadline | None:
    """The claim's countdown, or None once it is decided or answered (or when it has no deadline)."""
    if claim.status != Claim.Status.OPEN or claim.respond_by is None or claim.responded_at is not None:
        return None
    return ClaimDeadline(claim.respond_by, claim.respond_by - now)


def claim_detail(*, user: User, pk: int) -> Claim | None:
    """One claim of the user's stores, with its order's items, shipments, refunds and messages loaded."""
    orders = Order.objects.select_related("store").prefetch_related(
        "items", Prefetch("shipments", queryset=Shipment.objects.order_by("shipped_at", "id")), "refunds")
    return (scoped(Claim.objects.select_related("store", "responded_by"), user=user)
            .prefetch_related(Prefetch("order", queryset=orders)).filter(pk=pk).first())


@dataclass(frozen=True)
class FeedbackRow:
    feedback: Feedback
    removal: Removal
    request_text: str

    @property
    def removable(self) -> bool:
        return self.removal.eligible and self.feedback.removed_at is None


def feedback_row(feedback: Feedback, now: datetime) -> FeedbackRow:
    """The feedback with its removal verdict (``support.feedback_removal``) and the request text to send."""
    language = feedback.store.marketplace_info.language
    removal = feedback_removal(rating=feedback.rating, comment=feedback.comment, received_at=feedback.received_at,
                               fulfilled_by_amazon=feedback.order.fulfillment_channel == "AFN", now=now,
                               language=language)
    text = removal_request_text(order_id=feedback.order.amazon_order_id,
                                received_on=feedback.received_at.astimezone(feedback.store.tz).strftime("%Y-%m-%d"),
                                reasons=removal.reasons, language=language) if removal.reasons else ""
    return FeedbackRow(feedback, removal, text)


def feedback_list(*, user: User, now: datetime, store: Store | None = None, limit: int = 200) -> list[FeedbackRow]:
    """Negative and neutral feedback (1–3 stars): the ones Amazon may still remove first, the fewest days left
    first, then the rest, newest first."""
    queryset = scoped(Feedback.objects.select_related("store", "order"), user=user).filter(rating__lte=3)
    if store is not None:
        queryset = queryset.filter(store=store)
    rows = [feedback_row(feedback, now) for feedback in queryset.order_by("-received_at", "-id")[:limit]]
    waiting = [r for r in rows if r.removable and not r.feedback.removal_requested_at]
    waiting.sort(key=lambda r: r.removal.deadline)
    return waiting + [r for r in rows if not (r.removable and not r.feedback.removal_requested_at)]


def inbox_stores(*, user: User | AnonymousUser) -> QuerySet[Store]:
    return store_list(user=user).order_by("code")


def order_messages(*, order: Order) -> QuerySet[Message]:
    """Every message of the threads about this order, oldest first."""
    return (Message.objects.filter(store_id=order.store_id, thread__order=order)
            .select_related("thread", "author").order_by("sent_at", "id"))


def order_feedback(*, order: Order) -> QuerySet[Feedback]:
    return Feedback.objects.filter(store_id=order.store_id, order=order).order_by("-received_at")


def order_claims(*, order: Order) -> QuerySet[Claim]:
    """A-to-z claims and chargebacks filed on the order, newest first."""
    return Claim.objects.filter(store_id=order.store_id, order=order).order_by("-filed_at", "-id")
