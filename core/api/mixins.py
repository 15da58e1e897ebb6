"""The shape of every store-owned resource: list, retrieve and create, scoped to the user's stores."""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import mixins, serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from core.models import Store
from core.selectors import scoped

from .pagination import StoreCursorPagination
from .permissions import StoreRolePermission, require_role, view_permission

_M = TypeVar("_M", bound=Model)


class AuthenticatedRequest(Request):
    """The request of a view behind ``IsAuthenticated``: its user has signed in (for the type checker)."""

    user: User


class StoreScopedViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet[_M]):
    """Rows of the requesting user's stores only: another store's row answers 404, like a missing one.

    A subclass names ``permission_resource`` (its key in ``ROLE_PERMISSIONS``), ``ordering`` (unique, for
    the cursor), ``serializer_class`` (the output), ``input_serializer_class`` and implements
    ``base_queryset()`` and ``perform_service_create()``, which calls the services.
    """

    permission_classes = [IsAuthenticated, StoreRolePermission]
    pagination_class = StoreCursorPagination
    store_field = "store"
    # Rows are looked up by their numeric id (ASCII digits: int() would read other scripts' digits too): anything
    # else in the URL is a 404, never a failed query.
    lookup_value_regex = r"[0-9]+"
    permission_resource: str
    ordering: tuple[str, ...]
    input_serializer_class: type[serializers.Serializer]
    request: AuthenticatedRequest

    def base_queryset(self) -> QuerySet[_M]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[_M]:
        return scoped(self.base_queryset(), user=self.request.user, store_field=self.store_field)

    def get_object(self) -> _M:
        """The one row the URL names; ``?store=CODE`` tells apart rows with the same key in two stores."""
        lookup_kwarg = self.lookup_url_kwarg or self.lookup_field
        queryset = self.filter_queryset(self.get_queryset())
        matches = list(queryset.filter(**{self.lookup_field: self.kwargs[lookup_kwarg]})[:2])
        if not matches:
            raise Http404(_("No such %(what)s.") % {"what": queryset.model._meta.verbose_name})
        if len(matches) > 1:
            raise ValidationError({"store": _("%(key)s exists in several of your stores; name one with "
                                              "?store=CODE.") % {"key": self.kwargs[lookup_kwarg]}})
        obj = matches[0]
        self.check_object_permissions(self.request, obj)
        return obj

    def get_input(self, serializer_class: type[serializers.Serializer]) -> dict[str, Any]:
        """Validate the body with ``serializer_class``; a 400 names each bad field."""
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def store_of(self, data: dict[str, Any]) -> Store | None:
        return data.get("store")

    def required_permissions(self, data: dict[str, Any]) -> list[str]:
        """The permissions this request needs in the store the body names: the action's own, and any step the
        body asks for on top (a return recorded as already refunded needs ``return.refund`` too)."""
        return [view_permission(self)]

    def check_store_role(self, store: Store | None, data: dict[str, Any]) -> None:
        """Refuse (403) unless the user's role in ``store``, named by the body, allows all this request does."""
        if store is not None:
            for permission in self.required_permissions(data):
                require_role(user=self.request.user, permission=permission, store=store)

    def create(self, request: AuthenticatedRequest, *args, **kwargs) -> Response:
        serializer = self.input_serializer_class(data=request.data, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        self.check_store_role(self.store_of(serializer.validated_data), serializer.validated_data)
        return self.respond(self.perform_service_create(serializer), status=201)

    def perform_service_create(self, serializer: Any) -> _M:
        """Create the row from ``serializer.validated_data`` through the services; return it."""
        raise NotImplementedError

    def respond(self, instance: Any, *, status: int = 200,
                serializer_class: type[serializers.Serializer] | None = None) -> Response:
        """Answer with ``instance`` as the output serializer shows it; a 201 carries its URL as Location."""
        serializer = (serializer_class or self.get_serializer_class())(instance,
                                                                        context=self.get_serializer_context())
        data = serializer.data
        # str(): the serializer's Hyperlink is a str subclass, which strict WSGI servers refuse in a header.
        headers = {"Location": str(data["url"])} if status == 201 and data.get("url") else None
        return Response(data, status=status, headers=headers)
