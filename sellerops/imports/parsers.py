"""Reading Amazon's tab-separated report files: encodings, headers matched by name, typed cell values.

Seller Central exports its reports as tab-separated text, UTF-8 in most marketplaces but Windows-1252 in
some European ones and Shift-JIS (cp932) in Japan, often with CRLF line ends. Headers differ by marketplace
and over time, so columns are found by name (case, spaces, hyphens and underscores do not matter), unknown
columns are ignored and a missing required one is named in the error.
"""

from __future__ import annotations

import csv
import io
import re
import zoneinfo
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from datetime import timezone as dt_timezone
from decimal import Decimal, InvalidOperation
from typing import TypedDict

from django.utils.translation import gettext as _

from sellerops.errors import ApplicationError

#: Encodings a user may force; the names Python's codecs know them by.
ENCODINGS: dict[str, str] = {
    "utf-8": "UTF-8", "cp1252": "Windows-1252 (Western Europe)", "cp932": "Shift-JIS / Windows-31J (Japan)",
}
_ENCODING_ALIASES = {
    "utf8": "utf-8", "utf-8": "utf-8", "utf-8-sig": "utf-8", "cp1252": "cp1252", "windows-1252": "cp1252",
    "latin-1": "cp1252", "latin1": "cp1252", "iso-8859-1": "cp1252", "cp932": "cp932", "shift-jis": "cp932",
    "shift_jis": "cp932", "sjis": "cp932", "windows-31j": "cp932", "ms932": "cp932",
}
#: Marketplaces whose reports Seller Central writes in a Windows code page when not in UTF-8.
_LEGACY_ENCODING = {"JP": "cp932"}


class Problem(TypedDict):
    """One thing wrong with a file: where (line 1 is the header) and what, in words a seller can act on."""

    line: int | None
    column: str
    message: str


class FileError(ApplicationError):
    """The file as a whole cannot be read: wrong encoding, not a report, a required column missing."""

    def __init__(self, message: str, *, column: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(line=line, column=column, message=message)


def normalize_encoding(name: str) -> str:
    key = (name or "").strip().lower()
    if key not in _ENCODING_ALIASES:
        raise ApplicationError(_("Unknown encoding %(name)s; use one of: %(choices)s.")
                               % {"name": name, "choices": ", ".join(ENCODINGS)})
    return _ENCODING_ALIASES[key]


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, *, encoding: str = "", marketplace: str = "") -> tuple[str, str]:
    """Return the file's text and the encoding it was read with.

    A forced ``encoding`` must fit every byte. Otherwise UTF-8 (with or without a byte-order mark) is tried
    first, since it fails loudly on anything else; then the marketplace's Windows code page (cp932 in
    Japan, cp1252 elsewhere), which is how Seller Central writes its non-UTF-8 reports.
    """
    if b"\x00" in data[:4096]:
        raise FileError(_("This is not a tab-separated text file (it holds binary data); download the report "
                          "from Seller Central as a text file."))
    if encoding:
        codec = normalize_encoding(encoding)
        try:
            return data.decode("utf-8-sig" if codec == "utf-8" else codec), codec
        except UnicodeDecodeError as error:
            raise FileError(
                _("The file is not valid %(encoding)s: line %(line)d holds bytes that cannot be read that way. "
                  "Choose another encoding or let it be detected.")
                % {"encoding": ENCODINGS[codec], "line": _line_of(data, error.start)},
                line=_line_of(data, error.start)) from None
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    first = _LEGACY_ENCODING.get(marketplace, "cp1252")
    for codec in dict.fromkeys([first, "cp1252", "cp932"]):
        try:
            return data.decode(codec), codec
        except UnicodeDecodeError:
            continue
    raise FileError(_("The file's encoding could not be recognised; choose it explicitly."))


def header_key(name: str) -> str:
    """``"Order ID"``, ``"order-id"`` and ``"ORDER_ID"`` are the same column."""
    return re.sub(r"[\s_\-]+", "-", name.replace("\ufeff", "").strip().lower()).strip("-")


@dataclass(frozen=True)
class Column:
    """A column a report kind reads: its key in a row, the header it is shown under, other names it has had."""

    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (header_key(self.header), *(header_key(a) for a in self.aliases))


@dataclass
class Row:
    line: int
    values: dict[str, str]


@dataclass
class Table:
    """A report's rows, keyed by column key; ``headers`` gives each key's header as written in the file."""

    headers: dict[str, str]
    rows: list[Row]
    ignored: list[str] = field(default_factory=list)


def read_table(text: str, columns: Sequence[Column]) -> Table:
    """Split ``text`` into rows of the ``columns`` found by header name; raise naming any missing one."""
    # Only CR and LF end a line: splitlines() would also split on characters some product names hold.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE, strict=False)
    header: list[str] | None = None
    rows: list[Row] = []
    index: dict[str, int] = {}
    headers: dict[str, str] = {}
    for line_no, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = cells
            keys = [header_key(cell) for cell in header]
            for column in columns:
                position = next((keys.index(name) for name in column.names if name in keys), None)
                if position is not None:
                    index[column.key] = position
                    headers[column.key] = header[position].replace("\ufeff", "").strip()
            missing = [column.header for column in columns if column.required and column.key not in index]
            if missing:
                raise FileError(
                    _("Required column missing: %(columns)s. Is this the right report, and is it tab-separated?")
                    % {"columns": ", ".join(missing)}, column=missing[0], line=line_no)
            continue
        values = {key: (cells[i].strip() if i < len(cells) else "") for key, i in index.items()}
        rows.append(Row(line=line_no, values=values))
    if header is None:
        raise FileError(_("The file is empty."))
    known = set(index.values())
    ignored = [name for i, name in enumerate(header) if i not in known and name.strip()]
    return Table(headers=headers, rows=rows, ignored=ignored)


# --- Cell values ---

#: Time-zone abbreviations Amazon has written after report times ("2026-11-20 08:15:00 PST").
TZ_ABBREVIATIONS: dict[str, int] = {
    "UTC": 0, "GMT": 0, "Z": 0, "PST": -8, "PDT": -7, "MST": -7, "MDT": -6, "CST": -6, "CDT": -5, "EST": -5,
    "EDT": -4, "BST": 1, "WET": 0, "WEST": 1, "CET": 1, "CEST": 2, "JST": 9,
}
_ABBREVIATED = re.compile(r"^(?P<stamp>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+(?P<tz>[A-Za-z]{1,5})$")
_SLASH_DATE = re.compile(r"^(\d{1,4})[/.](\d{1,2})[/.](\d{1,4})$")


def parse_datetime(value: str, *, tz: zoneinfo.ZoneInfo, day_first: bool = False) -> datetime:
    """Read a report time: ISO 8601 with an offset, with a zone abbreviation, or a local date or date-time.

    A time without an offset, and a bare date (at midnight), are taken in the store's own timezone, which
    is the time Seller Central shows the seller. Raise ``ValueError`` on anything else.
    """
    text = value.strip()
    if text.endswith(("Z", "z")) and "T" in text:
        text = text[:-1] + "+00:00"
    match = _ABBREVIATED.match(text)
    if match:
        abbreviation = match["tz"].upper()
        if abbreviation not in TZ_ABBREVIATIONS:
            raise ValueError(text)
        naive = datetime.fromisoformat(match["stamp"].replace(" ", "T"))
        return naive.replace(tzinfo=dt_timezone(timedelta(hours=TZ_ABBREVIATIONS[abbreviation]))).astimezone(UTC)
    slash = _SLASH_DATE.match(text)
    if slash:
        a, b, c = (int(part) for part in slash.groups())
        if len(slash.group(1)) == 4:
            day = date(a, b, c)
        else:
            year = c + 2000 if c < 100 else c
            day = date(year, b, a) if day_first else date(year, a, b)
        return datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC)
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=tz)
    # In UTC: PostgreSQL refuses offsets beyond ±15:59, which ISO 8601 allows.
    return parsed.astimezone(UTC)


_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}


class Cells:
    """Typed reads of one row that record a ``Problem`` (line and column) instead of raising."""

    def __init__(self, row: Row, table: Table, problems: list[Problem], *, tz: zoneinfo.ZoneInfo,
                 day_first: bool = False) -> None:
        self.row, self.table, self.problems, self.tz, self.day_first = row, table, problems, tz, day_first
        self.ok = True

    def fail(self, key: str, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(line=self.row.line, column=self.table.headers.get(key, key), message=message))

    def has(self, key: str) -> bool:
        return key in self.table.headers

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.row.values.get(key, "")
        if required and not value:
            self.fail(key, _("This value is required."))
        if max_length is not None and len(value) > max_length:
            self.fail(key, _("At most %(n)d characters, not %(length)d.") % {"n": max_length, "length": len(value)})
        return value

    def integer(self, key: str, *, required: bool = False, minimum: int | None = None) -> int | None:
        value = self.row.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."))
            return None
        try:
            number = int(Decimal(value.replace(",", "")))
            if Decimal(value.replace(",", "")) != number:
                raise ValueError(value)
        except (InvalidOperation, ValueError):
            self.fail(key, _("%(value)s is not a whole number.") % {"value": value})
            return None
        if minimum is not None and number < minimum:
            self.fail(key, _("%(value)s is less than %(minimum)d.") % {"value": value, "minimum": minimum})
            return None
        return number

    def decimal(self, key: str) -> Decimal:
        value = self.row.values.get(key, "")
        if not value:
            return Decimal("0")
        # European reports may write 12,50; thousands separators are not used in these files.
        normalized = value.replace(",", ".") if value.count(",") == 1 and "." not in value else value.replace(",", "")
        try:
            return Decimal(normalized).quantize(Decimal("0.01"))
        except InvalidOperation:
            self.fail(key, _("%(value)s is not an amount.") % {"value": value})
            return Decimal("0")

    def datetime(self, key: str, *, required: bool = False) -> datetime | None:
        value = self.row.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."))
            return None
        try:
            return parse_datetime(value, tz=self.tz, day_first=self.day_first)
        except ValueError:
            self.fail(key, _("%(value)s is not a date and time (expected ISO 8601, e.g. "
                             "2026-11-20T08:15:00+00:00).") % {"value": value})
            return None

    def boolean(self, key: str) -> bool:
        value = self.row.values.get(key, "").lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.fail(key, _("%(value)s is not true or false.") % {"value": self.row.values.get(key, "")})
        return False


def iter_chunks(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start:start + size]
