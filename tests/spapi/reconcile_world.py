"""A store whose data and Amazon report are worked out by hand: three of Amazon's figures, one agreeing, two
differing, each difference accounted for by named orders.

Store ACME-US (America/Los_Angeles, UTC-7 in summer); Amazon's report fetched at 2025-07-20 12:00 UTC.

- ODR, seller-fulfilled, Amazon's window 2025-04-01 … 2025-05-30 (UTC dates). Amazon counts as if it read the dates
  in store time. Ours (UTC): o1 (A-to-z claim), o2, o3 and o3b (negative feedback; bought 2025-04-01 03:00 and
  05:00 UTC, the evening of March 31 in Los Angeles) = 3 defects of 4 orders. Amazon: o1, o2 and o4 (bought
  2025-05-31 04:00 UTC, May 30 in Los Angeles) = 1 defect of 3. The time-zone edge accounts for all of it.
- LSR, Amazon's window 2025-06-21 … 2025-07-20. Ours: l1 (on time), l2 (late), c2 (on time) = 1 late of 3; l3 and
  l4 must ship by 2025-07-20 20:00 and 22:00 UTC, after the report: not late yet, in neither number. Amazon counts
  them: 1 of 5. Their running deadline accounts for all of it.
- Pre-fulfilment cancel rate, 2025-07-13 … 2025-07-19: c1 cancelled by the seller, c2 not: 1 of 2 on both sides.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from orders.models import CancelInitiator, Order, OrderStatus
from spapi.models import SellerPerformanceReport
from support.models import Claim
from tests.factories import ClaimFactory, FeedbackFactory, OrderFactory, ShipmentFactory

MARKETPLACE_US = "ATVPDKIKX0DER"
AS_OF = datetime(2025, 7, 20, 12, tzinfo=UTC)


def t(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _entry(start: str, end: str, **values: Any) -> dict[str, Any]:
    return {"reportingDateRange": {"reportingDateFrom": f"{start}T00:00Z", "reportingDateTo": f"{end}T23:59Z"},
            **values}


def document(*, odr_defects: int = 1, odr_orders: int = 3, lsr_late: int = 1, lsr_orders: int = 5,
             cancels: int = 1, cancel_orders: int = 2) -> dict[str, Any]:
    """The report in Amazon's shape (``schemas/reports/accountHealthReport-2020-11-18.json``)."""
    counted = {"status": "NONE"}
    return {
        "accountStatuses": [{"marketplaceId": MARKETPLACE_US, "status": "NORMAL"}],
        "performanceMetrics": [{
            "marketplaceId": MARKETPLACE_US,
            "orderDefectRate": {"mfn": _entry(
                "2025-04-01", "2025-05-30", orderCount=odr_orders,
                orderWithDefects={"count": odr_defects, "status": "BAD"}, claims={"count": 1, **counted},
                chargebacks={"count": 0, **counted}, negativeFeedback={"count": odr_defects - 1, **counted},
                fulfillmentType="mfn", status="BAD", rate=round(odr_defects / odr_orders, 4), targetValue=0.01,
                targetCondition="LESS_THAN")},
            "lateShipmentRate": _entry("2025-06-21", "2025-07-20", orderCount=lsr_orders,
                                       lateShipmentCount=lsr_late, status="BAD", rate=lsr_late / lsr_orders,
                                       targetValue=0.04, targetCondition="LESS_THAN"),
            "preFulfillmentCancellationRate": _entry("2025-07-13", "2025-07-19", orderCount=cancel_orders,
                                                     cancellationCount=cancels, status="BAD",
                                                     rate=cancels / cancel_orders, targetValue=0.025,
                                                     targetCondition="LESS_THAN"),
            # Amazon's, not ours: left out.
            "invoiceDefectRate": _entry("2025-07-13", "2025-07-19", orderCount=9, rate=0.1),
        }],
    }


@dataclass
class World:
    report: SellerPerformanceReport
    orders: dict[str, Order]


def order(store, amazon_order_id: str, purchased: str, *, ship_by: str | None = None, **fields: Any) -> Order:
    purchase = t(purchased)
    latest = t(ship_by) if ship_by else purchase + timedelta(days=2)
    return OrderFactory(store=store, amazon_order_id=amazon_order_id, purchase_date=purchase, latest_ship_date=latest,
                        earliest_ship_date=purchase, earliest_delivery_date=latest + timedelta(days=1),
                        latest_delivery_date=latest + timedelta(days=5), **fields)


def build(store, *, report_id: str = "R-1", fetched_at: datetime = AS_OF, **counts: int) -> World:
    made: dict[str, Order] = {}

    def add(name: str, purchased: str, **kwargs: Any) -> Order:
        made[name] = order(store, f"113-{1000001 + len(made):07d}-{store.pk:07d}", purchased, **kwargs)
        return made[name]

    add("o1", "2025-04-10T12:00:00")
    ClaimFactory(order=made["o1"], kind=Claim.Kind.A_TO_Z, filed_at=t("2025-04-20T12:00:00"))
    add("o2", "2025-04-12T12:00:00")
    for name, at in (("o3", "2025-04-01T03:00:00"), ("o3b", "2025-04-01T05:00:00")):
        add(name, at)
        FeedbackFactory(order=made[name], rating=1, received_at=t(at) + timedelta(days=5))
    add("o4", "2025-05-31T04:00:00")
    add("l1", "2025-06-29T18:00:00", ship_by="2025-07-01T18:00:00")
    ShipmentFactory(order=made["l1"], shipped_at=t("2025-06-30T18:00:00"))
    add("l2", "2025-07-03T18:00:00", ship_by="2025-07-05T18:00:00")
    ShipmentFactory(order=made["l2"], shipped_at=t("2025-07-06T18:00:00"))
    add("l3", "2025-07-12T10:00:00", ship_by="2025-07-20T20:00:00")
    add("l4", "2025-07-12T11:00:00", ship_by="2025-07-20T22:00:00")
    add("c1", "2025-07-15T12:00:00", status=OrderStatus.CANCELED, canceled_at=t("2025-07-15T15:00:00"),
        cancel_initiator=CancelInitiator.SELLER)
    add("c2", "2025-07-16T12:00:00")
    ShipmentFactory(order=made["c2"], shipped_at=t("2025-07-17T08:00:00"))
    report = SellerPerformanceReport.objects.create(store=store, report_id=report_id, fetched_at=fetched_at,
                                                    marketplace_id=MARKETPLACE_US, raw=document(**counts))
    for o in made.values():
        o.refresh_from_db()
    return World(report=report, orders=made)
