"""What buyers, addresses, carriers and messages look like on each marketplace the demo stores sell on."""

from __future__ import annotations

import random
import string
from collections.abc import Callable
from dataclasses import dataclass, field

Address = tuple[str, str, str, str, str]  # line1, line2, city, state, postal code


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _upper(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase) for _ in range(n))


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(n))


# Tracking numbers in each carrier's usual shape.
TRACKING: dict[str, Callable[[random.Random], str]] = {
    "USPS": lambda r: "9400" + _digits(r, 18),
    "UPS": lambda r: "1Z" + _alnum(r, 6) + "03" + _digits(r, 8),
    "FedEx": lambda r: _digits(r, 12),
    "Amazon Shipping": lambda r: "TBA" + _digits(r, 12),
    "DHL": lambda r: "00340434" + _digits(r, 12),
    "DPD": lambda r: "0" + _digits(r, 13),
    "Deutsche Post": lambda r: "RR" + _digits(r, 9) + "DE",
    "GLS": lambda r: _digits(r, 11),
    "Royal Mail": lambda r: _upper(r, 2) + _digits(r, 9) + "GB",
    "Evri": lambda r: "H" + _alnum(r, 15),
    "Canada Post": lambda r: _digits(r, 16),
    "La Poste": lambda r: "6A" + _digits(r, 11),
    "Poste Italiane": lambda r: "RR" + _digits(r, 9) + "IT",
    "Correos": lambda r: "PQ" + _alnum(r, 14) + _digits(r, 7) + "Z",
    "Japan Post": lambda r: _digits(r, 12),
    "Yamato Transport": lambda r: _digits(r, 12),
    "Sagawa Express": lambda r: _digits(r, 12),
}


@dataclass(frozen=True)
class Locale:
    country: str
    language: str
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    family_name_first: bool
    #: (city, state or region, postal-code maker)
    cities: tuple[tuple[str, str, Callable[[random.Random], str]], ...]
    streets: tuple[str, ...]
    street_format: str  # "{n} {street}" or "{street} {n}"
    po_box: Callable[[random.Random], str]
    companies: tuple[str, ...]
    carriers: tuple[tuple[str, float], ...]
    service_prefix: str
    transit_days: dict[str, tuple[int, int]] = field(default_factory=lambda: dict(STANDARD_TRANSIT))
    line2_options: tuple[str, ...] = ()

    def person(self, rng: random.Random) -> str:
        first, last = rng.choice(self.first_names), rng.choice(self.last_names)
        return f"{last} {first}" if self.family_name_first else f"{first} {last}"

    def address(self, rng: random.Random) -> Address:
        city, state, postal = rng.choice(self.cities)
        if self.country == "JP":
            line1 = f"{rng.choice(self.streets)}{rng.randint(1, 5)}-{rng.randint(1, 30)}-{rng.randint(1, 20)}"
        else:
            line1 = self.street_format.format(
                n=rng.randint(1, 2400 if self.country in {"US", "CA"} else 120),
                street=rng.choice(self.streets),
            )
        line2 = rng.choice(self.line2_options) if self.line2_options and rng.random() < 0.15 else ""
        return line1, line2, city, state, postal(rng)

    def carrier(self, rng: random.Random) -> str:
        names, weights = zip(*self.carriers, strict=True)
        return rng.choices(names, weights)[0]


STANDARD_TRANSIT: dict[str, tuple[int, int]] = {"Standard": (3, 5), "Expedited": (2, 3), "SecondDay": (2, 2),
                                                 "NextDay": (1, 1)}


def _zip(low: int, high: int) -> Callable[[random.Random], str]:
    return lambda r: f"{r.randint(low, high):05d}"


def _plz(low: int, high: int) -> Callable[[random.Random], str]:
    return lambda r: f"{r.randint(low, high):05d}"


def _jp(prefix: str) -> Callable[[random.Random], str]:
    return lambda r: f"{prefix}-{r.randint(0, 9999):04d}"


def _uk(area: str) -> Callable[[random.Random], str]:
    return lambda r: f"{area}{r.randint(1, 20)} {r.randint(1, 9)}{_upper(r, 2)}"


def _ca(fsa: str) -> Callable[[random.Random], str]:
    return lambda r: f"{fsa} {r.randint(1, 9)}{_upper(r, 1)}{r.randint(1, 9)}"


US = Locale(
    country="US",
    language="en",
    first_names=(
        "James",
        "Mary",
        "Robert",
        "Patricia",
        "John",
        "Jennifer",
        "Michael",
        "Linda",
        "David",
        "Elizabeth",
        "William",
        "Barbara",
        "Richard",
        "Susan",
        "Joseph",
        "Jessica",
        "Thomas",
        "Sarah",
        "Carlos",
        "Maria",
        "Daniel",
        "Karen",
        "Kevin",
        "Emily",
        "Brian",
        "Ashley",
        "Jose",
        "Nicole",
        "Tyler",
        "Megan",
        "Wei",
        "Priya",
    ),
    last_names=(
        "Smith",
        "Johnson",
        "Williams",
        "Brown",
        "Jones",
        "Garcia",
        "Miller",
        "Davis",
        "Rodriguez",
        "Martinez",
        "Hernandez",
        "Lopez",
        "Wilson",
        "Anderson",
        "Thomas",
        "Taylor",
        "Moore",
        "Jackson",
        "Martin",
        "Lee",
        "Thompson",
        "White",
        "Harris",
        "Clark",
        "Lewis",
        "Robinson",
        "Walker",
        "Young",
        "Nguyen",
        "Patel",
        "Kim",
        "Chen",
    ),
    family_name_first=False,
    cities=(
        ("Seattle", "WA", _zip(98101, 98199)),
        ("Austin", "TX", _zip(78701, 78759)),
        ("Denver", "CO", _zip(80202, 80249)),
        ("Chicago", "IL", _zip(60601, 60661)),
        ("Brooklyn", "NY", _zip(11201, 11239)),
        ("Atlanta", "GA", _zip(30301, 30350)),
        ("Phoenix", "AZ", _zip(85001, 85054)),
        ("Columbus", "OH", _zip(43004, 43235)),
        ("San Diego", "CA", _zip(92101, 92199)),
        ("Portland", "OR", _zip(97201, 97236)),
        ("Charlotte", "NC", _zip(28202, 28299)),
        ("Miami", "FL", _zip(33101, 33199)),
        ("Nashville", "TN", _zip(37201, 37250)),
        ("Minneapolis", "MN", _zip(55401, 55488)),
        ("Boston", "MA", _zip(2108, 2137)),
        ("Salt Lake City", "UT", _zip(84101, 84199)),
    ),
    streets=(
        "Main St",
        "Oak Ave",
        "Maple Dr",
        "Cedar Ln",
        "Park Ave",
        "Washington Blvd",
        "Lake St",
        "Hillcrest Rd",
        "Sunset Blvd",
        "Elm St",
        "Pine St",
        "2nd Ave",
        "Lincoln Way",
        "Jefferson St",
    ),
    street_format="{n} {street}",
    po_box=lambda r: f"PO Box {r.randint(100, 9999)}",
    companies=(
        "Northwind Traders LLC",
        "Contoso Dental Group",
        "Fabrikam Inc.",
        "Bluebird Schools District",
        "Pioneer Logistics Co.",
    ),
    carriers=(("USPS", 0.5), ("UPS", 0.28), ("FedEx", 0.16), ("Amazon Shipping", 0.06)),
    service_prefix="US",
    line2_options=("Apt 4B", "Unit 12", "Suite 200", "Apt 301", "#7"),
)

CA = Locale(
    country="CA",
    language="en",
    first_names=(
        "Liam",
        "Olivia",
        "Noah",
        "Emma",
        "Lucas",
        "Charlotte",
        "Ethan",
        "Chloé",
        "Félix",
        "Amelia",
        "William",
        "Léa",
        "Benjamin",
        "Zoé",
        "Jacob",
        "Ava",
    ),
    last_names=(
        "Smith",
        "Tremblay",
        "Martin",
        "Roy",
        "Wilson",
        "MacDonald",
        "Gagnon",
        "Brown",
        "Lee",
        "Taylor",
        "Campbell",
        "Bouchard",
        "Anderson",
        "Côté",
        "Singh",
        "Wong",
    ),
    family_name_first=False,
    cities=(
        ("Toronto", "ON", _ca("M5V")),
        ("Vancouver", "BC", _ca("V6B")),
        ("Montréal", "QC", _ca("H2X")),
        ("Calgary", "AB", _ca("T2P")),
        ("Ottawa", "ON", _ca("K1P")),
        ("Halifax", "NS", _ca("B3J")),
    ),
    streets=(
        "King St W",
        "Queen St E",
        "Rue Sainte-Catherine",
        "Granville St",
        "Yonge St",
        "Portage Ave",
        "Jasper Ave",
        "Bank St",
    ),
    street_format="{n} {street}",
    po_box=lambda r: f"PO Box {r.randint(100, 9999)}",
    companies=("Maple Leaf Supplies Ltd.", "Northern Dental Clinic", "Boréal Conseil Inc."),
    carriers=(("Canada Post", 0.6), ("UPS", 0.2), ("FedEx", 0.12), ("Amazon Shipping", 0.08)),
    service_prefix="CA",
    transit_days={"Standard": (3, 6), "Expedited": (2, 3), "SecondDay": (2, 2), "NextDay": (1, 1)},
    line2_options=("Apt 1203", "Unit 5", "Suite 400"),
)

UK = Locale(
    country="GB",
    language="en",
    first_names=(
        "Oliver",
        "Amelia",
        "George",
        "Isla",
        "Harry",
        "Ava",
        "Jack",
        "Mia",
        "Charlie",
        "Grace",
        "Thomas",
        "Emily",
        "Oscar",
        "Sophie",
        "Arthur",
        "Poppy",
    ),
    last_names=(
        "Smith",
        "Jones",
        "Taylor",
        "Brown",
        "Williams",
        "Wilson",
        "Johnson",
        "Davies",
        "Patel",
        "Wright",
        "Evans",
        "Walker",
        "Thomas",
        "Roberts",
        "Khan",
        "Hughes",
    ),
    family_name_first=False,
    cities=(
        ("London", "Greater London", _uk("SE")),
        ("Manchester", "Greater Manchester", _uk("M")),
        ("Birmingham", "West Midlands", _uk("B")),
        ("Leeds", "West Yorkshire", _uk("LS")),
        ("Bristol", "", _uk("BS")),
        ("Edinburgh", "", _uk("EH")),
        ("Cardiff", "", _uk("CF")),
        ("Nottingham", "Nottinghamshire", _uk("NG")),
    ),
    streets=(
        "High Street",
        "Station Road",
        "Church Lane",
        "Victoria Road",
        "Green Lane",
        "Manor Road",
        "Park Road",
        "Queens Road",
        "The Crescent",
        "Mill Lane",
    ),
    street_format="{n} {street}",
    po_box=lambda r: f"PO Box {r.randint(10, 999)}",
    companies=("Thames Office Supplies Ltd", "Highland Veterinary Practice", "Brightside Academy Trust"),
    carriers=(("Royal Mail", 0.52), ("Evri", 0.2), ("DPD", 0.18), ("UPS", 0.1)),
    service_prefix="UK",
    transit_days={"Standard": (2, 4), "Expedited": (1, 2), "SecondDay": (2, 2), "NextDay": (1, 1)},
    line2_options=("Flat 3", "Flat 12B", "Unit 4"),
)

DE = Locale(
    country="DE",
    language="de",
    first_names=(
        "Lukas",
        "Anna",
        "Leon",
        "Lea",
        "Finn",
        "Hannah",
        "Jonas",
        "Sophie",
        "Paul",
        "Marie",
        "Felix",
        "Laura",
        "Maximilian",
        "Julia",
        "Elias",
        "Katharina",
        "Tobias",
        "Sabine",
        "Jürgen",
        "Ursula",
    ),
    last_names=(
        "Müller",
        "Schmidt",
        "Schneider",
        "Fischer",
        "Weber",
        "Meyer",
        "Wagner",
        "Becker",
        "Schulz",
        "Hoffmann",
        "Schäfer",
        "Koch",
        "Bauer",
        "Richter",
        "Klein",
        "Wolf",
        "Schröder",
        "Neumann",
        "Schwarz",
        "Zimmermann",
        "Krüger",
        "Hartmann",
    ),
    family_name_first=False,
    cities=(
        ("Berlin", "", _plz(10115, 14199)),
        ("Hamburg", "", _plz(20095, 22769)),
        ("München", "Bayern", _plz(80331, 81929)),
        ("Köln", "", _plz(50667, 51149)),
        ("Frankfurt am Main", "Hessen", _plz(60306, 65936)),
        ("Stuttgart", "", _plz(70173, 70629)),
        ("Düsseldorf", "", _plz(40210, 40629)),
        ("Leipzig", "Sachsen", _plz(4103, 4357)),
        ("Dresden", "Sachsen", _plz(1067, 1328)),
        ("Hannover", "", _plz(30159, 30669)),
        ("Nürnberg", "Bayern", _plz(90402, 90491)),
        ("Freiburg im Breisgau", "", _plz(79098, 79117)),
    ),
    streets=(
        "Hauptstraße",
        "Schulstraße",
        "Gartenstraße",
        "Bahnhofstraße",
        "Dorfstraße",
        "Bergstraße",
        "Lindenstraße",
        "Kirchweg",
        "Goethestraße",
        "Am Markt",
        "Schillerplatz",
        "Birkenweg",
    ),
    street_format="{street} {n}",
    po_box=lambda r: f"Postfach {r.randint(10, 99)} {r.randint(10, 99)} {r.randint(10, 99)}",
    companies=(
        "Schreinerei Hoffmann GmbH",
        "Praxis Dr. Weber",
        "Bauer & Söhne KG",
        "Stadtwerke Musterstadt GmbH",
        "Kita Sonnenschein e.V.",
    ),
    carriers=(("DHL", 0.58), ("DPD", 0.17), ("Deutsche Post", 0.15), ("GLS", 0.1)),
    service_prefix="DE",
    transit_days={"Standard": (1, 3), "Expedited": (1, 2), "SecondDay": (2, 2), "NextDay": (1, 1)},
    line2_options=("3. OG links", "Hinterhaus", "c/o Packstation 112", "Wohnung 5"),
)

FR = Locale(
    country="FR",
    language="fr",
    first_names=(
        "Gabriel",
        "Louise",
        "Léo",
        "Jade",
        "Raphaël",
        "Emma",
        "Arthur",
        "Alice",
        "Louis",
        "Chloé",
        "Hugo",
        "Léa",
        "Jules",
        "Camille",
        "Nathalie",
        "Philippe",
    ),
    last_names=(
        "Martin",
        "Bernard",
        "Dubois",
        "Thomas",
        "Robert",
        "Richard",
        "Petit",
        "Durand",
        "Leroy",
        "Moreau",
        "Simon",
        "Laurent",
        "Lefebvre",
        "Michel",
        "Garcia",
        "Fournier",
    ),
    family_name_first=False,
    cities=(
        ("Paris", "Île-de-France", _plz(75001, 75020)),
        ("Lyon", "Auvergne-Rhône-Alpes", _plz(69001, 69009)),
        ("Marseille", "Provence-Alpes-Côte d'Azur", _plz(13001, 13016)),
        ("Toulouse", "Occitanie", _plz(31000, 31500)),
        ("Nantes", "Pays de la Loire", _plz(44000, 44300)),
        ("Lille", "Hauts-de-France", _plz(59000, 59800)),
        ("Bordeaux", "Nouvelle-Aquitaine", _plz(33000, 33800)),
    ),
    streets=(
        "rue de la République",
        "avenue Victor Hugo",
        "rue Pasteur",
        "boulevard Voltaire",
        "rue du Moulin",
        "place de l'Église",
        "rue des Lilas",
        "avenue Jean Jaurès",
    ),
    street_format="{n} {street}",
    po_box=lambda r: f"Boîte Postale {r.randint(10, 999)}",
    companies=("Boulangerie Moreau SARL", "Cabinet Dubois", "Atelier Petit SAS"),
    carriers=(("La Poste", 0.62), ("DPD", 0.18), ("UPS", 0.1), ("GLS", 0.1)),
    service_prefix="FR",
    transit_days={"Standard": (2, 4), "Expedited": (1, 2), "SecondDay": (2, 2), "NextDay": (1, 1)},
    line2_options=("Bâtiment B", "Appartement 12", "Escalier 3"),
)

IT = Locale(
    country="IT",
    language="it",
    first_names=(
        "Leonardo",
        "Sofia",
        "Francesco",
        "Giulia",
        "Alessandro",
        "Aurora",
        "Lorenzo",
        "Alice",
        "Mattia",
        "Ginevra",
        "Andrea",
        "Chiara",
        "Marco",
        "Francesca",
        "Giuseppe",
        "Elena",
    ),
    last_names=(
        "Rossi",
        "Russo",
        "Ferrari",
        "Esposito",
        "Bianchi",
        "Romano",
        "Colombo",
        "Ricci",
        "Marino",
        "Greco",
        "Bruno",
        "Gallo",
        "Conti",
        "De Luca",
        "Costa",
        "Giordano",
    ),
    family_name_first=False,
    cities=(
        ("Roma", "RM", _plz(118, 199)),
        ("Milano", "MI", _plz(20121, 20162)),
        ("Napoli", "NA", _plz(80121, 80147)),
        ("Torino", "TO", _plz(10121, 10156)),
        ("Bologna", "BO", _plz(40121, 40141)),
        ("Firenze", "FI", _plz(50121, 50145)),
        ("Palermo", "PA", _plz(90121, 90151)),
    ),
    streets=(
        "Via Roma",
        "Via Garibaldi",
        "Corso Italia",
        "Via Mazzini",
        "Via Dante",
        "Piazza della Repubblica",
        "Via Verdi",
        "Viale Europa",
    ),
    street_format="{street} {n}",
    po_box=lambda r: f"Casella Postale {r.randint(10, 999)}",
    companies=("Ferramenta Rossi S.r.l.", "Studio Dentistico Bianchi", "Trattoria Conti S.n.c."),
    carriers=(("Poste Italiane", 0.45), ("GLS", 0.3), ("DHL", 0.15), ("UPS", 0.1)),
    service_prefix="IT",
    line2_options=("Scala B", "Interno 7", "Piano 3"),
)

ES = Locale(
    country="ES",
    language="es",
    first_names=(
        "Hugo",
        "Lucía",
        "Martín",
        "Sofía",
        "Pablo",
        "Martina",
        "Alejandro",
        "María",
        "Lucas",
        "Paula",
        "Daniel",
        "Julia",
        "Javier",
        "Carmen",
        "Manuel",
        "Laura",
    ),
    last_names=(
        "García",
        "Rodríguez",
        "González",
        "Fernández",
        "López",
        "Martínez",
        "Sánchez",
        "Pérez",
        "Gómez",
        "Martín",
        "Jiménez",
        "Ruiz",
        "Hernández",
        "Díaz",
        "Moreno",
        "Álvarez",
    ),
    family_name_first=False,
    cities=(
        ("Madrid", "Madrid", _plz(28001, 28055)),
        ("Barcelona", "Barcelona", _plz(8001, 8042)),
        ("Valencia", "Valencia", _plz(46001, 46026)),
        ("Sevilla", "Sevilla", _plz(41001, 41020)),
        ("Zaragoza", "Zaragoza", _plz(50001, 50020)),
        ("Málaga", "Málaga", _plz(29001, 29018)),
        ("Bilbao", "Bizkaia", _plz(48001, 48015)),
    ),
    streets=(
        "Calle Mayor",
        "Calle Real",
        "Avenida de la Constitución",
        "Calle del Sol",
        "Paseo de Gracia",
        "Calle Nueva",
        "Gran Vía",
        "Calle de Alcalá",
    ),
    street_format="{street} {n}",
    po_box=lambda r: f"Apartado de Correos {r.randint(10, 9999)}",
    companies=("Ferretería García S.L.", "Clínica Dental Martínez", "Construcciones López S.A."),
    carriers=(("Correos", 0.55), ("GLS", 0.2), ("DHL", 0.15), ("UPS", 0.1)),
    service_prefix="ES",
    line2_options=("3º B", "Piso 2, puerta 4", "Bajo A"),
)

JP = Locale(
    country="JP",
    language="ja",
    first_names=(
        "太郎",
        "花子",
        "翔太",
        "美咲",
        "大輔",
        "陽菜",
        "健太",
        "さくら",
        "拓也",
        "結衣",
        "亮",
        "愛",
        "直樹",
        "由美",
        "蓮",
        "葵",
    ),
    last_names=(
        "佐藤",
        "鈴木",
        "高橋",
        "田中",
        "伊藤",
        "渡辺",
        "山本",
        "中村",
        "小林",
        "加藤",
        "吉田",
        "山田",
        "佐々木",
        "山口",
        "松本",
        "井上",
    ),
    family_name_first=True,
    cities=(
        ("渋谷区", "東京都", _jp("150")),
        ("世田谷区", "東京都", _jp("154")),
        ("新宿区", "東京都", _jp("160")),
        ("横浜市中区", "神奈川県", _jp("231")),
        ("大阪市北区", "大阪府", _jp("530")),
        ("名古屋市中区", "愛知県", _jp("460")),
        ("札幌市中央区", "北海道", _jp("060")),
        ("福岡市博多区", "福岡県", _jp("812")),
        ("京都市左京区", "京都府", _jp("606")),
        ("さいたま市大宮区", "埼玉県", _jp("330")),
        ("仙台市青葉区", "宮城県", _jp("980")),
    ),
    streets=("神南", "本町", "中央", "栄", "梅田", "桜木町", "大手町", "錦", "北沢", "天神"),
    street_format="{street}{n}",
    po_box=lambda r: f"私書箱 第{r.randint(1, 300)}号",
    companies=("株式会社山田商事", "有限会社鈴木工務店", "さくら歯科クリニック"),
    carriers=(("Japan Post", 0.45), ("Yamato Transport", 0.4), ("Sagawa Express", 0.15)),
    service_prefix="JP",
    transit_days={"Standard": (1, 3), "Expedited": (1, 2), "SecondDay": (2, 2), "NextDay": (1, 1)},
    line2_options=("グランドハイツ203号室", "サンシャインマンション501", "コーポ山田102"),
)

LOCALES: dict[str, Locale] = {"US": US, "CA": CA, "UK": UK, "DE": DE, "FR": FR, "IT": IT, "ES": ES, "JP": JP}

SERVICE_NAMES = {"Standard": "Std", "Expedited": "Exp", "SecondDay": "Second", "NextDay": "Next"}

# ---------------------------------------------------------------------------------------------------------
# Texts buyers and sellers write, in the marketplace's language. Data, not interface: never translated.

SUBJECTS = {
    "en": "Inquiry from Amazon customer {buyer} (Order: {order_id})",
    "de": "Anfrage von Amazon-Kunde {buyer} (Bestellung: {order_id})",
    "fr": "Demande de renseignements du client Amazon {buyer} (Commande : {order_id})",
    "it": "Richiesta dal cliente Amazon {buyer} (Ordine: {order_id})",
    "es": "Consulta del cliente de Amazon {buyer} (Pedido: {order_id})",
    "ja": "Amazon.co.jpのお客様 {buyer} からのお問い合わせ (注文番号: {order_id})",
}
REPLY_PREFIX = {"en": "RE: ", "de": "AW: ", "fr": "RE : ", "it": "R: ", "es": "RE: ", "ja": "RE: "}

#: topic → language → buyer's message bodies
INBOUND: dict[str, dict[str, tuple[str, ...]]] = {
    "where_is_order": {
        "en": (
            "Hi, my order {order_id} still hasn't arrived. Can you tell me where it is?",
            "Hello, tracking has not updated for days. When will my package arrive?",
        ),
        "de": (
            "Hallo, meine Bestellung {order_id} ist noch nicht angekommen. Wo ist das Paket?",
            "Guten Tag, die Sendungsverfolgung zeigt seit Tagen nichts Neues. Wann kommt die Lieferung?",
        ),
        "fr": ("Bonjour, ma commande {order_id} n'est toujours pas arrivée. Où en est-elle ?",),
        "it": ("Buongiorno, il mio ordine {order_id} non è ancora arrivato. Dove si trova?",),
        "es": ("Hola, mi pedido {order_id} todavía no ha llegado. ¿Dónde está?",),
        "ja": (
            "注文番号{order_id}の商品がまだ届きません。配送状況を教えていただけますか。",
            "追跡番号の情報が数日更新されていません。いつ届きますか。",
        ),
    },
    "change_address": {
        "en": ("Could you please ship order {order_id} to my work address instead? 500 Pine St, Suite 300.",),
        "de": ("Können Sie die Bestellung {order_id} bitte an meine Arbeitsadresse schicken?",),
        "fr": ("Pouvez-vous envoyer la commande {order_id} à mon adresse professionnelle ?",),
        "it": ("Potete spedire l'ordine {order_id} al mio indirizzo di lavoro?",),
        "es": ("¿Podrían enviar el pedido {order_id} a la dirección de mi trabajo?",),
        "ja": ("注文{order_id}の配送先を勤務先に変更できますか。",),
    },
    "damaged": {
        "en": (
            "The item arrived damaged - the box was crushed and it does not work. What can you do?",
            "One of the parts is missing from the package. Please advise.",
        ),
        "de": (
            "Der Artikel ist beschädigt angekommen und funktioniert nicht. Was können Sie tun?",
            "Im Paket fehlt ein Teil. Bitte um Rückmeldung.",
        ),
        "fr": ("L'article est arrivé endommagé et ne fonctionne pas. Que proposez-vous ?",),
        "it": ("L'articolo è arrivato danneggiato e non funziona. Cosa potete fare?",),
        "es": ("El artículo llegó dañado y no funciona. ¿Qué pueden hacer?",),
        "ja": (
            "商品が破損した状態で届き、動作しません。対応をお願いします。",
            "部品が一つ入っていませんでした。",
        ),
    },
    "return_question": {
        "en": (
            "The size is too small. How do I exchange it for a larger one?",
            "I would like to return this item. Do you provide a return label?",
        ),
        "de": (
            "Die Größe passt leider nicht. Wie kann ich den Artikel umtauschen?",
            "Ich möchte den Artikel zurückgeben. Bekomme ich ein Rücksendeetikett?",
        ),
        "fr": ("La taille ne convient pas. Comment faire un échange ?",),
        "it": ("La taglia è troppo piccola. Come posso effettuare il cambio?",),
        "es": ("La talla es pequeña. ¿Cómo puedo cambiarlo?",),
        "ja": ("サイズが合わなかったので交換したいです。手続きを教えてください。",),
    },
    "invoice": {
        "en": ("Please send a VAT invoice for order {order_id} with our company name.",),
        "de": ("Bitte senden Sie uns eine Rechnung mit ausgewiesener MwSt. für die Bestellung {order_id}.",),
        "fr": ("Merci de nous envoyer une facture avec TVA pour la commande {order_id}.",),
        "it": ("Vi chiediamo la fattura per l'ordine {order_id} intestata alla nostra azienda.",),
        "es": ("Por favor envíen la factura con IVA del pedido {order_id}.",),
        "ja": ("注文{order_id}の領収書(適格請求書)を会社名で発行してください。",),
    },
    "thanks": {
        "en": ("Got it, thank you!", "Thanks for the quick help."),
        "de": ("Alles klar, vielen Dank!", "Danke für die schnelle Hilfe."),
        "fr": ("Bien reçu, merci !",),
        "it": ("Ricevuto, grazie mille!",),
        "es": ("¡Recibido, muchas gracias!",),
        "ja": ("承知しました。ありがとうございました。",),
    },
}
OUTBOUND: dict[str, tuple[str, ...]] = {
    "en": (
        "Hello {buyer}, thank you for your message about order {order_id}. We have checked it and will "
        "take care of it right away. Kind regards, ACME customer care",
        "Hi {buyer}, sorry for the trouble with order {order_id}. We have arranged a solution and will "
        "keep you posted. Best, ACME support",
    ),
    "de": (
        "Hallo {buyer}, vielen Dank für Ihre Nachricht zur Bestellung {order_id}. Wir kümmern uns sofort "
        "darum. Viele Grüße, Ihr ACME-Kundenservice",
    ),
    "fr": (
        "Bonjour {buyer}, merci pour votre message concernant la commande {order_id}. Nous nous en occupons "
        "immédiatement. Cordialement, le service client ACME",
    ),
    "it": (
        "Gentile {buyer}, grazie per il messaggio sull'ordine {order_id}. Ce ne occupiamo subito. "
        "Cordiali saluti, assistenza ACME",
    ),
    "es": (
        "Hola {buyer}, gracias por su mensaje sobre el pedido {order_id}. Lo gestionamos de inmediato. "
        "Saludos, atención al cliente ACME",
    ),
    "ja": (
        "{buyer} 様\nお問い合わせいただきありがとうございます。注文番号{order_id}について確認のうえ、"
        "すぐに対応いたします。\nACME カスタマーサポート",
    ),
}
FEEDBACK: dict[str, dict[str, tuple[str, ...]]] = {
    "positive": {
        "en": (
            "Fast shipping, exactly as described.",
            "Great seller, would buy again!",
            "Arrived early, well packed.",
        ),
        "de": ("Schnelle Lieferung, alles bestens.", "Top Verkäufer, gerne wieder!"),
        "fr": ("Livraison rapide, conforme à la description.",),
        "it": ("Spedizione veloce, tutto perfetto.",),
        "es": ("Envío rápido, todo perfecto.",),
        "ja": ("迅速な対応ありがとうございました。", "梱包も丁寧で満足です。"),
    },
    "neutral": {
        "en": ("Item OK, delivery took a while.",),
        "de": ("Artikel ok, Lieferung dauerte etwas.",),
        "fr": ("Article correct, livraison un peu longue.",),
        "it": ("Articolo ok, consegna lenta.",),
        "es": ("Artículo correcto, el envío tardó.",),
        "ja": ("商品は普通でした。配送に時間がかかりました。",),
    },
    "negative": {
        "en": (
            "Arrived late and the box was damaged.",
            "Item never arrived, no answer from seller.",
            "Not as described. Very disappointed.",
        ),
        "de": ("Kam zu spät und beschädigt an.", "Artikel nie angekommen, keine Antwort vom Verkäufer."),
        "fr": ("Arrivé en retard et abîmé.",),
        "it": ("Arrivato in ritardo e danneggiato.",),
        "es": ("Llegó tarde y dañado.",),
        "ja": ("到着が遅れ、箱も破損していました。", "説明と違う商品でした。"),
    },
}
FEEDBACK_RESPONSE = {
    "en": "We are sorry about your experience and have contacted you to make it right.",
    "de": "Es tut uns leid. Wir haben Sie kontaktiert, um eine Lösung zu finden.",
    "fr": "Nous sommes désolés et vous avons contacté pour trouver une solution.",
    "it": "Ci dispiace, la abbiamo contattata per risolvere il problema.",
    "es": "Lo sentimos, le hemos contactado para solucionarlo.",
    "ja": "ご迷惑をおかけし申し訳ございません。解決に向けてご連絡いたしました。",
}


def text(table: dict[str, tuple[str, ...]], language: str, rng: random.Random) -> str:
    return rng.choice(table.get(language) or table["en"])
