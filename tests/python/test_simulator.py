"""Tests of the simulator package: the DMS files it writes and the ground truth beside them."""

from __future__ import annotations

import ast
import itertools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import pytest
from support.project import CONTRACTS

from ingestion.contracts import load_contracts
from simulator import SimulationConfig, SimulationSummary, engine, simulate, vocab

START = datetime(2026, 3, 1, 8, 0, 0)
ROWS_PER_LOAD_FILE = 200
COLUMNS = {
    "core_banking/customers": [
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
    ],
    "core_banking/accounts": [
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
    ],
    "core_banking/transactions": [
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
    ],
    "events/transaction_events": ["_id", "_doc"],
}
KEYS = {
    "core_banking/customers": "customer_id",
    "core_banking/accounts": "account_id",
    "core_banking/transactions": "transaction_id",
    "events/transaction_events": "_id",
}
TABLES = list(COLUMNS)
CORE_TABLES = [t for t in TABLES if t.startswith("core_banking/")]
LOAD_NAME = re.compile(r"^LOAD[0-9A-F]{8}\.csv$")
CDC_NAME = re.compile(r"^\d{8}-\d{9}\.csv$")
COMMIT_TS = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$")
CHANGE_SEQ = re.compile(r"^\d{35}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$")
DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
ISO_CURRENCIES = set(vocab.CURRENCIES)
KNOWN_TYPES = {t.name for t in vocab.TRANSACTION_TYPES}
CREDIT_TYPES = {"deposit", "transfer_in", "interest", "cashback"}


# ---------------------------------------------------------------- helpers


def run(tmp: Path, **overrides: Any) -> tuple[SimulationConfig, SimulationSummary]:
    config = SimulationConfig(
        out_dir=tmp / "dms",
        truth_dir=tmp / "truth",
        seed=7,
        transactions=3_000,
        batches=4,
        dirt_rate=0.05,
        rows_per_load_file=ROWS_PER_LOAD_FILE,
        start=START,
    )
    config = replace(config, **overrides)
    return config, simulate(config)


def load_files(out: Path, table: str) -> list[Path]:
    return sorted(p for p in (out / table).iterdir() if LOAD_NAME.match(p.name))


def cdc_files(out: Path, table: str) -> list[Path]:
    return sorted(p for p in (out / table).iterdir() if CDC_NAME.match(p.name))


def read_dms(path: Path) -> pa.Table:
    """A DMS CSV file with DMS null semantics: empty = NULL, "" = empty string."""
    with path.open("rb") as handle:
        names = handle.readline().decode().rstrip("\n").split(",")
    return pcsv.read_csv(
        path,
        parse_options=pcsv.ParseOptions(newlines_in_values=True),
        convert_options=pcsv.ConvertOptions(
            column_types={name: pa.string() for name in names},
            strings_can_be_null=True,
            quoted_strings_can_be_null=False,
            null_values=[""],
        ),
    )


def rows(path: Path) -> list[dict[str, Any]]:
    return list(read_dms(path).to_pylist())


def all_rows(out: Path, table: str) -> list[dict[str, Any]]:
    return [r for p in load_files(out, table) + cdc_files(out, table) for r in rows(p)]


_FIELD = re.compile(r'("(?:[^"]|"")*"|[^,"\r\n]*)(,|\n)')


def raw_records(data: str) -> Iterator[list[tuple[str, bool]]]:
    """Strict RFC 4180 tokenizer: (value, was_quoted) per field; fails on anything else."""
    position, record = 0, []
    while position < len(data):
        match = _FIELD.match(data, position)
        assert match is not None, f"malformed CSV at offset {position}: {data[position:][:40]!r}"
        token, end = match.groups()
        quoted = token.startswith('"')
        record.append((token[1:-1].replace('""', '"') if quoted else token, quoted))
        position = match.end()
        if end == "\n":
            yield record
            record = []
    assert not record, "file does not end with a newline"


def replay(out: Path, table: str) -> dict[Any, dict[str, Any]]:
    """Final state from the files: full load, then CDC ordered by (commit ts, change seq)."""
    key = KEYS[table]
    state: dict[Any, dict[str, Any]] = {}
    for path in load_files(out, table):
        for row in rows(path):
            state[row[key]] = row
    changes = [r for p in cdc_files(out, table) for r in rows(p)]
    changes.sort(key=lambda r: (r["dms_commit_ts"], r["dms_change_seq"]))
    for row in changes:
        if row["Op"] == "D":
            state.pop(row[key])
        else:
            state[row[key]] = row
    return state


def truth(truth_dir: Path, table: str) -> pa.Table:
    return pq.read_table(truth_dir / f"{table}.parquet")


def parsed_documents(events: list[dict[str, Any]]) -> list[Any]:
    """The event documents that parse as JSON."""
    documents = []
    for event in events:
        try:
            documents.append(json.loads(event["_doc"]))
        except json.JSONDecodeError:
            continue
    return documents


def dirt_counts(out: Path) -> dict[str, int]:
    """How many emitted rows show each kind of dirt."""
    customers = all_rows(out, "core_banking/customers")
    accounts = all_rows(out, "core_banking/accounts")
    transactions = all_rows(out, "core_banking/transactions")
    events = all_rows(out, "events/transaction_events")
    customer_ids = {r["customer_id"] for r in customers}
    account_ids = {r["account_id"] for r in accounts}
    emails = [r["email"] for r in customers if r["email"] is not None]
    invalid = [e for e in emails if "@" not in e or " " in e.strip()]
    documents = parsed_documents(events)
    unparseable = len(events) - len(documents)
    return {
        "invalid_email": len(invalid),
        "mixed_case_spaced_email": sum(
            1 for e in emails if e not in invalid and (e != e.strip() and e != e.lower())
        ),
        "blank_name": sum(
            1
            for r in customers
            if any(r[c] is None or r[c].strip() == "" for c in ("first_name", "last_name"))
        ),
        "lower_country": sum(
            1 for r in customers if r["country_code"] and r["country_code"].islower()
        ),
        "unknown_currency_account": sum(1 for r in accounts if r["currency"] not in ISO_CURRENCIES),
        "unknown_currency_transaction": sum(
            1 for r in transactions if r["currency"] not in ISO_CURRENCIES
        ),
        "orphan_customer": sum(1 for r in accounts if r["customer_id"] not in customer_ids),
        "orphan_account": sum(1 for r in transactions if r["account_id"] not in account_ids),
        "new_transaction_type": sum(
            1 for r in transactions if r["transaction_type"] not in KNOWN_TYPES
        ),
        "tricky_description": sum(
            1
            for r in transactions
            if r["description"] and any(ch in r["description"] for ch in '"\n\r')
        ),
        "year_1993": sum(1 for r in transactions if r["transaction_ts"].startswith("1993-")),
        "year_2035": sum(1 for r in transactions if r["transaction_ts"].startswith("2035-")),
        "string_transaction_id": sum(1 for d in documents if isinstance(d["transaction_id"], str)),
        "missing_channel": sum(1 for d in documents if "channel" not in d),
        "missing_occurred_at": sum(1 for d in documents if "occurred_at" not in d),
        "unparseable_doc": unparseable,
    }


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationConfig, SimulationSummary]:
    return run(tmp_path_factory.mktemp("small"))


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[SimulationConfig, SimulationSummary]:
    return run(tmp_path_factory.mktemp("clean"), dirt_rate=0.0)


# ---------------------------------------------------------------- layout and names


def test_every_table_has_load_and_one_cdc_file_per_batch(small: Any) -> None:
    config, summary = small
    written = set()
    for table in TABLES:
        folder = config.out_dir / table
        names = sorted(p.name for p in folder.iterdir())
        loads, cdcs = load_files(config.out_dir, table), cdc_files(config.out_dir, table)
        assert len(loads) + len(cdcs) == len(names), names
        assert [p.name for p in loads] == [f"LOAD{n:08X}.csv" for n in range(1, len(loads) + 1)]
        assert len(cdcs) == config.batches
        stamps = [datetime.strptime(p.stem, "%Y%m%d-%H%M%S%f") for p in cdcs]
        assert all(stamp > START for stamp in stamps)
        written.update(loads + cdcs)
    assert set(summary.files) == written
    assert len(summary.files) == len(written)


def test_load_counter_is_eight_uppercase_hex_digits(small: Any) -> None:
    config, _ = small
    names = [p.name for p in load_files(config.out_dir, "core_banking/transactions")]
    assert len(names) > 10
    assert names[9:11] == ["LOAD0000000A.csv", "LOAD0000000B.csv"]


def test_load_files_split_every_rows_per_load_file(small: Any) -> None:
    config, summary = small
    for table in TABLES:
        counts = [len(rows(p)) for p in load_files(config.out_dir, table)]
        assert all(c == ROWS_PER_LOAD_FILE for c in counts[:-1])
        assert 0 < counts[-1] <= ROWS_PER_LOAD_FILE
        cdc_rows = sum(len(rows(p)) for p in cdc_files(config.out_dir, table))
        name = table.replace("/", ".")
        assert summary.changes_per_table[name] == sum(counts) + cdc_rows


def test_headers_follow_source_column_order(small: Any) -> None:
    config, _ = small
    for table, columns in COLUMNS.items():
        expected = ",".join(["Op", "dms_commit_ts", *columns, "dms_change_seq"]) + "\n"
        for path in load_files(config.out_dir, table) + cdc_files(config.out_dir, table):
            with path.open("rb") as handle:
                assert handle.readline().decode() == expected, path


def test_files_are_laid_out_as_the_demo_schemas_dms_settings_say(small: Any) -> None:
    """The simulator states the demo DMS task's settings itself (header row, Op in the full
    load, commit timestamp and change sequence columns, comma, no date folders); the demo
    schemas' contracts/<schema>/_dms_settings.yml must say the same, since landing reads the
    files by them."""
    config, _ = small
    contracts = load_contracts(CONTRACTS)
    for table in TABLES:
        contract = contracts[tuple(table.split("/"))]
        settings = contract.settings
        assert settings.add_column_name and settings.include_op_for_full_load, table
        assert (settings.csv_delimiter, settings.date_partition_enabled) == (",", False), table
        assert settings.cdc_path is None, table
        header = [
            "Op",
            settings.timestamp_column_name,
            *(column.name for column in contract.columns),
            settings.change_seq_column_name,
        ]
        for path in load_files(config.out_dir, table) + cdc_files(config.out_dir, table):
            with path.open("rb") as handle:
                assert handle.readline().decode().rstrip("\n").split(",") == header, path


# ---------------------------------------------------------------- Op, timestamps, sequence


def test_full_load_rows(small: Any) -> None:
    config, _ = small
    for table in TABLES:
        for path in load_files(config.out_dir, table):
            data = read_dms(path)
            assert set(data["Op"].to_pylist()) == {"I"}
            assert set(data["dms_commit_ts"].to_pylist()) == {"2026-03-01 08:00:00.000000"}
            assert data["dms_change_seq"].null_count == data.num_rows


def test_cdc_op_timestamp_and_change_seq_formats(small: Any) -> None:
    config, _ = small
    ops: set[str] = set()
    for table in TABLES:
        for path in cdc_files(config.out_dir, table):
            for row in rows(path):
                ops.add(row["Op"])
                assert COMMIT_TS.match(row["dms_commit_ts"]), row["dms_commit_ts"]
                assert CHANGE_SEQ.match(row["dms_change_seq"]), row["dms_change_seq"]
                digits = re.sub(r"\D", "", row["dms_commit_ts"])
                assert row["dms_change_seq"][:16] == digits[:16]
    assert ops == {"I", "U", "D"}


@pytest.mark.parametrize("task", [CORE_TABLES, ["events/transaction_events"]])
def test_change_seq_unique_and_increasing_in_commit_order(small: Any, task: list[str]) -> None:
    config, _ = small
    changes = [r for t in task for p in cdc_files(config.out_dir, t) for r in rows(p)]
    changes.sort(key=lambda r: (r["dms_commit_ts"], r["dms_change_seq"]))
    sequence = [int(r["dms_change_seq"]) for r in changes]
    assert len(sequence) > 100
    assert all(a < b for a, b in itertools.pairwise(sequence))


def test_rows_within_a_cdc_file_are_in_commit_order(small: Any) -> None:
    config, _ = small
    for table in TABLES:
        for path in cdc_files(config.out_dir, table):
            order = [(r["dms_commit_ts"], r["dms_change_seq"]) for r in rows(path)]
            assert order == sorted(order), path


def test_late_changes_land_in_the_next_file(small: Any) -> None:
    config, _ = small
    for table in TABLES:
        files = cdc_files(config.out_dir, table)
        late = 0
        for earlier, later in itertools.pairwise(files):
            last_of_earlier = max(r["dms_commit_ts"] for r in rows(earlier))
            late += sum(1 for r in rows(later) if r["dms_commit_ts"] < last_of_earlier)
        assert late > 0, table


def test_several_changes_to_one_key_in_one_file(small: Any) -> None:
    config, _ = small
    for table in TABLES:
        found = {"IU": 0, "UU": 0, "IUDI": 0}
        for path in cdc_files(config.out_dir, table):
            ops_by_key: dict[str, str] = {}
            for row in rows(path):
                ops_by_key[row[KEYS[table]]] = ops_by_key.get(row[KEYS[table]], "") + row["Op"]
            for ops in ops_by_key.values():
                found["IU"] += ops.startswith("IU")
                found["UU"] += "UU" in ops
                found["IUDI"] += "IUDI" in ops
        assert all(found.values()), (table, found)


def test_changes_are_consistent_with_row_existence(small: Any) -> None:
    """I only for absent keys, U and D only for present ones, in (ts, seq) order."""
    config, _ = small
    for table in TABLES:
        key = KEYS[table]
        present = {r[key] for p in load_files(config.out_dir, table) for r in rows(p)}
        changes = [r for p in cdc_files(config.out_dir, table) for r in rows(p)]
        changes.sort(key=lambda r: (r["dms_commit_ts"], r["dms_change_seq"]))
        for row in changes:
            if row["Op"] == "I":
                assert row[key] not in present, (table, row)
                present.add(row[key])
            else:
                assert row[key] in present, (table, row)
                if row["Op"] == "D":
                    present.remove(row[key])


# ---------------------------------------------------------------- values and CSV rules


def test_values_print_as_postgresql_prints_them(small: Any) -> None:
    config, _ = small
    transactions = all_rows(config.out_dir, "core_banking/transactions")
    assert all(re.match(r"^\d+\.\d\d$", r["amount"]) for r in transactions)
    assert all(float(r["amount"]) > 0 for r in transactions)
    balances = [r["balance_after"] for r in transactions if r["balance_after"] is not None]
    assert all(re.match(r"^-?\d+\.\d\d$", b) for b in balances)
    assert any(b.startswith("-") for b in balances)
    stamps = [r[c] for r in transactions for c in ("transaction_ts", "created_at", "updated_at")]
    customers = all_rows(config.out_dir, "core_banking/customers")
    accounts = all_rows(config.out_dir, "core_banking/accounts")
    stamps += [r[c] for r in customers for c in ("created_at", "updated_at")]
    stamps += [r[c] for r in accounts for c in ("opened_at", "created_at", "updated_at")]
    stamps += [r["closed_at"] for r in accounts if r["closed_at"] is not None]
    assert all(TIMESTAMP.match(s) for s in stamps)
    assert not any(s.endswith(".000000") for s in stamps)
    assert any(len(s) == 19 for s in stamps) and any(len(s) == 26 for s in stamps)
    births = [r["date_of_birth"] for r in customers if r["date_of_birth"] is not None]
    assert births and all(DATE.match(d) for d in births)


def test_quoting_only_where_needed(small: Any) -> None:
    config, _ = small
    special = re.compile(r'[",\r\n]')
    seen = {"empty": 0, "null": 0, "comma": 0, "quote": 0, "lf": 0, "crlf": 0}
    for table in TABLES:
        for path in load_files(config.out_dir, table) + cdc_files(config.out_dir, table):
            records = list(raw_records(path.read_bytes().decode("utf-8")))
            assert not any(quoted for _, quoted in records[0]), "header must not be quoted"
            width = len(records[0])
            for record in records[1:]:
                assert len(record) == width
                for value, quoted in record:
                    needs_quotes = bool(special.search(value))
                    if quoted:
                        assert needs_quotes or value == "", (path, value)
                    else:
                        assert not needs_quotes, (path, value)
                    seen["empty"] += quoted and value == ""
                    seen["null"] += not quoted and value == ""
                    seen["comma"] += "," in value
                    seen["quote"] += '"' in value
                    seen["lf"] += "\n" in value
                    seen["crlf"] += "\r\n" in value
    assert all(seen.values()), seen


def test_values_needing_quotes_round_trip(small: Any) -> None:
    config, _ = small
    addresses = {r["address_line"] for r in all_rows(config.out_dir, "core_banking/customers")}
    assert set(vocab.TRICKY_ADDRESSES[:3]) <= addresses
    descriptions = {r["description"] for r in all_rows(config.out_dir, "core_banking/transactions")}
    assert set(vocab.TRICKY_DESCRIPTIONS) & descriptions
    assert "" in descriptions and None in descriptions


def test_empty_string_and_null_are_distinct(small: Any) -> None:
    config, _ = small
    path = load_files(config.out_dir, "core_banking/transactions")[0]
    text = path.read_bytes().decode("utf-8")
    assert ',"",' in text  # an empty description
    data = read_dms(path)
    assert "" in data["description"].to_pylist()
    assert data["counterparty_account"].null_count > 0


# ---------------------------------------------------------------- truth


@pytest.mark.parametrize("table", TABLES)
def test_truth_equals_replay_of_the_files(small: Any, table: str) -> None:
    config, summary = small
    expected = truth(config.truth_dir, table)
    state = replay(config.out_dir, table)
    assert summary.truth_rows_per_table[table.replace("/", ".")] == expected.num_rows
    assert len(state) == expected.num_rows
    columns = COLUMNS[table]
    replayed = pa.Table.from_pylist(
        [{c: row[c] for c in columns} for row in state.values()],
        schema=pa.schema([(c, pa.string()) for c in columns]),
    )
    typed = pa.table(
        [pc.cast(replayed[f.name], f.type) for f in expected.schema], schema=expected.schema
    )
    key = KEYS[table]
    assert typed.sort_by(key).equals(expected.sort_by(key))


def test_truth_types_follow_the_source(small: Any) -> None:
    config, _ = small
    transactions = truth(config.truth_dir, "core_banking/transactions").schema
    assert transactions.field("transaction_id").type == pa.int64()
    assert transactions.field("amount").type == pa.decimal128(18, 2)
    assert transactions.field("transaction_ts").type == pa.timestamp("us")
    customers = truth(config.truth_dir, "core_banking/customers").schema
    assert customers.field("date_of_birth").type == pa.date32()
    events = truth(config.truth_dir, "events/transaction_events").schema
    assert events.names == ["_id", "_doc"]


# ---------------------------------------------------------------- content


def test_scale_and_business_rules(small: Any) -> None:
    config, summary = small
    loads = {t: sum(len(rows(p)) for p in load_files(config.out_dir, t)) for t in TABLES}
    assert loads["core_banking/customers"] == config.transactions // 25
    assert 1.3 < loads["core_banking/accounts"] / loads["core_banking/customers"] < 1.7
    assert loads["core_banking/transactions"] == config.transactions
    events_per_transaction = (
        summary.truth_rows_per_table["events.transaction_events"]
        / summary.truth_rows_per_table["core_banking.transactions"]
    )
    assert 0.8 < events_per_transaction < 1.2
    accounts = truth(config.truth_dir, "core_banking/accounts").to_pylist()
    assert {a["status"] for a in accounts} == {"active", "frozen", "closed"}
    assert all((a["status"] == "closed") == (a["closed_at"] is not None) for a in accounts)
    transactions = truth(config.truth_dir, "core_banking/transactions").to_pylist()
    assert {t["status"] for t in transactions} == {"pending", "posted", "reversed"}
    for t in transactions:
        assert t["direction"] == ("C" if t["transaction_type"] in CREDIT_TYPES else "D")
    documents = parsed_documents(rows(load_files(config.out_dir, "events/transaction_events")[0]))
    assert {d["event_type"] for d in documents} >= {"initiated", "authorized"}
    assert all(re.match(r"^[0-9a-f]{24}$", d["_id"]["$oid"]) for d in documents)


def test_update_rows_keep_the_primary_key(small: Any) -> None:
    config, _ = small
    for table in CORE_TABLES:
        key = KEYS[table]
        for path in cdc_files(config.out_dir, table):
            for row in rows(path):
                assert row[key] is not None and int(row[key]) > 0


def test_every_kind_of_dirt_appears_at_a_small_scale(small: Any) -> None:
    config, _ = small
    counts = dirt_counts(config.out_dir)
    assert all(counts.values()), counts


def test_no_dirt_at_rate_zero(clean: Any) -> None:
    config, _ = clean
    counts = dirt_counts(config.out_dir)
    assert not any(counts.values()), counts


def test_tricky_addresses_appear_even_without_dirt(clean: Any) -> None:
    config, _ = clean
    addresses = {r["address_line"] for r in all_rows(config.out_dir, "core_banking/customers")}
    assert set(vocab.TRICKY_ADDRESSES[:3]) <= addresses


# ---------------------------------------------------------------- determinism and edges


def test_same_config_gives_byte_identical_files(small: Any, tmp_path: Path) -> None:
    config, summary = small
    again, second = run(tmp_path)
    assert [p.relative_to(config.out_dir) for p in summary.files] == [
        p.relative_to(again.out_dir) for p in second.files
    ]
    for first_path, second_path in zip(summary.files, second.files, strict=True):
        assert first_path.read_bytes() == second_path.read_bytes(), first_path
    for table in TABLES:
        assert (config.truth_dir / f"{table}.parquet").read_bytes() == (
            again.truth_dir / f"{table}.parquet"
        ).read_bytes()


def test_worker_processes_write_the_same_files(
    small: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(engine, "PARALLEL_MIN_TRANSACTIONS", 0)
    config, summary = small
    again, second = run(tmp_path)
    assert engine.worker_count(again) > 1 or len(os.sched_getaffinity(0)) == 1
    assert [p.relative_to(again.out_dir) for p in second.files] == [
        p.relative_to(config.out_dir) for p in summary.files
    ]
    assert second == replace(summary, files=second.files)
    for first_path, second_path in zip(summary.files, second.files, strict=True):
        assert first_path.read_bytes() == second_path.read_bytes(), first_path


def test_another_seed_gives_other_data(small: Any, tmp_path: Path) -> None:
    config, _ = small
    other, _ = run(tmp_path, seed=8)
    first = load_files(config.out_dir, "core_banking/customers")[0].read_bytes()
    assert load_files(other.out_dir, "core_banking/customers")[0].read_bytes() != first


def test_a_batch_without_changes_gives_a_header_only_file(tmp_path: Path) -> None:
    config, summary = run(tmp_path, transactions=0, batches=2)
    for table in ("core_banking/transactions", "events/transaction_events"):
        assert load_files(config.out_dir, table) == []
        files = cdc_files(config.out_dir, table)
        assert len(files) == 2
        for path in files:
            assert (
                path.read_bytes().decode()
                == ",".join(["Op", "dms_commit_ts", *COLUMNS[table], "dms_change_seq"]) + "\n"
            )
            assert read_dms(path).num_rows == 0
    assert summary.truth_rows_per_table["core_banking.transactions"] == 0
    assert summary.truth_rows_per_table["core_banking.customers"] > 0


def test_rerun_replaces_earlier_files(tmp_path: Path) -> None:
    config, _ = run(tmp_path, transactions=1_000, rows_per_load_file=100)
    _, summary = run(tmp_path, transactions=1_000, rows_per_load_file=1_000)
    on_disk = {p for t in TABLES for p in (config.out_dir / t).iterdir()}
    assert on_disk == set(summary.files)


def test_invalid_configuration_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="dirt_rate"):
        SimulationConfig(out_dir=tmp_path, truth_dir=tmp_path, dirt_rate=1.5)
    with pytest.raises(ValueError, match="rows_per_load_file"):
        SimulationConfig(out_dir=tmp_path, truth_dir=tmp_path, rows_per_load_file=0)


def test_the_simulator_imports_nothing_of_the_landing_package_but_its_contracts() -> None:
    """simulator/ is a package of its own: of ingestion it may use the contracts only."""
    package = Path(__file__).resolve().parents[2] / "simulator"
    imported: dict[str, str] = {}
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update((alias.name, path.name) for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported[node.module] = path.name
    assert "simulator.engine" in imported  # the scan sees the package's own imports
    landing = {
        name: file
        for name, file in imported.items()
        if name.split(".")[0] == "ingestion" and name != "ingestion.contracts"
    }
    assert landing == {}
