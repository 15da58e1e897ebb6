"""The 24-hour reply window: deadlines, tabs and order of the inbox, at the edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from support.selectors import InboxFilters, Tab, reply_window, thread_inbox, thread_inbox_counts, thread_languages
from support.services import message_mark_no_reply_needed
from tests.factories import MembershipFactory, MessageFactory, StoreFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 11, 25, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def test_exactly_24_hours_is_still_on_time_and_one_second_later_is_overdue():
    sent = NOW - 24 * H
    assert reply_window(sent, NOW).state == "soon"
    assert not reply_window(sent, NOW).is_overdue
    assert reply_window(sent, NOW + timedelta(seconds=1)).state == "overdue"
    assert reply_window(sent, NOW).due_at == NOW


def test_due_soon_is_under_six_hours_left():
    assert reply_window(NOW - 18 * H, NOW).state == "ok"  # exactly 6 h left
    assert reply_window(NOW - 18 * H - timedelta(seconds=1), NOW).state == "soon"
    assert reply_window(None, NOW) is None


@pytest.fixture
def agent():
    return UserFactory(username="agent")


@pytest.fixture
def inbox(agent):
    store = StoreFactory(code="ACME-US")
    MembershipFactory(user=agent, store=store, role="agent")

    def thread(subject: str, age: timedelta, **kwargs):
        t = ThreadFactory(store=store, subject=subject, last_message_at=NOW - age, **kwargs)
        MessageFactory(thread=t, sent_at=NOW - age)
        return t

    return {
        "on_time_edge": thread("exactly 24 h", 24 * H),
        "overdue": thread("overdue", 26 * H),
        "soon": thread("soon", 20 * H),
        "fresh": thread("fresh", 1 * H, assigned_to=agent),
        "store": store,
    }


def subjects(agent, tab, **kwargs):
    return [t.subject for t in thread_inbox(user=agent, filters=InboxFilters(tab=tab, **kwargs), now=NOW)]


def test_needs_reply_is_sorted_by_time_left_overdue_first(agent, inbox):
    assert subjects(agent, Tab.NEEDS_REPLY) == ["overdue", "exactly 24 h", "soon", "fresh"]
    assert subjects(agent, Tab.OVERDUE) == ["overdue"]
    assert subjects(agent, Tab.DUE_SOON) == ["exactly 24 h", "soon"]


def test_counts_and_a_reply_moves_the_thread_to_answered(agent, inbox):
    # The answered and all tabs grow with the whole history: they are listed, not counted.
    assert thread_inbox_counts(user=agent, filters=InboxFilters(), now=NOW) == {
        "needs_reply": 4, "overdue": 1, "due_soon": 2, "answered": None, "all": None}
    assert subjects(agent, Tab.ANSWERED) == []
    MessageFactory(thread=inbox["overdue"], direction="outbound", sent_at=NOW - H, needs_reply=False)
    inbox["overdue"].messages.filter(direction="inbound").update(replied_at=NOW - H)
    counts = thread_inbox_counts(user=agent, filters=InboxFilters(), now=NOW)
    assert (counts["overdue"], counts["due_soon"], counts["needs_reply"]) == (0, 2, 3)
    assert subjects(agent, Tab.ANSWERED) == ["overdue"]
    assert subjects(agent, Tab.ALL) == ["exactly 24 h", "soon", "fresh", "overdue"]


def test_a_thread_waits_as_long_as_its_oldest_unanswered_message(agent, inbox):
    """Tabs and counts judge a thread by its oldest waiting message, however many wait, and count it once."""
    MessageFactory(thread=inbox["overdue"], sent_at=NOW - 2 * H)  # a reminder: still overdue, not fresh
    MessageFactory(thread=inbox["soon"], sent_at=NOW - 5 * H)
    MessageFactory(thread=inbox["fresh"], sent_at=NOW - 30 * H, replied_at=NOW - 29 * H)  # answered long ago
    assert subjects(agent, Tab.OVERDUE) == ["overdue"]
    assert subjects(agent, Tab.DUE_SOON) == ["exactly 24 h", "soon"]
    assert subjects(agent, Tab.NEEDS_REPLY) == ["overdue", "exactly 24 h", "soon", "fresh"]
    assert thread_inbox_counts(user=agent, filters=InboxFilters(), now=NOW) == {
        "needs_reply": 4, "overdue": 1, "due_soon": 2, "answered": None, "all": None}
    # Answering the oldest message leaves the reminder waiting: the thread is due on the reminder's clock.
    inbox["overdue"].messages.filter(sent_at=NOW - 26 * H).update(replied_at=NOW - H)
    assert subjects(agent, Tab.OVERDUE) == []
    assert "overdue" not in subjects(agent, Tab.DUE_SOON)
    assert subjects(agent, Tab.NEEDS_REPLY) == ["exactly 24 h", "soon", "overdue", "fresh"]


def test_answered_threads_are_listed_newest_conversation_first(agent, inbox):
    for name in ("overdue", "soon", "fresh"):
        thread = inbox[name]
        MessageFactory(thread=thread, direction="outbound", needs_reply=False, sent_at=NOW)
        thread.messages.filter(direction="inbound").update(replied_at=NOW)
    assert subjects(agent, Tab.ANSWERED) == ["fresh", "soon", "overdue"]
    assert subjects(agent, Tab.ANSWERED, store=inbox["store"], assigned="me") == ["fresh"]


def test_no_reply_needed_and_internal_notes(agent, inbox):
    message = inbox["soon"].messages.get()
    message_mark_no_reply_needed(message=message, actor=agent)
    MessageFactory(thread=inbox["fresh"], direction="outbound", is_internal_note=True, needs_reply=False,
                   sent_at=NOW)
    # The note answers nobody: the fresh thread still waits; the marked one waits no more.
    assert subjects(agent, Tab.NEEDS_REPLY) == ["overdue", "exactly 24 h", "fresh"]
    assert "soon" not in subjects(agent, Tab.ANSWERED)


def test_filters_by_assignment_store_and_language(agent, inbox):
    assert subjects(agent, Tab.ALL, assigned="me") == ["fresh"]
    assert "fresh" not in subjects(agent, Tab.ALL, assigned="none")
    other = StoreFactory(code="ACME-DE", marketplace="DE")
    ThreadFactory(store=other, subject="not mine", language="de")
    assert "not mine" not in subjects(agent, Tab.ALL)  # not a member of ACME-DE
    MembershipFactory(user=agent, store=other, role="agent")
    assert subjects(agent, Tab.ALL, language="de") == ["not mine"]
    assert subjects(agent, Tab.ALL, store=other) == ["not mine"]


def test_the_language_filter_offers_each_language_of_the_users_stores_once(agent, inbox):
    other = StoreFactory(code="ACME-DE", marketplace="DE")
    foreign = StoreFactory(code="ACME-JP", marketplace="JP")
    for store, language in [(inbox["store"], "en"), (inbox["store"], "de"), (other, "de"), (other, "fr"),
                            (other, ""), (foreign, "ja")]:
        ThreadFactory(store=store, language=language)
    MembershipFactory(user=agent, store=other, role="agent")
    assert thread_languages(user=agent) == ["de", "en", "fr"]
    assert thread_languages(user=UserFactory(username="nobody")) == []
    assert thread_languages(user=UserFactory(username="root", is_superuser=True)) == ["de", "en", "fr", "ja"]
