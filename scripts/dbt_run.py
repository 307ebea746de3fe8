"""dbt build, docs generate --static and source freshness in one process (what `make run` runs).

    python scripts/dbt_run.py [--vars YAML] [-- BUILD_OPTIONS...]

The project is parsed once and that manifest is handed to each command (dbt's programmatic
API, dbtRunner): one dbt start-up instead of three, and the docs are not compiled again
(`--no-compile`). The build compiles every node it runs into that manifest and writes it to
target/manifest.json, so the docs show the SQL the build ran; the analyses, which a build
does not run, are compiled first. Run it from the project folder with the environment of
`make env`. dbt prints what it prints for each command, and the on-run-end hooks record the
build and the freshness check in the ops schema, as when the commands run one by one. It
closes the warehouse and leaves without Python's teardown of dbt's objects (`leave`).

Exit codes: 0 all done; 1 the build failed (no docs, no freshness); 2 dbt could not run (the
project does not parse, a bad option) or the docs failed; 3 built and documented, but some
sources are stale or could not be checked (what `make freshness` exits 1 for); 130 Ctrl-C.
"""

from __future__ import annotations

import argparse
import atexit
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from dbt.cli.main import dbtRunner, dbtRunnerResult
from dbt.contracts.graph.manifest import Manifest

BUILD_FAILED = 1
DBT_ERROR = 2
STALE = 3


def invoke(manifest: Manifest | None, *args: str) -> dbtRunnerResult:
    """One dbt command in this process, on the manifest parsed once (None: dbt parses)."""
    return dbtRunner(manifest=manifest).invoke(list(args))


def failed(step: str, result: dbtRunnerResult) -> str:
    """The one line printed when a step fails (dbt has printed the details above)."""
    error = result.exception
    if error is None:
        return f"dbt_run: dbt {step} failed (above)"
    first_line = next(iter(str(error).splitlines()), "") or type(error).__name__
    return f"dbt_run: dbt {step} failed: {first_line}"


def exit_code(result: dbtRunnerResult, failed_code: int) -> int:
    """failed_code when dbt ran and reported a failure; 130 on Ctrl-C; 2 when dbt crashed."""
    if result.exception is None:
        return failed_code
    return 130 if isinstance(result.exception, KeyboardInterrupt) else DBT_ERROR


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vars", default="{}", help="dbt --vars of every command (YAML)")
    parser.add_argument("build_options", nargs="*", help="more dbt build options, after --")
    args = parser.parse_args(argv)
    dbt_vars = ("--vars", args.vars)

    parsed = invoke(None, "parse", *dbt_vars)
    if not parsed.success or not isinstance(parsed.result, Manifest):
        print(failed("parse", parsed), file=sys.stderr)
        return exit_code(parsed, DBT_ERROR)
    manifest = parsed.result

    # before the build: compile writes run_results.json too, and the build's should be kept
    analyses = invoke(manifest, "compile", "--select", "resource_type:analysis", *dbt_vars)
    if not analyses.success:
        print(failed("compile (analyses)", analyses), file=sys.stderr)
        return exit_code(analyses, DBT_ERROR)

    built = invoke(manifest, "build", *dbt_vars, *args.build_options)
    if not built.success:
        print(failed("build", built), file=sys.stderr)
        return exit_code(built, BUILD_FAILED)

    docs = invoke(manifest, "docs", "generate", "--static", "--no-compile", *dbt_vars)
    if not docs.success:
        print(failed("docs generate", docs), file=sys.stderr)
        return exit_code(docs, DBT_ERROR)

    fresh = invoke(manifest, "source", "freshness", *dbt_vars)
    if isinstance(fresh.exception, KeyboardInterrupt):
        return 130
    return 0 if fresh.success else STALE


def close_warehouse() -> None:
    """Close the DuckDB database dbt-duckdb opened, if it did: it keeps one open for the whole
    process (its connection manager's environment), and DuckDB folds its write-ahead log into
    the file when the database closes. Other adapters hold no local file."""
    connections = sys.modules.get("dbt.adapters.duckdb.connections")
    environment = getattr(connections, "DuckDBConnectionManager", None)
    opened = getattr(environment, "_ENV", None)
    if opened is not None:
        opened.close()


def leave(code: int) -> NoReturn:
    """Exit with code once the warehouse is closed and the exit handlers have run (the logs
    flushed, multiprocessing's semaphores released), without the rest of the interpreter's
    teardown: after a build the process holds dbt's manifest and results, whose objects Python
    would otherwise free one by one (about 0.7 s at 2M transactions)."""
    close_warehouse()
    atexit._run_exitfuncs()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    leave(main())
