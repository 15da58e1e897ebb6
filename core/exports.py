"""Streamed CSV downloads that spreadsheet programs open correctly and safely.

The file starts with a UTF-8 byte-order mark, without which Excel reads UTF-8 as the local code page and
garbles Chinese, Japanese and accented text. A cell that begins with ``=``, ``+``, ``-``, ``@`` (or a tab or
carriage return) would be run as a formula by Excel or LibreOffice; such cells get a leading apostrophe, as
OWASP advises against CSV injection, so a buyer's name cannot execute in the seller's spreadsheet.

A spreadsheet set to a locale that separates fields with semicolons (most of Europe) reads our comma-separated
lines as text split at each ``;``, our quotes included, so ``x;=cmd|…`` would start a cell with the formula;
a line break inside a quoted cell ends its row there. Each such would-be cell gets the apostrophe as well:
``x;'=cmd|…``. Numbers are written as they are: ``-3`` stays a number.
"""

from __future__ import annotations

import csv
import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import translation

BOM = "\ufeff"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: A field separator of some locale, or a line break, before (blanks and) a formula character: where a reader
#: that splits there would start a cell with the formula.
_SEPARATOR_BEFORE_FORMULA = re.compile(r"([,;\t\r\n])(?=\s*[=+\-@])")


class _Echo:
    """A file-like object whose ``write`` hands the line back, so csv.writer can feed a generator."""

    def write(self, value: str) -> str:
        return value


def csv_cell(value: Any, *, tz=None) -> str:
    """One value as CSV text: times in ``tz`` (ISO 8601), booleans as yes/no, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return (value.astimezone(tz) if tz is not None else value).isoformat()
    if isinstance(value, int | float | Decimal):
        return str(value)
    text = _SEPARATOR_BEFORE_FORMULA.sub(r"\1'", str(value))
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


_WRITER = csv.writer(_Echo())


def csv_line(cells: Sequence[Any], *, tz=None) -> str:
    """One CSV line, with its line break, of ``cells`` each through ``csv_cell``."""
    return _WRITER.writerow([csv_cell(cell, tz=tz) for cell in cells])


def csv_stream(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """Yield the BOM and header, then one CSV line per row, in the language active when called."""
    language = translation.get_language()
    header = [str(h) for h in header]

    def lines() -> Iterator[str]:
        with translation.override(language):
            yield BOM + csv_line(header)
            for row in rows:
                yield csv_line(row)

    return lines()


def started(lines: Iterator[str], *, count: int = 2) -> Iterator[str]:
    """``lines`` with its first ``count`` produced now: the header and the first row, whose query runs here.

    A stream fails only once its 200 is sent, cutting the download short; a value the database refuses, or a
    database that is away, fails the request before that instead, and is answered as such (400, 503).
    """
    head = list(itertools.islice(lines, count))
    return itertools.chain(head, lines)


def csv_response(header: Sequence[str], rows: Iterable[Sequence[Any]], *, filename: str) -> StreamingHttpResponse:
    """A download of ``rows`` that streams a chunk of the database at a time."""
    response = StreamingHttpResponse(started(csv_stream(header, rows)), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
