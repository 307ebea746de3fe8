"""Tables the project has never seen, onboarded by writing contracts only.

Four made-up tables (a bigint key, a composite bigint+integer key, a uuid key, a composite
date+char key; history on and off; header and no header; with and without a change
sequence) get contracts and DMS files written here by hand (shared/reference/dms-s3-format.md),
in a copy of the project. `dmsw models generate`, `dmsw land` and `dbt build` then give
`silver.slv_<entity>` equal to the current state and `slv_<entity>__history` equal to the
versions a plain Python replay of the same changes gives, with the contracts' rules applied
(re-stated here), in two delivery rounds (the second incremental, with a late change), and a
`--full-refresh` gives the same tables. No SQL or YAML is written by hand.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from support.copied_project import CopiedProject, copy_project
from support.pipeline import Pipeline
from support.project import DBT

pytestmark = pytest.mark.dbt

FLOOR, CEILING = datetime(1900, 1, 1), datetime(9999, 12, 31)
# what round 2 rebuilds: the run's snapshot of committed landing runs, and the new tables'
# models and tests (the data-quality view among them); round 1 builds the whole project
NEW_TABLES = ["stg_landing__committed_runs", "source:shop+", "source:crm+"]

SHOP_SETTINGS = """add_column_name: true
include_op_for_full_load: true
timestamp_column_name: dms_commit_ts
change_seq_column_name: dms_change_seq
"""
# an older task: no header, no Op in full-load files, no change sequence
CRM_SETTINGS = """add_column_name: false
include_op_for_full_load: false
timestamp_column_name: dms_commit_ts
change_seq_column_name: ''
"""
ORDERS = """table: orders
description: Web shop orders.
primary_key: [order_id]
columns:
  - {name: order_id, type: bigint}
  - {name: customer_ref, type: "varchar(20)", rules: [trim, upper]}
  - name: status
    type: varchar(12)
    rules:
      - trim
      - lower
      - {accepted_values: [new, paid, shipped], action: unknown, unknown: other, code: odd_status}
  - {name: total, type: "decimal(12,2)", rules: [{range: {min: 0}, code: negative_total}]}
  - {name: ordered_at, type: timestamp}
"""
ORDER_LINES = """table: order_lines
history: true
primary_key: [order_id, line_no]
columns:
  - {name: order_id, type: bigint}
  - {name: line_no, type: integer}
  - {name: sku, type: varchar}
  - name: quantity
    type: integer
    rules: [{range: {min: 1}, action: reject, code: no_quantity}]
  - {name: price, type: "decimal(10,2)"}
"""
CONTACTS = """table: contacts
entity: people
history: true
primary_key: [contact_id]
columns:
  - {name: contact_id, type: uuid}
  - {name: full_name, type: varchar, pii: true, rules: [trim, nullif_blank]}
  - name: email
    type: varchar
    pii: true
    rules: [trim, lower, nullif_blank, {pattern: '^[^@ ]+@[^@ ]+$', action: nullify}]
  - {name: tier, type: "char(1)", rules: [{accepted_values: [A, B, C]}]}
"""
RATES = """table: rates
primary_key: [rate_date, currency]
columns:
  - {name: rate_date, type: date}
  - {name: currency, type: "char(3)"}
  - {name: rate, type: "decimal(18,6)", nullable: false}
"""


@dataclass(frozen=True)
class Change:
    op: str
    at: datetime
    values: dict[str, Any]
    seq: int | None = None


@dataclass
class Table:
    """One made-up table: its columns, key, settings and every change delivered so far."""

    schema: str
    name: str
    columns: list[str]
    key: list[str]
    header: bool
    op_in_load: bool
    sequence: bool
    delivered: list[tuple[str, int, Change]] = field(default_factory=list)
    """(file name, row position, change) of every change delivered."""

    def csv(self, file_name: str, changes: list[Change]) -> str:
        is_load = file_name.startswith("LOAD")
        with_op = not is_load or self.op_in_load
        lines = []
        if self.header:
            names = (["Op"] if with_op else []) + ["dms_commit_ts", *self.columns]
            lines.append(",".join(names + (["dms_change_seq"] if self.sequence else [])))
        for row, change in enumerate(changes, start=1):
            values = [_text(change.values.get(c)) for c in self.columns]
            fields = ([change.op] if with_op else []) + [_text(change.at), *values]
            if self.sequence:
                fields.append(f"{change.seq:035d}" if change.seq is not None else "")
            lines.append(",".join(fields))
            self.delivered.append((file_name, row, change))
        return "\n".join(lines) + "\n"


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    text = str(value)
    return f'"{text}"' if any(c in text for c in ',"\n') else text


def _order(delivered: tuple[str, int, Change]) -> tuple[Any, ...]:
    """The DMS ordering rule: commit time, sequence, file (LOAD first, then by name), row."""
    name, row, change = delivered
    return (change.at, change.seq or 0, (0 if name.startswith("LOAD") else 1, name), row)


def replay(table: Table) -> dict[tuple[Any, ...], dict[str, Any] | None]:
    """Each key's latest values (None when its latest change is a delete)."""
    state: dict[tuple[Any, ...], dict[str, Any] | None] = {}
    for _, _, change in sorted(table.delivered, key=_order):
        key = tuple(change.values[k] for k in table.key)
        state[key] = None if change.op == "D" else change.values
    return state


def versions(
    table: Table,
) -> dict[tuple[Any, ...], list[tuple[datetime, datetime, dict[str, Any]]]]:
    """Type 2 versions per key: a version per change from its commit time (the floor for the
    changes at the key's first commit time) to the key's next change; same-time changes
    leave the last; a delete starts no version."""
    by_key: dict[tuple[Any, ...], list[Change]] = {}
    for _, _, change in sorted(table.delivered, key=_order):
        by_key.setdefault(tuple(change.values[k] for k in table.key), []).append(change)
    result = {}
    for key, changes in by_key.items():
        starts = [FLOOR if c.at == changes[0].at else c.at for c in changes]
        ends = [*starts[1:], CEILING]
        kept = [
            (start, end, c.values)
            for c, start, end in zip(changes, starts, ends, strict=True)
            if c.op != "D" and start < end
        ]
        if kept:
            result[key] = kept
    return result


def _copy_project(target: Path) -> Path:
    copy_project(target)
    for schema, settings, contracts in (
        ("shop", SHOP_SETTINGS, {"orders": ORDERS, "order_lines": ORDER_LINES}),
        ("crm", CRM_SETTINGS, {"contacts": CONTACTS, "rates": RATES}),
    ):
        folder = target / "contracts" / schema
        folder.mkdir()
        (folder / "_dms_settings.yml").write_text(settings)
        for name, text in contracts.items():
            (folder / f"{name}.yml").write_text(text)
    return target


def t(day: int, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute)


U1, U2, U3 = (
    "0b6f7a52-5f0e-4c1e-9c1a-000000000001",
    "0b6f7a52-5f0e-4c1e-9c1a-000000000002",
    "0b6f7a52-5f0e-4c1e-9c1a-000000000003",
)


def _tables() -> dict[str, Table]:
    """shop: header, Op in full load, a change sequence; crm: none of these (an older task)."""
    shop, crm = (True, True, True), (False, False, False)
    return {
        "orders": Table(
            "shop", "orders", ["order_id", "customer_ref", "status", "total", "ordered_at"],
            ["order_id"], *shop,
        ),
        "order_lines": Table(
            "shop", "order_lines", ["order_id", "line_no", "sku", "quantity", "price"],
            ["order_id", "line_no"], *shop,
        ),
        "contacts": Table(
            "crm", "contacts", ["contact_id", "full_name", "email", "tier"], ["contact_id"], *crm
        ),
        "rates": Table(
            "crm", "rates", ["rate_date", "currency", "rate"], ["rate_date", "currency"], *crm
        ),
    }  # fmt: skip


def order(oid: int, ref: str, status: str, total: str, at: datetime) -> dict[str, Any]:
    return {
        "order_id": oid,
        "customer_ref": ref,
        "status": status,
        "total": Decimal(total),
        "ordered_at": at,
    }


def line(oid: int, no: int, sku: str, quantity: int, price: str) -> dict[str, Any]:
    return {
        "order_id": oid,
        "line_no": no,
        "sku": sku,
        "quantity": quantity,
        "price": Decimal(price),
    }


def contact(cid: str, name: str | None, email: str | None, tier: str | None) -> dict[str, Any]:
    return {"contact_id": cid, "full_name": name, "email": email, "tier": tier}


def rate(day: date, currency: str, value: str) -> dict[str, Any]:
    return {"rate_date": day, "currency": currency, "rate": Decimal(value)}


ROUND_1: list[tuple[str, str, list[Change]]] = [
    ("orders", "LOAD00000001.csv", [
        Change("I", t(1), order(1, " ab-1 ", "NEW", "10.00", t(1, 8))),
        Change("I", t(1), order(2, "ab-2", "paid", "25.50", t(1, 8))),
        Change("I", t(1), order(3, "ab-3", "new", "-1.00", t(1, 8))),
    ]),
    ("orders", "20260302-100000000.csv", [
        Change("U", t(2, 10), order(1, "ab-1", "paid", "10.00", t(1, 8)), 1),
        Change("U", t(2, 10), order(1, "ab-1", "Lost", "10.00", t(1, 8)), 2),  # same time: seq
        Change("D", t(2, 11), order(2, "ab-2", "paid", "25.50", t(1, 8)), 3),
        Change("I", t(2, 12), order(4, "ab-4", "new", "7.25", t(2, 12)), 4),
    ]),
    ("order_lines", "LOAD00000001.csv", [
        Change("I", t(1), line(1, 1, "sku-a", 2, "5.00")),
        Change("I", t(1), line(1, 2, "sku-b", 1, "0.00")),
        Change("I", t(1), line(2, 1, "sku-a", 1, "25.50")),
    ]),
    ("order_lines", "20260302-100000000.csv", [
        Change("U", t(2, 10), line(1, 1, "sku-a", 3, "5.00"), 1),
        Change("U", t(2, 10, 30), line(1, 2, "sku-b", 0, "0.00"), 2),  # quantity 0: rejected
        Change("D", t(2, 11), line(2, 1, "sku-a", 1, "25.50"), 3),
        Change("I", t(2, 12), line(4, 1, "sku-c", 5, "1.45"), 4),
    ]),
    ("contacts", "LOAD00000001.csv", [
        Change("I", t(1), contact(U1, " Ann Lee ", " Ann@Example.COM", "A")),
        Change("I", t(1), contact(U2, "   ", "not an email", "Z")),
    ]),
    ("contacts", "20260302-100000000.csv", [
        Change("U", t(2, 10), contact(U1, "Ann Lee", "ann@new.example", "B")),
        Change("I", t(2, 11), contact(U3, "Bo", None, None)),
        Change("D", t(2, 12), contact(U3, "Bo", None, None)),  # inserted and deleted
    ]),
    ("rates", "LOAD00000001.csv", [
        Change("I", t(1), rate(date(2026, 3, 1), "EUR", "1.000000")),
        Change("I", t(1), rate(date(2026, 3, 1), "CZK", "0.040000")),
    ]),
    ("rates", "20260302-100000000.csv", [
        Change("U", t(2, 10), rate(date(2026, 3, 1), "CZK", "0.041234")),
        Change("I", t(2, 10), rate(date(2026, 3, 2), "CZK", "0.041500")),
    ]),
]  # fmt: skip
ROUND_2: list[tuple[str, str, list[Change]]] = [
    ("orders", "20260303-100000000.csv", [
        Change("U", t(3, 10), order(4, "ab-4", "shipped", "7.25", t(2, 12)), 5),
        Change("I", t(3, 11), order(2, "ab-2", "new", "30.00", t(3, 11)), 6),  # re-inserted
    ]),
    # delivered late: committed before what round 1 already holds for order 1, so it loses
    ("orders", "20260302-093000000.csv", [
        Change("U", t(2, 9, 30), order(1, "ab-1", "shipped", "99.00", t(1, 8)), 0),
    ]),
    ("order_lines", "20260303-100000000.csv", [
        Change("U", t(3, 10), line(1, 2, "sku-b", 4, "2.00"), 5),  # no longer rejected
        Change("I", t(3, 11), line(2, 1, "sku-d", 2, "15.00"), 6),
    ]),
    ("contacts", "20260303-100000000.csv", [
        Change("U", t(3, 10), contact(U2, "Zoe", "zoe@example.com", "C")),
        # an earlier commit than U1's last change, delivered late: a version in between
        Change("U", t(1, 12), contact(U1, "Ann Lee", "ann@mid.example", "A")),
    ]),
    ("rates", "20260303-100000000.csv", [
        Change("D", t(3, 10), rate(date(2026, 3, 1), "EUR", "1.000000")),
    ]),
]  # fmt: skip


def _deliver(
    pipeline: Pipeline, tables: dict[str, Table], files: list[tuple[str, str, list[Change]]]
) -> None:
    for name, file_name, changes in files:
        table = tables[name]
        pipeline.write(f"{table.schema}/{table.name}/{file_name}", table.csv(file_name, changes))


# -- the contracts' rules, re-stated in plain Python ----------------------------------------


def _flags(*pairs: tuple[bool, str]) -> str | None:
    return ",".join(code for failed, code in pairs if failed) or None


def expected_row(
    table: str, values: dict[str, Any]
) -> tuple[dict[str, Any], str | None, str | None]:
    """(silver values, quality_issues, reject_reasons) of one change's values."""
    if table == "orders":
        status = values["status"].strip().lower()
        odd = status not in ("new", "paid", "shipped")
        negative = values["total"] < 0
        row = {**values, "customer_ref": values["customer_ref"].strip().upper()}
        row["status"] = "other" if odd else status
        return row, _flags((odd, "odd_status"), (negative, "negative_total")), None
    if table == "order_lines":
        return dict(values), None, _flags((values["quantity"] < 1, "no_quantity"))
    if table == "contacts":
        name = (values["full_name"] or "").strip() or None
        email = (values["email"] or "").strip().lower() or None
        bad_email = email is not None and (" " in email or email.count("@") != 1)
        bad_tier = values["tier"] is not None and values["tier"] not in ("A", "B", "C")
        row = {**values, "full_name": name, "email": None if bad_email else email}
        return row, _flags((bad_email, "invalid_email"), (bad_tier, "unknown_tier")), None
    return dict(values), None, None


ENTITIES = {
    "orders": "orders",
    "order_lines": "order_lines",
    "contacts": "people",
    "rates": "rates",
}


def _silver_rows(pipeline: Pipeline, relation: str, columns: list[str]) -> list[tuple[Any, ...]]:
    return sorted(
        pipeline.query(f"select {', '.join(columns)} from {relation}"), key=lambda r: str(r)
    )


def check_against_replay(pipeline: Pipeline, tables: dict[str, Table]) -> None:
    for name, table in tables.items():
        entity = ENTITIES[name]
        columns = [*table.columns, "quality_issues"]
        current, rejected = [], []
        for key, values in replay(table).items():
            if values is None:
                continue
            row, flags, reasons = expected_row(name, values)
            if reasons:
                rejected.append((*key, reasons))
            else:
                current.append((*[row[c] for c in table.columns], flags))
        got = _silver_rows(pipeline, f"silver.slv_{entity}", columns)
        assert current and got == sorted(current, key=lambda r: str(r)), name
        got_rejects = _silver_rows(
            pipeline, f"silver.slv_{entity}__rejects", [*table.key, "reject_reasons"]
        )
        assert got_rejects == sorted(rejected, key=lambda r: str(r)), name
        if name in ("order_lines", "contacts"):
            expected_versions = []
            for key, kept in versions(table).items():
                for number, (start, end, values) in enumerate(kept, start=1):
                    row, flags, reasons = expected_row(name, values)
                    attributes = [row[c] for c in table.columns if c not in table.key]
                    current_version = end == CEILING
                    expected_versions.append(
                        (*key, number, start, end, current_version, *attributes, reasons)
                    )
            columns = [
                *table.key, "version_number", "valid_from", "valid_to", "is_current",
                *[c for c in table.columns if c not in table.key], "reject_reasons",
            ]  # fmt: skip
            got_versions = _silver_rows(pipeline, f"silver.slv_{entity}__history", columns)
            assert len(got_versions) > len(current), name  # some keys have several versions
            assert got_versions == sorted(expected_versions, key=lambda r: str(r)), name


def _fingerprints(pipeline: Pipeline) -> dict[str, tuple[int, str]]:
    relations = [
        f"silver.slv_{entity}{role}"
        for entity in ENTITIES.values()
        for role in ("__latest", "", "__rejects", "__history")
        if role != "__history" or entity in ("order_lines", "people")
    ]
    return {relation: pipeline.fingerprint(relation) for relation in relations}


@pytest.fixture(scope="module")
def onboarded(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[CopiedProject, dict[str, Table]]]:
    root = tmp_path_factory.mktemp("onboarding")
    project = _copy_project(root / "project")
    pipeline = CopiedProject(root / "run", project=project)
    generated = pipeline.run(str(Path(DBT).with_name("dmsw")), "models", "generate")
    assert generated.returncode == 0, generated.stdout + generated.stderr
    yield pipeline, _tables()


def test_new_tables_get_every_model_from_their_contracts(
    onboarded: tuple[CopiedProject, dict[str, Table]],
) -> None:
    pipeline, _ = onboarded
    silver = pipeline.project / "models" / "silver"
    for entity, history in (
        ("orders", False),
        ("order_lines", True),
        ("people", True),
        ("rates", False),
    ):
        names = {p.name for p in (silver / entity).iterdir()}
        roles = ("__changes.sql", "__latest.sql", ".sql", "__rejects.sql")
        assert {f"slv_{entity}{role}" for role in roles} <= names
        assert f"_silver_{entity}__models.yml" in names
        assert (f"slv_{entity}__history.sql" in names) == history
    bronze = pipeline.project / "models" / "bronze"
    for stg in ("shop__orders", "shop__order_lines", "crm__contacts", "crm__rates"):
        assert (bronze / stg.split("__")[0] / f"stg_{stg}.sql").exists()


def test_silver_equals_the_replayed_state_and_versions_over_incremental_runs(
    onboarded: tuple[CopiedProject, dict[str, Table]],
) -> None:
    pipeline, tables = onboarded
    _deliver(pipeline, tables, ROUND_1)
    landing = pipeline.land()
    assert landing.files_failed == 0 and landing.rows_quarantined == 0
    pipeline.dbt("build")  # every model and test of the project, the bank's tables empty
    check_against_replay(pipeline, tables)
    _deliver(pipeline, tables, ROUND_2)
    assert pipeline.land().files_landed == len(ROUND_2)
    pipeline.dbt("build", "--select", *NEW_TABLES)  # incremental
    check_against_replay(pipeline, tables)
    # the late order change lost; the late contact change made a version in between
    assert pipeline.query("select status from silver.slv_orders where order_id = 1") == [("other",)]
    history = (
        "select email from silver.slv_people__history where contact_id = ? order by valid_from"
    )
    assert pipeline.query(history, [U1]) == [
        ("ann@example.com",),
        ("ann@mid.example",),
        ("ann@new.example",),
    ]
    incremental = _fingerprints(pipeline)
    pipeline.dbt("run", "--full-refresh", "--select", *NEW_TABLES)
    assert _fingerprints(pipeline) == incremental


def test_flags_are_counted_for_new_tables(
    onboarded: tuple[CopiedProject, dict[str, Table]],
) -> None:
    pipeline, tables = onboarded
    if not tables["orders"].delivered:
        pytest.skip("needs the delivery test first")
    counted = dict(
        ((entity, code), rows)
        for entity, code, rows in pipeline.query(
            "select entity, code, current_rows from silver.slv_data_quality "
            "where entity in ('orders', 'order_lines', 'people', 'rates')"
        )
    )
    assert counted[("orders", "odd_status")] == 1  # order 1: 'Lost'
    assert counted[("orders", "negative_total")] == 1  # order 3
    assert counted[("people", "invalid_email")] == 0  # U2 fixed its email in round 2
    assert counted[("order_lines", "no_quantity")] == 0
    assert counted[("rates", "missing_rate")] == 0


def test_a_wider_column_type_reaches_silver_on_an_incremental_build(
    tmp_path: Path,
) -> None:
    """docs/onboarding.md: a column whose values do not fit is widened in the contract; the
    files landed after it hold the wider values, and silver's incremental tables must carry
    them exactly (not cast into the type they were created with: 1.005 into decimal(12,2)
    would be 1.01), as a full refresh would."""
    project = copy_project(tmp_path / "project")
    contract = project / "contracts" / "stock" / "items.yml"
    contract.parent.mkdir()
    bare = "table: items\nhistory: true\nprimary_key: [item_id]\ncolumns:\n"
    bare += "  - {name: item_id, type: bigint}\n  - {name: price, type: 'decimal(%s)'}\n"
    pipeline = CopiedProject(tmp_path / "run", project=project)
    dmsw = str(Path(DBT).with_name("dmsw"))
    models = ["stg_landing__committed_runs", "source:stock+"]
    price = "select price::varchar from silver.{} where item_id = 1"

    contract.write_text(bare % "12,2")
    assert pipeline.run(dmsw, "models", "generate").returncode == 0
    pipeline.write("stock/items/LOAD00000001.csv", "1,117300.00\n")
    pipeline.write("stock/items/20260301-090000000.csv", "U,1,2.50\n")
    assert pipeline.land().rows_quarantined == 0
    pipeline.dbt("run", "--select", *models, "--exclude", "slv_data_quality")
    assert pipeline.query(price.format("slv_items")) == [("2.50",)]

    contract.write_text(bare % "14,3")
    assert pipeline.run(dmsw, "models", "generate").returncode == 0
    pipeline.write("stock/items/20260302-090000000.csv", "U,1,1.005\n")
    assert pipeline.land().rows_quarantined == 0
    pipeline.dbt("run", "--select", *models, "--exclude", "slv_data_quality")  # incremental
    for relation in ("slv_items", "slv_items__latest"):
        assert pipeline.query(price.format(relation)) == [("1.005",)], relation
    # without commit timestamps the history keeps the last version only (docs/changes.md)
    history = "select price::varchar from silver.slv_items__history"
    assert pipeline.query(history) == [("1.005",)]
