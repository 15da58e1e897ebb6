"""Login throttling: django-axes per username and address, and a second, higher limit per address alone.

Axes locks a username and address pair after ``AXES_FAILURE_LIMIT`` failures. One password tried on many
usernames from one address never reaches that for any pair, so an address is also locked once it has failed
``AXES_IP_FAILURE_LIMIT`` times within the cool-off, whatever the usernames (a shared office address stays
usable after a few mistyped passwords). Axes' own combined parameters (``[["username", "ip_address"],
"ip_address"]``) would hold both to one limit, and its reset on a successful login would then clear the
address's count too: one login to the attacker's own account would restart the spray. Here a success clears
only that username's count at that address, as before.
"""

from __future__ import annotations

import logging

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest

log = logging.getLogger(__name__)


class AxesHttpRequest(HttpRequest):
    """A request as django-axes' middleware hands it on, with what axes learnt of it."""

    axes_ip_address: str
    axes_locked_out: bool
    axes_credentials: dict | None


class LoginThrottle(AxesDatabaseHandler):
    def address_failures(self, request: HttpRequest) -> int:
        """Failed logins from the request's address within the cool-off, for every username."""
        address = getattr(request, "axes_ip_address", None)
        if not address:
            return 0
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request: HttpRequest) -> bool:
        # 0 turns the limit off: behind a proxy that hides the clients' addresses, all share the proxy's.
        limit = settings.AXES_IP_FAILURE_LIMIT
        return bool(limit and settings.AXES_LOCK_OUT_AT_FAILURE  # type: ignore[misc]  # axes' default setting
                    and self.address_failures(request) >= limit)

    def is_locked(self, request: HttpRequest, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request: AxesHttpRequest | None = None, **kwargs) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", False):
            return
        if self.is_whitelisted(request, credentials) or not self.address_locked(request):
            return
        log.warning("Locking out address %s after repeated login failures for several usernames.",
                    request.axes_ip_address)
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send("axes", request=request, username=get_client_username(request, credentials),
                             ip_address=request.axes_ip_address)
