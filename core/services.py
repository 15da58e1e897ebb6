"""Writes to the tenant and user records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .marketplaces import MARKETPLACES
from .models import Membership, Profile, Role, Store, validate_timezone
from .selectors import store_list


@transaction.atomic
def profile_set_timezone(*, user: User, timezone: str) -> Profile:
    """Set the timezone ``user`` sees times in, creating their profile on first use."""
    return profile_set_preferences(user=user, timezone=timezone)


@transaction.atomic
def profile_set_preferences(*, user: User, timezone: str | None = None, language: str | None = None) -> Profile:
    """Set what is given of ``user``'s preferences (None: unchanged), creating their profile on first use.

    ``language`` is one of ``settings.LANGUAGES``, or "" for the browser's.
    """
    changes: dict[str, str] = {}
    if timezone is not None:
        validate_timezone(timezone)
        changes["timezone"] = timezone
    if language is not None:
        if language and language not in dict(settings.LANGUAGES):
            raise ApplicationError(_("%(language)s is not a language of this site.") % {"language": language})
        changes["language"] = language
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user, defaults=changes)
    changed = [name for name, value in changes.items() if getattr(profile, name) != value]
    if changed:
        for name in changed:
            setattr(profile, name, changes[name])
        profile.save(update_fields=changed)
    return profile


@transaction.atomic
def profile_set_store(*, user: User, store: Store | None) -> Profile:
    """Remember ``store`` (one of ``user``'s stores; None: all of them) as the one the workspaces show."""
    if store is not None and not store_list(user=user).filter(pk=store.pk).exists():
        raise ApplicationError(_("You are not a member of store %(store)s.") % {"store": store.code})
    profile, _created = Profile.objects.select_for_update().get_or_create(user=user)
    if profile.store_id != (store.pk if store else None):
        profile.store = store
        profile.save(update_fields=["store"])
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
