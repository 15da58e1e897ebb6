"""What a carrier's tracking event means, and when it may have happened: pure rules, no database.

``carrier_status_of`` reads a status code or an event's wording as a carrier or a tracking service writes it and
answers our ``CarrierEventStatus``; every vocabulary and every carrier's wording it knows is one row of
``CARRIER_WORDING``. ``carrier_event_time_check`` is the one rule for when an event may lie: the import, the API,
the order page and ``fulfillment.services.shipment_record_tracking`` all read it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from core.errors import ApplicationError
from core.state import CLOCK_SKEW

from .models import CARRIER_EXCEPTIONS, CarrierEventStatus

S = CarrierEventStatus
#: A value that says there is nothing to record yet (17TRACK's NotFound, AfterShip's Pending, EasyPost's unknown).
NO_EVENT = ""

#: Events that show the parcel in the carrier's hands: the first of them is the shipment's first scan. A label
#: created is the only one that does not.
CARRIER_HANDLED = frozenset(set(S) - {S.LABEL_CREATED})
#: Events that go on the order's timeline: the delivery and what puts it at risk, not every scan.
TIMELINE_STATUSES = frozenset({S.DELIVERED, *CARRIER_EXCEPTIONS})

#: How each status looks (``badge-<tone>``, the one badge family of ``static/css/app.css``).
STATUS_TONES: dict[str, str] = {
    S.LABEL_CREATED: "quiet", S.IN_TRANSIT: "info", S.OUT_FOR_DELIVERY: "info", S.PICKUP: "warn",
    S.ATTEMPTED: "warn", S.DELIVERED: "ok", S.EXCEPTION: "bad", S.ADDRESS_PROBLEM: "bad", S.RETURNED: "bad",
    S.LOST: "bad",
}

#: How long before the ship confirmation a label may be bought: sellers buy labels days before they ship.
LABEL_LEAD = timedelta(days=30)
#: How long before the ship confirmation the carrier may already hold the parcel: it is handed over, then
#: confirmed on Amazon, often the next working day (a Friday hand-over confirmed on Monday).
SCAN_LEAD = timedelta(hours=72)


def carrier_event_time_check(*, at: datetime, status: str, shipped_at: datetime, now: datetime) -> None:
    """Refuse an event in the future (beyond the clock skew) or long before the ship confirmation.

    A label may be created up to ``LABEL_LEAD`` before the confirmation, a carrier's scan up to ``SCAN_LEAD``.
    Earlier events belong to another parcel: carriers reuse tracking numbers.
    """
    if at > now + CLOCK_SKEW:
        raise ApplicationError(_("A carrier event cannot be in the future (%(at)s).") % {"at": at.isoformat()})
    lead = LABEL_LEAD if status == S.LABEL_CREATED else SCAN_LEAD
    if at < shipped_at - lead:
        raise ApplicationError(
            _("A carrier event at %(at)s is too long before the ship confirmation (%(shipped)s): a label may "
              "be created up to %(label_days)d days before it, a carrier scan up to %(scan_hours)d hours. An "
              "older event is of another parcel with the same tracking number.")
            % {"at": at.isoformat(), "shipped": shipped_at.isoformat(), "label_days": LABEL_LEAD.days,
               "scan_hours": SCAN_LEAD.total_seconds() // 3600})


@dataclass(frozen=True)
class Wording:
    """One row of the table: a whole code (``code``) or words searched for in an event's text (``pattern``)."""

    status: str
    source: str
    code: str = ""
    pattern: re.Pattern[str] | None = None
    #: The carriers (``Carrier`` values) whose code this is; empty: any carrier's.
    carriers: frozenset[str] = frozenset()


def _key(value: str) -> str:
    return re.sub(r"[\s_\-]+", "", value.strip().lower())


def codes(source: str, table: Mapping[str, str], *, carriers: Iterable[str] = ()) -> tuple[Wording, ...]:
    return tuple(Wording(status=status, source=source, code=_key(code), carriers=frozenset(carriers))
                 for code, status in table.items())


def words(status: str, source: str, *patterns: str) -> Wording:
    return Wording(status=status, source=source, pattern=re.compile("|".join(patterns), re.IGNORECASE))


#: Every code and every wording we read, and the status it means: the one table. Codes are matched whole (case,
#: spaces, hyphens and underscores aside); a code several carriers use differently counts only for its own
#: carriers. Wording is searched in the event's text, row by row: the more specific rows come first ("Delivery
#: attempted" before "Delivered", "Arrived at the pick-up point" before "Arrived").
CARRIER_WORDING: tuple[Wording, ...] = (
    # --- Tracking services' status vocabularies (whole values) ---
    *codes("AfterShip tag", {
        "Pending": NO_EVENT, "InfoReceived": S.LABEL_CREATED, "InTransit": S.IN_TRANSIT,
        "OutForDelivery": S.OUT_FOR_DELIVERY, "AttemptFail": S.ATTEMPTED, "AvailableForPickup": S.PICKUP,
        "Delivered": S.DELIVERED, "Exception": S.EXCEPTION, "Expired": S.EXCEPTION}),
    *codes("EasyPost status", {
        "unknown": NO_EVENT, "pre_transit": S.LABEL_CREATED, "in_transit": S.IN_TRANSIT,
        "out_for_delivery": S.OUT_FOR_DELIVERY, "delivered": S.DELIVERED, "available_for_pickup": S.PICKUP,
        "return_to_sender": S.RETURNED, "failure": S.EXCEPTION, "error": S.EXCEPTION, "cancelled": S.EXCEPTION}),
    *codes("17TRACK status", {
        "NotFound": NO_EVENT, "InfoReceived": S.LABEL_CREATED, "InTransit": S.IN_TRANSIT, "Expired": S.EXCEPTION,
        "AvailableForPickup": S.PICKUP, "OutForDelivery": S.OUT_FOR_DELIVERY, "DeliveryFailure": S.ATTEMPTED,
        "Delivered": S.DELIVERED, "Exception": S.EXCEPTION,
        # As its Chinese site and export write them.
        "查询不到": NO_EVENT, "收到信息": S.LABEL_CREATED, "运输途中": S.IN_TRANSIT, "运输过久": S.EXCEPTION,
        "到达待取": S.PICKUP, "派送途中": S.OUT_FOR_DELIVERY, "投递失败": S.ATTEMPTED, "成功签收": S.DELIVERED,
        "可能异常": S.EXCEPTION}),
    # Our own values, as the API and our file layout write them.
    *codes("SellerOps status", {status.value: status for status in S}),
    *codes("SellerOps status", {"returned_to_sender": S.RETURNED, "waiting_for_pickup": S.PICKUP,
                                "delivery_attempted": S.ATTEMPTED}),
    # --- Carriers' own codes ---
    *codes("UPS status type", {
        "M": S.LABEL_CREATED, "MV": S.EXCEPTION, "P": S.IN_TRANSIT, "I": S.IN_TRANSIT, "W": S.IN_TRANSIT,
        "O": S.OUT_FOR_DELIVERY, "D": S.DELIVERED, "X": S.EXCEPTION, "RS": S.RETURNED, "NA": NO_EVENT},
        carriers={"UPS"}),
    *codes("FedEx status code", {
        "OC": S.LABEL_CREATED, "PU": S.IN_TRANSIT, "PX": S.IN_TRANSIT, "AR": S.IN_TRANSIT, "AF": S.IN_TRANSIT,
        "DP": S.IN_TRANSIT, "IT": S.IN_TRANSIT, "CC": S.IN_TRANSIT, "OD": S.OUT_FOR_DELIVERY, "DL": S.DELIVERED,
        "DE": S.EXCEPTION, "SE": S.EXCEPTION, "CD": S.EXCEPTION, "CA": S.EXCEPTION, "RS": S.RETURNED,
        "HL": S.PICKUP, "HP": S.PICKUP}, carriers={"FedEx"}),
    *codes("DHL status code", {
        "pre-transit": S.LABEL_CREATED, "transit": S.IN_TRANSIT, "delivered": S.DELIVERED,
        "failure": S.EXCEPTION}, carriers={"DHL", "Deutsche Post"}),
    # --- Carriers' wording (searched in the text; most specific first) ---
    words(S.RETURNED, "returns", r"return(ed|ing)? to (the )?(sender|shipper|origin)", r"being returned",
          r"\breturn in progress", r"(to be|will be) returned", r"\bretour", r"\brücksendung", r"退回", r"退件",
          r"退还寄件人", r"返回寄件人",
          r"差出人.{0,4}(返送|返還)", r"返送"),
    words(S.ADDRESS_PROBLEM, "address",
          r"(incorrect|insufficient|incomplete|invalid|wrong|bad|unknown) (delivery )?address",
          r"address (issue|problem|error|correction|information (is )?(needed|required|incomplete))",
          r"undeliverable as addressed", r"addressee unknown", r"no such (number|street)",
          r"moved,? left no address", r"recipient (has )?moved", r"地址(错误|不详|有误|不全)", r"收件人地址",
          r"宛先(不明|不完全)", r"住所(不明|不完全|間違い)", r"あて所に尋ねあたりません"),
    words(S.LOST, "lost", r"\blost\b", r"\bmissing\b", r"cannot be located", r"丢失", r"遗失", r"丢件", r"紛失"),
    words(S.ATTEMPTED, "attempt",
          r"attempt(ed)? (to deliver|delivery)", r"delivery (was )?attempted", r"notice left", r"we missed you",
          r"something for you", r"(addressee|receiver|recipient) (was )?not (in|available|home)",
          r"second (delivery )?attempt",
          r"no one (was )?(available|home)", r"no access to delivery location", r"could not be delivered",
          r"not delivered", r"派送失败", r"投递失败", r"投递未成功", r"ご不在", r"不在", r"持ち?戻"),
    words(S.PICKUP, "pickup",
          r"available for (pick-?up|collection)", r"ready for (pick-?up|collection)", r"awaiting collection",
          r"held (at|in) (the |a )?(post office|local post office|depot|access point|pick-?up point)",
          r"hold at location", r"at (the |a )?(ups access point|parcel ?shop|pick-?up point|locker)",
          r"到达待取", r"待取件", r"待自提", r"已到自提点", r"(窓口|郵便局|営業所)(で|にて)(お預かり|保管)",
          r"保管中"),
    words(S.OUT_FOR_DELIVERY, "out for delivery",
          r"out for delivery", r"with (the )?delivery (courier|driver)", r"on (the |\w+ )?vehicle for delivery",
          r"in zustellung", r"en cours de livraison", r"in consegna", r"en reparto",
          r"派送中", r"正在派送", r"派件中", r"投递中", r"配達中", r"持出"),
    words(S.DELIVERED, "delivered",
          r"\bdelivered\b", r"delivery (completed|complete|successful)", r"signed for", r"left (at|with|in)",
          r"\bzugestellt", r"\blivré", r"\bconsegnat", r"\bentregad", r"签收", r"妥投", r"已投递", r"已送达",
          r"お届け(済|完了)", r"配達(完了|済)"),
    words(S.EXCEPTION, "exception",
          r"exception", r"\bdelay(ed)?\b", r"damaged", r"refused", r"held (by|in|at) customs",
          r"customs (hold|delay|inspection)", r"(clearance|customs) (event|issue)", r"cancell?ed",
          r"unable to (deliver|process)", r"异常", r"延误", r"扣关", r"拒收", r"破损", r"破損", r"調査中", r"事故"),
    words(S.LABEL_CREATED, "label",
          r"label (created|printed)", r"shipping label", r"pre-?shipment", r"shipment information received",
          r"(electronic|shipping) (notification|information) received", r"shipper created a label",
          r"order processed:? ready for", r"information sent to", r"awaiting item", r"we('re| are) expecting it",
          r"info(rmation)? received",
          r"电子信息已收到", r"电子信息", r"已下单", r"订单信息已收到", r"揽收前", r"(運送|配送)情報(登録|受信)"),
    words(S.IN_TRANSIT, "in transit",
          r"in transit", r"arrived", r"arrival", r"depart", r"accepted", r"acceptance", r"picked up", r"pickup scan",
          r"origin scan", r"destination scan", r"\bprocess(ed|ing)\b", r"sort", r"facility", r"\bhub\b",
          r"customs", r"export", r"import", r"dispatch", r"on its way", r"we('ve| have) got it", r"in possession",
          r"handed over", r"flight", r"airline", r"rescheduled", r"corrected", r"received (by|at)", r"forwarded",
          r"transferred", r"posted",
          r"运输中", r"在途", r"揽收", r"收寄", r"到达", r"离开", r"发往", r"已发出", r"转运", r"交航", r"清关",
          r"出口", r"进口", r"航班", r"起飞", r"中转", r"分拣", r"引受", r"通過", r"到着", r"発送", r"輸送中",
          r"国際交換局",
          r"荷物受付", r"作業店"),
)

_BY_CODE: dict[str, list[Wording]] = {}
for _row in CARRIER_WORDING:
    if _row.code:
        _BY_CODE.setdefault(_row.code, []).append(_row)


def carrier_status_of(value: str, *, carrier: str = "") -> str | None:
    """Our status for a carrier's status code or an event's wording; ``NO_EVENT`` ("") when it says there is
    nothing to record yet; None when it is not understood.

    A whole code is tried first: one of ``carrier``'s own, else one every vocabulary that has it agrees on (a
    code two carriers use differently is not guessed without its carrier); then the wording rows, in order.
    """
    text = value.strip()
    if not text:
        return None
    rows = _BY_CODE.get(_key(text), [])
    own = [row for row in rows if carrier and carrier in row.carriers]
    for candidates in (own, rows):
        if candidates and len({row.status for row in candidates}) == 1:
            return candidates[0].status
    for row in CARRIER_WORDING:
        if row.pattern is not None and row.pattern.search(text):
            return row.status
    return None


def carrier_event_status(*, status: str = "", description: str = "", carrier: str = "") -> str | None:
    """The status of an event reported with a status (a code or a word) and a description: the status when it
    is understood, else the description's wording."""
    found = carrier_status_of(status, carrier=carrier) if status else None
    if found is None and description:
        return carrier_status_of(description, carrier=carrier)
    return found
