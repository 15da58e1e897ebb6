"""A plain-Python reading of the account-health metric definitions, kept apart from the ORM code.

Data comes in as lists of dicts; numbers come out as ``(numerator, denominator)``. It loops over rows on
purpose: it is the slow, obvious version that the database implementation is checked against.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DAY = timedelta(days=1)


def window(as_of: datetime, tzname: str, days: int, lag: int) -> tuple[datetime, datetime]:
    tz = ZoneInfo(tzname)
    today = as_of.astimezone(tz).date()

    def starts(day):
        return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)

    return starts(today - (lag + days) * DAY), starts(today - lag * DAY)


def happened(instant: datetime | None, as_of: datetime) -> bool:
    return instant is not None and instant <= as_of


def inside(instant: datetime | None, bounds: tuple[datetime, datetime]) -> bool:
    return instant is not None and bounds[0] <= instant < bounds[1]


def order_defects(order: dict, data: dict, as_of: datetime) -> list[str]:
    defects = []
    for fb in data["feedback"]:
        if (fb["order"] == order["id"] and fb["rating"] in (1, 2) and happened(fb["received_at"], as_of)
                and not happened(fb["removed_at"], as_of)):
            defects.append("negative_feedback")
    for claim in data["claims"]:
        if claim["order"] != order["id"] or not happened(claim["filed_at"], as_of):
            continue
        if claim["kind"] == "chargeback":
            if not happened(claim["reversed_at"], as_of):
                defects.append("chargeback")
            continue
        if happened(claim["denied_at"], as_of):
            continue
        withdrawn = happened(claim["withdrawn_at"], as_of)
        granted = happened(claim["granted_at"], as_of)
        if not withdrawn or granted:
            defects.append("a_to_z_claim")
    return defects


def odr(data: dict, as_of: datetime, channel: str, days: int = 60, lag: int = 14) -> tuple[int, int]:
    bounds = window(as_of, data["tz"], days, lag)
    orders = [o for o in data["orders"] if inside(o["purchase_date"], bounds)
              and (channel == "ALL" or o["channel"] == channel)]
    return sum(1 for o in orders if order_defects(o, data, as_of)), len(orders)


def lsr(data: dict, as_of: datetime, days: int) -> tuple[int, int]:
    bounds = window(as_of, data["tz"], days, 0)
    late = total = 0
    for o in data["orders"]:
        if o["channel"] != "MFN" or not inside(o["latest_ship_date"], bounds) or happened(o["canceled_at"], as_of):
            continue
        total += 1
        confirmations = [s["shipped_at"] for s in data["shipments"] if s["order"] == o["id"]
                         and happened(s["shipped_at"], as_of)]
        if not confirmations or min(confirmations) > o["latest_ship_date"]:
            late += 1
    return late, total


def cancel(data: dict, as_of: datetime, days: int = 7) -> tuple[int, int]:
    bounds = window(as_of, data["tz"], days, 0)
    counted = total = 0
    for o in data["orders"]:
        if o["channel"] != "MFN" or not inside(o["purchase_date"], bounds):
            continue
        total += 1
        if not happened(o["canceled_at"], as_of) or o["cancel_initiator"] not in ("seller", "system"):
            continue
        shipped_before = any(s["order"] == o["id"] and s["shipped_at"] <= o["canceled_at"] for s in data["shipments"])
        if not shipped_before:
            counted += 1
    return counted, total


def _order(data: dict, order_id: int) -> dict:
    return next(o for o in data["orders"] if o["id"] == order_id)


def vtr(data: dict, as_of: datetime, days: int = 30) -> tuple[int, int]:
    bounds = window(as_of, data["tz"], days, 0)
    rows = [s for s in data["shipments"] if _order(data, s["order"])["channel"] == "MFN"
            and inside(s["shipped_at"], bounds)]
    return sum(1 for s in rows if happened(s["first_scan_at"], as_of)), len(rows)


def otdr(data: dict, as_of: datetime, days: int = 14) -> tuple[int, int]:
    bounds = window(as_of, data["tz"], days, 0)
    good = total = 0
    for s in data["shipments"]:
        order = _order(data, s["order"])
        if order["channel"] != "MFN" or not happened(s["first_scan_at"], as_of):
            continue
        if not inside(order["latest_delivery_date"], bounds):
            continue
        total += 1
        if happened(s["delivered_at"], as_of) and s["delivered_at"] <= order["latest_delivery_date"]:
            good += 1
    return good, total


def response(data: dict, as_of: datetime, days: int) -> tuple[int, int]:
    bounds = window(as_of, data["tz"], days, 0)
    good = total = 0
    for m in data["messages"]:
        if m["direction"] != "inbound" or not m["needs_reply"] or m["internal"] or not inside(m["sent_at"], bounds):
            continue
        replies = [r["sent_at"] for r in data["messages"] if r["thread"] == m["thread"]
                   and r["direction"] == "outbound" and not r["internal"] and happened(r["sent_at"], as_of)
                   and r["sent_at"] >= m["sent_at"]]
        deadline = m["sent_at"] + timedelta(hours=24)
        if not replies and deadline > as_of:
            continue  # pending: not answered yet, and its 24 hours still run
        total += 1
        if any(r <= deadline for r in replies):
            good += 1
    return good, total


def rdr(data: dict, as_of: datetime, days: int = 60) -> tuple[int, int]:
    bounds = window(as_of, data["tz"], days, 0)
    bad = total = 0
    for r in data["returns"]:
        # Amazon handles FBA returns: only the seller's own requests count.
        if r.get("fulfillment_channel", "MFN") != "MFN" or not inside(r["requested_at"], bounds):
            continue
        deadline = r["requested_at"] + timedelta(hours=48)
        if not happened(r["responded_at"], as_of) and deadline > as_of:
            continue  # pending: not responded to yet, and its 48 hours still run
        total += 1
        on_time = happened(r["responded_at"], as_of) and r["responded_at"] <= deadline
        if (happened(r["negative_feedback_at"], as_of) or not on_time
                or (r["in_policy"] and happened(r["rejected_at"], as_of))):
            bad += 1
    return bad, total


def all_metrics(data: dict, as_of: datetime) -> dict[tuple[str, str, int], tuple[int, int]]:
    """Every result, keyed like the engine's ``Result.key``: (metric, channel, window days)."""
    return {
        ("odr", "MFN", 60): odr(data, as_of, "MFN"),
        ("odr", "AFN", 60): odr(data, as_of, "AFN"),
        ("odr", "ALL", 60): odr(data, as_of, "ALL"),
        ("lsr", "MFN", 10): lsr(data, as_of, 10),
        ("lsr", "MFN", 30): lsr(data, as_of, 30),
        ("cancel", "MFN", 7): cancel(data, as_of),
        ("vtr", "MFN", 30): vtr(data, as_of),
        ("otdr", "MFN", 14): otdr(data, as_of),
        ("response", "ALL", 7): response(data, as_of, 7),
        ("response", "ALL", 30): response(data, as_of, 30),
        ("rdr", "ALL", 60): rdr(data, as_of),
    }
