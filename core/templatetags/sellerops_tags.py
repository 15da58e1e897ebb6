"""Template helpers for times judged in a store's timezone and for order badges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django import template
from django.db.models import Field, Model
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from core.models import Store

register = template.Library()

#: A deadline closer than this is shown as urgent (amber).
SOON = timedelta(hours=12)


@register.filter
def store_time(value: datetime | None, store: Store) -> str:
    """Format ``value`` in ``store``'s own timezone with its abbreviation, e.g. "Nov 22 23:59 PST"."""
    if value is None:
        return ""
    # Translators: a date-time in PHP/Django date-format letters; T is the timezone abbreviation.
    return dateformat.format(value.astimezone(store.tz), pgettext("store time format", "M j H:i T"))


@register.filter
def when(value: datetime | None, style: str = "") -> str:
    """Format ``value`` in the viewer's timezone: "Nov 25, 03:56"; ``"year"`` adds the year; ``"date"`` is the day."""
    if value is None:
        return ""
    formats = {
        # Translators: date-format letters for a short date and time, e.g. "Nov 25, 03:56".
        "": pgettext("short date-time format", "M j, H:i"),
        # Translators: date-format letters for a date and time with the year, e.g. "Nov 25, 2026 03:56".
        "year": pgettext("date-time with year format", "M j, Y H:i"),
        # Translators: date-format letters for a date, e.g. "Nov 25, 2026".
        "date": pgettext("date with year format", "M j, Y"),
    }
    return dateformat.format(timezone.localtime(value), formats.get(style, formats[""]))


def duration(delta: timedelta) -> str:
    """Say ``delta`` compactly: "2 d 4 h", "5 h 12 m", "8 m"."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)d h %(minutes)02d m") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)d m") % {"minutes": minutes}


@dataclass(frozen=True)
class TimeLeft:
    text: str
    state: str  # "overdue", "soon" or "ok"


@register.simple_tag
def time_left(deadline: datetime | None, now: datetime) -> TimeLeft | None:
    """How long until ``deadline`` ("in 3 h 50 m") or how long past it ("overdue 5 h 12 m")."""
    if deadline is None:
        return None
    delta = deadline - now
    if delta < timedelta(0):
        return TimeLeft(_("overdue %(duration)s") % {"duration": duration(delta)}, "overdue")
    return TimeLeft(_("in %(duration)s") % {"duration": duration(delta)}, "soon" if delta < SOON else "ok")


@cache
def _choice_labels(model: type[Model], field_name: str) -> dict:
    field = model._meta.get_field(field_name)
    assert isinstance(field, Field), field_name  # a field with choices, not a reverse relation
    return dict(field.flatchoices)


@register.filter
def choice_label(obj: Model, field_name: str) -> str:
    """``obj.get_<field_name>_display()``, from the choices read once: long lists show it on every row, and
    Django's own rebuilds and translates every choice on each call."""
    value = getattr(obj, field_name)
    return str(_choice_labels(type(obj), field_name).get(value, value))
