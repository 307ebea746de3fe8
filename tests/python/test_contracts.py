from __future__ import annotations

from pathlib import Path

import pytest

from ingestion.column_types import parse_type
from ingestion.contracts import load_contracts
from ingestion.errors import UserError


def test_project_contracts_load(contracts: dict[tuple[str, str], object]) -> None:
    assert set(contracts) == {
        ("core_banking", "customers"),
        ("core_banking", "accounts"),
        ("core_banking", "transactions"),
        ("events", "transaction_events"),
    }


def _write(tmp_path: Path, text: str, name: str = "t.yml") -> Path:
    folder = tmp_path / "s"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("table: t\ncolumns: [{name: id, type: bigint}]\n", "primary_key"),
        ("table: t\nprimary_key: [id]\ncolumns: [{name: id, type: money}]\n", "not supported"),
        (
            'table: t\nprimary_key: [id]\ncolumns: [{name: "id; drop", type: bigint}]\n',
            "identifier",
        ),
        ("table: other\nprimary_key: [id]\ncolumns: [{name: id, type: bigint}]\n", "file name"),
        ("table: t\nprimary_key: [id]\ncolumns: [{name: id}]\n", "name and a type"),
        ("columns: [\n", "not valid YAML"),
    ],
)
def test_bad_contracts_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(UserError, match=message):
        load_contracts(_write(tmp_path, text))


def test_unknown_dms_setting_is_an_error(tmp_path: Path) -> None:
    root = _write(tmp_path, "table: t\nprimary_key: [id]\ncolumns: [{name: id, type: bigint}]\n")
    (root / "s" / "_dms_settings.yml").write_text("add_colum_name: true\n")
    with pytest.raises(UserError, match="unknown setting"):
        load_contracts(root)


def test_a_new_table_is_a_new_file(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "table: t\nprimary_key: [id]\ncolumns:\n  - {name: id, type: bigint}\n"
        "  - {name: price, type: 'decimal(10, 3)'}\n",
    )
    contract = load_contracts(root)[("s", "t")]
    assert contract.column_names == ("id", "price")
    assert str(contract.columns[1].arrow_type) == "decimal128(10, 3)"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ("date_partition_sequence: YYYYDDMM\n", "date_partition_sequence 'YYYYDDMM' is not one"),
        ("date_partition_delimiter: COMMA\n", "date_partition_delimiter 'COMMA' is not one"),
        ("csv_delimiter: '\"'\n", "csv_delimiter must be one character"),
        ("cdc_path: ../outside\n", "cdc_path '../outside' is not a plain folder path"),
        ("add_column_name: perhaps\n", "add_column_name must be true or false"),
        ("timestamp_column_name: 'ts; drop'\n", "not a plain identifier"),
    ],
)
def test_bad_dms_settings_are_clear_errors(tmp_path: Path, settings: str, message: str) -> None:
    root = _write(tmp_path, "table: t\nprimary_key: [id]\ncolumns: [{name: id, type: bigint}]\n")
    (root / "s" / "_dms_settings.yml").write_text(settings)
    with pytest.raises(UserError, match=message.replace("(", r"\(")):
        load_contracts(root)


@pytest.mark.parametrize(
    ("written", "canonical", "arrow"),
    [
        ("bigint", "bigint", "int64"),
        ("int8", "bigint", "int64"),
        ("INTEGER", "integer", "int32"),
        ("numeric(18, 2)", "decimal(18,2)", "decimal128(18, 2)"),
        ("numeric(10)", "decimal(10,0)", "decimal128(10, 0)"),
        ("character varying(100)", "varchar(100)", "string"),
        ("text", "varchar", "string"),
        ("char", "char(1)", "string"),
        ("character(3)", "char(3)", "string"),
        ("timestamp without time zone", "timestamp", "timestamp[us]"),
        ("timestamp(3) with time zone", "timestamp(3)", "timestamp[us]"),
        ("timestamptz", "timestamp", "timestamp[us]"),
        ("double precision", "double", "double"),
        ("bool", "boolean", "bool"),
        ("uuid", "uuid", "string"),
        ("jsonb", "json", "string"),
        ("bytea", "binary", "binary"),
    ],
)
def test_types_and_their_source_spellings(written: str, canonical: str, arrow: str) -> None:
    parsed = parse_type(written)
    assert str(parsed) == canonical
    assert str(parsed.arrow_type) == arrow


@pytest.mark.parametrize(
    "written", ["money", "decimal(39,2)", "decimal(5,6)", "varchar(0)", "timestamp(9)", "int(3)"]
)
def test_unsupported_types_are_clear_errors(written: str) -> None:
    with pytest.raises(UserError, match="is not supported"):
        parse_type(written)


def test_modelling_keys_are_read_and_typos_refused(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "table: t\nentity: things\nhistory: true\ndescription: Things.\nprimary_key: [id]\n"
        "columns:\n  - {name: id, type: bigint, nullable: true}\n"
        "  - {name: email, type: 'varchar(255)', pii: true, nullable: false, description: Mail,"
        " rules: [trim, lower]}\n",
    )
    contract = load_contracts(root)[("s", "t")]
    assert (contract.entity_name, contract.history, contract.description) == (
        "things",
        True,
        "Things.",
    )
    key, email = contract.columns
    assert not key.nullable  # a primary key column is never nullable
    assert (email.pii, email.nullable, email.description, email.rules) == (
        True,
        False,
        "Mail",
        ("trim", "lower"),
    )
    (root / "s" / "t.yml").write_text(
        "table: t\nprimary_key: [id]\ncolumns: [{name: id, type: bigint, pi: true}]\n"
    )
    with pytest.raises(UserError, match=r"unknown key\(s\) \['pi'\]"):
        load_contracts(root)


def test_a_table_may_override_its_schemas_dms_settings(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "table: t\nprimary_key: [id]\ncolumns: [{name: id, type: bigint}]\n"
        "settings: {add_column_name: false}\n",
    )
    (root / "s" / "_dms_settings.yml").write_text("add_column_name: true\ncsv_delimiter: ';'\n")
    settings = load_contracts(root)[("s", "t")].settings
    assert (settings.add_column_name, settings.csv_delimiter) == (False, ";")


def test_a_column_may_be_renamed_and_carry_a_document_for_modelgen(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "table: t\nprimary_key: [_id]\ncolumns:\n  - {name: _id, type: varchar, rename: event_id}\n"
        "  - {name: _doc, type: varchar, document: {fields: [{name: kind}]}}\n",
    )
    key, doc = load_contracts(root)[("s", "t")].columns
    assert (key.name, key.model_name, doc.model_name) == ("_id", "event_id", "_doc")
    assert doc.document == {"fields": [{"name": "kind"}]}
    for bad, message in [
        ("rename: 'event id'", "not a plain identifier"),
        ("document: [kind]", "document must be a mapping"),
    ]:
        (root / "s" / "t.yml").write_text(
            f"table: t\nprimary_key: [id]\ncolumns: [{{name: id, type: varchar, {bad}}}]\n"
        )
        with pytest.raises(UserError, match=message):
            load_contracts(root)


@pytest.mark.parametrize("name", ["_dms_file", "_DMS_OP", "_landed_at", "_load_generation"])
def test_a_column_named_like_the_raw_zones_metadata_is_refused(tmp_path: Path, name: str) -> None:
    """A source column named like a raw-zone metadata column (a source table may have one)
    would be written twice into the raw Parquet file: refused at start, saying what to do."""
    root = _write(
        tmp_path,
        f"table: t\nprimary_key: [id]\ncolumns:\n  - {{name: id, type: bigint}}\n"
        f"  - {{name: {name}, type: varchar}}\n",
    )
    with pytest.raises(UserError, match=rf"column {name}: .*raw zone.*DMS task") as error:
        load_contracts(root)
    assert "\n" not in str(error.value)


def test_the_refused_metadata_names_are_the_raw_zones() -> None:
    from ingestion.contracts import RAW_METADATA_COLUMNS
    from ingestion.schemas import LINEAGE_FIELDS, TRAILER_FIELDS

    assert {f.name for f in LINEAGE_FIELDS + TRAILER_FIELDS} == RAW_METADATA_COLUMNS


@pytest.mark.parametrize(
    ("name", "settings", "what"),
    [
        ("Op", "", "Op"),
        ("op", "", "Op"),
        ("commit_ts", "timestamp_column_name: commit_ts\n", "timestamp_column_name"),
        ("SEQ", "change_seq_column_name: seq\n", "change_seq_column_name"),
    ],
)
def test_a_column_named_like_a_dms_change_column_is_refused(
    tmp_path: Path, name: str, settings: str, what: str
) -> None:
    """A source column named Op (or like the timestamp or change-sequence column) cannot be
    told apart from DMS's own in the files: landing took its values for DMS's Op (records
    quarantined as "unknown Op", CDC files refused for duplicate names). Refused at start."""
    root = _write(
        tmp_path,
        f"table: t\nprimary_key: [id]\ncolumns:\n  - {{name: id, type: bigint}}\n"
        f"  - {{name: {name}, type: varchar}}\n",
    )
    (root / "s" / "_dms_settings.yml").write_text(settings or "{}\n")
    with pytest.raises(UserError, match=rf"column {name}: .*{what}.*DMS task") as error:
        load_contracts(root)
    assert "\n" not in str(error.value)


def test_a_table_whose_name_starts_with_an_underscore_has_a_contract(tmp_path: Path) -> None:
    """`_tmp.yml` was skipped like `_dms_settings.yml`: its table never landed, and landing
    asked for the very file that was there."""
    root = _write(
        tmp_path,
        "table: _tmp\nprimary_key: [id]\ncolumns: [{name: id, type: bigint}]\n",
        "_tmp.yml",
    )
    assert set(load_contracts(root)) == {("s", "_tmp")}


def test_column_names_that_differ_only_in_case_are_refused(tmp_path: Path) -> None:
    """PostgreSQL allows "Name" and name in one table; landing matches headers, DuckDB reads
    Parquet and Glue stores columns without regard to case: one of them must be renamed."""
    root = _write(
        tmp_path,
        "table: t\nprimary_key: [id]\ncolumns:\n  - {name: id, type: bigint}\n"
        "  - {name: Name, type: varchar}\n  - {name: name, type: varchar}\n",
    )
    with pytest.raises(UserError, match=r"duplicate column names \(case-insensitive\): \['name'\]"):
        load_contracts(root)
