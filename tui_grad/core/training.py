"""Training a formula as data: many update steps in a row, each recorded as a `TrainStep`.

A "train" part names a loss built from its inputs, the parameters to move and an update rule. The
screen replays the records this module yields (the loss falling, a line closing in on its points);
it never takes a gradient of its own. One forward and one backward pass per step, through the
same engine as every other exercise.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from tui_grad.core.exercise import format_number
from tui_grad.core.lesson import LessonError, Part
from tui_grad.engine import EngineError, collector_paused


@dataclass(frozen=True, slots=True)
class TrainStep:
    """The state after `step` updates (0 is the start): every parameter's value and the loss there.

    `grads` are the loss's gradients at these values, the ones the next update uses.
    """

    step: int
    params: dict[str, float]
    loss: float
    grads: dict[str, float]


class TrainingError(Exception):
    """Training that cannot go on (the loss overflowed): at which step, and what to try."""

    def __init__(self, step: int, message: str) -> None:
        super().__init__(message)
        self.step = step
        self.message = message


def train_steps(part: Part, inputs: Mapping[str, float] | None = None, steps: int | None = None
                ) -> Iterator[TrainStep]:
    """Yield the start (step 0), then the state after each of `steps` updates (the part's own count
    by default): `steps + 1` records. Raise TrainingError if the numbers blow up on the way."""
    current = dict(part.inputs if inputs is None else inputs)
    total = part.update.steps if steps is None else steps
    move = part.update.sign * part.update.step_size
    parameters = part.parameters
    held = {name: 0.0 for name in parameters}  # with zero_grad = false: every gradient so far, summed
    for number in range(total + 1):
        try:
            with collector_paused():  # not across the yield: only the graph's own work
                graph = part.build(current)
                graph.output.backward()
        except EngineError as error:
            raise TrainingError(number, _diverged(part, number, str(error))) from None
        except LessonError as error:  # build names the failing line of the lesson
            raise TrainingError(number, _diverged(part, number, error.message)) from None
        grads = {name: graph.nodes[name].grad if name in graph.nodes else 0.0 for name in parameters}
        if not part.zero_grad:  # the bug: gradients pile up across steps, as PyTorch's do without zero_grad()
            held = {name: held[name] + grads[name] for name in parameters}
            grads = dict(held)
        yield TrainStep(number, {name: current[name] for name in parameters}, graph.output.data, grads)
        if number < total:
            for name in parameters:
                current[name] += move * grads[name]
            if not all(math.isfinite(current[name]) for name in parameters):
                raise TrainingError(number + 1, _diverged(part, number + 1, "a parameter overflowed"))


def _diverged(part: Part, step: int, reason: str) -> str:
    return (f"Training stopped at step {step}: {reason}. The steps overshoot and grow: the step size "
            f"{format_number(part.update.step_size)} is too large for this loss; try a smaller one.")


def line_through(step: TrainStep, part: Part) -> tuple[float, float] | None:
    """The current line's (slope, intercept) for a part that fits a line to points, else None."""
    if part.plot is None:
        return None
    return step.params[part.plot.slope], step.params[part.plot.intercept]


def loss_at(part: Part, inputs: Mapping[str, float], name: str, value: float) -> float | None:
    """The loss with parameter `name` set to `value` and everything else as in `inputs`, or None where
    the formula is undefined: the landscape a single parameter rolls down."""
    try:
        return part.forward({**inputs, name: value})[part.output]
    except (ArithmeticError, ValueError):  # ExprError is a ValueError: log of a negative, overflow
        return None


def describe_params(step: TrainStep) -> str:
    """The parameters as the status line writes them: `m = 1.98, b = 0.0412`."""
    return ", ".join(f"{name} = {_parameter(value)}" for name, value in step.params.items())


def _parameter(value: float) -> str:
    """Two decimals from 1 up (`2.00`, so a value that has settled reads as settled), else three
    significant digits."""
    if 1 <= abs(value) < 1e5:
        return f"{value:.2f}"
    return _short(value, digits=3)


def describe_loss(loss: float) -> str:
    """A loss in a few significant digits: `0.0123`, `56`, `3.2e-07`."""
    return _short(loss, digits=3)


def _short(value: float, digits: int = 4) -> str:
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-4:
        mantissa, exponent = f"{value:.{digits - 1}e}".split("e")
        return f"{mantissa.rstrip('0').rstrip('.')}e{int(exponent)}"
    text = f"{value:.{digits}g}" if abs(value) < 1 else f"{value:.{max(digits - 2, 1)}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text
