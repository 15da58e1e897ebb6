"""The account-health alerts every page's top bar and banners show."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from .alerts import health_summary


def _health_alerts(request: HttpRequest):
    """Open breaches and unread notifications of the user: one query, made once per request and only if shown."""
    if not hasattr(request, "_health_alerts"):
        request._health_alerts = health_summary(user=request.user)  # type: ignore[attr-defined]  # cached per request
    return request._health_alerts  # type: ignore[attr-defined]  # cached per request


def health_alerts(request: HttpRequest) -> dict:
    return {"health_alerts": SimpleLazyObject(lambda: _health_alerts(request))}
