"""Turn the services' refusals into HTTP answers: a broken rule is a 400, a state conflict a 409."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sellerops.errors import ApplicationError, InvalidTransition


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


def _application_error(exc: ApplicationError) -> APIException:
    if isinstance(exc, InvalidTransition):
        return Conflict(exc.message, code="invalid_transition", extra=exc.extra)
    error = APIException(exc.message, code="invalid")
    error.status_code = status.HTTP_400_BAD_REQUEST
    return error


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus ``ApplicationError`` (400) and ``InvalidTransition`` (409) with their message."""
    if isinstance(exc, ApplicationError):
        exc = _application_error(exc)
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
