"""The bronze `change_log_reconciles` data test (tests/generic/) names every failure its header
promises, in both of its modes. Hand-written relations stand for a change log (`model`), its
`__latest` model, the current view and the rejects view; they are fed to the real test SQL
through `dbt show`, with the real scoping macros (macros/ops/proven_landing_runs.sql) choosing
the mode. The failing rows expected are listed here by hand, not computed by the test.

Landing run `run-1` is proven, `run-2` is not: scoped, the test reads only run-2's changes
(each placed exactly once, each key they touch with exactly one latest row, and the silver
rows of those keys); with the var test_all_changes it reads every change and all of silver.
What the scoped mode deliberately does not read again, the silver rows of keys no new change
touches, is shown by the `untouched` relations (`test_rows_of_untouched_keys_are_not_read_
again_when_scoped`)."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pytest
from support.pipeline import Pipeline
from support.relations import record_landing_runs

pytestmark = pytest.mark.dbt

NOT_PLACED = "change not placed exactly once"
NO_ONE_LATEST = "key without exactly one latest change"
NOT_LATEST = "silver row whose change is not a latest change"


@dataclass(frozen=True)
class Change:
    """One change record, and where silver holds it: `latest` (the key's latest change),
    `deleted` (that latest change deletes the key), and how many current / rejected rows
    carry it as last_change_id."""

    change_id: str
    key: tuple[int, ...]
    run: str = "run-2"
    latest: bool = False
    deleted: bool = False
    current: int = 0
    rejects: int = 0


@dataclass(frozen=True)
class SilverOnly:
    """A silver row whose change is not in the change log."""

    change_id: str
    key: tuple[int, ...]
    latest: bool = False
    current: int = 0
    rejects: int = 0


SINGLE: list[Change | SilverOnly] = [
    # run-1, proven: read only by the full mode
    Change("r1 superseded", (1,), "run-1"),
    Change("r1 current", (1,), "run-1", latest=True, current=1),
    Change("r1 deleted earlier", (2,), "run-1"),
    Change("r1 deleted", (2,), "run-1", latest=True, deleted=True),
    Change("r1 rejected", (3,), "run-1", latest=True, rejects=1),
    Change("r1 placed nowhere", (4,), "run-1", latest=True),
    Change("r1 no latest a", (5,), "run-1"),
    Change("r1 no latest b", (5,), "run-1"),
    Change("r1 late winner", (11,), "run-1", latest=True, current=1),
    Change("r1 first latest", (13,), "run-1", latest=True, current=1),
    # run-2, not proven
    Change("superseded", (21,)),
    Change("current", (21,), latest=True, current=1),
    Change("deleted", (22,), latest=True, deleted=True),
    Change("rejected", (23,), latest=True, rejects=1),
    Change("placed nowhere", (24,), latest=True),
    Change("in current and rejects", (25,), latest=True, current=1, rejects=1),
    Change("twice in current", (26,), latest=True, current=2),
    Change("superseded in current", (27,), current=1),
    Change("current of 27", (27,), latest=True, current=1),
    Change("deleted in current", (28,), latest=True, deleted=True, current=1),
    Change("no latest a", (29,)),
    Change("no latest b", (29,)),
    Change("two latest a", (30,), latest=True, current=1),
    Change("two latest b", (30,), latest=True, current=1),
    # a late change: its key's latest change is an earlier one, of the proven run
    Change("late loser", (11,)),
    # a second latest row for a key whose first is a proven run's change
    Change("second latest", (13,), latest=True, current=1),
    # the key's latest row holds a change the log does not have
    Change("superseded of 32", (32,)),
    SilverOnly("lost change", (32,), latest=True, current=1),
    # a rejected row whose change is in neither the log nor latest (key 31: no run-2 change)
    SilverOnly("not a change", (31,), rejects=1),
    # a rejected row of a key run-2 touches whose change is superseded
    Change("superseded in rejects", (33,), rejects=1),
    Change("current of 33", (33,), latest=True, current=1),
    # a current row of a key run-2 touches carrying a proven run's superseded change
    Change("r1 stale", (34,), "run-1", current=1),
    Change("new of 34", (34,), latest=True, current=1),
    # a rejected row of a key run-2 touches whose change is in neither the log nor latest
    SilverOnly("stray reject", (21,), rejects=1),
]
SINGLE_FULL = {
    ("r1 placed nowhere", NOT_PLACED),
    ("5", NO_ONE_LATEST),
    ("placed nowhere", NOT_PLACED),
    ("in current and rejects", NOT_PLACED),
    ("twice in current", NOT_PLACED),
    ("superseded in current", NOT_PLACED),
    ("superseded in current", NOT_LATEST),
    ("deleted in current", NOT_PLACED),
    ("29", NO_ONE_LATEST),
    ("30", NO_ONE_LATEST),
    ("13", NO_ONE_LATEST),
    ("32", NO_ONE_LATEST),
    ("not a change", NOT_LATEST),
    ("superseded in rejects", NOT_PLACED),
    ("superseded in rejects", NOT_LATEST),
    ("r1 stale", NOT_PLACED),
    ("r1 stale", NOT_LATEST),
    ("stray reject", NOT_LATEST),
}
# run-1's changes are not read (r1 stale's current row is: its key is touched); key 32 has
# one latest row (by key); key 31 is not touched by run-2, so its silver rows are not read
# (read by the scoped form before it was restricted to the touched keys)
SINGLE_SCOPED = SINGLE_FULL - {
    ("r1 placed nowhere", NOT_PLACED),
    ("5", NO_ONE_LATEST),
    ("32", NO_ONE_LATEST),
    ("r1 stale", NOT_PLACED),
    ("not a change", NOT_LATEST),
}

# a composite key (a_id, b_id): keys that share a_id are told apart; a failing key is named
# by its first column
COMPOSITE: list[Change | SilverOnly] = [
    Change("c superseded", (1, 1)),
    Change("c current", (1, 1), latest=True, current=1),
    Change("c two latest a", (1, 2), latest=True, current=1),
    Change("c two latest b", (1, 2), latest=True, current=1),
    Change("c 2-1", (2, 1), latest=True, current=1),
    Change("c 2-2", (2, 2), latest=True, rejects=1),
    Change("c no latest", (3, 1)),
    Change("c 3-2", (3, 2), "run-1", latest=True, current=1),
    # a rejected row of a touched key (2, 2) whose change is in neither the log nor latest
    SilverOnly("c stray on touched", (2, 2), rejects=1),
]
COMPOSITE_EXPECTED = {
    ("1", NO_ONE_LATEST),
    ("3", NO_ONE_LATEST),
    ("c stray on touched", NOT_LATEST),
}

# Silver rows of keys run-2 does not touch. Read in full (test_all_changes, --full-refresh,
# the first build); scoped, not read again: a build that proved run-1 read them, and a run
# rewrites only the __latest rows of keys with new changes (current and rejects are views
# that take key and last_change_id from one __latest row). A newer full load's deletes flip
# is_deleted of untouched keys' rows without a new change: their rows leave the views, the
# change stays latest. The bad rows below cannot come from the generated models; they show
# what a scoped run does not look at.
UNTOUCHED: list[Change | SilverOnly] = [
    Change("new", (1,), latest=True, current=1),
    # a rejected row whose change is in neither the log nor latest
    SilverOnly("stray on untouched", (3,), rejects=1),
    # a current row carrying a superseded change
    Change("r1 superseded", (4,), "run-1", current=1),
    Change("r1 latest of 4", (4,), "run-1", latest=True, current=1),
    # a current row of key 5 carrying key 1's new change (a row's key is its change's key in
    # the generated models)
    SilverOnly("new", (5,), current=1),
    # two latest rows (the scoped key check reads the touched keys only, before and now)
    Change("r1 six a", (6,), "run-1", latest=True, current=1),
    Change("r1 six b", (6,), "run-1", latest=True, current=1),
    # deleted by a newer full load (its latest change stays, is_deleted flipped, no current
    # row): good data in every mode
    Change("r1 dropped by a reload", (7,), "run-1", latest=True, deleted=True),
    # the same flip with the current row left behind (the view cannot): only the full mode
    # sees it, and the scoped form did not before it was restricted either (check 1 reads the
    # new changes only, check 3 passes a row whose change is latest)
    Change("r1 deleted yet current", (8,), "run-1", latest=True, deleted=True, current=1),
]
UNTOUCHED_FULL = {
    ("stray on untouched", NOT_LATEST),
    ("r1 superseded", NOT_PLACED),
    ("r1 superseded", NOT_LATEST),
    ("new", NOT_PLACED),
    ("6", NO_ONE_LATEST),
    ("r1 deleted yet current", NOT_PLACED),
}
# composite: a stray row of an untouched key (1, 3) sharing a_id with touched keys
COMPOSITE_UNTOUCHED: list[Change | SilverOnly] = [
    Change("c new", (1, 1), latest=True, current=1),
    Change("c new 1-2", (1, 2), latest=True, rejects=1),
    SilverOnly("c stray on untouched", (1, 3), rejects=1),
    SilverOnly("c stray on untouched 2-1", (2, 1), current=1),
]
COMPOSITE_UNTOUCHED_FULL = {
    ("c stray on untouched", NOT_LATEST),
    ("c stray on untouched 2-1", NOT_LATEST),
}


def _text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _table(connection: duckdb.DuckDBPyConnection, name: str, columns: str, rows: list[str]) -> None:
    connection.execute(f"create table {name} ({columns})")
    if rows:
        connection.execute(f"insert into {name} " + " union all ".join(f"select {r}" for r in rows))


def _entity(
    connection: duckdb.DuckDBPyConnection,
    prefix: str,
    keys: list[str],
    rows: list[Change | SilverOnly],
) -> None:
    key_types = ", ".join(f"{key} bigint" for key in keys)
    changes, latest, current, rejects = [], [], [], []
    for row in rows:
        key_values = ", ".join(str(value) for value in row.key)
        if isinstance(row, Change):
            changes.append(f"{_text(row.change_id)}, {_text(row.run)}, {key_values}")
        if row.latest:
            deleted = isinstance(row, Change) and row.deleted
            latest.append(f"{_text(row.change_id)}, {key_values}, {str(deleted).lower()}")
        current += [f"{key_values}, {_text(row.change_id)}"] * row.current
        rejects += [f"{key_values}, {_text(row.change_id)}"] * row.rejects
    _table(
        connection,
        f"main.{prefix}_changes",
        f"change_id varchar, landing_run_id varchar, {key_types}",
        changes,
    )
    _table(
        connection,
        f"main.{prefix}_latest",
        f"change_id varchar, {key_types}, is_deleted boolean",
        latest,
    )
    _table(connection, f"main.{prefix}_current", f"{key_types}, last_change_id varchar", current)
    _table(connection, f"main.{prefix}_rejects", f"{key_types}, last_change_id varchar", rejects)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Pipeline:
    pipeline = Pipeline(tmp_path_factory.mktemp("reconciles"), artifacts=False)
    with duckdb.connect(str(pipeline.database)) as connection:
        _entity(connection, "single", ["item_id"], SINGLE)
        _entity(connection, "composite", ["a_id", "b_id"], COMPOSITE)
        _entity(connection, "untouched", ["item_id"], UNTOUCHED)
        _entity(connection, "composite_untouched", ["a_id", "b_id"], COMPOSITE_UNTOUCHED)
        # what the scoping reads: run-1 is proven, run-2 is not
        record_landing_runs(connection, committed=["run-1", "run-2"], proven=["run-1"])
    return pipeline


def _failing_rows(
    pipeline: Pipeline, prefix: str, keys: list[str], *, test_all_changes: bool
) -> list[tuple[str, str]]:
    """The test's failing rows as dbt runs it on a model whose test carries the generator's
    meta: dbt wraps `model` in get_where_subquery, which scopes it to the unproven runs."""
    sql = (
        "{{ config(meta={'test_scope': 'landing_runs_not_proven'}) }} "
        "select * from ({{ test_change_log_reconciles("
        f"model=get_where_subquery('main.{prefix}_changes'), key_columns={keys!r}, "
        f"latest_model='main.{prefix}_latest', current_model='main.{prefix}_current', "
        f"rejects_model='main.{prefix}_rejects') }}}}) as t"
    )
    rows = pipeline.show(sql, *(["--vars", "{test_all_changes: true}"] if test_all_changes else []))
    return sorted((str(row["failing_id"]), row["problem"]) for row in rows)


@pytest.mark.parametrize(
    ("prefix", "keys", "test_all_changes", "expected"),
    [
        ("single", ["item_id"], True, SINGLE_FULL),
        ("single", ["item_id"], False, SINGLE_SCOPED),
        ("composite", ["a_id", "b_id"], True, COMPOSITE_EXPECTED),
        ("composite", ["a_id", "b_id"], False, COMPOSITE_EXPECTED),
    ],
    ids=["single-full", "single-scoped", "composite-full", "composite-scoped"],
)
def test_each_misplaced_change_and_key_is_named_once(
    pipeline: Pipeline,
    prefix: str,
    keys: list[str],
    test_all_changes: bool,
    expected: set[tuple[str, str]],
) -> None:
    failing = _failing_rows(pipeline, prefix, keys, test_all_changes=test_all_changes)
    assert failing == sorted(expected)  # each once: no row doubled


@pytest.mark.parametrize(
    ("prefix", "keys", "full"),
    [
        ("untouched", ["item_id"], UNTOUCHED_FULL),
        ("composite_untouched", ["a_id", "b_id"], COMPOSITE_UNTOUCHED_FULL),
    ],
    ids=["single", "composite"],
)
def test_rows_of_untouched_keys_are_not_read_again_when_scoped(
    pipeline: Pipeline, prefix: str, keys: list[str], full: set[tuple[str, str]]
) -> None:
    """Deliberately not re-read (see UNTOUCHED): each bad row of a key no new change touches
    fails the full mode and not the scoped one."""
    assert _failing_rows(pipeline, prefix, keys, test_all_changes=True) == sorted(full)
    assert _failing_rows(pipeline, prefix, keys, test_all_changes=False) == []
