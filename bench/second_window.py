"""The cost of looking at the other windows before each answer (issue 20, "a second tab").

Before an answer, a hint or showing the answer, a lesson session takes in what other copies on
the same progress folder saved: one more pass through the store's save, which writes nothing when
nothing changed. This answers the whole chain-rule lesson right (7 answers, each saved with its
fsyncs) in fresh folders and times, for each answer, the look alone and then the answer itself
(graded and saved, its own look turned off), in the same run. Reported per run: the median of
(look + answer) / answer, as a range over runs. Goal: at most 1.25x.

    python bench/second_window.py [--runs N]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.progress import ProgressStore
from tui_grad.core.views import ANSWER, CONTINUE

import common

GOAL = 1.25
ANSWERS = {"L": "1", "d": "-2", "f": "4", "e": "-2", "c": "-2", "a": "6", "b": "-4"}
LESSONS = 5
"""Lessons answered per run, each in its own fresh folder."""


def run() -> tuple[float, float, float]:
    """One run: the median look, the median answer, and the median of (look + answer) / answer."""
    lesson = load_catalog().find("chain-rule")
    assert lesson is not None
    looks, answers, ratios = [], [], []
    for _ in range(LESSONS):
        with tempfile.TemporaryDirectory() as folder:
            session = LessonSession(lesson, ProgressStore(Path(folder)).load())
            session.act(CONTINUE)
            look = session.catch_up
            for node, typed in ANSWERS.items():
                assert session.asked == node
                begin = time.perf_counter()
                assert not look()  # nothing new: no other window here
                middle = time.perf_counter()
                session.catch_up = lambda: False  # type: ignore[method-assign]  # the answer alone
                right = session.act(ANSWER, typed)
                end = time.perf_counter()
                session.catch_up = look  # type: ignore[method-assign]
                assert right
                looks.append(middle - begin)
                answers.append(end - middle)
                ratios.append((end - begin) / (end - middle))
    return common.median(looks), common.median(answers), common.median(ratios)


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], 9).parse_args()
    runs = [run() for _ in range(args.runs)]
    ratios = [ratio for _look, _answer, ratio in runs]
    print(f"the look alone:      {common.spread([look for look, _answer, _ratio in runs], 1e3, ' ms')}")
    print(f"an answer alone:     {common.spread([answer for _look, answer, _ratio in runs], 1e3, ' ms')}")
    print(f"(look + answer) / answer: {common.spread(ratios, 1, 'x')}")
    return common.finish([common.verdict("an answer with the look at other windows / without",
                                         f"{common.median(ratios):.2f}x (range {min(ratios):.2f}..{max(ratios):.2f})",
                                         f"≤ {GOAL}", common.median(ratios) <= GOAL)])


if __name__ == "__main__":
    sys.exit(main())
