"""Run every benchmark in turn, each in its own interpreter, and list the verdicts.

    python bench/run_all.py [--runs N] [--lab]

N is passed on to every benchmark (each has its default). --lab adds the two lab benchmarks, which
take minutes a run and need tmux and the web extra: a hundred idle learners (idle_lab) and the lab
in a browser's place (lab).

One at a time, since the benchmarks measure time and should not compete with each other. The exit
status is 0 when no goal was missed ("not available yet" is not a miss).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
BENCHMARKS = ["startup", "memory", "first_frame", "answering", "idle", "engine", "engine_depth", "engine_graphs",
              "training", "progress_growth"]
LAB_BENCHMARKS = ["idle_lab", "lab"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, metavar="N", help="runs of each side, for every benchmark")
    parser.add_argument("--lab", action="store_true", help="also the lab benchmarks (minutes a run)")
    args = parser.parse_args()
    verdicts, failed = [], False
    for name in BENCHMARKS + (LAB_BENCHMARKS if args.lab else []):
        command = [sys.executable, str(BENCH / f"{name}.py")] + (["--runs", str(args.runs)] if args.runs else [])
        print(f"$ python bench/{name}.py" + (f" --runs {args.runs}" if args.runs else ""), flush=True)
        result = subprocess.run(command, capture_output=True, text=True)
        print(result.stdout + result.stderr, flush=True)
        verdicts += [line for line in result.stdout.splitlines() if line[:4] in ("PASS", "MISS", "N/A ")]
        failed |= result.returncode != 0
    print("summary:")
    print("\n".join(verdicts))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
