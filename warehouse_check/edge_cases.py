"""Hand-written DMS change files with the values where engines part ways, delivered with the
simulated data (shared/reference/dms-s3-format.md: header row, Op, commit timestamp with
microseconds, change sequence; DocumentDB rows as _id and the document's JSON text).

- text at its contract's full length in multi-byte characters (a 255-character address is up
  to 1020 bytes: Redshift's varchar(n) counts bytes);
- commit timestamps in the same millisecond (only the microseconds order them), timestamps at
  .999999 (rounding to milliseconds would carry into the next second);
- event documents whose dates are not ISO timestamps but begin like one, an impossible date,
  offsets, a space instead of 'T', more than three fractional digits; MongoDB extended-JSON
  numbers and epoch-millisecond dates (objects that are read), an array and an object where
  a typed field is expected (flagged); a document that is a JSON array; JSON null fields.

Two files per table: one delivered with the first batch, one with the second (an update of
first-batch keys, so the incremental run must replace rows). With the second batch, the
accounts' first LOAD file is delivered again without every third account (``reload``): a
reloaded task, so every engine deletes the accounts the new full load lacks (docs/changes.md)
and gold follows, through the post-hook's UPDATE (MERGE on Athena).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

FIRST, SECOND = "20260302-235900000.csv", "20260305-235900000.csv"
RELOADED = Path("core_banking/accounts/LOAD00000001.csv")
RELOAD_TIME = "2026-03-05 12:00:00.000000"
RELOAD_FOLDER = "_reload"
"""Where the reloaded file waits in the staging folder (its DMS key is RELOADED)."""
CUSTOMER = 9000001
ACCOUNT = 9100001
TRANSACTION = 9200001

_CUSTOMER_COLUMNS = [
    "customer_id",
    "first_name",
    "last_name",
    "email",
    "phone",
    "date_of_birth",
    "gender",
    "address_line",
    "city",
    "country_code",
    "segment",
    "created_at",
    "updated_at",
]
_ACCOUNT_COLUMNS = [
    "account_id",
    "customer_id",
    "account_number",
    "account_type",
    "currency",
    "status",
    "opened_at",
    "closed_at",
    "created_at",
    "updated_at",
]
_TRANSACTION_COLUMNS = [
    "transaction_id",
    "account_id",
    "transaction_ts",
    "amount",
    "direction",
    "currency",
    "transaction_type",
    "status",
    "balance_after",
    "counterparty_account",
    "description",
    "created_at",
    "updated_at",
]


def _csv(columns: list[str], rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Op", "dms_commit_ts", *columns, "dms_change_seq"])
    writer.writerows(rows)
    return out.getvalue()


def _customers(second: bool) -> str:
    long_name = "Ř" * 100  # varchar(100) in characters, 200 bytes
    address = "Náměstí " + "ž" * 247  # varchar(255): 255 characters, 502 bytes
    city = "Ústí nad Labem " + "ě" * 85  # varchar(100)
    if not second:
        return _csv(
            _CUSTOMER_COLUMNS,
            [
                # same millisecond, ordered by microseconds (and sequence)
                ["I", "2026-03-02 23:58:00.123401", str(CUSTOMER), long_name, "Nováková",
                 "long.name@example.cz", "+420 601 000 001", "1980-02-29", "F", address, city,
                 "CZ", "retail", "2026-03-02 23:58:00.123401", "2026-03-02 23:58:00.123401",
                 "20260302235800123401000000000000001"],
                ["U", "2026-03-02 23:58:00.123402", str(CUSTOMER), long_name, "Nováková",
                 "second.in.same.ms@example.cz", "+420 601 000 001", "1980-02-29", "F", address,
                 city, "CZ", "retail", "2026-03-02 23:58:00.123401",
                 "2026-03-02 23:58:00.123402", "20260302235800123402000000000000002"],
                # .999999: rounding to milliseconds would move it to the next second
                ["I", "2026-03-02 23:58:59.999999", str(CUSTOMER + 1), "Zoë", "Ångström",
                 "zoe@example.cz", "", "1999-12-31", "F", "1 Main St", "Brno", "CZ", "private",
                 "2026-03-02 23:58:59.999999", "2026-03-02 23:58:59.999999",
                 "20260302235859999999000000000000003"],
            ],
        )  # fmt: skip
    return _csv(
        _CUSTOMER_COLUMNS,
        [
            ["U", "2026-03-05 23:58:00.000001", str(CUSTOMER), long_name, "Nováková",
             "moved@example.cz", "+420 601 000 001", "1980-02-29", "F", "Nová 1", city, "CZ",
             "business", "2026-03-02 23:58:00.123401", "2026-03-05 23:58:00.000001",
             "20260305235800000001000000000000001"],
        ],
    )  # fmt: skip


def _accounts(second: bool) -> str:
    if second:
        return _csv(
            _ACCOUNT_COLUMNS,
            [["U", "2026-03-05 23:58:30.500500", str(ACCOUNT), str(CUSTOMER),
              "CZ6508000000192000145399", "savings", "CZK", "frozen", "2026-03-02 23:58:01",
              "", "2026-03-02 23:58:01.000001", "2026-03-05 23:58:30.500500",
              "20260305235830500500000000000000002"]],
        )  # fmt: skip
    return _csv(
        _ACCOUNT_COLUMNS,
        [["I", "2026-03-02 23:58:01.000001", str(ACCOUNT), str(CUSTOMER),
          "CZ6508000000192000145399", "savings", "CZK", "active", "2026-03-02 23:58:01", "",
          "2026-03-02 23:58:01.000001", "2026-03-02 23:58:01.000001",
          "20260302235801000001000000000000004"]],
    )  # fmt: skip


def _transactions(second: bool) -> str:
    description = "Platba za zboží " + "€" * 239  # varchar(255): 255 characters, 733 bytes
    if second:
        return _csv(
            _TRANSACTION_COLUMNS,
            [["U", "2026-03-05 23:59:00.000999", str(TRANSACTION), str(ACCOUNT),
              "2026-03-02 23:58:30.999999", "1234.56", "D", "CZK", "card_payment", "posted",
              "-1234.56", "", description, "2026-03-02 23:58:31.000001",
              "2026-03-05 23:59:00.000999", "20260305235900000999000000000000003"]],
        )  # fmt: skip
    return _csv(
        _TRANSACTION_COLUMNS,
        [["I", "2026-03-02 23:58:31.000001", str(TRANSACTION), str(ACCOUNT),
          "2026-03-02 23:58:30.999999", "1234.56", "D", "CZK", "card_payment", "pending",
          "-1234.56", "", description, "2026-03-02 23:58:31.000001",
          "2026-03-02 23:58:31.000001", "20260302235831000001000000000000005"]],
    )  # fmt: skip


# (event id, document as JSON text or a Python value to dump)
_DOCUMENTS: list[tuple[str, object]] = [
    ("edge000000000000000000a1", {"transaction_id": TRANSACTION, "channel": "web",
     "occurred_at": {"$date": "2026-03-02T23:58:30.999999Z"}}),  # six fractional digits
    ("edge000000000000000000a2", {"transaction_id": TRANSACTION, "channel": "mobile",
     "occurred_at": {"$date": "2026-03-02T23:58:31.512Zjunk"}}),  # starts like a timestamp
    ("edge000000000000000000a3", {"transaction_id": TRANSACTION, "channel": None,
     "occurred_at": {"$date": "2026-02-30T10:00:00Z"}}),  # no such day
    ("edge000000000000000000a4", {"transaction_id": str(TRANSACTION), "channel": "atm",
     "occurred_at": {"$date": "2026-03-03T00:58:30.250+01:00"}}),  # an offset
    ("edge000000000000000000a5", {"transaction_id": {"$numberLong": str(TRANSACTION)},
     "occurred_at": {"$date": "2026-03-02 23:58:32"}}),  # extended JSON; a space
    ("edge000000000000000000a6", [1, 2]),  # a document that is an array
    ("edge000000000000000000a7", '{"transaction_id": 9200001, "channel": "pos"'),  # cut off
    ("edge000000000000000000a8", {"transaction_id": TRANSACTION, "occurred_at": None,
     "risk": {"score": "0.25"}, "geo": {"country": " cz ", "city": None}}),
    ("edge000000000000000000a9", {"transaction_id": {"$numberInt": str(TRANSACTION)},
     "occurred_at": {"$date": {"$numberLong": "-4830336000000"}},  # before 1970
     "risk": {"score": {"$numberDecimal": "0.5"}}}),
    ("edge000000000000000000b0", {"transaction_id": [TRANSACTION],  # an array: flagged
     "occurred_at": {"$date": 1588261200000}, "risk": {"score": {"$numberDouble": "0.25"}}}),
    ("edge000000000000000000b1", {"transaction_id": {"x": 1}, "occurred_at": {"$date": ["x"]},
     "risk": {"score": [0.1]}}),  # objects and arrays that are not values: flagged
]  # fmt: skip


def _events(second: bool) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["Op", "dms_commit_ts", "_id", "_doc", "dms_change_seq"])
    documents = _DOCUMENTS[:1] if second else _DOCUMENTS
    for n, (event_id, document) in enumerate(documents, start=1):
        text = document if isinstance(document, str) else json.dumps(document)
        if second:  # the first event is updated: its channel changes
            text = json.dumps({"transaction_id": TRANSACTION, "channel": "branch",
                               "occurred_at": {"$date": "2026-03-02T23:58:30.100Z"}})  # fmt: skip
        stamp = f"2026-03-0{5 if second else 2} 23:58:{40 + n}.{n:06d}"
        writer.writerow(["U" if second else "I", stamp, event_id, text, f"{20260300 + n}{n:030d}"])
    return out.getvalue()


FILES = {
    "core_banking/customers": _customers,
    "core_banking/accounts": _accounts,
    "core_banking/transactions": _transactions,
    "events/transaction_events": _events,
}


def write(root: Path, second: bool) -> list[Path]:
    """Write the first (or second) batch's edge-case files under a DMS root."""
    written = []
    for folder, make in FILES.items():
        path = root / folder / (SECOND if second else FIRST)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make(second), encoding="utf-8", newline="")
        written.append(path)
    return written


def _records(text: str) -> list[str]:
    """A CSV text's records as written (a newline inside quotes stays in its record)."""
    records, start, quoted = [], 0, False
    for at, char in enumerate(text):
        if char == '"':
            quoted = not quoted
        elif char == "\n" and not quoted:
            records.append(text[start : at + 1])
            start = at + 1
    return records + ([text[start:]] if text[start:] else [])


def reload(staging: Path) -> Path:
    """The accounts' first LOAD file again under RELOAD_FOLDER (its path relative to
    ``staging``): its header and every record but each third one, as written but for the
    commit timestamp (the second field, after Op), which becomes the reload's time."""
    header, *rows = _records((staging / RELOADED).read_text(encoding="utf-8"))
    kept = []
    for n, row in enumerate(rows):
        if n % 3 != 2:
            op, _, rest = row.split(",", 2)
            kept.append(f"{op},{RELOAD_TIME},{rest}")
    relative = RELOAD_FOLDER / RELOADED
    (staging / relative).parent.mkdir(parents=True, exist_ok=True)
    (staging / relative).write_text(header + "".join(kept), encoding="utf-8", newline="")
    return relative


def dms_key(relative: Path) -> Path:
    """A staged file's DMS key (the reloaded file waits under RELOAD_FOLDER)."""
    return Path(*relative.parts[1:]) if relative.parts[0] == RELOAD_FOLDER else relative
