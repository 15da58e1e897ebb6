from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view
from rest_framework.request import Request
from rest_framework.response import Response

from core.selectors import store_list
from metrics.engine import compute_all

from .serializers import AsOfSerializer, MetricResultSerializer


@extend_schema(
    parameters=[OpenApiParameter("as_of", str, description="ISO 8601 instant with an offset; default now.")],
    responses=MetricResultSerializer(many=True),
)
@api_view(["GET"])
def store_metrics(request: Request, code: str) -> Response:
    """Compute every account-health metric of the store at ``as_of`` (read-only; nothing is stored)."""
    store = get_object_or_404(store_list(user=request.user), code=code)
    params = AsOfSerializer(data=request.query_params)
    params.is_valid(raise_exception=True)
    as_of = params.validated_data.get("as_of") or timezone.now()
    return Response(MetricResultSerializer(compute_all(store, as_of), many=True).data)
