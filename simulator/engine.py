"""simulate(): full load, CDC batches and ground truth for both DMS tasks.

The work splits into independent jobs (each table's full load and truth, each task's CDC
batches) because every value is a pure function of (seed, id). Large runs execute the jobs in
worker processes; the files are the same whichever way they run.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from simulator.accounts import Accounts
from simulator.cdc import write_cdc
from simulator.config import SimulationConfig, SimulationSummary
from simulator.customers import Customers
from simulator.events import Events
from simulator.fullload import write_full_load
from simulator.model import TableModel, World
from simulator.transactions import Transactions
from simulator.truth import write_truth

SCAN_CHUNK = 1 << 18
"""Ids per vectorised planning step."""
RENDER_CHUNK = 1 << 17
"""Rows per vectorised rendering/formatting step."""
PARALLEL_MIN_TRANSACTIONS = 200_000
"""Below this scale the jobs run in-process (worker start-up would cost more than it saves)."""
MAX_WORKERS = 2
"""Worker processes for large runs; each holds a few hundred MB at 10M transactions."""
_DMS_FILE = re.compile(r"^(LOAD[0-9A-F]{8}|\d{8}-\d{9})\.csv$")


@dataclass(frozen=True)
class Task:
    """One DMS task: the tables of one source, sharing a change-sequence counter."""

    name: str
    models: tuple[TableModel, ...]


@dataclass(frozen=True)
class Job:
    """One independent piece of work: a table's full load or truth, or a task's CDC files."""

    kind: str
    task: int
    model: int = -1


@dataclass
class JobResult:
    files: list[Path] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    truth_rows: dict[str, int] = field(default_factory=dict)


def build_tasks(world: World) -> list[Task]:
    customers = Customers(world)
    accounts = Accounts(world)
    transactions = Transactions(world)
    events = Events(world, transactions)
    return [
        Task("core_banking", (customers, accounts, transactions)),
        Task("events", (events,)),
    ]


def plan_jobs(tasks: list[Task]) -> list[Job]:
    """All jobs, largest first (so that parallel workers finish at about the same time)."""
    jobs: list[tuple[int, Job]] = []
    for t, task in enumerate(tasks):
        for m, model in enumerate(task.models):
            jobs.append((model.load_limit(), Job("load", t, m)))
            jobs.append((model.scan_limit(model.world.timeline.batches), Job("truth", t, m)))
        size = sum(model.scan_limit(model.world.timeline.batches) for model in task.models)
        jobs.append((size // 2, Job("cdc", t)))
    return [job for _, job in sorted(jobs, key=lambda pair: -pair[0])]


def prepare_table_directory(out_dir: Path, model: TableModel) -> Path:
    """Create the table folder and remove DMS files left there by an earlier run."""
    directory = out_dir / model.schema / model.table
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.iterdir():
        if stale.is_file() and _DMS_FILE.match(stale.name):
            stale.unlink()
    return directory


def run_job(config: SimulationConfig, job: Job) -> JobResult:
    """Run one job from the configuration alone (so that it can run in a worker process)."""
    world = World.from_config(config)
    task = build_tasks(world)[job.task]
    if job.kind == "cdc":
        files, rows = write_cdc(world, task.models, config.out_dir, SCAN_CHUNK, RENDER_CHUNK)
        return JobResult(files=files, rows=rows)
    model = task.models[job.model]
    if job.kind == "load":
        directory = config.out_dir / model.schema / model.table
        files, count = write_full_load(model, directory, config.rows_per_load_file, RENDER_CHUNK)
        return JobResult(files=files, rows={model.qualified_name: count})
    count = write_truth(model, config.truth_dir, SCAN_CHUNK)
    return JobResult(truth_rows={model.qualified_name: count})


def worker_count(config: SimulationConfig) -> int:
    if config.transactions < PARALLEL_MIN_TRANSACTIONS:
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(MAX_WORKERS, len(os.sched_getaffinity(0))))


def run_jobs(config: SimulationConfig, jobs: list[Job]) -> dict[Job, JobResult]:
    workers = worker_count(config)
    if workers == 1:
        return {job: run_job(config, job) for job in jobs}
    # fork: workers inherit the imported modules and need no importable __main__.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures: dict[Job, Future[JobResult]] = {
            job: pool.submit(run_job, config, job) for job in jobs
        }
        return {job: future.result() for job, future in futures.items()}


def simulate(config: SimulationConfig) -> SimulationSummary:
    """Write the DMS files of both tasks under config.out_dir and the truth under truth_dir."""
    tasks = build_tasks(World.from_config(config))
    for task in tasks:
        for model in task.models:
            prepare_table_directory(config.out_dir, model)
    results = run_jobs(config, plan_jobs(tasks))
    files: list[Path] = []
    rows: dict[str, int] = {}
    truth_rows: dict[str, int] = {}
    for t, task in enumerate(tasks):
        for m, model in enumerate(task.models):
            loaded = results[Job("load", t, m)]
            files.extend(loaded.files)
            rows[model.qualified_name] = loaded.rows[model.qualified_name]
        changes = results[Job("cdc", t)]
        files.extend(changes.files)
        for model in task.models:
            rows[model.qualified_name] += changes.rows[model.qualified_name]
        for m in range(len(task.models)):
            truth_rows.update(results[Job("truth", t, m)].truth_rows)
    return SimulationSummary(files=files, changes_per_table=rows, truth_rows_per_table=truth_rows)
