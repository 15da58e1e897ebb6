"""The bounds every value read from a report must keep, in one place.

A report is hostile input: a quantity of ``99999999999`` or ``Infinity``, a price of ``NaN``, a date in year 1
with an offset. Each bound is what the column that stores the value can hold (as PostgreSQL stores it, the
strictest of our databases), narrowed to what a real report can mean; a value outside is an error on its line
and column, never an exception in the middle of an import.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db.backends.base.operations import BaseDatabaseOperations

from orders.models import Order, OrderItem


def _integer_column_max(model, name: str) -> int:
    return BaseDatabaseOperations.integer_field_ranges[model._meta.get_field(name).get_internal_type()][1]


def _decimal_column_max(model, name: str) -> tuple[Decimal, int]:
    field = model._meta.get_field(name)
    step = Decimal(1).scaleb(-field.decimal_places)
    return Decimal(10) ** (field.max_digits - field.decimal_places) - step, field.decimal_places


#: Units on one line: a whole number from 0. Far more than any seller ships on one line, and summed over a
#: whole file still far below what the quantity columns (PostgreSQL ``integer``) hold.
QUANTITY_MAX = min(100_000, _integer_column_max(OrderItem, "quantity"))
#: Any other whole number a report holds (a rating, days past a promise): what an ``integer`` column holds.
INTEGER_MAX = _integer_column_max(OrderItem, "quantity")

#: A money amount: a finite decimal with the columns' places (12 digits, 2 after the point), positive or not.
MONEY_MAX, MONEY_PLACES = _decimal_column_max(OrderItem, "item_price")
MONEY_STEP = Decimal(1).scaleb(-MONEY_PLACES)
#: An order's total is the sum of its item prices, in a column of its own.
ORDER_TOTAL_MAX, _ = _decimal_column_max(Order, "order_total")

#: Report dates and times, by their year as written: Amazon's marketplaces opened after 1990, and nothing a
#: seller imports is dated past 2100. Within these years, moving a time by any offset cannot overflow.
YEAR_MIN, YEAR_MAX = 1990, 2100
EARLIEST = datetime(YEAR_MIN, 1, 1, tzinfo=UTC)
LATEST = datetime(YEAR_MAX, 12, 31, 23, 59, 59, tzinfo=UTC)

#: The longest cell a report may hold (what Python's csv reader accepted) and the longest line read whole;
#: a longer line is refused at the column where it passes the limit, without holding it in memory.
MAX_FIELD_CHARS = 131_072
MAX_LINE_CHARS = 2 * 1024 * 1024

#: The longest part of a cell quoted in a message: a hostile cell may be 100,000 characters long.
SHOWN_CHARS = 60


def shown(value: str, limit: int = SHOWN_CHARS) -> str:
    """A cell as quoted in a message, cut to ``limit`` characters."""
    return value if len(value) <= limit else value[:limit] + "…"
