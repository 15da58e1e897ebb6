"""The API's JSON parser: DRF's, with a limit on how deeply a body may nest."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

#: No request body of this API nests deeper than a few levels (an order, its items, an address).
MAX_JSON_DEPTH = 32


def json_depth_exceeds(data: Any, limit: int) -> bool:
    """Whether ``data`` nests lists and objects deeper than ``limit``; walked without recursion."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        children: Iterable[Any]
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


class DepthLimitedJSONParser(JSONParser):
    """A body nested deeper than ``MAX_JSON_DEPTH`` is a 400, as is one so deep that Python cannot read it at all
    (``RecursionError``, which DRF's parser lets through as a 500)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise self._too_deep() from None
        if json_depth_exceeds(data, MAX_JSON_DEPTH):
            raise self._too_deep()
        return data

    def _too_deep(self) -> ParseError:
        return ParseError(_("JSON parse error - the body nests deeper than %(limit)d levels.")
                          % {"limit": MAX_JSON_DEPTH})
