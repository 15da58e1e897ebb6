"""The site's own error pages: in its layout, in the viewer's language, each with a way back.

403 and 404 render with the request (the top bar, the viewer's sections); they run inside the request, after
``LocaleMiddleware`` has chosen the language, so they speak it. A refused CSRF check is a 403 of ours too. Under
/api/ the answer is ``{"detail", "code"}`` as everywhere else in the API. The 500 and 503 pages need no request
context (``core.database``): the database may be the reason they are shown.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from .context_processors import workspace_for
from .database import API_PREFIX


def _api(request: HttpRequest, detail: str, code: str, status: int) -> HttpResponse | None:
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": detail, "code": code}, status=status)
    return None


def _refusal_message(exception: Exception | None) -> str:
    """The reason a view gave (already in the viewer's language), if it gave one."""
    if isinstance(exception, PermissionDenied) and exception.args and str(exception.args[0]).strip():
        return str(exception.args[0])
    return ""


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = _refusal_message(exception) or _("Your role does not allow this page or action.")
    api = _api(request, message, "permission_denied", 403)
    if api is not None:
        return api
    return render(request, "403.html", {"message": message, "workspace": workspace_for(request.user)}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    api = _api(request, _("Not found."), "not_found", 404)
    if api is not None:
        return api
    return render(request, "404.html", {"workspace": workspace_for(request.user)}, status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent from a page that is too old (or from elsewhere): say so, and offer to reload."""
    message = _("This form has expired or did not come from SellerOps. Reload the page and send it again.")
    api = _api(request, message, "csrf_failed", 403)
    if api is not None:
        return api
    context = {"message": message, "workspace": workspace_for(request.user), "csrf_failure": True}
    return render(request, "403.html", context, status=403)
