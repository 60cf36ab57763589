"""What marking a learner active costs a key (issue 20): `Activity.mark()` between two touches of its
file, against a bare clock reading in the same run; and the touch itself, once a minute.

Goal: under a microsecond a key (no file access between touches; Textual's own handling of a key
takes far longer). The ratio to a clock reading is printed for comparison across machines."""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from tui_grad.core.activity import Activity

from common import alternate, finish, median, parser, spread, verdict

KEYS = 200_000


def per_key(call) -> float:
    """Seconds per call, over KEYS calls."""
    started = time.perf_counter()
    for _ in range(KEYS):
        call()
    return (time.perf_counter() - started) / KEYS


def main() -> int:
    args = parser(__doc__.splitlines()[0], runs=7).parse_args()
    with tempfile.TemporaryDirectory() as folder:
        activity = Activity(Path(folder))
        activity.mark()  # the first key touches the file; the ones after it within a minute do not
        marks, clocks = alternate(args.runs, lambda: per_key(activity.mark), lambda: per_key(time.monotonic))
        touches = []
        for _ in range(args.runs):
            fresh = Activity(Path(folder))
            started = time.perf_counter()
            fresh.mark()
            touches.append(time.perf_counter() - started)
    ratio = median(marks) / median(clocks)
    print(f"mark() between touches: {spread(marks, 1e9, ' ns')}; bare time.monotonic(): {spread(clocks, 1e9, ' ns')}")
    print(f"the touch, once a minute: {spread(touches, 1e6, ' µs')}")
    per_mark = median(marks)
    return finish([verdict("activity per key", f"{per_mark * 1e9:.0f} ns, {ratio:.2f}x a clock reading", "< 1 µs",
                           per_mark < 1e-6)])


if __name__ == "__main__":
    sys.exit(main())
