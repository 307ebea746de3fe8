"""Deterministic simulator of the AWS DMS files of the bank's sources, with ground truth.

    summary = simulate(SimulationConfig(out_dir=Path("data/dms"), truth_dir=Path("data/truth")))

writes out_dir/core_banking/{customers,accounts,transactions}/ and
out_dir/events/transaction_events/ (LOAD*.csv full load, then one YYYYMMDD-HHMMSSmmm.csv per
CDC batch) and truth_dir/<schema>/<table>.parquet, the final state of every table.
"""

from ingestion.simulator.config import SimulationConfig, SimulationSummary
from ingestion.simulator.engine import simulate

__all__ = ["SimulationConfig", "SimulationSummary", "simulate"]
