"""Shared fixtures: a small DMS root written by hand, and the project's contracts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

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
