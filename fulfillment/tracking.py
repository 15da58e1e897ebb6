"""Is a tracking number well-formed for its carrier? A malformed one hurts the Valid Tracking Rate.

Each carrier's formats are in the one table, ``fulfillment.carriers.CARRIERS``: those that the
``tracking-numbers`` package knows (UPS, USPS, FedEx, DHL Express, OnTrac, Amazon) are checked with its patterns
and check digits; postal carriers also accept the UPU S10 format with its check digit; others have their own
patterns; Other has none, so nothing is judged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext as _

from .carriers import CARRIERS, normalize, tracking_url

__all__ = ["TrackingCheck", "is_s10", "normalize", "tracking_url", "tracking_validate"]

#: The ``tracking-numbers`` courier codes whose formats each carrier uses (from ``CARRIERS``).
PACKAGE_COURIERS: dict[str, tuple[str, ...]] = {
    code: spec.package_couriers for code, spec in CARRIERS.items() if spec.package_couriers}
#: Postal operators and consolidators whose international items carry UPU S10 numbers.
S10_CARRIERS = frozenset(code for code, spec in CARRIERS.items() if spec.s10)
#: Domestic formats of each carrier (the whole number must match one).
PATTERNS: dict[str, re.Pattern[str]] = {
    code: re.compile("|".join(f"(?:{p})" for p in spec.patterns)) for code, spec in CARRIERS.items() if spec.patterns}
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
    spec = CARRIERS.get(carrier)
    return spec is not None and spec.has_format


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
        if not CARRIERS[carrier].patterns_are_s10 or is_s10(number):
            return TrackingCheck(number, carrier, True)
        shaped = True
    if carrier in S10_CARRIERS:
        if is_s10(number):
            return TrackingCheck(number, carrier, True)
        shaped = shaped or bool(S10.fullmatch(number))
    label = CARRIERS[carrier].name
    if shaped:
        message = _("%(number)s has the shape of a %(carrier)s number but its check digit is wrong: "
                    "a typing error is likely.") % {"number": number, "carrier": label}
    else:
        message = _("%(number)s does not look like a %(carrier)s tracking number.") % {
            "number": number, "carrier": label}
    return TrackingCheck(number, carrier, False, message)
