"""Cursor pagination: stable pages while rows are being added, and no COUNT over large tables."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class StoreCursorPagination(CursorPagination):
    """Pages in the order the view names in ``ordering`` (newest first), ``page_size`` up to 500.

    Follow ``next`` until it is null; the cursor is opaque and carries the position, so rows added while a
    client pages do not shift or repeat the pages it has not read yet.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return tuple(view.ordering)
