"""Deterministic simulator of the AWS DMS files of the bank's sources, with ground truth.

    summary = simulate(SimulationConfig(out_dir=Path("data/dms"), truth_dir=Path("data/truth")))

writes out_dir/core_banking/{customers,accounts,transactions}/ and
out_dir/events/transaction_events/ (LOAD*.csv full load, then one YYYYMMDD-HHMMSSmmm.csv per
CDC batch) and truth_dir/<schema>/<table>.parquet, the final state of every table.

A package of its own, for demos, tests and benchmarks: it imports nothing from the landing
package (``ingestion``). It writes the files of the demo DMS task with that task's settings
stated here (``csvwriter``: header row, Op in the full load, ``dms_commit_ts`` and
``dms_change_seq`` columns), the settings ``contracts/<schema>/_dms_settings.yml`` records.
Run it with ``dmsw simulate``.
"""

from simulator.config import SimulationConfig, SimulationSummary
from simulator.engine import simulate

__all__ = ["SimulationConfig", "SimulationSummary", "simulate"]
