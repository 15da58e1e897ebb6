"""The back office's admin site: Django's, with the two views that look rows up outside any ``ModelAdmin``
kept to the user's stores.

Django's autocomplete asks the far side's ``ModelAdmin`` for its rows (scoped by ``core.admin_kit``), and its
"view on site" shortcut fetches any row of any table by content type and id, then redirects to the row's page,
which names it. Here an autocomplete answers also only from the rows the user may choose, and "view on site"
only for a row the user may view in this admin; for anything else it answers 404, as for a missing row.
"""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.db.models import ForeignObjectRel
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import path


class ScopedAutocompleteJsonView(AutocompleteJsonView):
    def process_request(self, request: HttpRequest):
        term, model_admin, source_field, to_field_name = super().process_request(request)
        if isinstance(source_field, ForeignObjectRel):
            # No form autocompletes a reverse relation, and Django's view fails on one with a server error.
            raise PermissionDenied
        return term, model_admin, source_field, to_field_name

    def get_queryset(self):
        from .admin_kit import scoped_choices

        queryset = super().get_queryset()
        allowed = scoped_choices(queryset.model, self.request)
        return queryset if allowed is None else queryset.filter(pk__in=allowed.values("pk"))


class BackOfficeSite(admin.AdminSite):
    def autocomplete_view(self, request: HttpRequest) -> HttpResponse:
        return ScopedAutocompleteJsonView.as_view(admin_site=self)(request)  # type: ignore[return-value]  # as_view() is typed loosely

    def get_urls(self):
        urls = super().get_urls()
        for index, pattern in enumerate(urls):
            if getattr(pattern, "name", None) == "view_on_site":
                urls[index] = path("r/<int:content_type_id>/<path:object_id>/",
                                   self.admin_view(self.view_on_site), name="view_on_site")
        return urls

    def view_on_site(self, request: HttpRequest, content_type_id: int, object_id: str) -> HttpResponse:
        if not request.user.is_superuser:
            try:
                model = ContentType.objects.get_for_id(content_type_id).model_class()
            except ContentType.DoesNotExist:
                raise Http404 from None
            model_admin = self._registry.get(model) if model is not None else None
            obj = model_admin.get_object(request, object_id) if model_admin is not None else None
            if obj is None or model_admin is None or not model_admin.has_view_or_change_permission(request, obj):
                raise Http404
        return contenttype_views.shortcut(request, content_type_id, object_id)
