"""Listing-quality checks: titles, content and main images generated here with Pillow."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw

from listings.quality import (
    ERROR,
    WARNING,
    border_white_ratio,
    check_content,
    check_image,
    check_image_file,
    check_listing_text,
    check_title_length,
    check_title_shape,
    product_fill,
)

GOOD_TITLE = "Anker Wireless Charger 15W, Qi-Certified Pad for iPhone 15 and Galaxy S24, Black"


def codes(problems) -> dict[str, str]:
    return {p.code: p.severity for p in problems}


def product_image(size: int = 1200, fill: float = 0.9, background=(255, 255, 255), kind: str = "PNG",
                  mode: str = "RGB") -> Image.Image:
    """A square ``size`` image: ``background`` with a dark rectangle ``fill`` of the frame wide, centred."""
    image = Image.new(mode, (size, size), background if mode == "RGB" else (*background, 255))
    side = int(size * fill)
    start = (size - side) // 2
    ImageDraw.Draw(image).rectangle([start, start + side // 4, start + side - 1, start + side * 3 // 4],
                                    fill=(30, 60, 90))
    buffer = io.BytesIO()
    image.save(buffer, format=kind, **({"quality": 95} if kind == "JPEG" else {}))
    buffer.seek(0)
    return Image.open(buffer)


# Titles ---------------------------------------------------------------------------------------------------

def test_a_good_title_passes():
    assert check_title_length(GOOD_TITLE) == []
    assert check_title_shape(GOOD_TITLE) == []


@pytest.mark.parametrize(("length", "expected"), [
    (0, {"title_missing": ERROR}),
    (80, {}),
    (81, {"title_long": WARNING}),
    (200, {"title_long": WARNING}),
    (201, {"title_too_long": ERROR}),
])
def test_title_length(length, expected):
    assert codes(check_title_length("a" * length)) == expected


def test_a_long_title_says_how_long():
    (problem,) = check_title_length("x" * 230)
    assert "230" in problem.message and "200" in problem.message


@pytest.mark.parametrize("title", [
    "Wireless Charger FREE SHIPPING", "Best Seller Yoga Mat", "Hot Sale water bottle 1L",
    "Water bottle - free delivery",
])
def test_promotional_wording_is_an_error(title):
    problems = check_title_shape(title)
    assert codes(problems) == {"title_promotional": ERROR}


def test_promotional_phrases_match_whole_words_only():
    assert check_title_shape("Saleen car cover, wholesale pack of 2") == []


@pytest.mark.parametrize("char", list("!$?{}^~#<>"))
def test_prohibited_characters_are_an_error(char):
    problems = check_title_shape(f"Yoga mat {char} 6 mm")
    assert codes(problems) == {"title_characters": ERROR}
    assert char in problems[0].message


@pytest.mark.parametrize("title", ["Yoga mat 🔥 6 mm", "Water bottle ⭐ 1 L", "Charger ❤️ pad"])
def test_emoji_are_an_error(title):
    assert codes(check_title_shape(title))["title_emoji"] == ERROR


def test_a_few_acronyms_are_fine_but_shouting_is_not():
    assert check_title_shape("USB C to HDMI adapter with LED, 4K") == []
    shouting = check_title_shape("SUPER STRONG WATERPROOF PHONE CASE for iPhone")
    assert codes(shouting) == {"title_caps": WARNING}
    assert "5 words" in shouting[0].message


# Content --------------------------------------------------------------------------------------------------

def test_complete_content_passes():
    assert check_content(brand="Anker", bullets=["a", "b", "c", "d", "e"], description="Text") == []


@pytest.mark.parametrize(("bullets", "expected"), [
    ([], {"bullets_missing": ERROR}),
    (["", "  "], {"bullets_missing": ERROR}),
    (["a", "b"], {"bullets_few": WARNING}),
    (["a", "b", "c"], {}),
    (["a"] * 6, {"bullets_many": WARNING}),
    (None, {"bullets_missing": ERROR}),
])
def test_bullet_points(bullets, expected):
    assert codes(check_content(brand="B", bullets=bullets, description="D")) == expected


def test_missing_brand_and_description():
    assert codes(check_content(brand=" ", bullets=["a", "b", "c"], description="")) == {
        "brand_missing": ERROR, "description_missing": WARNING}


def test_listing_text_without_an_image_flags_the_image():
    listing = SimpleNamespace(title=GOOD_TITLE, brand="Anker", bullets=["a", "b", "c"], description="d",
                              main_image=None)
    assert codes(check_listing_text(listing)) == {"image_missing": ERROR}
    listing.main_image = "listings/a.jpg"
    assert check_listing_text(listing) == []


# Images ---------------------------------------------------------------------------------------------------

def test_a_compliant_image_passes():
    image = product_image(size=1200, fill=0.9)
    assert border_white_ratio(image) == 1.0
    assert product_fill(image) == pytest.approx(0.9, abs=0.01)
    assert check_image(image) == []


def test_a_compliant_jpeg_passes_despite_compression_noise():
    assert check_image(product_image(size=1500, fill=0.95, kind="JPEG")) == []


@pytest.mark.parametrize(("fill", "flagged"), [(0.5, True), (0.84, True), (0.86, False), (1.0, False)])
def test_the_product_must_fill_85_percent(fill, flagged):
    problems = codes(check_image(product_image(size=1000, fill=fill)))
    assert ("image_fill" in problems) is flagged
    if flagged:
        assert problems["image_fill"] == WARNING


def test_a_grey_background_is_refused():
    image = product_image(background=(240, 240, 240))
    assert border_white_ratio(image) == 0.0
    problems = check_image(image)
    assert codes(problems)["image_background"] == ERROR
    assert "0 %" in next(p for p in problems if p.code == "image_background").message


def test_an_almost_white_background_is_not_pure_white():
    assert codes(check_image(product_image(background=(254, 255, 255))))["image_background"] == ERROR


def test_a_product_touching_one_edge_leaves_the_background_white():
    image = Image.new("RGB", (1000, 1000), (255, 255, 255))
    ImageDraw.Draw(image).rectangle([100, 0, 900, 5], fill=(0, 0, 0))
    image.format = "PNG"
    # 801 of the 3996 border pixels are black: 80 % white, below 99 %.
    assert border_white_ratio(image) == pytest.approx(1 - 801 / 3996)
    assert "image_background" in codes(check_image(image))


def test_a_small_image_cannot_be_zoomed():
    problems = check_image(product_image(size=600, fill=0.9))
    assert codes(problems) == {"image_small": WARNING}
    assert "600 × 600" in problems[0].message


def test_a_blank_image_shows_no_product():
    image = Image.new("RGB", (1000, 1000), (255, 255, 255))
    image.format = "PNG"
    assert codes(check_image(image)) == {"image_empty": ERROR}


def test_transparent_background_is_shown_on_white():
    image = Image.new("RGBA", (1000, 1000), (0, 0, 0, 0))
    ImageDraw.Draw(image).rectangle([50, 50, 949, 949], fill=(200, 0, 0, 255))
    image.format = "PNG"
    assert check_image(image) == []


def test_other_formats_are_refused():
    assert codes(check_image(product_image(kind="GIF")))["image_format"] == ERROR


def test_an_unreadable_file_is_one_problem():
    assert codes(check_image_file(io.BytesIO(b"not an image"))) == {"image_unreadable": ERROR}


def test_check_image_file_opens_the_file():
    buffer = io.BytesIO()
    Image.new("RGB", (800, 800), (128, 128, 128)).save(buffer, format="JPEG")
    buffer.seek(0)
    problems = codes(check_image_file(buffer))
    assert problems == {"image_small": WARNING, "image_background": ERROR}
