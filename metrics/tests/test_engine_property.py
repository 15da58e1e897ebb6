"""The database engine equals the plain-Python reference on random stores, with events on every edge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import Store
from fulfillment.models import Shipment
from metrics.engine import compute_all
from orders.models import Order, OrderStatus
from returns.models import ReturnRequest
from support.models import Claim, Feedback, Message, MessageThread

from . import reference

pytestmark = pytest.mark.django_db

TIMEZONES = [
    "America/Los_Angeles",  # west of UTC, DST
    "America/Sao_Paulo",  # west of UTC, no DST now
    "America/St_Johns",  # half-hour offset, DST
    "Europe/Berlin",
    "Europe/London",
    "Asia/Tokyo",
    "Asia/Kolkata",  # half-hour offset
    "Australia/Sydney",  # southern-hemisphere DST
    "Pacific/Auckland",
    "UTC",
]
#: Instants chosen so that windows span DST changes (US 2026-03-08 and 2026-11-01, EU 2026-03-29 and
#: 2026-10-25, southern 2026-04-05 and 2026-10-04) and local midnights.
AS_OF = [
    datetime(2026, 3, 10, 7, 59, 59, tzinfo=UTC),
    datetime(2026, 3, 30, 0, 0, tzinfo=UTC),
    datetime(2026, 4, 6, 13, 0, tzinfo=UTC),
    datetime(2026, 10, 5, 11, 0, tzinfo=UTC),
    datetime(2026, 10, 26, 23, 0, tzinfo=UTC),
    datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
    datetime(2026, 11, 20, 15, 30, tzinfo=UTC),
]
OFFSETS = [timedelta(0), timedelta(microseconds=1), -timedelta(microseconds=1), timedelta(seconds=1),
           -timedelta(seconds=1), timedelta(hours=1), -timedelta(hours=1), timedelta(hours=24), -timedelta(hours=24),
           timedelta(hours=48), timedelta(hours=23, minutes=59, seconds=59), timedelta(hours=24, microseconds=1),
           timedelta(hours=48, microseconds=1)]


@st.composite
def scenarios(draw):
    tzname = draw(st.sampled_from(TIMEZONES))
    shift = draw(st.sampled_from([timedelta(0), timedelta(hours=9), -timedelta(hours=9)]))
    as_of = draw(st.sampled_from(AS_OF)) + shift
    # Anchors: every local midnight the windows can start or end on, and as_of itself.
    anchors = [as_of] + [reference.window(as_of, tzname, d, 0)[0] for d in range(0, 80)]

    def instant(*related):
        """A time near a window edge, or near a related event's time (a deadline, a cancellation…)."""
        related = [r for r in related if r is not None]
        if related and draw(st.booleans()):
            return draw(st.sampled_from(related)) + draw(st.sampled_from(OFFSETS))
        return draw(st.sampled_from(anchors)) + draw(st.one_of(
            st.sampled_from(OFFSETS), st.timedeltas(min_value=-timedelta(days=3), max_value=timedelta(days=3))))

    def maybe_instant(p_none=0.4, *related):
        return None if draw(st.floats(0, 1)) < p_none else instant(*related)

    orders, shipments, feedback, claims, returns = [], [], [], [], []
    for oid in range(draw(st.integers(0, 30))):
        canceled_at = maybe_instant(0.7)
        orders.append({
            "id": oid, "channel": draw(st.sampled_from(["MFN", "MFN", "AFN"])), "purchase_date": instant(),
            "latest_ship_date": maybe_instant(0.1), "latest_delivery_date": maybe_instant(0.1),
            "canceled_at": canceled_at,
            "cancel_initiator": draw(st.sampled_from(["seller", "buyer", "system"])) if canceled_at else "",
        })
        for _ in range(draw(st.integers(0, 2))):
            order = orders[-1]
            shipped = instant(order["latest_ship_date"], order["canceled_at"])
            scan = maybe_instant(0.3, shipped)
            delivered = maybe_instant(0.4, order["latest_delivery_date"])
            if scan and delivered and delivered < scan:
                scan, delivered = delivered, scan
            shipments.append({"order": oid, "shipped_at": shipped, "first_scan_at": scan, "delivered_at": delivered})
        if draw(st.booleans()):
            feedback.append({"order": oid, "rating": draw(st.integers(1, 5)), "received_at": instant(),
                             "removed_at": maybe_instant(0.6)})
        for _ in range(draw(st.integers(0, 2))):
            claims.append({"order": oid, "kind": draw(st.sampled_from(["a_to_z", "chargeback"])),
                           "filed_at": instant(), "granted_at": maybe_instant(0.6), "denied_at": maybe_instant(0.7),
                           "withdrawn_at": maybe_instant(0.7), "reversed_at": maybe_instant(0.7)})
        if draw(st.integers(0, 3)) == 0:
            requested = instant()
            responded = None if draw(st.booleans()) else requested + draw(st.sampled_from(
                [timedelta(0), timedelta(hours=48), timedelta(hours=48, microseconds=1), timedelta(hours=3),
                 timedelta(days=5)]))
            returns.append({"order": oid, "requested_at": requested, "responded_at": responded,
                            "rejected_at": maybe_instant(0.7), "in_policy": draw(st.booleans()),
                            "negative_feedback_at": maybe_instant(0.7),
                            "fulfillment_channel": draw(st.sampled_from(["MFN", "MFN", "AFN"]))})
    messages = []
    for thread in range(draw(st.integers(0, 6))):
        previous = None
        for _ in range(draw(st.integers(0, 6))):
            direction = draw(st.sampled_from(["inbound", "outbound"]))
            previous = instant(previous)
            messages.append({"thread": thread, "direction": direction, "sent_at": previous,
                             "needs_reply": direction == "inbound" and draw(st.integers(0, 4)) > 0,
                             "internal": direction == "outbound" and draw(st.integers(0, 5)) == 0})
    return {"tz": tzname, "as_of": as_of, "orders": orders, "shipments": shipments, "feedback": feedback,
            "claims": claims, "returns": returns, "messages": messages}


def load(data: dict) -> Store:
    """Write a scenario to the database exactly as given (no services: the rows may be any shape)."""
    store = Store.objects.create(code="PROP", name="prop", marketplace="US", timezone=data["tz"])
    orders = {}
    for o in data["orders"]:
        orders[o["id"]] = Order.objects.create(
            store=store, amazon_order_id=f"111-0000000-{o['id']:07d}", purchase_date=o["purchase_date"],
            fulfillment_channel=o["channel"], latest_ship_date=o["latest_ship_date"],
            latest_delivery_date=o["latest_delivery_date"], canceled_at=o["canceled_at"],
            cancel_initiator=o["cancel_initiator"],
            status=OrderStatus.CANCELED if o["canceled_at"] else OrderStatus.SHIPPED,
        )
    Shipment.objects.bulk_create(Shipment(store=store, order=orders[s["order"]], carrier="UPS", tracking_number="1Z",
                                          shipped_at=s["shipped_at"], first_scan_at=s["first_scan_at"],
                                          delivered_at=s["delivered_at"]) for s in data["shipments"])
    Feedback.objects.bulk_create(Feedback(store=store, order=orders[f["order"]], rating=f["rating"],
                                          received_at=f["received_at"], removed_at=f["removed_at"])
                                 for f in data["feedback"])
    Claim.objects.bulk_create(Claim(store=store, order=orders[c["order"]], kind=c["kind"], filed_at=c["filed_at"],
                                    granted_at=c["granted_at"], denied_at=c["denied_at"],
                                    withdrawn_at=c["withdrawn_at"], reversed_at=c["reversed_at"])
                              for c in data["claims"])
    ReturnRequest.objects.bulk_create(
        ReturnRequest(store=store, order=orders[r["order"]], sku="S", requested_at=r["requested_at"],
                      responded_at=r["responded_at"], rejected_at=r["rejected_at"], in_policy=r["in_policy"],
                      negative_feedback_at=r["negative_feedback_at"], fulfillment_channel=r["fulfillment_channel"])
        for r in data["returns"])
    threads = {t: MessageThread.objects.create(store=store, subject=f"t{t}")
               for t in {m["thread"] for m in data["messages"]}}
    Message.objects.bulk_create(Message(store=store, thread=threads[m["thread"]], direction=m["direction"],
                                        body="x", sent_at=m["sent_at"], needs_reply=m["needs_reply"],
                                        is_internal_note=m["internal"]) for m in data["messages"])
    return store


class Rollback(Exception):
    pass


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                      HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=scenarios())
def test_engine_equals_reference(data):
    try:
        with transaction.atomic():
            store = load(data)
            got = {r.key: (r.numerator, r.denominator) for r in compute_all(store, data["as_of"])}
            raise Rollback(got)
    except Rollback as done:
        got = done.args[0]
    assert got == reference.all_metrics(data, data["as_of"])
