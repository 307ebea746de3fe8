"""Measure one command: wall time, CPU time of its whole process tree, peak memory of the tree.

- wall: time.perf_counter() around the subprocess.
- cpu: resource.getrusage(RUSAGE_CHILDREN) before and after: the difference is the user+sys
  time of every descendant that has been waited for (dbt, DuckDB threads, the Spark JVM ...).
  Only one benchmark process runs at a time, so nothing else is counted. A descendant that
  its parent never waits for (the Spark JVM that pyspark starts) is not in that figure: the
  sampler also sums utime+stime from /proc/<pid>/stat of every process of the tree as last
  seen, and `cpu_s` is the larger of the two.
- peak memory: a sampler thread sums VmRSS over the process and all its descendants (read
  from /proc) every `interval` seconds and keeps the largest sum. The largest single
  process's max RSS from getrusage is kept as well (`max_rss_single_mb`), which catches
  peaks shorter than the sampling interval.
- load: os.getloadavg() before and after, because the machine may be shared.

Linux only (it reads /proc). No third-party dependency.
"""

from __future__ import annotations

import os
import resource
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024


@dataclass
class Measurement:
    command: list[str]
    wall_s: float
    cpu_user_s: float
    cpu_sys_s: float
    peak_rss_tree_mb: float
    max_rss_single_mb: float
    load_before: tuple[float, float, float]
    load_after: tuple[float, float, float]
    returncode: int
    stdout_tail: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    cpu_sampled_s: float = 0.0

    @property
    def cpu_s(self) -> float:
        """User+sys of the tree: from getrusage, or from /proc samples when those saw more
        (a descendant nobody waited for)."""
        return max(self.cpu_user_s + self.cpu_sys_s, self.cpu_sampled_s)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["cpu_s"] = self.cpu_s
        return data


TICKS = os.sysconf("SC_CLK_TCK")


def _process_table() -> tuple[dict[int, list[int]], dict[int, tuple[int, float]]]:
    """Children of every process, and each process's (start time, user+sys CPU seconds)."""
    children: dict[int, list[int]] = {}
    cpu: dict[int, tuple[int, float]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry.name}/stat").read_bytes()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: split after the last ')'
        fields = stat[stat.rfind(b")") + 2 :].split()
        pid = int(entry.name)
        children.setdefault(int(fields[1]), []).append(pid)
        # fields[0] is stat field 3 (state): utime is field 14, stime 15, starttime 22
        cpu[pid] = (int(fields[19]), (int(fields[11]) + int(fields[12])) / TICKS)
    return children, cpu


def _tree(children: dict[int, list[int]], root: int) -> list[int]:
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def _rss_kb(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_bytes().split()[1]) * PAGE_KB
    except (OSError, IndexError, ValueError):
        return 0


def tree_rss_kb(root: int) -> int:
    """Resident memory of a process and all its descendants, in KiB."""
    children, _ = _process_table()
    return sum(_rss_kb(pid) for pid in _tree(children, root))


def run(
    command: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    interval: float = 0.1,
    check: bool = True,
) -> Measurement:
    """Run `command` to completion and measure it (see the module docstring)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_before = os.getloadavg()
    peak = 0
    started = time.perf_counter()
    process = subprocess.Popen(
        list(command),
        env=dict(env) if env is not None else None,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    done = threading.Event()

    # CPU seconds last seen per (pid, start time): catches descendants that are never waited
    # for by their parent (the Spark JVM), which RUSAGE_CHILDREN does not count.
    seen_cpu: dict[tuple[int, int], float] = {}

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            children, cpu = _process_table()
            tree = _tree(children, process.pid)
            peak = max(peak, sum(_rss_kb(pid) for pid in tree))
            for pid in tree:
                if pid in cpu:
                    start, seconds = cpu[pid]
                    seen_cpu[(pid, start)] = seconds
            done.wait(interval)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    output, _ = process.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    measurement = Measurement(
        command=[str(part) for part in command],
        wall_s=wall,
        cpu_user_s=after.ru_utime - before.ru_utime,
        cpu_sys_s=after.ru_stime - before.ru_stime,
        cpu_sampled_s=sum(seen_cpu.values()),
        peak_rss_tree_mb=peak / 1024,
        # ru_maxrss of RUSAGE_CHILDREN is the largest descendant ever waited for (KiB): it
        # only grows, so it is meaningful for this command when it grew during it.
        max_rss_single_mb=after.ru_maxrss / 1024,
        load_before=load_before,
        load_after=os.getloadavg(),
        returncode=process.returncode,
        stdout_tail=(output or "")[-4000:],
    )
    measurement.peak_rss_tree_mb = max(
        measurement.peak_rss_tree_mb,
        measurement.max_rss_single_mb if after.ru_maxrss > before.ru_maxrss else 0.0,
    )
    if check and process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(measurement.command)} exited {process.returncode}:\n"
            f"{measurement.stdout_tail}"
        )
    return measurement
