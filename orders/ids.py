"""The shape of an Amazon order id, in one place: every parser of an order id (API, pages, URLs, imports,
SP-API sync, buyer mail) uses this pattern.

Digits are ASCII ``[0-9]`` on purpose: ``\\d`` also matches the digits of other scripts (full-width ``１``,
Arabic-Indic ``٣`` …), which Amazon never issues and which the API's URLs do not carry, so such an id once
stored could be neither linked to nor looked up.
"""

from __future__ import annotations

import re

#: 3-7-7 ASCII digits, e.g. 113-1234567-1234567; unanchored, to build URL patterns and searches from.
AMAZON_ORDER_ID_PATTERN = r"[0-9]{3}-[0-9]{7}-[0-9]{7}"
#: A whole value that is an Amazon order id (``match``, ``fullmatch`` and ``search`` all agree; no trailing newline).
AMAZON_ORDER_ID = re.compile(rf"^{AMAZON_ORDER_ID_PATTERN}\Z")


def is_amazon_order_id(value: str) -> bool:
    return AMAZON_ORDER_ID.match(value) is not None
