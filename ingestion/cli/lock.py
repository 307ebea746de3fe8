"""``dmsw lock show|clear``: who holds the lake's lock, printed; clearing it."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from typing import Any

from ingestion.cli.options import add_command, add_lake
from ingestion.durations import format_duration
from ingestion.errors import EXIT_OK
from ingestion.locations import open_lake
from ingestion.lock import clear_lock, inspect_lock


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    lock = add_command(
        sub,
        "lock",
        "show or clear the lake's lock",
        "A landing run holds the lake's lock (_ledger/lock.json) while it runs. A run finding\n"
        "the lock of a process that is gone (same host) takes it over at once; a lock taken on\n"
        "another host counts as abandoned after DMSW_LOCK_TTL_HOURS (default 12).",
        common,
    )
    actions = lock.add_subparsers(dest="lock_command", required=True, metavar="{show,clear}")
    show = add_command(
        actions,
        "show",
        "who holds the lock: run, pid, host, since, and whether it is still running",
        "Who holds the lake's lock (run, pid, host, since) and whether that process is still\n"
        "running, as far as this host can tell.",
        common,
    )
    add_lake(show)
    show.add_argument("--json", action="store_true", help="print it as JSON")
    clear = add_command(
        actions,
        "clear",
        "remove the lock when its holder is gone",
        "Remove the lake's lock. Refused (exit 3) while its holder is running on this host,\n"
        "and, without --force, while this host cannot tell (a holder on another host).",
        common,
    )
    add_lake(clear)
    clear.add_argument(
        "--force",
        action="store_true",
        help="also clear a lock whose holder this host cannot check (another host or "
        "container): only when you know no landing run is running there",
    )


def run(args: argparse.Namespace) -> int:
    lake = open_lake(args.lake)
    if args.lock_command == "clear":
        print(clear_lock(lake, force=args.force))
        return EXIT_OK
    state = inspect_lock(lake)
    if args.json:
        holder = state.holder if state else None
        print(
            json.dumps(
                None
                if state is None
                else {
                    "lock": state.url,
                    "run_id": holder.run_id if holder else None,
                    "pid": holder.process.pid if holder else None,
                    "host": holder.process.host if holder else None,
                    "since": holder.started_at.isoformat() if holder else None,
                    "alive": state.alive,
                    "why": state.why,
                    "taken_over_by_next_run": state.stale,
                },
                indent=2,
            )
        )
    elif state is None:
        print(f"no lock: no landing run holds {lake.describe()}")
    else:
        alive = {True: "yes", False: "no", None: "cannot tell from here"}[state.alive]
        print(f"lock   {state.url}")
        if state.holder:
            since = state.holder.started_at
            age = format_duration(datetime.now(since.tzinfo) - since)
            print(f"run    {state.holder.run_id}")
            print(f"pid    {state.holder.process.pid} on {state.holder.process.host}")
            print(f"since  {since:%Y-%m-%d %H:%M:%S} UTC ({age} ago)")
        print(f"alive  {alive}: {state.why}")
        if state.stale:
            print("the next landing run takes it over (or: dmsw lock clear)")
    return EXIT_OK
