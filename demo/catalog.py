"""The demo product catalogue: products, variants, titles in the marketplace language, prices."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Product:
    key: str
    category: str
    brand: str
    titles: dict[str, str]  # language → title stem
    usd: float


P = Product
PRODUCTS: tuple[Product, ...] = (
    P(
        "tee",
        "apparel",
        "Northpeak",
        {
            "en": "Men's Merino Wool T-Shirt, Short Sleeve Base Layer",
            "de": "Herren Merino T-Shirt, Kurzarm Funktionsshirt",
            "ja": "メンズ メリノウール Tシャツ 半袖 ベースレイヤー",
        },
        39.99,
    ),
    P(
        "hoodie",
        "apparel",
        "Northpeak",
        {
            "en": "Women's Fleece Hoodie, Lightweight Full-Zip Jacket",
            "de": "Damen Fleece-Kapuzenjacke, leichte Jacke mit Reißverschluss",
            "ja": "レディース フリース パーカー 軽量 フルジップ",
        },
        49.99,
    ),
    P(
        "socks",
        "apparel",
        "Northpeak",
        {
            "en": "Hiking Socks 3-Pack, Cushioned Crew Socks",
            "de": "Wandersocken 3er-Pack, gepolsterte Trekkingsocken",
            "ja": "トレッキングソックス 3足組 クッション",
        },
        18.99,
    ),
    P(
        "leggings",
        "apparel",
        "Lumi",
        {
            "en": "High-Waist Yoga Leggings with Pockets",
            "de": "High-Waist Yoga-Leggings mit Taschen",
            "ja": "ハイウエスト ヨガレギンス ポケット付き",
        },
        29.99,
    ),
    P(
        "earbuds",
        "electronics",
        "Voltaic",
        {
            "en": "Wireless Earbuds, Bluetooth 5.3, 36H Playtime, IPX5",
            "de": "Kabellose Kopfhörer, Bluetooth 5.3, 36 Std. Spielzeit, IPX5",
            "ja": "ワイヤレスイヤホン Bluetooth 5.3 最大36時間再生 IPX5防水",
        },
        45.99,
    ),
    P(
        "charger",
        "electronics",
        "Voltaic",
        {
            "en": "65W USB-C Charger, GaN Fast Charger 3-Port",
            "de": "65W USB-C Ladegerät, GaN Schnellladegerät mit 3 Ports",
            "ja": "65W USB-C 充電器 GaN 急速充電 3ポート",
        },
        35.99,
    ),
    P(
        "cable",
        "electronics",
        "Voltaic",
        {
            "en": "USB-C to USB-C Cable 2-Pack, 6.6 ft, 100W Braided",
            "de": "USB-C auf USB-C Kabel 2 Stück, 2 m, 100W geflochten",
            "ja": "USB-C to USB-C ケーブル 2本セット 2m 100W 編組",
        },
        12.99,
    ),
    P(
        "powerbank",
        "electronics",
        "Voltaic",
        {
            "en": "Portable Charger 20000mAh Power Bank, 22.5W",
            "de": "Powerbank 20000mAh, 22,5W Schnellladung",
            "ja": "モバイルバッテリー 20000mAh 22.5W 急速充電",
        },
        32.99,
    ),
    P(
        "lamp",
        "electronics",
        "Lumen & Co",
        {
            "en": "LED Desk Lamp with Wireless Charger, Dimmable",
            "de": "LED Schreibtischlampe mit kabellosem Ladegerät, dimmbar",
            "ja": "LEDデスクライト ワイヤレス充電器付き 調光",
        },
        42.99,
    ),
    P(
        "pan",
        "kitchen",
        "Casa Verde",
        {
            "en": "Nonstick Frying Pan 11 Inch, Induction Compatible",
            "de": "Antihaft-Bratpfanne 28 cm, induktionsgeeignet",
            "ja": "フライパン 28cm IH対応 焦げ付かない",
        },
        34.99,
    ),
    P(
        "knife",
        "kitchen",
        "Casa Verde",
        {
            "en": "Chef Knife 8 Inch, German High Carbon Stainless Steel",
            "de": "Kochmesser 20 cm, rostfreier Karbonstahl",
            "ja": "牛刀 包丁 20cm 高炭素ステンレス鋼",
        },
        27.99,
    ),
    P(
        "bottle",
        "kitchen",
        "Hydrate",
        {
            "en": "Insulated Water Bottle 32 oz, Stainless Steel, Leak-Proof",
            "de": "Isolierte Trinkflasche 1 l, Edelstahl, auslaufsicher",
            "ja": "真空断熱 ステンレスボトル 1L 漏れ防止",
        },
        24.99,
    ),
    P(
        "grinder",
        "kitchen",
        "Casa Verde",
        {
            "en": "Manual Coffee Grinder, Adjustable Ceramic Burr",
            "de": "Manuelle Kaffeemühle mit Keramikmahlwerk",
            "ja": "手挽きコーヒーミル セラミック刃 粗さ調整",
        },
        38.99,
    ),
    P(
        "mat",
        "sports",
        "Lumi",
        {
            "en": "Yoga Mat 6mm Non-Slip with Carrying Strap",
            "de": "Yogamatte 6 mm rutschfest mit Tragegurt",
            "ja": "ヨガマット 6mm 滑り止め 収納ストラップ付き",
        },
        26.99,
    ),
    P(
        "bands",
        "sports",
        "Lumi",
        {
            "en": "Resistance Bands Set of 5 with Door Anchor",
            "de": "Fitnessbänder 5er-Set mit Türanker",
            "ja": "トレーニングチューブ 5本セット ドアアンカー付き",
        },
        19.99,
    ),
    P(
        "headlamp",
        "sports",
        "Northpeak",
        {
            "en": "Rechargeable Headlamp 1200 Lumen, Waterproof",
            "de": "Wiederaufladbare Stirnlampe 1200 Lumen, wasserdicht",
            "ja": "充電式 ヘッドライト 1200ルーメン 防水",
        },
        22.99,
    ),
    P(
        "blocks",
        "toys",
        "Brickbox",
        {
            "en": "Building Blocks Set 500 Pieces, STEM Toy",
            "de": "Bausteine-Set 500 Teile, MINT-Spielzeug",
            "ja": "ブロック 500ピース 知育玩具",
        },
        29.99,
    ),
    P(
        "puzzle",
        "toys",
        "Brickbox",
        {
            "en": "Jigsaw Puzzle 1000 Pieces, Mountain Lake",
            "de": "Puzzle 1000 Teile, Bergsee",
            "ja": "ジグソーパズル 1000ピース 山の湖",
        },
        16.99,
    ),
    P(
        "serum",
        "beauty",
        "Aurelle",
        {
            "en": "Vitamin C Face Serum 30 ml with Hyaluronic Acid",
            "de": "Vitamin C Serum 30 ml mit Hyaluronsäure",
            "ja": "ビタミンC 美容液 30ml ヒアルロン酸配合",
        },
        21.99,
    ),
    P(
        "brush",
        "beauty",
        "Aurelle",
        {
            "en": "Electric Toothbrush with 4 Heads, 5 Modes",
            "de": "Elektrische Zahnbürste mit 4 Aufsteckbürsten, 5 Modi",
            "ja": "電動歯ブラシ 替えブラシ4本 5モード",
        },
        39.99,
    ),
    P(
        "organizer",
        "home",
        "Tidy Nest",
        {
            "en": "Drawer Organizer Set of 8, Clear Plastic",
            "de": "Schubladen-Organizer 8er-Set, transparent",
            "ja": "引き出し 収納ケース 8個セット クリア",
        },
        19.99,
    ),
    P(
        "pillow",
        "home",
        "Tidy Nest",
        {
            "en": "Memory Foam Pillow, Cervical Support, Queen",
            "de": "Memory-Schaum Kissen, Nackenstützkissen 50x70",
            "ja": "低反発枕 頸椎サポート",
        },
        44.99,
    ),
    P(
        "diffuser",
        "home",
        "Tidy Nest",
        {
            "en": "Essential Oil Diffuser 300 ml, Ultrasonic, 7 Colors",
            "de": "Aroma Diffuser 300 ml, Ultraschall, 7 Farben",
            "ja": "アロマディフューザー 300ml 超音波式 7色ライト",
        },
        25.99,
    ),
    P(
        "hooks",
        "home",
        "Tidy Nest",
        {
            "en": "Adhesive Wall Hooks 12-Pack, Heavy Duty",
            "de": "Klebehaken 12 Stück, stark haftend",
            "ja": "粘着フック 12個入り 強力",
        },
        9.99,
    ),
)

SIZES = ("S", "M", "L", "XL")
COLOURS: dict[str, tuple[str, ...]] = {
    "en": ("Black", "White", "Navy", "Grey", "Green"),
    "de": ("Schwarz", "Weiß", "Marineblau", "Grau", "Grün"),
    "ja": ("ブラック", "ホワイト", "ネイビー", "グレー", "グリーン"),
}
COLOUR_CODES = ("BLK", "WHT", "NVY", "GRY", "GRN")

#: Return reasons by category, with weights: what buyers actually send back.
RETURN_REASONS: dict[str, tuple[tuple[str, float], ...]] = {
    "apparel": (
        ("TOO_SMALL", 0.35),
        ("TOO_LARGE", 0.25),
        ("NOT_AS_DESCRIBED", 0.1),
        ("QUALITY_UNACCEPTABLE", 0.1),
        ("UNWANTED_ITEM", 0.15),
        ("DAMAGED_BY_CARRIER", 0.05),
    ),
    "electronics": (
        ("DEFECTIVE", 0.45),
        ("NOT_AS_DESCRIBED", 0.12),
        ("MISSING_PARTS", 0.08),
        ("UNWANTED_ITEM", 0.15),
        ("FOUND_BETTER_PRICE", 0.08),
        ("DAMAGED_BY_CARRIER", 0.12),
    ),
    "kitchen": (
        ("DAMAGED_BY_CARRIER", 0.25),
        ("DEFECTIVE", 0.2),
        ("QUALITY_UNACCEPTABLE", 0.2),
        ("UNWANTED_ITEM", 0.2),
        ("ORDERED_WRONG_ITEM", 0.15),
    ),
    "sports": (
        ("QUALITY_UNACCEPTABLE", 0.25),
        ("UNWANTED_ITEM", 0.3),
        ("NOT_AS_DESCRIBED", 0.2),
        ("DEFECTIVE", 0.15),
        ("MISSED_ESTIMATED_DELIVERY", 0.1),
    ),
    "toys": (
        ("MISSING_PARTS", 0.35),
        ("UNWANTED_ITEM", 0.3),
        ("DAMAGED_BY_CARRIER", 0.2),
        ("ORDERED_WRONG_ITEM", 0.15),
    ),
    "beauty": (("DEFECTIVE", 0.2), ("UNWANTED_ITEM", 0.35), ("NOT_AS_DESCRIBED", 0.25), ("WRONG_ITEM", 0.2)),
    "home": (
        ("DAMAGED_BY_CARRIER", 0.3),
        ("NOT_AS_DESCRIBED", 0.25),
        ("UNWANTED_ITEM", 0.3),
        ("OTHER", 0.15),
    ),
}

BULLETS: dict[str, tuple[str, ...]] = {
    "en": (
        "Premium materials, built to last",
        "Backed by our 2-year warranty",
        "Designed and tested in-house",
        "Ships in recyclable packaging",
    ),
    "de": (
        "Hochwertige, langlebige Materialien",
        "2 Jahre Garantie",
        "Selbst entwickelt und geprüft",
        "Versand in recycelbarer Verpackung",
    ),
    "ja": ("高品質で長持ちする素材", "2年間の製品保証付き", "自社で設計・検証", "リサイクル可能な梱包で発送"),
}

#: Rough exchange rates from USD, and how prices end in each currency.
RATES = {
    "USD": 1,
    "CAD": 1.36,
    "GBP": 0.79,
    "EUR": 0.92,
    "JPY": 150,
    "MXN": 17,
    "BRL": 5.0,
    "SEK": 10.5,
    "PLN": 4.0,
    "AUD": 1.52,
    "SGD": 1.35,
    "AED": 3.67,
    "INR": 83,
}


def price(usd: float, currency: str, rng: random.Random) -> Decimal:
    value = usd * RATES.get(currency, 1) * rng.uniform(0.92, 1.08)
    if currency in {"JPY", "INR"}:
        return Decimal(int(round(value, -2)) - 20 if value > 300 else int(value))
    return (Decimal(int(value)) + Decimal("0.99")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Variant:
    product: Product
    sku: str
    asin: str
    title: str
    variant_code: str


def variants(language: str) -> list[Variant]:
    """Every variant of the catalogue, with its marketplace title; SKUs and ASINs are the same everywhere."""
    result = []
    lang = language if language in COLOURS else "en"
    asin_rng = random.Random("catalogue-asins")
    for number, product in enumerate(PRODUCTS, start=1):
        stem = product.titles.get(lang, product.titles["en"])
        brand_code = "".join(c for c in product.brand.upper() if c.isalpha())[:3]
        options: list[tuple[str, str]]
        if product.category == "apparel":
            colour = COLOURS[lang][number % len(COLOURS[lang])]
            options = [(size, f"{colour}, {size}") for size in SIZES]
        else:
            options = [(COLOUR_CODES[i], COLOURS[lang][i]) for i in range(1 + number % 3)]
        for code, label in options:
            asin = "B0" + "".join(asin_rng.choice(string.ascii_uppercase + string.digits) for _ in range(8))
            result.append(
                Variant(
                    product,
                    f"{brand_code}-{product.key.upper()[:6]}-{number:03d}-{code}",
                    asin,
                    f"{product.brand} {stem}, {label}",
                    code,
                )
            )
    return result
