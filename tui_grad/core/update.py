"""Parameter updates as data: each step's arithmetic and the forward pass that follows it, and
the update exercise, where the learner works out each parameter's new value by hand."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from tui_grad.core import expr as ex
from tui_grad.core.diagnosis import Diagnosis
from tui_grad.core.exercise import GradientExercise, Questions, format_number, signed
from tui_grad.core.lesson import Part


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
    gradients: tuple[tuple[str, float], ...] = ()
    """Every node's gradient at the point the step started from: what drove it."""

    def new_inputs(self, inputs: Mapping[str, float]) -> dict[str, float]:
        """The inputs after this step: parameters moved, everything else unchanged."""
        return {**inputs, **{p.name: p.after for p in self.parameters}}


def take_steps(lesson: Part, inputs: Mapping[str, float] | None, count: int, first: int = 1) -> list[UpdateStep]:
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
                                tuple((name, node.data) for name, node in after.nodes.items()),
                                tuple((name, node.grad) for name, node in graph.nodes.items())))
    return steps


def describe_move(move: ParameterStep, lesson: Part) -> str:
    """The arithmetic of one move, as the tutor writes it: `a ← 2 + 0.01 × 6 = 2.06`."""
    rule = lesson.update
    sign = "+" if rule.sign > 0 else "−"
    return (f"{move.name} ← {format_number(move.before)} {sign} {format_number(rule.step_size)} × "
            f"{signed(move.grad)} = {format_number(move.after)}")


def describe_rule(lesson: Part) -> str:
    """The lesson's sign convention in words, naming the other one too. The rule is written with a
    parameter name the graph does not use, so it never reads as one of its nodes."""
    out = lesson.output
    taken = set(lesson.inputs) | {assignment.name for assignment in lesson.assignments}
    p = next((name for name in ("p", "w", "θ", "param") if name not in taken), "param")
    step = format_number(lesson.update.step_size)
    if lesson.update.direction == "ascent":
        return (f"Here each parameter {p} steps along the gradient ({p} ← {p} + {step} × d{out}/d{p}), "
                f"which raises {out}. Training usually steps against it ({p} ← {p} − step × d{out}/d{p}) "
                "to lower a loss.")
    return (f"Here each parameter {p} steps against the gradient ({p} ← {p} − {step} × d{out}/d{p}), "
            f"which lowers {out}, as training does with a loss. Stepping along it ({p} ← {p} + step × "
            f"d{out}/d{p}) would raise {out}.")


def gradient_questions(lesson: Part) -> tuple[tuple[str, str], ...]:
    """The gradient questions an update part asks before its step (`("dL/dw", "w")`): every
    parameter's, as every one drives the step, even one whose new value is not asked; none unless
    its update rule says `ask_gradients`."""
    if not lesson.update.ask_gradients:
        return ()
    return tuple((f"d{lesson.output}/d{name}", name) for name in lesson.parameters)


@dataclass
class UpdateExercise(Questions):
    """Ask for each parameter's value after one update step, and name the slip behind a wrong one.
    With `ask_gradients` in the part's update rule, each parameter's gradient is asked first
    (`dL/dw`, graded as a gradient exercise grades it), then the new values."""

    lesson: Part
    inputs: Mapping[str, float] | None = None
    step: UpdateStep = field(init=False)

    def __post_init__(self) -> None:
        self.step = take_steps(self.lesson, self.inputs, 1)[0]
        self.graph = self.lesson.build(self.inputs)  # for the picture: values and structure
        self.grads = dict(self.step.gradients)  # the backward pass the step already ran
        asked = self.lesson.ask or self.lesson.parameters
        self.gradient_questions = dict(gradient_questions(self.lesson))
        """Each gradient question (`dL/dw`) and the parameter it is about, asked before the step."""
        self.gradients = GradientExercise(self.lesson, self.inputs) if self.gradient_questions else None
        """What grades the gradient questions, when there are any."""
        self._start((*self.gradient_questions, *asked))

    @property
    def output_name(self) -> str:
        """The output whose gradients drive the step."""
        return self.graph.output.label

    def move(self, name: str) -> ParameterStep:
        """The engine's move of parameter `name`."""
        return next(move for move in self.step.parameters if move.name == name)

    def _gradient(self, name: str) -> tuple[GradientExercise, str] | None:
        """The gradient exercise and the parameter, when `name` asks a gradient."""
        if self.gradients is not None and name in self.gradient_questions:
            return self.gradients, self.gradient_questions[name]
        return None

    def expected(self, name: str) -> float:
        if asked := self._gradient(name):
            return asked[0].expected(asked[1])
        return self.move(name).after

    def is_close(self, answer: float, expected: float) -> bool:
        return math.isclose(answer, expected, rel_tol=self.lesson.relative_tolerance,
                            abs_tol=max(self.lesson.absolute_tolerance, 1e-12))

    def question(self, name: str) -> str:
        """What is asked, in words: `a after one step`, or the gradient `dL/da`."""
        return name if name in self.gradient_questions else f"{name} after one step"

    def read(self, text: str) -> float:
        if self.gradients is not None and self.current in self.gradient_questions:
            return self.gradients.read(text)
        values = {move.name: move.before for move in self.step.parameters}  # `a + 0.01*6` reads a as now
        return ex.evaluate_number(text, values, names=list(values))

    def right_words(self, name: str) -> str:
        if asked := self._gradient(name):
            return asked[0].right_words(asked[1])
        return f"{name} becomes {format_number(self.expected(name))}."

    def wrong_words(self, name: str, answer: float) -> str:
        if asked := self._gradient(name):
            return asked[0].wrong_words(asked[1], answer)
        return f"{name} does not become {format_number(answer)}."

    def explain(self, name: str) -> str:
        if asked := self._gradient(name):
            return asked[0].explain(asked[1])
        return describe_move(self.move(name), self.lesson)

    def pointer(self, name: str) -> str:
        if asked := self._gradient(name):
            return asked[0].pointer(asked[1])
        move = self.move(name)
        return (f"Start from {name} = {format_number(move.before)} and move it by the step size times its "
                f"gradient, {format_number(self.lesson.update.step_size)} × {format_number(move.grad)}, "
                f"{'along' if self.lesson.update.sign > 0 else 'against'} the gradient.")

    def diagnose(self, name: str, answer: float) -> Diagnosis | None:
        """The update slips: the wrong way, no step size, another node's gradient, only the change
        (a gradient question: the chain-rule slips a gradient exercise names)."""
        if asked := self._gradient(name):
            return asked[0].diagnose(asked[1], answer)
        for found, number in self._slips(name):
            if math.isfinite(number) and math.isclose(answer, number, rel_tol=1e-6, abs_tol=1e-9) and not \
                    math.isclose(number, self.move(name).after, rel_tol=1e-9, abs_tol=1e-12):
                return found
        return None

    def _slips(self, name: str) -> Iterator[tuple[Diagnosis, float]]:
        move, rule = self.move(name), self.lesson.update
        step, sign = rule.step_size, rule.sign
        way, other_way = ("along", "against") if sign > 0 else ("against", "along")
        yield (Diagnosis("update-wrong-way",
                         f"That steps {other_way} the gradient. Here it steps {way} it: "
                         f"{name} {'+' if sign > 0 else '−'} {format_number(step)} × {signed(move.grad)}."),
               move.before - sign * step * move.grad)
        yield (Diagnosis("update-no-step-size",
                         f"That moves {name} by its whole gradient {format_number(move.grad)}. Multiply the gradient "
                         f"by the step size {format_number(step)} first."),
               move.before + sign * move.grad)
        yield (Diagnosis("update-change-only",
                         f"{format_number(sign * step * move.grad)} is only the change. Add it to {name}'s value "
                         f"{format_number(move.before)}."),
               sign * step * move.grad)
        for other, grad in self.grads.items():
            if other != name and not math.isclose(grad, move.grad, rel_tol=1e-9, abs_tol=1e-12):
                yield (Diagnosis("update-wrong-gradient",
                                 f"That used d{self.lesson.output}/d{other} = {format_number(grad)}, the gradient of "
                                 f"{other}. {name} moves with its own gradient, d{self.lesson.output}/d{name} = "
                                 f"{format_number(move.grad)}."),
                       move.before + sign * step * grad)

    def hint_texts(self, name: str) -> dict[int, str]:
        """What to think about, the rule in words, the step written out."""
        if asked := self._gradient(name):
            return asked[0].hint_texts(asked[1])
        move, rule = self.move(name), self.lesson.update
        return {
            1: (f"Which way should {name} go to {'raise' if rule.sign > 0 else 'lower'} {self.lesson.output}? "
                f"Its gradient d{self.lesson.output}/d{name} is {format_number(move.grad)}."),
            2: describe_rule(self.lesson),
            3: (f"{name} ← {format_number(move.before)} {'+' if rule.sign > 0 else '−'} "
                f"{format_number(rule.step_size)} × {signed(move.grad)}. Work it out."),
        }
