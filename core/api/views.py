"""/api/stores/: the stores the user is a member of; admins and superusers add stores."""

from __future__ import annotations

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework.response import Response

from core.models import Store
from core.selectors import store_list
from core.services import store_create

from .filters import StoreListFilter
from .mixins import AuthenticatedRequest, StoreScopedViewSet
from .serializers import ErrorSerializer, StoreInputSerializer, StoreSerializer


@extend_schema_view(
    list=extend_schema(summary="List your stores"),
    retrieve=extend_schema(summary="Get a store", description="By code."),
    create=extend_schema(
        summary="Add a store",
        description="Superusers and store admins only; the creator becomes the new store's admin. The "
                    "timezone defaults to the marketplace's.",
        request=StoreInputSerializer,
        responses={201: StoreSerializer, 400: ErrorSerializer,
                   403: OpenApiResponse(ErrorSerializer, description="Not a superuser or store admin.")},
    ),
)
class StoreViewSet(StoreScopedViewSet):
    permission_resource = "store"
    serializer_class = StoreSerializer
    input_serializer_class = StoreInputSerializer
    filterset_class = StoreListFilter
    lookup_field = "code"
    lookup_value_regex = r"[-\w]+"
    ordering = ("code",)

    def get_queryset(self) -> QuerySet[Store]:
        return store_list(user=self.request.user)

    def create(self, request: AuthenticatedRequest, *args, **kwargs) -> Response:
        data = self.get_input(StoreInputSerializer)
        store = store_create(code=data["code"], name=data["name"], marketplace=data["marketplace"],
                             timezone=data.get("timezone", ""), actor=request.user)
        return self.respond(store, status=201)
