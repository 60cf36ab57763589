"""The gradient exercise as plain data: which node is asked, how an answer is graded, what to say.

The expected gradients, local derivatives and backward steps all come from the engine; this module
only compares, words and keeps score. The screens replay what it returns.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from tui_grad.core import expr as ex
from tui_grad.core.diagnosis import diagnose
from tui_grad.core.lesson import Graph, Lesson
from tui_grad.engine import BackwardStep, Value, backward_steps

PENDING, EARNED, SHOWN = "pending", "earned", "shown"


def format_number(x: float) -> str:
    """A number as a learner would write it: `6`, `-2`, `2.06`, `-7.286496`, never `-0`."""
    if x == 0:
        return "0"
    if x.is_integer() and abs(x) < 1e15:
        return str(int(x))
    text = f"{x:.7g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa}e{int(exponent)}"
    return text


def signed(x: float) -> str:
    """A number wrapped in parentheses when negative, for use inside a product: `(-2)`."""
    text = format_number(x)
    return f"({text})" if x < 0 else text


@dataclass(frozen=True, slots=True)
class Attempt:
    """One answer the learner gave (or asked to see) for one node."""

    node: str
    text: str
    value: float | None
    correct: bool
    shown: bool
    at: float
    mistake: str | None = None


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the tutor says about an answer: right or wrong, the number it read, and why."""

    node: str
    correct: bool
    understood: float | None
    message: str
    explanation: str = ""
    shown: bool = False
    readable: bool = True
    mistake: str | None = None


@dataclass
class GradientExercise:
    """Ask for dOUT/dnode for every node, from the output back to the leaves, and grade each."""

    lesson: Lesson
    inputs: Mapping[str, float] | None = None
    graph: Graph = field(init=False)
    steps: list[BackwardStep] = field(init=False)
    order: tuple[str, ...] = field(init=False)
    status: dict[str, str] = field(init=False)
    answers: dict[str, float] = field(init=False)
    attempts: list[Attempt] = field(init=False, default_factory=list)

    def __post_init__(self) -> None:
        self.graph = self.lesson.build(self.inputs)
        self.steps = backward_steps(self.graph.output)
        self.order = asking_order(self.graph)
        self.status = {name: PENDING for name in self.order}
        self.answers = {}

    @property
    def output_name(self) -> str:
        """The name of the node whose gradients are asked for (L in the design lesson)."""
        return self.graph.output.label

    @property
    def current(self) -> str | None:
        """The node asked about now, or None when every gradient is found."""
        return next((name for name in self.order if self.status[name] == PENDING), None)

    @property
    def done(self) -> bool:
        """True when every node's gradient is found or shown."""
        return self.current is None

    def expected(self, name: str) -> float:
        """The engine's gradient of the output with respect to `name`."""
        return self.graph.nodes[name].grad

    def is_close(self, answer: float, expected: float) -> bool:
        """The lesson's tolerance: relative 1e-6 and absolute 1e-9 unless the lesson says otherwise."""
        return math.isclose(
            answer,
            expected,
            rel_tol=self.lesson.relative_tolerance,
            abs_tol=self.lesson.absolute_tolerance,
        )

    def submit(self, text: str) -> Verdict:
        """Grade a typed answer for the current node; a text we cannot read costs nothing."""
        name = self.current
        if name is None:
            raise RuntimeError("every gradient is already found")
        values = {node: value.data for node, value in self.graph.nodes.items() if node.isidentifier()}
        try:
            answer = ex.evaluate_number(text, values, names=list(values))
        except ex.ExprError as error:
            return Verdict(name, False, None, f"Could not read that: {error.message}.", readable=False)
        expected = self.expected(name)
        gradient = f"d{self.output_name}/d{name}"
        if self.is_close(answer, expected):
            self.attempts.append(Attempt(name, text, answer, True, False, time.time()))
            self.status[name] = EARNED
            self.answers[name] = answer
            return Verdict(name, True, answer, f"Right: {gradient} = {format_number(expected)}.",
                           self.chain_rule(name))
        nodes = list(self.graph.nodes.values())
        found = diagnose(self.graph.nodes[name], answer, nodes, self.graph.output, self.is_close, format_number)
        self.attempts.append(Attempt(name, text, answer, False, False, time.time(),
                                     found.code if found else "unexplained"))
        advice = found.message if found else self.pointer(name)
        return Verdict(name, False, answer, f"Not quite: {gradient} is not {format_number(answer)}. {advice}",
                       mistake=found.code if found else "unexplained")

    def reveal(self) -> Verdict:
        """Show the current node's gradient; it counts as shown, not earned."""
        name = self.current
        if name is None:
            raise RuntimeError("every gradient is already found")
        expected = self.expected(name)
        self.attempts.append(Attempt(name, "", None, False, True, time.time()))
        self.status[name] = SHOWN
        self.answers[name] = expected
        return Verdict(name, False, expected,
                       f"Shown: d{self.output_name}/d{name} = {format_number(expected)}.",
                       self.chain_rule(name), shown=True)

    def parents(self, name: str) -> list[tuple[Value, float]]:
        """Each node that uses `name`, with the local derivative d(parent)/d(name) summed over uses."""
        child = self.graph.nodes[name]
        result = []
        for parent in self.graph.nodes.values():
            local = sum(g for c, g in zip(parent.children, parent.local_grads) if c is child)
            if any(c is child for c in parent.children):
                result.append((parent, local))
        return result

    def chain_rule(self, name: str) -> str:
        """The chain rule for `name` with this graph's numbers: dL/dc = dL/dd · dd/dc = -2 · 1 = -2."""
        out = self.output_name
        if name == out:
            return f"d{out}/d{out} = 1: {out} changes exactly as much as itself."
        parents = self.parents(name)
        symbols = " + ".join(f"d{out}/d{p.label} · d{p.label}/d{name}" for p, _ in parents)
        numbers = " + ".join(f"{format_number(p.grad)} · {format_number(local)}" for p, local in parents)
        return f"d{out}/d{name} = {symbols} = {numbers} = {format_number(self.expected(name))}"

    def pointer(self, name: str) -> str:
        """A nudge toward the chain rule for `name`, naming what is already known."""
        out = self.output_name
        if name == out:
            return f"How much does {out} change when {out} itself changes by a little?"
        parents = self.parents(name)
        known = ", ".join(f"d{out}/d{p.label} = {format_number(p.grad)}" for p, _ in parents)
        local = " and ".join(f"d{p.label}/d{name}" for p, _ in parents)
        paths = " Add up every path." if len(parents) > 1 else ""
        return f"You know {known}; multiply by {local}.{paths}"


def asking_order(graph: Graph) -> tuple[str, ...]:
    """Nodes to ask about: the output first, then by distance from it; constants are never asked."""
    distance = distances_to_output(graph)
    position = {name: index for index, name in enumerate(graph.nodes)}
    askable = [name for name in graph.nodes if name in graph.named]
    return tuple(sorted(askable, key=lambda name: (distance[name], position[name])))


def distances_to_output(graph: Graph) -> dict[str, int]:
    """Longest path from each node to the output, in edges (the output is 0)."""
    distance = {graph.output.label: 0}
    for node in reversed(graph.nodes.values()):
        for child in node.children:
            distance[child.label] = max(distance.get(child.label, 0), distance[node.label] + 1)
    return distance


def describe_step(step: BackwardStep, output: str) -> tuple[str, str]:
    """One backward step as the tutor writes it: the `+=` line and the chain rule behind it."""
    line = f"{step.child}.grad += {format_number(step.local_grad)} × {format_number(step.upstream_grad)}"
    if step.child_grad_before == 0:
        line += f" = {format_number(step.child_grad_after)}"
    else:
        line += (f" = {format_number(step.contribution)}, so {step.child}.grad = "
                 f"{format_number(step.child_grad_before)} + {signed(step.contribution)} = "
                 f"{format_number(step.child_grad_after)}")
    why = (f"d{step.node}/d{step.child} = {format_number(step.local_grad)} (local, {step.node}'s op is "
           f"{step.op}) times d{output}/d{step.node} = {format_number(step.upstream_grad)} (from above)")
    return line, why


def grads_after(steps: list[BackwardStep], count: int, output: str) -> dict[str, float]:
    """Every gradient as it stands after the first `count` recorded steps (the output's is 1)."""
    grads = {output: 1.0}
    for step in steps[:count]:
        grads[step.child] = step.child_grad_after
    return grads
