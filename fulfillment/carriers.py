"""The one table of carriers: each carrier's code, name, Amazon's code and name for it, tracking-number formats,
tracking link, the page where a lost parcel is traced or claimed, and the countries it serves.

The shipping form, the shipping-confirmation file, Amazon's reports, the tracking check (``fulfillment.tracking``),
the order page's tracking links, the inbox's reply templates and the reply rules (``support``) all read this
table, and so does the deliveries-at-risk rule (``fulfillment.delivery_risk``: how many days without a scan make a
parcel silent); no other list of carriers exists. A carrier's ``code`` is our stored value (``Carrier``);
``amazon_code`` is what Amazon's shipping-confirmation file (``carrier-code``) and the SP-API (``carrierCode``) take
for it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from .models import Carrier

C = Carrier


@dataclass(frozen=True)
class CarrierSpec:
    code: str
    #: The name shown to people.
    name: str
    #: Amazon's carrier code (``carrier-code`` of the confirmation file, ``carrierCode`` of the SP-API).
    amazon_code: str
    #: Amazon's carrier name (``carrier-name``; SP-API ``carrierName``), for a code Amazon shows under another name.
    amazon_name: str
    #: The public tracking page; ``{number}`` takes the tracking number. Empty: no public page we link to.
    tracking_url: str = ""
    #: Whole-number formats of the carrier's own numbers (checked after the ``tracking-numbers`` package).
    patterns: tuple[str, ...] = ()
    #: The carrier's international items carry UPU S10 numbers (``RR473124829GB``), check digit verified.
    s10: bool = False
    #: The ``tracking-numbers`` package's courier codes whose formats (and check digits) the carrier uses.
    package_couriers: tuple[str, ...] = ()
    #: A number matching ``patterns`` must also pass the S10 check digit (Royal Mail's domestic numbers are S10).
    patterns_are_s10: bool = False
    #: ISO country codes of where the carrier delivers for our marketplaces' sellers (origin or destination).
    countries: tuple[str, ...] = ()
    #: Other ways Amazon's reports and sellers write the carrier.
    aliases: tuple[str, ...] = ()
    #: The carrier's public page for a parcel that is late or lost: its trace, missing-mail search, inquiry or
    #: claim form, else the customer-service site where one is filed (the order page's "File a carrier trace"
    #: links it). Empty: no public page we know of; the operator contacts the carrier as their account says.
    trace_url: str = ""
    #: Days without a carrier event after which an undelivered parcel is at risk (``fulfillment.delivery_risk``):
    #: a domestic network scans a parcel every day or two; a cross-border post or consolidator goes quiet for
    #: days between the export hub, the flight and customs. ``settings.DELIVERY_RISK_SILENT_DAYS`` overrides it.
    silent_days: int = 3
    #: ``(marketplace, days)`` where parcels to that marketplace go quiet longer (or shorter) than ``silent_days``.
    silent_days_to: tuple[tuple[str, int], ...] = ()

    @property
    def tracking_host(self) -> str:
        return (urlsplit(self.tracking_url).hostname or "") if self.tracking_url else ""

    @property
    def has_format(self) -> bool:
        return bool(self.package_couriers or self.s10 or self.patterns)


#: China's posts hand a parcel to Europe's posts, whose import scans come late: longer silences there than in the US;
#: Japan is a short hop.
_POSTAL_FROM_CHINA = (("UK", 10), ("DE", 10), ("FR", 10), ("IT", 10), ("ES", 10), ("JP", 5))

CARRIERS: dict[str, CarrierSpec] = {spec.code: spec for spec in (
    # --- United States and North America ---
    CarrierSpec(C.USPS, "USPS", "USPS", "USPS", "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
                s10=True, package_couriers=("usps",), countries=("US",),
                aliases=("uspostalservice", "unitedstatespostalservice"),
                trace_url="https://www.usps.com/help/missing-mail.htm"),
    CarrierSpec(C.UPS, "UPS", "UPS", "UPS", "https://www.ups.com/track?tracknum={number}",
                package_couriers=("ups",), countries=("US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "JP"),
                aliases=("upsmailinnovations", "upsmi", "upssurepost", "surepost"),
                trace_url="https://www.ups.com/us/en/support/file-a-claim.page"),
    CarrierSpec(C.FEDEX, "FedEx", "FedEx", "FedEx", "https://www.fedex.com/fedextrack/?trknbr={number}",
                package_couriers=("fedex",), countries=("US", "CA", "MX", "UK", "DE", "FR", "IT", "ES", "JP"),
                aliases=("fedexground", "fedexsmartpost", "fedexhomedelivery", "fedexjp"),
                trace_url="https://www.fedex.com/en-us/customer-support/claims.html"),
    CarrierSpec(C.DHL, "DHL", "DHL", "DHL Express",
                "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
                patterns=(r"\d{12}|\d{20}|JJD\d{16,20}",), s10=True, package_couriers=("dhl",),
                countries=("US", "CA", "UK", "DE", "FR", "IT", "ES", "JP", "CN"),
                aliases=("dhlexpress", "dhlecommerce", "dhlparcel", "dhlglobalmail"),
                trace_url="https://www.dhl.com/global-en/home/customer-service.html"),
    CarrierSpec(C.AMAZON, "Amazon Shipping", "Amazon Shipping", "Amazon Shipping",
                "https://track.amazon.com/tracking/{number}", package_couriers=("amazon",),
                countries=("US", "CA", "UK", "DE", "FR", "IT", "ES", "JP"),
                aliases=("amzl", "amazonlogistics", "amazon", "amzn", "tba", "amazonshippingcouk", "amazonflex")),
    CarrierSpec(C.ONTRAC, "OnTrac", "OnTrac", "OnTrac", "https://www.ontrac.com/tracking/?number={number}",
                package_couriers=("ontrac",), countries=("US",)),
    CarrierSpec(C.CANADA_POST, "Canada Post", "Canada Post", "Canada Post",
                "https://www.canadapost-postescanada.ca/track-reperage/en#/details/{number}",
                patterns=(r"\d{12}|\d{16}",), s10=True, countries=("CA",), aliases=("postescanada",)),
    # --- United Kingdom and Europe ---
    CarrierSpec(C.ROYAL_MAIL, "Royal Mail", "Royal Mail", "Royal Mail",
                "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
                patterns=(r"[A-Z]{2}\d{9}GB",), patterns_are_s10=True, countries=("UK",),
                aliases=("parcelforce",),
                trace_url="https://www.royalmail.com/claims-centre"),
    CarrierSpec(C.EVRI, "Evri (Hermes)", "Evri", "Evri", "https://www.evri.com/track/parcel/{number}",
                patterns=(r"[A-Z0-9]{16}",), countries=("UK",),
                aliases=("hermes", "hermesuk", "myhermes", "hermeslogistikgruppe")),
    CarrierSpec(C.DPD, "DPD", "DPD", "DPD", "https://tracking.dpd.de/status/en_US/parcel/{number}",
                patterns=(r"\d{14}",), countries=("UK", "DE", "FR", "IT", "ES"), aliases=("dpduk", "dpdlocal")),
    CarrierSpec(C.DEUTSCHE_POST, "Deutsche Post / DHL Paket", "Deutsche Post", "Deutsche Post",
                "https://www.deutschepost.de/de/s/sendungsverfolgung.html?piececode={number}",
                patterns=(r"\d{12}|\d{20}|JJD\d{16,20}",), s10=True, countries=("DE",),
                aliases=("dhlpaket", "dhlgermany"),
                trace_url="https://www.dhl.de/de/privatkunden.html"),
    CarrierSpec(C.GLS, "GLS", "GLS", "GLS", "https://gls-group.com/track/{number}",
                patterns=(r"\d{11,12}",), countries=("DE", "FR", "IT", "ES")),
    CarrierSpec(C.LA_POSTE, "La Poste / Colissimo", "La Poste", "Colissimo",
                "https://www.laposte.fr/outils/suivre-vos-envois?code={number}",
                patterns=(r"\d[A-Z]\d{11}",), s10=True, countries=("FR",),
                aliases=("colissimo", "laposte", "chronopost")),
    CarrierSpec(C.POSTE_ITALIANE, "Poste Italiane", "Poste Italiane", "Poste Italiane",
                "https://www.poste.it/cerca/index.html#/risultati-spedizioni/{number}", s10=True,
                countries=("IT",), aliases=("sda", "posteitaliane")),
    CarrierSpec(C.CORREOS, "Correos", "Correos", "Correos",
                "https://www.correos.es/es/es/herramientas/localizador/envios/detalle?tracking-number={number}",
                patterns=(r"P[A-Z0-9]{22}",), s10=True, countries=("ES",), aliases=("correosexpress",)),
    # --- Japan ---
    CarrierSpec(C.JAPAN_POST, "Japan Post", "Japan Post", "日本郵便",
                "https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}&locale=en",
                patterns=(r"\d{12}",), s10=True, countries=("JP",), aliases=("jppost", "日本郵便"),
                trace_url="https://www.post.japanpost.jp/int/download/chousa.html"),
    CarrierSpec(C.YAMATO, "Yamato Transport", "YamatoTransport", "ヤマト運輸",
                "https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={number}",
                patterns=(r"\d{12}",), countries=("JP",),
                aliases=("yamato", "kuronekoyamato", "ヤマト運輸")),
    CarrierSpec(C.SAGAWA, "Sagawa Express", "SagawaExpress", "佐川急便",
                "https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={number}",
                patterns=(r"\d{12}",), countries=("JP",), aliases=("sagawa", "佐川急便")),
    # --- Cross-border from China ---
    CarrierSpec(C.SF_EXPRESS, "SF Express", "SF Express", "SF Express",
                "https://www.sf-express.com/chn/en/waybill/waybill-detail/{number}",
                patterns=(r"SF\d{12,13}",), countries=("CN", "US", "UK", "DE", "FR", "IT", "ES", "JP", "CA"),
                aliases=("shunfeng", "shunfengexpress", "顺丰", "顺丰速运"),
                silent_days=5, trace_url="https://www.sf-express.com/"),
    CarrierSpec(C.YUNEXPRESS, "YunExpress", "Yun Express", "Yun Express",
                "https://www.yuntrack.com/parcelTracking?id={number}",
                patterns=(r"YT\d{16}",), countries=("CN", "US", "UK", "DE", "FR", "IT", "ES", "JP", "CA"),
                aliases=("云途", "云途物流"),
                silent_days=7, silent_days_to=(("JP", 5),), trace_url="https://www.yunexpress.com/"),
    CarrierSpec(C.FOURPX, "4PX", "4PX", "4PX", "https://track.4px.com/#/result/0/{number}",
                patterns=(r"4PX\d{10,16}[A-Z]{0,4}",), s10=True,
                countries=("CN", "US", "UK", "DE", "FR", "IT", "ES", "JP", "CA"), aliases=("递四方",),
                silent_days=7, silent_days_to=(("JP", 5),), trace_url="https://www.4px.com/"),
    CarrierSpec(C.YANWEN, "Yanwen", "Yanwen", "Yanwen", "https://track.yw56.com.cn/en/querydel?nums={number}",
                patterns=(r"[A-Z]{2}\d{9}YP",), s10=True,
                countries=("CN", "US", "UK", "DE", "FR", "IT", "ES", "JP", "CA"), aliases=("燕文", "燕文物流"),
                silent_days=7, silent_days_to=_POSTAL_FROM_CHINA, trace_url="https://www.yw56.com.cn/"),
    CarrierSpec(C.CHINA_POST, "China Post / EMS", "China Post", "China Post",
                "https://www.ems.com.cn/qps/yjcx?mailNum={number}", s10=True,
                countries=("CN", "US", "UK", "DE", "FR", "IT", "ES", "JP", "CA"),
                aliases=("ems", "chinaems", "chinapostems", "中国邮政", "中国邮政ems"),
                silent_days=7, silent_days_to=_POSTAL_FROM_CHINA, trace_url="https://www.ems.com.cn/"),
    CarrierSpec(C.CAINIAO, "Cainiao", "Cainiao", "Cainiao",
                "https://global.cainiao.com/newDetail.htm?mailNoList={number}",
                patterns=(r"LP\d{14,16}|CN[A-Z0-9]{12,16}",), s10=True,
                countries=("CN", "US", "UK", "DE", "FR", "IT", "ES", "JP", "CA"),
                aliases=("cainiaonetwork", "aliexpressstandardshipping", "菜鸟"),
                silent_days=7, silent_days_to=(("JP", 5),)),
    # A carrier we know nothing of: a little more patience than a domestic network.
    CarrierSpec(C.OTHER, "Other", "Other", "", silent_days=5),
)}


def carrier_spec(code: str) -> CarrierSpec | None:
    """The table's row for a ``Carrier`` code, or None for a code it does not know."""
    return CARRIERS.get(code)


def trace_page(carrier: str) -> str:
    """Where the operator files a trace or claim for a parcel of ``carrier``: "" when the carrier has no page."""
    spec = CARRIERS.get(carrier)
    return spec.trace_url if spec else ""


def carriers_serving(country: str) -> list[CarrierSpec]:
    """The carriers that deliver in ``country`` (a marketplace code such as ``UK``), in the table's order."""
    return [spec for spec in CARRIERS.values() if country in spec.countries]


def tracking_hosts() -> frozenset[str]:
    """The hosts of every carrier's tracking page: links a reply to a buyer may carry."""
    return frozenset(spec.tracking_host for spec in CARRIERS.values() if spec.tracking_host)


def normalize(number: str) -> str:
    """The number as carriers print it: upper case, without spaces or dashes."""
    return re.sub(r"[\s-]+", "", number or "").upper()


def tracking_url(*, carrier: str, number: str) -> str:
    """The carrier's tracking page for ``number``, or "" when the carrier has none or there is no number.

    The order page, the inbox's ``{tracking_url}`` and every other link to a parcel come from here.
    """
    spec = CARRIERS.get(carrier)
    number = normalize(number)
    if spec is None or not spec.tracking_url or not number:
        return ""
    return spec.tracking_url.replace("{number}", quote(number, safe=""))


# --- Names: how Amazon's files and our users write a carrier ---


def carrier_key(value: str) -> str:
    """``"Royal Mail"``, ``"ROYAL_MAIL"`` and ``"royal-mail"`` are the same name."""
    return "".join(ch for ch in value.lower() if ch.isalnum())


def _names() -> dict[str, str]:
    names: dict[str, str] = {}
    for spec in CARRIERS.values():
        for written in (spec.code, spec.name, spec.amazon_code, spec.amazon_name, *spec.aliases):
            if written:
                names.setdefault(carrier_key(written), spec.code)
    for value, label in Carrier.choices:
        names.setdefault(carrier_key(value), value)
        names.setdefault(carrier_key(str(label)), value)
    return names


#: Every name of every carrier, by ``carrier_key``.
CARRIER_NAMES: dict[str, str] = _names()
#: Amazon's per-marketplace codes for its own network: ``AMZN_US``, ``AMZN_UK``, ``AMZL_DE``, ``AMZN_JP`` …
_AMAZON_MARKETPLACE_CODE = re.compile(r"^(amzn|amzl)[a-z]{2}$")


def map_carrier(value: str) -> str | None:
    """The ``Carrier`` a name stands for, or None if the table does not know it."""
    key = carrier_key(value)
    if not key:
        return None
    found = CARRIER_NAMES.get(key)
    if found is None and _AMAZON_MARKETPLACE_CODE.match(key):
        found = C.AMAZON
    return found


def carrier_from_amazon(value: str) -> tuple[str, str]:
    """A carrier as Amazon's reports write it: ``(carrier, carrier_name)``; an unknown one is Other, its name
    kept as written."""
    value = value.strip()
    found = map_carrier(value)
    if found is None or found == C.OTHER:
        return C.OTHER, value[:80]
    return found, ""


def amazon_carrier(*, carrier: str, carrier_name: str = "") -> tuple[str, str]:
    """``(carrier-code, carrier-name)`` as Amazon's confirmation file and the SP-API take them."""
    spec = CARRIERS.get(carrier)
    if spec is None or carrier == C.OTHER:
        return "Other", carrier_name or (spec.name if spec else carrier)
    return spec.amazon_code, spec.amazon_name
