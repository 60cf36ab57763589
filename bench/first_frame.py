"""First frame: bytes written to the terminal up to the first complete frame of the home screen.

Counted from launch: the set-up sequences, any earlier partial frames and the complete frame
itself, at 80x24; the bytes of that last frame alone are shown too. The minimal Textual app's
figure, measured the same way in the same run, is printed for comparison.

    python bench/first_frame.py [--runs N]
"""

from __future__ import annotations

import sys

from terminal import FRAME_END

import apps
import common

GOAL_BYTES = 30 * 1024
FRAME_START = b"\x1b[?2026h"


def first_frame_bytes(start, texts) -> tuple[int, int]:
    """(bytes from launch to the end of the first complete frame, bytes of that frame alone)."""
    with start() as terminal:
        _, end = terminal.wait_for_frame(*texts)
        frame_start = terminal.output.rfind(FRAME_START, 0, end - len(FRAME_END))
        return end, end - frame_start


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=5).parse_args()
    tutor, minimal = common.alternate(
        args.runs,
        lambda: first_frame_bytes(apps.tutor, apps.HOME_TEXTS),
        lambda: first_frame_bytes(apps.minimal_app, apps.MINIMAL_TEXTS),
    )
    tutor_total, minimal_total = [total for total, _ in tutor], [total for total, _ in minimal]
    print(f"tui-grad home screen: {common.spread(tutor_total, 1, ' B')} until complete; "
          f"the complete frame alone {common.median([frame for _, frame in tutor]):.0f} B")
    print(f"minimal Textual app : {common.spread(minimal_total, 1, ' B')} until complete; "
          f"ratio {common.median(tutor_total) / common.median(minimal_total):.2f}")
    figure = common.median(tutor_total)
    met = common.verdict("first frame", f"{figure / 1024:.1f} KB at 80x24", f"at most {GOAL_BYTES // 1024} KB",
                         figure <= GOAL_BYTES)
    return common.finish([met])


if __name__ == "__main__":
    sys.exit(main())
