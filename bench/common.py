"""Shared by every benchmark: the command line, alternating runs, medians and the verdict lines.

The machines are shared and noisy, so every benchmark measures its baseline in the same
invocation, alternating the two, and compares medians. No benchmark is a test: nothing here
fails a build on a wall-clock figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
TICKS = os.sysconf("SC_CLK_TCK")


def stat_fields(pid: int) -> list[str] | None:
    """/proc/PID/stat after the command name, or None once the process has gone (or is a zombie)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return None if fields[0] in ("Z", "X") else fields


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far; 0 once it has gone."""
    fields = stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / TICKS if fields else 0.0


def thread_totals(pid: int) -> tuple[float, int]:
    """CPU seconds (nanosecond clock, /proc/PID/task/*/schedstat) and wakes (context switches)
    of the process's live threads so far: finer than cpu_seconds' clock ticks, which round an idle
    process's few microseconds to nothing; (0, 0) once it has gone. Threads that have ended are
    not counted: for processes whose threads stay, as an idle tutor's do."""
    seconds, wakes = 0.0, 0
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            try:
                seconds += int((task / "schedstat").read_text().split()[0]) / 1e9
                for line in (task / "status").read_text().splitlines():
                    if line.startswith(("voluntary_ctxt_switches", "nonvoluntary_ctxt_switches")):
                        wakes += int(line.split()[1])
            except (FileNotFoundError, ProcessLookupError):  # the thread ended meanwhile
                continue
    except (FileNotFoundError, ProcessLookupError):
        return 0.0, 0
    return seconds, wakes


def pss_bytes(pid: int) -> int:
    """Proportional set size: shared pages counted once across the processes that share them."""
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no Pss line for process {pid}")


def parser(description: str, runs: int) -> argparse.ArgumentParser:
    """A command line with --runs N (how many alternated runs of each side)."""
    result = argparse.ArgumentParser(description=description)
    result.add_argument("--runs", type=int, default=runs, metavar="N", help=f"runs of each side (default {runs})")
    return result


def alternate(runs: int, first: Callable[[], object], second: Callable[[], object]) -> tuple[list, list]:
    """Run first and second alternately, `runs` times each, swapping which goes first every round."""
    firsts, seconds = [], []
    for round_number in range(runs):
        if round_number % 2 == 0:
            firsts.append(first())
            seconds.append(second())
        else:
            seconds.append(second())
            firsts.append(first())
    return firsts, seconds


def median(values: list[float]) -> float:
    """The median of the values (statistics.median, named here so scripts read plainly)."""
    return statistics.median(values)


def spread(values: list[float], scale: float = 1.0, unit: str = "") -> str:
    """"median (min..max over n runs)" with each value multiplied by scale."""
    shown = [value * scale for value in values]
    return f"{statistics.median(shown):.4g}{unit} (min {min(shown):.4g}, max {max(shown):.4g}, {len(shown)} runs)"


def verdict(name: str, figure: str, goal: str, met: bool) -> bool:
    """Print one goal's line: PASS or MISS, the figure and the goal; returns met."""
    print(f"{'PASS' if met else 'MISS'}  {name}: {figure}  (goal: {goal})")
    return met


def not_available(name: str, why: str) -> int:
    """Report a goal that cannot be measured yet; exit status 0, since nothing was missed."""
    print(f"N/A   {name}: not available yet: {why}")
    return 0


def finish(results: list[bool]) -> int:
    """The exit status: 0 when every goal was met, 1 otherwise."""
    sys.stdout.flush()
    return 0 if all(results) else 1
