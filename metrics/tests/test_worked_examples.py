"""Worked examples, computed by hand, one story per metric rule; each reads as documentation.

The store is ACME-US on amazon.com, whose day runs in America/Los_Angeles (PST, UTC-8, in November).
``AS_OF`` is Friday 2026-11-20 10:00 PST, so "today" is Nov 20 and, with lag 0, a window of N days
covers the local days Nov 20-N … Nov 19: [Nov 20-N 00:00 PST, Nov 20 00:00 PST).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from metrics.definitions import DEFINITIONS, MetricKey
from metrics.engine import (
    compute,
    compute_all,
    defects_until_breach,
    good_rows_to_recover,
    metric_pending_rows,
    metric_rows,
    status_of,
)
from metrics.models import Status
from metrics.windows import window
from tests.factories import (
    ClaimFactory,
    FeedbackFactory,
    MessageFactory,
    OrderFactory,
    ReturnRequestFactory,
    ShipmentFactory,
    StoreFactory,
    ThreadFactory,
)

pytestmark = pytest.mark.django_db

PST = ZoneInfo("America/Los_Angeles")
AS_OF = datetime(2026, 11, 20, 10, 0, tzinfo=PST)
H = timedelta(hours=1)
US = timedelta(microseconds=1)


def local(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=PST)


def result(store, metric, channel="MFN", days=None):
    results = compute(store, metric, AS_OF)
    return next(r for r in results if r.channel == channel and (days is None or r.window_days == days))


@pytest.fixture
def store():
    return StoreFactory(code="ACME-US", marketplace="US")


def test_window_is_whole_local_days_before_today():
    win = window(as_of=AS_OF, tz=PST, days=10, lag=0)
    assert win.start == local(10).astimezone(UTC) == datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
    assert win.end == local(20).astimezone(UTC)


def test_window_with_lag_and_a_dst_change_inside():
    # ODR: 60 days with a 14-day lag ends at Nov 6 00:00 PST and starts Sep 7 00:00 PDT (UTC-7): the
    # window spans the Nov 1 change back to standard time, so it is 60 local days but 1441 hours long.
    win = window(as_of=AS_OF, tz=PST, days=60, lag=14)
    assert win.end == datetime(2026, 11, 6, 8, 0, tzinfo=UTC)
    assert win.start == datetime(2026, 9, 7, 7, 0, tzinfo=UTC)
    assert win.end - win.start == timedelta(days=60, hours=1)


def test_lsr_ten_days(store):
    # Four MFN orders due to ship in the window: one on time, one confirmed a minute late, one never
    # confirmed, one cancelled (not counted at all). One order due today is outside the window.
    on_time = OrderFactory(store=store, latest_ship_date=local(12, 23, 59))
    ShipmentFactory(order=on_time, store=store, shipped_at=local(12, 23, 59))  # exactly at ship-by: on time
    late = OrderFactory(store=store, latest_ship_date=local(13, 23, 59))
    ShipmentFactory(order=late, store=store, shipped_at=local(14, 0, 0))
    OrderFactory(store=store, latest_ship_date=local(19, 23, 59))  # nothing confirmed by as_of: late
    OrderFactory(store=store, latest_ship_date=local(15, 23, 59), status="Canceled", canceled_at=local(14),
                 cancel_initiator="buyer")
    OrderFactory(store=store, latest_ship_date=local(20, 9))  # due today: the day in progress never counts
    OrderFactory(store=store, latest_ship_date=local(15), fulfillment_channel="AFN")  # FBA: not in LSR
    r = result(store, "lsr", days=10)
    assert (r.numerator, r.denominator) == (2, 3)
    assert r.rate == Decimal("0.666667") and r.status == Status.RED


def test_lsr_window_edges(store):
    # Ship-by exactly at the window start counts; exactly at the window end (today 00:00) does not.
    OrderFactory(store=store, latest_ship_date=local(10))
    OrderFactory(store=store, latest_ship_date=local(10) - US)
    OrderFactory(store=store, latest_ship_date=local(20))
    OrderFactory(store=store, latest_ship_date=local(20) - US)
    assert result(store, "lsr", days=10).denominator == 2
    assert result(store, "lsr", days=30).denominator == 3


def test_cancel_rate_counts_seller_and_amazon_not_buyer(store):
    placed = local(16, 9)
    for initiator in ["seller", "system", "buyer"]:
        OrderFactory(store=store, purchase_date=placed, status="Canceled", canceled_at=placed + H,
                     cancel_initiator=initiator)
    OrderFactory(store=store, purchase_date=placed)
    OrderFactory(store=store, purchase_date=placed, status="Canceled", canceled_at=AS_OF + H,
                 cancel_initiator="seller")  # cancelled after as_of: not yet
    r = result(store, "cancel")
    assert (r.numerator, r.denominator) == (2, 5)


def test_vtr_counts_shipments_scanned_by_as_of(store):
    order = OrderFactory(store=store, purchase_date=local(1))
    ShipmentFactory(order=order, store=store, shipped_at=local(5), first_scan_at=local(5, 18))
    ShipmentFactory(order=order, store=store, shipped_at=local(6), first_scan_at=AS_OF)  # at as_of: counts
    ShipmentFactory(order=order, store=store, shipped_at=local(7), first_scan_at=AS_OF + US)  # after: not
    ShipmentFactory(order=order, store=store, shipped_at=local(8))
    r = result(store, "vtr")
    assert (r.numerator, r.denominator) == (2, 4) and r.rate == Decimal("0.5")


def test_otdr_only_tracked_shipments_delivered_by_the_promise(store):
    due = local(15, 23, 59)
    on_time = OrderFactory(store=store, latest_delivery_date=due)
    ShipmentFactory(order=on_time, store=store, shipped_at=local(12), first_scan_at=local(12, 20), delivered_at=due)
    late = OrderFactory(store=store, latest_delivery_date=due)
    ShipmentFactory(order=late, store=store, shipped_at=local(12), first_scan_at=local(12, 20),
                    delivered_at=due + US)
    untracked = OrderFactory(store=store, latest_delivery_date=due)
    ShipmentFactory(order=untracked, store=store, shipped_at=local(12), delivered_at=None)
    r = result(store, "otdr")
    assert (r.numerator, r.denominator) == (1, 2)


def test_odr_one_defect_per_order_however_many_and_by_channel(store):
    # Purchase dates inside the ODR window (Sep 7 – Nov 5 local).
    placed = local(20, month=10)
    two_defects = OrderFactory(store=store, purchase_date=placed)
    FeedbackFactory(order=two_defects, store=store, rating=1)
    ClaimFactory(order=two_defects, store=store, kind="a_to_z")
    removed = OrderFactory(store=store, purchase_date=placed)
    FeedbackFactory(order=removed, store=store, rating=2, removed_at=local(1))
    denied = OrderFactory(store=store, purchase_date=placed)
    ClaimFactory(order=denied, store=store, kind="a_to_z", status="denied", denied_at=local(2))
    withdrawn_before = OrderFactory(store=store, purchase_date=placed)
    ClaimFactory(order=withdrawn_before, store=store, kind="a_to_z", status="withdrawn", withdrawn_at=local(2))
    withdrawn_after_grant = OrderFactory(store=store, purchase_date=placed)
    ClaimFactory(order=withdrawn_after_grant, store=store, kind="a_to_z", status="withdrawn",
                 granted_at=local(1), withdrawn_at=local(2))
    reversed_cb = OrderFactory(store=store, purchase_date=placed)
    ClaimFactory(order=reversed_cb, store=store, kind="chargeback", status="reversed", reversed_at=local(3))
    fba = OrderFactory(store=store, purchase_date=placed, fulfillment_channel="AFN")
    ClaimFactory(order=fba, store=store, kind="chargeback")
    neutral = OrderFactory(store=store, purchase_date=placed)
    FeedbackFactory(order=neutral, store=store, rating=3)
    OrderFactory(store=store, purchase_date=local(10))  # inside the 14-day lag: not in the window
    mfn, afn, every = (result(store, "odr", channel) for channel in ("MFN", "AFN", "ALL"))
    assert (mfn.numerator, mfn.denominator) == (2, 7)  # two defects, withdrawn after grant
    assert (afn.numerator, afn.denominator) == (1, 1)
    assert (every.numerator, every.denominator) == (3, 8)
    rows = {o.amazon_order_id: o for o in metric_rows(store=store, metric="odr", channel="MFN", window_days=60,
                                                      as_of=AS_OF)}
    counted = rows[two_defects.amazon_order_id]
    assert counted.is_counted and counted.has_negative_feedback and counted.has_a_to_z_claim


def test_response_within_24_hours_exactly(store):
    sent = local(18, 9)
    answered_at_24h = ThreadFactory(store=store)
    MessageFactory(thread=answered_at_24h, store=store, sent_at=sent)
    MessageFactory(thread=answered_at_24h, store=store, direction="outbound", sent_at=sent + 24 * H)
    answered_late = ThreadFactory(store=store)
    MessageFactory(thread=answered_late, store=store, sent_at=sent)
    MessageFactory(thread=answered_late, store=store, direction="outbound", sent_at=sent + 24 * H + US)
    no_reply_needed = ThreadFactory(store=store)
    MessageFactory(thread=no_reply_needed, store=store, sent_at=sent, needs_reply=False)
    other_thread_reply = ThreadFactory(store=store)
    MessageFactory(thread=other_thread_reply, store=store, sent_at=sent)
    r7 = result(store, "response", "ALL", 7)
    assert (r7.numerator, r7.denominator) == (1, 3)
    assert r7.status == Status.RED


def test_rdr_late_response_negative_feedback_and_rejection_in_policy(store):
    requested = local(10, 8)
    ReturnRequestFactory(store=store, order__store=store, requested_at=requested,
                         responded_at=requested + 48 * H)  # on time, exactly 48 h
    ReturnRequestFactory(store=store, order__store=store, requested_at=requested,
                         responded_at=requested + 48 * H + US)  # late
    ReturnRequestFactory(store=store, order__store=store, requested_at=requested, responded_at=requested + H,
                         negative_feedback_at=local(15))  # negative feedback
    ReturnRequestFactory(store=store, order__store=store, requested_at=requested, responded_at=requested + H,
                         rejected_at=requested + H, in_policy=True, status="rejected")  # rejected in policy
    ReturnRequestFactory(store=store, order__store=store, requested_at=requested, responded_at=requested + H,
                         rejected_at=requested + H, in_policy=False, status="rejected")  # fair rejection
    # An FBA return (Amazon handles it, the seller never answers): in neither number.
    ReturnRequestFactory(store=store, order__store=store, order__fulfillment_channel="AFN", requested_at=requested,
                         fulfillment_channel="AFN")
    r = result(store, "rdr", "ALL")
    assert (r.numerator, r.denominator) == (3, 5)


#: Just after local midnight: yesterday (Nov 19) is the newest day of every lag-0 window, and the evening's
#: messages and returns are still inside their deadlines.
AFTER_MIDNIGHT = local(20, 1)


def test_unanswered_message_is_pending_until_its_24_hours_end(store):
    """Pending rows are in neither number: a message is late only once its deadline has passed unanswered."""
    def inbound(sent_at, reply_at=None):
        thread = ThreadFactory(store=store)
        message = MessageFactory(thread=thread, store=store, sent_at=sent_at)
        if reply_at is not None:
            MessageFactory(thread=thread, store=store, direction="outbound", sent_at=reply_at)
        return message

    pending = inbound(AFTER_MIDNIGHT - 2 * H)  # 23:00 yesterday, unanswered: 22 hours left
    answered_after_as_of = inbound(local(19, 22), reply_at=local(20, 2))  # answered in time, but not yet
    late = inbound(AFTER_MIDNIGHT - 30 * H)  # 19:00 the day before, unanswered: 6 hours overdue
    at_deadline = inbound(AFTER_MIDNIGHT - 24 * H)  # its 24 hours end exactly at as_of: late, not pending
    good = inbound(local(19, 12), reply_at=local(19, 15))  # answered in 3 hours: counts at once
    r7 = next(r for r in compute(store, "response", AFTER_MIDNIGHT) if r.window_days == 7)
    assert (r7.numerator, r7.denominator, r7.pending) == (1, 3, 2)
    rows = metric_rows(store=store, metric="response", channel="ALL", window_days=7, as_of=AFTER_MIDNIGHT)
    assert {m.pk: m.is_counted for m in rows} == {late.pk: False, at_deadline.pk: False, good.pk: True}
    waiting = metric_pending_rows(store=store, metric="response", channel="ALL", window_days=7, as_of=AFTER_MIDNIGHT)
    assert {m.pk for m in waiting} == {pending.pk, answered_after_as_of.pk}
    # Once the replies are in and the deadlines have passed, every one of them is counted.
    later = local(21, 1)
    r7 = next(r for r in compute(store, "response", later) if r.window_days == 7)
    assert (r7.numerator, r7.denominator, r7.pending) == (2, 5, 0)


def test_unanswered_return_request_is_pending_until_its_48_hours_end(store):
    """Pending rows are in neither number: a return request is late only once 48 hours pass unanswered."""
    def request(requested_at, responded_at=None, **extra):
        return ReturnRequestFactory(store=store, order__store=store, requested_at=requested_at,
                                    responded_at=responded_at, **extra)

    pending = request(local(19, 20))  # 5 hours old, unanswered
    responded_after_as_of = request(local(19, 12), responded_at=local(20, 5))
    late = request(AFTER_MIDNIGHT - 53 * H)  # unanswered past its 48 hours
    at_deadline = request(AFTER_MIDNIGHT - 48 * H)  # its 48 hours end exactly at as_of: late
    good = request(local(19, 12), responded_at=local(19, 15))  # answered in 3 hours: counts at once
    rejected_in_policy = request(local(19, 12), responded_at=local(19, 13), rejected_at=local(19, 13),
                                 in_policy=True, status="rejected")
    [r] = compute(store, "rdr", AFTER_MIDNIGHT)
    assert (r.numerator, r.denominator, r.pending) == (3, 4, 2)
    rows = metric_rows(store=store, metric="rdr", channel="ALL", window_days=60, as_of=AFTER_MIDNIGHT)
    assert {x.pk: x.is_counted for x in rows} == {late.pk: True, at_deadline.pk: True, good.pk: False,
                                                   rejected_in_policy.pk: True}
    waiting = metric_pending_rows(store=store, metric="rdr", channel="ALL", window_days=60, as_of=AFTER_MIDNIGHT)
    assert {x.pk for x in waiting} == {pending.pk, responded_after_as_of.pk}


def test_metrics_without_a_deadline_have_no_pending_rows(store):
    assert {r.metric: r.pending for r in compute_all(store, AS_OF)} == {
        "odr": None, "lsr": None, "cancel": None, "vtr": None, "otdr": None, "response": 0, "rdr": 0}


@pytest.mark.parametrize(
    ("metric", "numerator", "denominator", "status"),
    [
        ("odr", 74, 10_000, Status.GREEN),
        ("odr", 75, 10_000, Status.AMBER),  # 0.75 %: the warning band starts
        ("odr", 99, 10_000, Status.AMBER),
        ("odr", 100, 10_000, Status.RED),  # 1 %: not below the target any more
        ("lsr", 299, 10_000, Status.GREEN),
        ("lsr", 300, 10_000, Status.AMBER),
        ("lsr", 400, 10_000, Status.RED),
        ("cancel", 1874, 100_000, Status.GREEN),
        ("cancel", 1875, 100_000, Status.AMBER),
        ("cancel", 2500, 100_000, Status.RED),
        ("vtr", 9625, 10_000, Status.GREEN),  # 96.25 %: the last quarter starts just below
        ("vtr", 9624, 10_000, Status.AMBER),
        ("vtr", 9500, 10_000, Status.AMBER),  # exactly 95 % meets the floor
        ("vtr", 9499, 10_000, Status.RED),
        ("response", 90, 100, Status.AMBER),
        ("response", 89, 100, Status.RED),
        ("otdr", 0, 0, Status.NONE),
    ],
)
def test_status_bands(metric, numerator, denominator, status):
    assert status_of(numerator, denominator, DEFINITIONS[MetricKey(metric)]) == status


def test_defects_until_breach_and_rows_to_recover():
    odr = DEFINITIONS[MetricKey.ODR]
    # 41 defects in 5,012 orders (0.82 %): red at 50.12, so 10 more defects breach.
    assert defects_until_breach(41, 5012, odr) == 10
    assert defects_until_breach(51, 5012, odr) == 0
    # LSR 37 late of 804 (4.6 %): 37 / 925 is exactly 4 %, still red; 122 more on-time orders make 3.996 %.
    lsr = DEFINITIONS[MetricKey.LSR]
    assert good_rows_to_recover(37, 804, lsr) == 122
    assert status_of(37, 804 + 122, lsr) != Status.RED and status_of(37, 804 + 121, lsr) == Status.RED
    # VTR 2,399 valid of 2,431: 90 fewer valid shipments would put it below 95 %.
    vtr = DEFINITIONS[MetricKey.VTR]
    k = defects_until_breach(2399, 2431, vtr)
    assert status_of(2399 - k, 2431, vtr) == Status.RED and status_of(2399 - k + 1, 2431, vtr) != Status.RED
    # A red floor metric recovers with good rows: 85 of 100 responses on time needs 50 more on time.
    response = DEFINITIONS[MetricKey.RESPONSE]
    assert good_rows_to_recover(85, 100, response) == 50
    assert defects_until_breach(0, 0, odr) is None
