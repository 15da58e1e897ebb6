"""One way to print a time: in a zone, with that zone said unambiguously.

Deadlines (ship by, deliver by, reply by, return by) and the windows Amazon judges by the store's day are
printed in the store's time; everything else (when something happened, was computed, was imported) in the
viewer's. Either way the time carries its UTC offset, "Dec 4, 14:07 UTC−8", never an abbreviation such as CST
that names China to one reader and Chicago to another. Templates use the ``when`` filter; Python code these
functions.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import dateformat, timezone
from django.utils.translation import pgettext

#: Minus sign of an offset west of Greenwich (U+2212, as typeset; a hyphen reads as a dash between times).
MINUS = "\u2212"


def _formats() -> dict[str, str]:
    return {
        # Translators: date-format letters for a short date and time, e.g. "Nov 25, 03:56".
        "": pgettext("short date-time format", "M j, H:i"),
        # Translators: date-format letters for a date and time with the year, e.g. "Nov 25, 2026 03:56".
        "year": pgettext("date-time with year format", "M j, Y H:i"),
        # Translators: date-format letters for a date, e.g. "Nov 25, 2026".
        "date": pgettext("date with year format", "M j, Y"),
    }


STYLES = ("", "year", "date")


def zone_label(value: datetime) -> str:
    """``value``'s offset from UTC: "UTC", "UTC+8", "UTC−7", "UTC+5:30"."""
    offset = value.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    if not minutes:
        return "UTC"
    hours, rest = divmod(abs(minutes), 60)
    sign = "+" if minutes > 0 else MINUS
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def format_time(value: datetime | None, *, tz: tzinfo | None = None, style: str = "") -> str:
    """``value`` in ``tz`` (default: the active zone, the viewer's) in ``style`` ("", "year" or "date"); a time
    carries its zone. Empty for None."""
    if value is None:
        return ""
    if style not in STYLES:
        raise ValueError(f"Unknown time style {style!r}; one of {STYLES}.")
    local = timezone.localtime(value, tz) if timezone.is_aware(value) else value
    text = dateformat.format(local, _formats()[style])
    return text if style == "date" else f"{text} {zone_label(local)}"


def store_time(value: datetime | None, store, *, style: str = "") -> str:
    """``value`` in ``store``'s own zone: for deadlines and the store's days."""
    return format_time(value, tz=store.tz, style=style)
