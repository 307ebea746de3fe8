"""A DMS root with one table, ``shop.orders``, under a contract and settings the test gives,
landed into a lake of its own; the landed rows and the quarantine read back with DuckDB."""

from __future__ import annotations

import gzip
from pathlib import Path

import duckdb

from ingestion.contracts import load_contracts
from ingestion.lake import Lake
from ingestion.landing import Lander, RunSummary
from ingestion.sources import LocalSource


class ShopOrders:
    def __init__(self, tmp_path: Path, settings: str, contract: str) -> None:
        self.root, self.lake = tmp_path / "dms", tmp_path / "lake"
        self.contracts_dir = tmp_path / "contracts"
        folder = self.contracts_dir / "shop"
        folder.mkdir(parents=True)
        (folder / "orders.yml").write_text(contract)
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

    def rows(self, columns: str) -> list[tuple[object, ...]]:
        """The landed rows' ``columns``, in file and row order."""
        source = f"read_parquet('{self.lake}/raw/shop/orders/*.parquet', union_by_name = true)"
        return duckdb.sql(
            f"select {columns} from {source} order by _dms_file_order, _dms_row"
        ).fetchall()

    def quarantined(self) -> list[tuple[object, ...]]:
        source = f"read_parquet('{self.lake}/quarantine/**/*.parquet', union_by_name = true)"
        return duckdb.sql(
            f"select dms_file, dms_row, reason, raw_record from {source} order by 1, 2"
        ).fetchall()
