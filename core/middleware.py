"""Site-wide request handling: long background work started once the response is sent, the viewer's own
timezone (their profile's, else UTC) and language (their profile's, else what the cookie or the browser asks for),
and the refusal of NUL bytes in paths and parameters."""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .background import background_after_response, background_collect
from .chosen_store import STORE_DEFAULT_PAGES, chosen_store
from .database import API_PREFIX

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class AfterResponseMiddleware:
    """Without a broker, the long tasks a request queues (an upload's import) start once its response has been sent
    (``core.background``): the upload answers at once, and the page it leads to follows the work."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = background_collect()
        try:
            response = self.get_response(request)
        except BaseException:
            # What was queued has committed: it still runs, now.
            start = background_after_response(token)
            if start is not None:
                start()
            raise
        start = background_after_response(token)
        if start is not None:
            # Called by the server once the last byte has gone (HttpResponseBase.close), before request_finished.
            response._resource_closers.append(start)
        return response


class ViewerPreferencesMiddleware:
    """After the user is known: their profile's timezone, and their language if they chose one (it wins over the
    cookie and the browser, so the interface follows the person from one device to the next)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        tzname = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None)
            tzname = profile.timezone if profile else None
            if profile is not None and profile.language and profile.language != request.LANGUAGE_CODE:
                translation.activate(profile.language)
                request.LANGUAGE_CODE = translation.get_language()
        try:
            timezone.activate(zoneinfo.ZoneInfo(tzname or "UTC"))
        except zoneinfo.ZoneInfoNotFoundError:
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()


#: No value a person or an integration sends has a reason to hold NUL, and PostgreSQL refuses any text that does
#: (the driver raises before the query is sent), so one in a path or a parameter would be a 500.
NUL_REFUSED = _("The request holds a NUL character (code 0), which no address, parameter, form field or cookie "
                "may contain; remove it and try again.")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def _holds_nul(values: Iterable[str]) -> bool:
    return any("\x00" in value for value in values)


def request_holds_nul(request: HttpRequest) -> bool:
    """Whether the path, a query parameter or form field (name or value), a cookie or the credentials hold a NUL.

    Cookies and the ``Authorization`` header are looked up in the database (the session, an API token), and a
    quoted cookie may spell NUL as ``\\000``. Form bodies are read only for the form types Django parses itself (as
    the CSRF check does); a JSON body is the API's parser's and serializers' to refuse. Uploaded files may hold
    anything.
    """
    if "\x00" in request.path or "\x00" in request.path_info:
        return True
    if _holds_nul(request.COOKIES.values()) or "\x00" in request.META.get("HTTP_AUTHORIZATION", ""):
        return True
    if _holds_nul(request.GET.keys()) or _holds_nul(v for values in request.GET.lists() for v in values[1]):
        return True
    if request.method == "POST" and request.content_type in _FORM_TYPES:
        return _holds_nul(request.POST.keys()) or _holds_nul(v for values in request.POST.lists() for v in values[1])
    return False


def bad_request(request: HttpRequest, message: StrOrPromise) -> HttpResponse:
    """A 400 that says why: ``{"detail", "code"}`` under /api/, else a plain page in the viewer's language."""
    if request.path_info.startswith(API_PREFIX):
        return JsonResponse({"detail": str(message), "code": "invalid"}, status=400)
    # No request context: this answers before the viewer is known.
    return HttpResponseBadRequest(render_to_string("400.html", {"message": message}))


class RefuseNulMiddleware:
    """Answer 400 to a request with a NUL byte in its path or parameters, before any view or query reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request_holds_nul(request):
            return bad_request(request, NUL_REFUSED)
        return self.get_response(request)


class ChosenStoreMiddleware:
    """A workspace whose address names no store shows the store the user chose in the top bar
    (``core.chosen_store``): its ``store`` parameter is filled in before the view reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        if request.method != "GET" or "store" in request.GET or match is None \
                or match.view_name not in STORE_DEFAULT_PAGES:
            return None
        user = getattr(request, "user", None)
        store = chosen_store(user=user) if user is not None else None
        if store is not None:
            params = request.GET.copy()
            params["store"] = store.code
            params._mutable = False
            request.GET = params
        return None
