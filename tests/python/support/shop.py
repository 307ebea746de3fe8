"""A DMS root for schema ``shop`` with the tables' contracts and the settings a test gives,
landed into a lake of its own; the landed rows, the quarantine and the ledger read back."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import duckdb

from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource


class ShopRoot:
    """``contracts``: table name -> contract text; ``settings`` None: no settings file (AWS's
    defaults assumed)."""

    def __init__(self, tmp_path: Path, contracts: dict[str, str], settings: str | None) -> None:
        self.root, self.lake = tmp_path / "dms", tmp_path / "lake"
        self.contracts_dir = tmp_path / "contracts"
        folder = self.contracts_dir / "shop"
        folder.mkdir(parents=True)
        for table, text in contracts.items():
            (folder / f"{table}.yml").write_text(text)
        if settings is not None:
            (folder / "_dms_settings.yml").write_text(settings)
        self.root.mkdir()

    def write(self, key: str, *records: str) -> None:
        """Deliver a file (``key`` below the DMS root) of these records, gzipped for ``.gz``."""
        path = self.root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        data = "".join(f"{r}\n" for r in records).encode()
        path.write_bytes(gzip.compress(data) if key.endswith(".gz") else data)

    def land(self) -> RunSummary:
        contracts = load_contracts(self.contracts_dir)
        return Lander(LocalSource(self.root), Lake(self.lake), contracts).run()

    def rows(self, columns: str, table: str = "orders") -> list[tuple[object, ...]]:
        """The landed rows' ``columns``, in file and row order."""
        source = f"read_parquet('{self.lake}/raw/shop/{table}/*.parquet', union_by_name = true)"
        return duckdb.sql(
            f"select {columns} from {source} order by _dms_file_order, _dms_row"
        ).fetchall()

    def quarantined(self) -> list[tuple[object, ...]]:
        source = f"read_parquet('{self.lake}/quarantine/**/*.parquet', union_by_name = true)"
        return duckdb.sql(
            f"select dms_file, dms_row, reason, raw_record from {source} order by 1, 2"
        ).fetchall()

    def ledger_keys(self) -> list[str]:
        records = (self.lake / "_ledger" / "files").rglob("*.json")
        return sorted(json.loads(p.read_text())["key"] for p in records)
