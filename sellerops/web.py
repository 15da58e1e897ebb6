"""Small helpers every server-rendered page shares: paging, query strings, htmx partials."""

from __future__ import annotations

from django.http import HttpRequest, QueryDict

#: Deepest page a list will serve; past it, narrow the filters.
MAX_PAGE = 10_000


def page_number(raw: str | None) -> int:
    """The 1-based page asked for; anything unreadable is page 1."""
    try:
        return max(1, min(int(raw or 1), MAX_PAGE))
    except ValueError:
        return 1


def query_string(params: QueryDict, **overrides: str | int | None) -> str:
    """``params`` with ``overrides`` applied (None drops a key), as a "?…" string."""
    query = params.copy()
    for key, value in overrides.items():
        query.pop(key, None)
        if value is not None:
            query[key] = str(value)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


def wants_partial(request: HttpRequest) -> bool:
    """An htmx swap wants only the named partial; a history restore (Back, cache gone) wants the page."""
    return bool(request.htmx) and not request.htmx.history_restore_request
