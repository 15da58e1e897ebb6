"""Template filters and tags of the order pages."""

from __future__ import annotations

import re

from django import template
from django.template import Context
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

from core.models import Store

from ..ids import AMAZON_ORDER_ID_PATTERN, is_amazon_order_id
from ..links import order_url
from ..models import Order, RiskFlag
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


def _link(amazon_order_id: str, store_code: str | None) -> str:
    return format_html('<a class="mono order-link" href="{}">{}</a>', order_url(amazon_order_id, store_code),
                       amazon_order_id)


@register.simple_tag
def order_link(order: Order | None, store: Store | None = None) -> str:
    """``{% order_link order %}``: the order's Amazon id as a link to its page (its store named); "" without one.

    ``{% order_link order store %}`` names the store a list has already read, so a row costs no query.
    """
    if order is None:
        return ""
    return _link(order.amazon_order_id, (store or order.store).code)


@register.filter
def order_id_link(amazon_order_id: str | None, store: Store | str | None = None) -> str:
    """``{{ order_id|order_id_link:store }}``: an Amazon order id known only as text, as a link to its page.

    ``store`` (a store or its code) picks the order when the id exists in two stores; without it the order page
    asks which one. Text that is not an id is shown as it is.
    """
    if not amazon_order_id:
        return ""
    text = str(amazon_order_id)
    if not is_amazon_order_id(text):
        return conditional_escape(text)
    code = store.code if isinstance(store, Store) else (store or None)
    return _link(text, code)


_ORDER_ID_IN_TEXT = re.compile(rf"(?<![0-9]){AMAZON_ORDER_ID_PATTERN}(?![0-9])")


@register.filter
def order_ids_linked(text: str | None, store: Store | str | None = None) -> str:
    """``{{ message|order_ids_linked:store }}``: ``text`` escaped, each Amazon order id in it a link to its page."""
    escaped = str(conditional_escape(text or ""))
    return mark_safe(_ORDER_ID_IN_TEXT.sub(lambda match: order_id_link(match.group(0), store), escaped))
