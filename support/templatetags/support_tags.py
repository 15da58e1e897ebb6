"""Template helpers of the inbox: the reply window in words, Amazon's notices in a sentence."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from core.templatetags.sellerops_tags import duration

from ..models import Message
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


def _notice_order(message: Message) -> str:
    order = message.thread.order
    if order is not None:
        return order.amazon_order_id
    if message.outcome in (Message.Outcome.ORDER_UNKNOWN, Message.Outcome.RECORDED):
        return message.outcome_detail
    return ""


@register.filter
def notice_summary(message: Message) -> str:
    """What Amazon's notice said and what SellerOps did with it, in one sentence."""
    kind, outcome, o = message.kind, message.outcome, Message.Outcome
    values = {"order": _notice_order(message), "items": message.outcome_detail, "reason": message.outcome_detail,
              "kind": message.get_kind_display()}
    if outcome == o.ORDER_UNKNOWN:
        if not values["order"]:
            return _("Amazon: %(kind)s naming no order — nothing was changed.") % values
        return _("Amazon: %(kind)s for order %(order)s — that order is not in SellerOps, so nothing was "
                 "changed.") % values
    if outcome == o.REFUSED:
        return _("Amazon: %(kind)s for order %(order)s — not recorded: %(reason)s") % values
    texts: dict[str, str] = {
        o.ORDER_MARKED: _("Amazon: the buyer asked to cancel order %(order)s — marked on the order."),
        o.ORDER_ALREADY_MARKED: _("Amazon: the buyer asked to cancel order %(order)s — the order already "
                                  "carried this mark."),
        o.CLAIM_OPENED: _("Amazon: A-to-z Guarantee claim on order %(order)s — opened in Claims."),
        o.CLAIM_UPDATED: _("Amazon: A-to-z Guarantee claim on order %(order)s — the open claim was updated."),
        o.CLAIM_EXISTS: _("Amazon: A-to-z Guarantee claim on order %(order)s — already recorded in Claims."),
        o.CLAIM_CLOSED: _("Amazon: the A-to-z Guarantee claim on order %(order)s was closed. The notice does "
                          "not say how: record the decision in Claims."),
        o.RETURN_OPENED: _("Amazon: return request for order %(order)s (%(items)s) — return opened."),
        o.RETURN_AUTHORIZED: _("Amazon: return for order %(order)s (%(items)s), authorised by Amazon — "
                               "recorded as authorised."),
        o.RETURN_EXISTS: _("Amazon: return request for order %(order)s (%(items)s) — a return is already "
                           "open for it; nothing was added."),
        o.RETURN_INCOMPLETE: _("Amazon: return request for order %(order)s — the notice does not say which "
                               "SKU comes back or how many, so no return was opened. Open it from the order "
                               "page."),
    }
    if outcome in texts:
        return texts[outcome] % values
    if kind == Message.Kind.FEEDBACK:
        if values["order"]:
            return _("Amazon: feedback notice for order %(order)s — recorded; it needs no reply.") % values
        return _("Amazon: feedback notice — recorded; it needs no reply.")
    return _("Amazon notice — it needs no reply and cannot be answered.")
