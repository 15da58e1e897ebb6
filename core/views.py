"""Site-wide pages: each role's landing page, the viewer's preferences and language."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.i18n import set_language

from .context_processors import landing_url_name
from .forms import PreferencesForm
from .models import Profile
from .selectors import store_list
from .services import profile_set_preferences, profile_set_store
from .web import AuthenticatedHttpRequest


class LoginView(auth_views.LoginView):
    """Django's sign-in page, landing each person on their own workspace unless they came for another page."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        return resolve_url(landing_url_name(self.request.user))


@login_required
@require_GET
def home_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Each role lands on its own workspace: operators the order queue, managers account health, agents the inbox."""
    return redirect(landing_url_name(request.user))


@login_required
@require_http_methods(["GET", "POST"])
def preferences_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            language = form.cleaned_data["language"]
            profile_set_preferences(user=request.user, timezone=form.cleaned_data["timezone"], language=language)
            if language:
                translation.activate(language)
            messages.success(request, _("Your preferences are saved."))
            response = redirect("preferences")
            if language:
                _set_language_cookie(response, language)
            return response
    else:
        profile = Profile.objects.filter(user=request.user).first()
        form = PreferencesForm(initial={"timezone": profile.timezone if profile else "UTC",
                                        "language": profile.language if profile else ""})
    return render(request, "sellerops/preferences.html", {"form": form})


@require_POST
def language_set_view(request: HttpRequest) -> HttpResponse:
    """The top bar's language switch: Django's ``set_language`` (cookie and redirect), and for a signed-in user the
    choice kept on their profile, so it follows them to their other devices."""
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        profile_set_preferences(user=request.user, language=language)
    return set_language(request)


def _set_language_cookie(response: HttpResponse, language: str) -> None:
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
                        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
                        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                        samesite=settings.LANGUAGE_COOKIE_SAMESITE)


@login_required
@require_POST
def store_choose_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The top bar's store switcher: remember the store (or all of them) and show the page again with it."""
    code = request.POST.get("store", "")
    store = store_list(user=request.user).filter(code=code).first() if code else None
    if code and store is None:
        raise Http404(_("No such store."))
    profile_set_store(user=request.user, store=store)
    return redirect(_without_store(request, request.POST.get("next", "")))


def _without_store(request: HttpRequest, target: str) -> str:
    """``target`` (a page of this site, else the landing page) without its ``store`` and ``page``: it then follows
    the chosen store."""
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                           require_https=request.is_secure()):
        return resolve_url(landing_url_name(request.user))
    parts = urlsplit(target)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in {"store", "page"}]
    return urlunsplit(("", "", parts.path, urlencode(query), ""))
