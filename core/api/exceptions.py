"""Turn the services' refusals into HTTP answers: a broken rule is a 400, a state conflict a 409, no database 503."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core.database import API_CODE, DATABASE_ERRORS, MESSAGE, RETRY_AFTER_SECONDS, database_error_log
from core.errors import ApplicationError, InvalidTransition


class Conflict(APIException):
    """The request clashes with the resource's current state, or the resource already exists."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("The request conflicts with the current state of the resource.")
    default_code = "conflict"

    def __init__(self, detail: str | None = None, *, code: str | None = None, url: str | None = None,
                 extra: dict[str, Any] | None = None) -> None:
        super().__init__(detail, code)
        self.url = url
        self.extra = extra or {}


class DatabaseUnavailable(APIException):
    """The database cannot be reached (stopped, restarting, not answering): try again after ``Retry-After``."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = MESSAGE
    default_code = API_CODE
    #: DRF sends it as the Retry-After header.
    wait = RETRY_AFTER_SECONDS


def _application_error(exc: ApplicationError) -> APIException:
    if isinstance(exc, InvalidTransition):
        return Conflict(exc.message, code="invalid_transition", extra=exc.extra)
    error = APIException(exc.message, code="invalid")
    error.status_code = status.HTTP_400_BAD_REQUEST
    return error


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus ``ApplicationError`` (400), ``InvalidTransition`` (409) and database failures (503)."""
    if isinstance(exc, ApplicationError):
        exc = _application_error(exc)
    elif isinstance(exc, DATABASE_ERRORS):
        database_error_log(context["request"], exc)
        exc = DatabaseUnavailable()
    response = drf_exception_handler(exc, context)
    if response is None or not isinstance(exc, APIException) or not isinstance(response.data, dict):
        return response
    if "detail" in response.data and hasattr(exc.detail, "code"):
        response.data["code"] = exc.detail.code
    if isinstance(exc, Conflict):
        if exc.url:
            response.data["url"] = exc.url
        response.data.update({k: v for k, v in exc.extra.items() if k not in response.data})
    return response
