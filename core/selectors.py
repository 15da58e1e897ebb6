"""Reads that scope everything to the stores a user belongs to."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet

from .models import Membership, Store


def store_list(*, user: User | AnonymousUser) -> QuerySet[Store]:
    """Return the stores ``user`` may see: all for a superuser, their memberships otherwise."""
    if not user.is_authenticated:
        return Store.objects.none()
    if user.is_superuser:
        return Store.objects.all()
    return Store.objects.filter(memberships__user=user)


def store_ids(*, user: User | AnonymousUser) -> QuerySet:
    return store_list(user=user).values("id")


def colleague_list(*, user: User | AnonymousUser) -> QuerySet:
    """Return the accounts ``user`` may see: all for a superuser, else themself and the members of their stores."""
    users = get_user_model()._default_manager.all()
    if not user.is_authenticated:
        return users.none()
    if user.is_superuser:
        return users
    members = Membership.objects.filter(store__in=store_ids(user=user)).values("user")
    return users.filter(Q(pk=user.pk) | Q(pk__in=members))


def scoped(queryset: QuerySet, *, user: User | AnonymousUser, store_field: str = "store") -> QuerySet:
    """Filter any store-owned queryset to the rows of ``user``'s stores."""
    if user.is_authenticated and user.is_superuser:
        return queryset
    return queryset.filter(**{f"{store_field}__in": store_ids(user=user)})
