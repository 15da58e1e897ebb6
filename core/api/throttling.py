"""Rate limits for integrations: requests authenticated by token count against their user's budget."""

from __future__ import annotations

import logging

from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.throttling import UserRateThrottle

from core.background import BROKER_ERRORS

logger = logging.getLogger(__name__)


class TokenRateThrottle(UserRateThrottle):
    """``UserRateThrottle`` for token clients only; the browser session is not limited.

    The rate is ``DEFAULT_THROTTLE_RATES["token"]`` (set from ``API_TOKEN_THROTTLE_RATE``), read on each
    request so that a settings override takes effect.
    """

    scope = "token"

    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[return-value]  # "N/period"; the stubs say a number

    def allow_request(self, request, view) -> bool:
        if not isinstance(request.auth, Token):
            return True
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except BROKER_ERRORS as error:
            # The counts live in the cache (Redis): while it is away, serve rather than refuse every client.
            logger.warning("API rate limit not checked, the cache is unreachable: %s: %s", type(error).__name__,
                           error)
            return True
