"""Progress growth: the cost of saving one answer, and of loading progress at start, after 0, 10,000
and 100,000 earlier answers.

Each sample is a fresh process on a copy of a prepared folder: it loads the progress (timed, with
its peak memory), then answers ANSWERS questions the way the tutor does (a status, an attempt,
a save with its fsyncs), timing each save. The folder with no earlier answers is day 1, the
baseline; every run measures all sizes in turn (rotating which goes first), and the ratios to day
1 of the same run are reported as ranges over the runs. Goal: saving an answer costs the same on
day 300 as on day 1 (ratio ≤ 1.5 at 100,000 answers).

    python bench/progress_growth.py [--runs N] [--sizes 0,10000,100000] [--code DIR]

`--code DIR` measures another checkout's store (for before/after figures), e.g. one made with
`git archive <commit> | tar -x -C DIR`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import common

GOAL = 1.5
ANSWERS = 15

PREPARE = """
import sys, time
from tui_grad.core.progress import ProgressStore
store = ProgressStore(sys.argv[1]).load()
count = int(sys.argv[2])
for number in range(count):
    lesson = ("chain-rule", "two-paths", "neuron", "practice")[number % 4]
    store.record({"lesson": lesson, "part": 1, "node": "abcdefL"[number % 7], "kind": "gradient",
                  "text": str(number % 13 - 6), "value": float(number % 13 - 6), "correct": number % 3 != 0,
                  "shown": False, "mistake": None if number % 3 else "sign", "hints": number % 2,
                  "skills": ["product", "chain"], "seed": number % 50, "at": 1_700_000_000.0 + number,
                  **({"level": 2, "practice_skill": "chain"} if lesson == "practice" else {})})
store.lesson("chain-rule").part_progress(0).status["L"] = "earned"
problem = store.save()
assert problem is None, problem
"""

MEASURE = """
import json, resource, sys, time
start = time.perf_counter()
from tui_grad.core.progress import ProgressStore
store = ProgressStore(sys.argv[1]).load()
loaded = time.perf_counter() - start
assert not store.warnings, store.warnings
saves = []
for number in range(int(sys.argv[2])):
    node = f"q{number}"
    store.lesson("chain-rule").part_progress(0).status[node] = "earned"
    store.record({"lesson": "chain-rule", "part": 1, "node": node, "kind": "gradient", "text": "1",
                  "value": 1.0, "correct": True, "shown": False, "mistake": None, "hints": 0,
                  "skills": ["product"], "seed": None, "at": time.time()})
    begin = time.perf_counter()
    problem = store.save()
    saves.append(time.perf_counter() - begin)
    assert problem is None, problem
saves.sort()
print(json.dumps({"load": loaded, "save": saves[len(saves) // 2],
                  "rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


PYCACHE = Path(tempfile.gettempdir()) / "tui-grad-bench-pycache"


def run(code: Path, script: str, *args: str) -> str:
    """Run a script against the store in `code`; its standard output. Compiled modules are cached
    (outside the checkout), as they are in an installed tutor, so start-up is not compile time."""
    environment = {**os.environ, "PYTHONPATH": str(code), "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    result = subprocess.run([sys.executable, "-c", script, *args], env=environment, capture_output=True,
                            # not the checkout: `-c` imports from the cwd
                            text=True, timeout=3600, cwd=tempfile.gettempdir())
    if result.returncode:
        raise SystemExit(f"bench failed: {result.stderr.strip()}")
    return result.stdout


def main() -> int:
    parser = common.parser(__doc__.splitlines()[0], runs=5)
    parser.add_argument("--sizes", default="0,10000,100000", help="earlier answers in each folder")
    parser.add_argument("--code", type=Path, default=common.REPOSITORY, help="the checkout whose store to measure")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    if sizes[0] != 0:
        sizes.insert(0, 0)
    scratch = Path(tempfile.mkdtemp(prefix="tui-grad-bench-progress-"))
    try:
        templates = {}
        for size in sizes:
            templates[size] = scratch / f"template-{size}"
            templates[size].mkdir(mode=0o700)
            run(args.code, PREPARE, str(templates[size]), str(size))
        samples: dict[int, list[dict]] = {size: [] for size in sizes}
        for round_number in range(args.runs):
            order = sizes[round_number % len(sizes):] + sizes[: round_number % len(sizes)]
            for size in order:
                home = scratch / f"run-{round_number}-{size}"
                shutil.copytree(templates[size], home)
                home.chmod(0o700)
                samples[size].append(json.loads(run(args.code, MEASURE, str(home), str(ANSWERS))))
                shutil.rmtree(home)
        print(f"store: {args.code}  ({args.runs} runs, {ANSWERS} answers each, median save per run)")
        results = []
        for size in sizes:
            loads = [sample["load"] for sample in samples[size]]
            saves = [sample["save"] for sample in samples[size]]
            rss = [sample["rss"] for sample in samples[size]]
            disk = sum(path.stat().st_size for path in templates[size].iterdir())
            print(f"{size:>7,} answers ({disk / 1e6:6.1f} MB): load {common.spread(loads, 1e3, ' ms')}; "
                  f"save {common.spread(saves, 1e3, ' ms')}; peak RSS {common.spread(rss, 1 / 2**20, ' MiB')}")
        for size in sizes[1:]:
            pairs = list(zip(samples[size], samples[0], strict=True))
            save_ratios = [sample["save"] / base["save"] for sample, base in pairs]
            load_ratios = [sample["load"] / base["load"] for sample, base in pairs]
            print(f"{size:>7,} answers vs day 1: save {common.spread(save_ratios, 1, 'x')}; "
                  f"load {common.spread(load_ratios, 1, 'x')}")
            if size == sizes[-1]:
                results.append(common.verdict("progress growth",
                                              f"save at {size:,} answers / day 1 = {common.median(save_ratios):.2f} "
                                              f"(range {min(save_ratios):.2f}..{max(save_ratios):.2f})",
                                              f"≤ {GOAL}", common.median(save_ratios) <= GOAL))
        return common.finish(results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
