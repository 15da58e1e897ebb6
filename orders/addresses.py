"""How a shipping address is written: in the order its country writes it, one pure function for every page."""

from __future__ import annotations

#: Countries that write "city, state postcode" on one line (and the default for countries not listed).
CITY_FIRST = frozenset({"US", "CA", "GB", "UK", "AU"})
#: Countries that write "postcode city".
POSTCODE_FIRST = frozenset({"DE", "FR", "IT", "ES", "AT", "NL", "BE", "PL", "SE", "CH"})


def city_line(*, city: str, state: str, postal_code: str, country: str) -> str:
    """The locality line: "Austin, TX 73301" (US, CA, UK), "10115 Berlin" (DE, FR, IT, ES), "〒… 東京都 渋谷区"."""
    city, state, postal_code = city.strip(), state.strip(), postal_code.strip()
    country = country.strip().upper()
    if country == "JP":
        return " ".join(p for p in [f"〒{postal_code}" if postal_code else "", state, city] if p)
    if country in POSTCODE_FIRST:
        locality = " ".join(p for p in [postal_code, city] if p)
        return f"{locality} ({state})" if state and locality else locality or state
    region = " ".join(p for p in [state, postal_code] if p)
    return ", ".join(p for p in [city, region] if p)


def address_lines(*, line1: str, line2: str, city: str, state: str, postal_code: str, country: str) -> list[str]:
    """The address as lines, in the order the country writes them; empty parts left out."""
    locality = city_line(city=city, state=state, postal_code=postal_code, country=country)
    parts = [locality, line1, line2] if country.strip().upper() == "JP" else [line1, line2, locality]
    return [p.strip() for p in [*parts, country.strip().upper()] if p and p.strip()]
