"""The offline proof: the production dbt command run on Athena and Redshift emulations gives,
relation for relation, what the native DuckDB build gives, on a first run and an incremental
run over the same lake.

    python -m warehouse_check --workdir /tmp/proof [--transactions 200] [--seed 7]

1. Demo DMS output (`dmsw simulate`), plus hand-written edge cases (edge_cases.py), split into
   two deliveries: the full load and the first day of changes, then the rest and a reload of
   the accounts (their first LOAD file again, without every third account).
2. Deliver and land the first (`dmsw land`), build three warehouses with the production
   command (commands.py): native DuckDB (`dbt build`), Athena and Redshift
   (scripts/dbt_offline.py: every statement the real adapter sends, executed on DuckDB).
3. Deliver and land the second; build the three again (incremental runs).
4. After each run, compare every silver and gold relation of each emulation with the native
   build (compare.py). Also run the unit tests and compile the analyses on a copy of each
   engine's first-run warehouse (capabilities.py checks every compiled file): unit tests are
   not part of the production command, they run on DuckDB in CI and pass on the Redshift
   emulation; dbt-athena cannot run them (it builds their fixtures as Hive tables, which
   refuse timestamp(6)), which the Athena emulation shows.

A failed command, a statement an emulation refused, or a differing relation is a failure.
One module (about 325 lines): the run's steps above, in order, on one ``Proof``; the work of
each step is in the modules it names.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from warehouse_check import edge_cases
from warehouse_check.commands import DBT_BUILD
from warehouse_check.compare import Difference, compare, relations_to_compare, report
from warehouse_check.engine import CATALOG
from warehouse_check.shims import Dialect

PROJECT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENGINES: tuple[Dialect, ...] = ("athena", "redshift")
LAYERS = ("silver", "gold")
RUNS = ("first", "incremental")


@dataclass
class Step:
    name: str
    command: list[str]
    returncode: int = -1
    output: str = ""
    seconds: float = 0.0


@dataclass
class Proof:
    workdir: Path
    transactions: int = 200
    seed: int = 7
    engines: tuple[Dialect, ...] = ENGINES
    steps: list[Step] = field(default_factory=list)
    differences: dict[tuple[str, str], list[Difference]] = field(default_factory=dict)
    batches: list[list[Path]] = field(default_factory=list)
    """The two deliveries, as staged paths (prepare)."""

    @property
    def staging(self) -> Path:
        return self.workdir / "staging"

    @property
    def dms(self) -> Path:
        return self.workdir / "dms"

    @property
    def lake(self) -> Path:
        return self.workdir / "lake"

    def database(self, engine: str) -> Path:
        if engine == "duckdb":
            return self.workdir / "duckdb" / "warehouse.duckdb"
        return self.workdir / engine / f"{CATALOG[engine]}.duckdb"  # type: ignore[index]

    def target(self, engine: str, run: str) -> Path:
        return self.workdir / "target" / f"{engine}-{run}"

    def statements(self, engine: str, run: str) -> Path:
        return self.workdir / "statements" / f"{engine}-{run}.jsonl"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DBT_"))}
        env.update(
            DBT_PROFILES_DIR=str(PROJECT / "profiles"),
            DBT_SEND_ANONYMOUS_USAGE_STATS="false",
            DBT_THREADS="4",
            DBT_LOG_LEVEL_FILE="info",  # not every statement twice into dbt.log
            LAKE_DIR=str(self.lake),
            DUCKDB_PATH=str(self.database("duckdb")),
            CONTRACTS_DIR=str(PROJECT / "contracts"),
        )
        return env

    # -- data ------------------------------------------------------------------------------

    def prepare(self) -> list[list[Path]]:
        """Simulated DMS output plus the edge cases, as two deliveries (relative paths)."""
        self.workdir.mkdir(parents=True, exist_ok=True)
        self._run(
            "simulate",
            [str(BIN / "dmsw"), "simulate", "--out", str(self.staging), "--truth",
             str(self.workdir / "truth"), "--transactions", str(self.transactions),
             "--seed", str(self.seed)],
        )  # fmt: skip
        files = sorted(p.relative_to(self.staging) for p in self.staging.rglob("*.csv"))
        days = sorted({p.name[:8] for p in files if not p.name.startswith("LOAD")})
        first = [p for p in files if p.name.startswith("LOAD") or p.name[:8] == days[0]]
        second = [p for p in files if p not in first]
        first += [p.relative_to(self.staging) for p in edge_cases.write(self.staging, False)]
        second += [p.relative_to(self.staging) for p in edge_cases.write(self.staging, True)]
        second.append(edge_cases.reload(self.staging))  # a reload of the accounts
        return [first, second]

    def deliver(self, batch: list[Path]) -> None:
        for relative in batch:
            target = self.dms / edge_cases.dms_key(relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(self.staging / relative, target)
        self._run(
            "land", [str(BIN / "dmsw"), "land", "--source", str(self.dms), "--lake", str(self.lake)]
        )

    # -- builds ----------------------------------------------------------------------------

    def build_commands(self, run: str) -> dict[str, list[str]]:
        """The production dbt build for each engine (the emulations through dbt_offline)."""
        commands: dict[str, list[str]] = {}
        engines: list[str] = ["duckdb", *self.engines]
        for engine in engines:
            paths = ["--target-path", str(self.target(engine, run)), "--log-path",
                     str(self.target(engine, run) / "logs")]  # fmt: skip
            dbt = [*DBT_BUILD[1:], *paths]
            if engine == "duckdb":
                commands[engine] = [str(BIN / "dbt"), *dbt, "--target", "duckdb"]
            else:
                log = self.statements(engine, run)
                log.parent.mkdir(parents=True, exist_ok=True)
                commands[engine] = [sys.executable, str(PROJECT / "scripts" / "dbt_offline.py"),
                                    engine, "--database", str(self.database(engine)), "--lake",
                                    str(self.lake), "--log", str(log), "--", *dbt]  # fmt: skip
        return commands

    def unit_test_commands(self) -> dict[str, list[str]]:
        """The unit tests, then a compile of the analyses, on a copy of each first-run
        warehouse (unit-test fixtures take their column types from built relations)."""
        commands = {}
        for engine in self.engines:
            source = self.database(engine)
            copy = self.unit_test_database(engine)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy)
            units, analyses = self.target(engine, "unit-tests"), self.target(engine, "analyses")
            commands[f"{engine}-unit-tests"] = [
                sys.executable, str(PROJECT / "scripts" / "dbt_offline.py"), engine,
                "--database", str(copy), "--lake", str(self.lake),
                "--", "test", "--select", "test_type:unit", "--target-path", str(units),
                "--log-path", str(units / "logs"),
                "--", "compile", "--select", "resource_type:analysis", "--target-path",
                str(analyses), "--log-path", str(analyses / "logs"),
            ]  # fmt: skip
        return commands

    def unit_test_database(self, engine: str) -> Path:
        return self.workdir / "unit-tests" / engine / self.database(engine).name

    def run_all(self) -> None:
        batches = self.batches = self.prepare()
        self.database("duckdb").parent.mkdir(parents=True, exist_ok=True)
        for run, batch in zip(RUNS, batches, strict=True):
            self.deliver(batch)
            commands = {f"{e}-{run}": c for e, c in self.build_commands(run).items()}
            if run == "incremental":
                commands.update(self.unit_test_commands())
                self._reuse_parse(["incremental", "unit-tests", "analyses"])
            self._parallel(commands)
            native = next(s for s in reversed(self.steps) if s.name == f"duckdb-{run}")
            if native.returncode:
                raise RuntimeError(f"the native build failed: {_tail(native.output)}")
            relations = relations_to_compare(self.target("duckdb", run) / "manifest.json", LAYERS)
            for engine in self.engines:
                self.differences[(engine, run)] = compare(
                    self.database("duckdb"), self.database(engine), engine, relations
                )

    def _reuse_parse(self, runs: list[str]) -> None:
        """Start later dbt commands from the first run's parse (dbt's partial parsing checks
        every file and variable and parses again what changed): saves a parse per command."""
        for engine in ("duckdb", *self.engines):
            parsed = self.target(engine, "first") / "partial_parse.msgpack"
            for run in runs:
                if parsed.exists() and (engine != "duckdb" or run == "incremental"):
                    self.target(engine, run).mkdir(parents=True, exist_ok=True)
                    shutil.copy2(parsed, self.target(engine, run) / parsed.name)

    # -- results ---------------------------------------------------------------------------

    def results(self, engine: str, run: str) -> dict[str, str]:
        """Status of each node of a dbt command (run_results.json), by unique id; the project's
        hooks (the on-run-end hook that records every invocation in ops) are not nodes."""
        path = self.target(engine, run) / "run_results.json"
        if not path.exists():
            return {}
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            r["unique_id"]: r["status"]
            for r in data["results"]
            if not r["unique_id"].startswith("operation.")
        }

    def refusals(self, database: Path) -> list[dict[str, str]]:
        log = database.with_name("failures.jsonl")
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]

    def athena_unit_tests_refused_as_expected(self) -> bool:
        """dbt-athena builds unit-test fixtures as Hive tables; each must fail on that."""
        results = self.results("athena", "unit-tests")
        refusals = self.refusals(self.unit_test_database("athena"))
        hive = [r for r in refusals if "hive table" in r["error"].lower()]
        return (
            bool(results)
            and set(results.values()) == {"error"}
            and len(hive) == len(refusals) >= len(results)
        )

    def failures(self) -> list[str]:
        """Everything that failed: commands, refused statements, differing relations."""
        found = [
            f"{s.name} exited {s.returncode}: {_tail(s.output)}"
            for s in self.steps
            if s.returncode and s.name != "athena-unit-tests"
        ]
        if "athena" in self.engines and not self.athena_unit_tests_refused_as_expected():
            found.append("athena unit tests did not fail (only) on dbt-athena's Hive fixtures")
        for engine in self.engines:
            statuses = set(self.results(engine, "analyses").values())
            if statuses != {"success"}:
                found.append(f"{engine}: the analyses did not all compile ({statuses})")
        for engine in self.engines:
            log = self.database(engine).with_name("failures.jsonl")
            if log.exists():
                for line in log.read_text(encoding="utf-8").splitlines():
                    entry = json.loads(line)
                    first = " ".join(entry["statement"].split())[:160]
                    found.append(f"{engine} refused a statement ({entry['error']}): {first}")
        for (dialect, run), differences in self.differences.items():
            for diff in differences:
                if not diff.identical:
                    found.append(f"{dialect} {run}: {diff.relation} differs from the native build")
        return found

    def summary(self) -> str:
        lines = [report(engine, run, diffs) for (engine, run), diffs in self.differences.items()]
        timing: defaultdict[str, float] = defaultdict(float)
        for step in self.steps:
            timing[step.name] += step.seconds
        lines.append("steps: " + ", ".join(f"{n} {s:.0f}s" for n, s in timing.items()))
        return "\n".join(lines)

    # -- processes -------------------------------------------------------------------------

    def _run(self, name: str, command: list[str]) -> Step:
        started = time.monotonic()
        done = subprocess.run(
            command, cwd=PROJECT, env=self.env(), capture_output=True, text=True, timeout=900
        )
        step = Step(name, command, done.returncode, done.stdout + done.stderr,
                    time.monotonic() - started)  # fmt: skip
        self.steps.append(step)
        if done.returncode:
            raise RuntimeError(f"{name} failed: {_tail(step.output)}")
        return step

    def _parallel(self, commands: dict[str, list[str]]) -> None:
        started = time.monotonic()
        processes = {
            name: subprocess.Popen(command, cwd=PROJECT, env=self.env(), text=True,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            for name, command in commands.items()
        }  # fmt: skip
        for name, process in processes.items():
            output, _ = process.communicate(timeout=1200)
            self.steps.append(Step(name, commands[name], process.returncode, output,
                                   time.monotonic() - started))  # fmt: skip


def _tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--transactions", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", choices=ENGINES, action="append", help="default: both")
    args = parser.parse_args(argv)
    if args.workdir.exists() and any(args.workdir.iterdir()):
        print(f"error: {args.workdir} is not empty", file=sys.stderr)
        return 2
    proof = Proof(args.workdir, args.transactions, args.seed, tuple(args.engine or ENGINES))
    try:
        proof.run_all()
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(proof.summary())
    failures = proof.failures()
    for failure in failures:
        print(f"FAILED: {failure}")
    return 1 if failures else 0
