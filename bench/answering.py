"""Answering: bytes and time from Enter to the end of the frame that shows the verdict, at 80x24.

Each run starts `tui-grad chain-rule`, goes to the exercise screen, types 1 (dL/dL, right),
lets that echo settle, then presses Enter and waits for the first frame by which "Right:" has
been drawn. The goals are absolute; the baseline, measured alternately in the same run, is
bench/minimal_answer_app.py (an Input whose Enter writes "✓ Right: ..." under it), so that a
figure from a loaded machine can be read against what Textual alone takes there.

    python bench/answering.py [--runs N]
"""

from __future__ import annotations

import sys

import apps
import common

GOAL_BYTES = 5 * 1024
GOAL_SECONDS = 0.030


def answer_once(baseline: bool = False) -> tuple[int, float]:
    """(bytes, seconds) from pressing Enter on a right answer to the end of the verdict's frame,
    in the tutor or in the baseline app."""
    program = apps.minimal_answer_app() if baseline else apps.tutor("chain-rule")
    with program as terminal:
        if baseline:
            terminal.wait_for_frame(apps.MINIMAL_ANSWER_TEXT, "palette")
        else:
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
    results, baseline = common.alternate(args.runs, answer_once, lambda: answer_once(baseline=True))
    sizes, times = [size for size, _ in results], [seconds for _, seconds in results]
    base_sizes, base_times = [size for size, _ in baseline], [seconds for _, seconds in baseline]
    print(f"bytes from Enter to the verdict's frame: {common.spread(sizes, 1, ' B')}")
    print(f"  minimal answer app, same run         : {common.spread(base_sizes, 1, ' B')}")
    print(f"time from Enter to the verdict's frame : {common.spread(times, 1000, ' ms')}")
    print(f"  minimal answer app, same run         : {common.spread(base_times, 1000, ' ms')}")
    size, seconds = common.median(sizes), common.median(times)
    print(f"ratio of medians to the minimal answer app: time {seconds / common.median(base_times):.2f}x, "
          f"bytes {size / common.median(base_sizes):.2f}x")
    met = [
        common.verdict("answering bytes", f"{size / 1024:.2f} KB", f"at most {GOAL_BYTES // 1024} KB",
                       size <= GOAL_BYTES),
        common.verdict("answering time", f"median {seconds * 1000:.1f} ms", f"at most {GOAL_SECONDS * 1000:g} ms",
                       seconds <= GOAL_SECONDS),
    ]
    return common.finish(met)


if __name__ == "__main__":
    sys.exit(main())
