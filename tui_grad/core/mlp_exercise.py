"""One training step of a small network as a learner's exercise: gradients by hand into a first-layer
weight, one update step for the part's parameters, and the gradient a forgotten zero_grad leaves.

The gradients are asked exactly as a gradients part asks them (`GradientExercise`: the engine's
numbers, its diagnoses and hints). After them come two kinds of question of this exercise's own:
each parameter's value after one descent step, and what the first parameter's `.grad` would hold
after a second `backward()` without `zero_grad()` in an engine that adds across calls (micrograd,
PyTorch): its gradient twice over.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui_grad.core import zero_grad
from tui_grad.core.diagnosis import Diagnosis
from tui_grad.core.exercise import GradientExercise, format_number, signed
from tui_grad.core.zero_grad import AGAIN

AFTER = " after the step"
"""Suffix of an update question: `v1 after the step`."""


@dataclass
class MlpStepExercise(GradientExercise):
    """Gradients into the first layer, then an update step and the zero_grad question."""

    gradient_questions: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.lesson.ask:  # in the part's own order: ŷ, the output weights, then into the layer
            self.order = tuple(name for name in self.lesson.ask if name in self.order)
        self.gradient_questions = self.order
        extra = tuple(f"{name}{AFTER}" for name in self.lesson.parameters)
        if self.lesson.parameters:
            extra += (zero_grad.question(self.lesson.parameters[0]),)
        self._start(self.order + extra)

    # --- what each question expects ------------------------------------------------------------

    def parameter_of(self, question: str) -> str | None:
        """The parameter an update or zero_grad question is about, or None for a gradient."""
        for suffix in (AFTER, AGAIN):
            if question.endswith(suffix):
                return question[: -len(suffix)]
        return None

    def grad(self, name: str) -> float:
        """The engine's dL/dname."""
        return self.graph.nodes[name].grad

    def expected(self, name: str) -> float:
        parameter = self.parameter_of(name)
        if parameter is None:
            return super().expected(name)
        if name.endswith(AFTER):
            return self.graph.nodes[parameter].data - self.step_size * self.grad(parameter)
        return zero_grad.doubled(self.grad(parameter))

    @property
    def step_size(self) -> float:
        """The descent step the update questions use."""
        return self.lesson.update.step_size

    # --- how they are worded and diagnosed ----------------------------------------------------

    def right_words(self, name: str) -> str:
        if self.parameter_of(name) is None:
            return super().right_words(name)
        return f"{name} = {format_number(self.expected(name))}."

    def wrong_words(self, name: str, answer: float) -> str:
        if self.parameter_of(name) is None:
            return super().wrong_words(name, answer)
        return f"{name} is not {format_number(answer)}."

    def explain(self, name: str) -> str:
        parameter = self.parameter_of(name)
        if parameter is None:
            return super().explain(name)
        grad = self.grad(parameter)
        if name.endswith(AFTER):
            before = self.graph.nodes[parameter].data
            return (f"{parameter} − {format_number(self.step_size)} × d{self.output_name}/d{parameter} = "
                    f"{format_number(before)} − {format_number(self.step_size)} × {signed(grad)} = "
                    f"{format_number(self.expected(name))}: against the gradient, so the loss goes down.")
        return zero_grad.explain(grad)

    def diagnose(self, name: str, answer: float) -> Diagnosis | None:
        parameter = self.parameter_of(name)
        if parameter is None:
            return super().diagnose(name, answer)
        grad, before, step = self.grad(parameter), self.graph.nodes[parameter].data, self.step_size
        if name.endswith(AGAIN):
            return zero_grad.diagnose(parameter, grad, answer, self.is_close)
        slips = [
            ("update-wrong-way", before + step * grad, ("That steps along the gradient, which raises the loss: "
                                                       "subtract step × gradient")),
            ("update-no-step-size", before - grad, ("That subtracts the whole gradient: multiply it by the step "
                                                   f"size {format_number(step)} first")),
            ("update-change-only", -step * grad, (f"That is only the change; add it to {parameter}'s value "
                                                 f"{format_number(before)}")),
        ]
        return next((Diagnosis(code, message) for code, number, message in slips if self.is_close(answer, number)),
                    None)

    def pointer(self, name: str) -> str:
        parameter = self.parameter_of(name)
        if parameter is None:
            return super().pointer(name)
        if name.endswith(AFTER):
            return f"New value = old value − step size × gradient, with d{self.output_name}/d{parameter} from above."
        return zero_grad.POINTER

    def hint_texts(self, name: str) -> dict[int, str]:
        parameter = self.parameter_of(name)
        if parameter is None:
            return super().hint_texts(name)
        grad, before = self.grad(parameter), self.graph.nodes[parameter].data
        if name.endswith(AFTER):
            return {1: "A descent step moves each parameter against its gradient, by the step size times it.",
                    2: f"{parameter} ← {parameter} − {format_number(self.step_size)} × "
                       f"d{self.output_name}/d{parameter}.",
                    3: f"{format_number(before)} − {format_number(self.step_size)} × {signed(grad)}. Work it out."}
        return zero_grad.hint_texts(parameter, grad)
