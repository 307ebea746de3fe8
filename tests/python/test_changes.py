"""How changes become state: the DMS ordering rule, late and out-of-order files, deletes,
incremental runs, history (type 2). Each test writes DMS files by hand, lands them with our
landing code and runs the real dbt models on DuckDB."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.pipeline import Pipeline

pytestmark = pytest.mark.dbt

CUSTOMER_COLUMNS = [
    "customer_id", "first_name", "last_name", "email", "phone", "date_of_birth", "gender",
    "address_line", "city", "country_code", "segment", "created_at", "updated_at",
]  # fmt: skip
START = datetime(2026, 3, 1, 8, 0, 0)
CUSTOMER_MODELS = ["--select", "+slv_customers", "+slv_customers__history"]
MODELS_ONLY = ["--resource-type", "model", "--resource-type", "seed"]


@dataclass(frozen=True)
class Change:
    op: str
    customer_id: int
    email: str
    committed_at: datetime | None
    seq: int | None


def _ts(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f") if moment else ""


def customers_csv(changes: list[Change], *, with_op: bool = True, with_seq: bool = True) -> str:
    header = (["Op"] if with_op else []) + ["dms_commit_ts", *CUSTOMER_COLUMNS]
    header += ["dms_change_seq"] if with_seq else []
    lines = [",".join(header)]
    for change in changes:
        values = [
            str(change.customer_id), "Ann", "Lee", change.email, "", "1980-01-02", "F",
            "1 Main St", "Brno", "CZ", "retail", "2020-01-01 00:00:00", "2020-01-01 00:00:00",
        ]  # fmt: skip
        row = ([change.op] if with_op else []) + [_ts(change.committed_at), *values]
        row += [f"{change.seq:035d}" if change.seq is not None else ""] if with_seq else []
        lines.append(",".join(row))
    return "\n".join(lines) + "\n"


def cdc_name(n: int) -> str:
    moment = START + timedelta(hours=n)
    return f"core_banking/customers/{moment:%Y%m%d-%H%M%S}000.csv"


def at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


@pytest.fixture(scope="module")
def shared_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("changes")


@pytest.fixture
def pipeline(shared_root: Path) -> Iterator[Pipeline]:
    """A fresh DMS root, lake and warehouse; dbt's target folder is kept between tests so
    that dbt parses the project once."""
    for name in ("dms", "lake", "warehouse.duckdb", "warehouse.duckdb.wal"):
        path = shared_root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    yield Pipeline(shared_root, artifacts=False)


def build(pipeline: Pipeline, *extra: str) -> None:
    pipeline.land()
    pipeline.dbt("build", *CUSTOMER_MODELS, *MODELS_ONLY, *extra)


def current_emails(pipeline: Pipeline) -> dict[int, str]:
    rows = pipeline.query(
        "select customer_id, email from silver.slv_customers__latest where not is_deleted"
    )
    return {int(key): str(email) for key, email in rows}


def deleted_keys(pipeline: Pipeline) -> set[int]:
    rows = pipeline.query("select customer_id from silver.slv_customers__latest where is_deleted")
    return {int(key) for (key,) in rows}


# -- named cases --------------------------------------------------------------------------


def test_insert_update_delete_insert_on_one_key_in_one_file(pipeline: Pipeline) -> None:
    pipeline.write(
        cdc_name(1),
        customers_csv(
            [
                Change("I", 1, "first@x.cz", at(1), 1),
                Change("U", 1, "second@x.cz", at(1), 2),
                Change("D", 1, "second@x.cz", at(1), 3),
                Change("I", 1, "again@x.cz", at(1), 4),
            ]
        ),
    )
    build(pipeline)
    assert current_emails(pipeline) == {1: "again@x.cz"}
    assert pipeline.query("select email from silver.slv_customers") == [("again@x.cz",)]


def test_a_delete_for_a_key_never_seen(pipeline: Pipeline) -> None:
    pipeline.write(
        cdc_name(1),
        customers_csv([Change("I", 1, "a@x.cz", at(1), 1), Change("D", 7, "ghost@x.cz", at(2), 2)]),
    )
    build(pipeline)
    assert current_emails(pipeline) == {1: "a@x.cz"}
    assert deleted_keys(pipeline) == {7}
    assert pipeline.query(
        "select count(*) from silver.slv_customers__history where customer_id = 7"
    ) == [(0,)]


def test_an_update_whose_insert_arrives_in_a_later_file(pipeline: Pipeline) -> None:
    pipeline.write(cdc_name(2), customers_csv([Change("U", 2, "updated@x.cz", at(20), 20)]))
    build(pipeline)
    assert current_emails(pipeline) == {2: "updated@x.cz"}
    pipeline.write(cdc_name(3), customers_csv([Change("I", 2, "inserted@x.cz", at(10), 10)]))
    build(pipeline)  # incremental: the late insert must not override the newer update
    assert current_emails(pipeline) == {2: "updated@x.cz"}
    versions = pipeline.query(
        "select email, valid_from, valid_to from silver.slv_customers__history "
        "where customer_id = 2 order by valid_from"
    )
    assert [v[0] for v in versions] == ["inserted@x.cz", "updated@x.cz"]
    assert versions[0][2] == versions[1][1] == at(20)


def test_two_changes_with_the_same_commit_timestamp(pipeline: Pipeline) -> None:
    same = at(5)
    # with a change sequence, the sequence decides (the file lists them out of order)
    pipeline.write(
        cdc_name(1),
        customers_csv(
            [Change("U", 3, "later@x.cz", same, 9), Change("U", 3, "earlier@x.cz", same, 8)]
        ),
    )
    # without one (an older task), the row position in the file decides
    pipeline.write(
        "core_banking/customers/20260301-100000000.csv",
        customers_csv(
            [
                Change("U", 4, "first-row@x.cz", same, None),
                Change("U", 4, "second-row@x.cz", same, None),
            ],
            with_seq=False,
        ),
    )
    build(pipeline)
    assert current_emails(pipeline) == {3: "later@x.cz", 4: "second-row@x.cz"}


def test_a_full_load_row_later_than_a_cdc_change_of_the_same_key(pipeline: Pipeline) -> None:
    # without UseTaskStartTimeForFullLoadTimestamp the full-load time can follow a change
    # captured while the load ran: the later commit time wins, whatever the file order
    pipeline.write(
        "core_banking/customers/LOAD00000001.csv",
        customers_csv([Change("I", 5, "from-load@x.cz", at(30), None)]),
    )
    pipeline.write(cdc_name(1), customers_csv([Change("U", 5, "from-cdc@x.cz", at(25), 1)]))
    build(pipeline)
    assert current_emails(pipeline) == {5: "from-load@x.cz"}


def test_an_empty_cdc_file(pipeline: Pipeline) -> None:
    pipeline.write(
        "core_banking/customers/LOAD00000001.csv",
        customers_csv([Change("I", 6, "a@x.cz", at(0), None)]),
    )
    build(pipeline)
    pipeline.write(cdc_name(1), "")
    pipeline.write(cdc_name(2), customers_csv([]))  # header only
    summary = pipeline.land()
    assert summary.files_landed == 2 and summary.files_failed == 0
    pipeline.dbt("build", *CUSTOMER_MODELS, *MODELS_ONLY)
    assert current_emails(pipeline) == {6: "a@x.cz"}


# -- history ------------------------------------------------------------------------------


def test_a_transaction_between_two_email_changes_points_to_the_middle_version(
    pipeline: Pipeline,
) -> None:
    pipeline.write(
        "core_banking/customers/LOAD00000001.csv",
        customers_csv([Change("I", 1, "v1@x.cz", at(0), None)]),
    )
    pipeline.write(cdc_name(1), customers_csv([Change("U", 1, "v2@x.cz", at(60), 1)]))
    pipeline.write(cdc_name(2), customers_csv([Change("U", 1, "v3@x.cz", at(120), 2)]))
    pipeline.write(
        "core_banking/accounts/LOAD00000001.csv",
        "Op,dms_commit_ts,account_id,customer_id,account_number,account_type,currency,status,"
        "opened_at,closed_at,created_at,updated_at,dms_change_seq\n"
        f"I,{_ts(at(0))},10,1,CZ00 0000 0000 0010,checking,EUR,active,"
        "2020-01-01 00:00:00,,2020-01-01 00:00:00,2020-01-01 00:00:00,\n",
    )
    pipeline.write(
        "core_banking/transactions/LOAD00000001.csv",
        "Op,dms_commit_ts,transaction_id,account_id,transaction_ts,amount,direction,currency,"
        "transaction_type,status,balance_after,counterparty_account,description,created_at,"
        "updated_at,dms_change_seq\n"
        f"I,{_ts(at(0))},100,10,{_ts(at(90))},12.50,C,EUR,deposit,posted,,,,"
        "2020-01-01 00:00:00,2020-01-01 00:00:00,\n",
    )
    pipeline.land()
    pipeline.dbt("build", "--select", "+fact_transactions", *MODELS_ONLY)
    versions = pipeline.query(
        "select customer_key, email, valid_from, valid_to, is_current from gold.dim_customers "
        "where customer_id = 1 order by valid_from"
    )
    assert [v[1] for v in versions] == ["v1@x.cz", "v2@x.cz", "v3@x.cz"]
    assert [v[4] for v in versions] == [False, False, True]
    for earlier, later in pairwise(versions):
        assert earlier[3] == later[2], "versions must be contiguous and not overlap"
    (fact_customer_key,) = pipeline.query(
        "select customer_key from gold.fact_transactions where transaction_id = 100"
    )[0]
    assert fact_customer_key == versions[1][0]


def test_changes_at_a_keys_first_commit_time_leave_one_version(pipeline: Pipeline) -> None:
    # changes with the same commit time leave only the last (docs/changes.md), the key's
    # first ones too: a key inserted, updated, deleted and inserted again in one commit
    # has one version, the last, from the floor; so has a full-load row updated by a
    # change committed at its own time
    pipeline.write(
        "core_banking/customers/LOAD00000001.csv",
        customers_csv([Change("I", 2, "load@x.cz", at(0), None)]),
    )
    pipeline.write(
        cdc_name(1),
        customers_csv(
            [
                Change("U", 2, "same-time@x.cz", at(0), 1),
                Change("I", 1, "first@x.cz", at(1), 2),
                Change("U", 1, "second@x.cz", at(1), 3),
                Change("D", 1, "second@x.cz", at(1), 4),
                Change("I", 1, "again@x.cz", at(1), 5),
                Change("U", 1, "later@x.cz", at(2), 6),
            ]
        ),
    )
    build(pipeline)
    versions = pipeline.query(
        "select customer_id, version_number, email, valid_from, valid_to "
        "from silver.slv_customers__history order by customer_id, version_number"
    )
    floor, ceiling = datetime(1900, 1, 1), datetime(9999, 12, 31)
    assert versions == [
        (1, 1, "again@x.cz", floor, at(2)),
        (1, 2, "later@x.cz", at(2), ceiling),
        (2, 1, "same-time@x.cz", floor, ceiling),
    ]


# -- property: any history, any batching, any delivery order ------------------------------


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Change], list[list[int]], dict[int, str | None]]:
    """A valid change history of a few keys, the files it is cut into, and the true state."""
    keys = draw(st.integers(min_value=1, max_value=5))
    steps = draw(st.integers(min_value=1, max_value=18))
    state: dict[int, str | None] = {}
    changes: list[Change] = []
    moment = START
    for step in range(steps):
        key = draw(st.integers(min_value=1, max_value=keys))
        exists = state.get(key) is not None
        op = draw(st.sampled_from(["U", "D"])) if exists else "I"
        email = f"k{key}s{step}@x.cz"
        moment += timedelta(seconds=draw(st.sampled_from([0, 1, 7])))
        changes.append(Change(op, key, email if op != "D" else str(state[key]), moment, step + 1))
        state[key] = None if op == "D" else email
    files = draw(st.integers(min_value=1, max_value=4))
    assignment = [draw(st.integers(min_value=0, max_value=files - 1)) for _ in changes]
    batches = [[i for i, f in enumerate(assignment) if f == n] for n in range(files)]
    return changes, [b for b in batches if b], state


def replay(changes: list[Change]) -> dict[int, str | None]:
    """The usual rule, in plain Python: per key, the last change by (commit time, sequence)."""
    final: dict[int, str | None] = {}
    for change in sorted(changes, key=lambda c: (c.committed_at, c.seq)):
        final[change.customer_id] = None if change.op == "D" else change.email
    return final


@settings(
    max_examples=8,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(history=histories(), data=st.data())
def test_any_batching_and_delivery_order_gives_the_true_final_state(
    shared_root: Path,
    history: tuple[list[Change], list[list[int]], dict[int, str | None]],
    data: st.DataObject,
) -> None:
    changes, batches, truth = history
    for name in ("dms", "lake", "warehouse.duckdb"):
        path = shared_root / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    pipeline = Pipeline(shared_root, artifacts=False)
    files = {
        cdc_name(n + 1): customers_csv([changes[i] for i in batch])
        for n, batch in enumerate(batches)
    }
    delivery = data.draw(st.permutations(sorted(files)))
    rounds = data.draw(st.integers(min_value=1, max_value=min(3, len(delivery))))
    cut = (
        sorted(data.draw(st.sets(st.integers(1, len(delivery) - 1), max_size=rounds - 1)))
        if len(delivery) > 1
        else []
    )
    for start, end in zip([0, *cut], [*cut, len(delivery)], strict=True):
        for name in delivery[start:end]:
            pipeline.write(name, files[name])
        build(pipeline)  # one landing run and one incremental dbt run per delivery round
    expected = replay(changes)
    assert expected == truth
    assert current_emails(pipeline) == {k: v for k, v in truth.items() if v is not None}
    assert deleted_keys(pipeline) == {k for k, v in truth.items() if v is None}
