"""Which negative feedback Amazon removes on request, why, until when, and the request to send.

Amazon removes (or strikes through) seller feedback of 1 or 2 stars (3 is neutral and never counts) that is
about an order Amazon fulfilled, that speaks only of the delivery, that is a product review rather than
feedback on the seller, or that contains contact details or obscene words; the request must reach Amazon
within 90 days of the feedback being left. The rules are pure functions of the feedback's facts and ``now``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from fulfillment.carriers import CARRIERS

from .rules import EMAIL_RE, phone_numbers

#: Amazon takes removal requests for 90 days after the feedback was left.
REMOVAL_WINDOW = timedelta(days=90)
#: Feedback of this many stars or fewer is negative; 3 is neutral.
NEGATIVE_AT_MOST = 2


class Reason:
    FBA = "fba"
    DELIVERY = "delivery"
    PRODUCT = "product"
    CONTACT = "contact"
    OBSCENE = "obscene"
    ORDER = (FBA, DELIVERY, PRODUCT, CONTACT, OBSCENE)


def reason_label(code: str) -> str:
    return {
        Reason.FBA: _("Fulfilled by Amazon: Amazon answers for the delivery and strikes the feedback through."),
        Reason.DELIVERY: _("Only about the delivery (late, never arrived, damaged box, the carrier)."),
        Reason.PRODUCT: _("A product review, not feedback on the seller."),
        Reason.CONTACT: _("Contains contact details."),
        Reason.OBSCENE: _("Contains obscene words."),
    }[code]


#: Words of a delivery complaint, in each marketplace's language (lower case; matched as substrings).
DELIVERY_WORDS: dict[str, tuple[str, ...]] = {
    "en": ("deliver", "shipping", "shipped", "arriv", "late", "never came", "never received", "package", "parcel",
           "courier", "damaged box", "box was", "box crushed", "crushed", "tracking", "lost in transit"),
    "de": ("lieferung", "geliefert", "versand", "paket", "angekommen", "zustell", "zu spät", "verspät",
           "karton", "nie erhalten", "sendung"),
    "fr": ("livraison", "livré", "colis", "retard", "jamais reçu", "jamais arrivé", "carton", "expédi",
           "transporteur"),
    "it": ("consegn", "pacco", "ritardo", "spedizion", "mai arrivato", "scatola", "corriere"),
    "es": ("entrega", "envío", "envio", "paquete", "llegó", "retraso", "nunca llegó", "caja", "transportista"),
    "ja": ("配送", "届", "遅", "梱包", "発送", "到着", "箱", "配達"),
}
#: Words that make the comment about the product or the seller, not only the delivery.
OTHER_WORDS = re.compile(
    r"(?i)quality|broke|stopped working|doesn'?t work|does not work|defective|cheap|too small|too big|battery|"
    r"product|qualität|kaputt|funktioniert nicht|defekt|produkt|qualité|cassé|ne fonctionne pas|défectueux|"
    r"produit|qualità|rotto|non funziona|difettoso|prodotto|calidad|roto|no funciona|defectuoso|producto|"
    r"品質|壊れ|動かない|不良|商品|质量|坏了|产品")
SELLER_WORDS = re.compile(
    r"(?i)seller|vendor|customer service|verkäufer|händler|vendeur|venditore|vendedor|出品者|販売者|店|卖家|客服")
OBSCENE_WORDS = re.compile(
    r"(?i)\b(fuck\w*|shit\w*|asshole|bastard|bitch|scheiße|scheisse|arschloch|merde|putain|connard|cazzo|"
    r"stronz\w*|mierda|gilipollas|cabr[oó]n)\b|クソ|糞|くそ")


def _carrier_words() -> tuple[str, ...]:
    names = set()
    for spec in CARRIERS.values():
        for name in (spec.name, spec.amazon_name, *spec.aliases):
            if name and name != "Other" and len(name) >= 3:
                names.add(name.lower())
    return tuple(sorted(names))


CARRIER_WORDS = _carrier_words()


def is_delivery_only(comment: str, *, language: str) -> bool:
    """Whether the comment speaks of the delivery (in its language, or English, or by a carrier's name) only."""
    text = (comment or "").lower()
    if not text.strip() or OTHER_WORDS.search(text) or SELLER_WORDS.search(text):
        return False
    words = DELIVERY_WORDS.get(language, ()) + DELIVERY_WORDS["en"] + CARRIER_WORDS
    return any(word in text for word in words)


def removal_reasons(*, comment: str, fulfilled_by_amazon: bool, language: str = "en") -> list[str]:
    """The grounds (``Reason`` codes) on which Amazon removes this feedback; empty when there is none."""
    comment = comment or ""
    reasons = []
    if fulfilled_by_amazon:
        reasons.append(Reason.FBA)
    if is_delivery_only(comment, language=language):
        reasons.append(Reason.DELIVERY)
    if OTHER_WORDS.search(comment) and not SELLER_WORDS.search(comment):
        reasons.append(Reason.PRODUCT)
    if EMAIL_RE.search(comment) or phone_numbers(comment):
        reasons.append(Reason.CONTACT)
    if OBSCENE_WORDS.search(comment):
        reasons.append(Reason.OBSCENE)
    return reasons


@dataclass(frozen=True)
class Removal:
    """Whether feedback can be sent to Amazon for removal now, on which grounds, and for how many more days."""

    reasons: tuple[str, ...]
    deadline: datetime
    days_left: int
    negative: bool

    @property
    def eligible(self) -> bool:
        return self.negative and bool(self.reasons) and self.days_left >= 0

    @property
    def labels(self) -> list[str]:
        return [reason_label(code) for code in self.reasons]

    @property
    def reason_items(self) -> list[tuple[str, str]]:
        """``(code, label)`` of each ground, for a page."""
        return [(code, reason_label(code)) for code in self.reasons]


def feedback_removal(*, rating: int, comment: str, received_at: datetime, fulfilled_by_amazon: bool,
                     now: datetime, language: str = "en") -> Removal:
    """The removal verdict on one feedback at ``now`` (``days_left`` negative once the 90 days are over)."""
    deadline = received_at + REMOVAL_WINDOW
    left = deadline - now
    return Removal(reasons=tuple(removal_reasons(comment=comment, fulfilled_by_amazon=fulfilled_by_amazon,
                                                 language=language)),
                   deadline=deadline, days_left=left.days, negative=rating <= NEGATIVE_AT_MOST)


#: The request to Amazon, in the marketplace's language: ``{order_id}``, ``{date}``, ``{reasons}``.
REQUEST_TEMPLATES: dict[str, str] = {
    "en": "Please remove the feedback left on {date} for order {order_id}. It does not meet the feedback "
          "guidelines: {reasons}",
    "de": "Bitte entfernen Sie die am {date} abgegebene Bewertung zur Bestellung {order_id}. Sie entspricht nicht "
          "den Richtlinien für Verkäuferbewertungen: {reasons}",
    "fr": "Merci de supprimer l'évaluation laissée le {date} pour la commande {order_id}. Elle ne respecte pas les "
          "règles des évaluations vendeur : {reasons}",
    "it": "Vi chiediamo di rimuovere il feedback lasciato il {date} per l'ordine {order_id}. Non rispetta le linee "
          "guida sui feedback: {reasons}",
    "es": "Les rogamos que eliminen la valoración dejada el {date} para el pedido {order_id}. No cumple las "
          "directrices de valoraciones: {reasons}",
    "ja": "注文番号 {order_id} に {date} に投稿された評価の削除をお願いいたします。"
          "評価ガイドラインに該当しません：{reasons}",
}
#: Each ground, as the request states it, per language.
REQUEST_REASONS: dict[str, dict[str, str]] = {
    "en": {Reason.FBA: "the order was fulfilled by Amazon", Reason.DELIVERY: "it is only about the delivery",
           Reason.PRODUCT: "it is a product review", Reason.CONTACT: "it contains contact details",
           Reason.OBSCENE: "it contains obscene language"},
    "de": {Reason.FBA: "die Bestellung wurde von Amazon versandt", Reason.DELIVERY: "sie betrifft nur die Lieferung",
           Reason.PRODUCT: "sie ist eine Produktbewertung", Reason.CONTACT: "sie enthält Kontaktdaten",
           Reason.OBSCENE: "sie enthält obszöne Ausdrücke"},
    "fr": {Reason.FBA: "la commande a été expédiée par Amazon", Reason.DELIVERY: "elle ne concerne que la livraison",
           Reason.PRODUCT: "c'est un avis sur le produit", Reason.CONTACT: "elle contient des coordonnées",
           Reason.OBSCENE: "elle contient des propos obscènes"},
    "it": {Reason.FBA: "l'ordine è stato evaso da Amazon", Reason.DELIVERY: "riguarda solo la consegna",
           Reason.PRODUCT: "è una recensione del prodotto", Reason.CONTACT: "contiene dati di contatto",
           Reason.OBSCENE: "contiene linguaggio osceno"},
    "es": {Reason.FBA: "el pedido lo gestionó Amazon", Reason.DELIVERY: "solo trata de la entrega",
           Reason.PRODUCT: "es una reseña del producto", Reason.CONTACT: "contiene datos de contacto",
           Reason.OBSCENE: "contiene lenguaje obsceno"},
    "ja": {Reason.FBA: "本注文はAmazonが出荷しました", Reason.DELIVERY: "配送のみに関する内容です",
           Reason.PRODUCT: "商品レビューです", Reason.CONTACT: "連絡先が含まれています",
           Reason.OBSCENE: "不適切な表現が含まれています"},
}


def removal_request_text(*, order_id: str, received_on: str, reasons: tuple[str, ...] | list[str],
                         language: str) -> str:
    """The removal request to send from Seller Central, in the marketplace's language (else English)."""
    language = language if language in REQUEST_TEMPLATES else "en"
    separator = "、" if language == "ja" else "; "
    stated = separator.join(REQUEST_REASONS[language][code] for code in reasons) + ("。" if language == "ja" else ".")
    return REQUEST_TEMPLATES[language].format(order_id=order_id, date=received_on, reasons=stated)
