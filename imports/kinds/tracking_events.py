"""A carrier's or a tracking service's export of tracking events: one event (or a parcel's latest event) per line.

The layouts are told apart by their headers and read by the same columns, each with the names the layouts give
it: our own (``tracking-number``, ``carrier``, ``event-time``, ``status``, ``description``, ``location``),
AfterShip's checkpoints (``tracking_number``, ``slug``, ``checkpoint_time``, ``tag``, ``message``, ``location``),
EasyPost's tracking details (``tracking_code``, ``carrier``, ``datetime``, ``status``, ``message``, ``city``,
``state``, ``zip``, ``country``), 17TRACK's list in English or Chinese (``Number``/``单号``, ``Carrier``/``运输商``,
``Status``/``包裹状态``, ``Latest event``/``最新事件``, ``Latest event time``/``最新事件时间``) and a carrier's event
export (``Tracking Number``, ``Event``/``Activity``, ``Event Date`` and ``Event Time``, ``Event City``…). Tabs or
commas, quoted as RFC 4180 quotes.

Each line's status (a code or word of any vocabulary ``fulfillment.carrier_status`` knows, else the wording of its
description) becomes our status; its parcel is found by tracking number in the import's store. An unknown number
is a warning and the line is skipped; a status nobody writes, a time that cannot be read, an event in the future
or long before the parcel's ship confirmation is an error, and the file writes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import ApplicationError
from fulfillment.carrier_event_selectors import shipments_by_tracking, tracking_key
from fulfillment.carrier_events import CarrierEventData, carrier_events_record
from fulfillment.carrier_status import NO_EVENT, carrier_event_status, carrier_event_time_check
from fulfillment.carriers import map_carrier
from fulfillment.models import CarrierEventStatus

from ..base import SOURCE, Context, Counts, PlanLine
from ..parsers import Cells, Column, Row, shown

LABEL = gettext_lazy("carrier tracking events file")
#: Where the seller gets the file (not from Seller Central: from the carrier or the tracking service).
SELLER_CENTRAL_NAME = gettext_lazy("Carrier tracking events (an export of your carrier, AfterShip, 17TRACK or "
                                   "EasyPost)")
#: Tracking services export comma-separated files; our own layout may be either.
DELIMITERS = ("\t", ",")
COLUMNS = [
    Column("tracking_number", "tracking-number", required=True, aliases=(
        "tracking_code", "tracking no", "tracking no.", "number", "package tracking number", "waybill",
        "单号", "运单号", "跟踪号", "物流单号", "追跡番号", "お問い合わせ番号")),
    Column("carrier", "carrier", aliases=("courier", "slug", "carrier code", "carrier name", "运输商", "物流商",
                                          "配送業者")),
    Column("at", "event-time", required=True, aliases=(
        "checkpoint_time", "datetime", "event datetime", "date/time", "time", "latest event time",
        "last event time", "activity date/time", "最新事件时间", "事件时间", "时间", "日時", "event date",
        "activity date", "date")),
    Column("date", "event-date", aliases=("activity date", "date", "日期")),
    Column("status", "status", aliases=("tag", "status code", "status type", "event status", "checkpoint status",
                                        "package status", "包裹状态", "状态", "ステータス")),
    Column("description", "description", aliases=(
        "message", "checkpoint message", "event", "event description", "activity", "details", "latest event",
        "last event", "status description", "最新事件", "事件", "轨迹", "物流信息", "詳細")),
    Column("location", "location", aliases=("checkpoint location", "event location", "activity location",
                                            "地点", "位置", "所在地", "取扱局")),
    Column("city", "city", aliases=("event city", "activity city")),
    Column("state", "state", aliases=("event state", "activity state", "province")),
    Column("zip", "zip", aliases=("event zip", "zip code", "postal code", "postcode")),
    Column("country", "country", aliases=("event country", "country_name", "country name", "country_iso3")),
]
#: A cell that holds a date (then a separate date column is not needed).
_HAS_DATE = re.compile(r"\d{4}|\d{1,2}[/.\-]\d{1,2}[/.\-]\d{1,4}")


@dataclass
class EventRow:
    line: int
    tracking_number: str
    event: CarrierEventData


def _time(row: Row, cells: Cells) -> datetime | None:
    """The event's time: one cell, or a time of day beside its date (``Event Date`` and ``Event Time``)."""
    value = row.values.get("at", "")
    day = row.values.get("date", "") if cells.has("date") else ""
    if not value and not day:
        cells.fail("at", _("This value is required."))
        return None
    if day and day != value and not _HAS_DATE.search(value):
        value = f"{day} {value}".strip()
    return cells.parse_time("at", value or day)


def _location(row: Row) -> str:
    if row.values.get("location"):
        return row.values["location"]
    parts = [row.values.get(key, "") for key in ("city", "state", "zip", "country")]
    return ", ".join(part for part in parts if part)


def parse_row(row: Row, cells: Cells, ctx: Context) -> tuple[str, EventRow] | None:
    """Check one line on its own: its number, its time, its status; a parcel's lines go together."""
    v = row.values
    number = cells.text("tracking_number", required=True, max_length=64)
    carrier = map_carrier(v.get("carrier", "")) or ""
    raw_status, description = v.get("status", ""), v.get("description", "")
    status = carrier_event_status(status=raw_status, description=description, carrier=carrier)
    if status == NO_EVENT:
        ctx.warn(row.line, ctx.headers.get("status", "status"),
                 _("%(value)s: the carrier has reported nothing yet; the line is skipped.")
                 % {"value": shown(raw_status or description)})
        return None
    at = _time(row, cells)
    if status is None:
        key = "status" if raw_status or not description else "description"
        cells.fail(key, _("%(value)s is not a carrier status or event we can read; write one of %(choices)s in "
                          "the status column.") % {"value": shown(raw_status or description or "—"),
                                                   "choices": ", ".join(CarrierEventStatus.values)})
    if not cells.ok:
        return None
    assert at is not None and status is not None  # set when cells.ok
    event = CarrierEventData(at=at, status=status, description=description, location=_location(row))
    return tracking_key(number), EventRow(line=row.line, tracking_number=number, event=event)


def build(groups: list[list[EventRow]], ctx: Context) -> list[list[EventRow]]:
    return groups


def apply(groups: list[list[EventRow]], ctx: Context) -> Counts:
    counts = Counts()
    number_column = ctx.headers["tracking_number"]
    time_column = ctx.headers["at"]
    shipments = shipments_by_tracking(store=ctx.store, numbers=[group[0].tracking_number for group in groups])
    plans = []
    for group in groups:
        shipment = shipments.get(tracking_key(group[0].tracking_number))
        if shipment is None:
            for row in group:
                ctx.warn(row.line, number_column, _("No shipment of %(store)s has tracking number %(number)s: the "
                                                    "line is skipped.")
                         % {"store": ctx.store.code, "number": row.tracking_number})
                _plan(ctx, row, "", "skip", _("Skipped: no shipment has this tracking number."))
                counts.skipped += 1
            continue
        fitting = []
        for row in group:
            try:
                carrier_event_time_check(at=row.event.at, status=row.event.status, shipped_at=shipment.shipped_at,
                                         now=ctx.now)
            except ApplicationError as error:
                ctx.error(row.line, time_column, error.message)
                _plan(ctx, row, shipment.order.amazon_order_id, "error", error.message)
                continue
            fitting.append(row)
        plans.append((shipment, fitting))
    if ctx.problems and not ctx.dry_run:
        return counts
    for shipment, rows in plans:
        if not rows:
            continue
        try:
            result = carrier_events_record(shipment=shipment, events=[row.event for row in rows], source=SOURCE,
                                           actor=ctx.actor)
        except ApplicationError as error:
            ctx.error(rows[0].line, time_column, error.message)
            continue
        new = {(event.at, event.status) for event in result.created}
        order_id = shipment.order.amazon_order_id
        for row in rows:
            key = (row.event.at, row.event.status)
            label = CarrierEventStatus(row.event.status).label
            if key in new:
                new.discard(key)
                counts.created += 1
                _plan(ctx, row, order_id, "write", _("Records %(status)s for %(number)s (order %(order)s).")
                      % {"status": label, "number": shipment.tracking_number, "order": order_id})
            else:
                counts.skipped += 1
                _plan(ctx, row, order_id, "skip", _("%(status)s at this time is recorded already.")
                      % {"status": label})
        if result.created:
            ctx.touched.add("shipment", order_id, created=False)
    return counts


def _plan(ctx: Context, row: EventRow, order_id: str, outcome: str, message: str) -> None:
    ctx.plan.append(PlanLine(line=row.line, order_id=order_id or row.tracking_number, outcome=outcome,
                             message=message, warnings=[]))
