"""Checks a reply against Amazon's buyer-seller messaging rules before it leaves.

Amazon's relay refuses (and its policy team penalises) messages with links outside Amazon other than
what completing the order needs, e-mail addresses, phone numbers, and any request for a positive review or
to change feedback. Each finding carries the reason shown to the agent; a reply with any finding is not sent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from fulfillment.carriers import tracking_hosts

from .mail import ORDER_ID_RE
from .templates_fill import PLACEHOLDER_RE


@dataclass(frozen=True)
class Violation:
    code: str
    reason: str
    excerpt: str = ""


AMAZON_HOST_RE = re.compile(r"(^|\.)amazon\.(com|ca|com\.mx|com\.br|co\.uk|de|fr|it|es|nl|se|pl|co\.jp|com\.au|sg|ae|in"
                            r"|com\.be|com\.tr|eg|sa)$")
#: Carrier tracking pages (``fulfillment.carriers``): a link that completes the order (where is my parcel) is allowed.
CARRIER_HOSTS = tracking_hosts()

URL_RE = re.compile(r"(?i)\b(?:https?://|www\.)[^\s<>\"'()\[\]{}]+")
BARE_DOMAIN_RE = re.compile(
    r"(?i)(?<![@\w.-])((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?:com|net|org|info|biz|shop|store|online|site|top|xyz|io|co|de|fr|it|es|uk|jp|cn|nl|eu|us|ca))(?:/\S*)?\b")
EMAIL_RE = re.compile(r"(?i)\b[a-z0-9._%+-]+\s*(?:@|＠|\(at\)|\[at\])\s*[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b")
PHONE_RE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().\-/]{6,}\d(?![\w-])")
#: Requests for positive reviews or ratings, for changing/removing feedback, or incentives for either.
REVIEW_PATTERNS = [
    # English
    r"\b(positive|good|great|5[- ]?star|five[- ]star|excellent|glowing)\s+(review|feedback|rating)s?\b",
    r"\b(remove|change|update|revise|delete|amend)\s+(your\s+|the\s+)?(negative\s+|bad\s+)?(review|feedback|rating)\b",
    r"\b(refund|discount|gift|coupon|voucher|free)\b[^.!?\n]{0,60}\b(review|feedback|rating)\b",
    r"\b(review|feedback|rating)\b[^.!?\n]{0,60}\b(refund|discount|gift card|coupon|voucher)\b",
    # German
    r"(?i)\b(positive|gute)\w*\s+(bewertung|rezension|feedback)",
    r"(?i)\b5\s*sterne\b|\bfünf\s*sterne\b",
    r"(?i)\b(bewertung|rezension|feedback)\w*\s+(zu\s+)?(ändern|entfernen|löschen|zurückziehen)",
    # French
    r"(?i)\b(avis|évaluation|commentaire)s?\s+(positif|positive|favorable)s?",
    r"(?i)\b5\s*étoiles\b|\bcinq\s*étoiles\b",
    r"(?i)\b(modifier|retirer|supprimer)\s+(votre\s+|un\s+)?(avis|évaluation)",
    # Italian
    r"(?i)\b(recensione|valutazione|feedback)\s+positiv[ao]",
    r"(?i)\b5\s*stelle\b|\bcinque\s*stelle\b",
    r"(?i)\b(modificare|rimuovere|cancellare)\s+(la\s+sua\s+|una\s+)?(recensione|valutazione)",
    # Spanish
    r"(?i)\b(reseña|valoración|opinión|comentario)\s+positiv[ao]",
    r"(?i)\b5\s*estrellas\b|\bcinco\s*estrellas\b",
    r"(?i)\b(cambiar|eliminar|retirar)\s+(su\s+|una\s+)?(reseña|valoración|opinión)",
    # Japanese and Chinese
    r"高評価|星\s*5|星\s*５|★\s*5|★★★★★|五つ星|良いレビュー|評価.{0,10}(変更|削除|取り消)",
    r"好评|五星|5星|差评.{0,6}(删除|修改)",
]
REVIEW_RE = [re.compile(pattern, re.IGNORECASE) for pattern in REVIEW_PATTERNS]


def _host_allowed(host: str) -> bool:
    host = host.lower().rstrip(".")
    if AMAZON_HOST_RE.search(host):
        return True
    return any(host == allowed or host.endswith("." + allowed) for allowed in CARRIER_HOSTS if allowed)


def _excerpt(text: str, match: re.Match[str]) -> str:
    return match.group(0).strip()[:80]


def _links(text: str) -> list[Violation]:
    found: list[Violation] = []
    for match in URL_RE.finditer(text):
        url = match.group(0).rstrip(".,;:!?")
        host = urlsplit(url if "://" in url else f"http://{url}").hostname or ""
        if not _host_allowed(host):
            found.append(Violation("external_link", _("Links outside Amazon are not allowed (%(host)s); only "
                                                     "Amazon pages and the carrier's tracking page may be linked.")
                                   % {"host": host}, url[:80]))
    rest = URL_RE.sub(" ", EMAIL_RE.sub(" ", text))
    for match in BARE_DOMAIN_RE.finditer(rest):
        host = match.group(1)
        if not _host_allowed(host):
            found.append(Violation("external_link", _("Web addresses outside Amazon are not allowed (%(host)s).")
                                   % {"host": host}, match.group(0)[:80]))
    return found


def _phones(text: str, *, allowed_numbers: tuple[str, ...]) -> list[Violation]:
    # Order ids, tracking numbers and web addresses are long digit runs too; they are not phone numbers.
    rest = URL_RE.sub(" ", ORDER_ID_RE.sub(" ", text))
    for number in allowed_numbers:
        if number:
            rest = rest.replace(number, " ")
    found = []
    for match in PHONE_RE.finditer(rest):
        digits = re.sub(r"\D", "", match.group(0))
        if 8 <= len(digits) <= 15:
            found.append(Violation("phone_number", _("Phone numbers are not allowed: buyers and sellers talk "
                                                    "through Amazon's messaging only."), _excerpt(rest, match)))
    return found


def reply_check(body: str, *, allowed_numbers: tuple[str, ...] = ()) -> list[Violation]:
    """Every rule the reply breaks, each with its reason; an empty list means it may be sent.

    ``allowed_numbers`` are strings the reply may quote that look like phone numbers (the tracking number).
    """
    text = body or ""
    violations: list[Violation] = []
    match: re.Match[str] | None
    for match in PLACEHOLDER_RE.finditer(text):
        violations.append(Violation("placeholder", _("The placeholder %(placeholder)s has no value for this "
                                                      "order; replace it before sending.")
                                    % {"placeholder": match.group(0)}, match.group(0)))
    violations += _links(text)
    for match in EMAIL_RE.finditer(text):
        violations.append(Violation("email_address", _("E-mail addresses are not allowed in messages to buyers."),
                                    match.group(0)[:80]))
    violations += _phones(text, allowed_numbers=allowed_numbers)
    for pattern in REVIEW_RE:
        match = pattern.search(text)
        if match:
            violations.append(Violation(
                "review_request",
                _("Asking for a positive review or rating, or to change or remove feedback, is feedback "
                  "manipulation and is not allowed."),
                match.group(0)[:80]))
            break
    return violations


def phone_numbers(text: str) -> list[Violation]:
    """The phone numbers in ``text`` (feedback removal reads them too)."""
    return _phones(text, allowed_numbers=())
