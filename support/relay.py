"""The buyer's own words out of Amazon's relay template, and the buyer's name out of the relay's ``From:``.

Pure functions over text: no database, no settings. The tables below are the template as Amazon writes it in
each marketplace's language; ``support/tests/fixtures/relay/README.md`` says which entry was seen in a real
mail and which was only documented by another project.

A relay mail wraps the buyer's text between two marker lines of dashes::

    ------------- Begin message -------------
    Where is my order?
    ------------- End message -------------

with Amazon's preamble above (``You have received a message.``, the order id, the item) and its footer below
(the retention notice, "Was this email helpful?", the links to resolve or report). Without markers, the
preamble and the footer are cut instead. What is cut is never lost: the whole text is kept beside the words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# --- The buyer's name ---

#: What the relay appends to the buyer's name in ``From:``, by marketplace language.
RELAY_NAME_SUFFIXES = (
    "Amazon Marketplace",          # US, UK, CA, DE, IT, ES, BR (seen in real mail: "Name - Amazon Marketplace")
    "Marketplace Amazon",          # FR word order
    "Amazon マーケットプレイス",     # JP
    "Amazon.co.jp マーケットプレイス",
    "Amazon",
)
_SUFFIX_RE = re.compile(
    r"\s*[-–—]\s*(?:" + "|".join(r"\s*".join(map(re.escape, s.split())) for s in RELAY_NAME_SUFFIXES)
    + r")\s*$",
    re.IGNORECASE,
)


def buyer_display_name(name: str) -> str:
    """``"Jane Doe - Amazon Marketplace"`` → ``"Jane Doe"``; a name without the suffix is kept as it is."""
    name = (name or "").strip().strip('"').strip()
    return _SUFFIX_RE.sub("", name).strip() or name


# --- The buyer's words ---

#: Marker labels that open the buyer's text (compared case-insensitively, a trailing colon ignored).
START_LABELS = frozenset(label.casefold() for label in (
    "Begin message", "Begin message / Début du message", "Message",          # EN (US, UK), CA bilingual
    "Anfang der Nachricht", "Nachricht",                                      # DE
    "Début du message", "Debut du message",                                   # FR
    "Inizio messaggio", "Messaggio",                                          # IT
    "Iniciar mensaje", "Inicio del mensaje", "Mensaje",                       # ES, MX
    "Iniciar mensagem", "Início da mensagem", "Inicio da mensagem", "Mensagem",  # BR
    "メッセージはここから", "メッセージ",                                        # JP
))
#: Marker labels that close it.
END_LABELS = frozenset(label.casefold() for label in (
    "End message", "End message / Fin du message",
    "Ende der Nachricht", "Nachrichtenende",
    "Fin du message",
    "Fine messaggio",
    "Finalizar mensaje", "Fin del mensaje",
    "Encerrar mensagem", "Fim da mensagem", "Mensagem final",
    "メッセージはここまで", "メッセージ終了",
))
_MARKER_RE = re.compile(r"^\s*-{5,}\s*(?P<label>.*?)\s*-{5,}\s*$")

#: A line that starts quoted history (the buyer answered from their own mail client).
_QUOTE_RE = re.compile(
    r"^\s*-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|messaggio originale|"
    r"mensaje original|mensagem original|元のメッセージ)\s*-{2,}\s*$",
    re.IGNORECASE,
)

#: Lines of Amazon's preamble, above the buyer's text, when there are no markers.
PREAMBLE_LINES = tuple(line.casefold() for line in (
    "You have received a message.",
    "Sie haben eine Nachricht erhalten.",
    "Sie haben eine Nachricht von einem Amazon-Kunden erhalten",
    "Vous avez reçu un message.", "Vous avez recu un message.",
    "Hai ricevuto un messaggio.",
    "Has recibido un mensaje.", "Ha recibido un mensaje.",
    "Você recebeu uma mensagem.",
    "購入者からのメッセージ", "メッセージを受信しました。",
))
_ORDER_LINE_RE = re.compile(
    r"^(?:#\s*|order id(?:/commande n°)?\s*:?\s*|bestellnummer\s*:?\s*|n° de commande\s*:?\s*|"
    r"numero (?:d')?ordine\s*:?\s*|número de pedido\s*:?\s*|注文番号\s*[:：]?\s*)?"
    r"\d{3}-\d{7}-\d{7}\s*:?\s*$",
    re.IGNORECASE,
)
_ITEM_LINE_RE = re.compile(r"^\d+\s*(?:/|of(?:/sur)?|von|de|di|sur)\s.*\[ASIN:\s*[A-Z0-9]{10}\]\s*$", re.IGNORECASE)

#: Lines that begin Amazon's footer, below the buyer's text.
FOOTER_STARTS = tuple(line.casefold() for line in (
    "For Your Information: To help arbitrate disputes",
    "We want you to buy with confidence",
    "To respond to this customer",
    "If you believe this message is suspicious",
    "To mark this message as no response needed",
    "Was this email helpful?", "Was this e-mail helpful?",
    "Resolve case", "Report suspicious activity",
    "War diese E-Mail hilfreich?", "Fall lösen", "Verdächtige Aktivität melden",
    "Cet e-mail vous a-t-il été utile", "Résoudre le cas", "Signaler une activité suspecte",
    "Important : Afin d'aider au règlement des litiges",
    "Questa e-mail è stata utile?", "Risolvi caso", "Segnala attività sospetta", "Nota informativa:",
    "¿Te ha resultado útil este correo", "¿Le ha resultado útil este correo", "Resolver caso",
    "Informar de actividad sospechosa",
    "Este e-mail foi útil?", "Solucionar o caso",
    "このEメールは役に立ちましたか", "このメールは役に立ちましたか",
    "[commMgrTok:",
))
_WATERMARK_RE = re.compile(r"^(?:SPC-[A-Za-z]+-\d+|-{10,}|\[commMgrTok:[^\]]*\])$")


@dataclass(frozen=True)
class BuyerWords:
    """The buyer's text, and whether anything of Amazon's was cut around it."""

    text: str
    cut: bool


def _label(line: str) -> str | None:
    match = _MARKER_RE.match(line)
    if match is None:
        return None
    return re.sub(r"\s+", " ", match.group("label")).strip().rstrip(":：").strip().casefold()


def _trim(lines: list[str]) -> str:
    return "\n".join(lines).strip()


def _before_quote(lines: list[str]) -> list[str]:
    for index, line in enumerate(lines):
        if _QUOTE_RE.match(line) and _trim(lines[:index]):
            return lines[:index]
    return lines


def _without_frame(lines: list[str]) -> list[str]:
    """Drop Amazon's preamble above and footer below the buyer's text (no markers to go by)."""
    start = 0
    while start < len(lines):
        line = lines[start].strip()
        if not line or line.casefold() in PREAMBLE_LINES or _ORDER_LINE_RE.match(line) or _ITEM_LINE_RE.match(line):
            start += 1
            continue
        break
    end = len(lines)
    for index in range(start, len(lines)):
        line = lines[index].strip()
        if line.casefold().startswith(FOOTER_STARTS):
            end = index
            break
    body = lines[start:end]
    while body and (not body[-1].strip() or _WATERMARK_RE.match(body[-1].strip())):
        body.pop()
    return body


def buyer_words(text: str) -> BuyerWords:
    """The part of a relay mail's text the buyer wrote."""
    text = text or ""
    lines = text.split("\n")
    starts = [i for i, line in enumerate(lines) if _label(line) in START_LABELS]
    if starts:
        start = starts[0]
        before = lines[:start]
        quoted = next((i for i, line in enumerate(before) if _QUOTE_RE.match(line)), None)
        if quoted is not None and _trim(before[:quoted]):
            # The buyer answered from their own mail client: the markers belong to the quoted history below.
            words = _trim(_without_frame(before[:quoted]))
        else:
            end = next((i for i in range(start + 1, len(lines)) if _label(lines[i]) in END_LABELS), len(lines))
            words = _trim(_before_quote(lines[start + 1:end]))
    else:
        words = _trim(_without_frame(lines))
    if not words:
        # Nothing but Amazon's frame (an attachment alone, say): keep the text rather than show nothing.
        return BuyerWords(text=text.strip(), cut=False)
    return BuyerWords(text=words, cut=words != text.strip())
