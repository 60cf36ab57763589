"""Memory: peak resident memory on the chain-rule exercise screen, against a minimal Textual app.

The tutor is started as `tui-grad chain-rule`, Enter leaves the intro for the exercise screen, and
after a second there it is quit; the minimal app is quit a second after its first complete frame.
Peak resident set size comes from the kernel for that one process (os.wait4's ru_maxrss).

    python bench/memory.py [--runs N]
"""

from __future__ import annotations

import sys

import apps
import common

GOAL = 1.25
SETTLE = 1.0


def tutor_peak() -> int:
    """Peak RSS in KiB of the tutor that reached the exercise screen."""
    with apps.tutor("chain-rule") as terminal:
        apps.open_exercise(terminal)
        terminal.read_for(SETTLE)
    return terminal.peak_rss_kib


def minimal_peak() -> int:
    """Peak RSS in KiB of the minimal app after its first complete frame."""
    with apps.minimal_app() as terminal:
        terminal.wait_for_frame(*apps.MINIMAL_TEXTS)
        terminal.read_for(SETTLE)
    return terminal.peak_rss_kib


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=5).parse_args()
    tutor, minimal = common.alternate(args.runs, tutor_peak, minimal_peak)
    ratio = common.median(tutor) / common.median(minimal)
    print(f"tui-grad exercise screen: peak RSS {common.spread(tutor, 1 / 1024, ' MiB')}")
    print(f"minimal Textual app     : peak RSS {common.spread(minimal, 1 / 1024, ' MiB')}")
    met = common.verdict("memory", f"ratio {ratio:.2f} (median tutor / median minimal)", f"at most {GOAL:g}",
                         ratio <= GOAL)
    return common.finish([met])


if __name__ == "__main__":
    sys.exit(main())
