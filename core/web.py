"""Small helpers every server-rendered page shares: paging, htmx partials, refused filters."""

from __future__ import annotations

from django import forms
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django_htmx.middleware import HtmxDetails

#: Deepest page a list will serve; past it, narrow the filters.
MAX_PAGE = 10_000


class AuthenticatedHttpRequest(HttpRequest):
    """The request of a view behind ``login_required``, as the middleware hands it on (for the type checker):
    its user has signed in, and django-htmx has said whether htmx sent it."""

    user: User
    htmx: HtmxDetails


def page_number(raw: str | None) -> int:
    """The 1-based page asked for; anything unreadable is page 1."""
    try:
        return max(1, min(int(raw or 1), MAX_PAGE))
    except ValueError:
        return 1


def wants_partial(request: HttpRequest) -> bool:
    """An htmx swap wants only the named partial; a history restore (Back, cache gone) wants the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request  # type: ignore[attr-defined]  # django-htmx's middleware


def refused_filters(form: forms.Form) -> list[str]:
    """Each visible filter of ``form`` whose value was refused, with why, as the filter bar shows it.

    Filter forms fall back to the default of an invalid field rather than fail the page; the page says so
    (``partials/filter_errors.html``), and a download refuses instead (``refused_filters_response``).
    """
    form.is_valid()
    return [_("Filter “%(name)s” not applied: %(error)s") % {"name": field.label, "error": error}
            for field in form.visible_fields() for error in field.errors]


def refused_filters_response(refused: list[str]) -> HttpResponse:
    """A 400 for a download asked with filters it cannot apply: exporting more than was asked would mislead."""
    text = "\n".join([_("Nothing was exported; correct these filters and try again:"), *refused])
    return HttpResponse(text + "\n", status=400, content_type="text/plain; charset=utf-8")
