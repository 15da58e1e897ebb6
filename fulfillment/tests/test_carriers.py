"""One table of carriers serves the shipping-confirmation file, Amazon's reports, tracking checks and links."""

from __future__ import annotations

import pytest

from fulfillment.carriers import (
    CARRIERS,
    amazon_carrier,
    carrier_from_amazon,
    carrier_spec,
    carriers_serving,
    map_carrier,
    tracking_hosts,
    tracking_url,
)
from fulfillment.models import Carrier
from fulfillment.tracking import tracking_validate


@pytest.mark.parametrize("written, carrier", [
    # As Amazon's fulfilment reports write them.
    ("AMZN_US", Carrier.AMAZON), ("AMZN_UK", Carrier.AMAZON), ("AMZL_DE", Carrier.AMAZON), ("TBA", Carrier.AMAZON),
    ("Amazon Logistics", Carrier.AMAZON), ("USPS", Carrier.USPS), ("UPS", Carrier.UPS), ("SUREPOST", Carrier.UPS),
    ("UPS Mail Innovations", Carrier.UPS), ("FEDEX", Carrier.FEDEX), ("FedEx SmartPost", Carrier.FEDEX),
    ("DHL", Carrier.DHL), ("DHL eCommerce", Carrier.DHL), ("Royal Mail", Carrier.ROYAL_MAIL),
    ("ROYAL_MAIL", Carrier.ROYAL_MAIL), ("Yamato", Carrier.YAMATO), ("ヤマト運輸", Carrier.YAMATO),
    ("佐川急便", Carrier.SAGAWA), ("日本郵便", Carrier.JAPAN_POST), ("Hermes", Carrier.EVRI),
    # As sellers write them in the shipping-confirmation file: our codes and labels.
    ("Yamato Transport", Carrier.YAMATO), ("La Poste / Colissimo", Carrier.LA_POSTE), ("colissimo", Carrier.LA_POSTE),
    ("Other", Carrier.OTHER), ("4PX", Carrier.FOURPX),
])
def test_known_carrier_names(written, carrier):
    assert map_carrier(written) == carrier


def test_an_unknown_carrier_is_none_for_the_seller_file_and_other_with_its_name_for_amazon():
    assert map_carrier("LaserShip") is None and map_carrier("") is None
    assert carrier_from_amazon("LaserShip") == (Carrier.OTHER, "LaserShip")
    assert carrier_from_amazon(" AMZN_US ") == (Carrier.AMAZON, "")
    # A marketplace code is two letters: a longer word that starts like one is not Amazon's.
    assert carrier_from_amazon("AMZNEXPRESS") == (Carrier.OTHER, "AMZNEXPRESS")


def test_the_shipping_confirmation_file_reads_the_same_table():
    from imports.kinds import ship_confirm

    assert ship_confirm.map_carrier is map_carrier


# --- The one table ---


#: One well-formed number per carrier that has a format (S10 numbers with their real check digit).
SAMPLE_NUMBERS = {
    Carrier.USPS: "9400111899223856123459", Carrier.UPS: "1Z999AA10123456784", Carrier.FEDEX: "123456789012",
    Carrier.DHL: "1234567891", Carrier.AMAZON: "TBA123456789012", Carrier.ONTRAC: "C11031500001879",
    Carrier.CANADA_POST: "1234567890123456", Carrier.ROYAL_MAIL: "AB473124829GB", Carrier.EVRI: "H01ABC1234567890",
    Carrier.DPD: "01234567890123", Carrier.DEUTSCHE_POST: "JJD00123456789012345", Carrier.GLS: "12345678901",
    Carrier.LA_POSTE: "6A12345678901", Carrier.POSTE_ITALIANE: "RR473124829IT",
    Carrier.CORREOS: "PQ4F6P0700012340108001X", Carrier.JAPAN_POST: "123456789012",
    Carrier.YAMATO: "123456789012", Carrier.SAGAWA: "123456789012", Carrier.SF_EXPRESS: "SF1234567890123",
    Carrier.YUNEXPRESS: "YT2212345678901234", Carrier.FOURPX: "4PX3001234567890CN",
    Carrier.YANWEN: "UG473124829YP", Carrier.CHINA_POST: "EE473124829CN", Carrier.CAINIAO: "LP00123456789012",
}
REQUIRED = {
    # Cross-border from China, and the marketplaces' national posts and big carriers.
    Carrier.SF_EXPRESS, Carrier.YUNEXPRESS, Carrier.FOURPX, Carrier.YANWEN, Carrier.CHINA_POST, Carrier.CAINIAO,
    Carrier.USPS, Carrier.UPS, Carrier.FEDEX, Carrier.DHL, Carrier.AMAZON, Carrier.ROYAL_MAIL, Carrier.DPD,
    Carrier.EVRI, Carrier.DEUTSCHE_POST, Carrier.LA_POSTE, Carrier.POSTE_ITALIANE, Carrier.CORREOS,
    Carrier.CANADA_POST, Carrier.JAPAN_POST, Carrier.YAMATO, Carrier.SAGAWA,
}


def test_every_stored_carrier_has_one_row_named_as_it_is_shown():
    assert set(CARRIERS) == set(Carrier.values)
    for code, spec in CARRIERS.items():
        assert spec.code == code and spec.name == Carrier(code).label
        assert spec.amazon_code


def test_every_required_carrier_has_a_tracking_link_a_format_and_countries():
    for code in sorted(REQUIRED):
        spec = carrier_spec(code)
        assert spec is not None, code
        assert spec.tracking_url.startswith("https://") and "{number}" in spec.tracking_url, code
        assert spec.has_format and spec.countries, code


@pytest.mark.parametrize("code", sorted(SAMPLE_NUMBERS))
def test_each_carrier_accepts_its_own_sample_number(code):
    check = tracking_validate(carrier=code, number=SAMPLE_NUMBERS[code])
    assert check.valid is True, check.message


def test_links_are_built_from_the_normalised_number_and_only_for_known_pages():
    assert tracking_url(carrier=Carrier.SF_EXPRESS, number="sf 1234-5678-90123") == (
        "https://www.sf-express.com/chn/en/waybill/waybill-detail/SF1234567890123")
    assert tracking_url(carrier=Carrier.OTHER, number="X1") == ""
    assert tracking_url(carrier="Nobody", number="X1") == ""
    assert "www.yuntrack.com" in tracking_hosts() and "global.cainiao.com" in tracking_hosts()


def test_amazon_codes_and_names_read_back_to_the_same_carrier():
    for code in CARRIERS:
        if code == Carrier.OTHER:
            continue
        amazon_code, amazon_name = amazon_carrier(carrier=code)
        assert map_carrier(amazon_code) == code and map_carrier(amazon_name) == code, code
    assert amazon_carrier(carrier=Carrier.OTHER, carrier_name="Speedy") == ("Other", "Speedy")
    assert amazon_carrier(carrier=Carrier.YAMATO) == ("YamatoTransport", "ヤマト運輸")
    assert map_carrier("Yun Express") == Carrier.YUNEXPRESS and map_carrier("EMS") == Carrier.CHINA_POST
    assert map_carrier("DHL Paket") == Carrier.DEUTSCHE_POST and map_carrier("顺丰速运") == Carrier.SF_EXPRESS


def test_carriers_serving_a_marketplace():
    uk = {spec.code for spec in carriers_serving("UK")}
    assert {Carrier.ROYAL_MAIL, Carrier.EVRI, Carrier.DPD, Carrier.YUNEXPRESS} <= uk
    assert Carrier.YAMATO not in uk and Carrier.USPS not in uk
