"""While the database cannot be reached, every request gets a short, deliberate 503 that says so.

A stopped, restarting or unreachable PostgreSQL raises ``OperationalError`` (``InterfaceError`` on a
connection it already closed) wherever a request first touches the database: loading the session and the
user, the view, a template, saving the session. Each of those places answers alike: 503 with ``Retry-After``,
a plain page (``{"detail", "code"}`` under /api/), never a stack trace. The API's own views answer through
``core.api.exceptions``.
"""

from __future__ import annotations

import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy as _
from django.views.defaults import server_error as default_server_error

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5
MESSAGE = _("The database is unavailable; try again shortly.")
API_CODE = "database_unavailable"
API_PREFIX = "/api/"


def database_error_log(request: HttpRequest, error: BaseException) -> None:
    """One line per refused request: the driver's first line says why (refused, shutting down, timed out)."""
    reason = next((line.strip() for line in str(error).splitlines() if line.strip()), type(error).__name__)
    logger.warning("Database unavailable, %s %s answered 503: %s", request.method, request.path, reason)


def database_unavailable_response(request: HttpRequest, error: BaseException) -> HttpResponse:
    database_error_log(request, error)
    if request.path_info.startswith(API_PREFIX):
        response: HttpResponse = JsonResponse({"detail": str(MESSAGE), "code": API_CODE}, status=503)
    else:
        # No request context: the context processors would query the database again.
        # A GET may simply be sent again ("Try again" links to the page itself); a form post is the user's call.
        context = {"message": MESSAGE, "can_retry": request.method in ("GET", "HEAD")}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


class DatabaseUnavailableMiddleware:
    """Answer 503 when the database fails while loading the viewer or in the view (and its template)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            # The session and the user are the first queries of most requests. Loaded here, a failure can still
            # be answered; in a later middleware Django would turn it into a 500.
            _viewer_is_known(request)
        except DATABASE_ERRORS as error:
            return database_unavailable_response(request, error)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, DATABASE_ERRORS):
            return database_unavailable_response(request, exception)
        return None


def _viewer_is_known(request: HttpRequest) -> bool:
    return request.user.is_authenticated


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """Django's 500 page; a database failure anywhere else in the request (saving the session) is still a 503."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_ERRORS):
        return database_unavailable_response(request, error)
    return default_server_error(request, template_name)
