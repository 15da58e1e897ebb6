"""Filters for the log configuration in ``settings.LOGGING``."""

from __future__ import annotations

import logging


class ClientErrorsOnOneLine(logging.Filter):
    """Log a refused request (403, 400) as one line, without the traceback Django attaches to it.

    Django logs a ``PermissionDenied`` or ``BadRequest`` with the exception's stack trace. A refusal is the answer
    working as intended, not a fault to debug; a probe of forbidden URLs filled the log with stack traces.
    Server errors (5xx) keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status_code = getattr(record, "status_code", None)
        if isinstance(status_code, int) and 400 <= status_code < 500:
            record.exc_info = None
            record.exc_text = None
        return True
