"""Offline proof that the same dbt project targets Athena and Redshift (issue 5).

Nothing here reaches AWS. For each production target the project is parsed, compiled in its
first-run form (nothing built yet) and in its incremental form (every model already built:
`scripts/dbt_offline.py --existing`), and every compiled file is parsed by sqlglot in that
engine's dialect. Athena: `dbt build` runs end to end against moto (S3, Glue, Athena emulated;
no SQL is executed, so this proves the adapter's plumbing and the statements it sends, not
results). Redshift: `dbt run` against a fake driver records the statements dbt-redshift sends
(DDL with dist/sort keys, pre-hook deletes, MERGE), which are parsed too.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlglot
from sqlglot.errors import ParseError, TokenError

PROJECT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
DBT = str(Path(sys.executable).with_name("dbt"))
OFFLINE = str(PROJECT / "scripts" / "dbt_offline.py")
DIALECTS = {"athena": "athena", "redshift": "redshift"}
# Functions and syntax only DuckDB has (or that mean something else elsewhere): none may
# reach Athena or Redshift SQL.
DUCKDB_ONLY = [
    r"\bread_parquet\s*\(",
    r"\bregexp_full_match\s*\(",
    r"\bjson_valid\s*\(",
    r"\bjson_extract_string\s*\(",
    r"\bisodow\b",
    r"\bstring_agg\s*\(",
    r"\blist_\w+\s*\(",
    r"\bstrftime\s*\(",
    r"\bepoch_ms\s*\(",
    r"\btimezone\s*\(",
    r"\btimestamptz\b(?!\s*\))",
    r"\w::\w",
]
REDSHIFT_ONLY_NOT = [r"\btry_cast\s*\(", r"\btry\s*\(", r"\bjson_parse\s*\("]
ATHENA_NOT = [r"\bconvert_timezone\s*\(", r"\bjson_extract_path_text\s*\(", r"\w ~ '"]


@dataclass
class Run:
    name: str
    target_path: Path
    result: subprocess.CompletedProcess[str]
    log: Path | None = None

    def check(self) -> None:
        assert self.result.returncode == 0, (
            f"{self.name} failed:\n{self.result.stdout[-5000:]}\n{self.result.stderr[-3000:]}"
        )

    @property
    def compiled(self) -> Path:
        return self.target_path / "compiled" / "dms_warehouse"

    def statements(self) -> list[str]:
        assert self.log is not None
        lines = self.log.read_text(encoding="utf-8").splitlines()
        return [json.loads(line)["sql"] for line in lines]


def _env(root: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "DBT_"))}
    env.update(
        DBT_PROFILES_DIR=str(PROJECT / "profiles"),
        DBT_SEND_ANONYMOUS_USAGE_STATS="false",
        DBT_PARTIAL_PARSE="false",
        DBT_THREADS="8",
        LAKE_DIR=str(root / "lake"),
        DUCKDB_PATH=str(root / "unused.duckdb"),
    )
    return env


def _start(root: Path, name: str, command: list[str], log: bool = False) -> tuple[Run, Any]:
    target = root / name
    log_file = root / f"{name}.jsonl" if log else None
    if log_file is not None:  # [python, dbt_offline.py, engine, --log FILE, ...]
        command = [*command[:3], "--log", str(log_file), *command[3:]]
    args = [*command, "--target-path", str(target), "--log-path", str(target / "logs")]
    process = subprocess.Popen(
        args,
        cwd=PROJECT,
        env=_env(root),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Run(name, target, subprocess.CompletedProcess(args, -1), log_file), process


def _wait(started: list[tuple[Run, Any]]) -> dict[str, Run]:
    runs = {}
    for run, process in started:
        stdout, stderr = process.communicate(timeout=900)
        run.result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
        runs[run.name] = run
    return runs


def _offline(engine: str, *options: str) -> list[str]:
    """[python, dbt_offline.py, engine, options...] with the dbt arguments after `--`."""
    split = options.index("--")
    return [PYTHON, OFFLINE, engine, *options[:split], "--", *options[split + 1 :]]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Run]]:
    root = tmp_path_factory.mktemp("warehouses")
    first = _wait(
        [
            _start(root, "parse-duckdb", [DBT, "parse", "--target", "duckdb"]),
            _start(root, "parse-athena", [DBT, "parse", "--target", "athena"]),
            _start(root, "parse-redshift", [DBT, "parse", "--target", "redshift"]),
            _start(root, "athena-first", _offline("athena", "--", "compile")),
            _start(root, "redshift-first", _offline("redshift", "--", "compile")),
        ]
    )
    first["athena-first"].check()
    first["redshift-first"].check()
    athena_manifest = str(first["athena-first"].target_path / "manifest.json")
    redshift_manifest = str(first["redshift-first"].target_path / "manifest.json")
    second = _wait(
        [
            _start(
                root,
                "athena-incremental",
                _offline("athena", "--existing", athena_manifest, "--", "compile"),
            ),
            _start(
                root,
                "redshift-incremental",
                _offline("redshift", "--existing", redshift_manifest, "--", "compile"),
            ),
            _start(
                root,
                "athena-build",
                _offline(
                    "athena",
                    "--contracts",
                    athena_manifest,
                    "--",
                    "build",
                    "--exclude",
                    "resource_type:unit_test",
                    "tag:negative_control",  # moto answers "0 failures" to every test
                ),
                log=True,
            ),
            _start(
                root,
                "redshift-run",
                _offline("redshift", "--contracts", redshift_manifest, "--", "run"),
                log=True,
            ),
        ]
    )
    second["redshift-incremental"].check()
    second["athena-incremental"].check()
    incremental_manifest = str(second["redshift-incremental"].target_path / "manifest.json")
    athena_incremental = str(second["athena-incremental"].target_path / "manifest.json")
    third = _wait(
        [
            _start(
                root,
                "athena-run-incremental",
                _offline(
                    "athena",
                    "--existing",
                    athena_manifest,
                    "--contracts",
                    athena_manifest,
                    "--contracts",
                    athena_incremental,
                    "--",
                    "run",
                    "--select",
                    "config.materialized:incremental",
                ),
                log=True,
            ),
            _start(
                root,
                "redshift-run-incremental",
                _offline(
                    "redshift",
                    "--existing",
                    redshift_manifest,
                    "--contracts",
                    redshift_manifest,
                    "--contracts",
                    incremental_manifest,
                    "--",
                    "run",
                    "--select",
                    "config.materialized:incremental",
                ),
                log=True,
            ),
        ]
    )
    yield {**first, **second, **third}


COMPILES = ["athena-first", "athena-incremental", "redshift-first", "redshift-incremental"]


@pytest.mark.dbt
@pytest.mark.s3
@pytest.mark.parametrize("target", ["duckdb", "athena", "redshift"])
def test_dbt_parse_succeeds_for_every_target(runs: dict[str, Run], target: str) -> None:
    run = runs[f"parse-{target}"]
    run.check()
    if target == "duckdb":
        # adapter-specific configs (table_type, dist, sort, grants...) are silent on DuckDB
        assert "WARNING" not in run.result.stdout, run.result.stdout[-3000:]


@pytest.mark.dbt
@pytest.mark.s3
@pytest.mark.parametrize("name", COMPILES)
def test_every_model_test_and_snapshot_compiles(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    run.check()
    manifest = json.loads((run.target_path / "manifest.json").read_text(encoding="utf-8"))
    compiled = run.compiled
    missing, seen = [], 0
    for node in manifest["nodes"].values():
        if node["resource_type"] not in ("model", "test", "snapshot", "analysis"):
            continue
        path = node["original_file_path"]
        if node["resource_type"] == "test" and path.endswith(".yml"):
            path = f"{path}/{node['path']}"
        seen += 1
        if not (compiled / path).is_file():
            missing.append(path)
    assert seen > 100, f"the manifest lists only {seen} nodes"
    assert not missing, f"{len(missing)} nodes not compiled, e.g. {missing[:5]}"


def _parse_failures(files: list[tuple[str, str]], dialect: str) -> list[str]:
    failures = []
    for name, sql in files:
        try:
            sqlglot.parse(sql, read=dialect, error_level=sqlglot.ErrorLevel.RAISE)
        except (ParseError, TokenError) as exc:
            failures.append(f"{name}: {str(exc).splitlines()[0][:300]}")
    return failures


@pytest.mark.dbt
@pytest.mark.s3
@pytest.mark.parametrize("name", COMPILES)
def test_compiled_sql_parses_in_the_engine_dialect(runs: dict[str, Run], name: str) -> None:
    run = runs[name]
    dialect = DIALECTS[name.split("-")[0]]
    files = [
        (str(path.relative_to(run.compiled)), path.read_text(encoding="utf-8"))
        for path in sorted(run.compiled.rglob("*.sql"))
    ]
    assert len(files) > 100, f"only {len(files)} compiled files"
    failures = _parse_failures(files, dialect)
    print(f"{name}: {len(files) - len(failures)}/{len(files)} files parse as {dialect}")
    assert not failures, "\n".join(failures)


@pytest.mark.dbt
@pytest.mark.s3
@pytest.mark.parametrize("name", COMPILES)
def test_no_foreign_dialect_in_compiled_sql(runs: dict[str, Run], name: str) -> None:
    engine = name.split("-")[0]
    patterns = DUCKDB_ONLY + (REDSHIFT_ONLY_NOT if engine == "redshift" else ATHENA_NOT)
    found = []
    for path in sorted(runs[name].compiled.rglob("*.sql")):
        text = re.sub(r"'[^']*'", "''", path.read_text(encoding="utf-8"))  # not in literals
        for pattern in patterns:
            if re.search(pattern, text, flags=re.IGNORECASE):
                found.append(f"{path.relative_to(runs[name].compiled)}: {pattern}")
    assert not found, "\n".join(found)


@pytest.mark.dbt
@pytest.mark.s3
@pytest.mark.parametrize("engine", ["athena", "redshift"])
def test_incremental_models_render_both_forms(runs: dict[str, Run], engine: str) -> None:
    model = "models/silver/customers/slv_customers__history.sql"
    first = (runs[f"{engine}-first"].compiled / model).read_text(encoding="utf-8")
    incremental = (runs[f"{engine}-incremental"].compiled / model).read_text(encoding="utf-8")
    assert "landed_at >" not in first
    assert "where customer_id in (" in incremental and "landed_at >" in incremental


@pytest.mark.dbt
@pytest.mark.s3
def test_athena_build_runs_end_to_end_on_the_aws_emulation(runs: dict[str, Run]) -> None:
    run = runs["athena-build"]
    run.check()
    results = json.loads((run.target_path / "run_results.json").read_text(encoding="utf-8"))
    statuses = {r["unique_id"]: r["status"] for r in results["results"]}
    bad = {k: v for k, v in statuses.items() if v not in ("success", "pass", "no-op")}
    assert len(statuses) > 400 and not bad, bad
    sent = [" ".join(_strip_comments(s).lower().split()) for s in run.statements()]
    fact = [s for s in sent if s.startswith("create table") and '."fact_transactions"' in s]
    assert fact, "no CTAS for fact_transactions"
    assert "table_type='iceberg'" in fact[0].replace(" ", "")
    assert "partitioning=array['month(transaction_ts)']" in fact[0].replace(" ", "")
    assert "location='s3://dms-warehouse-lake/warehouse/gold/fact_transactions/" in (
        fact[0].replace(" ", "")
    )
    # the sources resolve to the Glue tables the landing registers
    assert any('"raw"."core_banking__transactions"' in s for s in sent)


def _strip_comments(sql: str) -> str:
    """The statement without the query-header comments dbt puts in front of it."""
    return re.sub(r"/\*.*?\*/|--[^\n]*", " ", sql, flags=re.S).strip()


def _statements_of(run: Run, pattern: str) -> list[str]:
    """The statements sent that match `pattern`, without comments, whitespace normalised."""
    normalised = (" ".join(_strip_comments(x).split()) for x in run.statements())
    return [s for s in normalised if re.search(pattern, s)]


@pytest.mark.dbt
@pytest.mark.s3
def test_redshift_tables_carry_the_star_distribution_and_sort_keys(runs: dict[str, Run]) -> None:
    run = runs["redshift-run"]
    run.check()
    fact = _statements_of(run, r'create table "[^"]+"\."gold"\."fact_transactions"')
    assert fact and "distkey (customer_key)" in fact[0]
    assert "compound sortkey(transaction_ts)" in fact[0]
    for dimension in ("dim_accounts", "dim_dates"):
        ddl = _statements_of(run, rf'create table "[^"]+"\."gold"\."{dimension}')
        assert ddl and "diststyle all" in ddl[0], dimension
    views = _statements_of(run, r'create view "[^"]+"\."bronze"\.')
    assert views and all("with no schema binding" in v for v in views)


@pytest.mark.dbt
@pytest.mark.s3
def test_redshift_incremental_runs_delete_then_merge_with_one_matched_action(
    runs: dict[str, Run],
) -> None:
    run = runs["redshift-run-incremental"]
    run.check()
    deletes = _statements_of(run, r'delete from "[^"]+"\."gold"\."fact_transactions"')
    assert deletes and "(is_deleted or reject_reasons is not null)" in deletes[0]
    merges = _statements_of(run, r'merge into "[^"]+"\."gold"\."fact_transactions"')
    assert len(merges) == 1
    assert merges[0].lower().count("when matched") == 1


@pytest.mark.dbt
@pytest.mark.s3
def test_athena_incremental_deletes_by_merge_then_merges(runs: dict[str, Run]) -> None:
    run = runs["athena-run-incremental"]
    run.check()
    fact = '"awsdatacatalog"."gold"."fact_transactions"'
    merges = _statements_of(run, rf"merge into {re.escape(fact)}")
    deletes = [m for m in merges if m.endswith("when matched then delete")]
    upserts = [m for m in merges if "__dbt_tmp" in m]
    assert len(deletes) == 1 and "(is_deleted or reject_reasons is not null)" in deletes[0]
    assert "select distinct transaction_id" in deletes[0]
    assert len(upserts) == 1 and "when not matched then insert" in upserts[0]
    assert '"transaction_ts"' in upserts[0]  # the model's columns, not a placeholder


@pytest.mark.dbt
@pytest.mark.s3
@pytest.mark.parametrize(
    "name", ["athena-build", "athena-run-incremental", "redshift-run", "redshift-run-incremental"]
)
def test_statements_sent_parse_in_the_engine_dialect(runs: dict[str, Run], name: str) -> None:
    dialect = DIALECTS[name.split("-")[0]]
    # DML and queries; the adapters' own DDL (Hive/Redshift table options) is out of scope
    dml = re.compile(r"^(select|with|insert|merge|delete)\b", re.I)
    statements = [s for s in map(_strip_comments, runs[name].statements()) if dml.match(s)]
    assert statements
    failures = _parse_failures([(f"statement {i}", s) for i, s in enumerate(statements)], dialect)
    assert not failures, "\n".join(failures[:20])


IAM_FILES = sorted((PROJECT / "docs" / "iam").glob("*.json"))


@pytest.mark.parametrize("path", IAM_FILES, ids=[p.name for p in IAM_FILES])
def test_iam_policies_are_valid_least_privilege_json(path: Path) -> None:
    policy = json.loads(path.read_text(encoding="utf-8"))
    assert policy["Version"] == "2012-10-17"
    assert policy["Statement"], "no statements"
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow" and statement["Sid"]
        actions = statement["Action"]
        assert actions and all(":" in a and not a.endswith(":*") and a != "*" for a in actions)
        resources = statement["Resource"]
        # only lakeformation:GetDataAccess has no resource-level permission
        if resources == ["*"]:
            assert actions == ["lakeformation:GetDataAccess"], statement["Sid"]


def test_iam_files_exist_and_deploy_guide_points_to_them() -> None:
    names = {p.name for p in IAM_FILES}
    assert {"ingestion-landing.json", "dbt-athena.json", "redshift-spectrum-role.json"} <= names
    guide = (PROJECT / "docs" / "deploy.md").read_text(encoding="utf-8")
    for name in names | {"pipeline.asl.json", "schedule.json"}:
        assert name in guide, f"docs/deploy.md does not mention {name}"
    assert "docs/deploy.md" in (PROJECT / "README.md").read_text(encoding="utf-8")


def test_step_functions_definition_runs_land_then_dbt_build() -> None:
    machine = json.loads((PROJECT / "docs/aws/pipeline.asl.json").read_text(encoding="utf-8"))
    states = machine["States"]
    assert machine["StartAt"] == "Land" and states["Land"]["Next"] == "DbtBuild"
    for name in ("Land", "DbtBuild"):
        assert states[name]["Resource"] == "arn:aws:states:::ecs:runTask.sync"
        assert states[name]["Catch"][0]["Next"] == "Alert"
    for state in states.values():  # every transition names a state that exists
        assert state.get("Next") is None or state["Next"] in states
    land = states["Land"]["Parameters"]["Overrides"]["ContainerOverrides"][0]["Command"]
    dbt = states["DbtBuild"]["Parameters"]["Overrides"]["ContainerOverrides"][0]["Command"]
    assert land[:2] == ["dmsw", "land"] and "--glue" in land
    assert dbt == ["dbt", "build", "--target", "athena"]
    schedule = json.loads((PROJECT / "docs/aws/schedule.json").read_text(encoding="utf-8"))
    assert schedule["Target"]["Arn"].endswith(":stateMachine:dms-warehouse-pipeline")
