"""The import pages: upload a report, watch its import progress, read its summary; preview and confirm a
shipping confirmation file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from sellerops.errors import ApplicationError
from sellerops.models import ImportJob
from sellerops.selectors import scoped

from .forms import ImportForm, ShipConfirmForm, importable_stores
from .preview import ship_confirm_preview
from .services import MAX_REPORTED_ERRORS, import_job_confirm, import_job_create

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
    if job.status == ImportJob.Status.PREVIEW:
        return redirect("imports:ship_confirm_preview", job_id=job.pk)
    context = {"job": job, "max_errors": MAX_REPORTED_ERRORS}
    template = "imports/import_detail.html#job-progress" if request.htmx else "imports/import_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Ship-confirm by file: upload, preview every line, confirm all or nothing ---


def _preview_jobs(request: HttpRequest):
    return _jobs(request).filter(kind=ImportJob.Kind.SHIP_CONFIRM)


@login_required
@require_http_methods(["GET", "POST"])
def ship_confirm_upload_view(request: HttpRequest) -> HttpResponse:
    form = ShipConfirmForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(store=data["store"], kind=ImportJob.Kind.SHIP_CONFIRM, upload=data["file"],
                                    actor=request.user, encoding=data["encoding"], preview=True)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return redirect("imports:ship_confirm_preview", job_id=job.pk)
    context = {"form": form, "can_import": form.fields["store"].queryset.exists()}
    return render(request, "imports/ship_confirm_upload.html", context, status=400 if form.errors else 200)


def _render_preview(request: HttpRequest, job: ImportJob, *, error: str = "", status: int = 200) -> HttpResponse:
    try:
        preview = ship_confirm_preview(job=job)
    except OSError:
        preview, error = None, error or _("The uploaded file could not be read.")
    context = {"job": job, "preview": preview, "error": error}
    template = "imports/ship_confirm_preview.html#confirm-actions" if request.htmx else \
        "imports/ship_confirm_preview.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_GET
def ship_confirm_preview_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(_preview_jobs(request), pk=job_id)
    if job.status != ImportJob.Status.PREVIEW:
        return redirect("imports:detail", job_id=job.pk)
    return _render_preview(request, job)


@login_required
@require_POST
def ship_confirm_confirm_view(request: HttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(_preview_jobs(request), pk=job_id)
    try:
        job = import_job_confirm(job=job, actor=request.user)
    except ApplicationError as error:
        job.refresh_from_db()
        if job.status != ImportJob.Status.PREVIEW:
            status = 409
        else:
            may_import = importable_stores(user=request.user).filter(pk=job.store_id).exists()
            status = 400 if may_import else 403
        return _render_preview(request, job, error=error.message, status=status)
    if not request.htmx:
        return redirect("imports:detail", job_id=job.pk)
    job.refresh_from_db()
    response = render(request, "imports/import_detail.html#job-progress",
                      {"job": job, "max_errors": MAX_REPORTED_ERRORS})
    patch_vary_headers(response, ("HX-Request",))
    return response
