"""Training a formula, watched: many update steps, the loss and what the parameters learn."""

from __future__ import annotations

import math
from typing import ClassVar

from tui_grad.core.kinds.base import GraphKind, PartFlow
from tui_grad.core.parts import WATCH


class TrainFlow(PartFlow):
    """Many update steps on a formula, watched: the loss and the fitted line.

    The pace is decided here, for both faces: a run lasts about `run_seconds` at 1× in ticks of at
    least `MIN_TICK` seconds; a formula takes few steps a tick early on and more later (the steps
    done grow with the square of the time), so the first big moves can be watched and the long
    fine-tuning does not drag."""

    asks = False
    subtitle = "watch it train"
    default_text = ""
    run_seconds: ClassVar[float] = 5.0
    """How long a whole run lasts at 1×, whatever its step count (a very long one may lag)."""
    MIN_TICK: ClassVar[float] = 0.05
    """The shortest pause between two redraws at 1×."""

    def first_phase(self) -> str:
        return WATCH

    @property
    def total_steps(self) -> int:
        """The update steps the run takes."""
        return self.part.update.steps

    def tick_seconds(self) -> float:
        """Seconds between two ticks of the run at 1×."""
        return max(self.run_seconds / max(self.total_steps, 1), self.MIN_TICK)

    def ticks(self) -> int:
        """Ticks in a whole run at 1×."""
        return max(1, min(self.total_steps, round(self.run_seconds / self.MIN_TICK)))

    def steps_per_tick(self, position: int) -> int:
        """Steps the next tick takes from `position`: one for a short run; for a long one, with s
        steps done after t of T ticks, s = total·(t/T)², so ds/dt = 2·sqrt(s·total)/T."""
        total, ticks = self.total_steps, self.ticks()
        if total <= ticks:  # a short run: one step a tick, each one seen
            return 1
        return max(1, math.ceil(2 * math.sqrt(position * total) / ticks))

    def report_every(self) -> int:
        """Line mode prints one line every this many steps (a tenth of the way)."""
        return max(1, self.total_steps // 10)


class TrainKind(GraphKind):
    """`kind = "train"`: many update steps on a formula, watched, never answered."""

    name = "train"
    flow_type = TrainFlow
    asks = False
    drawn = False


KIND = TrainKind()
