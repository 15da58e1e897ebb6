"""A status machine is a table of allowed moves; this checks a move against one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .errors import InvalidTransition

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


def check_transition(transitions: Mapping[str, set[str]], labels: Mapping[str, StrOrPromise], *, old: str, new: str,
                     what: str) -> None:
    """Raise ``InvalidTransition`` naming both statuses when ``old`` → ``new`` is not in ``transitions``."""
    if new in transitions.get(old, set()):
        return
    allowed = sorted(str(labels.get(s, s)) for s in transitions.get(old, set()))
    raise InvalidTransition(
        _("%(what)s cannot go from %(old)s to %(new)s; from %(old)s it can go to: %(allowed)s.")
        % {"what": what, "old": labels.get(old, old), "new": labels.get(new, new),
           "allowed": ", ".join(allowed) or _("nothing (it is final)")},
        extra={"from": old, "to": new},
    )
