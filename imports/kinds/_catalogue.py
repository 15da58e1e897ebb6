"""What the two catalogue reports (All Listings, FBA Manage Inventory) share: Amazon's codes for a listing's
condition and channel, a price, and reading a yes/no cell in the marketplace's language."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from listings.models import Channel

from ..parsers import Cells, shown

#: The All Listings report's ``item-condition`` codes → our condition (Amazon's ``condition_type`` values).
CONDITION_CODES = {
    "1": "used_like_new", "2": "used_very_good", "3": "used_good", "4": "used_acceptable",
    "5": "collectible_like_new", "6": "collectible_very_good", "7": "collectible_good",
    "8": "collectible_acceptable", "9": "club_club", "10": "refurbished_refurbished", "11": "new_new",
}
#: The words the FBA report (and Seller Central pages) use for a condition.
CONDITION_WORDS = {
    "new": "new_new", "newitem": "new_new", "neu": "new_new", "neuf": "new_new", "nuovo": "new_new",
    "nuevo": "new_new", "新品": "new_new",
    "usedlikenew": "used_like_new", "usedverygood": "used_very_good", "usedgood": "used_good",
    "usedacceptable": "used_acceptable", "refurbished": "refurbished_refurbished",
    "collectiblelikenew": "collectible_like_new", "collectibleverygood": "collectible_very_good",
    "collectiblegood": "collectible_good", "collectibleacceptable": "collectible_acceptable",
}
_YES = {"yes", "y", "true", "1", "ja", "oui", "sì", "si", "sí", "はい"}
_NO = {"no", "n", "false", "0", "nein", "non", "いいえ", ""}


def price_of(cells: Cells, key: str = "price") -> Decimal | None:
    """The listing's price, None when the cell is empty; below zero is an error on the cell."""
    if not cells.row.values.get(key):
        return None
    price = cells.decimal(key)
    if price is not None and price < 0:
        cells.fail(key, _("%(value)s: a price cannot be below zero.") % {"value": shown(cells.row.values[key])})
    return price


def condition_of(cells: Cells, key: str) -> str:
    """The condition a cell names (a code or a word), "" when empty; an unknown one is an error on the cell."""
    value = cells.row.values.get(key, "").strip()
    if not value:
        return ""
    word = value.lower().replace(" ", "").replace("-", "").replace("_", "")
    found = CONDITION_CODES.get(value) or CONDITION_WORDS.get(word)
    if found is None:
        cells.fail(key, _("%(value)s is not a condition Amazon writes (11 is New, 1 to 4 Used, 5 to 8 "
                          "Collectible, 10 Refurbished).") % {"value": shown(value)})
        return ""
    return found


def channel_of(cells: Cells, key: str) -> str:
    """``DEFAULT`` is the seller's own fulfilment (MFN); ``AMAZON_NA``, ``AMAZON_EU``, ``AMAZON_FE``… Amazon's
    (AFN); "" when the cell is empty."""
    value = cells.row.values.get(key, "").strip()
    if not value:
        return ""
    upper = value.upper()
    if upper == "DEFAULT":
        return Channel.MFN
    if upper.startswith("AMAZON"):
        return Channel.AFN
    cells.fail(key, _("%(value)s is not a fulfilment channel Amazon writes (DEFAULT, or AMAZON_NA, AMAZON_EU, "
                      "AMAZON_FE).") % {"value": shown(value)})
    return ""


def yes_no(cells: Cells, key: str) -> bool:
    value = cells.row.values.get(key, "").strip().lower()
    if value in _YES:
        return True
    if value not in _NO:
        cells.fail(key, _("%(value)s is not Yes or No.") % {"value": shown(cells.row.values.get(key, ""))})
    return False
