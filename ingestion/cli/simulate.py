"""``dmsw simulate``: its options and summary; the ``simulator`` package is imported only when
this command runs."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path
from typing import Any

from ingestion.cli.options import add_command, env
from ingestion.errors import EXIT_OK, UserError


def add_parser(sub: Any, common: argparse.ArgumentParser) -> None:
    sim = add_command(
        sub,
        "simulate",
        "write demo DMS output and its ground truth",
        "Write demo DMS output (a bank's core_banking and events schemas: a full load, then "
        "CDC batches)\nand the source's final state, deterministic for a seed.",
        common,
    )
    sim.add_argument(
        "--out",
        type=Path,
        default=Path(env("DMS_SOURCE", "data/dms")),
        help="DMS root to write (env DMS_SOURCE; default data/dms)",
    )
    sim.add_argument(
        "--truth",
        type=Path,
        default=Path("data/truth"),
        help="where the source's final state goes (default data/truth)",
    )
    sim.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    sim.add_argument(
        "--transactions",
        type=int,
        default=20_000,
        help="transactions in the full load; customers and accounts follow (default 20000)",
    )
    sim.add_argument(
        "--batches", type=int, default=4, help="CDC batches after the full load (default 4)"
    )
    sim.add_argument(
        "--dirt-rate",
        type=float,
        default=0.02,
        help="share of rows given the dirt the source contract warns about (default 0.02)",
    )
    sim.add_argument(
        "--rows-per-load-file",
        type=int,
        default=500_000,
        help="rows per full-load file before DMS starts another (default 500000)",
    )


def run(args: argparse.Namespace) -> int:
    from simulator import SimulationConfig, simulate

    if args.transactions < 1 or args.batches < 0 or not 0 <= args.dirt_rate <= 1:
        raise UserError("--transactions must be >= 1, --batches >= 0, --dirt-rate in [0, 1]")
    config = SimulationConfig(
        out_dir=args.out,
        truth_dir=args.truth,
        seed=args.seed,
        transactions=args.transactions,
        batches=args.batches,
        dirt_rate=args.dirt_rate,
        rows_per_load_file=args.rows_per_load_file,
    )
    started = datetime.now()
    summary = simulate(config)
    seconds = (datetime.now() - started).total_seconds()
    print(f"wrote {len(summary.files)} DMS files under {args.out} in {seconds:.1f}s")
    for table, rows in sorted(summary.changes_per_table.items()):
        truth = summary.truth_rows_per_table.get(table, 0)
        print(f"  {table:36} {rows:>10} change rows   {truth:>10} rows in final state")
    print(f"ground truth: {args.truth}")
    return EXIT_OK
