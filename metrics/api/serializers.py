from __future__ import annotations

from rest_framework import serializers

from core.api.fields import InRangeDateTimeField


class MetricResultSerializer(serializers.Serializer):
    metric = serializers.CharField()
    channel = serializers.CharField()
    window_days = serializers.IntegerField()
    numerator = serializers.IntegerField()
    denominator = serializers.IntegerField()
    rate = serializers.DecimalField(max_digits=9, decimal_places=6, allow_null=True, coerce_to_string=False)
    target = serializers.DecimalField(max_digits=9, decimal_places=6, coerce_to_string=False)
    status = serializers.CharField()
    window_start = serializers.DateTimeField(source="window.start")
    window_end = serializers.DateTimeField(source="window.end")
    defects_until_breach = serializers.IntegerField(allow_null=True)
    as_of = serializers.DateTimeField()


class AsOfSerializer(serializers.Serializer):
    as_of = InRangeDateTimeField(required=False, help_text="ISO 8601 instant with an offset; default now.")
