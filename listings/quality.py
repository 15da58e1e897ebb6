"""Listing-quality checks from Amazon's own style rules. Pure functions: text or a Pillow image in, problems out.

Titles: at most the marketplace's limit (200 characters by Amazon's general rule; 80 recommended, as mobile
shows about that much), no promotional phrases, no prohibited characters (unless part of the brand), no emoji,
not shouted in capitals, no word more than twice. Content: a brand, 1–5 bullet points (3 or more recommended) of
at most 500 characters, a description of at most 2000, a price above zero in a currency, a handling time of
1–30 days and every attribute the product type requires. Main image: JPEG or PNG, pure white background
(RGB 255, 255, 255), the product filling at least 85 % of the frame, and at least 1000 px on the longest side
so that zoom works; other images: JPEG, PNG, GIF or TIFF of at least 500 px.

Amazon counts characters, not bytes: 中 is one character as a is. Lengths here are counted on the NFC form.

``check_listing_text`` is the one entry point for a listing's text and content; ``listing_publishable`` says
what its problems allow.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageChops, UnidentifiedImageError

from core.marketplaces import MARKETPLACES

from .product_types import BUILTIN_PROPERTIES, FIELD_ATTRIBUTES

ERROR = "error"
WARNING = "warning"

TITLE_MAX = 200
TITLE_RECOMMENDED = 80
#: The title limit of each marketplace (characters, spaces included). Amazon's general rule is 200 everywhere;
#: a marketplace or category with a stricter limit gets its own figure here.
TITLE_MAX_BY_MARKETPLACE: dict[str, int] = dict.fromkeys(MARKETPLACES, TITLE_MAX)
#: Amazon refuses a title that repeats a word more than this many times (articles, prepositions and
#: conjunctions excepted).
TITLE_WORD_REPEATS_MAX = 2
#: Words a title may repeat freely: articles, prepositions and conjunctions (English, French, German, Italian,
#: Spanish).
REPEATABLE_WORDS = frozenset(word for line in (
    "an the and or nor but for with without of in on to by at from into per plus vs",
    "le la les un une des de du et ou pour avec sans en au aux",
    "der die das ein eine und oder mit ohne für von zu im am",
    "il lo gli un una di da per con senza in su",
    "el los las unos unas con sin para por del al",
) for word in line.split())
#: More all-capital words than this reads as shouting (a few acronyms such as USB or LED are fine).
CAPS_WORDS_MAX = 3
PROMOTIONAL_PHRASES = (
    "free shipping", "free delivery", "best seller", "bestseller", "best-seller", "hot sale", "on sale",
    "cheapest", "discount", "limited time", "great deal", "top rated", "top-rated", "100% quality",
    "satisfaction guaranteed", "money back", "new arrival", "hot item", "best price",
)
#: Characters Amazon's title policy refuses (unless part of the brand name).
PROHIBITED_CHARACTERS = "!$?_{}^¬¦~#<>*"
BULLETS_MIN = 3
BULLETS_MAX = 5
BULLET_MAX_LENGTH = 500
DESCRIPTION_MAX_LENGTH = 2000
HANDLING_DAYS_MIN = 1
HANDLING_DAYS_MAX = 30
IMAGE_FORMATS = frozenset({"JPEG", "PNG"})
#: Other images may also be GIF or TIFF; below 500 px Amazon refuses them.
OTHER_IMAGE_FORMATS = frozenset({"JPEG", "PNG", "GIF", "TIFF"})
OTHER_IMAGE_MIN_SIDE = 500
IMAGE_MAX_BYTES = 10 * 1024 * 1024
IMAGE_MIN_SIDE = 1000
IMAGE_FILL_MIN = 0.85
BORDER_WHITE_MIN = 0.99
#: Channel values at or above this count as background when finding the product (JPEG noise is not product).
NEAR_WHITE = 245

_EMOJI = re.compile(
    "[\U0001F000-\U0001FAFF\U00002600-\U000027BF\U0001F900-\U0001F9FF\U00002B00-\U00002BFF\uFE0F\u200D]"
)
_WORD = re.compile(r"[^\W\d_]{2,}")


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str
    message: str
    #: The form field the problem belongs beside (``title``, ``bullet_2``, ``attr:color``…); empty: the listing.
    field: str = ""

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def text_length(text: str) -> int:
    """Characters as Amazon counts them: one per character (not per byte), accents composed, ends trimmed."""
    return len(unicodedata.normalize("NFC", text.strip()))


def title_max(marketplace: str | None) -> int:
    """The title limit in ``marketplace`` (a code such as ``US``); Amazon's general rule when unknown."""
    return TITLE_MAX_BY_MARKETPLACE.get(marketplace or "", TITLE_MAX)


def compose_title(*, brand: str, core_function: str, key_attributes: str) -> str:
    """The title built from its parts: brand, core function, then the key attributes after a comma."""
    head = " ".join(part.strip() for part in (brand or "", core_function or "") if part and part.strip())
    tail = (key_attributes or "").strip().strip(",").strip()
    return f"{head}, {tail}" if head and tail else head or tail


def check_title_length(title: str, *, marketplace: str | None = None) -> list[Problem]:
    """Over the marketplace's limit (200) is refused; over 80 is cut off on mobile."""
    length = text_length(title)
    limit = title_max(marketplace)
    if length == 0:
        return [Problem("title_missing", ERROR, _("The title is missing."), "title")]
    if length > limit:
        return [Problem("title_too_long", ERROR,
                        _("The title has %(n)d characters; Amazon allows at most %(max)d.")
                        % {"n": length, "max": limit}, "title")]
    if length > TITLE_RECOMMENDED:
        return [Problem("title_long", WARNING,
                        _("The title has %(n)d characters; keep it to %(max)d or fewer so it shows in full on "
                          "mobile.") % {"n": length, "max": TITLE_RECOMMENDED}, "title")]
    return []


def _phrase_in(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def _shouted(text: str) -> bool:
    """All capitals: at least two words and every word of two or more letters in capitals."""
    words = _WORD.findall(text)
    return len(words) >= 2 and all(word.isupper() for word in words)


def repeated_words(title: str) -> dict[str, int]:
    """The words ``title`` uses more than twice (case ignored, articles and prepositions excepted), in order."""
    counts = Counter(word.lower() for word in _WORD.findall(title))
    return {word: n for word, n in counts.items() if n > TITLE_WORD_REPEATS_MAX and word not in REPEATABLE_WORDS}


def check_title_shape(title: str, *, brand: str = "") -> list[Problem]:
    """No shouting, no promotion, no prohibited characters (unless in the brand), no emoji, no word thrice."""
    problems: list[Problem] = []
    lowered = title.lower()
    promotional = [phrase for phrase in PROMOTIONAL_PHRASES if _phrase_in(phrase, lowered)]
    if promotional:
        problems.append(Problem("title_promotional", ERROR,
                                _("The title contains promotional wording: %(phrases)s.")
                                % {"phrases": ", ".join(f"“{p}”" for p in promotional)}, "title"))
    # Amazon allows these characters where they are part of the brand name (e.g. "Yahoo!").
    unbranded = title.replace(brand.strip(), " ") if brand and brand.strip() else title
    found = sorted({char for char in unbranded if char in PROHIBITED_CHARACTERS}, key=PROHIBITED_CHARACTERS.index)
    if found:
        problems.append(Problem("title_characters", ERROR,
                                _("The title contains characters Amazon does not allow: %(chars)s")
                                % {"chars": " ".join(found)}, "title"))
    if _EMOJI.search(title):
        problems.append(Problem("title_emoji", ERROR, _("The title contains emoji."), "title"))
    repeated = repeated_words(title)
    if repeated:
        problems.append(Problem("title_repeated", ERROR,
                                _("The title repeats %(words)s; Amazon refuses a word used more than %(max)d "
                                  "times.") % {"words": ", ".join(f"“{w}” ×{n}" for w, n in repeated.items()),
                                              "max": TITLE_WORD_REPEATS_MAX}, "title"))
    capitals = [word for word in _WORD.findall(title) if word.isupper()]
    if _shouted(title):
        problems.append(Problem("title_caps", WARNING,
                                _("The title is written in capitals; capitalise only the first letter of each "
                                  "word."), "title"))
    elif len(capitals) > CAPS_WORDS_MAX:
        problems.append(Problem("title_caps", WARNING,
                                _("The title has %(n)d words in capitals; capitalise only the first letter of "
                                  "each word.") % {"n": len(capitals)}, "title"))
    return problems


def check_content(*, brand: str, bullets: Iterable[Any] | None, description: str) -> list[Problem]:
    """A brand, one to five bullet points (three or more recommended) of at most 500 characters, and a
    description of at most 2000; neither in capitals."""
    problems: list[Problem] = []
    if not (brand or "").strip():
        problems.append(Problem("brand_missing", ERROR, _("The brand is missing."), "brand"))
    entered = [str(b) if b is not None else "" for b in (bullets or [])]
    filled = [b for b in entered if b.strip()]
    if not filled:
        problems.append(Problem("bullets_missing", ERROR, _("There are no bullet points."), "bullets"))
    elif len(filled) < BULLETS_MIN:
        problems.append(Problem("bullets_few", WARNING,
                                ngettext("Only %(n)d bullet point; add at least %(min)d.",
                                         "Only %(n)d bullet points; add at least %(min)d.", len(filled))
                                % {"n": len(filled), "min": BULLETS_MIN}, "bullets"))
    elif len(filled) > BULLETS_MAX:
        problems.append(Problem("bullets_many", ERROR,
                                _("%(n)d bullet points; Amazon takes at most %(max)d.")
                                % {"n": len(filled), "max": BULLETS_MAX}, "bullets"))
    for number, bullet in enumerate(entered, start=1):
        length = text_length(bullet)
        if length > BULLET_MAX_LENGTH:
            problems.append(Problem("bullet_too_long", ERROR,
                                    _("Bullet point %(number)d has %(n)d characters; Amazon allows at most "
                                      "%(max)d.") % {"number": number, "n": length, "max": BULLET_MAX_LENGTH},
                                    f"bullet_{number}"))
        if _shouted(bullet):
            problems.append(Problem("bullet_caps", WARNING,
                                    _("Bullet point %(number)d is written in capitals.") % {"number": number},
                                    f"bullet_{number}"))
    description = description or ""
    if not description.strip():
        problems.append(Problem("description_missing", WARNING, _("The description is missing."), "description"))
    elif text_length(description) > DESCRIPTION_MAX_LENGTH:
        problems.append(Problem("description_too_long", ERROR,
                                _("The description has %(n)d characters; Amazon allows at most %(max)d.")
                                % {"n": text_length(description), "max": DESCRIPTION_MAX_LENGTH}, "description"))
    elif _shouted(description):
        problems.append(Problem("description_caps", WARNING, _("The description is written in capitals."),
                                "description"))
    return problems


def check_offer(*, price: Any, currency: str, handling_time_days: Any = None,
                marketplace: str | None = None) -> list[Problem]:
    """A price above zero in a currency (the marketplace's), and a handling time of 1–30 days when given."""
    problems: list[Problem] = []
    try:
        amount = None if price in (None, "") else Decimal(str(price))
    except InvalidOperation:
        amount = None
    if amount is None:
        problems.append(Problem("price_missing", ERROR, _("The price is missing."), "price"))
    elif not amount.is_finite() or amount <= 0:
        problems.append(Problem("price_not_positive", ERROR, _("The price must be more than zero."), "price"))
    currency = (currency or "").strip().upper()
    market = MARKETPLACES.get(marketplace or "")
    if not currency:
        problems.append(Problem("currency_missing", ERROR, _("The price has no currency."), "currency"))
    elif market is not None and currency != market.currency:
        problems.append(Problem("currency_other", WARNING,
                                _("Amazon %(marketplace)s sells in %(expected)s; this price is in %(currency)s.")
                                % {"marketplace": market.code, "expected": market.currency, "currency": currency},
                                "currency"))
    if handling_time_days not in (None, ""):
        try:
            days = int(handling_time_days)
        except (TypeError, ValueError):
            days = -1
        if not HANDLING_DAYS_MIN <= days <= HANDLING_DAYS_MAX:
            problems.append(Problem("handling_time_range", ERROR,
                                    _("The handling time must be %(min)d to %(max)d days.")
                                    % {"min": HANDLING_DAYS_MIN, "max": HANDLING_DAYS_MAX}, "handling_time_days"))
    return problems


def _filled(value: Any) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, list | tuple | dict):
        return any(_filled(v) for v in (value.values() if isinstance(value, dict) else value))
    return value is not None


def check_attributes(*, attributes: Mapping[str, Any] | None, required: Iterable[str], product_type: str = "",
                     properties: Mapping[str, Mapping[str, Any]] | None = None) -> list[Problem]:
    """Every attribute the product type requires has a value (one error per missing one, by name).

    Attributes that a listing field carries (title, brand, bullets…) are checked with that field instead.
    """
    attributes = attributes or {}
    properties = properties or {}
    problems: list[Problem] = []
    for name in required:
        if name in FIELD_ATTRIBUTES or _filled(attributes.get(name)):
            continue
        title = (properties.get(name) or BUILTIN_PROPERTIES.get(name) or {}).get("title") or name
        problems.append(Problem("attribute_missing", ERROR,
                                _("%(title)s (%(name)s) is required for product type %(type)s.")
                                % {"title": title, "name": name, "type": product_type or "—"}, f"attr:{name}"))
    return problems


def check_listing_text(listing: Any, *, marketplace: str | None = None,
                       required_attributes: Iterable[str] | None = None,
                       properties: Mapping[str, Mapping[str, Any]] | None = None) -> list[Problem]:
    """Every check that needs only the listing's fields (not its image file).

    ``marketplace`` (a code such as ``US``) picks the title limit and the expected currency;
    ``required_attributes`` (with their ``properties`` for names) are those of the listing's product type.
    """
    title = listing.title or ""
    problems = check_title_length(title, marketplace=marketplace) + check_title_shape(title, brand=listing.brand)
    problems += check_content(brand=listing.brand, bullets=listing.bullets, description=listing.description)
    problems += check_offer(price=listing.price, currency=listing.currency,
                            handling_time_days=getattr(listing, "handling_time_days", None), marketplace=marketplace)
    if required_attributes is not None:
        problems += check_attributes(attributes=getattr(listing, "attributes", None), required=required_attributes,
                                     product_type=getattr(listing, "product_type", ""), properties=properties)
    if not listing.main_image:
        problems.append(Problem("image_missing", ERROR, _("There is no main image."), "main_image"))
    return problems


def listing_publishable(problems: Iterable[Problem]) -> tuple[bool, bool]:
    """(ok, needs_confirmation): no error may be published; warnings may, once the user confirms them."""
    problems = list(problems)
    ok = not any(p.is_error for p in problems)
    return ok, ok and bool(problems)


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with transparent areas shown on white as Amazon shows them."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def _white_mask(image: Image.Image) -> Image.Image:
    """255 where a pixel is pure white (RGB 255, 255, 255), else 0."""
    red, green, blue = _flatten(image).split()
    white = [channel.point(lambda v: 255 if v == 255 else 0) for channel in (red, green, blue)]
    return ImageChops.multiply(ImageChops.multiply(white[0], white[1]), white[2])


#: The parts of the one-pixel frame, clockwise from the top-left corner; each corner is the outer tenth of the
#: two edges that meet there.
BORDER_PARTS = ("top-left", "top", "top-right", "right", "bottom-right", "bottom", "bottom-left", "left")


def _border_boxes(width: int, height: int) -> dict[str, list[tuple[int, int, int, int]]]:
    cw, ch = max(1, width // 10), max(1, height // 10)
    last_x, last_y = width - 1, height - 1
    boxes: dict[str, list[tuple[int, int, int, int]]] = {part: [] for part in BORDER_PARTS}
    rows = [(0, "top")] + ([(last_y, "bottom")] if height > 1 else [])
    for y, side in rows:
        boxes[f"{side}-left"].append((0, y, min(cw, width), y + 1))
        boxes[side].append((cw, y, max(cw, width - cw), y + 1))
        boxes[f"{side}-right"].append((max(cw, width - cw), y, width, y + 1))
    if height > 2:
        columns = [(0, "left")] + ([(last_x, "right")] if width > 1 else [])
        for x, side in columns:
            boxes[f"top-{side}"].append((x, 1, x + 1, min(ch, last_y)))
            boxes[side].append((x, ch, x + 1, max(ch, height - ch)))
            boxes[f"bottom-{side}"].append((x, max(ch, height - ch), x + 1, last_y))
    return {part: [b for b in found if b[0] < b[2] and b[1] < b[3]] for part, found in boxes.items()}


def border_white_by_part(image: Image.Image) -> dict[str, float]:
    """The share of pure-white pixels in each part of the outermost frame (``BORDER_PARTS``)."""
    mask = _white_mask(image)
    shares: dict[str, float] = {}
    for part, boxes in _border_boxes(*mask.size).items():
        counted = total = 0
        for box in boxes:
            histogram = mask.crop(box).histogram()
            counted += histogram[255]
            total += sum(histogram)
        if total:
            shares[part] = counted / total
    return shares


def border_white_ratio(image: Image.Image) -> float:
    """The share of the outermost pixels (the frame one pixel wide) that are pure white."""
    mask = _white_mask(image)
    width, height = mask.size
    strips = [(0, 0, width, 1), (0, height - 1, width, height)] if height > 1 else [(0, 0, width, 1)]
    if height > 2:
        strips += [(0, 1, 1, height - 1), (width - 1, 1, width, height - 1)]
    counted = total = 0
    for box in strips:
        histogram = mask.crop(box).histogram()
        counted += histogram[255]
        total += sum(histogram)
    return counted / total if total else 0.0


def _part_names() -> dict[str, str]:
    return {
        "top-left": _("the top-left corner"), "top": _("the top edge"), "top-right": _("the top-right corner"),
        "right": _("the right edge"), "bottom-right": _("the bottom-right corner"), "bottom": _("the bottom edge"),
        "bottom-left": _("the bottom-left corner"), "left": _("the left edge"),
    }


def non_white_parts(image: Image.Image) -> list[str]:
    """The parts of the frame (``BORDER_PARTS``) that are not pure white, clockwise from the top-left."""
    shares = border_white_by_part(image)
    return [part for part in BORDER_PARTS if part in shares and shares[part] < BORDER_WHITE_MIN]


def product_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """The bounding box (left, top, right, bottom) of the product's pixels, or None for a blank image."""
    rgb = _flatten(image)
    # Darkest channel below NEAR_WHITE marks a product pixel.
    mask = ImageChops.invert(rgb).convert("L").point(lambda v: 255 if v > 255 - NEAR_WHITE else 0)
    return mask.getbbox()


def product_fill(image: Image.Image) -> float | None:
    """The product's longest extent relative to the frame (bounding box of the non-white pixels), or None."""
    box = product_box(image)
    if box is None:
        return None
    left, top, right, bottom = box
    return max((right - left) / image.width, (bottom - top) / image.height)


def check_image(image: Image.Image) -> list[Problem]:
    """Format, size, pure white background and fill of an opened main image; each message says where."""
    problems: list[Problem] = []
    if image.format not in IMAGE_FORMATS:
        problems.append(Problem("image_format", ERROR,
                                _("The image is %(format)s; use JPEG or PNG.")
                                % {"format": image.format or _("of an unknown format")}, "main_image"))
    longest = max(image.size)
    if longest < IMAGE_MIN_SIDE:
        problems.append(Problem("image_small", WARNING,
                                _("The image is %(w)d × %(h)d px; at least %(min)d px on the longest side "
                                  "lets buyers zoom.") % {"w": image.width, "h": image.height,
                                                          "min": IMAGE_MIN_SIDE}, "main_image"))
    white = border_white_ratio(image)
    if white < BORDER_WHITE_MIN:
        names = _part_names()
        where = ", ".join(names[part] for part in non_white_parts(image))
        problems.append(Problem("image_background", ERROR,
                                _("The background is not pure white (RGB 255, 255, 255) at %(where)s: only "
                                  "%(pct)d %% of the edge pixels are.")
                                % {"where": where or _("the edges"), "pct": int(white * 100)}, "main_image"))
    box = product_box(image)
    if box is None:
        problems.append(Problem("image_empty", ERROR, _("The image is blank: no product is visible."),
                                "main_image"))
    else:
        left, top, right, bottom = box
        fill = max((right - left) / image.width, (bottom - top) / image.height)
        if fill < IMAGE_FILL_MIN:
            problems.append(Problem("image_fill", WARNING,
                                    _("The product fills %(pct)d %% of the frame (%(w)d × %(h)d px of %(iw)d × "
                                      "%(ih)d, from %(x)d, %(y)d); it should fill at least %(min)d %%.")
                                    % {"pct": int(fill * 100), "min": int(IMAGE_FILL_MIN * 100),
                                       "w": right - left, "h": bottom - top, "iw": image.width, "ih": image.height,
                                       "x": left, "y": top}, "main_image"))
    return problems


def check_other_image(image: Image.Image, *, size_bytes: int | None = None) -> list[Problem]:
    """Format and size of one of the other images (JPEG, PNG, GIF or TIFF; at least 500 px; at most 10 MB)."""
    problems: list[Problem] = []
    if image.format not in OTHER_IMAGE_FORMATS:
        problems.append(Problem("image_format", ERROR,
                                _("The image is %(format)s; use JPEG, PNG, GIF or TIFF.")
                                % {"format": image.format or _("of an unknown format")}, "images"))
    if max(image.size) < OTHER_IMAGE_MIN_SIDE:
        problems.append(Problem("image_too_small", ERROR,
                                _("The image is %(w)d × %(h)d px; Amazon needs at least %(min)d px on the longest "
                                  "side.") % {"w": image.width, "h": image.height, "min": OTHER_IMAGE_MIN_SIDE},
                                "images"))
    elif max(image.size) < IMAGE_MIN_SIDE:
        problems.append(Problem("image_small", WARNING,
                                _("The image is %(w)d × %(h)d px; at least %(min)d px on the longest side "
                                  "lets buyers zoom.") % {"w": image.width, "h": image.height,
                                                          "min": IMAGE_MIN_SIDE}, "images"))
    if size_bytes is not None and size_bytes > IMAGE_MAX_BYTES:
        problems.append(Problem("image_too_large", ERROR,
                                _("The file is %(mb).1f MB; Amazon takes at most %(max)d MB.")
                                % {"mb": size_bytes / 1024 / 1024, "max": IMAGE_MAX_BYTES // 1024 // 1024},
                                "images"))
    return problems


def check_other_image_file(file: IO[bytes], *, size_bytes: int | None = None) -> list[Problem]:
    """Open ``file`` with Pillow and check it as one of the other images."""
    try:
        with Image.open(file) as image:
            image.load()
            return check_other_image(image, size_bytes=size_bytes)
    except (UnidentifiedImageError, OSError, ValueError):
        return [Problem("image_unreadable", ERROR, _("The image file cannot be read."), "images")]


def check_image_file(file: IO[bytes] | str) -> list[Problem]:
    """Open ``file`` with Pillow and check it; a file Pillow cannot read is one problem."""
    try:
        with Image.open(file) as image:
            image.load()
            return check_image(image)
    except (UnidentifiedImageError, OSError, ValueError):
        return [Problem("image_unreadable", ERROR, _("The image file cannot be read."), "main_image")]


def summary(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    problems = list(problems)
    errors = sum(1 for p in problems if p.is_error)
    return errors, len(problems) - errors
