"""The one table of carrier wording: each vocabulary's codes and each carrier's words read as our statuses; the
one rule of when an event may lie."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.errors import ApplicationError
from fulfillment.carrier_status import (
    CARRIER_WORDING,
    NO_EVENT,
    carrier_event_status,
    carrier_event_time_check,
    carrier_status_of,
)
from fulfillment.models import CarrierEventStatus

S = CarrierEventStatus


@pytest.mark.parametrize(("value", "status"), [
    # AfterShip tags
    ("Pending", NO_EVENT), ("InfoReceived", S.LABEL_CREATED), ("InTransit", S.IN_TRANSIT),
    ("OutForDelivery", S.OUT_FOR_DELIVERY), ("AttemptFail", S.ATTEMPTED), ("AvailableForPickup", S.PICKUP),
    ("Delivered", S.DELIVERED), ("Exception", S.EXCEPTION), ("Expired", S.EXCEPTION),
    # EasyPost statuses
    ("unknown", NO_EVENT), ("pre_transit", S.LABEL_CREATED), ("in_transit", S.IN_TRANSIT),
    ("out_for_delivery", S.OUT_FOR_DELIVERY), ("delivered", S.DELIVERED), ("available_for_pickup", S.PICKUP),
    ("return_to_sender", S.RETURNED), ("failure", S.EXCEPTION), ("error", S.EXCEPTION), ("cancelled", S.EXCEPTION),
    # 17TRACK, in English and Chinese
    ("NotFound", NO_EVENT), ("DeliveryFailure", S.ATTEMPTED), ("查询不到", NO_EVENT), ("运输途中", S.IN_TRANSIT),
    ("到达待取", S.PICKUP), ("投递失败", S.ATTEMPTED), ("成功签收", S.DELIVERED), ("可能异常", S.EXCEPTION),
    ("运输过久", S.EXCEPTION), ("派送途中", S.OUT_FOR_DELIVERY), ("收到信息", S.LABEL_CREATED),
    # Our own values, whatever the case
    ("address_problem", S.ADDRESS_PROBLEM), ("RETURNED", S.RETURNED), ("lost", S.LOST),
])
def test_tracking_service_vocabularies(value, status):
    assert carrier_status_of(value) == status


@pytest.mark.parametrize(("carrier", "code", "status"), [
    ("UPS", "M", S.LABEL_CREATED), ("UPS", "P", S.IN_TRANSIT), ("UPS", "I", S.IN_TRANSIT), ("UPS", "D", S.DELIVERED),
    ("UPS", "X", S.EXCEPTION), ("UPS", "RS", S.RETURNED), ("UPS", "O", S.OUT_FOR_DELIVERY),
    ("FedEx", "OC", S.LABEL_CREATED), ("FedEx", "PU", S.IN_TRANSIT), ("FedEx", "OD", S.OUT_FOR_DELIVERY),
    ("FedEx", "DL", S.DELIVERED), ("FedEx", "DE", S.EXCEPTION), ("FedEx", "RS", S.RETURNED), ("FedEx", "HL", S.PICKUP),
    ("DHL", "pre-transit", S.LABEL_CREATED), ("DHL", "transit", S.IN_TRANSIT), ("DHL", "failure", S.EXCEPTION),
])
def test_carrier_codes(carrier, code, status):
    assert carrier_status_of(code, carrier=carrier) == status


def test_a_code_two_vocabularies_read_differently_counts_for_its_own_carrier_only():
    # UPS's "P" is the carrier's pickup (in transit), never "waiting for pickup"; an unknown carrier's "P" is UPS's,
    # the only vocabulary that has it; a code nobody has is not guessed.
    assert carrier_status_of("P", carrier="UPS") == S.IN_TRANSIT
    assert carrier_status_of("ZZ", carrier="UPS") is None


@pytest.mark.parametrize(("text", "status"), [
    # USPS
    ("Shipping Label Created, USPS Awaiting Item", S.LABEL_CREATED),
    ("Pre-Shipment Info Sent to USPS, USPS Awaiting Item", S.LABEL_CREATED),
    ("USPS in possession of item", S.IN_TRANSIT),
    ("Accepted at USPS Origin Facility", S.IN_TRANSIT),
    ("Arrived at USPS Regional Facility", S.IN_TRANSIT),
    ("In Transit to Next Facility", S.IN_TRANSIT),
    ("Out for Delivery", S.OUT_FOR_DELIVERY),
    ("Delivered, In/At Mailbox", S.DELIVERED),
    ("Delivered, Front Door/Porch", S.DELIVERED),
    ("Delivery Attempted - No Access to Delivery Location", S.ATTEMPTED),
    ("Notice Left (No Authorized Recipient Available)", S.ATTEMPTED),
    ("Available for Pickup", S.PICKUP),
    ("Insufficient Address", S.ADDRESS_PROBLEM),
    ("Return to Sender", S.RETURNED),
    ("Moved, Left no Address", S.ADDRESS_PROBLEM),
    # UPS
    ("Order Processed: Ready for UPS", S.LABEL_CREATED),
    ("Shipper created a label, UPS has not received the package yet.", S.LABEL_CREATED),
    ("Origin Scan", S.IN_TRANSIT),
    ("Departed from Facility", S.IN_TRANSIT),
    ("The address has been corrected and delivery has been rescheduled.", S.IN_TRANSIT),
    ("The receiver was not available for delivery. We'll make a second attempt the next business day.",
     S.ATTEMPTED),
    ("Delivered to UPS Access Point™", S.DELIVERED),
    ("The package is at a UPS Access Point location and is scheduled to be returned.", S.RETURNED),
    # FedEx
    ("Shipment information sent to FedEx", S.LABEL_CREATED),
    ("Picked up", S.IN_TRANSIT),
    ("On FedEx vehicle for delivery", S.OUT_FOR_DELIVERY),
    ("Delivery exception", S.EXCEPTION),
    ("Incorrect address - Recipient moved", S.ADDRESS_PROBLEM),
    # DHL, Deutsche Post
    ("The shipment has been picked up", S.IN_TRANSIT),
    ("With delivery courier", S.OUT_FOR_DELIVERY),
    ("Die Sendung wurde erfolgreich zugestellt.", S.DELIVERED),
    ("Die Sendung wird zum Absender zurückgeschickt (Rücksendung).", S.RETURNED),
    ("Clearance event", S.EXCEPTION),
    # Royal Mail
    ("We're expecting it", S.LABEL_CREATED),
    ("We've got it", S.IN_TRANSIT),
    ("Item being held, addressee not in", S.ATTEMPTED),
    ("Something for you card left", S.ATTEMPTED),
    ("Delivered and signed for", S.DELIVERED),
    # Japan Post, Yamato
    ("引受", S.IN_TRANSIT), ("通過", S.IN_TRANSIT), ("到着", S.IN_TRANSIT), ("荷物受付", S.IN_TRANSIT),
    ("配達中", S.OUT_FOR_DELIVERY), ("お届け済み", S.DELIVERED), ("配達完了", S.DELIVERED),
    ("ご不在のため持ち戻り", S.ATTEMPTED), ("窓口でお預かり", S.PICKUP),
    ("あて所に尋ねあたりません", S.ADDRESS_PROBLEM),
    ("差出人に返送", S.RETURNED),
    # China Post, 4PX, YunExpress, Cainiao
    ("【深圳市】已揽收", S.IN_TRANSIT), ("已到达【深圳国际处理中心】", S.IN_TRANSIT),
    ("离开【深圳】，发往【洛杉矶】", S.IN_TRANSIT), ("航班起飞", S.IN_TRANSIT), ("已交航", S.IN_TRANSIT),
    ("进口清关完成", S.IN_TRANSIT), ("派送中", S.OUT_FOR_DELIVERY),
    ("已签收，签收人：前台", S.DELIVERED), ("妥投", S.DELIVERED), ("包裹异常，正在处理", S.EXCEPTION),
    ("收件人地址不详", S.ADDRESS_PROBLEM), ("包裹丢失", S.LOST), ("退件，返回寄件人", S.RETURNED),
    ("电子信息已收到", S.LABEL_CREATED), ("Shipment information received", S.LABEL_CREATED),
    ("Arrived at Sort Facility SHENZHEN", S.IN_TRANSIT), ("Departure from outward office of exchange", S.IN_TRANSIT),
    ("Flight departure", S.IN_TRANSIT), ("Handed over to airline", S.IN_TRANSIT),
    ("Import customs clearance complete", S.IN_TRANSIT), ("Held by customs", S.EXCEPTION),
    ("Arrived at pick-up point, waiting for collection", S.PICKUP),
])
def test_carrier_wording(text, status):
    assert carrier_status_of(text) == status


def test_wording_nobody_writes_is_not_guessed():
    assert carrier_status_of("Lorem ipsum") is None
    assert carrier_status_of("   ") is None


def test_the_status_wins_and_the_description_answers_when_the_status_is_not_understood():
    assert carrier_event_status(status="D", description="Out for delivery", carrier="UPS") == S.DELIVERED
    assert carrier_event_status(status="", description="Out for delivery") == S.OUT_FOR_DELIVERY
    assert carrier_event_status(status="Q9", description="Delivered, In/At Mailbox") == S.DELIVERED
    assert carrier_event_status(status="", description="") is None


def test_every_row_of_the_table_names_a_status():
    assert {row.status for row in CARRIER_WORDING} <= {*S.values, NO_EVENT}
    assert {row.status for row in CARRIER_WORDING if row.pattern is not None} == set(S.values)


SHIPPED = datetime(2026, 11, 2, 12, tzinfo=UTC)
NOW = datetime(2026, 11, 10, 12, tzinfo=UTC)


@pytest.mark.parametrize(("at", "status", "allowed"), [
    (SHIPPED - timedelta(days=30), S.LABEL_CREATED, True),
    (SHIPPED - timedelta(days=31), S.LABEL_CREATED, False),
    (SHIPPED - timedelta(hours=72), S.IN_TRANSIT, True),
    (SHIPPED - timedelta(hours=73), S.IN_TRANSIT, False),
    (SHIPPED - timedelta(hours=73), S.DELIVERED, False),
    (NOW + timedelta(minutes=4), S.DELIVERED, True),
    (NOW + timedelta(minutes=6), S.IN_TRANSIT, False),
])
def test_when_an_event_may_lie(at, status, allowed):
    if allowed:
        carrier_event_time_check(at=at, status=status, shipped_at=SHIPPED, now=NOW)
    else:
        with pytest.raises(ApplicationError):
            carrier_event_time_check(at=at, status=status, shipped_at=SHIPPED, now=NOW)
