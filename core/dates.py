"""Days and instants that people and integrations name, kept inside the calendar Python can compute in.

``date`` and ``datetime`` end at years 1 and 9999: a day at either edge, turned into an instant with an offset
(a store's midnight, an ISO time in ``+05:00``) or given one day more (the end of a range, a metric window), raises
``OverflowError``, which was a 500. So pages and the API accept only days and instants between ``EARLIEST_DAY``
and ``LATEST_DAY`` — centuries either side of any order — and refuse others with a message; a filter over
instants clamps at the calendar's edge instead, since "after year 1" only means "from the start".
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

EARLIEST_DAY = date(1900, 1, 1)
LATEST_DAY = date(2999, 12, 31)
OUT_OF_RANGE = _("Give a date between %(first)s and %(last)s.")
RANGE_PARAMS = {"first": EARLIEST_DAY.isoformat(), "last": LATEST_DAY.isoformat()}


def day_in_range(day: date) -> bool:
    """Whether ``day`` (a date, or the local day of an instant) is one pages and the API accept."""
    if isinstance(day, datetime):
        day = day.date()
    return EARLIEST_DAY <= day <= LATEST_DAY


def out_of_range_message() -> str:
    return OUT_OF_RANGE % RANGE_PARAMS


def utc_instant(value: datetime) -> datetime:
    """``value`` (aware) in UTC; an instant past the calendar's edge in UTC becomes that edge."""
    try:
        return value.astimezone(UTC)
    except OverflowError:
        edge = datetime.min if value.year == datetime.min.year else datetime.max
        return edge.replace(tzinfo=UTC)


class DayField(forms.DateField):
    """A form's date between ``EARLIEST_DAY`` and ``LATEST_DAY``; any other day is refused, saying which are taken."""

    default_error_messages = {"out_of_range": OUT_OF_RANGE}

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not day_in_range(value):
            raise forms.ValidationError(self.error_messages["out_of_range"], code="out_of_range",
                                        params=RANGE_PARAMS)
