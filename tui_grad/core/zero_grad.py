"""The gradient a forgotten zero_grad leaves: one rule, asked wherever a lesson asks it.

In an engine whose backward() adds into `.grad` (micrograd, PyTorch), a second backward() at the
same numbers with no zero_grad() between adds the same gradient again: `.grad` holds it twice over.
`mlp-step` asks it after a network's step; `zero-grad` (lesson 10, two-bugs) asks it before the
learner watches a training loop that forgets the reset. Both ask, grade, diagnose and hint through
this module, so the rule and its named mistakes live here only.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tui_grad.core.diagnosis import Diagnosis
from tui_grad.core.exercise import GradientExercise, format_number, signed

AGAIN = ".grad without zero_grad"
"""Suffix of a zero_grad question: `v1.grad without zero_grad`."""


def question(parameter: str) -> str:
    """The question's name for `parameter`: `m.grad without zero_grad`."""
    return f"{parameter}{AGAIN}"


def parameter_of(name: str) -> str | None:
    """The parameter a zero_grad question is about, or None for any other question."""
    return name[: -len(AGAIN)] if name.endswith(AGAIN) else None


def doubled(grad: float) -> float:
    """What `.grad` holds after the second backward(): the first gradient plus the same again."""
    return grad + grad


def status(parameter: str, count: str) -> str:
    """The status line while the question is asked."""
    return f"▶ {parameter}.grad after a second backward() with no zero_grad()   {count}"


def explain(grad: float) -> str:
    """The working, once the answer is found or shown."""
    return (f"The second backward() adds the same {format_number(grad)} again: "
            f"{format_number(grad)} + {signed(grad)} = {format_number(doubled(grad))}. Reset with zero_grad() "
            "before every backward pass.")


def diagnose(parameter: str, grad: float, answer: float, is_close: Callable[[float, float], bool]) -> Diagnosis | None:
    """The named slip a wrong answer matches: the single gradient, the gradient squared, or a
    gradient cleared to 0 as if backward() reset it."""
    slips = [
        ("zero-grad-replaced", grad, "That is the gradient of one backward() alone, as if the second replaced the "
                                     "first. backward() only adds with +=, so without zero_grad() the old gradient "
                                     "is still there."),
        ("zero-grad-squared", grad * grad, f"That multiplies the two gradients. The second backward() adds its "
                                           f"{format_number(grad)} to the {format_number(grad)} already in "
                                           f"{parameter}.grad; it does not multiply."),
        ("zero-grad-cleared", 0.0, "0 is what zero_grad() leaves, and it was not called. Nothing clears .grad "
                                   "between the two backward() calls."),
    ]
    for code, number, message in slips:
        if number != doubled(grad) and is_close(answer, number):
            return Diagnosis(code, message)
    return None


POINTER = "backward() adds into .grad with += and never resets it; only zero_grad() does."
"""What to try when no named slip explains a wrong answer."""


def hint_texts(parameter: str, grad: float) -> dict[int, str]:
    """Hints 1 to 3 of the ladder (the fourth is the answer)."""
    return {1: "Every _backward adds with +=, and backward() never sets .grad back to 0.",
            2: f"The first backward() left {parameter}.grad = {format_number(grad)}; the second adds its "
               "gradient at the same numbers again.",
            3: f"{format_number(grad)} + {signed(grad)}. Work it out."}


@dataclass
class ZeroGradExercise(GradientExercise):
    """One backward() has run and its gradients are shown; say what each parameter's `.grad` holds
    after a second backward() at the same numbers with no zero_grad() between."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._start(tuple(question(name) for name in self.lesson.parameters))

    def _parameter(self, name: str) -> str:
        parameter = parameter_of(name)
        if parameter is None:
            raise KeyError(f"{name!r} is no zero_grad question")
        return parameter

    def grad(self, parameter: str) -> float:
        """The engine's gradient of the output with respect to `parameter`, after one backward()."""
        return self.graph.nodes[parameter].grad

    def grads(self) -> Mapping[str, float]:
        """Every parameter's gradient after one backward(), as the part shows them."""
        return {name: self.grad(name) for name in self.lesson.parameters}

    def expected(self, name: str) -> float:
        return doubled(self.grad(self._parameter(name)))

    def right_words(self, name: str) -> str:
        return f"{self._parameter(name)}.grad = {format_number(self.expected(name))}."

    def wrong_words(self, name: str, answer: float) -> str:
        return f"{self._parameter(name)}.grad is not {format_number(answer)}."

    def explain(self, name: str) -> str:
        return explain(self.grad(self._parameter(name)))

    def diagnose(self, name: str, answer: float) -> Diagnosis | None:
        parameter = self._parameter(name)
        return diagnose(parameter, self.grad(parameter), answer, self.is_close)

    def pointer(self, name: str) -> str:
        return POINTER

    def hint_texts(self, name: str) -> dict[int, str]:
        parameter = self._parameter(name)
        return hint_texts(parameter, self.grad(parameter))
