"""Writes to the tenant and user records."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from .models import Profile, validate_timezone


@transaction.atomic
def profile_set_timezone(*, user: AbstractBaseUser, timezone: str) -> Profile:
    """Set the timezone ``user`` sees times in, creating their profile on first use."""
    validate_timezone(timezone)
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user,
                                                                          defaults={"timezone": timezone})
    if profile.timezone != timezone:
        profile.timezone = timezone
        profile.save(update_fields=["timezone"])
    return profile
