"""The agent's inbox: threads by time left to answer, one thread with its order, replies, claims and feedback.

Everything a buyer wrote is shown as escaped text, and every page here carries a Content-Security-Policy that
lets nothing but the site's own scripts and styles run or load.
"""

from __future__ import annotations

from collections.abc import Callable

from csp.constants import NONE, SELF
from csp.decorators import csp
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.errors import ApplicationError
from core.permissions import request_grants
from core.selectors import scoped
from core.web import AuthenticatedHttpRequest, wants_partial

from .claim_responses import claim_response_draft, response_language
from .claim_review import claim_review
from .forms import (
    FILTER_KEYS,
    LANGUAGE_NAMES,
    TAB_LABELS,
    AssignForm,
    ClaimDeadlineForm,
    ClaimResponseForm,
    InboxFilterForm,
    NoteForm,
    ReplyForm,
)
from .inbox_services import (
    feedback_request_removal,
    reply_allowed_numbers,
    reply_send,
    thread_mark_no_reply_needed,
    thread_note_add,
)
from .models import Attachment, Claim, Feedback, MessageThread
from .reply_flow import reply_form_answer
from .selectors import (
    Tab,
    claim_deadline,
    claim_detail,
    claim_list,
    feedback_list,
    inbox_stores,
    order_messages,
    reply_templates,
    reply_window,
    template_for,
    thread_assignees,
    thread_detail,
    thread_inbox,
    thread_inbox_counts,
    waiting_threads,
)
from .services import claim_respond, claim_set_respond_by, thread_assign, thread_reply_refusal
from .templates_fill import template_fill

LIST_SIZE = 100
#: Buyer text is untrusted: nothing inline, nothing remote may run or load on these pages, whatever the site-wide
#: policy allows.
strict_csp = csp({
    "default-src": [SELF], "img-src": [SELF, "data:"], "script-src": [SELF], "style-src": [SELF],
    "object-src": [NONE], "frame-ancestors": [NONE], "base-uri": [SELF], "form-action": [SELF],
})


#: What the inbox offers on a thread, each checked against ``core.permissions``.
THREAD_ACTIONS = {"reply": "message.reply", "no_reply": "thread.no_reply", "note": "thread.note",
                  "assign": "thread.assign"}


def _thread_can(request: HttpRequest, thread: MessageThread) -> dict[str, bool]:
    grants = request_grants(request)
    return {action: grants.can(permission, thread.store_id) for action, permission in THREAD_ACTIONS.items()}


def _filter_query(params: QueryDict) -> str:
    """The inbox filters of ``params`` (nothing else) as a query string, to keep them across actions."""
    query = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        value = params.get(key)
        if value:
            query[key] = value[:40]
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


def _tabs(params: QueryDict, counts: dict[str, int | None], active: str, base_url: str) -> list[dict]:
    tabs = []
    for key in Tab.ORDER:
        query = params.copy()
        query["tab"] = key
        tabs.append({"key": key, "label": TAB_LABELS[key], "count": counts.get(key), "active": key == active,
                     "url": f"{base_url}?{query.urlencode()}"})
    return tabs


def _list_context(request: AuthenticatedHttpRequest, now) -> dict:
    form = InboxFilterForm(request.GET, user=request.user)
    filters = form.filters()
    waiting = waiting_threads(user=request.user, store=filters.store)
    threads = list(thread_inbox(user=request.user, filters=filters, now=now, waiting=waiting)[:LIST_SIZE])
    for thread in threads:
        thread.window = reply_window(thread.pending_since, now)  # type: ignore[attr-defined]  # annotated; set for the row
    counts = thread_inbox_counts(user=request.user, filters=filters, now=now, waiting=waiting)
    params = QueryDict(mutable=True)
    for key in FILTER_KEYS:
        if key != "tab" and request.GET.get(key):
            params[key] = request.GET[key]
    return {
        "form": form,
        "filters": filters,
        "threads": threads,
        "counts": counts,
        "tabs": _tabs(params, counts, filters.tab, reverse("support:inbox")),
        "filter_query": _filter_query(request.GET),
        "filter_params": [(key, (request.GET.get(key) or request.POST.get(key) or "")[:40]) for key in FILTER_KEYS
                          if request.GET.get(key) or request.POST.get(key)],
        "now": now,
    }


def _thread_context(request: HttpRequest, thread: MessageThread, now, *, reply_form: ReplyForm | None = None,
                    violations: list | None = None, checked: bool = False, template_id: int | None = None,
                    missing: tuple[str, ...] = ()) -> dict:
    order = thread.order
    templates = reply_templates(store=thread.store, language=thread.language or "en")
    if reply_form is None:
        initial = ""
        chosen = template_for(store=thread.store, pk=template_id) if template_id else None
        if chosen is not None:
            filled = template_fill(chosen.body, thread=thread, order=order)
            initial, missing = filled.text, filled.missing
        reply_form = ReplyForm(initial={"body": initial})
    shipments = list(order.shipments.all()) if order is not None else []
    conversation = list(thread.messages.all())
    can = _thread_can(request, thread)
    return {
        "thread": thread,
        "order": order,
        "shipment": shipments[-1] if shipments else None,
        "conversation": conversation,
        "reply_refusal": thread_reply_refusal(thread, conversation),
        "window": reply_window(thread.pending_since, now),  # type: ignore[attr-defined]  # annotated by thread_detail
        "templates": templates,
        "template_id": template_id,
        "buyer_language": LANGUAGE_NAMES.get(thread.language, thread.language),
        "reply_form": reply_form,
        "note_form": NoteForm(),
        "assign_form": AssignForm(initial={"assignee": thread.assigned_to_id},
                                  assignees=thread_assignees(thread=thread)),
        "violations": violations or [],
        "checked": checked,
        "missing": missing,
        "can": can,
        "may_act": any(can.values()),
        "thread_url": reverse("support:thread", args=[thread.pk]),
    }


def _template_id(raw: str | None) -> int | None:
    try:
        return int(raw) if raw else None
    except ValueError:
        return None


@strict_csp
@login_required
@require_GET
def inbox_view(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    now = timezone.now()
    context = _list_context(request, now)
    thread = None
    if pk is not None:
        thread = thread_detail(user=request.user, pk=pk)
        if thread is None:
            raise Http404(_("No such thread."))
        context.update(_thread_context(request, thread, now, template_id=_template_id(request.GET.get("template"))))
    context["selected_id"] = thread.pk if thread else None
    htmx = wants_partial(request)
    target = request.htmx.target if htmx else None
    if target == "inbox-list":
        response = render(request, "support/inbox.html#thread-list", context)
    elif target == "reply-box" and thread is not None:
        response = render(request, "support/inbox.html#reply-box", context)
    elif target == "thread-pane" and thread is not None:
        # The pane, and the list again out of band so the chosen row is highlighted.
        html = render_to_string("support/inbox.html#thread-pane", context, request)
        html += render_to_string("support/inbox.html#thread-list", {**context, "oob": True}, request)
        response = HttpResponse(html)
    else:
        response = render(request, "support/inbox.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _back_to(request: AuthenticatedHttpRequest, thread: MessageThread) -> HttpResponse:
    url = reverse("support:thread", args=[thread.pk]) + _filter_query(request.POST)
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return HttpResponseRedirect(url)


def _acting_thread(request: AuthenticatedHttpRequest, pk: int, action: str) -> MessageThread:
    thread = thread_detail(user=request.user, pk=pk)
    if thread is None:
        raise Http404(_("No such thread."))
    if not _thread_can(request, thread)[action]:
        raise PermissionDenied(_("Your role in this store does not allow answering buyers."))
    return thread


def _render_reply_box(request: AuthenticatedHttpRequest, thread: MessageThread, *, only_checked: bool = False,
                      **kwargs) -> HttpResponse:
    """The thread with its reply box again; outside htmx a form that was not sent answers 400."""
    now = timezone.now()
    context = {**_list_context(request, now), **_thread_context(request, thread, now, **kwargs),
               "selected_id": thread.pk}
    template = "support/inbox.html#reply-box" if request.htmx else "support/inbox.html"
    response = render(request, template, context, status=200 if request.htmx or only_checked else 400)
    patch_vary_headers(response, ("HX-Request",))
    return response


@strict_csp
@login_required
@require_POST
def reply_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Check the reply against Amazon's rules (``action=check``) or check and send it."""
    thread = _acting_thread(request, pk, "reply")
    reply = reply_form_answer(
        request, allowed_numbers=reply_allowed_numbers(thread),
        again=lambda **kwargs: _render_reply_box(request, thread, **kwargs),
        send=lambda body, key: reply_send(thread=thread, body=body, author=request.user, idempotency_key=key))
    if isinstance(reply, HttpResponse):
        return reply
    if reply.replayed:
        messages.info(request, _("This reply had already been submitted; it was not sent again."))
    else:
        messages.success(request, _("Reply sent to %(address)s.") % {"address": thread.buyer_email})
    return _back_to(request, thread)


def _simple_action(request: AuthenticatedHttpRequest, thread: MessageThread, action: Callable[[], object], done: str
                   ) -> HttpResponse:
    try:
        action()
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, done)
    return _back_to(request, thread)


@strict_csp
@login_required
@require_POST
def no_reply_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    thread = _acting_thread(request, pk, "no_reply")
    return _simple_action(request, thread, lambda: thread_mark_no_reply_needed(thread=thread, actor=request.user),
                          _("Marked as needing no reply."))


@strict_csp
@login_required
@require_POST
def note_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    thread = _acting_thread(request, pk, "note")
    form = NoteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A note needs some text."))
        return _back_to(request, thread)
    return _simple_action(
        request, thread, lambda: thread_note_add(thread=thread, body=form.cleaned_data["body"], author=request.user),
        _("Note added. It is not sent to the buyer."))


@strict_csp
@login_required
@require_POST
def assign_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    thread = _acting_thread(request, pk, "assign")
    assignees = thread_assignees(thread=thread)
    if request.POST.get("assignee") == "me":
        assignee = request.user
    else:
        form = AssignForm(request.POST, assignees=assignees)
        if not form.is_valid():
            messages.error(request, _("Choose a member of this store."))
            return _back_to(request, thread)
        assignee = form.cleaned_data["assignee"]
    done = (_("Assigned to %(user)s.") % {"user": assignee.get_username()} if assignee is not None
            else _("Back in the shared inbox."))
    return _simple_action(request, thread,
                          lambda: thread_assign(thread=thread, assignee=assignee, actor=request.user), done)


@login_required
@require_GET
@csp({"default-src": [NONE], "sandbox": True})
def attachment_view(request: HttpRequest, pk: int) -> FileResponse:
    """A buyer's file, always as a download in a sandbox: never rendered as a page of this site."""
    attachment = get_object_or_404(scoped(Attachment.objects.all(), user=request.user), pk=pk)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.filename,
                            content_type="application/octet-stream")
    return response


@strict_csp
@login_required
@require_GET
def claims_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    store = inbox_stores(user=request.user).filter(code=request.GET.get("store") or "").first()
    claims = list(claim_list(user=request.user, store=store)[:200])
    now = timezone.now()
    for claim in claims:
        claim.deadline = claim_deadline(claim, now)  # type: ignore[attr-defined]  # set for the row
    return render(request, "support/claims.html", {
        "claims": claims, "now": now, "stores": inbox_stores(user=request.user), "store": store,
        "open_count": sum(1 for c in claims if c.status == "open"),
    })


def _claim_context(request: AuthenticatedHttpRequest, claim: Claim, *, form: ClaimResponseForm | None = None,
                   deadline_form: ClaimDeadlineForm | None = None) -> dict:
    order = claim.order
    now = timezone.now()
    review = claim_review(order=order, shipments=order.shipments.all(), messages=order_messages(order=order),
                          refunds=order.refunds.all())
    language = response_language(claim.store.marketplace_info.language)
    draft = claim_response_draft(facts=review.facts, language=language, tz=claim.store.tz)
    can_respond = request_grants(request).can("claim.respond", claim.store_id)
    return {
        "claim": claim, "order": order, "review": review, "now": now, "deadline": claim_deadline(claim, now),
        "draft_language": LANGUAGE_NAMES.get(language, language), "can_respond": can_respond,
        "form": form or ClaimResponseForm(initial={"response": claim.response or draft}),
        "deadline_form": deadline_form or ClaimDeadlineForm(initial={"respond_by": claim.respond_by}),
    }


def _scoped_claim(request: AuthenticatedHttpRequest, pk: int, *, acting: bool = False) -> Claim:
    claim = claim_detail(user=request.user, pk=pk)
    if claim is None:
        raise Http404(_("No such claim."))
    if acting and not request_grants(request).can("claim.respond", claim.store_id):
        raise PermissionDenied(_("Your role in this store does not allow responding to claims."))
    return claim


@strict_csp
@login_required
@require_GET
def claim_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One claim: what Amazon will look at, the order's evidence, and the response drafted from it."""
    return render(request, "support/claim_detail.html", _claim_context(request, _scoped_claim(request, pk)))


@strict_csp
@login_required
@require_POST
def claim_respond_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _scoped_claim(request, pk, acting=True)
    form = ClaimResponseForm(request.POST)
    if form.is_valid():
        try:
            claim_respond(claim=claim, response=form.cleaned_data["response"], actor=request.user)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Response recorded for the claim on order %(order)s.")
                             % {"order": claim.order.amazon_order_id})
            return HttpResponseRedirect(reverse("support:claim", args=[claim.pk]))
    return render(request, "support/claim_detail.html", _claim_context(request, claim, form=form), status=400)


@strict_csp
@login_required
@require_POST
def claim_deadline_view(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    claim = _scoped_claim(request, pk, acting=True)
    form = ClaimDeadlineForm(request.POST)
    if form.is_valid():
        try:
            claim_set_respond_by(claim=claim, respond_by=form.cleaned_data["respond_by"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("Response deadline changed."))
            return HttpResponseRedirect(reverse("support:claim", args=[claim.pk]))
    return render(request, "support/claim_detail.html", _claim_context(request, claim, deadline_form=form),
                  status=400)


@strict_csp
@login_required
@require_GET
def feedback_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    store = inbox_stores(user=request.user).filter(code=request.GET.get("store") or "").first()
    rows = feedback_list(user=request.user, store=store, now=timezone.now())
    grants = request_grants(request)
    return render(request, "support/feedback.html", {
        "rows": rows, "stores": inbox_stores(user=request.user), "store": store,
        "removal_store_ids": {row.feedback.store_id for row in rows
                              if grants.can("feedback.request_removal", row.feedback.store_id)},
        "removable_count": sum(1 for r in rows if r.removable and not r.feedback.removal_requested_at),
    })


@strict_csp
@login_required
@require_POST
def feedback_removal_view(request: HttpRequest, pk: int) -> HttpResponse:
    feedback = get_object_or_404(scoped(Feedback.objects.select_related("order"), user=request.user), pk=pk)
    if not request_grants(request).can("feedback.request_removal", feedback.store_id):
        raise PermissionDenied(_("Your role in this store does not allow this."))
    try:
        feedback_request_removal(feedback=feedback)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Removal requested for the feedback on order %(order)s.")
                         % {"order": feedback.order.amazon_order_id})
    return HttpResponseRedirect(reverse("support:feedback"))
