"""The steps every status change shares: the move checked and stamped, the row locked, the actor, the time."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import state
from core.errors import ApplicationError, InvalidTransition
from core.models import Membership, Store
from core.state import CLOCK_SKEW, StateMachine, actor_or_none, locked, not_future
from tests.factories import MembershipFactory, UserFactory

TABLE = {"open": {"sent", "dropped"}, "sent": {"done"}, "done": set(), "dropped": set()}
LABELS = {"open": "Open", "sent": "Sent", "done": "Done", "dropped": "Dropped"}
MACHINE = StateMachine(TABLE, LABELS, entered_at={"sent": "sent_at", "done": "done_at"})
AT = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


def _row(status: str) -> SimpleNamespace:
    return SimpleNamespace(status=status, sent_at=None, done_at=None)


@pytest.mark.parametrize(("old", "new"), list(itertools.product(TABLE, TABLE)))
def test_move_follows_the_table(old, new):
    row = _row(old)
    if new in TABLE[old]:
        assert MACHINE.allows(old, new)
        assert MACHINE.move(row, new, what="Parcel 7", at=AT) == old
        assert row.status == new
    else:
        assert not MACHINE.allows(old, new)
        with pytest.raises(InvalidTransition) as refused:
            MACHINE.move(row, new, what="Parcel 7", at=AT)
        assert (row.status, row.sent_at, row.done_at) == (old, None, None)
        assert refused.value.extra == {"from": old, "to": new}
        assert f"Parcel 7 cannot go from {LABELS[old]} to {LABELS[new]}" in refused.value.message


def test_a_move_stamps_the_time_field_of_the_new_status_only():
    row = _row("open")
    MACHINE.move(row, "sent", what="Parcel 7", at=AT)
    assert (row.sent_at, row.done_at) == (AT, None)
    MACHINE.move(row, "done", what="Parcel 7", at=AT + timedelta(days=2))
    assert (row.sent_at, row.done_at) == (AT, AT + timedelta(days=2))


def test_a_move_without_a_time_or_to_a_status_without_a_field_stamps_nothing():
    row = _row("open")
    MACHINE.move(row, "sent", what="Parcel 7")
    assert row.sent_at is None
    MACHINE.move(_row("open"), "dropped", what="Parcel 7", at=AT)  # no field to stamp: no error either


def test_the_refusal_names_where_the_row_can_go_or_that_it_is_final():
    with pytest.raises(InvalidTransition, match="from Open it can go to: Dropped, Sent"):
        MACHINE.check(old="open", new="done", what="Parcel 7")
    with pytest.raises(InvalidTransition, match=r"nothing \(it is final\)"):
        MACHINE.check(old="done", new="open", what="Parcel 7")


@pytest.mark.django_db
def test_locked_reads_the_row_again_under_a_lock(store):
    Store.objects.filter(pk=store.pk).update(name="Renamed elsewhere")
    with CaptureQueriesContext(connection) as queries:
        fresh = locked(store)
    assert fresh is not store and fresh.pk == store.pk
    assert (store.name, fresh.name) == ("ACME-US store", "Renamed elsewhere")
    assert len(queries) == 1
    if connection.features.has_select_for_update:
        assert "FOR UPDATE" in queries[0]["sql"]


@pytest.mark.django_db
def test_locked_brings_related_rows_along_and_locks_only_its_own(store):
    membership = MembershipFactory(store=store, user=UserFactory(username="ana"))
    with CaptureQueriesContext(connection) as queries:
        fresh = locked(membership, "store", "user")
        assert (fresh.store.code, fresh.user.username) == (store.code, "ana")
    assert len(queries) == 1
    if connection.features.has_select_for_update_of:
        table = connection.ops.quote_name(Membership._meta.db_table)
        assert queries[0]["sql"].endswith(f"FOR UPDATE OF {table}")


@pytest.mark.django_db
def test_actor_or_none_keeps_only_a_signed_in_user():
    user = UserFactory(username="ana")
    assert actor_or_none(user) is user
    assert actor_or_none(AnonymousUser()) is None
    assert actor_or_none(None) is None


def test_not_future_allows_the_clock_skew_and_no_more(monkeypatch):
    monkeypatch.setattr(state.timezone, "now", lambda: AT)
    assert not_future(AT + CLOCK_SKEW, what="The ship date") == AT + CLOCK_SKEW
    assert not_future(AT - timedelta(days=300)) == AT - timedelta(days=300)
    late = AT + CLOCK_SKEW + timedelta(seconds=1)
    with pytest.raises(ApplicationError, match=r"^The ship date is in the future \(2025-06-01T12:05:01\+00:00\)\.$"):
        not_future(late, what="The ship date")
    with pytest.raises(ApplicationError, match=r"^2025-06-01T12:05:01\+00:00 is in the future\.$"):
        not_future(late)
