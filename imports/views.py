"""The import pages: upload a report, watch its import progress, read its summary; preview and confirm a
shipping confirmation file."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.errors import ApplicationError
from core.permissions import user_can
from core.selectors import scoped
from core.web import AuthenticatedHttpRequest
from imports.models import ImportJob

from .detect import ReportNotRecognised
from .forms import ImportForm, ShipConfirmForm
from .preview import ShipConfirmPreview, ship_confirm_preview
from .selectors import import_touched
from .services import (
    MAX_REPORTED_ERRORS,
    import_job_check,
    import_job_confirm,
    import_job_create,
    import_jobs_check,
)

RECENT_JOBS = 20


def _jobs(request: HttpRequest):
    return scoped(ImportJob.objects.select_related("store", "created_by"), user=request.user)


def _to_job_page(request: AuthenticatedHttpRequest, url: str) -> HttpResponse:
    """After an upload: the job's page, where its import is followed (a full page load when htmx sent the form)."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


def _upload_form_response(request: AuthenticatedHttpRequest, template: str, context: dict, *,
                          status: int) -> HttpResponse:
    """The upload page, or only its form when htmx sent it (its errors shown in place)."""
    response = render(request, f"{template}#upload-form" if request.htmx else template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_list_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    # ``?store=<code>`` (the store chosen in the top bar, unless the address says otherwise): that store's imports,
    # and the upload form set to it.
    code = request.GET.get("store") or ""
    form = ImportForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"store": code} if code else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(store=data["store"], kind=data["kind"], upload=data["file"], actor=request.user,
                                    encoding=data["encoding"])
        except ReportNotRecognised as error:
            form.add_error("kind", error.message)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _to_job_page(request, reverse("imports:detail", args=[job.pk]))
    listed = _jobs(request).filter(store__code=code) if code else _jobs(request)
    jobs = import_jobs_check(list(listed[:RECENT_JOBS])) if not request.htmx else []
    context = {"form": form, "jobs": jobs, "can_import": form.fields["store"].queryset.exists()}  # type: ignore[attr-defined]  # a ModelChoiceField
    return _upload_form_response(request, "imports/import_list.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def import_detail_view(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = import_job_check(get_object_or_404(_jobs(request), pk=job_id))
    if job.status == ImportJob.Status.PREVIEW:
        return redirect("imports:ship_confirm_preview", job_id=job.pk)
    context = {"job": job, "max_errors": MAX_REPORTED_ERRORS,
               "touched": import_touched(job) if job.status == ImportJob.Status.DONE else []}
    template = "imports/import_detail.html#job-progress" if request.htmx else "imports/import_detail.html"
    response = render(request, template, context)
    patch_vary_headers(response, ("HX-Request",))
    return response


# --- Ship-confirm by file: upload, preview every line, confirm all or nothing ---


def _preview_jobs(request: HttpRequest):
    return _jobs(request).filter(kind=ImportJob.Kind.SHIP_CONFIRM)


@login_required
@require_http_methods(["GET", "POST"])
def ship_confirm_upload_view(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ShipConfirmForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = import_job_create(store=data["store"], kind=ImportJob.Kind.SHIP_CONFIRM, upload=data["file"],
                                    actor=request.user, encoding=data["encoding"], preview=True)
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            return _to_job_page(request, reverse("imports:ship_confirm_preview", args=[job.pk]))
    context = {"form": form, "can_import": form.fields["store"].queryset.exists()}  # type: ignore[attr-defined]  # a ModelChoiceField
    return _upload_form_response(request, "imports/ship_confirm_upload.html", context,
                                 status=400 if form.errors else 200)


def _render_preview(request: AuthenticatedHttpRequest, job: ImportJob, *, error: str = "", status: int = 200,
                    partial: str = "preview-body") -> HttpResponse:
    preview = ship_confirm_preview(job=job, page=request.GET.get("page", 1), outcome=request.GET.get("outcome", ""))
    context = {"job": job, "preview": preview, "error": error, "tabs": _tabs(job, preview), "prev_url": "",
               "next_url": "",
               "may_confirm": user_can(user=request.user, store=job.store_id, permission="import.confirm")}
    if preview is not None:
        page = preview.page
        if page.has_previous():
            context["prev_url"] = _preview_url(job, preview.outcome, page.previous_page_number())
        if page.has_next():
            context["next_url"] = _preview_url(job, preview.outcome, page.next_page_number())
    template = f"imports/ship_confirm_preview.html#{partial}" if request.htmx else "imports/ship_confirm_preview.html"
    response = render(request, template, context, status=status)
    patch_vary_headers(response, ("HX-Request",))
    return response


def _preview_url(job: ImportJob, outcome: str, page: int = 1) -> str:
    params: dict[str, str | int] = {"outcome": outcome} if outcome else {}
    if page > 1:
        params["page"] = page
    url = reverse("imports:ship_confirm_preview", args=[job.pk])
    return f"{url}?{urlencode(params)}" if params else url


def _tabs(job: ImportJob, preview: ShipConfirmPreview | None) -> list[dict]:
    """All lines, then each outcome, with its count over the whole file."""
    if preview is None:
        return []
    tabs = [("", _("All lines"), preview.summary["lines"]), ("ship", _("Ships"), preview.summary["ship"]),
            ("skip", _("Skipped"), preview.summary["skip"]), ("error", _("Errors"), preview.summary["error"])]
    return [{"key": key or "all", "label": label, "count": count, "active": key == preview.outcome,
             "url": _preview_url(job, key)} for key, label, count in tabs]


@login_required
@require_GET
def ship_confirm_preview_view(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = import_job_check(get_object_or_404(_preview_jobs(request), pk=job_id))
    if job.status != ImportJob.Status.PREVIEW:
        if request.htmx:
            # The page is polling: leave it for the job's page (a failure, or someone confirmed it).
            response = HttpResponse()
            response["HX-Redirect"] = reverse("imports:detail", args=[job.pk])
            return response
        return redirect("imports:detail", job_id=job.pk)
    return _render_preview(request, job)


@login_required
@require_POST
def ship_confirm_confirm_view(request: AuthenticatedHttpRequest, job_id: int) -> HttpResponse:
    job = get_object_or_404(_preview_jobs(request), pk=job_id)
    try:
        job = import_job_confirm(job=job, actor=request.user)
    except ApplicationError as error:
        job.refresh_from_db()
        if job.status != ImportJob.Status.PREVIEW:
            status = 409
        else:
            may_confirm = user_can(user=request.user, store=job.store_id, permission="import.confirm")
            status = 400 if may_confirm else 403
        return _render_preview(request, job, error=error.message, status=status, partial="confirm-actions")
    if not request.htmx:
        return redirect("imports:detail", job_id=job.pk)
    job.refresh_from_db()
    response = render(request, "imports/import_detail.html#job-progress",
                      {"job": job, "max_errors": MAX_REPORTED_ERRORS})
    patch_vary_headers(response, ("HX-Request",))
    return response
