"""Cursor pagination: stable pages while rows are being added, and no COUNT over large tables."""

from __future__ import annotations

from datetime import UTC

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connections, models
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import Cursor, CursorPagination


class StoreCursorPagination(CursorPagination):
    """Pages in the order the view names in ``ordering`` (newest first), ``page_size`` up to 500.

    Follow ``next`` until it is null; the cursor is opaque and carries the position, so rows added while a
    client pages do not shift or repeat the pages it has not read yet. A cursor this API did not hand out (its
    position not a value of the ordering's column) is a 400, not a failed query.
    """

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
    invalid_cursor_message = _("Invalid cursor: follow the next and previous links as given.")  # type: ignore[assignment]  # lazy, as DRF's own; the stubs say str

    def get_ordering(self, request, queryset, view) -> tuple[str, ...]:
        return tuple(view.ordering)

    def paginate_queryset(self, queryset, request, view=None):
        self._model, self._db = queryset.model, queryset.db
        return super().paginate_queryset(queryset, request, view)

    def decode_cursor(self, request) -> Cursor | None:
        try:
            cursor = super().decode_cursor(request)
        except NotFound:
            raise self._invalid() from None
        if cursor is not None and cursor.position is not None and not self._position_is_valid(cursor.position):  # type: ignore[arg-type]  # a str; the stubs say int
            raise self._invalid()
        return cursor

    def _invalid(self) -> ValidationError:
        return ValidationError({self.cursor_query_param: [self.invalid_cursor_message]}, code="invalid_cursor")

    def _position_is_valid(self, position: str) -> bool:
        """Whether ``position`` is a value of the first ordering column, as ``encode_cursor`` writes it."""
        if "\x00" in position:
            return False
        model = getattr(self, "_model", None)
        if model is None:
            return True
        try:
            field = model._meta.get_field(self.ordering[0].lstrip("-"))
        except FieldDoesNotExist:
            return True
        if isinstance(field, models.DateTimeField):
            try:
                instant = parse_datetime(position)
            except ValueError:
                return False
            if instant is None or instant.tzinfo is None:
                return False  # Positions are written from the database's aware values.
            try:
                instant.astimezone(UTC)  # An instant at the calendar's edge overflows in UTC.
            except OverflowError:
                return False
            return True
        try:
            value = field.to_python(position)
            field.run_validators(value)
            field.get_db_prep_value(value, connection=connections[self._db], prepared=False)
        except (DjangoValidationError, ValueError, TypeError, OverflowError):
            return False
        return True
