"""Landing, as code calls it: ``Lander(source, lake, contracts).run()`` gives a ``RunSummary``.

The work is split by job: ``run`` (the run: lock, discovery, workers, merge, report),
``discovery`` (which files), ``file_landing`` (one file, returning its outcome),
``table_writer`` (one table's staged outputs), ``quarantine``, ``summary`` (counts and the
report), ``land`` (``dmsw land``: open source and lake, run, register in Glue). This module
only gathers the names callers use.
"""

from __future__ import annotations

from ingestion.progress import Progress
from ingestion.run import Lander, default_workers
from ingestion.summary import RunSummary, TableTotals, report

__all__ = ["Lander", "Progress", "RunSummary", "TableTotals", "default_workers", "report"]
