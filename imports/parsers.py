"""Reading Amazon's tab-separated report files: encodings, headers matched by name, typed cell values.

Seller Central exports its reports as tab-separated text, UTF-8 in most marketplaces but Windows-1252 in
some European ones and Shift-JIS (cp932) in Japan, often with CRLF line ends. Headers differ by marketplace
and over time, so columns are found by name (case, spaces, hyphens and underscores do not matter), unknown
columns are ignored and a missing required one is named in the error.

A file is read as a stream, a block at a time through an incremental decoder, so a 200 MB upload costs what a
small one does: the encoding is chosen from the first block and confirmed by reading on; a line is held only
while it is read, and a line or cell beyond the bounds is refused at its column without being kept.
"""

from __future__ import annotations

import codecs
import re
import zoneinfo
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import IO, NotRequired, TypedDict

from django.utils.translation import gettext as _

from core.errors import ApplicationError

from . import bounds
from .bounds import shown
from .dates import ISO_ONLY, DateError, ReportDates, parse_report_datetime

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
#: How much of a file is read at a time, and how much of its start chooses the encoding.
READ_BYTES = 1024 * 1024
SNIFF_BYTES = 64 * 1024
#: A NUL byte this early means a binary file (a spreadsheet, a zip), not a report.
BINARY_PREFIX_BYTES = 4096


class Problem(TypedDict):
    """One thing wrong with a file: where (line 1 is the header) and what, in words a seller can act on."""

    line: int | None
    column: str
    message: str
    #: Set on problems the pages show in their own words (``worker_lost``).
    code: NotRequired[str]


class FileError(ApplicationError):
    """The file as a whole cannot be read: wrong encoding, not a report, a required column missing."""

    def __init__(self, message: str, *, column: str = "", line: int | None = None) -> None:
        super().__init__(message)
        self.problem = Problem(line=line, column=column, message=message)


class Undecodable(Exception):
    """A byte of the file cannot be read in the encoding tried, on ``line``."""

    def __init__(self, line: int) -> None:
        super().__init__(line)
        self.line = line


def normalize_encoding(name: str) -> str:
    key = (name or "").strip().lower()
    if key not in _ENCODING_ALIASES:
        raise ApplicationError(_("Unknown encoding %(name)s; use one of: %(choices)s.")
                               % {"name": name, "choices": ", ".join(ENCODINGS)})
    return _ENCODING_ALIASES[key]


def _decoder(codec: str) -> codecs.IncrementalDecoder:
    return codecs.getincrementaldecoder("utf-8-sig" if codec == "utf-8" else codec)(errors="strict")


def encoding_candidates(prefix: bytes, *, encoding: str = "", marketplace: str = "") -> list[str]:
    """The encodings to read a file with, in order, judged from its first bytes.

    A forced ``encoding`` is the only one. Otherwise UTF-8 (with or without a byte-order mark) comes first,
    since it fails loudly on anything else; then the marketplace's Windows code page (cp932 in Japan, cp1252
    elsewhere), which is how Seller Central writes its non-UTF-8 reports. An encoding that cannot read the
    prefix is not tried; one that fails further on gives way to the next (``Undecodable``).
    """
    if b"\x00" in prefix[:BINARY_PREFIX_BYTES]:
        raise FileError(_("This is not a tab-separated text file (it holds binary data); download the report "
                          "from Seller Central as a text file."))
    if encoding:
        return [normalize_encoding(encoding)]
    order = dict.fromkeys(["utf-8", _LEGACY_ENCODING.get(marketplace, "cp1252"), "cp1252", "cp932"])
    fitting = []
    for codec in order:
        try:
            _decoder(codec).decode(prefix, final=False)
        except UnicodeDecodeError:
            continue
        fitting.append(codec)
    if not fitting:
        raise FileError(_("The file's encoding could not be recognised; choose it explicitly."))
    return fitting


def undecodable_error(codec: str, line: int) -> FileError:
    return FileError(
        _("The file is not valid %(encoding)s: line %(line)d holds bytes that cannot be read that way. "
          "Choose another encoding or let it be detected.") % {"encoding": ENCODINGS[codec], "line": line},
        line=line)


def decoded(stream: IO[bytes], codec: str) -> Iterator[str]:
    """The text of ``stream`` from its start, a block at a time; raise ``Undecodable`` naming the line."""
    decoder = _decoder(codec)
    newlines = 0
    while True:
        block = stream.read(READ_BYTES)
        try:
            text = decoder.decode(block or b"", final=not block)
        except UnicodeDecodeError as error:
            # 0x0A is never part of a multi-byte character in these encodings: counting it counts lines.
            raise Undecodable(newlines + block.count(b"\n", 0, max(error.start, 0)) + 1) from None
        if text:
            yield text
        if not block:
            return
        newlines += block.count(b"\n")


@dataclass(frozen=True)
class _Overflow:
    """The start of a line longer than ``MAX_LINE_CHARS``; the rest of it is skipped unread."""

    text: str


#: Only CR and LF end a line: str.splitlines() would also split on characters some product names hold.
_LINE_END = re.compile(r"\r\n|\r|\n")


def split_lines(chunks: Iterable[str]) -> Iterator[str | _Overflow]:
    """Each line of the text ``chunks`` make, without its end; a line that would not fit, as ``_Overflow``."""
    carry = ""
    skipping = False
    for chunk in chunks:
        text = carry + chunk
        # A CR at the end of a chunk may be the first half of a CRLF that the next chunk finishes.
        held = "\r" if text.endswith("\r") else ""
        parts = _LINE_END.split(text[:-1] if held else text)
        carry = parts.pop()
        for part in parts:
            if skipping:
                skipping = False
                continue
            yield part
        if skipping:
            carry = ""
        elif len(carry) > bounds.MAX_LINE_CHARS:
            yield _Overflow(carry[:bounds.MAX_LINE_CHARS + 1])
            carry, skipping = "", True
        carry += held
    if carry.endswith("\r"):
        carry = carry[:-1]
        if not skipping:
            yield carry
    elif carry and not skipping:
        yield carry


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
class Header:
    """Where a report's columns are: ``headers`` gives each key's header as written in the file."""

    headers: dict[str, str]
    index: dict[str, int]
    names: list[str]
    ignored: list[str] = field(default_factory=list)

    def column_name(self, position: int) -> str:
        name = self.names[position].replace("\ufeff", "").strip() if position < len(self.names) else ""
        return name or _("column %(n)d") % {"n": position + 1}


@dataclass
class Row:
    """One data line: its number in the file, its cells by column key, and what makes it unreadable."""

    line: int
    values: dict[str, str]
    #: (column, message): a NUL character, a cell or line over the bounds. Such a row is not read further.
    flaws: list[tuple[str, str]] = field(default_factory=list)


#: How many non-empty lines may open a file before its header: Amazon's upload templates put a
#: ``TemplateType=…`` line and a line of column labels in the seller's language above the line of keys.
HEADER_SEARCH_LINES = 5


def head_lines(stream: IO[bytes], *, encoding: str = "", marketplace: str = "") -> list[list[str]]:
    """The cells of the first non-empty lines of ``stream`` (as many as a header is looked for in), read in the
    first encoding that reads the file's start; the stream is left at its start."""
    stream.seek(0)
    prefix = stream.read(SNIFF_BYTES)
    stream.seek(0)
    codec = encoding_candidates(prefix, encoding=encoding, marketplace=marketplace)[0]
    text = _decoder(codec).decode(prefix, final=False)
    lines = [line for line in split_lines([text]) if isinstance(line, str)]
    if len(prefix) == SNIFF_BYTES and lines:
        lines.pop()  # cut short by the prefix
    return [split_header(line) for line in lines if line.strip()][:HEADER_SEARCH_LINES]


def split_header(line: str) -> list[str]:
    """A header line's cells: at tabs, as Amazon writes its reports; a line without a tab but with commas is a
    comma-separated file's (a carrier's or a tracking service's export), read with its quotes."""
    if "\t" not in line and "," in line:
        return split_quoted(line, ",")[0]
    return line.split("\t")


def match_columns(names: Sequence[str], columns: Sequence[Column]) -> tuple[dict[str, int], list[str]]:
    """Where each of ``columns`` is among the header cells ``names``, and the required ones not there."""
    positions: dict[str, int] = {}
    position: int | None
    for position, cell in enumerate(names):
        positions.setdefault(header_key(cell), position)
    index: dict[str, int] = {}
    for column in columns:
        position = next((positions[name] for name in column.names if name in positions), None)
        if position is not None:
            index[column.key] = position
    return index, [column.header for column in columns if column.required and column.key not in index]


def _not_text(line_no: int) -> FileError:
    return FileError(_("This is not a tab-separated text file (it holds binary data); download the report "
                       "from Seller Central as a text file."), line=line_no)


class ReportReader:
    """A report file read line by line: its header found by name first, then its data rows one at a time."""

    def __init__(self, stream: IO[bytes], *, codec: str, columns: Sequence[Column],
                 delimiters: Sequence[str] = ("\t",)) -> None:
        stream.seek(0)
        #: The separators the kind reads (Amazon's reports: tabs only); the header line tells which one the file uses.
        self.delimiters = tuple(delimiters)
        self.delimiter = self.delimiters[0]
        self._source = enumerate(split_lines(decoded(stream, codec)), start=1)
        #: Lines read ahead to close a quoted cell, and given back when that reading did not fit.
        self._returned: deque[tuple[int, str | _Overflow]] = deque()
        self.header = self._read_header(columns)

    def _take(self) -> tuple[int, str | _Overflow] | None:
        if self._returned:
            return self._returned.popleft()
        return next(self._source, None)

    def _lines(self) -> Iterator[tuple[int, str | _Overflow]]:
        """Each line of the file with its number, the lines read ahead included."""
        while (taken := self._take()) is not None:
            yield taken

    def _read_header(self, columns: Sequence[Column]) -> Header:
        """The first of the file's first ``HEADER_SEARCH_LINES`` lines that holds every required column; the
        lines above it (a template's preamble) are skipped. Where none does, the line that came closest says
        what is missing."""
        closest: tuple[int, list[str]] | None = None
        searched = 0
        for line_no, line in self._lines():
            if isinstance(line, _Overflow) or "\x00" in line:
                if closest is None:
                    raise _not_text(line_no)
                break
            if not line.strip():
                continue
            names, index, missing = self._header_cells(line, columns)
            if not missing:
                headers = {key: names[i].replace("\ufeff", "").strip() for key, i in index.items()}
                known = set(index.values())
                ignored = [name for i, name in enumerate(names) if i not in known and name.strip()]
                return Header(headers=headers, index=index, names=names, ignored=ignored)
            if closest is None or len(missing) < len(closest[1]):
                closest = (line_no, missing)
            searched += 1
            if searched == HEADER_SEARCH_LINES:
                break
        if closest is None:
            raise FileError(_("The file is empty."))
        line_no, missing = closest
        raise FileError(
            _("Required column missing: %(columns)s. Is this the right report, and is it tab-separated?")
            % {"columns": ", ".join(missing)}, column=missing[0], line=line_no)

    def _header_cells(self, line: str, columns: Sequence[Column]) -> tuple[list[str], dict[str, int], list[str]]:
        """The line read with each separator the kind reads, the first that holds every required column winning."""
        best: tuple[list[str], dict[str, int], list[str]] | None = None
        for delimiter in self.delimiters:
            names = line.split("\t") if delimiter == "\t" else split_quoted(line, delimiter)[0]
            index, missing = match_columns(names, columns)
            if best is None or len(missing) < len(best[2]):
                best = (names, index, missing)
                self.delimiter = delimiter
            if not missing:
                break
        assert best is not None  # at least one delimiter
        return best

    def rows(self) -> Iterator[Row]:
        index = self.header.index
        width = len(self.header.names)
        for line_no, line in self._lines():
            if isinstance(line, _Overflow):
                yield self._overflowed(line_no, line.text)
                continue
            if not line.strip():
                continue
            if self.delimiter != "\t":
                line, cells = self._delimited_cells(line)
            else:
                cells = line.split("\t")
            if self.delimiter == "\t" and len(cells) != width and '"' in line:
                quoted = self._quoted_cells(line, width)
                if quoted is not None:
                    line, cells = "\t".join(quoted), quoted
            flaws = []
            if "\x00" in line:
                flaws += [(self.header.column_name(i), _("This value holds a NUL character: the file holds "
                                                         "binary data here.")) for i, c in enumerate(cells)
                          if "\x00" in c]
            if len(line) > bounds.MAX_FIELD_CHARS:
                flaws += [(self.header.column_name(i), _too_long_cell()) for i, c in enumerate(cells)
                          if len(c) > bounds.MAX_FIELD_CHARS]
                if flaws:
                    cells = [c[:200] for c in cells]
            values = {key: (cells[i].strip() if i < len(cells) else "") for key, i in index.items()}
            yield Row(line=line_no, values=values, flaws=flaws)

    def _delimited_cells(self, line: str) -> tuple[str, list[str]]:
        """A comma-separated line's cells as RFC 4180 reads them: a quoted cell may hold the separator, ``""`` and
        line breaks (up to ``MAX_QUOTED_LINES`` lines on)."""
        text = line
        cells, still_open = split_quoted(text, self.delimiter)
        taken_lines = 0
        while still_open and taken_lines < MAX_QUOTED_LINES and len(text) <= bounds.MAX_LINE_CHARS:
            taken = self._take()
            if taken is None or isinstance(taken[1], _Overflow):
                if taken is not None:
                    self._returned.appendleft(taken)
                break
            taken_lines += 1
            text += "\n" + taken[1]
            cells, still_open = split_quoted(text, self.delimiter)
        return text, cells

    def _quoted_cells(self, line: str, width: int) -> list[str] | None:
        """The cells of ``line`` read with quotes, if that gives the header's number of cells; else None.

        Amazon's flat files are not quoted, and a product name may hold a lone ``"`` (a 12" ruler). But some
        hold a product name in double quotes with tabs or line breaks inside: a cell that starts with ``"``
        and closes with ``"`` later, possibly lines later. It is read as one cell only when that makes the
        line as wide as the header; otherwise the quotes are the text's own, and the lines read ahead are
        given back to be read as lines of their own.
        """
        ahead: list[tuple[int, str | _Overflow]]
        text, ahead = line, []
        while True:
            cells, still_open = split_quoted(text)
            if not still_open:
                if len(cells) == width:
                    return cells
                break
            if len(ahead) == MAX_QUOTED_LINES or len(text) > bounds.MAX_LINE_CHARS:
                break
            taken = self._take()
            if taken is None:
                break
            ahead.append(taken)
            if isinstance(taken[1], _Overflow):
                break
            text += "\n" + taken[1]
        self._returned.extendleft(reversed(ahead))
        return None

    def _overflowed(self, line_no: int, start: str) -> Row:
        cells = start.split("\t")
        position = next((i for i, c in enumerate(cells) if len(c) > bounds.MAX_FIELD_CHARS), None)
        if position is None:
            flaw = (self.header.column_name(len(cells) - 1),
                    _("The line is longer than %(n)d characters.") % {"n": bounds.MAX_LINE_CHARS})
        else:
            flaw = (self.header.column_name(position), _too_long_cell())
        values = {key: (cells[i][:200].strip() if i < len(cells) else "") for key, i in self.header.index.items()}
        return Row(line=line_no, values=values, flaws=[flaw])


#: How many lines one quoted cell may run on to: a product name with a few line breaks, not a whole file.
MAX_QUOTED_LINES = 10


def split_quoted(text: str, delimiter: str = "\t") -> tuple[list[str], bool]:
    """``text`` split at ``delimiter`` (tabs), where a cell that starts with ``"`` runs to the ``"`` followed by the
    delimiter or the end (``""`` inside is one ``"``); and whether the last quoted cell is still open at the end."""
    cells: list[str] = []
    position, end = 0, len(text)
    while True:
        if text.startswith('"', position):
            value, at = [], position + 1
            while True:
                quote = text.find('"', at)
                if quote < 0:
                    return cells + [text[position:]], True
                value.append(text[at:quote])
                if text.startswith('"', quote + 1):
                    value.append('"')
                    at = quote + 2
                elif quote + 1 == end or text[quote + 1] == delimiter:
                    cells.append("".join(value))
                    position = quote + 1
                    break
                else:
                    value.append('"')
                    at = quote + 1
        else:
            tab = text.find(delimiter, position)
            cells.append(text[position:] if tab < 0 else text[position:tab])
            position = end if tab < 0 else tab
        if position >= end:
            return cells, False
        position += 1  # past the delimiter
        if position == end:
            return cells + [""], False


def _too_long_cell() -> str:
    return _("This value is longer than %(n)d characters.") % {"n": bounds.MAX_FIELD_CHARS}


# --- Cell values ---

_TRUE = {"true", "yes", "y", "1", "t"}
_FALSE = {"false", "no", "n", "0", "f", ""}
#: Digits of the largest whole number read; anything longer is out of every bound without being expanded.
_WHOLE_DIGITS = 18


class Cells:
    """Typed reads of one row that record a ``Problem`` (line and column) instead of raising."""

    def __init__(self, row: Row, header: Header, problems, *, tz: zoneinfo.ZoneInfo, formats: ReportDates = ISO_ONLY,
                 marketplace: str = "") -> None:
        self.row, self.header, self.problems, self.tz = row, header, problems, tz
        #: How this report writes its dates, and the marketplace whose order its numeric dates follow.
        self.formats, self.marketplace = formats, marketplace
        self.ok = True

    def fail(self, key: str, message: str) -> None:
        self.ok = False
        self.problems.append(Problem(line=self.row.line, column=self.header.headers.get(key, key), message=message))

    def has(self, key: str) -> bool:
        return key in self.header.headers

    def text(self, key: str, *, required: bool = False, max_length: int | None = None) -> str:
        value = self.row.values.get(key, "")
        if required and not value:
            self.fail(key, _("This value is required."))
        if max_length is not None and len(value) > max_length:
            self.fail(key, _("At most %(n)d characters, not %(length)d.") % {"n": max_length, "length": len(value)})
        return value

    def integer(self, key: str, *, required: bool = False, minimum: int | None = None,
                maximum: int = bounds.INTEGER_MAX) -> int | None:
        """A whole number (``1,000``, ``2.0`` and ``1e3`` are too) from ``minimum`` to ``maximum``."""
        value = self.row.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."))
            return None
        try:
            number = Decimal(value.replace(",", ""))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number != number.to_integral_value():
            self.fail(key, _("%(value)s is not a whole number.") % {"value": shown(value)})
            return None
        if number.adjusted() >= _WHOLE_DIGITS or number > maximum:
            self.fail(key, _("%(value)s is more than %(maximum)d.") % {"value": shown(value), "maximum": maximum})
            return None
        if minimum is not None and number < minimum:
            self.fail(key, _("%(value)s is less than %(minimum)d.") % {"value": shown(value), "minimum": minimum})
            return None
        return int(number)

    def quantity(self, key: str, *, required: bool = False, minimum: int = 0) -> int | None:
        """A number of units on one line: from ``minimum`` to ``bounds.QUANTITY_MAX``."""
        return self.integer(key, required=required, minimum=minimum, maximum=bounds.QUANTITY_MAX)

    def decimal(self, key: str) -> Decimal:
        """A money amount: finite, at most ``bounds.MONEY_MAX`` either way, rounded to the columns' places."""
        value = self.row.values.get(key, "")
        if not value:
            return Decimal("0")
        # European reports may write 12,50; thousands separators are not used in these files.
        normalized = value.replace(",", ".") if value.count(",") == 1 and "." not in value else value.replace(",", "")
        try:
            amount = Decimal(normalized)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite():
            self.fail(key, _("%(value)s is not an amount.") % {"value": shown(value)})
            return Decimal("0")
        # Compared before rounding too: quantize() itself refuses a number with more digits than it can hold.
        rounded = amount.quantize(bounds.MONEY_STEP) if abs(amount) <= bounds.MONEY_MAX + 1 else None
        if rounded is None or abs(rounded) > bounds.MONEY_MAX:
            self.fail(key, _("%(value)s is more than %(maximum)s, the largest amount that can be stored.")
                      % {"value": shown(value), "maximum": bounds.MONEY_MAX})
            return Decimal("0")
        return rounded

    def parse_time(self, key: str, value: str) -> datetime | None:
        """``value`` (a part of the cell ``key``) as a time in bounds, or None with the problem recorded."""
        try:
            return parse_report_datetime(value, tz=self.tz, formats=self.formats, marketplace=self.marketplace)
        except DateError as error:
            self.fail(key, error.message)
        return None

    def datetime(self, key: str, *, required: bool = False) -> datetime | None:
        value = self.row.values.get(key, "")
        if not value:
            if required:
                self.fail(key, _("This value is required."))
            return None
        return self.parse_time(key, value)

    def boolean(self, key: str) -> bool:
        value = self.row.values.get(key, "").lower()
        if value in _TRUE:
            return True
        if value not in _FALSE:
            self.fail(key, _("%(value)s is not true or false.") % {"value": shown(self.row.values.get(key, ""))})
        return False
