"""Public configuration and result types of the simulator."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class SimulationConfig:
    """What to simulate and where to write it.

    out_dir is the DMS root (the BucketFolder level): files go to out_dir/<schema>/<table>/.
    truth_dir receives the final state of every table: truth_dir/<schema>/<table>.parquet.
    """

    out_dir: Path
    truth_dir: Path
    seed: int = 42
    transactions: int = 20_000
    batches: int = 4
    dirt_rate: float = 0.02
    rows_per_load_file: int = 500_000
    start: datetime = datetime(2026, 3, 1, 8, 0, 0)

    def __post_init__(self) -> None:
        if self.transactions < 0:
            raise ValueError("transactions must be >= 0")
        if self.batches < 0:
            raise ValueError("batches must be >= 0")
        if not 0.0 <= self.dirt_rate <= 1.0:
            raise ValueError("dirt_rate must be between 0 and 1")
        if self.rows_per_load_file < 1:
            raise ValueError("rows_per_load_file must be >= 1")
        if self.start.tzinfo is not None:
            raise ValueError("start must be a naive datetime (DMS timestamps carry no zone)")
        if not datetime(2000, 1, 1) <= self.start <= datetime(2099, 1, 1):
            raise ValueError("start must lie between 2000 and 2099")


@dataclass(frozen=True)
class SimulationSummary:
    """What simulate() wrote."""

    files: list[Path] = field(default_factory=list)
    changes_per_table: dict[str, int] = field(default_factory=dict)
    truth_rows_per_table: dict[str, int] = field(default_factory=dict)
