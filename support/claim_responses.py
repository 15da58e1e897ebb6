"""The response to an A-to-z claim, drafted from the order's facts in the marketplace's language.

Amazon reads the response in the marketplace's language: English for the US, UK and Canada, German for Germany,
French, Italian, Spanish and Japanese for theirs. One template per language, each a set of sentences used only
when the fact they state is known; the draft is the seller's to edit before sending. Dates are written as
``YYYY-MM-DD`` in the store's time zone, which every language reads.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from .claim_review import ClaimFacts

#: The sentences of each language's response, by what they state.
RESPONSE_TEMPLATES: dict[str, dict[str, str]] = {
    "en": {
        "opening": "Dear A-to-z Guarantee team,\n\nregarding the claim on order {order_id}:",
        "shipped": "We shipped the order on {shipped}, before the ship-by date of {ship_by}.",
        "shipped_late": "We shipped the order on {shipped}.",
        "tracking": "It was sent with {carrier}, tracking number {tracking}: {link}",
        "tracking_no_link": "It was sent with {carrier}, tracking number {tracking}.",
        "delivered": "The carrier confirms delivery on {delivered}, within the delivery date of {deliver_by}.",
        "delivered_late": "The carrier confirms delivery on {delivered}.",
        "contacted": "We answered the buyer through Buyer-Seller Messaging on {contacted}.",
        "refunded": "We refunded {amount} {currency} on {refunded}.",
        "closing": "We kindly ask you to decide the claim in our favour.\n\nKind regards",
    },
    "de": {
        "opening": "Sehr geehrtes A-bis-z-Garantie-Team,\n\nzum Antrag zur Bestellung {order_id}:",
        "shipped": "Wir haben die Bestellung am {shipped} versandt, vor dem Versanddatum {ship_by}.",
        "shipped_late": "Wir haben die Bestellung am {shipped} versandt.",
        "tracking": "Sie wurde mit {carrier} verschickt, Sendungsnummer {tracking}: {link}",
        "tracking_no_link": "Sie wurde mit {carrier} verschickt, Sendungsnummer {tracking}.",
        "delivered": "Der Versanddienstleister bestätigt die Zustellung am {delivered}, innerhalb des "
                     "Lieferdatums {deliver_by}.",
        "delivered_late": "Der Versanddienstleister bestätigt die Zustellung am {delivered}.",
        "contacted": "Wir haben dem Käufer am {contacted} über die Käufer-Verkäufer-Kommunikation geantwortet.",
        "refunded": "Wir haben am {refunded} {amount} {currency} erstattet.",
        "closing": "Wir bitten Sie, den Antrag zu unseren Gunsten zu entscheiden.\n\nMit freundlichen Grüßen",
    },
    "fr": {
        "opening": "Madame, Monsieur,\n\nconcernant la réclamation sur la commande {order_id} :",
        "shipped": "Nous avons expédié la commande le {shipped}, avant la date d'expédition du {ship_by}.",
        "shipped_late": "Nous avons expédié la commande le {shipped}.",
        "tracking": "Elle a été envoyée avec {carrier}, numéro de suivi {tracking} : {link}",
        "tracking_no_link": "Elle a été envoyée avec {carrier}, numéro de suivi {tracking}.",
        "delivered": "Le transporteur confirme la livraison le {delivered}, dans le délai de livraison du "
                     "{deliver_by}.",
        "delivered_late": "Le transporteur confirme la livraison le {delivered}.",
        "contacted": "Nous avons répondu à l'acheteur par la messagerie acheteur-vendeur le {contacted}.",
        "refunded": "Nous avons remboursé {amount} {currency} le {refunded}.",
        "closing": "Nous vous prions de bien vouloir statuer en notre faveur.\n\nCordialement",
    },
    "it": {
        "opening": "Gentile team della Garanzia dalla A alla Z,\n\nin merito al reclamo sull'ordine {order_id}:",
        "shipped": "Abbiamo spedito l'ordine il {shipped}, prima della data di spedizione del {ship_by}.",
        "shipped_late": "Abbiamo spedito l'ordine il {shipped}.",
        "tracking": "È stato inviato con {carrier}, numero di tracciamento {tracking}: {link}",
        "tracking_no_link": "È stato inviato con {carrier}, numero di tracciamento {tracking}.",
        "delivered": "Il corriere conferma la consegna il {delivered}, entro la data di consegna del "
                     "{deliver_by}.",
        "delivered_late": "Il corriere conferma la consegna il {delivered}.",
        "contacted": "Abbiamo risposto all'acquirente tramite la messaggistica acquirente-venditore il "
                     "{contacted}.",
        "refunded": "Abbiamo rimborsato {amount} {currency} il {refunded}.",
        "closing": "Vi chiediamo cortesemente di decidere il reclamo a nostro favore.\n\nCordiali saluti",
    },
    "es": {
        "opening": "Estimado equipo de la Garantía de la A a la Z:\n\nen relación con la reclamación del pedido "
                   "{order_id}:",
        "shipped": "Enviamos el pedido el {shipped}, antes de la fecha de envío del {ship_by}.",
        "shipped_late": "Enviamos el pedido el {shipped}.",
        "tracking": "Se envió con {carrier}, número de seguimiento {tracking}: {link}",
        "tracking_no_link": "Se envió con {carrier}, número de seguimiento {tracking}.",
        "delivered": "El transportista confirma la entrega el {delivered}, dentro de la fecha de entrega del "
                     "{deliver_by}.",
        "delivered_late": "El transportista confirma la entrega el {delivered}.",
        "contacted": "Respondimos al comprador mediante la mensajería comprador-vendedor el {contacted}.",
        "refunded": "Reembolsamos {amount} {currency} el {refunded}.",
        "closing": "Les rogamos que resuelvan la reclamación a nuestro favor.\n\nAtentamente",
    },
    "ja": {
        "opening": "Amazonマーケットプレイス保証ご担当者様\n\n注文番号 {order_id} の保証申請について回答いたします。",
        "shipped": "本注文は出荷予定日 {ship_by} より前の {shipped} に出荷しました。",
        "shipped_late": "本注文は {shipped} に出荷しました。",
        "tracking": "配送業者は{carrier}、お問い合わせ伝票番号は {tracking} です：{link}",
        "tracking_no_link": "配送業者は{carrier}、お問い合わせ伝票番号は {tracking} です。",
        "delivered": "配送業者の記録では、お届け予定日 {deliver_by} までの {delivered} に配達済みです。",
        "delivered_late": "配送業者の記録では、{delivered} に配達済みです。",
        "contacted": "{contacted} に購入者様へ購入者・出品者間メッセージでご連絡いたしました。",
        "refunded": "{refunded} に {amount} {currency} を返金いたしました。",
        "closing": "以上の事実をご確認のうえ、出品者有利のご判断をお願い申し上げます。\n\nよろしくお願いいたします。",
    },
}
#: Marketplace languages without a template of their own are answered in English.
FALLBACK_LANGUAGE = "en"


def response_language(marketplace_language: str) -> str:
    """The language of the response: the marketplace's, if there is a template for it, else English."""
    return marketplace_language if marketplace_language in RESPONSE_TEMPLATES else FALLBACK_LANGUAGE


def _day(value: datetime | None, tz: ZoneInfo) -> str:
    return value.astimezone(tz).strftime("%Y-%m-%d") if value else ""


def claim_response_draft(*, facts: ClaimFacts, language: str, tz: ZoneInfo) -> str:
    """The response, stating only the facts the order's records hold, in ``language`` (see ``response_language``)."""
    t = RESPONSE_TEMPLATES[response_language(language)]
    values = {
        "order_id": facts.order_id, "shipped": _day(facts.shipped_at, tz), "ship_by": _day(facts.ship_by, tz),
        "carrier": facts.carrier, "tracking": facts.tracking_number, "link": facts.tracking_link,
        "delivered": _day(facts.delivered_at, tz), "deliver_by": _day(facts.deliver_by, tz),
        "contacted": _day(facts.contacted_at, tz), "amount": facts.refunded, "currency": facts.currency,
        "refunded": _day(facts.refunded_at, tz),
    }
    lines = [t["opening"].format(**values)]
    if facts.shipped_at:
        on_time = facts.ship_by is not None and facts.shipped_at <= facts.ship_by
        lines.append(t["shipped" if on_time else "shipped_late"].format(**values))
    if facts.tracking_number:
        lines.append(t["tracking" if facts.tracking_link else "tracking_no_link"].format(**values))
    if facts.delivered_at:
        in_time = facts.deliver_by is not None and facts.delivered_at <= facts.deliver_by
        lines.append(t["delivered" if in_time else "delivered_late"].format(**values))
    if facts.contacted_at:
        lines.append(t["contacted"].format(**values))
    if facts.refunded is not None:
        lines.append(t["refunded"].format(**values))
    return "\n".join(lines[:1]) + "\n\n" + " ".join(lines[1:]) + ("\n\n" if len(lines) > 1 else "") + t["closing"]
