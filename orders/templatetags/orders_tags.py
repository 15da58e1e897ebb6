"""Template filters of the order pages."""

from __future__ import annotations

from django import template

from ..models import RiskFlag

register = template.Library()


@register.filter
def risk_label(flag: str) -> str:
    """The readable name of a risk flag code."""
    try:
        return str(RiskFlag(flag).label)
    except ValueError:
        return flag
