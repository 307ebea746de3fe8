"""One lake, one DMS source: the ledger records the source root a lake is landed from.

``_ledger/sources/<id>.json`` holds one record per source root (``root``: an absolute local
path or ``s3://bucket/prefix``, as ``FileSource.describe`` gives it; ``how`` it came to be
recorded; the run that recorded it and when). The first run that lands files records its
root. A run from another root is refused (``OtherSourceError``, exit 2) before it writes
anything, unless ``--allow-other-source`` says it is on purpose: that root is then recorded
too, with ``how`` saying so. A lake landed before roots were recorded adopts the roots its
run reports name (``_ledger/runs/``), or else this run's root, and says so.

dbt or any reader can list a lake's roots with ``read_json('<lake>/_ledger/sources/*.json')``.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass

from ingestion.errors import OtherSourceError
from ingestion.lake import LEDGER, Lake

SOURCES = f"{LEDGER}/sources"
RUNS = f"{LEDGER}/runs"
FIRST = "the first run that landed files into this lake"
ON_PURPOSE = "another source landed on purpose (--allow-other-source)"
ADOPTED_FROM_REPORTS = (
    "adopted from the run reports (the lake was landed before roots were recorded)"
)
ADOPTED = "adopted: the lake was landed before roots were recorded and its run reports name none"


@dataclass(frozen=True)
class SourceRecord:
    root: str
    how: str
    landing_run_id: str
    landed_at: str
    """When this run started (the record is written before its files land)."""


def recorded_sources(lake: Lake) -> list[SourceRecord]:
    """The lake's recorded source roots, oldest first."""
    records = [r for r in lake.store.list(SOURCES) if r.endswith(".json")]
    found = [SourceRecord(**data) for data in lake.read_json_many(records)]
    return sorted(found, key=lambda r: (r.landed_at, r.root))


def _record(lake: Lake, record: SourceRecord) -> None:
    name = hashlib.sha256(record.root.encode()).hexdigest()[:16]
    lake.write_json(f"{SOURCES}/{name}.json", asdict(record))


def _roots_in_run_reports(lake: Lake) -> list[str]:
    """Source roots of the earlier runs that put files in the ledger, in run order."""
    reports = sorted(r for r in lake.store.list(RUNS) if r.endswith(".json"))
    roots: list[str] = []
    for report in lake.read_json_many(reports):
        counted = ("files_landed", "files_quarantined", "files_duplicate")
        source = report.get("source")
        if isinstance(source, str) and any(report.get(k) for k in counted) and source not in roots:
            roots.append(source)
    return roots


@dataclass(frozen=True)
class SourceCheck:
    """What the run is about to do: land ``root`` into ``lake``."""

    lake: Lake
    root: str
    run_id: str
    started_at: str
    landed_before: bool
    """The ledger has records (the lake is not new)."""
    will_land: bool
    """This run has files to land."""
    allow_other: bool


def settle_source(check: SourceCheck) -> list[str]:
    """Record the source root if it is new and allowed; OtherSourceError if it is not.

    Returns notes for the run report (what was recorded or adopted), empty when nothing
    changed.
    """
    known = recorded_sources(check.lake)
    roots = [r.root for r in known]
    if check.root in roots:
        return []
    notes: list[str] = []
    if not known and check.landed_before:
        earlier = _roots_in_run_reports(check.lake)
        if earlier and check.root not in earlier and not check.allow_other:
            _refuse(check, earlier)
        for root in earlier or [check.root]:
            how = ADOPTED_FROM_REPORTS if earlier else ADOPTED
            _record(check.lake, SourceRecord(root, how, check.run_id, check.started_at))
            notes.append(f"source root {root} recorded for this lake: {how}")
        roots = earlier or [check.root]
        if check.root in roots:
            return notes
    if roots and not check.allow_other:
        _refuse(check, roots)
    if roots:
        how = ON_PURPOSE
        beside = ", ".join(roots)
        notes.append(f"source root {check.root} added to this lake beside {beside}: {how}")
    elif check.will_land:
        how = FIRST
    else:
        return notes  # nothing lands: a root is recorded by the first run that lands files
    _record(check.lake, SourceRecord(check.root, how, check.run_id, check.started_at))
    return notes


def _refuse(check: SourceCheck, roots: list[str]) -> None:
    lake = check.lake.describe()
    raise OtherSourceError(
        f"the lake {lake} holds files landed from {roots[0]}"
        + (f" (and {len(roots) - 1} other root(s))" if len(roots) > 1 else "")
        + f", not from {check.root}; nothing was landed. Land it into another lake (--lake or "
        f"LAKE_DIR), or start this lake over (delete {lake}; make clean removes data/), or add "
        "it to this lake on purpose with --allow-other-source"
    )
