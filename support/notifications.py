"""Which mails in the relay mailbox are Amazon's own notices, and what each notice says.

Pure functions over a ``ParsedMail``: no database. ``RULES`` is the one table that decides: Amazon's
``X-Space-Notification-Type`` header first, then the sender, then the subject (only for mail from Amazon's own
system addresses, never for a buyer or a stranger). Each row says where it comes from: ``real`` (seen in a real
mail kept under ``support/tests/fixtures/relay/``), ``code`` (the value appears in public projects that read
these mails) or ``layout`` (built from a documented layout, not yet seen in a real mail).

A notice is never a buyer message: it needs no reply, it does not count in the Contact Response Rate, and it
cannot be answered (Amazon sends it from an address that accepts no mail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser

from .mail import ParsedMail


class Kind:
    """What a mail is; the values are those of ``Message.Kind``."""

    MESSAGE = "message"              # a person wrote it: a buyer through the relay, or anyone else
    CANCEL_REQUEST = "cancel_request"
    CLAIM = "a_to_z_claim"
    RETURN_REQUEST = "return_request"
    FEEDBACK = "feedback"
    AMAZON = "amazon_notice"         # any other mail of Amazon's own system: refund issued, message not delivered…


@dataclass(frozen=True)
class Rule:
    field: str      # "header" (exact value), "sender" (local part, exact), "subject" (regular expression)
    pattern: str
    kind: str
    language: str = ""
    source: str = "layout"
    closes: bool = False  # for claims: the notice says the claim was closed, not opened


RULES: tuple[Rule, ...] = (
    # X-Space-Notification-Type
    Rule("header", "BBC_MESSAGE_SENT_TO_MERCHANT", Kind.MESSAGE, source="real"),
    Rule("header", "BUYER_MESSAGE", Kind.MESSAGE, source="code"),
    Rule("header", "BRC_SELLER_NOTIFICATION", Kind.CANCEL_REQUEST, source="real"),
    Rule("header", "A_Z_CLAIM_RESPONDENT_NOTIFY", Kind.CLAIM, source="real"),
    Rule("header", "A_Z_CLAIM_RESPONDENT_CLOSE", Kind.CLAIM, source="code", closes=True),
    Rule("header", "RETURN_REQUEST", Kind.RETURN_REQUEST, source="real"),
    Rule("header", "REFUND_ISSUED", Kind.AMAZON, source="real"),
    Rule("header", "BUYER_OPTED_OUT_BSM_MESSAGES", Kind.AMAZON, source="real"),
    Rule("header", "BBC_MESSAGE_CONFIRMATION_TO_MERCHANT", Kind.AMAZON, source="code"),
    # Sender (local part at an Amazon domain)
    Rule("sender", "atoz-guarantee-no-reply", Kind.CLAIM, source="real"),
    # Subject, for mail from Amazon's system addresses. Claims first: Amazon.it titles a claim notice
    # "Richiesta di rimborso ricevuta…" (refund request received).
    Rule("subject", r"a-to-z (?:guarantee )?claim", Kind.CLAIM, "en"),
    Rule("subject", r"a-bis-z-garantie", Kind.CLAIM, "de"),
    Rule("subject", r"garantie (?:de )?a (?:à|a) z", Kind.CLAIM, "fr"),
    Rule("subject", r"(?:reclamo|garanzia) dalla a alla z", Kind.CLAIM, "it"),
    Rule("subject", r"garant[ií]a de la a a la z", Kind.CLAIM, "es"),
    Rule("subject", r"マーケットプレイス保証", Kind.CLAIM, "ja"),
    Rule("subject", r"cancell?ation request|request(?:ed)? to cancel", Kind.CANCEL_REQUEST, "en"),
    Rule("subject", r"stornierungs(?:anfrage|antrag|wunsch)", Kind.CANCEL_REQUEST, "de"),
    Rule("subject", r"demande d'annulation", Kind.CANCEL_REQUEST, "fr"),
    Rule("subject", r"richiesta di annullamento", Kind.CANCEL_REQUEST, "it", source="real"),
    Rule("subject", r"solicitud de cancelaci[oó]n", Kind.CANCEL_REQUEST, "es", source="code"),
    Rule("subject", r"キャンセル(?:リクエスト|依頼|申請)", Kind.CANCEL_REQUEST, "ja"),
    Rule("subject", r"return (?:request|authori[sz]ation)", Kind.RETURN_REQUEST, "en"),
    Rule("subject", r"rücksende(?:anfrage|genehmigung)|rückgabeanfrage", Kind.RETURN_REQUEST, "de"),
    Rule("subject", r"demande de retour|autorisation de retour", Kind.RETURN_REQUEST, "fr"),
    Rule("subject", r"autorizzazione del reso|richiesta di reso", Kind.RETURN_REQUEST, "it", source="real"),
    Rule("subject", r"(?:solicitud|autorizaci[oó]n) de devoluci[oó]n", Kind.RETURN_REQUEST, "es"),
    Rule("subject", r"返品(?:リクエスト|承認|依頼)", Kind.RETURN_REQUEST, "ja"),
    Rule("subject", r"\bfeedback\b", Kind.FEEDBACK, "en it"),
    Rule("subject", r"verkäuferbewertung|\bbewertung\b", Kind.FEEDBACK, "de"),
    Rule("subject", r"[ée]valuation", Kind.FEEDBACK, "fr"),
    Rule("subject", r"valoraci[oó]n", Kind.FEEDBACK, "es"),
    Rule("subject", r"評価", Kind.FEEDBACK, "ja"),
)
_SUBJECT_RULES = tuple((re.compile(rule.pattern, re.IGNORECASE), rule) for rule in RULES if rule.field == "subject")

#: Amazon's own mail comes from these domains (``amazon.com``, ``amazon.co.jp``, ``marketplace.amazon.de``…);
#: the label-suffix test refuses look-alikes such as ``amazon.com.example.net``.
_AMAZON_DOMAIN_RE = re.compile(r"(?:^|\.)amazon\.(?:com|co\.[a-z]{2}|com\.[a-z]{2}|[a-z]{2})$")
_RELAY_DOMAIN_RE = re.compile(r"(?:^|\.)marketplace\.amazon\.(?:com|co\.[a-z]{2}|com\.[a-z]{2}|[a-z]{2})$")
#: Local parts of Amazon's system senders; any of them on a relay domain is still Amazon, not a buyer.
SYSTEM_LOCAL_PARTS = frozenset({
    "donotreply", "do-not-reply", "no-reply", "noreply", "seller-notification", "seller-notifications",
    "atoz-guarantee-no-reply", "auto-communication", "auto-communicator", "auto-confirm", "notification",
    "notifications", "payments-messages", "returns", "marketplace-messages",
})


def _split(address: str) -> tuple[str, str]:
    local, _, domain = (address or "").strip().lower().rpartition("@")
    return local, domain


def is_amazon_address(address: str) -> bool:
    _local, domain = _split(address)
    return bool(domain) and bool(_AMAZON_DOMAIN_RE.search(domain))


def is_relay_address(address: str) -> bool:
    """A buyer's relay alias (``abc123@marketplace.amazon.de``), not one of Amazon's system senders."""
    local, domain = _split(address)
    return bool(local) and bool(_RELAY_DOMAIN_RE.search(domain)) and local not in SYSTEM_LOCAL_PARTS


def is_system_address(address: str) -> bool:
    """One of Amazon's own senders (``donotreply@amazon.com``…): nothing sent there reaches anyone."""
    return is_amazon_address(address) and not is_relay_address(address)


@dataclass(frozen=True)
class Classification:
    kind: str
    rule: Rule | None = None

    @property
    def is_notice(self) -> bool:
        return self.kind != Kind.MESSAGE

    @property
    def closes_claim(self) -> bool:
        return bool(self.rule and self.rule.closes)


def classify(mail: ParsedMail) -> Classification:
    """What the mail is, by ``RULES``: Amazon's header, then the sender, then the subject of system mail."""
    header = (mail.notification_type or "").strip().upper()
    sender = mail.from_address or ""
    amazon = is_amazon_address(sender)
    for rule in RULES:
        if rule.field == "header" and rule.pattern == header:
            if rule.kind != Kind.MESSAGE and not amazon:
                break  # a notice must come from Amazon: a stranger's header decides nothing
            if rule.kind == Kind.MESSAGE and is_system_address(sender):
                break  # no buyer writes from donotreply@
            return Classification(rule.kind, rule)
    if not is_system_address(sender):
        return Classification(Kind.MESSAGE)  # a buyer through the relay, or anyone else writing in
    local, _domain = _split(sender)
    for rule in RULES:
        if rule.field == "sender" and rule.pattern == local:
            return Classification(rule.kind, rule)
    for pattern, rule in _SUBJECT_RULES:
        if pattern.search(mail.subject or ""):
            return Classification(rule.kind, rule)
    return Classification(Kind.AMAZON)


# --- What a notice says ---

#: A return notice says the return is already authorised when its title says so.
_AUTHORIZED_RE = re.compile(r"authori[sz]ation|autorizzazione|genehmigung|autorisation|autorizaci[oó]n|承認",
                            re.IGNORECASE)


def return_is_authorized(mail: ParsedMail) -> bool:
    """Amazon authorised the return itself (its notice is a return *authorisation*, not a request)."""
    return bool(_AUTHORIZED_RE.search(mail.subject or ""))


class _Tables(HTMLParser):
    """The rows of every HTML table, each row a list of its cells' text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._row: list[str] | None = None
        self._cell: list[str] | None = None
        self._header_row = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(re.sub(r"\s+", " ", "".join(self._cell)).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            if any(self._row):
                self.rows.append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


#: Column titles of the items table of a return notice, by language (compared in lower case, by part).
COLUMN_WORDS = {
    "sku": ("sku",),
    "asin": ("asin",),
    "quantity": ("quantit", "quantity", "qty", "menge", "anzahl", "cantidad", "quantidade", "数量", "個数"),
    "reason": ("motivo", "reason", "grund", "raison", "motif", "理由"),
    "comment": ("comment", "kommentar", "commento", "comentario", "comentário", "コメント"),
}


@dataclass(frozen=True)
class ReturnLine:
    sku: str
    asin: str
    quantity: int | None
    reason: str
    comment: str


def _column(headers: list[str], what: str) -> int | None:
    words = COLUMN_WORDS[what]
    for index, title in enumerate(headers):
        title = title.casefold()
        if what == "quantity" and "sku" in title:
            continue
        if any(word in title for word in words):
            return index
    return None


def return_lines(mail: ParsedMail) -> list[ReturnLine]:
    """The items of a return notice (SKU, quantity, reason, the buyer's comment), from its HTML table.

    An item whose SKU the notice does not give is returned with an empty SKU: the caller must not guess it.
    """
    parser = _Tables()
    parser.feed(mail.html or "")
    parser.close()
    lines: list[ReturnLine] = []
    columns: dict[str, int | None] | None = None
    for row in parser.rows:
        if {"asin", "sku"} & {cell.casefold() for cell in row}:
            columns = {what: _column(row, what) for what in COLUMN_WORDS}
            continue
        if columns is None or (columns["asin"] is None and columns["sku"] is None):
            continue
        values = {what: row[index].strip() if index is not None and index < len(row) else ""
                  for what, index in columns.items()}
        quantity = values["quantity"]
        lines.append(ReturnLine(sku=values["sku"], asin=values["asin"],
                                quantity=int(quantity) if quantity.isdigit() else None,
                                reason=values["reason"], comment=values["comment"]))
    return lines


#: Labels of the return shipment in a return notice: Italian as seen in a real notice; English as Amazon's
#: returns report names the same columns.
RETURN_CARRIER_LABELS = ("Corriere spedizione di reso", "Return carrier")
RETURN_TRACKING_LABELS = ("Numero di tracciamento", "Tracking ID", "Tracking number")


def _labelled(text: str, labels: tuple[str, ...]) -> str:
    for label in labels:
        match = re.search(rf"^[\s•*-]*{re.escape(label)}\s*:\s*(\S[^\n]*?)\s*$", text or "",
                          re.IGNORECASE | re.MULTILINE)
        if match:
            return match.group(1)[:64]
    return ""


def return_shipment(mail: ParsedMail) -> tuple[str, str]:
    """The carrier and tracking number of the parcel coming back, when the return notice gives them."""
    return _labelled(mail.body, RETURN_CARRIER_LABELS), _labelled(mail.body, RETURN_TRACKING_LABELS)


_CURRENCY = r"(?:€|£|\$|¥|￥|EUR|USD|GBP|JPY|CAD|AUD|MXN|BRL|SEK|PLN|TRY|AED|SAR|INR|SGD|円)"
_NUMBER = r"\d{1,3}(?:[.,\u00a0\u202f ]\d{3})*(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?"
_AMOUNT_RE = re.compile(rf"{_CURRENCY}\s*(?P<a>{_NUMBER})|(?P<b>{_NUMBER})\s*{_CURRENCY}")


def _to_decimal(number: str) -> Decimal | None:
    number = re.sub(r"[\u00a0\u202f ]", "", number)
    match = re.search(r"[.,](\d{1,2})$", number)
    if match:
        whole, cents = number[:match.start()], match.group(1)
        number = re.sub(r"[.,]", "", whole) + "." + cents
    else:
        number = re.sub(r"[.,]", "", number)
    try:
        return Decimal(number)
    except InvalidOperation:
        return None


def claim_amount(text: str) -> Decimal | None:
    """The first amount with its currency in the notice (``119,00 €``, ``$24.99``, ``￥1,980``), or None."""
    match = _AMOUNT_RE.search(text or "")
    if match is None:
        return None
    return _to_decimal(match.group("a") or match.group("b"))


_RESPOND_DAYS_RE = re.compile(
    r"(?:within|entro|innerhalb von|sous|dans un délai de|en un plazo de|dentro de)\s+(\d{1,2})\s+"
    r"(?:calendar\s+|Kalender)?(?:days|giorni|tagen|tage|jours|días|dias)"
    r"|(\d{1,2})\s*日以内",
    re.IGNORECASE,
)


def claim_respond_days(text: str) -> int | None:
    """How many days Amazon gives to answer the claim (``Deve rispondere entro 3 giorni``), or None."""
    match = _RESPOND_DAYS_RE.search(text or "")
    if match is None:
        return None
    return int(match.group(1) or match.group(2))


#: Amazon's return reasons as its notices write them → ``returns.models.ReturnReason`` values. Exact texts only:
#: a reason not listed is kept in words on the return (reason "Other"), never guessed.
RETURN_REASONS = {
    "prestazioni o qualità non adeguate": "QUALITY_UNACCEPTABLE",   # real (Amazon.it notice)
    "performance or quality not adequate": "QUALITY_UNACCEPTABLE",
    "item defective or doesn't work": "DEFECTIVE",
    "no longer needed": "UNWANTED_ITEM",
    "bought by mistake": "ORDERED_WRONG_ITEM",
    "better price available": "FOUND_BETTER_PRICE",
    "wrong item was sent": "WRONG_ITEM",
    "item arrived too late": "MISSED_ESTIMATED_DELIVERY",
    "missing parts or accessories": "MISSING_PARTS",
    "product and shipping box both damaged": "DAMAGED_BY_CARRIER",
    "inaccurate website description": "NOT_AS_DESCRIBED",
}


def return_reason(text: str) -> str | None:
    """The return reason code for Amazon's wording of it, or None when the wording is not known."""
    return RETURN_REASONS.get(re.sub(r"\s+", " ", (text or "").replace("’", "'")).strip().casefold())
