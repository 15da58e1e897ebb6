"""The reply form's one flow, for every page that answers a buyer (the inbox, a delivery at risk): the form is
checked against Amazon's rules (``action=check``) or checked and sent; a key used before with other words, a
refusal by the rules and any other refusal come back on the form."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import ApplicationError

from .forms import ReplyForm
from .inbox_services import ReplyRefused
from .models import Message
from .rules import reply_check
from .services import IdempotencyKeyReused

#: Sends ``body`` under the form's one-time key; raises ``ApplicationError`` when it is refused.
Send = Callable[[str, str], Message]
#: The page again, with the form and what to show on it: ``reply_form``, ``violations``, ``checked``.
Again = Callable[..., HttpResponse]


def reply_form_answer(request: HttpRequest, *, allowed_numbers: tuple[str, ...], send: Send, again: Again
                      ) -> Message | HttpResponse:
    """The reply sent (``replayed`` when its key had sent it already), or the page again with the form."""
    form = ReplyForm(request.POST)
    if not form.is_valid():
        return again(reply_form=form)
    body = form.cleaned_data["body"]
    if request.POST.get("action") == "check":
        return again(reply_form=form, violations=reply_check(body, allowed_numbers=allowed_numbers), checked=True,
                     only_checked=True)
    try:
        return send(body, form.cleaned_data["idempotency_key"])
    except IdempotencyKeyReused as reused:
        # The form was sent before with other words (the back button, say): these words are a new reply.
        form = form.with_new_key()
        form.is_valid()
        form.add_error(None, reused.message + " " + _("Send again to send this text as a new reply."))
        return again(reply_form=form)
    except ReplyRefused as refused:
        return again(reply_form=form, violations=refused.violations, checked=True)
    except ApplicationError as error:
        form.add_error(None, error.message)
        return again(reply_form=form)
