"""One consistent snapshot per dbt run: dbt never reads a landing run that has not committed,
and the first dbt run after a landing run commits reads all of it, whatever the timing.

Simulated DMS output (four tables: a full load, then two CDC batches) is delivered in two
rounds to a pipeline where landing and dbt interleave:

1. the full load (transactions' in two files) is landed by a run that pauses after every
   file's ledger record (the checkpoint hook of ingestion/faults.py, DMSW_PAUSE_AT; one file
   at a time); dbt runs at every pause. This is the operator's case of issue 15: a `dbt
   build` while a landing run is still writing;
2. the first CDC batch is landed by a run killed (SIGKILL) after two of its four files; a
   dbt run starts (it takes its snapshot, `stg_landing__committed_runs`); the rerun lands
   the batch's other files (and commits the killed run's), the second batch arrives and a
   third landing run lands it; only then does the dbt run go on with its other models.

A dbt run during landing must leave silver and gold exactly as they were (it reads only the
runs committed when it started); after each round, the next plain `dbt run` must give silver
and gold equal to an uninterrupted pipeline (each round landed in one run, then one `dbt
run`), landing times aside. Without the commits, round 1 loses the rows of every file landed
after the first pause (the watermark passes them) and the comparison fails.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from support.landing_process import PausingLanding
from support.pipeline import Pipeline
from support.project import CONTRACTS

from ingestion.commits import COMMITTED
from simulator import SimulationConfig, simulate

pytestmark = pytest.mark.dbt

FILE_BOUNDARY = "after publishing _ledger/files/"
MODELS = ["run"]
FIRST_BUILD = ["build", "--resource-type", "model", "--resource-type", "seed"]
SNAPSHOT = "stg_landing__committed_runs"
LANDING_TIMES = ("landed_at", "last_landed_at")
Fingerprints = dict[str, tuple[int, str]]


def split_load_file(path: Path) -> list[Path]:
    """Cut a full-load CSV file (with a header) in two, between records, byte for byte: DMS
    writes a large table's full load as LOAD00000001.csv, LOAD00000002.csv, ..."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    reader = csv.reader(iter(lines))
    ends = [reader.line_num for _ in reader]  # the line after each record
    header, middle = ends[0], ends[len(ends) // 2]
    second = path.with_name("LOAD00000002.csv")
    second.write_text("".join(lines[:header] + lines[middle:]), encoding="utf-8")
    path.write_text("".join(lines[:middle]), encoding="utf-8")
    return [path, second]


def _rounds(staging: Path) -> list[list[Path]]:
    """The simulated files in delivery rounds: the full load (transactions' in two files),
    then each day's CDC files."""
    summary = simulate(
        SimulationConfig(
            out_dir=staging, truth_dir=staging.parent / "truth", seed=7, transactions=300,
            batches=2,
        )
    )  # fmt: skip
    loads = []
    for path in summary.files:
        if path.name.startswith("LOAD"):
            many = path.parent.name == "transactions"
            loads.extend(split_load_file(path) if many else [path])
    by_day: dict[str, list[Path]] = defaultdict(list)
    for path in summary.files:
        if not path.name.startswith("LOAD"):
            by_day[path.name[:8]].append(path)
    return [loads, *(sorted(by_day[day]) for day in sorted(by_day))]


def land_args(pipeline: Pipeline) -> list[str]:
    return [
        "land", "--source", str(pipeline.dms), "--lake", str(pipeline.lake),
        "--contracts", str(CONTRACTS), "--no-glue", "--workers", "1",
    ]  # fmt: skip


def pausing_landing(pipeline: Pipeline, name: str) -> PausingLanding:
    return PausingLanding(land_args(pipeline), pipeline.env, pipeline.root / name, FILE_BOUNDARY)


def fingerprints(pipeline: Pipeline, without: tuple[str, ...] = ()) -> Fingerprints:
    """Row count and digest of every silver and gold relation (minus the columns named)."""
    relations = pipeline.query(
        "select table_schema || '.' || table_name from information_schema.tables "
        "where table_schema in ('silver', 'gold') order by 1"
    )
    found = {}
    for (relation,) in relations:
        schema, table = relation.split(".")
        columns = pipeline.query(
            "select column_name from information_schema.columns where table_schema = ? and "
            "table_name = ? order by ordinal_position",
            [schema, table],
        )
        kept = ", ".join(f'"{c}"' for (c,) in columns if c not in without)
        found[relation] = pipeline.fingerprint(f"(select {kept} from {relation})")
    return found


def staged_runs(pipeline: Pipeline) -> set[str]:
    """The landing runs whose rows the bronze models show."""
    rows = pipeline.query(
        "select distinct landing_run_id from bronze.stg_core_banking__customers union "
        "select distinct landing_run_id from bronze.stg_core_banking__transactions union "
        "select distinct landing_run_id from bronze.stg_events__transaction_events"
    )
    return {str(run) for (run,) in rows}


def committed_runs(pipeline: Pipeline) -> dict[str, str]:
    """Run id -> the run that committed it, from the lake."""
    rows = pq.read_table(pipeline.lake / COMMITTED).to_pylist()
    return {row["landing_run_id"]: row["committed_by_run_id"] for row in rows}


@dataclass
class Interleaved:
    pipeline: Pipeline
    reference: Pipeline
    during_landing: list[tuple[str, Fingerprints, Fingerprints]] = field(default_factory=list)
    """(where, silver and gold before the landing run, the same after a dbt run meanwhile)"""
    after_rounds: list[tuple[Fingerprints, Fingerprints]] = field(default_factory=list)
    """(interleaved pipeline, uninterrupted pipeline) after each round, landing times aside"""
    adoption: dict[str, str] = field(default_factory=dict)
    """every committed run -> the run that committed it (itself, or the run after a kill)"""


@pytest.fixture(scope="module")
def interleaved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Interleaved]:
    root = tmp_path_factory.mktemp("snapshot")
    staging = root / "staging"
    rounds = _rounds(staging)
    assert [len(r) for r in rounds] == [5, 4, 4]
    result = Interleaved(
        Pipeline(root / "interleaved", artifacts=False),
        Pipeline(root / "uninterrupted", artifacts=False),
    )
    pipeline, reference = result.pipeline, result.reference

    # the uninterrupted pipeline: each round landed in one run, then one dbt run
    expected = []
    for number, files in enumerate([rounds[0], rounds[1] + rounds[2]]):
        reference.deliver(staging, files)
        assert reference.land().files_landed == len(files)
        reference.dbt(*(FIRST_BUILD if number == 0 else MODELS))
        expected.append(fingerprints(reference, LANDING_TIMES))

    # round 1: dbt at every file boundary of the landing run
    pipeline.deliver(staging, rounds[0])
    landing = pausing_landing(pipeline, "pause-1")
    before: Fingerprints | None = None
    while (where := landing.next_pause()) is not None:
        pipeline.dbt(*(FIRST_BUILD if before is None else MODELS))
        assert staged_runs(pipeline) == set(), where  # nothing is committed yet
        now = fingerprints(pipeline)
        before = before or now  # the first pause: the empty warehouse
        result.during_landing.append((where, before, now))
        landing.resume()
    assert landing.process.exitcode == 0
    assert len(result.during_landing) == len(rounds[0])
    pipeline.dbt(*MODELS)
    result.after_rounds.append((fingerprints(pipeline, LANDING_TIMES), expected[0]))

    # round 2: a run killed after two files; while a dbt run is under way, the rerun and a
    # landing run of the next batch complete
    before = fingerprints(pipeline)
    pipeline.deliver(staging, rounds[1])
    killed = pausing_landing(pipeline, "pause-2")
    assert killed.next_pause() is not None
    killed.resume()
    assert killed.next_pause() is not None
    killed.kill()
    pipeline.dbt("run", "--select", SNAPSHOT)  # a dbt run starts: its snapshot is taken
    rerun = pipeline.land()
    assert rerun.files_landed == 2 and any("did not commit" in note for note in rerun.notes)
    pipeline.deliver(staging, rounds[2])
    assert pipeline.land().files_landed == len(rounds[2])
    pipeline.dbt("run", "--exclude", SNAPSHOT)  # ... and goes on with its other models
    during = fingerprints(pipeline)
    result.during_landing.append(("a killed run, its rerun, another run", before, during))
    result.adoption = committed_runs(pipeline)
    pipeline.dbt(*MODELS)
    result.after_rounds.append((fingerprints(pipeline, LANDING_TIMES), expected[1]))
    yield result


def test_a_dbt_run_during_a_landing_run_reads_nothing_of_it(interleaved: Interleaved) -> None:
    assert len(interleaved.during_landing) == 6
    for where, before, during in interleaved.during_landing:
        assert during == before, where


def test_after_each_round_silver_and_gold_equal_an_uninterrupted_pipeline(
    interleaved: Interleaved,
) -> None:
    for number, (got, expected) in enumerate(interleaved.after_rounds, start=1):
        assert got["gold.fact_transactions"][0] > 0
        differing = sorted(name for name in expected if got.get(name) != expected[name])
        assert got.keys() == expected.keys() and differing == [], f"round {number}"


def test_the_killed_run_is_committed_by_the_rerun(interleaved: Interleaved) -> None:
    adopted = {run: by for run, by in interleaved.adoption.items() if run != by}
    assert len(adopted) == 1  # the run killed in round 2, committed by its rerun
    # round 1's run, the killed run, the rerun, the next batch's run
    assert len(interleaved.adoption) == 4
