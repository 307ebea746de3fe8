"""``dmsw contracts infer --ddl``: the shipped contracts from the source's own DDL, DDL of the
four dialects, and files that disagree with their DDL."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.handmade_dms import contract_shape, csv_text, run, write
from support.project import PROJECT

from ingestion.contracts import load_contracts
from ingestion.dms_settings import DmsSettings
from ingestion.errors import UserError
from ingestion.inference.ddl import parse_ddl

# the source's own DDL, published beside the project (../shared from the main checkout)
_CANDIDATES = [
    folder / "shared" / "source-contract" / "core_banking.sql"
    for folder in (PROJECT.parent, PROJECT.parent.parent)
]
DDL = next((path for path in _CANDIDATES if path.exists()), _CANDIDATES[0])


def _shipped(table: str) -> dict[str, object]:
    shape = contract_shape(load_contracts(PROJECT / "contracts")[("core_banking", table)])
    del shape["settings"]
    return shape


def _drafted(out: Path, table: str) -> dict[str, object]:
    shape = contract_shape(load_contracts(out)[("core_banking", table)])
    del shape["settings"]
    return shape


@pytest.mark.skipif(not DDL.exists(), reason="shared/source-contract/core_banking.sql not here")
def test_the_ddl_alone_gives_the_shipped_contracts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "contracts"
    code, printed = run(capsys, "contracts", "infer", "--ddl", str(DDL), "--out", str(out))
    assert code == 0, printed
    for table in ("customers", "accounts", "transactions"):
        assert _drafted(out, table) == _shipped(table)
    # no files seen: AWS's defaults, said so
    settings = (out / "core_banking" / "_dms_settings.yml").read_text()
    assert DmsSettings.from_mapping(__import__("yaml").safe_load(settings) or {}, "t") == (
        DmsSettings(
            add_column_name=False,
            include_op_for_full_load=False,
            timestamp_column_name=None,
            change_seq_column_name=None,
        )
    )
    direction = load_contracts(out)[("core_banking", "transactions")].columns[4]
    assert direction.description == "'C' credit (money in) or 'D' debit (money out)"


@pytest.mark.skipif(not DDL.exists(), reason="shared/source-contract/core_banking.sql not here")
def test_the_ddl_with_the_demo_files_gives_the_shipped_contracts_and_settings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out = tmp_path / "dms", tmp_path / "contracts"
    code, printed = run(
        capsys, "simulate", "--out", str(root), "--truth", str(tmp_path / "truth"),
        "--transactions", "300",
    )  # fmt: skip
    assert code == 0, printed
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(root), "--ddl", str(DDL), "--out", str(out)
    )
    assert code == 0, printed
    for table in ("customers", "accounts", "transactions"):
        assert _drafted(out, table) == _shipped(table)
    shipped = load_contracts(PROJECT / "contracts")
    drafted = load_contracts(out)
    for key in shipped:  # the settings the demo task uses, read off its files
        assert drafted[key].settings == shipped[key].settings
    events = drafted[("events", "transaction_events")]
    assert events.column_names == ("_id", "_doc") and events.primary_key == ("_id",)
    assert "files disagree" not in printed


MYSQL = """
CREATE TABLE `orders` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `line` smallint NOT NULL,
  `price` decimal(10,4) DEFAULT NULL COMMENT 'unit price',
  `placed` datetime NOT NULL,          -- local time of the shop
  `flag` tinyint(1) NOT NULL DEFAULT '0',
  `doc` json,
  PRIMARY KEY (`id`, `line`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
"""
ORACLE = """
CREATE TABLE HR.EMPLOYEES (
  EMPLOYEE_ID NUMBER(6) NOT NULL,
  NAME VARCHAR2(100 CHAR),   -- as on the badge
  SALARY NUMBER(8,2),
  ANYNUM NUMBER,
  HIRED DATE,
  CONSTRAINT EMP_PK PRIMARY KEY (EMPLOYEE_ID)
)
/
"""
TSQL = """
CREATE TABLE [dbo].[Orders] (
  [OrderID] INT IDENTITY(1,1) NOT NULL,
  [Code] NCHAR(5),
  [Amount] MONEY,
  [Created] DATETIME2(7) NOT NULL,
  [Legacy] DATETIME,
  [Guid] UNIQUEIDENTIFIER,
  [Flag] BIT,
  CONSTRAINT [PK_Orders] PRIMARY KEY CLUSTERED ([OrderID] ASC)
)
GO
"""
POSTGRES = """
SET statement_timeout = 0;
CREATE FUNCTION f() RETURNS int AS $$ select 1; $$ LANGUAGE sql;
CREATE TABLE public.events (
    id bigint NOT NULL,
    at timestamp(3) with time zone,
    payload jsonb,
    amount numeric
);
COMMENT ON COLUMN public.events.payload IS 'what the app sent';
COMMENT ON TABLE public.events IS 'Events from the app.';
ALTER TABLE ONLY public.events ADD CONSTRAINT events_pkey PRIMARY KEY (id);
"""


@pytest.mark.parametrize(
    ("dialect", "text", "expected"),
    [
        (
            "mysql",
            MYSQL,
            (
                None, "orders", ["id", "line"],
                [("id", "bigint", False, None), ("line", "smallint", False, None),
                 ("price", "decimal(10,4)", True, "unit price"),
                 ("placed", "timestamp(0)", False, "local time of the shop"),
                 ("flag", "smallint", False, None), ("doc", "json", True, None)],
            ),
        ),
        (
            "oracle",
            ORACLE,
            (
                "HR", "EMPLOYEES", ["EMPLOYEE_ID"],
                [("EMPLOYEE_ID", "integer", False, None),
                 ("NAME", "varchar(100)", True, "as on the badge"),
                 ("SALARY", "decimal(8,2)", True, None), ("ANYNUM", "decimal(38,10)", True, None),
                 ("HIRED", "timestamp(0)", True, None)],
            ),
        ),
        (
            "tsql",
            TSQL,
            (
                "dbo", "Orders", ["OrderID"],
                [("OrderID", "integer", False, None), ("Code", "char(5)", True, None),
                 ("Amount", "decimal(19,4)", True, None), ("Created", "timestamp", False, None),
                 ("Legacy", "timestamp(3)", True, None), ("Guid", "uuid", True, None),
                 ("Flag", "boolean", True, None)],
            ),
        ),
        (
            "postgres",
            POSTGRES,
            (
                "public", "events", ["id"],
                [("id", "bigint", False, None), ("at", "timestamp(3)", True, None),
                 ("payload", "json", True, "what the app sent"),
                 ("amount", "decimal(38,10)", True, None)],
            ),
        ),
    ],
)  # fmt: skip
def test_ddl_of_each_dialect(dialect: str, text: str, expected: tuple[object, ...]) -> None:
    (table,) = parse_ddl(text, dialect, "t.sql")
    columns = [(c.name, c.type, c.nullable, c.description) for c in table.columns]
    assert (table.schema, table.name, table.primary_key, columns) == expected


def test_table_comments_become_descriptions() -> None:
    (table,) = parse_ddl(POSTGRES, "postgres", "t.sql")
    assert table.description == "Events from the app."


def test_what_the_mapping_cannot_carry_is_said() -> None:
    (table,) = parse_ddl(TSQL, "tsql", "t.sql")
    notes = {c.name: c.note for c in table.columns if c.note}
    assert "7 fractional digits" in str(notes["Created"])
    (table,) = parse_ddl(POSTGRES, "postgres", "t.sql")
    assert "without precision" in str(table.column("amount").note)  # type: ignore[union-attr]


def test_unreadable_ddl_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(UserError, match=r"t.sql:2: cannot"):
        parse_ddl("\nCREATE TABLE x (a int b c d)", "postgres", "t.sql")
    with pytest.raises(UserError, match=r"t.sql:1: cannot read this CREATE TABLE"):
        parse_ddl("CREATE TABLE x (a int) foo bar", "postgres", "t.sql")
    with pytest.raises(UserError, match="--dialect"):
        parse_ddl("CREATE TABLE x (a int)", "db2", "t.sql")
    code, printed = run(
        capsys, "contracts", "infer", "--ddl", str(tmp_path / "none.sql"), "--out", str(tmp_path)
    )
    assert code == 2 and "cannot read --ddl" in printed


def test_files_that_disagree_with_the_ddl_are_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out, ddl = tmp_path / "dms", tmp_path / "contracts", tmp_path / "shop.sql"
    ddl.write_text(
        "create table shop.orders (\n  id bigint primary key,\n  qty integer not null,\n"
        "  price numeric(6,2),\n  code varchar(3),\n  gone text\n);\n"
    )
    header = ["Op", "id", "qty", "price", "code", "extra"]
    rows = [["I", "1", "12.7", "1.234", "ABCD", "x"], ["I", "2", None, "2.00", "AB", "y"]]
    write(root, "shop/orders/LOAD00000001.csv", csv_text([header, *rows]))
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(root), "--ddl", str(ddl), "--out", str(out)
    )
    assert code == 0, printed
    assert (
        "column qty: files disagree with the DDL type integer: "
        "1 value(s) are not integers, e.g. '12.7'" in printed
    )
    assert (
        "column price: files disagree with the DDL type decimal(6,2): values have 3 decimals"
        in printed
    )
    assert (
        "column code: files disagree with the DDL type varchar(3): a value has 4 characters"
        in printed
    )
    assert "column qty is NOT NULL in the DDL but 1 sampled value(s) are NULL" in printed
    assert "column gone is in the DDL but not in the files" in printed
    assert "column extra is in the files but not in the DDL" in printed
    contract = load_contracts(out)[("shop", "orders")]
    assert [(c.name, c.sql_type) for c in contract.columns] == [
        ("id", "bigint"), ("qty", "integer"), ("price", "decimal(6,2)"), ("code", "varchar(3)"),
        ("gone", "varchar"), ("extra", "varchar"),
    ]  # fmt: skip


def test_headerless_files_take_the_ddl_names_by_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root, out, ddl = tmp_path / "dms", tmp_path / "contracts", tmp_path / "shop.sql"
    ddl.write_text("create table shop.t (id int primary key, name text);\n")
    write(root, "shop/t/LOAD00000001.csv", csv_text([["1", "a"], ["2", "b"]]))
    code, printed = run(
        capsys, "contracts", "infer", "--source", str(root), "--ddl", str(ddl), "--out", str(out)
    )
    assert code == 0, printed
    contract = load_contracts(out)[("shop", "t")]
    assert contract.column_names == ("id", "name") and contract.primary_key == ("id",)
    assert "rename" not in printed


def test_a_ddl_table_without_schema_needs_a_folder_or_schema(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ddl = tmp_path / "t.sql"
    ddl.write_text("create table t (id int primary key);\n")
    code, printed = run(
        capsys, "contracts", "infer", "--ddl", str(ddl), "--out", str(tmp_path / "o")
    )
    assert code == 2 and "--schema" in printed
    code, printed = run(
        capsys,
        "contracts",
        "infer",
        "--ddl",
        str(ddl),
        "--schema",
        "app",
        "--out",
        str(tmp_path / "o"),
    )
    assert code == 0, printed
    assert load_contracts(tmp_path / "o")[("app", "t")].primary_key == ("id",)


@pytest.mark.parametrize("with_files", [True, False])
def test_ddl_names_that_are_not_identifiers_are_not_drafted_into_a_contract_landing_refuses(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], with_files: bool
) -> None:
    """PostgreSQL allows "2fa_enabled", "first-name", "größe". A contract cannot name them:
    the draft is not written (it would only fail at landing) and the summary says what to do;
    headerless files are read by position, so plain names in the same order do."""
    root, out, ddl = tmp_path / "dms", tmp_path / "contracts", tmp_path / "shop.sql"
    ddl.write_text(
        'create table shop.t (id int primary key, "2fa_enabled" boolean, "first-name" text);\n'
    )
    args = ["contracts", "infer", "--ddl", str(ddl), "--out", str(out)]
    if with_files:
        write(root, "shop/t/LOAD00000001.csv", csv_text([["1", "true", "Ann"]]))
        args += ["--source", str(root)]
    code, printed = run(capsys, *args)
    assert code == 0, printed  # the other tables are drafted; this one is reported
    assert "shop.t: NOT DRAFTED: column names that are not plain identifiers" in printed
    assert "['2fa_enabled', 'first-name']" in printed
    assert "same order" in printed and "cannot read such a header" not in printed
    assert not (out / "shop" / "t.yml").exists()
