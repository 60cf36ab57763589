"""The long history: a learner with 100,000 and 1,000,000 recorded answers against a fresh home.

Prepares three homes once per invocation: fresh (an empty folder), and two with that many answers
in their attempt log (lessons and practice mixed, each practice exercise answered as the tutor
would, so replaying it means something), then opened once by the tutor as a learner's next start
would (which keeps the history's summaries with the progress). Each round then measures, for every
home in turn (rotating which goes first), the wall time and peak memory of:

- the home screen: launch under an 80x24 pseudo-terminal to its first complete frame (then quit);
- `tui-grad list`, `tui-grad progress`, and `tui-grad --plain` quitting at its menu;
- recording one answer: the store's record and save, with its fsyncs (median of ANSWERS).

Ratios are to the fresh home of the same round, reported as ranges over the rounds. Goals: every
command within 1.2x of the fresh home in time and in memory; an answer within 1.1x.

    python bench/long_history.py [--runs N] [--sizes 100000,1000000] [--keep DIR]
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from terminal import Terminal

import apps
import common
from common import REPOSITORY

COMMAND_GOAL = 1.2
ANSWER_GOAL = 1.1
ANSWERS = 15
HOME_TEXTS = ("tui-grad — lessons", "1. A derivative is a slope", "Quit", "palette")
"""A complete frame of the home screen: title, the first lesson's row and the footer (a learner
with progress sees no welcome line, and the last rows may be below the fold)."""
LESSON_NODES = {"chain-rule": ("L", "f", "e", "d", "c", "b", "a"), "two-paths": ("L", "q", "u", "x"),
                "neuron": ("o", "n", "w1", "x1", "w2", "x2", "b")}

WRITE_LOG = r"""
import json, sys
from tui_grad.core.practice_state import questions as _questions
home, count = sys.argv[1], int(sys.argv[2])
questions = {(level, seed): _questions(level, seed) for level in (1, 2, 3) for seed in range(40)}
lessons = json.loads(sys.argv[3])
keys = ("lesson", "part", "node", "kind", "text", "value", "correct", "shown", "mistake", "hints", "skills",
        "seed", "at", "seq")
with open(f"{home}/attempts.jsonl", "w", encoding="utf-8") as log:
    log.write(json.dumps({"format": "tui-grad-attempts", "version": 1, "base": 0}) + "\n")
    seq, moment, exercise = 0, 1_700_000_000.0, 0
    lesson_cycle = list(lessons.items())
    while seq < count:
        if exercise % 2:  # a practice exercise, every question answered (some wrong first)
            level, seed = 1 + exercise // 2 % 3, exercise // 6 % 40
            for node in questions[level, seed]:
                for right in ((False, True) if seq % 5 == 0 else (True,)):
                    seq += 1
                    moment += 40.0
                    value = 1.0 if right else -1.0
                    row = dict(zip(keys, ("practice", 0, node, "gradient", str(value), value, right, False,
                                          None if right else "sign", 0, ["product", "chain"], seed, moment,
                                          seq)))
                    row.update(level=level, practice_skill="chain")
                    log.write(json.dumps(row) + "\n")
        else:  # a lesson's part, answered node by node
            lesson, nodes = lesson_cycle[exercise // 2 % len(lesson_cycle)]
            for index, node in enumerate(nodes):
                seq += 1
                moment += 30.0
                right = (seq + index) % 4 != 0
                value = 2.0 if right else -2.0
                skills = ["sum", "chain"] if index % 2 else ["product", "paths"]
                log.write(json.dumps(dict(zip(keys, (lesson, 1, node, "gradient", str(value), value, right, False,
                                                     None if right else "sign", int(index % 3 == 0), skills,
                                                     None, moment, seq)))) + "\n")
        exercise += 1
"""

FIRST_START = """
import sys
from tui_grad.core.progress import ProgressStore
store = ProgressStore(sys.argv[1]).load()
assert not store.warnings, store.warnings
problem = store.save()
assert problem is None, problem
"""

ANSWER = """
import json, sys, time
from tui_grad.core.progress import ProgressStore
store = ProgressStore(sys.argv[1]).load()
assert not store.warnings, store.warnings
times = []
for number in range(int(sys.argv[2])):
    node = f"q{number}"
    start = time.perf_counter()
    store.lesson("chain-rule").part_progress(0).status[node] = "earned"
    store.record({"lesson": "chain-rule", "part": 0, "node": node, "kind": "gradient", "text": "1",
                  "value": 1.0, "correct": True, "shown": False, "mistake": None, "hints": 0,
                  "skills": ["chain"], "seed": None})
    problem = store.save()
    times.append(time.perf_counter() - start)
    assert problem is None, problem
print(json.dumps(times))
"""


def prepare(root: Path, size: int) -> Path:
    """A home with `size` answers, opened once by the tutor (so its summaries are kept)."""
    home = root / f"home-{size}"
    home.mkdir(mode=0o700)
    if size:
        state = {"format": "tui-grad-progress", "version": 2, "generation": 1, "resets": {}, "restarts": {},
                 "lessons": {lesson: {"part": 1, "parts": [{"status": {node: "earned" for node in nodes},
                                                            "answers": {}, "hints": {}, "updates": 0,
                                                            "done": True}],
                                      "finished": False, "seed": None, "updated": 1_700_000_000.0,
                                      "generation": 1} for lesson, nodes in LESSON_NODES.items()}}
        (home / "progress.json").write_text(json.dumps(state), encoding="utf-8")
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", WRITE_LOG, str(home), str(size), json.dumps(LESSON_NODES)],
                       cwd=REPOSITORY, check=True)
        written = time.perf_counter() - started
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", FIRST_START, str(home)], cwd=REPOSITORY, check=True,
                       env=environment(home))
        megabytes = (home / "attempts.jsonl").stat().st_size / 2**20
        print(f"prepared {size:,} answers ({megabytes:.0f} MiB log) in {written:.1f} s; the first start "
              f"with it (summaries built from the log) {time.perf_counter() - started:.1f} s", flush=True)
    return home


def environment(home: Path) -> dict[str, str]:
    """A plain xterm with TUI_GRAD_HOME at this home."""
    env = apps.environment()
    env["TUI_GRAD_HOME"] = str(home)
    return env


def run_command(home: Path, args: list[str], stdin: str = "") -> tuple[float, float]:
    """(seconds, peak MiB) of `python -m tui_grad ARGS` on this home."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "tui_grad", *args], cwd=REPOSITORY, env=environment(home),
                               stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    assert process.stdin is not None and process.stderr is not None
    process.stdin.write(stdin.encode())
    process.stdin.close()
    errors = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise RuntimeError(f"tui-grad {' '.join(args)} exited {process.returncode}: {errors.decode()[-400:]}")
    return elapsed, usage.ru_maxrss / 1024


def home_screen(home: Path) -> tuple[float, float]:
    """(seconds to the home screen's first complete frame, peak MiB) on this home."""
    terminal = Terminal([sys.executable, "-m", "tui_grad"], environment(home), cwd=str(REPOSITORY))
    with terminal:
        frame_time, _ = terminal.wait_for_frame(*HOME_TEXTS, timeout=120)
        elapsed = frame_time - terminal.started
    return elapsed, terminal.peak_rss_kib / 1024


def answer(home: Path) -> tuple[float, float]:
    """(median seconds to record and save one answer, 0) on a copy of this home."""
    with tempfile.TemporaryDirectory(dir=home.parent) as scratch:
        copy = Path(scratch) / "home"
        shutil.copytree(home, copy)
        result = subprocess.run([sys.executable, "-c", ANSWER, str(copy), str(ANSWERS)], cwd=REPOSITORY,
                                env=environment(copy), check=True, capture_output=True, text=True)
    return common.median(json.loads(result.stdout)), 0.0


MEASURES = {
    "home screen": home_screen,
    "list": lambda home: run_command(home, ["list"]),
    "progress": lambda home: run_command(home, ["progress"]),
    "--plain": lambda home: run_command(home, ["--plain"], stdin="q\n"),
    "an answer": answer,
}


def main() -> int:
    parser = common.parser(__doc__.splitlines()[0], runs=5)
    parser.add_argument("--sizes", default="100000,1000000", help="answers in each long home (comma-separated)")
    parser.add_argument("--keep", type=Path, help="prepare the homes in this folder and leave them there")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    root = Path(tempfile.mkdtemp(prefix="tui-grad-history-", dir=args.keep))
    try:
        homes = {0: prepare(root, 0), **{size: prepare(root, size) for size in sizes}}
        for measure in MEASURES.values():  # warm the file cache and .pyc files
            measure(homes[0])
        figures: dict[tuple[str, int], list[tuple[float, float]]] = {}
        order = list(homes)
        for round_number in range(args.runs):
            for name, measure in MEASURES.items():
                rotated = order[round_number % len(order):] + order[:round_number % len(order)]
                for size in rotated:
                    figures.setdefault((name, size), []).append(measure(homes[size]))
            print(f"round {round_number + 1} of {args.runs} done", flush=True)
        results = []
        for name in MEASURES:
            fresh = figures[name, 0]
            goal = ANSWER_GOAL if name == "an answer" else COMMAND_GOAL
            print(f"{name:12} fresh home   : {common.spread([t for t, _ in fresh], 1000, ' ms')}"
                  + ("" if name == "an answer" else f", {common.spread([m for _, m in fresh], 1, ' MiB')}"))
            for size in sizes:
                rows = figures[name, size]
                times = [t / f for (t, _), (f, _) in zip(rows, fresh, strict=True)]
                print(f"{name:12} {size:>9,} : {common.spread([t for t, _ in rows], 1000, ' ms')}"
                      + ("" if name == "an answer" else f", {common.spread([m for _, m in rows], 1, ' MiB')}"))
                results.append(common.verdict(f"{name}, {size:,} answers", f"time ratio {common.spread(times)}",
                                              f"at most {goal:g}", common.median(times) <= goal))
                if name != "an answer":
                    memory = [m / f for (_, m), (_, f) in zip(rows, fresh, strict=True)]
                    results.append(common.verdict(f"{name}, {size:,} answers",
                                                  f"memory ratio {common.spread(memory)}", f"at most {goal:g}",
                                                  common.median(memory) <= goal))
        return common.finish(results)
    finally:
        if args.keep is None:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
