"""Word lists the generators draw from (names, places, merchants, currencies).

A data table (about 320 lines, nearly all of it the lists themselves): kept whole so every
word a generator can draw is found in one place.
"""

from __future__ import annotations

from typing import NamedTuple

_ASCII = str.maketrans(
    "áäčďéěíĺľňóôöŕřšťúůüýžßÁÄČĎÉĚÍĹĽŇÓÔÖŔŘŠŤÚŮÜÝŽłŁńśźżąęćő",
    "aacdeeillnooorrstuuuyzsAACDEEILLNOOORRSTUUUYZlLnszzaeco",
)


def ascii_fold(text: str) -> str:
    """Drop diacritics the way e-mail local parts usually do."""
    return text.translate(_ASCII).replace("ß", "ss")


FEMALE_FIRST = (
    "Jana",
    "Eva",
    "Hana",
    "Anna",
    "Lenka",
    "Kateřina",
    "Lucie",
    "Věra",
    "Petra",
    "Markéta",
    "Zuzana",
    "Tereza",
    "Martina",
    "Klára",
    "Barbora",
    "Monika",
    "Ivana",
    "Veronika",
    "Sophie",
    "Marie",
    "Julia",
    "Emma",
    "Claire",
    "Agnieszka",
    "Katalin",
    "Sarah",
    "Charlotte",
    "Léa",
)
MALE_FIRST = (
    "Jan",
    "Petr",
    "Jiří",
    "Josef",
    "Pavel",
    "Martin",
    "Tomáš",
    "Jaroslav",
    "Miroslav",
    "Lukáš",
    "Jakub",
    "David",
    "Ondřej",
    "Michal",
    "Vojtěch",
    "Marek",
    "Filip",
    "Radek",
    "Lukas",
    "Thomas",
    "Stefan",
    "Pierre",
    "Nicolas",
    "James",
    "Oliver",
    "Piotr",
    "Tamás",
    "Matúš",
)
MALE_LAST = (
    "Novák",
    "Svoboda",
    "Novotný",
    "Dvořák",
    "Černý",
    "Procházka",
    "Kučera",
    "Veselý",
    "Horák",
    "Němec",
    "Pokorný",
    "Marek",
    "Pospíšil",
    "Hájek",
    "Král",
    "Jelínek",
    "Růžička",
    "Beneš",
    "Fiala",
    "Sedláček",
    "Müller",
    "Schmidt",
    "Weber",
    "Dubois",
    "Martin",
    "Smith",
    "Brown",
    "Kowalski",
    "Nagy",
    "Horváth",
    "O'Brien",
)
FEMALE_LAST = (
    "Nováková",
    "Svobodová",
    "Novotná",
    "Dvořáková",
    "Černá",
    "Procházková",
    "Kučerová",
    "Veselá",
    "Horáková",
    "Němcová",
    "Pokorná",
    "Marková",
    "Pospíšilová",
    "Hájková",
    "Králová",
    "Jelínková",
    "Růžičková",
    "Benešová",
    "Fialová",
    "Sedláčková",
    "Müller",
    "Schmidt",
    "Weber",
    "Dubois",
    "Martin",
    "Smith",
    "Brown",
    "Kowalska",
    "Nagy",
    "Horváth",
    "O'Brien",
)

EMAIL_DOMAINS = (
    "seznam.cz",
    "gmail.com",
    "email.cz",
    "centrum.cz",
    "outlook.com",
    "post.cz",
    "yahoo.com",
    "icloud.com",
    "gmx.de",
    "web.de",
    "orange.fr",
    "azet.sk",
    "wp.pl",
    "proton.me",
)
EMAIL_DOMAIN_WEIGHTS = (20, 25, 10, 6, 8, 3, 4, 5, 4, 3, 3, 3, 3, 3)


class City(NamedTuple):
    name: str
    country: str
    lat_hundredths: int
    lon_hundredths: int
    weight: int


CITIES = (
    City("Praha", "CZ", 5008, 1444, 30),
    City("Brno", "CZ", 4919, 1661, 12),
    City("Ostrava", "CZ", 4982, 1826, 7),
    City("Plzeň", "CZ", 4975, 1338, 5),
    City("Olomouc", "CZ", 4959, 1725, 3),
    City("Liberec", "CZ", 5077, 1506, 3),
    City("České Budějovice", "CZ", 4897, 1447, 3),
    City("Hradec Králové", "CZ", 5021, 1583, 3),
    City("Bratislava", "SK", 4815, 1711, 6),
    City("Košice", "SK", 4872, 2126, 2),
    City("Wien", "AT", 4821, 1637, 4),
    City("Graz", "AT", 4707, 1544, 1),
    City("Berlin", "DE", 5252, 1340, 4),
    City("München", "DE", 4814, 1158, 3),
    City("Dresden", "DE", 5105, 1374, 2),
    City("Paris", "FR", 4886, 235, 2),
    City("Nantes", "FR", 4722, -155, 1),
    City("Lyon", "FR", 4576, 484, 1),
    City("London", "GB", 5151, -13, 3),
    City("Manchester", "GB", 5348, -224, 1),
    City("Warszawa", "PL", 5223, 2101, 2),
    City("Kraków", "PL", 5006, 1994, 1),
    City("Budapest", "HU", 4750, 1904, 2),
)

# Street names per address style; each style formats "<street> <number>" differently.
STREETS_CENTRAL = (
    "Vinohradská",
    "Karlova",
    "Husova",
    "Masarykova",
    "Nádražní",
    "Palackého",
    "Sokolská",
    "Lidická",
    "Jiráskova",
    "Komenského",
    "Hauptstraße",
    "Bahnhofstraße",
    "Lindenweg",
    "Mariahilfer Straße",
    "Obchodná",
    "Hlavná",
    "ulica Długa",
    "Andrássy út",
)
STREETS_FRENCH = ("rue Royale", "avenue Foch", "rue de la Paix", "boulevard Voltaire")
STREETS_ENGLISH = ("High Street", "Baker Street", "Station Road", "Church Lane", "Oxford Road")
ADDRESS_STYLE_BY_COUNTRY = {"FR": 1, "GB": 2}
"""0 = central European "Street 12/3", 1 = French "54, rue Royale", 2 = English "12 High St"."""

# Legal address text that needs CSV quoting: quotes, newlines, CR/LF, commas.
TRICKY_ADDRESSES = (
    'Vila "Rosa", Lipová 3',
    "Na Příkopě 12\nbyt 4",
    'c/o "Novák & syn"\r\nSokolská 5, 3. patro',
    "Flat 3, 12 High Street\nEast Wing",
    'U "Zlatého kohouta" 7',
)

CURRENCIES = ("EUR", "CZK", "USD", "GBP", "CHF", "PLN", "HUF", "SEK")
CURRENCY_WEIGHTS = (40, 35, 8, 6, 3, 4, 2, 2)
CURRENCY_SCALE = (1.0, 25.0, 1.1, 0.85, 0.95, 4.3, 390.0, 11.5)
"""Rough units per euro, so amounts look plausible in each currency."""
HOME_CURRENCY = {
    "CZ": "CZK",
    "SK": "EUR",
    "AT": "EUR",
    "DE": "EUR",
    "FR": "EUR",
    "GB": "GBP",
    "PL": "PLN",
    "HU": "HUF",
}
UNKNOWN_CURRENCIES = ("XYZ", "QQQ", "EUX")
"""Not ISO 4217 codes."""

IBAN_BANKS = ("0800", "0100", "0300", "2010", "5500", "0600", "2700", "3030")

SEGMENTS = ("retail", "private", "business")
SEGMENT_WEIGHTS = (82, 6, 12)
ACCOUNT_TYPES = ("checking", "savings", "credit_card", "loan")
ACCOUNT_TYPE_WEIGHTS = (55, 25, 12, 8)


class TxType(NamedTuple):
    name: str
    direction: str
    weight: int
    median_eur: float


TRANSACTION_TYPES = (
    TxType("card_payment", "D", 40, 24.0),
    TxType("transfer_out", "D", 14, 180.0),
    TxType("transfer_in", "C", 14, 260.0),
    TxType("withdrawal", "D", 8, 90.0),
    TxType("deposit", "C", 8, 300.0),
    TxType("fee", "D", 7, 3.5),
    TxType("interest", "C", 5, 4.0),
    TxType("loan_payment", "D", 4, 420.0),
)
NEW_TRANSACTION_TYPES = (
    TxType("crypto_purchase", "D", 1, 150.0),
    TxType("standing_order", "D", 1, 120.0),
    TxType("cashback", "C", 1, 6.0),
)
"""Types the source started writing without notice."""

MERCHANTS = (
    "TESCO PRAHA",
    "LIDL BRNO",
    "ALBERT 1234",
    "BILLA",
    "SHELL D1",
    "AMAZON EU SARL",
    "SPOTIFY P2B3C4",
    "UBER *TRIP",
    "DM DROGERIE",
    "IKEA, PRAHA-ZLICIN",
    "ROHLIK.CZ",
    "McDONALD'S",
    "BOLT.EU",
    "ALZA.CZ",
    "CESKE DRAHY",
    "STARBUCKS WIEN",
    "APPLE.COM/BILL",
)
TRICKY_DESCRIPTIONS = (
    'Invoice "2026/017", thank you',
    "Rent March\nflat 4B",
    'Refund for order "A-17"\r\nsee e-mail',
    'He said "pay me back", so I did',
    "Dinner, drinks, taxi",
)

CHANNELS = ("mobile", "web", "pos", "atm", "branch")
CHANNEL_WEIGHTS = (45, 20, 20, 8, 7)
DEVICE_OS = ("android", "ios", "windows", "macos", "linux")
APP_VERSIONS = ("7.4.1", "7.4.0", "7.3.2", "7.2.9", "8.0.0-beta")
RISK_RULES = (
    '["velocity_ok"]',
    "[]",
    '["velocity_ok", "geo_ok"]',
    '["amount_high"]',
    '["geo_mismatch", "new_device"]',
    '["velocity_high"]',
)
