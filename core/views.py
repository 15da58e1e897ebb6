"""Site-wide pages: the viewer's preferences."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import PreferencesForm
from .models import Profile
from .services import profile_set_timezone
from .web import AuthenticatedHttpRequest


@login_required
@require_http_methods(["GET", "POST"])
def preferences_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            profile_set_timezone(user=request.user, timezone=form.cleaned_data["timezone"])
            messages.success(request, _("Your preferences are saved."))
            return redirect("preferences")
    else:
        profile = Profile.objects.filter(user=request.user).first()
        form = PreferencesForm(initial={"timezone": profile.timezone if profile else "UTC"})
    return render(request, "sellerops/preferences.html", {"form": form})
