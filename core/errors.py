"""The one error family services raise; views turn it into a form error, a 400 or a 409."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the operation; ``message`` says why, in words a user can act on."""

    def __init__(self, message: str, *, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class InvalidTransition(ApplicationError):
    """A status change the state machine does not allow."""


class StockError(ApplicationError):
    """A stock movement that would take a quantity below zero."""
