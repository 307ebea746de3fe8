"""Regenerate seeds/iso_countries.csv and seeds/iso_currencies.csv from pycountry's ISO data.

Run by hand when ISO 3166 / ISO 4217 change (``pip install pycountry``); the CSVs are committed
so the warehouse does not depend on pycountry.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry

SEEDS = Path(__file__).resolve().parent.parent / "seeds"


def main() -> None:
    with (SEEDS / "iso_countries.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["country_code", "country_alpha3", "country_numeric", "country_name"])
        for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
            writer.writerow([country.alpha_2, country.alpha_3, country.numeric, country.name])
    with (SEEDS / "iso_currencies.csv").open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["currency_code", "currency_numeric", "currency_name"])
        for currency in sorted(pycountry.currencies, key=lambda c: c.alpha_3):
            writer.writerow([currency.alpha_3, currency.numeric, currency.name])


if __name__ == "__main__":
    main()
