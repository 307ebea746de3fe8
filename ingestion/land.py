"""``dmsw land`` from its options: load the contracts, open source and lake, run, register.

After the run, on an S3 lake (or with ``glue=True``), the raw tables and the quarantine are
created or updated in the Glue Data Catalog; a Glue failure does not undo the landing: it is
reported in the summary (``glue_failed``) and retried by the next run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from ingestion.contracts import load_contracts
from ingestion.errors import AwsError, UserError
from ingestion.lake import Lake
from ingestion.locations import check_location, is_s3_url, open_lake, open_source, overlap
from ingestion.progress import Progress
from ingestion.run import Lander
from ingestion.summary import RunSummary


@dataclass(frozen=True)
class LandOptions:
    source: str
    """The DMS root: a folder or ``s3://bucket/prefix``."""
    lake: str
    """The lake root: a folder or ``s3://bucket/prefix``."""
    contracts: Path
    workers: int | None = None
    glue: bool | None = None
    """Register in Glue; None: when the lake is on S3."""
    glue_database: str = "raw"
    allow_other_source: bool = False
    """Land a source root other than the one the lake was landed from (recorded)."""


def land(options: LandOptions, progress: Callable[[Progress], None] | None = None) -> RunSummary:
    """Land the new files of ``options.source``; raises only when the run cannot start."""
    if not options.contracts.is_dir():
        raise UserError(
            f"contracts folder {options.contracts} does not exist: set --contracts (env "
            "CONTRACTS_DIR) to the folder of <schema>/<table>.yml files (dmsw contracts infer "
            "drafts them)"
        )
    contracts = load_contracts(options.contracts)
    glue = options.glue if options.glue is not None else is_s3_url(options.lake)
    if glue and not is_s3_url(options.lake):
        raise UserError("--glue needs the lake on S3 (--lake s3://bucket/prefix)")
    if options.workers is not None and options.workers < 1:
        raise UserError("--workers must be 1 or more")
    check_location(options.source, "--source (env DMS_SOURCE)")
    check_location(options.lake, "--lake (env LAKE_DIR)")
    if overlap(options.source, options.lake):
        raise UserError(
            f"the lake {options.lake} and the DMS source {options.source} overlap (one is "
            "inside the other): give the lake a folder or prefix of its own (--lake, LAKE_DIR)"
        )
    lake = open_lake(options.lake)
    source = open_source(options.source)
    lander = Lander(
        source,
        lake,
        contracts,
        progress=progress,
        workers=options.workers,
        allow_other_source=options.allow_other_source,
    )
    summary = lander.run()
    if glue:
        register_in_glue(summary, lake, lander, options.glue_database)
    return summary


def register_in_glue(summary: RunSummary, lake: Lake, lander: Lander, database: str) -> None:
    """Upsert the raw tables and the quarantine; a refusal is noted, not raised."""
    from ingestion.aws import client
    from ingestion.glue import GlueCatalog, register_lake

    try:
        catalog = GlueCatalog(client("glue"), database)
        done = register_lake(catalog, lake, lander.contracts, lander.drift_columns)
    except (AwsError, UserError) as exc:  # landed; the catalog is retried next run (exit 1)
        summary.errors.append(f"Glue database {database}: {exc}")
        summary.glue_failed = True
    else:
        changed = sorted(f"{name} {what}" for name, what in done.items() if what != "unchanged")
        if changed:
            summary.notes.append(f"Glue database {database}: {', '.join(changed)}")
