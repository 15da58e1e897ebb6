"""Serializers every resource builds on, the error shapes of the schema, and the store resource."""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from core.marketplaces import MARKETPLACES
from core.models import Store, validate_timezone

from .fields import AwareDateTimeField


class ApiModelSerializer(serializers.ModelSerializer):
    """A read-only model serializer whose times are ISO 8601 in UTC."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateTimeField: AwareDateTimeField,
    }


class ErrorSerializer(serializers.Serializer):
    """A refusal: what went wrong, in words a user can act on, and a machine-readable code."""

    detail = serializers.CharField()
    code = serializers.CharField()


class ConflictSerializer(ErrorSerializer):
    """A 409: an illegal status change, or a resource that already exists (``url`` is the existing one)."""

    url = serializers.URLField(required=False)


class StoreSerializer(ApiModelSerializer):
    url = serializers.HyperlinkedIdentityField(view_name="api-store-detail", lookup_field="code")

    class Meta:
        model = Store
        fields = ["url", "code", "name", "marketplace", "timezone", "currency", "is_active", "created_at"]
        read_only_fields = fields


class StoreInputSerializer(serializers.Serializer):
    code = serializers.SlugField(max_length=32, help_text=gettext_lazy("Short name, e.g. ACME-US."))
    name = serializers.CharField(max_length=200)
    marketplace = serializers.ChoiceField(choices=[(code, code) for code in MARKETPLACES])
    timezone = serializers.CharField(
        max_length=64, required=False, allow_blank=True,
        help_text=gettext_lazy("IANA timezone name; defaults to the marketplace's."))

    def validate_code(self, value: str) -> str:
        if Store.objects.filter(code__iexact=value).exists():
            raise serializers.ValidationError(_("A store with code %(code)s already exists.") % {"code": value})
        return value

    def validate_timezone(self, value: str) -> str:
        if value:
            try:
                validate_timezone(value)
            except DjangoValidationError as exc:
                raise serializers.ValidationError(exc.messages) from None
        return value
