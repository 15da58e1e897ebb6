"""The store a user chose in the top bar: the workspaces show it when their address names no store.

Every workspace picks its store from its address (``?store=<code>``; ``?store=`` for all of them). When the
address says nothing, ``core.middleware.ChosenStoreMiddleware`` puts the user's chosen store there, so every
page, its filter form and its links read the same parameter as before.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User

from .models import Profile, Store
from .selectors import store_list

#: The pages that follow the chosen store (URL names): the order queue and its deliveries at risk, account health,
#: its breaches and its reconciliation with Amazon's report, the inbox with its claims and feedback, returns,
#: listings, FBA inbound shipments and imports.
STORE_DEFAULT_PAGES = frozenset({
    "orders:list",
    "orders:at-risk",
    "metrics:health",
    "metrics:breaches",
    "metrics:reconciliation",
    "support:inbox",
    "support:claims",
    "support:feedback",
    "returns:list",
    "listings:list",
    "fulfillment:list",
    "imports:list",
})


def chosen_store_id(*, user: User | AnonymousUser) -> int | None:
    """The id of the store ``user`` chose (None: all stores), from their profile as the request already read it."""
    if not user.is_authenticated:
        return None
    try:
        profile = user.profile  # read (and kept) by ViewerPreferencesMiddleware
    except Profile.DoesNotExist:
        return None
    return profile.store_id


def chosen_store(*, user: User | AnonymousUser) -> Store | None:
    """The store ``user`` chose, if they still may see it; None for all stores."""
    store_id = chosen_store_id(user=user)
    if store_id is None:
        return None
    return store_list(user=user).filter(pk=store_id).first()
