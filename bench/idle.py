"""Idle: bytes per second written while the learner sits on the exercise screen, answer field focused.

Each run starts `tui-grad chain-rule`, goes to the exercise screen, lets it settle for a second,
then counts every byte written over a window (5 s by default). The same is done in low-bandwidth
mode (`--low-bandwidth` and TUI_GRAD_LOW_BANDWIDTH=1) when `tui-grad --help` offers it; until
then that line says it is not available. The minimal Textual app, sitting idle, is the baseline.

    python bench/idle.py [--runs N] [--window SECONDS]
"""

from __future__ import annotations

import sys

import apps
import common

GOAL_DEFAULT = 2048.0
GOAL_LOW_BANDWIDTH = 0.0
SETTLE = 1.0


def idle_rate(window: float, low_bandwidth: bool = False) -> float:
    """Bytes per second written by the tutor idling on the exercise screen."""
    with apps.tutor("chain-rule", low_bandwidth=low_bandwidth) as terminal:
        apps.open_exercise(terminal)
        terminal.read_for(SETTLE)
        before = len(terminal.output)
        terminal.read_for(window)
        return (len(terminal.output) - before) / window


def minimal_rate(window: float) -> float:
    """Bytes per second written by the minimal app idling after its first complete frame."""
    with apps.minimal_app() as terminal:
        terminal.wait_for_frame(*apps.MINIMAL_TEXTS)
        terminal.read_for(SETTLE)
        before = len(terminal.output)
        terminal.read_for(window)
        return (len(terminal.output) - before) / window


def main() -> int:
    parser = common.parser(__doc__.splitlines()[0], runs=3)
    parser.add_argument("--window", type=float, default=5.0, metavar="SECONDS", help="how long to count (default 5)")
    args = parser.parse_args()
    tutor, minimal = common.alternate(args.runs, lambda: idle_rate(args.window), lambda: minimal_rate(args.window))
    print(f"tui-grad exercise screen, default      : {common.spread(tutor, 1, ' B/s')}")
    print(f"minimal Textual app, idle (baseline)   : {common.spread(minimal, 1, ' B/s')}")
    results = [common.verdict("idle (default)", f"{common.median(tutor):.0f} B/s",
                              f"at most {GOAL_DEFAULT:.0f} B/s", common.median(tutor) <= GOAL_DEFAULT)]
    if apps.tutor_supports_low_bandwidth():
        low = [idle_rate(args.window, low_bandwidth=True) for _ in range(args.runs)]
        print(f"tui-grad exercise screen, low bandwidth: {common.spread(low, 1, ' B/s')}")
        results.append(common.verdict("idle (low bandwidth)", f"{common.median(low):.0f} B/s",
                                      "0 B/s", common.median(low) <= GOAL_LOW_BANDWIDTH))
    else:
        common.not_available("idle (low bandwidth)", f"tui-grad --help does not offer {apps.LOW_BANDWIDTH_FLAG}")
    return common.finish(results)


if __name__ == "__main__":
    sys.exit(main())
