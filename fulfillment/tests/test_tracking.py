from __future__ import annotations

import pytest
from django.utils import timezone

from fulfillment.models import Carrier
from fulfillment.services import shipment_create
from fulfillment.tracking import is_s10, normalize, s10_check_digit, tracking_url, tracking_validate
from tests.factories import OrderFactory, OrderItemFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(("carrier", "number"), [
    ("UPS", "1Z999AA10123456784"),
    ("UPS", "1z999aa1 0123 4567 84"),
    ("USPS", "9400111899223856123459"),
    ("USPS", "RR473124829US"),
    ("FedEx", "123456789012"),
    ("DHL", "1234567891"),
    ("Amazon Shipping", "TBA123456789012"),
    ("Royal Mail", "AB473124829GB"),
    ("Japan Post", "1234-5678-9012"),
    ("Japan Post", "EE473124829JP"),
    ("Yamato Transport", "123456789012"),
    ("Canada Post", "1234567890123456"),
    ("China Post", "LX473124829CN"),
    ("YunExpress", "YT2212345678901234"),
])
def test_well_formed_numbers_pass(carrier, number):
    check = tracking_validate(carrier=carrier, number=number)
    assert check.valid is True, check.message
    assert not check.is_malformed


@pytest.mark.parametrize(("carrier", "number", "says"), [
    ("UPS", "1Z999AA10123456785", "check digit is wrong"),
    ("UPS", "123", "does not look like a UPS tracking number"),
    ("USPS", "9400111899223856123458", "check digit is wrong"),
    ("FedEx", "123456789013", "check digit is wrong"),
    ("DHL", "1234567890", "check digit is wrong"),
    ("Royal Mail", "AB473124828GB", "check digit is wrong"),
    ("Royal Mail", "AB473124829US", "does not look like"),
    ("Japan Post", "12345678901", "does not look like"),
    ("Yamato Transport", "1234567890123", "does not look like"),
    ("China Post", "LX473124820CN", "check digit is wrong"),
    ("UPS", "1Z999AA10123456784", None),
])
def test_malformed_numbers_are_named_with_the_reason(carrier, number, says):
    check = tracking_validate(carrier=carrier, number=number)
    if says is None:
        # A UPS number is not a USPS one: the carrier decides.
        assert tracking_validate(carrier="USPS", number=number).is_malformed
        return
    assert check.valid is False
    assert says in check.message


@pytest.mark.parametrize("carrier", ["Other", "Unknown Courier"])
def test_carriers_without_a_known_format_are_not_judged(carrier):
    assert tracking_validate(carrier=carrier, number="anything-123").valid is None


def test_an_empty_number_is_malformed():
    assert tracking_validate(carrier="UPS", number="  ").valid is False


def test_s10_check_digit_follows_the_upu_weights():
    # The UPU's own example: serial 47312482 has check digit 9.
    assert s10_check_digit("47312482") == 9
    assert is_s10("RR473124829GB")
    assert not is_s10("RR473124828GB")
    assert not is_s10("R473124829GB")
    assert s10_check_digit("00000001") == 4  # 11 - 7
    # 11 - remainder gives 11 → 5 and 10 → 0.
    assert s10_check_digit("00000000") == 5
    assert s10_check_digit("00004000") == 0  # 4 × 3 = 12, remainder 1


def test_normalize_and_links():
    assert normalize(" 1z-999 aa1 ") == "1Z999AA1"
    assert tracking_url(carrier="UPS", number="1z999") == "https://www.ups.com/track?tracknum=1Z999"
    assert tracking_url(carrier="Other", number="X") == ""
    assert tracking_url(carrier="UPS", number="") == ""
    assert all(tracking_url(carrier=c, number="A") for c in ("USPS", "FedEx", "Royal Mail", "Japan Post"))


@pytest.mark.parametrize(("carrier", "number", "valid"), [
    (Carrier.UPS, "1Z999AA10123456784", True),
    (Carrier.UPS, "1Z999AA10123456785", False),
    (Carrier.OTHER, "ZZ-1", None),
])
def test_shipment_create_records_whether_the_number_is_well_formed(store, carrier, number, valid):
    order = OrderFactory(store=store)
    item = OrderItemFactory(order=order)
    shipment = shipment_create(order=order, carrier=carrier, carrier_name="Local courier", tracking_number=number,
                               shipped_at=timezone.now(), quantities={item.pk: 1})
    shipment.refresh_from_db()
    assert shipment.tracking_format_valid is valid
