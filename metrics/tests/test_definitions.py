"""The definitions table is the one place a metric's window, deadline, channels and reasons are set."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone, translation

import returns.deadlines
import support.deadlines
from metrics.alerts import reported_results_q
from metrics.definitions import DEFINITIONS, MetricKey
from metrics.engine import ROWS, compute
from metrics.models import Breach
from metrics.rootcause import root_cause
from metrics.views.common import TILE_KEYS
from metrics.windows import window
from tests.factories import MembershipFactory, MessageFactory, OrderFactory, StoreFactory, ThreadFactory, UserFactory

pytestmark = pytest.mark.django_db

PST = ZoneInfo("America/Los_Angeles")
AS_OF = datetime(2026, 11, 20, 10, 0, tzinfo=PST)
H = timedelta(hours=1)


@pytest.fixture
def store():
    return StoreFactory(code="ACME-US", marketplace="US")


def test_the_deadlines_are_the_ones_support_and_returns_keep():
    assert DEFINITIONS[MetricKey.RESPONSE].deadline is support.deadlines.RESPONSE_DEADLINE
    assert DEFINITIONS[MetricKey.RDR].deadline is returns.deadlines.RESPONSE_DEADLINE
    assert {key for key, d in DEFINITIONS.items() if d.deadline is not None} == {MetricKey.RESPONSE, MetricKey.RDR}


@pytest.mark.parametrize("key", list(MetricKey))
def test_the_engine_flags_exactly_the_reasons_the_definition_gives(store, key):
    definition = DEFINITIONS[key]
    win = window(as_of=AS_OF, tz=store.tz, days=definition.window_days[0], lag=definition.lag_days)
    rows = ROWS[key](store, AS_OF, win, definition.channels[0], definition=definition)
    assert list(rows.reasons) == [reason.key for reason in definition.reasons]
    assert rows.rows.model is definition.model
    assert set(definition.reported_channels) <= set(definition.channels)


def test_reason_labels_name_the_deadline_of_the_definition():
    with translation.override("en"):
        assert DEFINITIONS[MetricKey.RESPONSE].reason_labels()["answered_late"] == "answered after 24 hours"
        assert DEFINITIONS[MetricKey.RDR].reason_labels()["responded_late"] == "no response within 48 hours"
        shorter = replace(DEFINITIONS[MetricKey.RESPONSE], deadline=timedelta(hours=12))
        assert shorter.reason_labels()["answered_late"] == "answered after 12 hours"


def test_the_engine_reads_window_and_deadline_from_the_definition(store):
    # Answered 13 hours after it came in, two days before as_of.
    thread = ThreadFactory(store=store)
    sent = datetime(2026, 11, 18, 9, 0, tzinfo=PST)
    MessageFactory(thread=thread, store=store, sent_at=sent)
    MessageFactory(thread=thread, store=store, direction="outbound", sent_at=sent + 13 * H)
    response = DEFINITIONS[MetricKey.RESPONSE]
    [r7, _r30] = compute(store, "response", AS_OF, response)
    assert (r7.numerator, r7.denominator) == (1, 1)
    [r7, _r30] = compute(store, "response", AS_OF, replace(response, deadline=timedelta(hours=12)))
    assert (r7.numerator, r7.denominator) == (0, 1)
    [r1] = compute(store, "response", AS_OF, replace(response, window_days=(1,)))
    assert (r1.window_days, r1.denominator) == (1, 0)


def test_the_channels_a_definition_reports_are_the_tiles_and_the_alerts(store):
    odr = DEFINITIONS[MetricKey.ODR]
    assert "ALL" in odr.channels and "ALL" not in odr.reported_channels
    assert {channel for metric, channel, _days in TILE_KEYS if metric == "odr"} == set(odr.reported_channels)
    for channel in odr.channels:
        Breach.objects.create(store=store, metric="odr", channel=channel, window_days=60, opened_at=AS_OF,
                              opening_rate=Decimal("0.02"), peak_rate=Decimal("0.02"), peak_at=AS_OF)
    shown = Breach.objects.filter(reported_results_q()).values_list("channel", flat=True)
    assert sorted(shown) == sorted(odr.reported_channels)


def test_drilldown_and_root_cause_give_the_same_reasons(client, store):
    now = timezone.now()
    placed = now - timedelta(days=2)
    for initiator in ("seller", "system"):
        OrderFactory(store=store, purchase_date=placed, status="Canceled", canceled_at=placed + H,
                     cancel_initiator=initiator)
    user = UserFactory(username="manager")
    MembershipFactory(user=user, store=store, role="manager")
    client.force_login(user)
    html = client.get(f"/health/{store.code}/cancel/MFN/7/", {"part": "numerator"}).content.decode()
    cause = root_cause(store=store, metric="cancel", channel="MFN", window_days=7, as_of=now)
    labels = [label for label, _count in cause.reasons]
    assert labels == ["cancelled by the seller", "cancelled by Amazon (no confirmation)"]
    for label in labels:
        assert f'<span class="badge badge-bad">{label}</span>' in html
