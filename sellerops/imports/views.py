"""The import pages: upload a report, watch its import progress, read its summary."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from sellerops.errors import ApplicationError
from sellerops.models import ImportJob
from sellerops.selectors import scoped

from .forms import ImportForm
from .services import MAX_REPORTED_ERRORS, import_job_create

RECENT_JOBS = 20


def _jobs(request: HttpRequest):
    return scoped(ImportJob.objects.select_related("store", "created_by"), user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def import_list_view(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(store=data["store"], kind=data["kind"], upload=data["file"], actor=request.user,
                                    encoding=data["encoding"])
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("imports:detail", job_id=job.pk)
    context = {"form": form, "jobs": _jobs(request)[:RECENT_JOBS], "can_import": form.fields["store"].queryset.exists()}
    return render(request, "imports/import_list.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_detail_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(_jobs(request), pk=job_id)
    context = {"job": job, "max_errors": MAX_REPORTED_ERRORS}
    template = "imports/import_detail.html#job-progress" if request.htmx else "imports/import_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response
