"""Shared fixtures; helpers the tests import are in support/ (see support/__init__.py).

Test tiers (markers registered in pyproject.toml): ``dbt`` runs dbt or builds a warehouse,
``s3`` needs the moto S3 server, ``browser`` needs Chromium; unmarked tests are the fast,
pure-Python tier (``make test-fast``). A test that asks for ``built_project`` without the
``dbt`` marker, or for ``s3_endpoint``/``buckets`` without ``s3``, is refused at collection.

``make test`` runs the tests in two processes (pytest-xdist, ``--dist loadgroup``): each file
stays in one process (its module fixtures are built once), and the files that use the
session's ``built_project`` share one process, so the demo warehouse is built once.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.built_project import BuiltProject, build_project
from support.pipeline import Pipeline
from support.project import CONTRACTS

from ingestion.contracts import TableContract, load_contracts

TIER_FIXTURES = {"built_project": "dbt", "s3_endpoint": "s3", "buckets": "s3"}
"""Fixtures that put a test in a slow tier, and the marker it must carry."""


LONGEST_FIRST = (
    "built_project",
    "tests/python/test_warehouse_dialects.py",
    "tests/python/test_snapshot.py",
    "tests/python/test_pipeline_health.py",
    "tests/python/test_build_without_demo_data.py",
    "tests/python/test_proven_landing_runs.py",
    "tests/python/test_generated_layer.py",
    "tests/python/test_incremental.py",
    "tests/python/test_changes.py",
    "tests/python/test_reloads.py",
)
"""The xdist groups that take longest (measured: `make test` lists the slowest), started
first; the other groups follow in file order and fill in, so both processes end together."""


@pytest.hookimpl(tryfirst=True)  # before xdist reads the groups into the node ids
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    by_file: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_file.setdefault(item.nodeid.split("::")[0], []).append(item)
    group: dict[str, str] = {}
    for path, file_items in by_file.items():  # the xdist group of every test of a file
        shared = any("built_project" in getattr(i, "fixturenames", ()) for i in file_items)
        group[path] = "built_project" if shared else path
        for item in file_items:
            item.add_marker(pytest.mark.xdist_group(group[path]))
    # the longest groups first (make runs xdist with --no-loadscope-reorder, which keeps this
    # order); a stable sort: each file's tests stay together and in order
    rank = {name: n for n, name in enumerate(LONGEST_FIRST)}
    order = {id(item): n for n, item in enumerate(items)}
    items.sort(
        key=lambda i: (
            rank.get(group[i.nodeid.split("::")[0]], len(rank)),
            order[id(i)],
        )
    )
    unmarked = set()
    for item in items:
        for fixture in set(TIER_FIXTURES) & set(getattr(item, "fixturenames", ())):
            marker = TIER_FIXTURES[fixture]
            if item.get_closest_marker(marker) is None:
                unmarked.add(f"{item.nodeid}: mark it @pytest.mark.{marker} (it uses {fixture})")
    if unmarked:
        raise pytest.UsageError("tests outside their tier:\n  " + "\n  ".join(sorted(unmarked)))


@pytest.fixture(scope="session")
def contracts() -> dict[tuple[str, str], TableContract]:
    return load_contracts(CONTRACTS)


@pytest.fixture
def pipeline(tmp_path: Path) -> Pipeline:
    """A DMS root, lake and warehouse under tmp_path; pipeline.write(key, content) delivers a
    file to the DMS root."""
    return Pipeline(tmp_path)


@pytest.fixture
def dms_root(pipeline: Pipeline) -> Path:
    """The pipeline's DMS root (tmp_path/dms)."""
    return pipeline.dms


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> BuiltProject:
    """A demo warehouse with its docs site, built once (tests/python/support/built_project.py)."""
    return build_project(tmp_path_factory.mktemp("built_project"))


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-protocol HTTP server (moto's server mode) on loopback, for the whole session.

    The AWS environment points every boto3 client at it with fake credentials, the way
    production configures a real endpoint (AWS_ENDPOINT_URL); the real config files are
    ignored.
    """
    from moto.server import ThreadedMotoServer  # imported only by the tests that need it

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)  # a free port
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
        }.items():
            env.setenv(name, value)
        env.delenv("AWS_PROFILE", raising=False)
        env.delenv("AWS_SESSION_TOKEN", raising=False)
        yield endpoint
    server.stop()


@pytest.fixture
def buckets(s3_endpoint: str) -> tuple[str, str]:
    """Two fresh buckets on the loopback S3 server: (source, lake)."""
    import boto3

    client = boto3.client("s3")
    names = (f"dms-{uuid.uuid4().hex[:12]}", f"lake-{uuid.uuid4().hex[:12]}")
    for name in names:
        client.create_bucket(Bucket=name)
    return names
