"""Start-up: launch to the first complete frame of the home screen, against a minimal Textual app.

Both programs start the same way (the benchmark's interpreter, under a pseudo-terminal at 80x24)
and are timed from just before the fork to the end-of-frame marker of the first frame by which
everything on the screen, footer included, has been drawn. The two alternate, several runs each.

    python bench/startup.py [--runs N]
"""

from __future__ import annotations

import sys

import apps
import common

GOAL = 1.2


def launch_time(start, texts) -> float:
    """Seconds from launch to the first complete frame; the program is then quit."""
    with start() as terminal:
        frame_time, _ = terminal.wait_for_frame(*texts)
        return frame_time - terminal.started


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=10).parse_args()
    launch_time(apps.tutor, apps.HOME_TEXTS)  # warm the file cache and .pyc files for both
    launch_time(apps.minimal_app, apps.MINIMAL_TEXTS)
    tutor_times, minimal_times = common.alternate(
        args.runs,
        lambda: launch_time(apps.tutor, apps.HOME_TEXTS),
        lambda: launch_time(apps.minimal_app, apps.MINIMAL_TEXTS),
    )
    ratio = common.median(tutor_times) / common.median(minimal_times)
    print(f"tui-grad home screen   : {common.spread(tutor_times, 1000, ' ms')}")
    print(f"minimal Textual app    : {common.spread(minimal_times, 1000, ' ms')}")
    pairs = [tutor / minimal for tutor, minimal in zip(tutor_times, minimal_times, strict=True)]
    print(f"ratio in each alternated pair: {common.spread(pairs, 1, 'x')}")
    met = common.verdict("start-up", f"ratio {ratio:.2f} (median tutor / median minimal)", f"at most {GOAL:g}",
                         ratio <= GOAL)
    return common.finish([met])


if __name__ == "__main__":
    sys.exit(main())
