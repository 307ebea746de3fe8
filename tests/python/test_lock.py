"""The lake's lock: a dead holder is recognised at once (gone, zombie, reused pid), a holder on
another host is not guessed at, `dmsw lock show` says who holds it, `dmsw lock clear` clears
it only when its holder is gone (or with --force for a holder this host cannot check), and a
run killed with SIGKILL is taken over by the next run at once, saying so."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from support.customer_rows import CUSTOMER_HEADER, customer_row
from support.dmsw_process import process_state, start_paused, wait_for_state
from support.project import CONTRACTS

from ingestion.cli import main
from ingestion.errors import LockHeldError
from ingestion.lake import Lake
from ingestion.lock import LOCK, RunLock, inspect_lock
from ingestion.processes import ProcessIdentity, liveness, this_process


def zombie() -> int:
    """A child process that has exited and is not reaped yet (state Z); the caller reaps it."""
    pid = os.fork()
    if pid == 0:
        os._exit(0)
    wait_for_state(pid, "Z")
    return pid


def test_this_process_is_alive_and_an_exited_one_is_not() -> None:
    me = this_process()
    assert liveness(me).alive is True
    pid = zombie()
    try:
        state = liveness(replace(me, pid=pid, started=None))
        assert state == type(state)(
            False, f"process {pid} has exited (a zombie its parent has not reaped)"
        )
    finally:
        os.waitpid(pid, 0)
    assert liveness(replace(me, pid=pid)).why == f"process {pid} is not running"
    assert liveness(replace(me, pid=pid)).alive is False


def test_a_reused_pid_is_not_taken_for_the_holder() -> None:
    me = this_process()
    assert me.started is not None
    state = liveness(replace(me, started=me.started - 1))  # same pid, another start time
    assert (state.alive, state.why) == (
        False,
        f"pid {me.pid} now belongs to another, newer process",
    )


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"host": "elsewhere"}, "it runs on another host, elsewhere, which"),
        ({"boot_id": "another-boot"}, "taken before"),
        ({"pid_namespace": "pid:[1]"}, "taken in another container"),
    ],
)
def test_a_holder_this_host_cannot_see_is_not_guessed_at(change: dict[str, str], why: str) -> None:
    state = liveness(replace(this_process(), **change))
    assert state.alive is None
    assert state.why.startswith(why)


def _lock_file(lake: Path, **fields: object) -> Path:
    record = {
        "run_id": "old-run",
        "started_at": (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        **fields,
    }
    path = lake / LOCK
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(record))
    return path


def test_lock_show(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    assert main(["lock", "show", "--lake", str(lake)]) == 0
    assert capsys.readouterr().out == f"no lock: no landing run holds {lake}\n"
    _lock_file(lake, host="elsewhere", pid=4242)
    assert main(["lock", "show", "--lake", str(lake)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"lock   {lake / LOCK}"
    assert out[1:3] == ["run    old-run", "pid    4242 on elsewhere"]
    assert re.fullmatch(r"since  \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \(5m( \d+s)? ago\)", out[3])
    assert out[4] == (
        f"alive  cannot tell from here: it runs on another host, elsewhere, which "
        f"{socket.gethostname()} cannot see; taken over once older than 12 hours "
        "(DMSW_LOCK_TTL_HOURS)"
    )
    assert main(["lock", "show", "--lake", str(lake), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["pid"], data["host"], data["alive"]) == (4242, "elsewhere", None)
    assert data["taken_over_by_next_run"] is False


def test_lock_clear_refuses_a_live_holder_and_clears_a_dead_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = tmp_path / "lake"
    path = _lock_file(lake)  # this test's own process: alive
    assert main(["lock", "clear", "--lake", str(lake)]) == 3
    err = capsys.readouterr().err
    assert err.startswith("error: run old-run (pid ")
    assert err.endswith(
        f"is still running: let it finish or stop it (kill {os.getpid()}); the lock was not "
        "cleared\n"
    )
    assert main(["lock", "clear", "--lake", str(lake), "--force"]) == 3  # never a live one
    assert path.exists()

    pid = zombie()
    _lock_file(lake, pid=pid)
    try:
        assert main(["lock", "clear", "--lake", str(lake)]) == 0
    finally:
        os.waitpid(pid, 0)
    assert capsys.readouterr().out.endswith(
        f": process {pid} has exited (a zombie its parent has not reaped)\n"
    )
    assert not path.exists()
    assert main(["lock", "clear", "--lake", str(lake)]) == 0
    assert capsys.readouterr().out == f"no lock at {lake / LOCK}: nothing to clear\n"


def test_lock_clear_needs_force_for_a_holder_on_another_host(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = tmp_path / "lake"
    path = _lock_file(lake, host="elsewhere")
    assert main(["lock", "clear", "--lake", str(lake)]) == 3
    assert capsys.readouterr().err.endswith(
        "if no landing run is running there, clear it with: dmsw lock clear --force\n"
    )
    assert path.exists()
    assert main(["lock", "clear", "--lake", str(lake), "--force"]) == 0
    assert not path.exists()


def test_a_bad_lock_ttl_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "dms").mkdir()
    monkeypatch.setenv("DMSW_LOCK_TTL_HOURS", "twelve")
    args = ["land", "--source", str(tmp_path / "dms"), "--lake", str(tmp_path / "lake")]
    assert main([*args, "--contracts", str(CONTRACTS)]) == 2
    assert capsys.readouterr().err == (
        "error: DMSW_LOCK_TTL_HOURS must be a number of hours above 0, not 'twelve'\n"
    )
    assert not (tmp_path / "lake" / LOCK).exists()


def test_after_kill_9_the_next_run_takes_the_lock_over_at_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run killed with SIGKILL and not yet reaped by its parent (a zombie, as under a
    scheduler that has not noticed yet) leaves its lock; an immediate rerun takes it over and
    prints why, then lands everything."""
    folder = tmp_path / "dms" / "core_banking" / "customers"
    folder.mkdir(parents=True)
    (folder / "LOAD00000001.csv").write_text(f"{CUSTOMER_HEADER}\n{customer_row(1)}\n")
    lake = tmp_path / "lake"
    args = ["land", "--source", str(tmp_path / "dms"), "--lake", str(lake)]
    args += ["--contracts", str(CONTRACTS), "--workers", "1"]
    killed, _ = start_paused(args, f"after creating {LOCK}")
    holder = json.loads((lake / LOCK).read_text())
    assert holder["pid"] == killed.pid
    killed.send_signal(signal.SIGKILL)
    try:
        wait_for_state(killed.pid, "Z")
        state = inspect_lock(Lake(lake))
        assert state is not None and state.alive is False and state.stale
        assert main(args) == 0
        out = capsys.readouterr().out.splitlines()
    finally:
        killed.wait()
    assert [line for line in out if line.startswith("  lake: ")] == [
        f"  lake: took over the lock of run {holder['run_id']} (pid {killed.pid} on "
        f"{holder['host']}, since {holder['started_at'][:10]} {holder['started_at'][11:19]} "
        f"UTC): process {killed.pid} has exited (a zombie its parent has not reaped)"
    ]
    assert "  files: 1 seen, 0 already landed, 1 landed," in "\n".join(out)
    assert process_state(killed.pid) is None
    assert not (lake / LOCK).exists()


def test_a_live_run_is_never_taken_over(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lake = tmp_path / "lake"
    _lock_file(lake, started_at=(datetime.now(UTC) - timedelta(hours=30)).isoformat())
    lock = RunLock(Lake(lake), "second-run")  # a live holder on this host, older than the TTL
    with pytest.raises(LockHeldError, match="another landing run holds the lake: run old-run"):
        lock.acquire()
    assert not lock.held


@pytest.mark.s3
def test_lock_show_and_clear_on_an_s3_lake(
    buckets: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    _, bucket = buckets
    url = f"s3://{bucket}/lake"
    holder = {
        "run_id": "ecs-run",
        "started_at": datetime.now(UTC).isoformat(),
        "host": "ip-10-0-0-7",
        "pid": 1,
    }
    boto3.client("s3").put_object(Bucket=bucket, Key=f"lake/{LOCK}", Body=json.dumps(holder))
    assert main(["lock", "show", "--lake", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"lock   {url}/{LOCK}"
    assert out[2] == "pid    1 on ip-10-0-0-7"
    assert out[4].startswith("alive  cannot tell from here: it runs on another host, ip-10-0-0-7")
    assert main(["lock", "clear", "--lake", url]) == 3
    assert "dmsw lock clear --force" in capsys.readouterr().err
    assert main(["lock", "clear", "--lake", url, "--force"]) == 0
    assert capsys.readouterr().out.startswith("cleared the lock of run ecs-run (pid 1 on ip-10")
    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket=bucket, Prefix="lake/")


def test_identity_round_trips_through_the_lock_file(tmp_path: Path) -> None:
    lock = RunLock(Lake(tmp_path / "lake"), "run-x")
    assert lock.acquire() is None
    state = inspect_lock(Lake(tmp_path / "lake"))
    assert state is not None and state.holder is not None
    assert state.holder.process == this_process()
    assert isinstance(state.holder.process, ProcessIdentity)
    assert (state.alive, state.stale) == (True, False)
    lock.release()
    assert inspect_lock(Lake(tmp_path / "lake")) is None
