"""Writes to the tenant and user records."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .marketplaces import MARKETPLACES
from .models import Membership, Profile, Role, Store, validate_timezone


@transaction.atomic
def profile_set_timezone(*, user: User, timezone: str) -> Profile:
    """Set the timezone ``user`` sees times in, creating their profile on first use."""
    validate_timezone(timezone)
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user,
                                                                          defaults={"timezone": timezone})
    if profile.timezone != timezone:
        profile.timezone = timezone
        profile.save(update_fields=["timezone"])
    return profile


@transaction.atomic
def store_create(*, code: str, name: str, marketplace: str, timezone: str = "",
                 actor: User | None = None) -> Store:
    """Add a store (its timezone and currency default from the marketplace); its creator becomes its admin."""
    if marketplace not in MARKETPLACES:
        raise ApplicationError(_("Unknown marketplace %(code)s.") % {"code": marketplace})
    if timezone:
        validate_timezone(timezone)
    try:
        with transaction.atomic():
            store = Store.objects.create(code=code, name=name, marketplace=marketplace, timezone=timezone)
    except IntegrityError:
        raise ApplicationError(_("A store with code %(code)s already exists.") % {"code": code}) from None
    if actor is not None and actor.is_authenticated and not actor.is_superuser:
        Membership.objects.create(user=actor, store=store, role=Role.ADMIN)
    return store
