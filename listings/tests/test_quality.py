"""Listing-quality checks: titles, content and main images generated here with Pillow."""

from __future__ import annotations

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw

from core.marketplaces import MARKETPLACES
from listings.quality import (
    ERROR,
    TITLE_MAX_BY_MARKETPLACE,
    WARNING,
    Problem,
    border_white_ratio,
    check_attributes,
    check_content,
    check_image,
    check_image_file,
    check_listing_text,
    check_offer,
    check_other_image,
    check_other_image_file,
    check_title_length,
    check_title_shape,
    compose_title,
    listing_publishable,
    non_white_parts,
    product_fill,
    text_length,
    title_max,
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
    (["a"] * 6, {"bullets_many": ERROR}),
    (None, {"bullets_missing": ERROR}),
])
def test_bullet_points(bullets, expected):
    assert codes(check_content(brand="B", bullets=bullets, description="D")) == expected


def test_missing_brand_and_description():
    assert codes(check_content(brand=" ", bullets=["a", "b", "c"], description="")) == {
        "brand_missing": ERROR, "description_missing": WARNING}


def test_listing_text_without_an_image_flags_the_image():
    listing = SimpleNamespace(title=GOOD_TITLE, brand="Anker", bullets=["a", "b", "c"], description="d",
                              price="19.99", currency="USD", main_image=None)
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


# Every rule of the listing editor --------------------------------------------------------------------------

def listing(**overrides) -> SimpleNamespace:
    fields = {"title": GOOD_TITLE, "brand": "Anker", "bullets": ["Fast", "Safe", "Slim"], "description": "A pad.",
              "price": Decimal("19.99"), "currency": "USD", "handling_time_days": 2, "product_type": "PRODUCT",
              "attributes": {"color": "Black"}, "main_image": "listings/a.png"}
    fields.update(overrides)
    return SimpleNamespace(**fields)


def test_a_complete_listing_has_no_problem_and_is_publishable():
    problems = check_listing_text(listing(), marketplace="US", required_attributes=["item_name", "color"])
    assert problems == []
    assert listing_publishable(problems) == (True, False)


def test_publishable_needs_no_error_and_a_confirmation_for_warnings():
    warning = Problem("title_long", WARNING, "long")
    error = Problem("price_missing", ERROR, "no price")
    assert listing_publishable([warning]) == (True, True)
    assert listing_publishable([warning, error]) == (False, False)
    assert listing_publishable([]) == (True, False)


def test_every_marketplace_has_a_title_limit_and_the_general_rule_is_200():
    assert set(TITLE_MAX_BY_MARKETPLACE) == set(MARKETPLACES)
    assert title_max("US") == title_max("JP") == title_max(None) == title_max("XX") == 200


def test_the_title_limit_is_read_for_the_marketplace(monkeypatch):
    monkeypatch.setitem(TITLE_MAX_BY_MARKETPLACE, "JP", 100)
    assert codes(check_title_length("a" * 150, marketplace="JP")) == {"title_too_long": ERROR}
    assert codes(check_title_length("a" * 150, marketplace="US")) == {"title_long": WARNING}


def test_amazon_counts_characters_not_bytes():
    chinese = "无线充电器" * 40  # 200 characters, 600 bytes in UTF-8
    assert text_length(chinese) == 200
    assert codes(check_title_length(chinese)) == {"title_long": WARNING}
    assert codes(check_title_length(chinese + "器")) == {"title_too_long": ERROR}
    # A decomposed accent (e + U+0301) is one character, as Amazon shows it.
    assert text_length("Cafe\u0301") == 4


def test_the_title_is_composed_from_brand_core_function_and_key_attributes():
    assert compose_title(brand="Anker", core_function="Wireless Charger 15W",
                         key_attributes="Qi-Certified, Black") == "Anker Wireless Charger 15W, Qi-Certified, Black"
    assert compose_title(brand=" Anker ", core_function="", key_attributes="") == "Anker"
    assert compose_title(brand="", core_function="", key_attributes=", Black") == "Black"
    assert compose_title(brand="", core_function="", key_attributes="") == ""


@pytest.mark.parametrize(("title", "expected"), [
    ("Yoga Mat Yoga Block Yoga Strap", {"title_repeated": ERROR}),
    ("Yoga mat, yoga block and YOGA strap", {"title_repeated": ERROR}),
    ("Yoga Mat and Yoga Block", {}),
    ("Mat for Kids, for Adults, for Travel", {}),  # prepositions may repeat
    ("Set of 3 Bowls of Steel with Lids of Glass", {}),
])
def test_a_word_may_appear_at_most_twice(title, expected):
    assert codes(check_title_shape(title)) == expected


def test_the_repeated_words_are_named():
    (problem,) = check_title_shape("Cable Cable Cable USB")
    assert "“cable” ×3" in problem.message and problem.field == "title"


def test_prohibited_characters_are_allowed_in_the_brand_name():
    assert check_title_shape("Yahoo! Travel Mug, 350 ml", brand="Yahoo!") == []
    assert codes(check_title_shape("Yahoo! Travel Mug!", brand="Yahoo!")) == {"title_characters": ERROR}


def test_a_title_in_capitals_is_flagged():
    problems = check_title_shape("YOGA MAT NON SLIP")
    assert codes(problems) == {"title_caps": WARNING}
    assert "capitals" in problems[0].message
    assert check_title_shape("USB-C Cable, 2 m") == []


@pytest.mark.parametrize(("bullets", "expected"), [
    (["a" * 500, "b", "c"], {}),
    (["a" * 501, "b", "c"], {"bullet_too_long": ERROR}),
    (["MADE OF STEEL AND GLASS", "b", "c"], {"bullet_caps": WARNING}),
])
def test_each_bullet_point(bullets, expected):
    assert codes(check_content(brand="B", bullets=bullets, description="D")) == expected


def test_a_long_bullet_names_its_place():
    (problem,) = check_content(brand="B", bullets=["a", "", "x" * 600, "c"], description="D")
    assert problem.field == "bullet_3" and "600" in problem.message and "500" in problem.message


@pytest.mark.parametrize(("length", "expected"), [(2000, {}), (2001, {"description_too_long": ERROR})])
def test_description_length(length, expected):
    assert codes(check_content(brand="B", bullets=["a", "b", "c"], description="d" * length)) == expected


@pytest.mark.parametrize(("price", "currency", "expected"), [
    (Decimal("19.99"), "USD", {}),
    (None, "USD", {"price_missing": ERROR}),
    ("", "USD", {"price_missing": ERROR}),
    ("abc", "USD", {"price_missing": ERROR}),
    (Decimal("0"), "USD", {"price_not_positive": ERROR}),
    (Decimal("-1"), "USD", {"price_not_positive": ERROR}),
    (Decimal("19.99"), "", {"currency_missing": ERROR}),
    (Decimal("19.99"), "EUR", {"currency_other": WARNING}),
])
def test_price_and_currency(price, currency, expected):
    assert codes(check_offer(price=price, currency=currency, marketplace="US")) == expected


@pytest.mark.parametrize(("days", "expected"), [
    (None, {}), (1, {}), (30, {}), (0, {"handling_time_range": ERROR}), (31, {"handling_time_range": ERROR}),
    ("x", {"handling_time_range": ERROR}),
])
def test_handling_time_is_1_to_30_days(days, expected):
    assert codes(check_offer(price=1, currency="USD", handling_time_days=days)) == expected


def test_each_missing_required_attribute_is_named():
    problems = check_attributes(attributes={"color": "Black", "material": "  "},
                                required=["item_name", "brand", "color", "material", "country_of_origin"],
                                product_type="LUGGAGE", properties={"material": {"title": "Material"}})
    assert [(p.code, p.severity, p.field) for p in problems] == [
        ("attribute_missing", ERROR, "attr:material"), ("attribute_missing", ERROR, "attr:country_of_origin")]
    assert "Material (material)" in problems[0].message and "LUGGAGE" in problems[0].message
    assert "Country of Origin (country_of_origin)" in problems[1].message  # named from the built-in set


def test_listing_text_checks_attributes_only_when_the_requirements_are_given():
    bare = listing(attributes={})
    assert check_listing_text(bare) == []
    assert codes(check_listing_text(bare, required_attributes=["color"])) == {"attribute_missing": ERROR}


def test_every_problem_of_the_listing_text_says_where_it_belongs():
    bad = listing(title="", brand="", bullets=[], description="", price=None, currency="", handling_time_days=40,
                  attributes={}, main_image=None)
    problems = check_listing_text(bad, marketplace="US", required_attributes=["color"])
    assert {p.code: p.field for p in problems} == {
        "title_missing": "title", "brand_missing": "brand", "bullets_missing": "bullets",
        "description_missing": "description", "price_missing": "price", "currency_missing": "currency",
        "handling_time_range": "handling_time_days", "attribute_missing": "attr:color", "image_missing": "main_image"}


# Where an image fails -------------------------------------------------------------------------------------

def test_a_dark_corner_is_named():
    image = Image.new("RGB", (1000, 1000), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle([100, 100, 899, 899], fill=(10, 10, 10))
    draw.rectangle([0, 0, 60, 60], fill=(90, 90, 90))  # a shadow in the top-left corner
    image.format = "PNG"
    assert non_white_parts(image) == ["top-left"]
    (problem,) = [p for p in check_image(image) if p.code == "image_background"]
    assert "the top-left corner" in problem.message


def test_a_grey_band_along_the_bottom_is_named():
    image = Image.new("RGB", (1000, 1000), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.rectangle([100, 100, 899, 899], fill=(10, 10, 10))
    draw.rectangle([0, 980, 999, 999], fill=(230, 230, 230))  # a grey floor
    image.format = "PNG"
    parts = non_white_parts(image)
    assert {"bottom", "bottom-left", "bottom-right"} <= set(parts) and "top" not in parts
    message = next(p for p in check_image(image) if p.code == "image_background").message
    assert "the bottom edge" in message and "the top edge" not in message


def test_the_fill_message_says_how_much_and_where():
    image = product_image(size=1000, fill=0.6)
    (problem,) = [p for p in check_image(image) if p.code == "image_fill"]
    assert "60 %" in problem.message and "of 1000 × 1000" in problem.message and "85 %" in problem.message


@pytest.mark.parametrize(("size", "kind", "expected"), [
    (1200, "PNG", {}),
    (1200, "GIF", {}),
    (800, "JPEG", {"image_small": WARNING}),
    (400, "PNG", {"image_too_small": ERROR}),
    (1200, "BMP", {"image_format": ERROR}),
])
def test_other_images_format_and_size(size, kind, expected):
    image = product_image(size=size, kind=kind)
    assert codes(check_other_image(image)) == expected


def test_other_images_may_not_exceed_10_mb():
    assert codes(check_other_image(product_image(), size_bytes=11 * 1024 * 1024)) == {"image_too_large": ERROR}
    assert codes(check_other_image_file(io.BytesIO(b"nope"))) == {"image_unreadable": ERROR}
