"""Metric windows: whole local days of the store's marketplace, half-open, ending ``lag`` days before today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Window:
    start: datetime  # inclusive, UTC
    end: datetime  # exclusive, UTC
    days: int
    lag: int


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The instant (UTC) a local day starts; a midnight skipped by a DST change is read with the earlier offset."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def window(*, as_of: datetime, tz: ZoneInfo, days: int, lag: int) -> Window:
    """The ``days`` whole local days that end ``lag`` days before the local day of ``as_of``.

    With D the local date of ``as_of`` the window covers local dates D-lag-days … D-lag-1, i.e. the
    instants [start of D-lag-days, start of D-lag): the local day in progress never counts.
    """
    if as_of.tzinfo is None:
        raise ValueError("as_of must be timezone-aware")
    today = as_of.astimezone(tz).date()
    end_day = today - timedelta(days=lag)
    return Window(start=local_midnight(end_day - timedelta(days=days), tz), end=local_midnight(end_day, tz),
                  days=days, lag=lag)
