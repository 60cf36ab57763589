"""Answering: bytes and time from Enter to the end of the frame that shows the verdict, at 80x24.

Each run starts `tui-grad chain-rule`, goes to the exercise screen, types 1 (dL/dL, right),
lets that echo settle, then presses Enter and waits for the first frame by which "Right:" has
been drawn. The goals are absolute; there is no baseline program to compare with.

    python bench/answering.py [--runs N]
"""

from __future__ import annotations

import sys

import apps
import common

GOAL_BYTES = 5 * 1024
GOAL_SECONDS = 0.030


def answer_once() -> tuple[int, float]:
    """(bytes, seconds) from pressing Enter on a right answer to the end of the verdict's frame."""
    with apps.tutor("chain-rule") as terminal:
        apps.open_exercise(terminal)
        terminal.read_for(0.5)
        terminal.write(b"1")
        terminal.read_for(0.4)  # the echo of "1" and perhaps a cursor blink, all before Enter
        since = len(terminal.output)
        pressed = terminal.write(b"\r")
        frame_time, end = terminal.wait_for_frame(apps.VERDICT_TEXT, since=since)
        return end - since, frame_time - pressed


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=7).parse_args()
    results = [answer_once() for _ in range(args.runs)]
    sizes, times = [size for size, _ in results], [seconds for _, seconds in results]
    print(f"bytes from Enter to the verdict's frame: {common.spread(sizes, 1, ' B')}")
    print(f"time from Enter to the verdict's frame : {common.spread(times, 1000, ' ms')}")
    size, seconds = common.median(sizes), common.median(times)
    met = [
        common.verdict("answering bytes", f"{size / 1024:.2f} KB", f"at most {GOAL_BYTES // 1024} KB",
                       size <= GOAL_BYTES),
        common.verdict("answering time", f"median {seconds * 1000:.1f} ms", f"at most {GOAL_SECONDS * 1000:g} ms",
                       seconds <= GOAL_SECONDS),
    ]
    return common.finish(met)


if __name__ == "__main__":
    sys.exit(main())
