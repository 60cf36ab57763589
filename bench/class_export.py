"""The class export over a long attempt log: `tui-grad class DIR --export csv` with one learner whose
attempts.jsonl is about 100 MB, against classes whose learner has 1,000 and a quarter as many answers,
in the same run.

Prepares the class folders once per invocation (each learner home written and opened once by the tutor,
as long_history does), then each round exports each (rotating which goes first) and reads the peak
memory (max RSS) of each. The export reads the log a block at a time and keeps only per-learner,
per-node tallies, so the peak must not grow with the log: goals, the long log's peak within 1.1x of the
quarter-size log's, and within 2x of the 1,000 answers' (the difference is one block of the log read
and parsed, a fixed cost).

    python bench/class_export.py [--runs N] [--answers 400000]
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import long_history

import common

FLAT_GOAL = 1.1
SMALL_GOAL = 2.0
SMALL = 1_000


def main() -> int:
    arguments = common.parser(__doc__.splitlines()[0], 3)
    arguments.add_argument("--answers", type=int, default=400_000, help="answers in the long log")
    args = arguments.parse_args()
    with tempfile.TemporaryDirectory(prefix="tui-grad-class-bench-") as temporary:
        root = Path(temporary)
        classes = {}
        for name, size in (("small", SMALL), ("quarter", args.answers // 4), ("long", args.answers)):
            folder = root / name
            folder.mkdir()
            home = long_history.prepare(folder, size)
            classes[name] = folder
            print(f"{name}: {size:,} answers, log {(home / 'attempts.jsonl').stat().st_size / 2**20:.0f} MiB")
        peaks: dict[str, list[float]] = {name: [] for name in classes}
        names = list(classes)
        for round_number in range(args.runs):
            for name in names[round_number % len(names):] + names[:round_number % len(names)]:
                _seconds, peak = long_history.run_command(root, ["class", str(classes[name]), "--export", "csv"])
                peaks[name].append(peak)
    for name in names:
        print(f"peak memory, {name}: {common.spread(peaks[name], unit=' MiB')}")
    flat = [big / part for big, part in zip(peaks["long"], peaks["quarter"], strict=True)]
    small = [big / little for big, little in zip(peaks["long"], peaks["small"], strict=True)]
    results = [common.verdict("class --export peak memory, long log / quarter-size log",
                              common.spread(flat, unit="x"), f"<= {FLAT_GOAL}x", max(flat) <= FLAT_GOAL),
               common.verdict("class --export peak memory, long log / 1,000 answers",
                              common.spread(small, unit="x"), f"<= {SMALL_GOAL}x", max(small) <= SMALL_GOAL)]
    return common.finish(results)

if __name__ == "__main__":
    sys.exit(main())
