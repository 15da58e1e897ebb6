"""Template filters of the listing editor: the problems beside one field, and that field's element id."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from listings.quality import Problem

register = template.Library()


@register.filter
def problems_for(problems: Iterable[Problem] | None, slot: str) -> list[Problem]:
    """The problems that belong beside ``slot`` (``title``, ``bullet_2``, ``attr:color``…)."""
    return [p for p in problems or [] if p.field == slot]


@register.filter
def slot_id(slot: str) -> str:
    """An element id for ``slot`` that CSS and htmx selectors take as it is (``attr:color`` → ``attr-color``)."""
    return str(slot).replace(":", "-").replace("_", "-")
