"""Serializer fields the resources share: times with an offset, and a store named by its code."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from core.dates import day_in_range, out_of_range_message, utc_instant
from core.models import Store
from core.selectors import store_list


class InRangeDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time whose day lies between ``core.dates.EARLIEST_DAY`` and ``LATEST_DAY``.

    A time at the calendar's edge (year 1, year 9999) is refused with a 400: stored, or used as the end of a metric
    window, it would fail every later page that shows it in a store's timezone or adds a day to it.
    """

    default_error_messages = {"overflow": lazy(out_of_range_message, str)()}

    def to_internal_value(self, value) -> dt.datetime:
        try:
            parsed = super().to_internal_value(value)
        except OverflowError:
            # DRF checks a time without an offset by converting it to UTC, which overflows at the calendar's edges.
            raise serializers.ValidationError(out_of_range_message(), code="out_of_range") from None
        if not day_in_range(utc_instant(parsed)):
            raise serializers.ValidationError(out_of_range_message(), code="out_of_range")
        return parsed


class AwareDateTimeField(InRangeDateTimeField):
    """ISO 8601 with an offset in, UTC out: a time without an offset is ambiguous, so it is refused."""

    default_error_messages = {
        "naive": _("Give the time with its offset, e.g. 2026-11-01T09:30:00Z or 2026-11-01T10:30:00+01:00."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("default_timezone", dt.UTC)
        super().__init__(**kwargs)

    def enforce_timezone(self, value: dt.datetime) -> dt.datetime:
        if timezone.is_naive(value):
            self.fail("naive")
        return super().enforce_timezone(value)


@extend_schema_field(OpenApiTypes.STR)
class StoreField(serializers.SlugRelatedField):
    """A store of the requesting user, given by its code; any other code is refused as unknown."""

    default_error_messages = {
        "does_not_exist": _("You have no store with code {value}."),
        "invalid": _("Give the store's code."),
    }

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("slug_field", "code")
        kwargs.setdefault("help_text", _("The store's code, e.g. ACME-US."))
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet[Store]:
        request = self.context.get("request")
        if request is None:
            return Store.objects.none()
        return store_list(user=request.user)


class RowUrlField(serializers.HyperlinkedIdentityField):
    """The row's own URL, or null when its key cannot be put in one.

    A key stored before it was validated as strictly as today (an order id in full-width digits) matches no URL
    pattern; that row is shown without a link rather than failing every page of the list that holds it.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def get_url(self, obj, view_name, request, format):
        try:
            return super().get_url(obj, view_name, request, format)
        except NoReverseMatch:
            return None
