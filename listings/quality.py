"""Listing-quality checks from Amazon's own style rules. Pure functions: text or a Pillow image in, problems out.

Titles: at most 200 characters (80 recommended, as mobile shows about that much), no promotional phrases,
no prohibited characters, no emoji, not shouted in capitals. Content: a brand, 3–5 bullet points and a
description. Main image: JPEG or PNG, pure white background (RGB 255, 255, 255), the product filling at least
85 % of the frame, and at least 1000 px on the longest side so that zoom works.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageChops, UnidentifiedImageError

ERROR = "error"
WARNING = "warning"

TITLE_MAX = 200
TITLE_RECOMMENDED = 80
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
IMAGE_FORMATS = frozenset({"JPEG", "PNG"})
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

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR


def check_title_length(title: str) -> list[Problem]:
    """Over 200 characters is refused; over 80 is cut off on mobile."""
    length = len(title.strip())
    if length == 0:
        return [Problem("title_missing", ERROR, _("The title is missing."))]
    if length > TITLE_MAX:
        return [Problem("title_too_long", ERROR,
                        _("The title has %(n)d characters; Amazon allows at most %(max)d.")
                        % {"n": length, "max": TITLE_MAX})]
    if length > TITLE_RECOMMENDED:
        return [Problem("title_long", WARNING,
                        _("The title has %(n)d characters; keep it to %(max)d or fewer so it shows in full on "
                          "mobile.") % {"n": length, "max": TITLE_RECOMMENDED})]
    return []


def _phrase_in(phrase: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", text) is not None


def check_title_shape(title: str) -> list[Problem]:
    """No shouting, no promotion, no prohibited characters, no emoji."""
    problems: list[Problem] = []
    lowered = title.lower()
    promotional = [phrase for phrase in PROMOTIONAL_PHRASES if _phrase_in(phrase, lowered)]
    if promotional:
        problems.append(Problem("title_promotional", ERROR,
                                _("The title contains promotional wording: %(phrases)s.")
                                % {"phrases": ", ".join(f"“{p}”" for p in promotional)}))
    found = sorted({char for char in title if char in PROHIBITED_CHARACTERS}, key=PROHIBITED_CHARACTERS.index)
    if found:
        problems.append(Problem("title_characters", ERROR,
                                _("The title contains characters Amazon does not allow: %(chars)s")
                                % {"chars": " ".join(found)}))
    if _EMOJI.search(title):
        problems.append(Problem("title_emoji", ERROR, _("The title contains emoji.")))
    capitals = [word for word in _WORD.findall(title) if word.isupper()]
    if len(capitals) > CAPS_WORDS_MAX:
        problems.append(Problem("title_caps", WARNING,
                                _("The title has %(n)d words in capitals; capitalise only the first letter of "
                                  "each word.") % {"n": len(capitals)}))
    return problems


def check_content(*, brand: str, bullets: Iterable[Any] | None, description: str) -> list[Problem]:
    """A brand, three to five bullet points and a description."""
    problems: list[Problem] = []
    if not (brand or "").strip():
        problems.append(Problem("brand_missing", ERROR, _("The brand is missing.")))
    filled = [b for b in (bullets or []) if str(b).strip()]
    if not filled:
        problems.append(Problem("bullets_missing", ERROR, _("There are no bullet points.")))
    elif len(filled) < BULLETS_MIN:
        problems.append(Problem("bullets_few", WARNING,
                                ngettext("Only %(n)d bullet point; add at least %(min)d.",
                                         "Only %(n)d bullet points; add at least %(min)d.", len(filled))
                                % {"n": len(filled), "min": BULLETS_MIN}))
    elif len(filled) > BULLETS_MAX:
        problems.append(Problem("bullets_many", WARNING,
                                _("%(n)d bullet points; Amazon shows only the first %(max)d.")
                                % {"n": len(filled), "max": BULLETS_MAX}))
    if not (description or "").strip():
        problems.append(Problem("description_missing", WARNING, _("The description is missing.")))
    return problems


def check_listing_text(listing: Any) -> list[Problem]:
    """Every check that needs only the listing's fields (not its image file)."""
    problems = check_title_length(listing.title or "") + check_title_shape(listing.title or "")
    problems += check_content(brand=listing.brand, bullets=listing.bullets, description=listing.description)
    if not listing.main_image:
        problems.append(Problem("image_missing", ERROR, _("There is no main image.")))
    return problems


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with transparent areas shown on white as Amazon shows them."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    return image.convert("RGB")


def border_white_ratio(image: Image.Image) -> float:
    """The share of the outermost pixels (the frame one pixel wide) that are pure white."""
    red, green, blue = _flatten(image).split()
    white = [channel.point(lambda v: 255 if v == 255 else 0) for channel in (red, green, blue)]
    mask = ImageChops.multiply(ImageChops.multiply(white[0], white[1]), white[2])
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


def product_fill(image: Image.Image) -> float | None:
    """The product's longest extent relative to the frame (bounding box of the non-white pixels), or None."""
    rgb = _flatten(image)
    # Darkest channel below NEAR_WHITE marks a product pixel.
    mask = ImageChops.invert(rgb).convert("L").point(lambda v: 255 if v > 255 - NEAR_WHITE else 0)
    box = mask.getbbox()
    if box is None:
        return None
    left, top, right, bottom = box
    return max((right - left) / rgb.width, (bottom - top) / rgb.height)


def check_image(image: Image.Image) -> list[Problem]:
    """Format, size, pure white background and fill of an opened main image."""
    problems: list[Problem] = []
    if image.format not in IMAGE_FORMATS:
        problems.append(Problem("image_format", ERROR,
                                _("The image is %(format)s; use JPEG or PNG.")
                                % {"format": image.format or _("of an unknown format")}))
    longest = max(image.size)
    if longest < IMAGE_MIN_SIDE:
        problems.append(Problem("image_small", WARNING,
                                _("The image is %(w)d × %(h)d px; at least %(min)d px on the longest side "
                                  "lets buyers zoom.") % {"w": image.width, "h": image.height,
                                                          "min": IMAGE_MIN_SIDE}))
    white = border_white_ratio(image)
    if white < BORDER_WHITE_MIN:
        problems.append(Problem("image_background", ERROR,
                                _("The background is not pure white (RGB 255, 255, 255): only %(pct)d %% of "
                                  "the edge pixels are.") % {"pct": int(white * 100)}))
    fill = product_fill(image)
    if fill is None:
        problems.append(Problem("image_empty", ERROR, _("The image is blank: no product is visible.")))
    elif fill < IMAGE_FILL_MIN:
        problems.append(Problem("image_fill", WARNING,
                                _("The product fills %(pct)d %% of the frame; it should fill at least %(min)d %%.")
                                % {"pct": int(fill * 100), "min": int(IMAGE_FILL_MIN * 100)}))
    return problems


def check_image_file(file: IO[bytes] | str) -> list[Problem]:
    """Open ``file`` with Pillow and check it; a file Pillow cannot read is one problem."""
    try:
        with Image.open(file) as image:
            image.load()
            return check_image(image)
    except (UnidentifiedImageError, OSError, ValueError):
        return [Problem("image_unreadable", ERROR, _("The image file cannot be read."))]


def summary(problems: Iterable[Problem]) -> tuple[int, int]:
    """(errors, warnings)."""
    problems = list(problems)
    errors = sum(1 for p in problems if p.is_error)
    return errors, len(problems) - errors
