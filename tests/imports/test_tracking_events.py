"""Carrier tracking events files: each layout found by its header, rows matched to parcels by tracking number,
everything or nothing written, the same file twice changing nothing."""

from __future__ import annotations

import io
from datetime import datetime

import pytest

from fulfillment.models import CarrierEvent, Shipment
from imports.services import import_file, import_kind_detect
from orders.models import OrderEvent, OrderStatus
from tests.factories import OrderFactory, ShipmentFactory

from .conftest import sample

pytestmark = pytest.mark.django_db

USPS = "9400111899223100001234"
YUN = "UH123456785CN"


def parcel(store, number: str, carrier: str, shipped: str) -> Shipment:
    shipped_at = datetime.fromisoformat(shipped)
    order = OrderFactory(store=store, status=OrderStatus.SHIPPED, purchase_date=shipped_at.replace(hour=1))
    return ShipmentFactory(order=order, tracking_number=number, carrier=carrier, shipped_at=shipped_at)


def statuses(shipment: Shipment) -> list[str]:
    return list(CarrierEvent.objects.filter(shipment=shipment).order_by("at").values_list("status", flat=True))


@pytest.fixture
def parcels(store):
    return (parcel(store, USPS, "USPS", "2025-11-03T20:00:00-06:00"),
            parcel(store, YUN, "YunExpress", "2025-11-02T09:00:00+08:00"))


def test_our_own_layout(store, parcels):
    usps, yun = parcels
    data = sample("real/tracking_events_own_layout_CONSTRUCTED.csv")
    assert import_kind_detect(store=store, data=io.BytesIO(data)) == "tracking_events"
    result = import_file(store=store, kind="tracking_events", data=data)
    assert result.ok, result.errors
    assert (result.total_rows, result.created, result.skipped) == (9, 8, 1)
    # The unknown number is a warning naming its line, not an error.
    assert [(w["line"], "1Z0000000000000000" in w["message"]) for w in result.warnings] == [(10, True)]
    assert statuses(usps) == ["label_created", "in_transit", "in_transit", "out_for_delivery", "delivered"]
    usps.refresh_from_db()
    assert usps.first_scan_at == datetime.fromisoformat("2025-11-03T18:40:00-06:00")
    assert usps.delivered_at == datetime.fromisoformat("2025-11-05T13:21:00-06:00")
    assert usps.order.__class__.objects.get(pk=usps.order_id).status == OrderStatus.DELIVERED
    # Rows without a status are read by their wording, Chinese included.
    assert statuses(yun) == ["in_transit", "in_transit", "address_problem"]
    yun.refresh_from_db()
    assert (yun.last_event_status, yun.delivered_at) == ("address_problem", None)
    assert OrderEvent.objects.filter(kind=OrderEvent.Kind.CARRIER).count() == 2  # the delivery, the address
    event = CarrierEvent.objects.get(shipment=usps, status="delivered")
    assert (event.description, event.location, event.source) == ("Delivered, In/At Mailbox", "AUSTIN, TX 78701",
                                                                 "import")
    assert result.touched["shipment"]["updated"]["count"] == 2


def test_the_same_file_twice_changes_nothing(store, parcels):
    data = sample("real/tracking_events_own_layout_CONSTRUCTED.csv")
    import_file(store=store, kind="tracking_events", data=data)
    before = (list(CarrierEvent.objects.values_list("id", "at", "status")), OrderEvent.objects.count(),
              list(Shipment.objects.values_list("last_event_at", "first_scan_at", "delivered_at")))
    again = import_file(store=store, kind="tracking_events", data=data)
    assert again.ok and (again.created, again.skipped) == (0, 9)
    assert (list(CarrierEvent.objects.values_list("id", "at", "status")), OrderEvent.objects.count(),
            list(Shipment.objects.values_list("last_event_at", "first_scan_at", "delivered_at"))) == before


def test_aftership_checkpoints(store, parcels):
    usps, _yun = parcels
    data = sample("real/tracking_events_aftership_checkpoints_CONSTRUCTED.csv")
    assert import_kind_detect(store=store, data=io.BytesIO(data)) == "tracking_events"
    result = import_file(store=store, kind="tracking_events", data=data)
    assert result.ok and result.created == 4, result.errors
    assert statuses(usps) == ["label_created", "in_transit", "out_for_delivery", "delivered"]
    assert CarrierEvent.objects.get(shipment=usps, status="delivered").location == "AUSTIN, TX, USA"


def test_17track_chinese_export(store, parcels):
    _usps, yun = parcels
    cainiao = parcel(store, "LP00123456789012", "Cainiao", "2025-11-01T12:00:00+08:00")
    data = sample("real/tracking_events_17track_zh_CONSTRUCTED.csv")
    assert import_kind_detect(store=store, data=io.BytesIO(data)) == "tracking_events"
    result = import_file(store=store, kind="tracking_events", data=data)
    assert result.ok and result.created == 2, result.errors
    assert statuses(yun) == ["in_transit"] and statuses(cainiao) == ["delivered"]
    # 17TRACK writes the time alone: the store's time.
    assert CarrierEvent.objects.get(shipment=cainiao).at == datetime(2025, 11, 8, 15, 30, tzinfo=store.tz)
    # "Not found" has nothing to record: a warning, the line skipped.
    assert [w["line"] for w in result.warnings] == [4]


def test_easypost_tracking_details_of_a_real_tracker(store):
    tracker = parcel(store, "EZ1000000001", "USPS", "2022-03-21T15:00:00+00:00")
    data = sample("real/tracking_events_easypost_EZ1000000001_CONSTRUCTED.csv")
    result = import_file(store=store, kind="tracking_events", data=data)
    assert result.ok and result.created == 2, result.errors
    tracker.refresh_from_db()
    assert (tracker.last_event_status, tracker.first_scan_at) == ("label_created", None)  # a label is no scan
    assert tracker.last_event_at == datetime.fromisoformat("2022-03-21T13:27:04+00:00")


def test_a_carriers_event_export_with_date_and_time_apart(store):
    usps = parcel(store, "9400111899223100005678", "USPS", "2025-11-03T20:00:00-06:00")
    result = import_file(store=store, kind="tracking_events",
                         data=sample("real/tracking_events_usps_event_export_CONSTRUCTED.txt"))
    assert result.ok and result.created == 3, result.errors
    assert statuses(usps) == ["in_transit", "attempted", "pickup"]
    first = CarrierEvent.objects.filter(shipment=usps).order_by("at").first()
    assert first.at == datetime(2025, 11, 3, 18, 40, tzinfo=store.tz) and first.location == "MEMPHIS, TN, 38118"


@pytest.mark.parametrize(("line", "column", "message"), [
    (f"{USPS},USPS,yesterday-ish,delivered,Delivered,", "event-time", "not a date"),
    (f"{USPS},USPS,2025-11-05T13:21:00-06:00,teleported,Beamed up,", "status", "not a carrier status"),
    (f"{USPS},USPS,2025-10-01T13:21:00-06:00,delivered,Delivered,", "event-time", "too long before"),
    (f"{USPS},USPS,2099-10-01T13:21:00-06:00,delivered,Delivered,", "event-time", "future"),
])
def test_a_bad_line_is_an_error_and_nothing_is_written(store, parcels, line, column, message):
    good = f"{USPS},USPS,2025-11-03T18:40:00-06:00,in_transit,Accepted at USPS Origin Facility,MEMPHIS"
    data = f"tracking-number,carrier,event-time,status,description,location\n{good}\n{line}\n".encode()
    result = import_file(store=store, kind="tracking_events", data=data)
    assert not result.ok
    assert [(e["line"], e["column"]) for e in result.errors] == [(3, column)]
    assert message in result.errors[0]["message"]
    assert not CarrierEvent.objects.exists()
    assert Shipment.objects.get(tracking_number=USPS).last_event_at is None
