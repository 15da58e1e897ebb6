"""How each Amazon report writes its dates, by marketplace: one table, and a reader that never guesses.

Most reports write ISO 8601 (``2025-07-14T09:30:00+00:00``), which reads the same everywhere. Two do not:
the seller feedback report writes a numeric date as the marketplace's locale does (``07/14/25`` on
amazon.com, ``14/07/25`` in Europe, ``25/07/14`` in Japan) and the seller-fulfilled returns report writes
``14-Jul-2025``. A numeric date is read in the order the table gives for the report and marketplace; one that
does not fit that order, or that could be read two ways where the table says nothing, is an error naming
what it could be — never a silent guess.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from enum import StrEnum

from django.utils.translation import gettext as _

from . import bounds
from .bounds import shown


class DateOrder(StrEnum):
    MONTH_FIRST = "MM/DD/YY"
    DAY_FIRST = "DD/MM/YY"
    YEAR_FIRST = "YY/MM/DD"


M, D, Y = DateOrder.MONTH_FIRST, DateOrder.DAY_FIRST, DateOrder.YEAR_FIRST
#: The order of a numeric date as each marketplace's Seller Central writes it (its locale's short date).
MARKETPLACE_DATE_ORDER: dict[str, DateOrder] = {
    "US": M, "CA": D, "MX": D, "BR": D, "UK": D, "DE": D, "FR": D, "IT": D, "ES": D, "NL": D, "PL": D,
    "JP": Y, "AU": D, "SG": D, "AE": D, "IN": D,
}


@dataclass(frozen=True)
class ReportDates:
    """What a report's date cells may hold besides ISO 8601 (always read)."""

    #: Numeric dates (``07/14/25``) in the marketplace's own order.
    numeric: bool = False
    #: Dates with an English month abbreviation (``14-Jul-2025``).
    month_names: bool = False
    #: An example shown when a cell cannot be read.
    example: str = "2025-07-14T09:30:00+00:00"


ISO_ONLY = ReportDates()
#: Report kind → the dates it writes. A kind not listed writes ISO 8601 only.
REPORT_DATES: dict[str, ReportDates] = {
    "feedback": ReportDates(numeric=True, example="07/14/25"),
    "returns": ReportDates(month_names=True, numeric=True, example="14-Jul-2025"),
    # Sellers fill the shipping-confirmation template by hand: 2025/07/14 as Japan writes it is common.
    "ship_confirm": ReportDates(numeric=True, example="2025-07-14"),
    # The All Listings report's open-date: 2019-02-05 08:36:12 PST in the US, 08/07/2016 10:12:40 BST in the UK,
    # 2021/03/01 10:00:00 JST in Japan.
    "all_listings": ReportDates(numeric=True, example="2025-07-14 08:36:12 PST"),
    # The FBA planning report's snapshot-date and the stranded report's date-stranded: ISO through the Reports
    # API, the marketplace's own short date in files saved from Seller Central's pages.
    "fba_planning": ReportDates(numeric=True, example="2025-07-14"),
    "fba_stranded": ReportDates(numeric=True, example="2025-07-14T09:30:00+00:00"),
    # Carriers' and tracking services' exports: ISO 8601 with or without an offset (17TRACK writes the time alone,
    # read as the store's), or the carrier's short date (05/03/2024 10:35).
    "tracking_events": ReportDates(numeric=True, example="2025-07-14 09:30:00+08:00"),
}

#: Time-zone abbreviations Amazon has written after report times ("2026-11-20 08:15:00 PST").
TZ_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5,
    "EDT": -4, "BST": 1, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "JST": 9,
}
MONTHS = {name: number for number, name in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_ABBREVIATED = re.compile(r"^(?P<stamp>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+(?P<tz>[A-Za-z]{1,5})$")
#: A numeric date, with a time, and after the time a zone abbreviation (``08/07/2016 10:12:40 BST``).
_NUMERIC = re.compile(r"^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})(?:\s+(\d{1,2}):(\d{2})(?::(\d{2}))?"
                      r"(?:\s+([A-Za-z]{1,5}))?)?$", re.ASCII)
_MONTH_NAME = re.compile(r"^(\d{1,2})[- ]([A-Za-z]{3})[a-z]*\.?[- ](\d{2}|\d{4})$", re.ASCII)


class DateError(ValueError):
    """A cell that is not a date this report writes; ``message`` says what it could be."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _year(value: int, digits: int) -> int:
    return value + 2000 if digits <= 2 else value


def _in_bounds(moment: date, value: str) -> None:
    """Refuse a year outside ``bounds.YEAR_MIN``–``YEAR_MAX``, checked as written, before any offset is applied
    (so that moving the time to UTC never overflows)."""
    if not bounds.YEAR_MIN <= moment.year <= bounds.YEAR_MAX:
        raise DateError(_("%(value)s is outside the years %(first)d to %(last)d.")
                        % {"value": shown(value), "first": bounds.YEAR_MIN, "last": bounds.YEAR_MAX})


def _readings(parts: tuple[str, str, str]) -> dict[DateOrder, date]:
    """Every valid date the three numeric parts make, by order."""
    (a, b, c), digits = (int(p) for p in parts), [len(p) for p in parts]
    candidates = {M: (c, digits[2], a, b), D: (c, digits[2], b, a), Y: (a, digits[0], b, c)}
    readings = {}
    for order, (year, year_digits, month, day) in candidates.items():
        if year_digits not in (2, 4) or (order != Y and digits[0] > 2) or (order == Y and digits[2] > 2):
            continue
        try:
            readings[order] = date(_year(year, year_digits), month, day)
        except ValueError:
            continue
    return readings


def read_numeric_date(parts: tuple[str, str, str], *, order: DateOrder | None, text: str = "") -> date:
    """One numeric date in ``order``; with no order known, only a value every reading agrees on.

    ``text`` is the date as written, quoted in the errors.
    """
    readings = _readings(parts)
    text = shown(text or "/".join(parts))
    if len(parts[0]) == 4 and Y in readings:
        return readings[Y]  # 2025/07/14 is year first wherever it is written
    if order is not None:
        if order in readings:
            return readings[order]
        if readings:
            raise DateError(_("%(value)s does not fit %(order)s, the way this marketplace writes dates.")
                            % {"value": text, "order": order.value})
        raise DateError(_("%(value)s is not a date.") % {"value": text})
    dates = sorted(set(readings.values()))
    if len(dates) == 1:
        return dates[0]
    if not dates:
        raise DateError(_("%(value)s is not a date.") % {"value": text})
    raise DateError(_("%(value)s could be %(dates)s: the marketplace's date order is not known, so it is not "
                      "guessed. Write it as 2025-07-14.")
                    % {"value": text, "dates": _(" or ").join(d.isoformat() for d in dates)})


def parse_report_datetime(value: str, *, tz: zoneinfo.ZoneInfo, formats: ReportDates = ISO_ONLY,
                          marketplace: str = "") -> datetime:
    """Read a report time as the report writes it, in UTC; raise ``DateError`` saying why it cannot be read.

    A time without an offset, and a date alone (at midnight), are the store's local time, which is the time
    Seller Central shows the seller. A year outside ``bounds.YEAR_MIN``–``YEAR_MAX`` is refused as written.
    """
    text = value.strip()
    if formats.numeric and (match := _NUMERIC.match(text)):
        day = read_numeric_date((match[1], match[2], match[3]), order=MARKETPLACE_DATE_ORDER.get(marketplace),
                                text=text)
        _in_bounds(day, text)
        try:
            hour, minute, second = (int(part or 0) for part in match.groups()[3:6])
            at = time(hour, minute, second)
        except ValueError:
            raise DateError(_("%(value)s is not a time of day.") % {"value": text}) from None
        zone: zoneinfo.ZoneInfo | dt_timezone = tz
        if match[7]:
            offset = TZ_ABBREVIATIONS.get(match[7].upper())
            if offset is None:
                raise DateError(_("%(zone)s is not a time zone Amazon writes.") % {"zone": match[7]})
            zone = dt_timezone(timedelta(hours=offset))
        return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
    if formats.month_names and (match := _MONTH_NAME.match(text)):
        month = MONTHS.get(match[2].lower())
        try:
            if month is None:
                raise ValueError(text)
            day = date(_year(int(match[3]), len(match[3])), month, int(match[1]))
        except ValueError:
            raise DateError(_("%(value)s is not a date.") % {"value": shown(text)}) from None
        _in_bounds(day, text)
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    if text.endswith(("Z", "z")) and "T" in text:
        text = text[:-1] + "+00:00"
    if match := _ABBREVIATED.match(text):
        offset = TZ_ABBREVIATIONS.get(match["tz"].upper())
        if offset is None:
            raise DateError(_("%(zone)s is not a time zone Amazon writes.") % {"zone": match["tz"]})
        naive = datetime.fromisoformat(match["stamp"].replace(" ", "T"))
        _in_bounds(naive, value.strip())
        return naive.replace(tzinfo=dt_timezone(timedelta(hours=offset))).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise DateError(_("%(value)s is not a date and time as this report writes them (e.g. %(example)s).")
                        % {"value": shown(value.strip()), "example": formats.example}) from None
    _in_bounds(parsed, value.strip())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
    return parsed.astimezone(UTC)
