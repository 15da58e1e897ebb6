"""One table of carrier names serves the shipping-confirmation file and Amazon's reports alike."""

from __future__ import annotations

import pytest

from fulfillment.carriers import carrier_from_amazon, map_carrier
from fulfillment.models import Carrier


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
