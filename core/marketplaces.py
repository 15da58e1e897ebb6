"""Amazon marketplaces SellerOps knows: code, name, domain, timezone, currency and relay domain."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Marketplace:
    code: str
    name: str
    domain: str
    marketplace_id: str
    timezone: str
    currency: str
    language: str


MARKETPLACES: dict[str, Marketplace] = {
    m.code: m
    for m in [
        Marketplace("US", "United States", "amazon.com", "ATVPDKIKX0DER", "America/Los_Angeles", "USD", "en"),
        Marketplace("CA", "Canada", "amazon.ca", "A2EUQ1WTGCTBG2", "America/Los_Angeles", "CAD", "en"),
        Marketplace("MX", "Mexico", "amazon.com.mx", "A1AM78C64UM0Y8", "America/Mexico_City", "MXN", "es"),
        Marketplace("BR", "Brazil", "amazon.com.br", "A2Q3Y263D00KWC", "America/Sao_Paulo", "BRL", "pt"),
        Marketplace("UK", "United Kingdom", "amazon.co.uk", "A1F83G8C2ARO7P", "Europe/London", "GBP", "en"),
        Marketplace("DE", "Germany", "amazon.de", "A1PA6795UKMFR9", "Europe/Berlin", "EUR", "de"),
        Marketplace("FR", "France", "amazon.fr", "A13V1IB3VIYZZH", "Europe/Paris", "EUR", "fr"),
        Marketplace("IT", "Italy", "amazon.it", "APJ6JRA9NG5V4", "Europe/Rome", "EUR", "it"),
        Marketplace("ES", "Spain", "amazon.es", "A1RKKUPIHCS9HS", "Europe/Madrid", "EUR", "es"),
        Marketplace("NL", "Netherlands", "amazon.nl", "A1805IZSGTT6HS", "Europe/Amsterdam", "EUR", "nl"),
        Marketplace("SE", "Sweden", "amazon.se", "A2NODRKZP88ZB9", "Europe/Stockholm", "SEK", "sv"),
        Marketplace("PL", "Poland", "amazon.pl", "A1C3SOZRARQ6R3", "Europe/Warsaw", "PLN", "pl"),
        Marketplace("JP", "Japan", "amazon.co.jp", "A1VC38T7YXB528", "Asia/Tokyo", "JPY", "ja"),
        Marketplace("AU", "Australia", "amazon.com.au", "A39IBJ37TRP1C6", "Australia/Sydney", "AUD", "en"),
        Marketplace("SG", "Singapore", "amazon.sg", "A19VAU5U5O7RUS", "Asia/Singapore", "SGD", "en"),
        Marketplace("AE", "United Arab Emirates", "amazon.ae", "A2VIGQ35RCS4UG", "Asia/Dubai", "AED", "en"),
        Marketplace("IN", "India", "amazon.in", "A21TJRUUN4KGV", "Asia/Kolkata", "INR", "en"),
    ]
}

MARKETPLACE_CHOICES = [(m.code, f"{m.code} · {m.domain}") for m in MARKETPLACES.values()]


def marketplace(code: str) -> Marketplace:
    try:
        return MARKETPLACES[code]
    except KeyError:
        raise ValueError(f"Unknown marketplace {code!r}; known: {', '.join(MARKETPLACES)}") from None
