"""What every status change shares: the row locked, the move checked against its table, who made it and when.

A status machine is a table of allowed moves (``ORDER_TRANSITIONS``, ``RETURN_TRANSITIONS``…); a
``StateMachine`` adds the labels its errors name and the field each status stamps with the time the row
entered it. The services of every app, and the demo generator building its histories, move rows through one.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from .errors import ApplicationError, InvalidTransition

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
    from django_stubs_ext import StrOrPromise

#: How far in the future a reported time may lie (clock skew between systems), and no further.
CLOCK_SKEW = timedelta(minutes=5)

M = TypeVar("M", bound=models.Model)
U = TypeVar("U", bound="AbstractBaseUser | AnonymousUser")


def check_transition(transitions: Mapping[str, Collection[str]], labels: Mapping[str, StrOrPromise], *, old: str,
                     new: str, what: str) -> None:
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


@dataclass(frozen=True)
class StateMachine:
    """A ``status`` field's table of allowed moves, the labels its errors name, and the time each status records.

    ``entered_at`` maps a status to the field that holds when the row entered it (``Shipped`` →
    ``shipped_at``); a status without one records no time. ``move`` works on any object with those
    attributes: a model instance, or a row the demo generator builds in memory.
    """

    transitions: Mapping[str, Collection[str]]
    labels: Mapping[str, StrOrPromise]
    entered_at: Mapping[str, str] = field(default_factory=dict)

    def allows(self, old: str, new: str) -> bool:
        return new in self.transitions.get(old, ())

    def check(self, *, old: str, new: str, what: str) -> None:
        """Raise ``InvalidTransition`` unless the table allows ``old`` → ``new``; ``what`` names the row."""
        check_transition(self.transitions, self.labels, old=old, new=new, what=what)

    def move(self, row: Any, new: str, *, what: str, at: datetime | None = None) -> str:
        """Check ``row``'s move to ``new``, make it (stamping ``new``'s time field with ``at``); return the old status.

        Nothing is saved: the caller saves the row with the fields it changed.
        """
        old = row.status
        self.check(old=old, new=new, what=what)
        row.status = new
        if at is not None and new in self.entered_at:
            setattr(row, self.entered_at[new], at)
        return old


def locked(row: M, *related: str) -> M:
    """Read ``row`` again under a row lock (``SELECT … FOR UPDATE``) held to the end of the transaction.

    ``related`` rows (``select_related`` paths) come along in the same query, unlocked.
    """
    rows = type(row)._default_manager
    if related:
        return rows.select_for_update(of=("self",)).select_related(*related).get(pk=row.pk)
    return rows.select_for_update().get(pk=row.pk)


def actor_or_none(actor: U | None) -> U | None:
    """The user to record as having made a change: none for a change without one, or an anonymous one."""
    return actor if actor is not None and actor.is_authenticated else None


def not_future(value: datetime, *, what: str | None = None) -> datetime:
    """Refuse a time later than now (beyond ``CLOCK_SKEW``); return it. ``what`` names it in the error."""
    if value > timezone.now() + CLOCK_SKEW:
        if what is None:
            raise ApplicationError(_("%(value)s is in the future.") % {"value": value.isoformat()})
        raise ApplicationError(_("%(what)s is in the future (%(value)s).")
                               % {"what": what, "value": value.isoformat()})
    return value
