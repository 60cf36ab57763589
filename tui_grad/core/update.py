"""Parameter updates as data: each step's arithmetic and the forward pass that follows it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from tui_grad.core.exercise import format_number
from tui_grad.core.lesson import Lesson


@dataclass(frozen=True, slots=True)
class ParameterStep:
    """One parameter's move: `before ± step_size × grad = after`."""

    name: str
    before: float
    grad: float
    after: float


@dataclass(frozen=True, slots=True)
class UpdateStep:
    """One whole update: every parameter's move, then the new forward values node by node."""

    step: int
    parameters: tuple[ParameterStep, ...]
    output_before: float
    output_after: float
    forward: tuple[tuple[str, float], ...]

    def new_inputs(self, inputs: Mapping[str, float]) -> dict[str, float]:
        """The inputs after this step: parameters moved, everything else unchanged."""
        return {**inputs, **{p.name: p.after for p in self.parameters}}


def take_steps(lesson: Lesson, inputs: Mapping[str, float] | None, count: int, first: int = 1) -> list[UpdateStep]:
    """Run `count` update steps from `inputs`: backward, move each parameter, forward again."""
    current = dict(lesson.inputs if inputs is None else inputs)
    rule = lesson.update
    steps = []
    for number in range(first, first + count):
        graph = lesson.build(current)
        graph.output.backward()
        moves = tuple(
            ParameterStep(name, current[name], graph.nodes[name].grad,
                          current[name] + rule.sign * rule.step_size * graph.nodes[name].grad)
            for name in lesson.parameters
        )
        current.update({move.name: move.after for move in moves})
        after = lesson.build(current)
        steps.append(UpdateStep(number, moves, graph.output.data, after.output.data,
                                tuple((name, node.data) for name, node in after.nodes.items())))
    return steps


def describe_move(move: ParameterStep, lesson: Lesson) -> str:
    """The arithmetic of one move, as the tutor writes it: `a ← 2 + 0.01 × 6 = 2.06`."""
    rule = lesson.update
    sign = "+" if rule.sign > 0 else "−"
    return (f"{move.name} ← {format_number(move.before)} {sign} {format_number(rule.step_size)} × "
            f"{format_number(move.grad)} = {format_number(move.after)}")


def describe_rule(lesson: Lesson) -> str:
    """The lesson's sign convention in words, naming the other one too."""
    out = lesson.output
    step = format_number(lesson.update.step_size)
    if lesson.update.direction == "ascent":
        return (f"This lesson steps along the gradient (p ← p + {step} × d{out}/dp), which raises {out}. "
                f"Training usually steps against it (p ← p − step × d{out}/dp) to lower a loss.")
    return (f"This lesson steps against the gradient (p ← p − {step} × d{out}/dp), which lowers {out}, "
            f"as training does with a loss. Stepping along it (p ← p + step × d{out}/dp) would raise {out}.")
