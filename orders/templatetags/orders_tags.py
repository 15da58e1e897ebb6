"""Template filters and tags of the order pages."""

from __future__ import annotations

from django import template
from django.template import Context
from django.utils.safestring import mark_safe

from ..models import RiskFlag
from ..sections import sections_of

register = template.Library()


@register.filter
def risk_label(flag: str) -> str:
    """The readable name of a risk flag code."""
    try:
        return str(RiskFlag(flag).label)
    except ValueError:
        return flag


@register.simple_tag(takes_context=True)
def order_sections(context: Context, slot: str) -> str:
    """The sections the apps above orders add to the order page at ``slot`` (see ``orders.sections``)."""
    parts = []
    assert context.template is not None  # a tag renders inside a template
    for section in sections_of(slot):
        template = context.template.engine.get_template(section.template)
        with context.push(section.context(context)):
            parts.append(template.render(context))
    return mark_safe("".join(parts))
