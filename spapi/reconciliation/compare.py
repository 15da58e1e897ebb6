"""One of Amazon's figures set beside ours over the same window: the differences and the verdict. Pure: numbers in,
numbers out (the verdicts are the model's choices)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

from ..models import Reconciliation

PP_PLACES = Decimal("0.0001")
RATE_PLACES = Decimal("0.00000001")


Verdict = Reconciliation.Verdict
#: The badge tone of each verdict (``static/css/app.css`` "Badges").
VERDICT_TONES = {Verdict.AGREES: "green", Verdict.WITHIN: "amber", Verdict.DIFFERS: "red",
                 Verdict.UNKNOWN: "none"}


@dataclass(frozen=True)
class Tolerance:
    """How far our figure may be from Amazon's and still count as the same: in percentage points, or in orders
    (rows) of both the numerator and the denominator. Either is enough: the points for large stores, the orders
    for small ones (where one order moves the rate by whole points)."""

    points: Decimal = Decimal("0.1")
    rows: int = 1


@dataclass(frozen=True)
class Comparison:
    amazon_numerator: int | None
    amazon_denominator: int | None
    amazon_rate: Decimal | None
    our_numerator: int
    our_denominator: int
    our_rate: Decimal | None
    #: Ours minus Amazon's: in percentage points, and in rows of each count.
    points: Decimal | None
    numerator_rows: int | None
    denominator_rows: int | None
    verdict: Verdict


def rate_of(numerator: int | None, denominator: int | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator)).quantize(RATE_PLACES, ROUND_HALF_EVEN)


def compare(*, amazon_numerator: int | None, amazon_denominator: int | None, amazon_rate: Decimal | None,
            our_numerator: int, our_denominator: int, tolerance: Tolerance) -> Comparison:
    """Set Amazon's figure beside ours.

    Amazon's rate is the one it states; without one, its counts give it. The verdict: ``agrees`` when both counts
    are the same (or, Amazon giving only a rate, the rates are); ``within`` when the rates are at most
    ``tolerance.points`` apart, or both counts at most ``tolerance.rows`` apart; else ``differs``.
    """
    stated = amazon_rate if amazon_rate is not None else rate_of(amazon_numerator, amazon_denominator)
    ours = rate_of(our_numerator, our_denominator)
    numerator_rows = None if amazon_numerator is None else our_numerator - amazon_numerator
    denominator_rows = None if amazon_denominator is None else our_denominator - amazon_denominator
    points = None
    if stated is not None and ours is not None:
        points = ((ours - stated) * 100).quantize(PP_PLACES, ROUND_HALF_EVEN)
    if stated is None and amazon_denominator is None:
        verdict = Verdict.UNKNOWN
    elif numerator_rows == 0 and denominator_rows == 0 or numerator_rows is None and points == 0:
        verdict = Verdict.AGREES
    elif (points is not None and abs(points) <= tolerance.points) or (
            numerator_rows is not None and abs(numerator_rows) <= tolerance.rows
            and denominator_rows is not None and abs(denominator_rows) <= tolerance.rows):
        verdict = Verdict.WITHIN
    else:
        verdict = Verdict.DIFFERS
    return Comparison(amazon_numerator=amazon_numerator, amazon_denominator=amazon_denominator, amazon_rate=stated,
                      our_numerator=our_numerator, our_denominator=our_denominator, our_rate=ours, points=points,
                      numerator_rows=numerator_rows, denominator_rows=denominator_rows, verdict=verdict)
