"""Template helpers of the inbox: the reply window in words."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from sellerops.templatetags.sellerops_tags import duration

from ..selectors import ReplyWindow

register = template.Library()


@register.filter
def window_text(window: ReplyWindow | None) -> str:
    """"overdue 2 h 05 m" or "3 h 10 m left"."""
    if window is None:
        return ""
    if window.is_overdue:
        return _("overdue %(duration)s") % {"duration": duration(window.left)}
    return _("%(duration)s left") % {"duration": duration(window.left)}
