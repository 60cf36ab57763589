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
from tui_grad.core.diagnosis import Diagnosis, diagnose, symbol, uses_of
from tui_grad.core.lesson import Graph, Part, distances_to_output
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


def written_sum(terms: list[float]) -> str:
    """Terms as one writes a sum: `18 − 4 + 2`."""
    text = format_number(terms[0]) if terms else "0"
    for term in terms[1:]:
        text += f" − {format_number(-term)}" if term < 0 else f" + {format_number(term)}"
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
    hints: int = 0


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


@dataclass(frozen=True, slots=True)
class Hint:
    """One rung of a node's hint ladder: 1 what to think about, 2 the local rule, 3 the chain
    product with numbers, 4 the answer itself (which then counts as shown)."""

    node: str
    level: int
    text: str


@dataclass(frozen=True, slots=True)
class Nudge:
    """The lecture's check of a gradient: move one node by h, run forward again, compare."""

    node: str
    h: float
    output_before: float
    output_after: float

    @property
    def estimate(self) -> float:
        """(L(x+h) - L(x)) / h: the slope the nudge measures."""
        return (self.output_after - self.output_before) / self.h


HINT_LEVELS = 4
NUDGE_SIZES = (1.0, 0.1, 0.01, 0.001, 0.0001, 1e-06)


class Questions:
    """What every answered exercise shares: its questions in order, each one's state, hints and
    attempts, and grading a typed number against the engine's. Subclasses say what is expected
    and how to word it."""

    lesson: Part
    order: tuple[str, ...]
    status: dict[str, str]
    answers: dict[str, float]
    hints: dict[str, int]
    attempts: list[Attempt]

    @property
    def output_name(self) -> str:
        """The node whose gradients are asked for."""
        raise NotImplementedError

    def _start(self, order: tuple[str, ...]) -> None:
        self.order = order
        self.status = {name: PENDING for name in order}
        self.answers, self.hints, self.attempts = {}, {}, []

    def restore(self, status: Mapping[str, str], answers: Mapping[str, float], hints: Mapping[str, int]) -> None:
        """Pick up where a saved session left off: found and shown answers, and hints used."""
        for name, state in status.items():
            if name in self.status and state in (EARNED, SHOWN):
                self.status[name] = state
                self.answers[name] = float(answers.get(name, self.expected(name)))
        self.hints.update({name: int(count) for name, count in hints.items() if name in self.status})

    @property
    def current(self) -> str | None:
        """The question asked now, or None when every answer is in."""
        return next((name for name in self.order if self.status[name] == PENDING), None)

    @property
    def done(self) -> bool:
        """True when every answer is found or shown."""
        return self.current is None

    def is_close(self, answer: float, expected: float) -> bool:
        """The lesson's tolerance: relative 1e-6 and absolute 1e-9 unless the lesson says otherwise."""
        return math.isclose(answer, expected, rel_tol=self.lesson.relative_tolerance,
                            abs_tol=self.lesson.absolute_tolerance)

    def submit(self, text: str) -> Verdict:
        """Grade a typed answer for the current question; a text we cannot read costs nothing."""
        name = self._asked()
        try:
            answer = self.read(text)
        except ex.ExprError as error:
            return Verdict(name, False, None, f"Could not read that: {error.message}.", readable=False)
        hints = self.hints.get(name, 0)
        if self.is_close(answer, self.expected(name)):
            self.attempts.append(Attempt(name, text, answer, True, False, time.time(), hints=hints))
            self.status[name] = EARNED
            self.answers[name] = answer
            return Verdict(name, True, answer, self.right_words(name), self.explain(name))
        found = self.diagnose(name, answer)
        code = found.code if found else "unexplained"
        self.attempts.append(Attempt(name, text, answer, False, False, time.time(), code, hints))
        advice = found.message if found else self.pointer(name)
        return Verdict(name, False, answer, f"{self.wrong_words(name, answer)} {advice}", mistake=code)

    def reveal(self) -> Verdict:
        """Show the current answer; it counts as shown, not earned."""
        name = self._asked()
        expected = self.expected(name)
        self.attempts.append(Attempt(name, "", None, False, True, time.time(), hints=self.hints.get(name, 0)))
        self.status[name] = SHOWN
        self.answers[name] = expected
        return Verdict(name, False, expected, f"Shown: {self.right_words(name)}", self.explain(name), shown=True)

    def hint(self) -> Hint:
        """The next rung of the current question's hint ladder; the last one reveals the answer."""
        name = self._asked()
        level = min(self.hints.get(name, 0) + 1, HINT_LEVELS)
        self.hints[name] = level
        if level < HINT_LEVELS:
            return Hint(name, level, self.hint_texts(name)[level])
        return Hint(name, level, self.reveal().message + " (marked as shown, not earned)")

    def _asked(self) -> str:
        name = self.current
        if name is None:
            raise RuntimeError("every answer is already in")
        return name

    # --- what subclasses say ----------------------------------------------------------------

    def expected(self, name: str) -> float:
        """The right answer to question `name`."""
        raise NotImplementedError

    def read(self, text: str) -> float:
        """The number a typed answer means; raises ExprError with a sentence when it means none."""
        raise NotImplementedError

    def diagnose(self, name: str, answer: float) -> Diagnosis | None:
        """Which slip gives exactly this wrong answer, if any rule explains it."""
        raise NotImplementedError

    def pointer(self, name: str) -> str:
        """What to try when no rule explains a wrong answer."""
        raise NotImplementedError

    def right_words(self, name: str) -> str:
        """The answer as a sentence: `dL/dd = -2.`"""
        raise NotImplementedError

    def wrong_words(self, name: str, answer: float) -> str:
        """The start of a wrong verdict: `dL/dd is not 5.`"""
        raise NotImplementedError

    def explain(self, name: str) -> str:
        """The working behind the answer, shown once it is found or shown."""
        raise NotImplementedError

    def hint_texts(self, name: str) -> dict[int, str]:
        """Hints 1 to 3 of the ladder (the fourth is the answer)."""
        raise NotImplementedError


@dataclass
class GradientExercise(Questions):
    """Ask for dOUT/dnode for the part's nodes, from the output back to the leaves, and grade each."""

    lesson: Part
    inputs: Mapping[str, float] | None = None
    graph: Graph = field(init=False)
    steps: list[BackwardStep] = field(init=False)

    def __post_init__(self) -> None:
        self.graph = self.lesson.build(self.inputs)
        self.steps = backward_steps(self.graph.output)
        self._start(asking_order(self.graph, self.lesson.ask))

    @property
    def output_name(self) -> str:
        """The name of the node whose gradients are asked for (L in the design lesson)."""
        return self.graph.output.label

    def expected(self, name: str) -> float:
        """The engine's gradient of the output with respect to `name`."""
        return self.graph.nodes[name].grad

    def values(self) -> dict[str, float]:
        """Every named node's current value, for answers written with names (`b*f`)."""
        return {node: value.data for node, value in self.graph.nodes.items() if node.isidentifier()}

    def read(self, text: str) -> float:
        """The number a typed answer means; raises ExprError with a sentence when it means none."""
        values = self.values()
        return ex.evaluate_number(text, values, names=list(values))

    def right_words(self, name: str) -> str:
        return f"d{self.output_name}/d{name} = {format_number(self.expected(name))}."

    def wrong_words(self, name: str, answer: float) -> str:
        return f"d{self.output_name}/d{name} is not {format_number(answer)}."

    def explain(self, name: str) -> str:
        return self.chain_rule(name)

    def hint_texts(self, name: str) -> dict[int, str]:
        return {1: self.think_about(name), 2: self.local_rules(name), 3: self.chain_product(name)}

    def diagnose(self, name: str, answer: float) -> Diagnosis | None:
        """Which slip gives exactly this wrong answer, if any rule explains it."""
        nodes = list(self.graph.nodes.values())
        return diagnose(self.graph.nodes[name], answer, nodes, self.graph.output, self.is_close, format_number)

    def nudge(self, name: str, h: float) -> Nudge:
        """Move `name` by h, run the forward pass again, and report the output before and after.

        Raises ExprError, with a sentence, when the nudged forward pass cannot be computed."""
        inputs = {key: node.data for key, node in self.graph.nodes.items() if key in self.lesson.inputs}
        before = self.lesson.forward(inputs)[self.output_name]
        after = self.lesson.forward(inputs, nudge=(name, h))[self.output_name]
        return Nudge(name, h, before, after)

    # --- words -------------------------------------------------------------------------------

    def parents(self, name: str) -> list[tuple[Value, float]]:
        """Each node that uses `name`, with the local derivative d(parent)/d(name) summed over uses."""
        return [(use.parent, use.local) for use in uses_of(self.graph.nodes[name], list(self.graph.nodes.values()))]

    def chain_rule(self, name: str) -> str:
        """The chain rule for `name` with this graph's numbers: dL/dc = dL/dd · ∂d/∂c = -2 · 1 = -2."""
        out = self.output_name
        if name == out:
            return f"d{out}/d{out} = 1: {out} changes exactly as much as itself."
        return f"d{out}/d{name} = {self.chain_terms(name)} = {format_number(self.expected(name))}"

    def chain_terms(self, name: str) -> str:
        """`dL/dd · dd/dc = -2 · 1`: the chain rule's symbols and numbers, one term per path."""
        out, parents = self.output_name, self.parents(name)
        symbols = " + ".join(f"d{out}/d{symbol(p.label)} · {local_symbol(p, name, out)}" for p, _ in parents)
        numbers = " + ".join(f"{format_number(p.grad)} · {signed(local)}" for p, local in parents)
        return f"{symbols} = {numbers}"

    def pointer(self, name: str) -> str:
        """A nudge toward the chain rule for `name`, naming what is already known."""
        out = self.output_name
        if name == out:
            return f"How much does {out} change when {out} itself changes by a little?"
        parents = self.parents(name)
        if len(parents) == 1 and parents[0][0] is self.graph.output:  # no chain: the output uses it directly
            return (f"{_formula(parents[0][0])} uses {name} directly: if {name} grows by a tiny amount and "
                    f"everything else stays put, how much does {out} move for each unit {name} moves?")
        known = ", ".join(f"d{out}/d{symbol(p.label)} = {format_number(p.grad)}" for p, _ in parents)
        local = " and ".join(f"the local derivative {local_symbol(p, name, out)}" for p, _ in parents)
        paths = " Add up every path." if len(parents) > 1 else ""
        return f"Use the chain rule: you know {known}; multiply by {local}.{paths}"

    def think_about(self, name: str) -> str:
        """Hint 1: where the node sits and the question to ask."""
        out = self.output_name
        if name == out:
            return f"If {out} grows by a tiny amount, how much does {out} grow?"
        parents = self.parents(name)
        if len(parents) == 1 and parents[0][0] is self.graph.output:
            return (f"{_formula(parents[0][0])} uses {name} directly: if {name} grows by a tiny amount "
                    f"and everything else stays put, how much does {out} move?")
        via = " and ".join(f"{p.label} ({_formula(p)})" for p, _ in parents)
        known = ", ".join(f"d{out}/d{symbol(p.label)} = {format_number(p.grad)}" for p, _ in parents)
        if len(parents) > 1:
            return (f"{name} is used {len(parents)} times: by {via}. You know {known}; find how each of "
                    f"them reacts to {name}, and add up every path.")
        return (f"{name} reaches {out} only through {via}. You know {known}; "
                f"how does {parents[0][0].label} react to {name}?")

    def local_rules(self, name: str) -> str:
        """Hint 2: the local derivative rule of each parent's operation, with this graph's numbers."""
        out = self.output_name
        if name == out:
            return f"Nothing stands between {out} and itself: the factor is 1."
        node = self.graph.nodes[name]
        return " ".join(local_rule(parent, node, out) for parent, _ in self.parents(name))

    def chain_product(self, name: str) -> str:
        """Hint 3: the chain-rule product written out, waiting for its last multiplication."""
        out = self.output_name
        if name == out:
            return f"d{out}/d{out} = 1."
        return f"d{out}/d{name} = {self.chain_terms(name)}. Work it out."


def _formula(node: Value) -> str:
    """How a node was made, in words for hints: `L = d * f` style, from its op and children."""
    names = [child.label for child in node.children]
    if node.op in ("+", "-", "*", "/") and len(names) == 2:
        return f"{node.label} = {names[0]} {node.op} {names[1]}"
    if node.op.startswith("**"):
        return f"{node.label} = {names[0]}{node.op}"
    if node.op == "neg":
        return f"{node.label} = -{names[0]}"
    return f"{node.label} = {node.op}({', '.join(names)})"


def local_symbol(parent: Value, child: str, output: str) -> str:
    """The local derivative's symbol, `dd/dc`, as the lecture writes it; `∂L/∂d` when the parent
    is the output itself, where `dL/dd` would read the same as the gradient being asked for."""
    if parent.label == output or not output:
        return f"∂{symbol(parent.label)}/∂{symbol(child)}"
    return f"d{symbol(parent.label)}/d{symbol(child)}"


def local_rule(parent: Value, child: Value, output: str = "") -> str:
    """The local derivative ∂parent/∂child in words and numbers, from the parent's operation."""
    p, c, op = parent.label, child.label, parent.op
    local = sum(g for kid, g in zip(parent.children, parent.local_grads, strict=True) if kid is child)
    value = format_number(local)
    where = f"{local_symbol(parent, c, output)} = "
    if op == "+":
        return f"{p} is a sum: nudging {c} moves {p} by the same amount, so {where}1."
    if op == "-":
        subtracted = parent.children[-1] is child and parent.children[0] is not child
        side = "subtracted, so it moves the other way" if subtracted else "added"
        return f"{p} is a difference and {c} is {side}: {where}{value}."
    if op == "*":
        if parent.children[0] is parent.children[1]:
            return f"{p} = {c} · {c}: both factors are {c}, so {where}2·{c} = {value}."
        other = next(kid for kid in parent.children if kid is not child)
        return (f"{p} is a product: nudging {c} moves {p} by the other factor, so "
                f"{where}{other.label} = {format_number(other.data)}.")
    if op == "/":
        if parent.children[0] is child:
            return f"{p} = {c} / {parent.children[1].label}: {where}1/{parent.children[1].label} = {value}."
        return f"{p} = {parent.children[0].label} / {c}: {where}-{p}/{c} = {value}."
    if op.startswith("**"):
        k = op[2:]
        return f"{p} = {c}^{k}: the power rule gives {where}{k}·{c}^({k}-1) = {value}."
    if op == "neg":
        return f"{p} = -{c}: {where}-1."
    if op == "tanh":
        return f"{p} = tanh({c}): {where}1 - tanh({c})² = 1 - {p}² = {value}."
    if op == "exp":
        return f"{p} = exp({c}): exp is its own derivative, so {where}{p} = {value}."
    if op == "log":
        return f"{p} = log({c}): {where}1/{c} = {value}."
    if op == "relu":
        return f"{p} = relu({c}): {where}1 where {c} > 0 and 0 elsewhere; here {value}."
    if op == "sigmoid":
        return f"{p} = sigmoid({c}): {where}{p}·(1 - {p}) = {value}."
    return f"{where}{value}."


def asking_order(graph: Graph, ask: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Nodes to ask about (the part's `ask`, or every named node): the output first, then by
    distance from it; constants are never asked."""
    distance = distances_to_output(graph)
    position = {name: index for index, name in enumerate(graph.nodes)}
    askable = [name for name in graph.nodes if name in (ask or graph.named)]
    return tuple(sorted(askable, key=lambda name: (distance[name], position[name])))


def describe_step(step: BackwardStep, output: str) -> tuple[str, str]:
    """One backward step as the tutor writes it: the `+=` line and the chain rule behind it."""
    line = f"{step.child}.grad += {format_number(step.local_grad)} × {format_number(step.upstream_grad)}"
    if step.child_grad_before == 0:
        line += f" = {format_number(step.child_grad_after)}"
    else:
        line += (f" = {format_number(step.contribution)}, so {step.child}.grad = "
                 f"{format_number(step.child_grad_before)} + {signed(step.contribution)} = "
                 f"{format_number(step.child_grad_after)}")
    node, child = symbol(step.node), symbol(step.child)
    local = f"∂{node}/∂{child}" if step.node == output else f"d{node}/d{child}"
    why = (f"{local} = {format_number(step.local_grad)} (local, {step.node}'s op is "
           f"{step.op}) times d{output}/d{node} = {format_number(step.upstream_grad)} (from above)")
    return line, why


def grads_after(steps: list[BackwardStep], count: int, output: str) -> dict[str, float]:
    """Every gradient as it stands after the first `count` recorded steps (the output's is 1)."""
    grads = {output: 1.0}
    for step in steps[:count]:
        grads[step.child] = step.child_grad_after
    return grads
