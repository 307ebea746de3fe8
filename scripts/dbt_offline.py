"""Run dbt for the `athena` or `redshift` target with no AWS account and no warehouse.

    python scripts/dbt_offline.py athena [--existing MANIFEST] [--contracts MANIFEST] -- build ...
    python scripts/dbt_offline.py redshift [--existing MANIFEST] [--log FILE] -- compile ...

athena: an AWS API emulation (moto, S3 + Glue + Athena) runs in this process; the lake bucket,
the Athena workgroup and the Glue database with the raw tables are created as `dmsw land --glue`
registers them (ingestion/glue.py), and dbt-athena talks to it through AWS_ENDPOINT_URL. moto
accepts every Athena query and executes none: queries answer with canned rows (a passing data
test, an empty min/max), so this proves the adapter's plumbing and the SQL it sends, not results.

redshift: dbt-redshift's driver (redshift_connector) is replaced by a fake connection that
accepts every statement, records it, and answers the catalog queries dbt makes. Nothing is
executed; it lets dbt compile and render materializations offline.

--existing makes every model look already built (Glue tables / catalog rows), so incremental
models render their incremental branch. Statements sent are written to --log (one JSON line
each) for later inspection.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

REGION = "eu-west-1"


def _models(manifest_path: Path) -> list[dict[str, Any]]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    nodes = manifest["nodes"].values()
    return [n for n in nodes if n["resource_type"] in ("model", "seed", "snapshot")]


def _relation_type(node: dict[str, Any]) -> str:
    return "view" if node["config"].get("materialized") == "view" else "table"


# ---------------------------------------------------------------------------------------------
# Athena on moto
# ---------------------------------------------------------------------------------------------


_NAME = r'[`"]?(\w+)[`"]?'
_QUALIFIED = rf"(?:{_NAME}\.)?{_NAME}\.{_NAME}"
_DDL = [
    ("schema", re.compile(rf"^create (?:schema|database) (?:if not exists )?{_NAME}")),
    ("view", re.compile(rf"^create (?:or replace )?view {_QUALIFIED}")),
    ("table", re.compile(rf"^create (?:external )?table (?:if not exists )?{_QUALIFIED}")),
    ("drop", re.compile(rf"^drop (?:table|view) (?:if exists )?{_QUALIFIED}")),
]
_CONTRACT_COLUMNS: dict[str, list[tuple[str, str]]] = {}  # normalised compiled SQL -> columns
_MODEL_COLUMNS: dict[str, list[dict[str, str]]] = {}  # relation name -> declared Glue columns
_TYPES = {"failures": "integer", "should_warn": "boolean", "should_error": "boolean"}


def _normalise(sql: str) -> str:
    return " ".join(sql.lower().split())


def _athena_answer(query: str) -> list[tuple[str, str]] | None:
    """Columns (name, type) of the canned result of a query dbt reads; None: no result set.
    Data tests pass (0 failures); a min/max is empty; a contract check sees the declared
    columns."""
    text = _normalise(query)
    if "as failures" in text and "should_warn" in text:
        return [(name, kind) for name, kind in _TYPES.items()]
    if "as first_year" in text:
        return [("first_year", "integer"), ("last_year", "integer")]
    return _contract_columns(text)


def _contract_columns(text: str) -> list[tuple[str, str]] | None:
    """The columns dbt's contract check asks for (`select * from (<sql>) where false limit 0`):
    the declared columns of the model whose compiled SQL it wraps, or those of the
    `cast(null as <type>) as <column>` list dbt builds from the YAML."""
    if "where false" not in text or "limit 0" not in text:
        return None
    for code, columns in _CONTRACT_COLUMNS.items():
        if code in text:
            return columns
    declared = re.findall(r"cast\(null as (.+?)\) as \"?(\w+)\"?", text)
    return [(name, kind) for kind, name in declared] or None


_ROWS = {"failures": "0", "should_warn": "false", "should_error": "false"}


def _glue_from_ddl(backend: Any, query: str) -> None:
    """Keep the Glue catalog as Athena would after a DDL statement (moto's Athena does not)."""
    from moto.glue.models import glue_backends

    glue = glue_backends[backend.account_id][backend.region_name]
    text = _normalise(re.sub(r"/\*.*?\*/|--[^\n]*", " ", query, flags=re.S))
    for kind, pattern in _DDL:
        found = pattern.match(text)
        if not found:
            continue
        if kind == "schema":
            if found.group(1) not in glue.databases:
                glue.create_database(found.group(1), {"Name": found.group(1)})
            return
        database, name = found.group(2), found.group(3)
        if database not in glue.databases:
            return
        tables = glue.databases[database].tables
        if kind == "drop":
            tables.pop(name, None)
            return
        tables.pop(name, None)
        iceberg = "table_type='iceberg'" in text.replace(" ", "")
        location = re.search(r"location\s*=?\s*'([^']+)'", text)
        table_input = {
            "Name": name,
            "TableType": "VIRTUAL_VIEW" if kind == "view" else "EXTERNAL_TABLE",
            "Parameters": {"table_type": "ICEBERG"} if iceberg else {},
            "StorageDescriptor": {
                "Columns": _MODEL_COLUMNS.get(re.sub(r"__dbt_tmp.*$", "", name))
                or [{"Name": "c", "Type": "string"}],
                "Location": location.group(1) if location else f"s3://lake/{database}/{name}/",
            },
        }
        glue.create_table(database, name, table_input)
        return


def _log_statement(log_path: Path | None, sql: str) -> None:
    if log_path is not None:
        with log_path.open("a", encoding="utf-8") as out:
            out.write(json.dumps({"sql": sql}) + "\n")


def _patch_moto_athena(log_path: Path | None) -> None:
    from moto.athena.models import AthenaBackend, QueryResults

    original = AthenaBackend.start_query_execution

    def start_query_execution(self: Any, query: str, *args: Any, **kwargs: Any) -> str:
        exec_id: str = original(self, query, *args, **kwargs)
        _log_statement(log_path, query)
        _glue_from_ddl(self, query)
        columns = _athena_answer(query)
        if columns is not None:
            column_info = [{"Name": n, "Label": n, "Type": t} for n, t in columns]
            header = {"Data": [{"VarCharValue": n} for n, _ in columns]}
            rows = []
            if "limit 0" not in _normalise(query):
                values = [_ROWS.get(n) for n, _ in columns]
                rows = [{"Data": [{} if v is None else {"VarCharValue": v} for v in values]}]
            self.query_results[exec_id] = QueryResults([header, *rows], column_info)
        return exec_id

    AthenaBackend.start_query_execution = start_query_execution  # type: ignore[method-assign]


def _load_contracts(compiled_manifest: Path) -> None:
    """Remember the declared columns of each contract-enforced model by its compiled SQL."""
    manifest = json.loads(compiled_manifest.read_text(encoding="utf-8"))
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node.get("columns"):
            _MODEL_COLUMNS[node["alias"]] = _glue_columns(node)
        enforced = node.get("config", {}).get("contract", {}).get("enforced")
        if node["resource_type"] == "model" and enforced and node.get("compiled_code"):
            _CONTRACT_COLUMNS[_normalise(node["compiled_code"])] = [
                (name, column.get("data_type") or "varchar")
                for name, column in node["columns"].items()
            ]


def _glue_columns(node: dict[str, Any]) -> list[dict[str, str]]:
    columns = [
        {"Name": name, "Type": (column.get("data_type") or "string").lower()}
        for name, column in node.get("columns", {}).items()
    ]
    return columns or [{"Name": "id", "Type": "bigint"}]


@contextmanager
def athena_backend(existing_manifest: Path | None, log_path: Path | None) -> Iterator[None]:
    import boto3
    from moto.server import ThreadedMotoServer

    from ingestion.conform import QUARANTINE_SCHEMA, raw_schema
    from ingestion.contracts import load_contracts
    from ingestion.glue import QUARANTINE_TABLE, GlueCatalog

    _patch_moto_athena(log_path)
    from moto.moto_api import state_manager

    # queries succeed at the first status poll
    state_manager.set_transition(
        model_name="athena::execution", transition={"progression": "immediate"}
    )
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ.update(
        AWS_ENDPOINT_URL=f"http://{host}:{port}",
        AWS_ACCESS_KEY_ID="offline",
        AWS_SECRET_ACCESS_KEY="offline",  # a dummy for the emulator
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)
    os.environ.setdefault("ATHENA_POLL_INTERVAL", "0.02")
    bucket = os.environ.setdefault("LAKE_BUCKET", "dms-warehouse-lake")
    workgroup = os.environ.setdefault("ATHENA_WORKGROUP", "dms-warehouse")
    glue_database = os.environ.setdefault("GLUE_DATABASE", "raw")
    try:
        s3 = boto3.client("s3", region_name=REGION)
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        boto3.client("athena", region_name=REGION).create_work_group(
            Name=workgroup,
            Configuration={
                "ResultConfiguration": {"OutputLocation": f"s3://{bucket}/athena-results/"},
                "EnforceWorkGroupConfiguration": False,
            },
        )
        glue = boto3.client("glue", region_name=REGION)
        catalog = GlueCatalog(glue, glue_database)
        for contract in load_contracts(PROJECT / "contracts").values():
            name = f"{contract.schema}__{contract.table}".lower()
            location = f"s3://{bucket}/raw/{contract.schema}/{contract.table}/"
            catalog.upsert(name, raw_schema(contract), location, "offline test table")
        catalog.upsert(QUARANTINE_TABLE, QUARANTINE_SCHEMA, f"s3://{bucket}/quarantine/", "offline")
        if existing_manifest is not None:
            _glue_register_models(glue, bucket, _models(existing_manifest))
        yield
    finally:
        server.stop()


def _glue_register_models(glue: Any, bucket: str, nodes: list[dict[str, Any]]) -> None:
    databases: set[str] = set()
    for node in nodes:
        schema, name = node["schema"], node["alias"]
        if schema not in databases:
            with suppress(glue.exceptions.AlreadyExistsException):
                glue.create_database(DatabaseInput={"Name": schema})
            databases.add(schema)
        is_view = _relation_type(node) == "view"
        table: dict[str, Any] = {
            "Name": name,
            "TableType": "VIRTUAL_VIEW" if is_view else "EXTERNAL_TABLE",
            "Parameters": {} if is_view else {"table_type": "ICEBERG"},
            "StorageDescriptor": {
                "Columns": _glue_columns(node),
                "Location": f"s3://{bucket}/warehouse/{schema}/{name}/",
            },
        }
        glue.create_table(DatabaseName=schema, TableInput=table)


# ---------------------------------------------------------------------------------------------
# Redshift with a fake driver
# ---------------------------------------------------------------------------------------------

# PostgreSQL type oids (what redshift_connector reports) of the types our contracts declare
_OIDS = {"varchar": 1043, "bigint": 20, "integer": 23, "int": 23, "boolean": 16, "date": 1082}
_OIDS |= {"timestamp": 1114, "double": 701, "numeric": 1700, "decimal": 1700, "text": 25}
_LIST_RELATIONS = re.compile(
    r"from information_schema\.tables\s+where table_schema ilike '([^']+)'"
)
_COLUMNS_OF = re.compile(r"table_name\s*=\s*'([^']+)'")


class FakeRedshiftCursor:
    def __init__(self, connection: FakeRedshiftConnection) -> None:
        self.connection = connection
        self.description: list[tuple[Any, ...]] | None = None
        self.rowcount = -1
        self._rows: list[tuple[Any, ...]] = []

    def __enter__(self) -> FakeRedshiftCursor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def execute(self, operation: str, args: Any = None, **_: Any) -> FakeRedshiftCursor:
        self.connection.log(operation)
        names, rows = self.connection.answer(operation)
        self.description = [
            (n, _OIDS.get(n.split(":")[1] if ":" in n else "", 25), None, None, None, None, None)
            for n in names
        ] or None
        if self.description:
            self.description = [(d[0].split(":")[0], *d[1:]) for d in self.description]
        self._rows = rows
        self.rowcount = len(rows)
        return self

    def executemany(self, operation: str, args: Sequence[Any]) -> FakeRedshiftCursor:
        return self.execute(operation)

    def fetchall(self) -> list[tuple[Any, ...]]:
        rows, self._rows = self._rows, []
        return rows

    def fetchmany(self, size: int | None = None) -> list[tuple[Any, ...]]:
        return self.fetchall()

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows.pop(0) if self._rows else None

    def close(self) -> None:
        pass


class FakeRedshiftConnection:
    def __init__(self, relations: dict[str, list[dict[str, Any]]], log_path: Path | None) -> None:
        self.relations = relations  # schema -> manifest nodes
        self.log_path = log_path
        self.autocommit = True

    def log(self, sql: str) -> None:
        _log_statement(self.log_path, sql)

    def answer(self, sql: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        text = " ".join(sql.lower().split())
        found = _LIST_RELATIONS.search(text)
        if found:
            nodes = self.relations.get(found.group(1), [])
            database = os.environ.get("REDSHIFT_DATABASE", "dev")
            rows = [(database, n["alias"], n["schema"], _relation_type(n)) for n in nodes]
            return ["database", "name", "schema", "type"], rows
        if "as failures" in text and "should_warn" in text:
            return ["failures", "should_warn", "should_error"], [(0, False, False)]
        contract = _contract_columns(text)
        if contract is not None:
            return [f"{n}:{t.split('(')[0]}" for n, t in contract], []
        if "as first_year" in text:
            return ["first_year", "last_year"], [(None, None)]
        if "information_schema" in text and "column_name" in text:
            return self._columns(text)
        if text.startswith(("select", "with", "show")):
            return ["value"], []
        return [], []

    def _columns(self, text: str) -> tuple[list[str], list[tuple[Any, ...]]]:
        """Columns of a model (or its __dbt_tmp copy), from the manifest's declared columns."""
        names = ["column_name", "data_type", "character_maximum_length"]
        names += ["numeric_precision", "numeric_scale"]
        found = _COLUMNS_OF.search(text)
        if not found:
            return names, []
        wanted = re.sub(r"__dbt_tmp.*$", "", found.group(1))
        for nodes in self.relations.values():
            for node in nodes:
                if node["alias"] == wanted:
                    return names, [
                        (name, (c.get("data_type") or "varchar").lower(), None, None, None)
                        for name, c in node.get("columns", {}).items()
                    ]
        return names, []

    def cursor(self) -> FakeRedshiftCursor:
        return FakeRedshiftCursor(self)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass

    def close(self) -> None:
        pass


@contextmanager
def redshift_backend(existing_manifest: Path | None, log_path: Path | None) -> Iterator[None]:
    import redshift_connector

    relations: dict[str, list[dict[str, Any]]] = {}
    if existing_manifest is not None:
        for node in _models(existing_manifest):
            relations.setdefault(node["schema"].lower(), []).append(node)

    def connect(**_: Any) -> FakeRedshiftConnection:
        return FakeRedshiftConnection(relations, log_path)

    original = redshift_connector.connect
    redshift_connector.connect = connect
    try:
        yield
    finally:
        redshift_connector.connect = original


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("engine", choices=["athena", "redshift"])
    parser.add_argument(
        "--existing", type=Path, metavar="MANIFEST", help="pretend every node of it is built"
    )
    parser.add_argument("--log", type=Path, help="append every statement sent (JSON lines)")
    parser.add_argument(
        "--contracts",
        type=Path,
        action="append",
        default=[],
        metavar="MANIFEST",
        help="a compiled manifest: contract checks see its declared columns (repeatable)",
    )
    argv = list(sys.argv[1:] if argv is None else argv)
    split = argv.index("--") if "--" in argv else len(argv)
    args = parser.parse_args(argv[:split])
    dbt_args = argv[split + 1 :]
    os.environ["DBT_TARGET"] = args.engine
    os.environ.setdefault("DBT_PROFILES_DIR", str(PROJECT / "profiles"))
    os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")

    from dbt.cli.main import dbtRunner

    backend = (
        athena_backend(args.existing, args.log)
        if args.engine == "athena"
        else redshift_backend(args.existing, args.log)
    )
    for manifest in args.contracts:
        _load_contracts(manifest)
    with backend:
        result = dbtRunner().invoke([*dbt_args, "--target", args.engine])
    if result.exception is not None:
        print(f"dbt failed: {result.exception}", file=sys.stderr)
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
