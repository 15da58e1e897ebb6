"""Template helpers for times (``when``: the one time filter), durations and order badges."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django import template
from django.db.models import Field, Model
from django.utils.translation import gettext as _

from core import timefmt
from core.models import Store

register = template.Library()

#: A deadline closer than this is shown as urgent (amber).
SOON = timedelta(hours=12)


@register.filter
def when(value: datetime | None, arg: Store | str = "") -> str:
    """The one way a page prints a time, always with its UTC offset (``core.timefmt``).

    ``{{ t|when }}`` in the viewer's zone ("Nov 25, 03:56 UTC+8"), ``{{ t|when:"year" }}`` with the year,
    ``{{ t|when:"date" }}`` the day only; ``{{ t|when:store }}`` in the store's zone, for deadlines and the
    store's days.
    """
    if isinstance(arg, Store):
        return timefmt.store_time(value, arg)
    return timefmt.format_time(value, style=arg)


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


@register.simple_tag
def crumbs(*parts: object) -> list[tuple[object, object]]:
    """Breadcrumbs from ``label, url, label, url, …, label``: the last label is the page itself, without a link."""
    items = list(parts)
    pairs = [(items[i], items[i + 1]) for i in range(0, len(items) - 1, 2)]
    if len(items) % 2:
        pairs.append((items[-1], None))
    return pairs
