"""Shared fixtures: a small DMS root written by hand, and the project's contracts."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from built_project import BuiltProject, build_project
from moto.server import ThreadedMotoServer

from ingestion.contracts import TableContract, load_contracts

PROJECT = Path(__file__).resolve().parents[2]
CONTRACTS = PROJECT / "contracts"

CUSTOMER_HEADER = (
    "Op,dms_commit_ts,customer_id,first_name,last_name,email,phone,date_of_birth,gender,"
    "address_line,city,country_code,segment,created_at,updated_at,dms_change_seq"
)


def customer_row(
    customer_id: object, op: str = "I", email: str = "a@example.com", dob: str = "1980-01-02"
) -> str:
    return (
        f"{op},2026-03-01 08:00:00.000000,{customer_id},Ann,Lee,{email},,{dob},F,"
        f'"1 Main St, Flat ""2""\nBrno",Brno,CZ,retail,2020-01-01 00:00:00,2020-01-01 00:00:00,'
    )


@pytest.fixture(scope="session")
def contracts() -> dict[tuple[str, str], TableContract]:
    return load_contracts(CONTRACTS)


@pytest.fixture
def dms_root(tmp_path: Path) -> Path:
    root = tmp_path / "dms"
    root.mkdir()
    return root


@pytest.fixture
def write_file(dms_root: Path) -> Callable[[str, str | bytes], Path]:
    """Write a file under the DMS root: write_file('core_banking/customers/X.csv', text)."""

    def write(key: str, content: str | bytes) -> Path:
        path = dms_root / key
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", newline="")
        else:
            path.write_bytes(content)
        return path

    return write


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> BuiltProject:
    """A demo warehouse with its docs site, built once (tests/python/built_project.py)."""
    return build_project(tmp_path_factory.mktemp("built_project"))


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3-protocol HTTP server (moto's server mode) on loopback, for the whole session.

    The AWS environment points every boto3 client at it with fake credentials, the way
    production configures a real endpoint (AWS_ENDPOINT_URL); the real config files are
    ignored.
    """
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
