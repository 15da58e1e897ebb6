"""Is a tracking number well-formed for its carrier? A malformed one hurts the Valid Tracking Rate.

Carriers that the ``tracking-numbers`` package knows (UPS, USPS, FedEx, DHL Express, OnTrac, Amazon) are
checked with its patterns and check digits; postal carriers also accept the UPU S10 format with its check
digit; a few other carriers have a simple pattern; the rest (and Other) have none, so nothing is judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from urllib.parse import quote

from django.utils.translation import gettext as _

from .models import Carrier

C = Carrier
#: The ``tracking-numbers`` courier codes whose formats each carrier uses.
PACKAGE_COURIERS: dict[str, tuple[str, ...]] = {
    C.UPS: ("ups",),
    C.USPS: ("usps",),
    C.FEDEX: ("fedex",),
    C.DHL: ("dhl",),
    C.ONTRAC: ("ontrac",),
    C.AMAZON: ("amazon",),
}
#: Postal operators: their international items carry UPU S10 numbers.
S10_CARRIERS = frozenset({
    C.USPS, C.CANADA_POST, C.DEUTSCHE_POST, C.LA_POSTE, C.POSTE_ITALIANE, C.CORREOS, C.JAPAN_POST,
    C.CHINA_POST, C.DHL, C.YANWEN,
})
#: Domestic formats of carriers the package does not know (the whole number must match).
PATTERNS: dict[str, re.Pattern[str]] = {
    C.ROYAL_MAIL: re.compile(r"[A-Z]{2}\d{9}GB"),
    C.JAPAN_POST: re.compile(r"\d{12}"),
    C.YAMATO: re.compile(r"\d{12}"),
    C.SAGAWA: re.compile(r"\d{12}"),
    C.CANADA_POST: re.compile(r"\d{12}|\d{16}"),
    C.DPD: re.compile(r"\d{14}"),
    C.GLS: re.compile(r"\d{11,12}"),
    C.EVRI: re.compile(r"[A-Z0-9]{16}"),
    C.DHL: re.compile(r"\d{12}|\d{20}|JJD\d{16,20}"),  # DHL Paket (Germany)
    C.LA_POSTE: re.compile(r"\d[A-Z]\d{11}"),  # Colissimo
    C.CORREOS: re.compile(r"P[A-Z0-9]{22}"),
    C.SF_EXPRESS: re.compile(r"SF\d{12,13}"),
    C.YUNEXPRESS: re.compile(r"YT\d{16}"),
}
#: Where the buyer or the operator follows a parcel; ``{}`` takes the number.
TRACKING_URLS: dict[str, str] = {
    C.UPS: "https://www.ups.com/track?tracknum={}",
    C.USPS: "https://tools.usps.com/go/TrackConfirmAction?tLabels={}",
    C.FEDEX: "https://www.fedex.com/fedextrack/?trknbr={}",
    C.DHL: "https://www.dhl.com/global-en/home/tracking.html?tracking-id={}",
    C.AMAZON: "https://track.amazon.com/tracking/{}",
    C.ONTRAC: "https://www.ontrac.com/tracking/?number={}",
    C.CANADA_POST: "https://www.canadapost-postescanada.ca/track-reperez/en#/search?searchFor={}",
    C.ROYAL_MAIL: "https://www.royalmail.com/track-your-item#/tracking-results/{}",
    C.EVRI: "https://www.evri.com/track/parcel/{}",
    C.DPD: "https://tracking.dpd.de/status/en_US/parcel/{}",
    C.DEUTSCHE_POST: "https://www.deutschepost.de/de/s/sendungsverfolgung.html?piececode={}",
    C.GLS: "https://gls-group.com/track/{}",
    C.LA_POSTE: "https://www.laposte.fr/outils/suivre-vos-envois?code={}",
    C.POSTE_ITALIANE: "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{}",
    C.CORREOS: "https://www.correos.es/es/en/tools/tracker/items/details?tracking-number={}",
    C.JAPAN_POST: "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={}&locale=en",
    C.YAMATO: "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={}",
    C.SAGAWA: "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={}",
    C.SF_EXPRESS: "https://www.sf-express.com/chn/en/waybill/waybill-detail/{}",
    C.YUNEXPRESS: "https://www.yuntrack.com/parcelTracking?id={}",
}
S10 = re.compile(r"(?P<service>[A-Z]{2})(?P<serial>\d{8})(?P<check>\d)(?P<country>[A-Z]{2})")
S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


@dataclass(frozen=True)
class TrackingCheck:
    """The verdict on one number: ``valid`` is None when the carrier has no known format."""

    number: str
    carrier: str
    valid: bool | None
    message: str = ""

    @property
    def is_malformed(self) -> bool:
        return self.valid is False


def normalize(number: str) -> str:
    """The number as carriers print it: upper case, without spaces or dashes."""
    return re.sub(r"[\s-]+", "", number or "").upper()


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    total = sum(int(digit) * weight for digit, weight in zip(serial, S10_WEIGHTS, strict=True))
    check = 11 - total % 11
    return {10: 0, 11: 5}.get(check, check)


def is_s10(number: str) -> bool:
    """Two letters, eight digits, a check digit and a country code, e.g. RR123456785GB."""
    match = S10.fullmatch(number)
    return match is not None and s10_check_digit(match["serial"]) == int(match["check"])


@cache
def _definitions(courier: str) -> tuple:
    import tracking_numbers

    return tuple(d for d in tracking_numbers.DEFINITIONS if d.courier.code == courier)


def _package_verdict(carrier: str, number: str) -> tuple[bool, bool]:
    """(valid, shape matched) by the ``tracking-numbers`` definitions of ``carrier``."""
    shaped = False
    for courier in PACKAGE_COURIERS.get(carrier, ()):
        for definition in _definitions(courier):
            result = definition.test(number)
            if result is None:
                continue
            if result.valid:
                return True, True
            shaped = True
    return False, shaped


def has_format(carrier: str) -> bool:
    """Whether numbers of ``carrier`` can be judged at all."""
    return carrier in PACKAGE_COURIERS or carrier in S10_CARRIERS or carrier in PATTERNS


def tracking_validate(*, carrier: str, number: str) -> TrackingCheck:
    """Judge ``number`` against ``carrier``'s formats; the message says what is wrong in words to act on."""
    number = normalize(number)
    if not number:
        return TrackingCheck(number, carrier, False, _("The tracking number is empty."))
    if not has_format(carrier):
        return TrackingCheck(number, carrier, None)
    valid, shaped = _package_verdict(carrier, number)
    if valid:
        return TrackingCheck(number, carrier, True)
    pattern = PATTERNS.get(carrier)
    if pattern is not None and pattern.fullmatch(number):
        if carrier != C.ROYAL_MAIL or is_s10(number):
            return TrackingCheck(number, carrier, True)
        shaped = True
    if carrier in S10_CARRIERS:
        if is_s10(number):
            return TrackingCheck(number, carrier, True)
        shaped = shaped or bool(S10.fullmatch(number))
    label = Carrier(carrier).label
    if shaped:
        message = _("%(number)s has the shape of a %(carrier)s number but its check digit is wrong: "
                    "a typing error is likely.") % {"number": number, "carrier": label}
    else:
        message = _("%(number)s does not look like a %(carrier)s tracking number.") % {
            "number": number, "carrier": label}
    return TrackingCheck(number, carrier, False, message)


def tracking_url(*, carrier: str, number: str) -> str:
    """A link to the carrier's tracking page for ``number``, or "" when the carrier has none we know."""
    template = TRACKING_URLS.get(carrier)
    if not template or not number:
        return ""
    return template.format(quote(normalize(number), safe=""))
