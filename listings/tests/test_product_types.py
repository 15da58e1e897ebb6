"""Product types: Amazon's JSON Schema converted into what the editor asks for, and the built-in fallback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from listings.product_types import (
    BUILTIN_PRODUCT_TYPES,
    BUILTIN_PROPERTIES,
    FIELD_ATTRIBUTES,
    attributes_to_ask,
    builtin_definition,
    definition_from_schema,
)

FIXTURE = Path(__file__).parent / "fixtures" / "product_type_PRODUCT_US.json"


@pytest.fixture(scope="module")
def product() -> tuple[list[str], dict]:
    return definition_from_schema(json.loads(FIXTURE.read_text(encoding="utf-8")))


def test_the_required_attributes_keep_amazons_order(product):
    required, _properties = product
    assert required == ["brand", "bullet_point", "color", "country_of_origin", "item_name", "item_type_keyword",
                        "product_description", "supplier_declared_dg_hz_regulation"]


def test_a_text_attribute_keeps_its_title_description_examples_and_length(product):
    _required, properties = product
    assert properties["color"] == {"title": "Color", "description": "Provide the color of the product",
                                   "examples": ["Cranberry"], "type": "string", "max_length": 1000}


def test_an_enum_keeps_its_values_and_labels(product):
    _required, properties = product
    country = properties["country_of_origin"]
    assert country["type"] == "string"
    assert len(country["enum"]) == len(country["enum_names"]) > 200
    assert dict(zip(country["enum"], country["enum_names"], strict=True))["CN"] == "China"
    dg = properties["supplier_declared_dg_hz_regulation"]
    assert dg["enum"][:2] == ["ghs", "not_applicable"] and dg["enum_names"][1] == "Not Applicable"
    assert dg["multiple"] is True  # maxUniqueItems 1000


def test_booleans_become_the_text_a_form_submits(product):
    _required, properties = product
    batteries = properties["batteries_required"]
    assert batteries["type"] == "boolean"
    assert batteries["enum"] == ["false", "true"] and batteries["enum_names"] == ["No", "Yes"]


def test_grouped_values_are_one_object_naming_its_parts(product):
    _required, properties = product
    dims = properties["item_package_dimensions"]
    assert dims["type"] == "object" and dims["fields"] == ["height", "length", "width"]
    assert properties["fulfillment_availability"]["type"] == "object"


def test_every_property_is_converted_and_the_text_form_gives_the_same(product):
    raw = FIXTURE.read_text(encoding="utf-8")
    assert len(product[1]) == len(json.loads(raw)["properties"]) == 61
    assert definition_from_schema(raw) == product


def test_a_schema_without_properties_gives_nothing():
    assert definition_from_schema({"required": ["brand", 3]}) == (["brand"], {})


def test_the_editor_asks_only_for_what_no_listing_field_carries(product):
    required, _properties = product
    assert attributes_to_ask(required) == ["color", "country_of_origin", "item_type_keyword",
                                           "supplier_declared_dg_hz_regulation"]


def test_every_built_in_type_is_described():
    for product_type, required in BUILTIN_PRODUCT_TYPES.items():
        definition = builtin_definition(product_type)
        assert definition is not None
        assert set(definition[0]) == set(required) <= set(BUILTIN_PROPERTIES)
        assert {"item_name", "brand", "bullet_point", "product_description"} <= set(required)
    assert builtin_definition("NOT_A_TYPE") is None
    assert "LUGGAGE" in BUILTIN_PRODUCT_TYPES and "manufacturer" in BUILTIN_PRODUCT_TYPES["LUGGAGE"]


def test_field_attributes_name_real_listing_fields():
    from listings.models import Listing

    names = {field.name for field in Listing._meta.get_fields()} | {"quantity"}
    assert set(FIELD_ATTRIBUTES.values()) <= names
