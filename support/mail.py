"""Reading buyer e-mail from Amazon's relay with the standard ``email`` package: text, attachments, threading keys.

Everything here is pure: bytes in, a ``ParsedMail`` out. HTML mail becomes plain text (tags dropped, scripts
and styles removed with their content, links reduced to their text and address) so that nothing a buyer
sends is ever stored as markup. Chinese and Japanese legacy charsets are decoded with their supersets
(GB2312/GBK → GB18030, Shift-JIS → CP932, ISO-2022-JP → its extended variant), as mail clients do.
"""

from __future__ import annotations

import codecs
import email
import email.header
import email.policy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime
from html.parser import HTMLParser

from orders.ids import AMAZON_ORDER_ID_PATTERN

#: Amazon order ids named in a text: 3-7-7 ASCII digits, e.g. 302-1183920-5521877, not part of a longer number
#: (in any script: the look-arounds use ``\d``, the id itself only ASCII digits).
ORDER_ID_RE = re.compile(rf"(?<!\d)({AMAZON_ORDER_ID_PATTERN})(?!\d)")
MESSAGE_ID_RE = re.compile(r"<[^<>\s]+>")
#: Charsets whose superset decodes more of what real mail clients send under the declared name.
CHARSET_SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "cp936": "gb18030",
    "euc-cn": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "iso-2022-jp": "iso2022_jp_ext",
    "csiso2022jp": "iso2022_jp_ext",
    "ks_c_5601-1987": "cp949",
    "euc-kr": "cp949",
}
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


@dataclass
class ParsedAttachment:
    filename: str
    content_type: str
    data: bytes

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass
class ParsedMail:
    message_id: str
    subject: str
    from_name: str
    from_address: str
    to_addresses: list[str]
    sent_at: datetime | None
    body: str
    in_reply_to: str = ""
    references: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    #: The HTML parts as sent (Amazon's notices are HTML only; their tables are read from it).
    html: str = ""
    #: Amazon's ``X-Space-Notification-Type`` header, e.g. ``BRC_SELLER_NOTIFICATION``.
    notification_type: str = ""
    #: Amazon's ``X-Marketplace-ID`` header, e.g. ``APJ6JRA9NG5V4``.
    marketplace_id: str = ""

    @property
    def order_ids(self) -> list[str]:
        """Amazon order ids named in the subject first, then in the body, each once."""
        seen: dict[str, None] = {}
        for text in (self.subject, self.body):
            for match in ORDER_ID_RE.findall(text):
                seen.setdefault(match, None)
        return list(seen)

    @property
    def thread_keys(self) -> list[str]:
        """The Message-IDs this mail answers, nearest first."""
        keys = [self.in_reply_to] if self.in_reply_to else []
        keys += [ref for ref in reversed(self.references) if ref not in keys]
        return keys


def _codec(charset: str | None) -> str:
    name = (charset or "").strip().strip('"').lower()
    name = CHARSET_SUPERSETS.get(name, name)
    try:
        return codecs.lookup(name).name if name else "utf-8"
    except LookupError:
        return "utf-8"


def decode_bytes(data: bytes, charset: str | None) -> str:
    codec = _codec(charset)
    try:
        return data.decode(codec)
    except UnicodeDecodeError:
        # Mislabelled mail is common; keep what decodes and mark the rest rather than failing the message.
        return data.decode(codec, errors="replace")


def _8bit(data: bytes) -> str:
    """Header bytes sent without RFC 2047 encoding: UTF-8 as most senders write it, else CP932 (Japanese)."""
    for codec in ("utf-8", "cp932"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def decode_header_value(value: str | email.header.Header | None) -> str:
    """Decode an RFC 2047 header (``=?GB2312?B?…?=``) with the charset supersets, collapsing folding.

    A header with raw 8-bit bytes (``email`` hands it over as a ``Header`` of "unknown-8bit") is read as
    UTF-8, else CP932, rather than as replacement characters.
    """
    if not value:
        return ""
    parts = []
    for chunk, charset in email.header.decode_header(value if isinstance(value, email.header.Header) else str(value)):
        if isinstance(chunk, bytes):
            parts.append(_8bit(chunk) if charset in (None, "unknown-8bit") else decode_bytes(chunk, charset))
        else:
            parts.append(chunk)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


class _TextExtractor(HTMLParser):
    """HTML → readable plain text; nothing of the markup survives."""

    SKIP = {"script", "style", "head", "title", "template", "noscript", "svg", "math", "iframe", "object"}
    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "table", "ul", "ol",
             "hr", "section", "article", "header", "footer", "pre"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.link: str | None = None
        self.link_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.SKIP:
            self.skipping += 1
            return
        if self.skipping:
            return
        if tag in self.BLOCK:
            self.parts.append("\n")
        if tag == "li":
            self.parts.append("• ")
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.link = href.strip() if href.strip().lower().startswith(("http://", "https://")) else None
            self.link_text = []

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping:
            return
        if tag == "a" and self.link is not None:
            text = "".join(self.link_text).strip()
            if self.link and self.link != text:
                self.parts.append(f" ({self.link})")
            self.link = None
        if tag in self.BLOCK:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if not self.skipping and tag in ("br", "hr"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skipping:
            return
        self.parts.append(data)
        if self.link is not None:
            self.link_text.append(data)


def html_to_text(markup: str) -> str:
    """Turn an HTML body into plain text: block elements become lines, links keep their web address."""
    parser = _TextExtractor()
    parser.feed(markup)
    parser.close()
    return normalize_text("".join(parser.parts))


def normalize_text(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):  # None when it has no payload
        return ""
    return decode_bytes(payload, part.get_content_charset())


def _filename(part: Message) -> str:
    raw = part.get_param("filename", header="content-disposition") or part.get_param("name")
    if isinstance(raw, tuple):  # RFC 2231: (charset, language, value)
        name = decode_bytes(raw[2].encode("latin-1", errors="replace"), raw[0])
    else:
        name = decode_header_value(raw) if raw else ""
    # Keep only a plain file name: no directories, no control characters.
    name = re.sub(r"[\x00-\x1f/\\]", "_", name).strip(" .") or "attachment"
    return name[:200]


def _walk(message: Message) -> tuple[list[str], list[str], list[ParsedAttachment]]:
    plains: list[str] = []
    htmls: list[str] = []
    attachments: list[ParsedAttachment] = []
    for part in message.walk():
        if part.is_multipart():
            continue
        content_type = part.get_content_type()
        disposition = (part.get_content_disposition() or "").lower()
        if disposition == "attachment" or content_type not in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            data = payload if isinstance(payload, bytes) else b""
            if content_type == "message/rfc822" and not data:
                data = part.as_bytes()
            if len(data) <= MAX_ATTACHMENT_BYTES:
                attachments.append(ParsedAttachment(_filename(part), content_type[:100], data))
            continue
        (plains if content_type == "text/plain" else htmls).append(_part_text(part))
    return plains, htmls, attachments


def _sent_at(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(str(value))
    except (TypeError, ValueError, IndexError):
        return None
    if parsed is None:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


ANGLE_ADDRESS_RE = re.compile(r"<\s*([^<>\s]+@[^<>\s]+?)\s*>\s*$")


def _unquote(name: str) -> str:
    name = name.strip()
    if len(name) >= 2 and name[0] == name[-1] == '"':
        name = re.sub(r"\\(.)", r"\1", name[1:-1])
    return name.strip()


def parse_from(value: str | email.header.Header | None) -> tuple[str, str]:
    """The display name and address of a ``From:`` header, in every shape Amazon's relay writes.

    The address is taken before any encoded word is decoded, so a name that decodes to text with a comma
    (``=?UTF-8?B?…?=``, a quoted ``"Doe, Jane - Amazon Marketplace"``, or even an unquoted one) never splits
    the header into two addresses.
    """
    if isinstance(value, email.header.Header):
        value = decode_header_value(value)  # raw 8-bit bytes: no encoded words left to protect
    raw = re.sub(r"\s+", " ", str(value or "")).strip()
    match = ANGLE_ADDRESS_RE.search(raw)
    if match:
        name, address = raw[:match.start()], match.group(1)
    else:
        pairs = getaddresses([raw])
        name, address = pairs[0] if pairs else ("", "")
    return decode_header_value(_unquote(name)), address.strip().lower()


def _message_ids(value: str | None) -> list[str]:
    return MESSAGE_ID_RE.findall(str(value or ""))


def parse_mail(raw: bytes) -> ParsedMail:
    """Parse one RFC 5322 message as received (IMAP ``BODY[]``)."""
    message = email.message_from_bytes(raw, policy=email.policy.compat32)
    plains, htmls, attachments = _walk(message)
    # multipart/alternative offers the same words twice: the plain part is the buyer's text; HTML only if alone.
    if any(p.strip() for p in plains):
        body = normalize_text("\n\n".join(p for p in plains if p.strip()))
    else:
        body = html_to_text("\n".join(htmls))
    from_name, from_address = parse_from(message.get("From"))
    to = [addr for _, addr in getaddresses([decode_header_value(v) for v in message.get_all("To", [])]) if addr]
    message_id = (_message_ids(message.get("Message-ID")) or [""])[0]
    in_reply_to = (_message_ids(message.get("In-Reply-To")) or [""])[0]
    return ParsedMail(
        message_id=message_id[:255],
        subject=decode_header_value(message.get("Subject"))[:500],
        from_name=from_name.strip()[:200],
        from_address=from_address[:254],
        to_addresses=to,
        sent_at=_sent_at(message.get("Date")),
        body=body,
        in_reply_to=in_reply_to,
        references=_message_ids(message.get("References")),
        attachments=attachments,
        html="\n".join(htmls),
        notification_type=decode_header_value(message.get("X-Space-Notification-Type")).strip().upper()[:100],
        marketplace_id=decode_header_value(message.get("X-Marketplace-ID")).strip()[:40],
    )
