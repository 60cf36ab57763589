"""Training: key-to-frame time while the small-network lesson trains, against the same key when idle.

Finds a lesson file in lessons/ whose first part has kind = "network", starts `tui-grad LESSON`,
leaves the intro with Enter and, while the network trains in its worker thread, presses L (which
retitles the loss plot "loss (log scale)") and times the frame that shows it. Then Space pauses
the training and the same key is timed on the idle screen, L again and Space resume: the two
alternate until each has the runs asked for, over as many launches as that takes. A training
sample taken after the status line said "done" is dropped. Reports "not available yet" when no
such lesson exists.

    python bench/training.py [--runs N]
"""

from __future__ import annotations

import sys
import tomllib

from terminal import ProgramError, visible_text

import apps
import common

GOAL = 2.0
KEY, KEY_SHOWS = b"l", "log scale"
PAUSE, PAUSED, TRAINING, DONE = b" ", "paused", "training", "✓ done"


def network_lesson() -> str | None:
    """The id of the first lesson in lessons/ that opens with a network part, or None."""
    for path in sorted((common.REPOSITORY / "lessons").glob("*.toml")):
        if 'kind = "network"' not in path.read_text(encoding="utf-8"):
            continue
        with path.open("rb") as file:
            lesson = tomllib.load(file)
        parts = lesson.get("parts", [])
        if parts and parts[0].get("kind") == "network":
            return lesson.get("id", path.stem)
    return None


def key_to_frame(terminal) -> tuple[float, bool]:
    """Press L; (seconds until the frame showing its effect, whether training was still running).

    L is pressed again afterwards, so the next sample starts from the linear axis."""
    since = len(terminal.output)
    pressed = terminal.write(KEY)
    frame_time, end = terminal.wait_for_frame(KEY_SHOWS, since=since, timeout=10)
    running = DONE not in visible_text(bytes(terminal.output[since:end]))
    terminal.write(KEY)
    terminal.read_for(0.2)
    return frame_time - pressed, running


def shown_or_done(terminal, text: str, since: int, done_since: int, timeout: float = 30.0) -> bool:
    """Wait for a frame showing `text`; False when, instead, training had ended (after `done_since`),
    so that the launch has nothing more to measure."""
    try:
        terminal.wait_for_frame(text, since=since, timeout=timeout)
    except ProgramError:
        if DONE in visible_text(bytes(terminal.output[done_since:])):
            return False
        raise
    return True


def one_launch(lesson: str, wanted: int, training: list[float], idle: list[float]) -> None:
    """Alternate training and idle samples in one launch until training ends or both have `wanted`."""
    with apps.tutor(lesson) as terminal:
        terminal.wait_for_frame("palette")
        terminal.wait_quiet(0.3)
        since = len(terminal.output)
        terminal.write(b"\r")
        if not shown_or_done(terminal, TRAINING, since, since):
            return  # trained to the end before the first frame was read: no sample this launch
        terminal.read_for(0.3)
        while len(training) < wanted or len(idle) < wanted:
            sample_start = len(terminal.output)
            seconds, running = key_to_frame(terminal)
            if not running:
                return
            training.append(seconds)
            since = len(terminal.output)
            terminal.write(PAUSE)
            if not shown_or_done(terminal, PAUSED, since, sample_start, timeout=10):
                return  # the training ended just before Space: nothing left to pause
            terminal.read_for(0.2)
            idle.append(key_to_frame(terminal)[0])
            since = len(terminal.output)
            terminal.write(PAUSE)
            if not shown_or_done(terminal, TRAINING, since, sample_start, timeout=10):
                return  # the last few steps ended before a frame said "training" again
            terminal.read_for(0.2)


def main() -> int:
    args = common.parser(__doc__.splitlines()[0], runs=10).parse_args()
    lesson = network_lesson()
    if lesson is None:
        return common.not_available("training", 'no lesson in lessons/ opens with a part of kind = "network"')
    training: list[float] = []
    idle: list[float] = []
    for _ in range(max(3, args.runs)):  # launches: each gives samples until its training ends
        if len(training) >= args.runs and len(idle) >= args.runs:
            break
        try:
            one_launch(lesson, args.runs, training, idle)
        except ProgramError as error:
            return common.not_available("training", f"could not drive lesson {lesson!r}: {error}")
    if not training or not idle:
        return common.not_available("training", "the training ended before any sample could be taken")
    ratio = common.median(training) / common.median(idle)
    print(f"L while training ({lesson}): {common.spread(training, 1000, ' ms')}")
    print(f"L while paused (baseline) : {common.spread(idle, 1000, ' ms')}")
    met = common.verdict("training", f"ratio {ratio:.2f} (median training / median idle)", f"at most {GOAL:g}",
                         ratio <= GOAL)
    return common.finish([met])


if __name__ == "__main__":
    sys.exit(main())
