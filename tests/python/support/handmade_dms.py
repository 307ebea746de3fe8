"""Helpers for DMS roots written by hand in tests (not by the simulator) and their checks.

The CSV writer and the value parsers here are written independently of ``ingestion``: they
follow the DMS conventions in shared/reference/dms-s3-format.md (RFC 4180 quoting, NULL as an
empty unquoted field, "" quoted) and plain Python's parsing of each type, so a test compares
what landing stored with what the file said, not with the code under test.
"""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml

from ingestion.cli import main
from ingestion.contracts import TableContract, load_contracts
from ingestion.dms_settings import DmsSettings

Field = str | None


def csv_field(value: Field, delimiter: str = ",") -> str:
    if value is None:
        return ""
    if value == "" or any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


def csv_text(records: list[list[Field]], delimiter: str = ",") -> str:
    return "".join(delimiter.join(csv_field(v, delimiter) for v in r) + "\n" for r in records)


def write(root: Path, key: str, content: str | bytes) -> Path:
    path = root / key
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run ``dmsw`` in-process; (exit code, stdout + stderr)."""
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def parse_value(text: Field, type_name: str) -> object:
    """What a landed value must equal, parsed from the file's text with plain Python."""
    if text is None:
        return None
    name = type_name.split("(")[0]
    if name in ("smallint", "integer", "bigint"):
        return int(text)
    if name == "decimal":
        return decimal.Decimal(text)
    if name == "double":
        return float(text)
    if name == "boolean":
        return {"true": True, "false": False}[text.lower()]
    if name == "date":
        return dt.date.fromisoformat(text)
    if name == "timestamp":
        moment = dt.datetime.fromisoformat(text)
        if moment.tzinfo is not None:
            moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
        return moment
    return text


def raw_rows(lake: Path, schema: str, table: str) -> list[dict[str, object]]:
    """The raw zone's rows of a table, in DMS order (file order, then row)."""
    rows: list[dict[str, object]] = []
    for path in sorted((lake / "raw" / schema / table).glob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return sorted(rows, key=lambda r: (str(r["_dms_file_order"]), int(str(r["_dms_row"]))))


def quarantined(lake: Path) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    for path in sorted((lake / "quarantine").rglob("*.parquet")):
        rows.extend(pq.read_table(path).to_pylist())
    return rows


def contract_shape(contract: TableContract) -> dict[str, object]:
    """What a person decides in a contract: key, columns, types, nullability, settings."""
    return {
        "table": contract.table,
        "primary_key": list(contract.primary_key),
        "columns": [(c.name, c.sql_type, c.nullable) for c in contract.columns],
        "settings": contract.settings,
    }


def expected_contract(schema: str, settings: str, table_yaml: str, tmp: Path) -> TableContract:
    """Load a contract written by hand (YAML text) the way landing loads contracts."""
    folder = tmp / "expected" / schema
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "_dms_settings.yml").write_text(settings)
    name = yaml.safe_load(table_yaml)["table"]
    (folder / f"{name}.yml").write_text(table_yaml)
    return load_contracts(tmp / "expected")[(schema, name)]


def settings_of(contracts: Path, schema: str) -> DmsSettings:
    data = yaml.safe_load((contracts / schema / "_dms_settings.yml").read_text()) or {}
    return DmsSettings.from_mapping(data, "test")
