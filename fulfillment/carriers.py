"""The one table of carrier names: how Amazon's files and our users write a carrier, as a ``Carrier``.

The shipping-confirmation file carries a carrier code (``UPS``, ``Royal Mail``, ``Other``); Amazon's own
reports write theirs (``AMZN_US``, ``TBA``, ``USPS``, ``Yamato``, ``ヤマト運輸`` …). Every reader of a carrier
name looks it up here, so a name learnt once is known everywhere.
"""

from __future__ import annotations

import re

from .models import Carrier


def carrier_key(value: str) -> str:
    """``"Royal Mail"``, ``"ROYAL_MAIL"`` and ``"royal-mail"`` are the same name."""
    return "".join(ch for ch in value.lower() if ch.isalnum())


C = Carrier
#: Names other than a carrier's own code and label (those are known without being listed).
CARRIER_NAMES: dict[str, str] = {
    # Amazon's own delivery network, as its reports and the shipping-confirmation file name it.
    "amzl": C.AMAZON, "amazonlogistics": C.AMAZON, "amazon": C.AMAZON, "amzn": C.AMAZON, "tba": C.AMAZON,
    "amazonshippingcouk": C.AMAZON, "amazonflex": C.AMAZON,
    "ups": C.UPS, "upsmailinnovations": C.UPS, "upssurepost": C.UPS, "surepost": C.UPS,
    "usps": C.USPS, "uspostalservice": C.USPS, "unitedstatespostalservice": C.USPS,
    "fedex": C.FEDEX, "fedexground": C.FEDEX, "fedexsmartpost": C.FEDEX, "fedexhomedelivery": C.FEDEX,
    "dhl": C.DHL, "dhlexpress": C.DHL, "dhlecommerce": C.DHL, "dhlparcel": C.DHL, "dhlpaket": C.DHL,
    "royalmail": C.ROYAL_MAIL, "parcelforce": C.ROYAL_MAIL,
    "hermes": C.EVRI, "hermesuk": C.EVRI, "myhermes": C.EVRI,
    "colissimo": C.LA_POSTE, "laposte": C.LA_POSTE, "chronopost": C.LA_POSTE,
    "posteitaliane": C.POSTE_ITALIANE, "sda": C.POSTE_ITALIANE,
    "correos": C.CORREOS, "correosexpress": C.CORREOS,
    "yamato": C.YAMATO, "yamatotransport": C.YAMATO, "kuronekoyamato": C.YAMATO, "ヤマト運輸": C.YAMATO,
    "sagawa": C.SAGAWA, "sagawaexpress": C.SAGAWA, "佐川急便": C.SAGAWA,
    "japanpost": C.JAPAN_POST, "jppost": C.JAPAN_POST, "日本郵便": C.JAPAN_POST,
    "canadapost": C.CANADA_POST, "postescanada": C.CANADA_POST,
    "deutschepost": C.DEUTSCHE_POST, "sfexpress": C.SF_EXPRESS, "chinapost": C.CHINA_POST,
}
for _value, _label in Carrier.choices:
    CARRIER_NAMES.setdefault(carrier_key(_value), _value)
    CARRIER_NAMES.setdefault(carrier_key(str(_label)), _value)
#: Amazon's per-marketplace codes for its own network: ``AMZN_US``, ``AMZN_UK``, ``AMZL_DE``, ``AMZN_JP`` …
_AMAZON_MARKETPLACE_CODE = re.compile(r"^(amzn|amzl)[a-z]{2}$")


def map_carrier(value: str) -> str | None:
    """The ``Carrier`` a name stands for, or None if the table does not know it."""
    key = carrier_key(value)
    if not key:
        return None
    found = CARRIER_NAMES.get(key)
    if found is None and _AMAZON_MARKETPLACE_CODE.match(key):
        found = C.AMAZON
    return found


def carrier_from_amazon(value: str) -> tuple[str, str]:
    """A carrier as Amazon's reports write it: ``(carrier, carrier_name)``; an unknown one is Other, its name
    kept as written."""
    value = value.strip()
    found = map_carrier(value)
    if found is None or found == C.OTHER:
        return C.OTHER, value[:80]
    return found, ""
