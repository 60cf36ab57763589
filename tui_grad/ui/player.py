"""A thin, pausable player over a list of steps: the screen says what a step looks like."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from textual.dom import DOMNode
from textual.timer import Timer

Step = TypeVar("Step")
SPEEDS = (4.0, 2.0, 1.0, 0.5, 0.25, 0.1)


class StepPlayer(Generic[Step]):
    """Plays `steps` one at a time on a timer: pause, resume, single-step, skip, faster, slower."""

    def __init__(self, owner: DOMNode, steps: list[Step], show: Callable[[int, Step], None],
                 finished: Callable[[], None], interval: float = 1.0) -> None:
        self.owner, self.steps, self.show, self.finished = owner, steps, show, finished
        self.base_interval = interval
        self.speed_index = SPEEDS.index(1.0)
        self.position = 0
        self.paused = False
        self.timer: Timer | None = None

    @property
    def interval(self) -> float:
        """Seconds between steps at the current speed."""
        return self.base_interval * SPEEDS[self.speed_index]

    @property
    def done(self) -> bool:
        """True once every step has been shown."""
        return self.position >= len(self.steps)

    @property
    def speed_label(self) -> str:
        """The speed in words for the status line, e.g. `1×` or `4×`."""
        factor = 1.0 / SPEEDS[self.speed_index]
        return f"{factor:g}×"

    def start(self) -> None:
        """Begin playing; with animations off (TEXTUAL_ANIMATIONS=none) jump straight to the end."""
        if self.owner.app.animation_level == "none" or self.interval <= 0:
            self.skip()
            return
        self._restart_timer()

    def _restart_timer(self) -> None:
        if self.timer is not None:
            self.timer.stop()
        self.timer = None if self.paused or self.done else self.owner.set_interval(self.interval, self.advance)

    def advance(self) -> None:
        """Show the next step (the timer calls this)."""
        if self.done:
            return
        self.show(self.position, self.steps[self.position])
        self.position += 1
        if self.done:
            self.stop()
            self.finished()

    def toggle(self) -> None:
        """Pause, or resume where it stopped."""
        self.paused = not self.paused
        self._restart_timer()

    def step(self) -> None:
        """Pause, and show exactly one more step."""
        self.paused = True
        self._restart_timer()
        self.advance()

    def skip(self) -> None:
        """Show every remaining step at once and finish."""
        if self.done:
            return
        while self.position < len(self.steps) - 1:
            self.position += 1
        self.advance()

    def faster(self) -> None:
        """Shorten the pause between steps."""
        self.speed_index = min(self.speed_index + 1, len(SPEEDS) - 1)
        self._restart_timer()

    def slower(self) -> None:
        """Lengthen the pause between steps."""
        self.speed_index = max(self.speed_index - 1, 0)
        self._restart_timer()

    def stop(self) -> None:
        """Stop the timer (when finished or when the screen goes away)."""
        if self.timer is not None:
            self.timer.stop()
            self.timer = None
