"""Amazon product types: what each one requires of a listing, from Amazon's definitions or a built-in fallback.

Amazon's Product Type Definitions API describes a product type as a JSON Schema: ``required`` names the
attributes a listing must carry, and each property is an array of objects whose ``value`` holds what the seller
types (with ``enum``/``enumNames`` when the value is picked from a list). ``definition_from_schema`` turns such a
schema into the two fields ``ProductTypeDefinition`` caches; ``BUILTIN_PRODUCT_TYPES`` answers when nothing is
cached. Pure data and functions: no database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

#: Amazon attributes that the listing's own fields carry: the editor asks for these through those fields (title,
#: brand, bullets…), never a second time as attributes.
FIELD_ATTRIBUTES: dict[str, str] = {
    "item_name": "title",
    "brand": "brand",
    "bullet_point": "bullets",
    "product_description": "description",
    "condition_type": "condition",
    "purchasable_offer": "price",
    "list_price": "price",
    "fulfillment_availability": "quantity",
    "main_product_image_locator": "main_image",
}

#: Amazon's condition values (``condition_type``) a listing can be offered in.
CONDITIONS = [
    ("new_new", _("New")),
    ("new_open_box", _("New – open box")),
    ("new_oem", _("New – OEM")),
    ("refurbished_refurbished", _("Refurbished")),
    ("used_like_new", _("Used – like new")),
    ("used_very_good", _("Used – very good")),
    ("used_good", _("Used – good")),
    ("used_acceptable", _("Used – acceptable")),
    ("collectible_like_new", _("Collectible – like new")),
    ("collectible_very_good", _("Collectible – very good")),
    ("collectible_good", _("Collectible – good")),
    ("collectible_acceptable", _("Collectible – acceptable")),
]

_DG_HZ = {"enum": ["not_applicable", "ghs", "storage", "transportation", "waste", "other", "unknown"],
          "enum_names": ["Not Applicable", "GHS", "Storage", "Transportation", "Waste", "Other", "Unknown"]}
_YES_NO = {"type": "boolean", "enum": ["false", "true"], "enum_names": ["No", "Yes"]}

#: The attributes the built-in product types ask for, in the shape of ``ProductTypeDefinition.properties``.
BUILTIN_PROPERTIES: dict[str, dict[str, Any]] = {
    "item_name": {"title": "Title", "type": "string", "max_length": 200},
    "brand": {"title": "Brand Name", "type": "string", "max_length": 100},
    "bullet_point": {"title": "Bullet Point", "type": "string", "max_length": 500, "multiple": True},
    "product_description": {"title": "Product Description", "type": "string", "max_length": 2000},
    "manufacturer": {"title": "Manufacturer", "type": "string", "examples": ["Shenzhen Anker Innovations"]},
    "model_number": {"title": "Model Number", "type": "string", "examples": ["A2503"]},
    "model_name": {"title": "Model Name", "type": "string", "examples": ["PowerWave Pad"]},
    "color": {"title": "Color", "type": "string", "examples": ["Black"]},
    "size": {"title": "Size", "type": "string", "examples": ["Large", "20 inch"]},
    "material": {"title": "Material", "type": "string", "examples": ["Polycarbonate"]},
    "fabric_type": {"title": "Fabric Type", "type": "string", "examples": ["100% Cotton"]},
    "department": {"title": "Department", "type": "string", "examples": ["Womens", "Unisex Adult"]},
    "item_type_keyword": {"title": "Item Type Keyword", "type": "string", "examples": ["carry-on-luggage"]},
    "country_of_origin": {"title": "Country of Origin", "type": "string",
                          "enum": ["CN", "US", "JP", "DE", "GB", "VN", "IN", "TW", "KR", "MX"],
                          "enum_names": ["China", "United States", "Japan", "Germany", "United Kingdom", "Vietnam",
                                         "India", "Taiwan", "South Korea", "Mexico"]},
    "supplier_declared_dg_hz_regulation": {"title": "Dangerous Goods Regulations", "type": "string", **_DG_HZ},
    "batteries_required": {"title": "Are batteries required?", **_YES_NO},
    "included_components": {"title": "Included Components", "type": "string", "examples": ["Charging cable"]},
    "number_of_items": {"title": "Number of Items", "type": "integer", "examples": ["1"]},
}

_COMMON = ("item_name", "brand", "bullet_point", "product_description", "country_of_origin",
           "supplier_declared_dg_hz_regulation")

#: Common product types and the attributes Amazon requires of each, used when no definition is cached.
BUILTIN_PRODUCT_TYPES: dict[str, tuple[str, ...]] = {
    "PRODUCT": (*_COMMON, "color", "item_type_keyword"),
    "HOME": (*_COMMON, "manufacturer", "color", "material", "item_type_keyword"),
    "HOME_ORGANIZERS_AND_STORAGE": (*_COMMON, "manufacturer", "color", "material", "size"),
    "KITCHEN": (*_COMMON, "manufacturer", "model_number", "color", "material"),
    "LUGGAGE": (*_COMMON, "manufacturer", "model_number", "color", "size", "material", "department"),
    "SHIRT": (*_COMMON, "color", "size", "fabric_type", "department"),
    "CELLULAR_PHONE_CASE": (*_COMMON, "manufacturer", "model_number", "color", "material"),
    "CHARGING_ADAPTER": (*_COMMON, "manufacturer", "model_number", "color", "batteries_required"),
    "ELECTRONIC_CABLE": (*_COMMON, "manufacturer", "model_number", "color", "included_components"),
    "SPORTING_GOODS": (*_COMMON, "manufacturer", "color", "size", "material"),
    "TOYS_AND_GAMES": (*_COMMON, "manufacturer", "model_number", "color", "batteries_required"),
    "PET_SUPPLIES": (*_COMMON, "manufacturer", "color", "size", "material"),
}
DEFAULT_PRODUCT_TYPE = "PRODUCT"


def builtin_definition(product_type: str) -> tuple[list[str], dict[str, dict[str, Any]]] | None:
    """The built-in (required, properties) of ``product_type``, or None if it is not one of them."""
    required = BUILTIN_PRODUCT_TYPES.get(product_type)
    if required is None:
        return None
    return list(required), {name: dict(BUILTIN_PROPERTIES[name]) for name in required}


def attributes_to_ask(required: Iterable[str]) -> list[str]:
    """The required attributes the editor asks for one by one: those no listing field already carries."""
    return [name for name in required if name not in FIELD_ATTRIBUTES]


# Conversion from Amazon's JSON Schema ------------------------------------------------------------------------

def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _as_strings(values: Iterable[Any]) -> list[str]:
    """Enum values as the form submits them: JSON booleans as ``"true"``/``"false"``, the rest as text."""
    return [("true" if v else "false") if isinstance(v, bool) else str(v) for v in values]


def _enum(spec: Mapping[str, Any]) -> tuple[list[str], list[str]]:
    """The enum of a value spec, also when it sits in one branch of ``anyOf``/``oneOf`` (open lists)."""
    if isinstance(spec.get("enum"), list):
        values = spec["enum"]
        names: list[Any] = spec["enumNames"] if isinstance(spec.get("enumNames"), list) else values
        return _as_strings(values), [str(n) for n in names]
    for key in ("anyOf", "oneOf"):
        branches: Any = spec.get(key) or []
        for branch in branches:
            if isinstance(branch, Mapping) and isinstance(branch.get("enum"), list):
                return _enum(branch)
    return [], []


def _resolve(spec: Any, defs: Mapping[str, Any]) -> Mapping[str, Any]:
    if isinstance(spec, Mapping) and isinstance(spec.get("$ref"), str) and spec["$ref"].startswith("#/$defs/"):
        return defs.get(spec["$ref"].removeprefix("#/$defs/"), {})
    return spec if isinstance(spec, Mapping) else {}


def property_from_schema(spec: Mapping[str, Any], defs: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """One attribute's entry of ``ProductTypeDefinition.properties`` from its JSON Schema property."""
    defs = defs or {}
    items = _resolve(spec.get("items"), defs)
    inner: Mapping[str, Any] = items["properties"] if isinstance(items.get("properties"), Mapping) else {}
    value: Mapping[str, Any] = _resolve(inner.get("value"), defs) if "value" in inner else {}
    entry: dict[str, Any] = {
        "title": _text(spec.get("title")) or _text(value.get("title")),
        "description": _text(spec.get("description")) or _text(value.get("description")),
        "examples": [str(e) for e in (spec.get("examples") or value.get("examples") or [])][:3],
    }
    if value:
        kind = value.get("type")
        entry["type"] = kind if kind in ("string", "number", "integer", "boolean") else "string"
        enum, names = _enum(value)
        if enum:
            entry["enum"], entry["enum_names"] = enum, names
        if isinstance(value.get("maxLength"), int):
            entry["max_length"] = value["maxLength"]
    else:
        # Several values together (dimensions, offers, battery details): asked as one line of text.
        entry["type"] = "object"
        entry["fields"] = sorted(name for name in inner if name not in ("marketplace_id", "language_tag"))
    max_unique = spec.get("maxUniqueItems")
    if isinstance(max_unique, int) and max_unique > 1:
        entry["multiple"] = True
    return entry


def definition_from_schema(schema_json: Mapping[str, Any] | str) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """(required, properties) of a product type from Amazon's JSON Schema (the document, or its text).

    ``required`` keeps the schema's top-level order; ``properties`` holds an entry for every top-level property
    (see ``ProductTypeDefinition``). Conditional requirements (``allOf``/``if``) are not applied: they depend on
    other values and Amazon reports them when the listing is submitted.
    """
    if isinstance(schema_json, str):
        schema_json = json.loads(schema_json)
    assert isinstance(schema_json, Mapping)
    defs: Mapping[str, Any] = schema_json["$defs"] if isinstance(schema_json.get("$defs"), Mapping) else {}
    raw_properties: Mapping[str, Any] = (schema_json["properties"]
                                         if isinstance(schema_json.get("properties"), Mapping) else {})
    properties = {name: property_from_schema(spec, defs) for name, spec in raw_properties.items()
                  if isinstance(spec, Mapping)}
    required = [name for name in (schema_json.get("required") or []) if isinstance(name, str)]
    return required, properties
