"""Training a formula, watched: many update steps, the loss and what the parameters learn.

The run itself is here too, for both faces: `FormulaRun` takes the steps and words them, as
`Frame`s the app paints and line mode prints; neither face drives the training on its own.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import ClassVar, Protocol

from tui_grad.core.exercise import format_number
from tui_grad.core.kinds.base import GraphKind, PartFlow
from tui_grad.core.lesson import Part
from tui_grad.core.parts import WATCH
from tui_grad.core.training import (
    TrainingError,
    TrainStep,
    describe_loss,
    describe_params,
    loss_at,
    train_steps,
)

LOOKAHEAD = 2000
"""How far ahead a one-parameter run is traced to frame its loss landscape."""


@dataclass(frozen=True)
class Frame:
    """A training run as it stands after `step` update steps: what both faces paint."""

    step: int
    total: int
    losses: tuple[float, ...] = ()
    """The loss after each step so far (a formula's index 0 is before the first update)."""
    latest: TrainStep | None = None
    """A formula's state now: its parameters, loss and gradients (None for a network)."""
    accuracy: float = math.nan
    """A network's share of points classed right (nan before its first step, and for a formula)."""
    failure: str = ""
    """Why the run stopped early, in a sentence, or ""."""

    @property
    def over(self) -> bool:
        """True once every step is taken or the run has stopped early."""
        return bool(self.failure) or self.step >= self.total

    @property
    def words(self) -> str:
        """The run's progress as the status line writes it: `step 30 of 100 · loss 0.0123 · w = 1.98`."""
        parts = [f"step {self.step} of {self.total}"]
        if self.losses:
            parts.append(f"loss {describe_loss(self.losses[-1])}")
        if self.latest is not None:
            parts.append(describe_params(self.latest))
        elif not math.isnan(self.accuracy):
            parts.append(f"accuracy {self.accuracy:.0%}")
        return " · ".join(parts)


class TrainingRun(Protocol):
    """What both faces ask of a training run, whatever it trains."""

    total: int
    failure: str
    losses: list[float]

    @property
    def slow(self) -> bool:
        """True when a step is too slow for the interface's thread (the app takes them in a worker)."""

    @property
    def step(self) -> int:
        """Update steps taken so far."""

    @property
    def picture(self) -> str:
        """What the run draws beside the loss ("" for nothing)."""

    @property
    def picture_title(self) -> str:
        """The picture's title."""

    def frame(self) -> Frame:
        """The run as it stands."""

    def report(self, every: int) -> Iterator[str]:
        """Line mode's account of the whole run, taking every step."""


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

    def run(self, inputs: Mapping[str, float], remote: bool = False) -> TrainingRun:
        """The training run from these input values (`remote`: a network's steps in a process of their
        own; a formula's are always taken here)."""
        return FormulaRun(self.part, inputs)

    def report_every(self) -> int:
        """Line mode prints one line every this many steps (a tenth of the way)."""
        return max(1, self.total_steps // 10)


class FormulaRun:
    """A formula's training run: its update steps taken on demand, its losses, and its words."""

    slow: ClassVar[bool] = False
    """False: a step is quick enough to take on the interface's thread, in slices."""

    def __init__(self, part: Part, inputs: Mapping[str, float]) -> None:
        self.part, self.inputs = part, dict(inputs)
        self.total = part.update.steps
        self.steps = train_steps(part, self.inputs)
        self.losses: list[float] = []
        self.latest: TrainStep | None = None
        self.trail: list[tuple[float, float]] = []
        """A one-parameter run: (parameter, loss) at each step so far, for the landscape."""
        self.failure = ""
        self.span: tuple[float, float] | None = None

    @property
    def step(self) -> int:
        """Update steps taken so far."""
        return self.latest.step if self.latest is not None else 0

    @property
    def picture(self) -> str:
        """What the run draws beside the loss: "line" (a line closing in on points), "landscape" (one
        parameter rolling down its loss), or "" (nothing)."""
        return "line" if self.part.plot is not None else "landscape" if len(self.part.parameters) == 1 else ""

    @property
    def picture_title(self) -> str:
        """The picture's title."""
        plot = self.part.plot
        if plot is not None:
            return f"the line y = {plot.slope}·x + {plot.intercept}"
        return f"loss as {self.part.parameters[0]} moves" if self.picture else ""

    def frame(self) -> Frame:
        """The run as it stands."""
        return Frame(self.step, self.total, tuple(self.losses), latest=self.latest, failure=self.failure)

    def advance(self, to: int, deadline: float | None = None) -> Frame:
        """Take steps up to step `to` (the start, step 0, at least), stopping early once the monotonic
        clock passes `deadline` so a face's keys stay live on a long skip; then the frame."""
        taken = 0
        try:
            while not self.failure and (self.latest is None or self.step < to):
                if deadline is not None and taken % 16 == 15 and time.monotonic() > deadline:
                    break
                step = next(self.steps, None)
                if step is None:
                    break
                taken += 1
                self.latest = step
                self.losses.append(step.loss)
                if len(self.part.parameters) == 1:
                    self.trail.append((step.params[self.part.parameters[0]], step.loss))
        except TrainingError as error:
            self.failure = error.message
        return self.frame()

    def line(self) -> tuple[float, float] | None:
        """The fitted line's (slope, intercept) now, for a part that fits one."""
        plot = self.part.plot
        if plot is None or self.latest is None:
            return None
        return self.latest.params[plot.slope], self.latest.params[plot.intercept]

    def landscape(self) -> Callable[[int], list[tuple[float, float | None]]]:
        """The one parameter's loss landscape as the run stands now: given a number of samples, the
        loss at that many + 1 even places across `landscape_span` (None where it is undefined)."""
        part, name = self.part, self.part.parameters[0]
        low, high = self.landscape_span()
        inputs = {**self.inputs, **(self.latest.params if self.latest is not None else {})}

        def curve(samples: int) -> list[tuple[float, float | None]]:
            return [(x, loss_at(part, inputs, name, x)) for x in (low + (high - low) * i / samples
                                                                  for i in range(samples + 1))]
        return curve

    def landscape_span(self) -> tuple[float, float]:
        """The stretch of the one parameter drawn: everywhere it will go (looked up ahead once, at
        most LOOKAHEAD steps) with room either side, widened if it still heads out of it."""
        values = [value for value, _ in self.trail]
        if self.span is None:
            name, path = self.part.parameters[0], list(values)
            try:
                for step in train_steps(self.part, self.inputs, min(self.total, LOOKAHEAD)):
                    path.append(step.params[name])
            except TrainingError:
                pass
            low, high = min(path), max(path)
            pad = max((high - low) * 0.5, 1.0)
            self.span = (low - pad, high + pad)
        low, high = self.span
        if values and (min(values) < low or max(values) > high):
            width = high - low
            self.span = (min(low, min(values) - width / 2), max(high, max(values) + width / 2))
        return self.span

    def report(self, every: int) -> Iterator[str]:
        """Line mode's account of the whole run: what it trains, its first steps and a row every
        `every` steps (and the last), why it stopped if it did, and where it ended."""
        rule, out = self.part.update, self.part.output
        yield f"Training: {rule.steps} {rule.direction} steps of size {format_number(rule.step_size)} on {out}."
        yield f"{'step':>6}  {out:>10}  parameters"
        while not self.failure:
            before = self.latest
            last = self.advance(self.step + 1 if before is not None else 0).latest
            if last is None or last is before:
                break
            if last.step <= FIRST_STEPS_SHOWN or last.step % every == 0 or last.step == rule.steps:
                yield f"{last.step:>6}  {describe_loss(last.loss):>10}  {describe_params(last)}"
        if self.failure:
            yield self.failure
        last = self.latest
        if last is not None:
            yield (f"After {last.step} steps: {out} = {format_number(last.loss)}, "
                   + ", ".join(f"{name} = {format_number(value)}" for name, value in last.params.items()) + ".")


FIRST_STEPS_SHOWN = 3
"""Line mode prints each of a run's first steps, where it moves most and where lessons ask the learner
to look (two-bugs: the first two steps of both loops are the same), then a row every tenth."""


class TrainKind(GraphKind):
    """`kind = "train"`: many update steps on a formula, watched, never answered."""

    name = "train"
    flow_type = TrainFlow
    asks = False
    drawn = False


KIND = TrainKind()
