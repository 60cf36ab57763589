"""What a forgotten zero_grad leaves: one backward() has run and its gradients are shown; the
learner says what each parameter's `.grad` holds after a second backward() at the same numbers.
Lesson 10 asks it before the learner watches a training loop that never resets its gradients."""

from __future__ import annotations

from collections.abc import Mapping

from tui_grad.core import zero_grad
from tui_grad.core.exercise import Questions, format_number
from tui_grad.core.kinds.base import GraphKind, PartFlow
from tui_grad.core.lesson import Graph, Part
from tui_grad.core.tables import TableReader
from tui_grad.core.zero_grad import ZeroGradExercise


class ZeroGradFlow(PartFlow):
    """The gradients of one backward() as two lines of numbers; each parameter's `.grad` after a
    second backward() by hand, each answer checked as it is typed."""

    draws_graph = False
    hint_labels = ("Think", "The first call", "The sum", "Answer")
    subtitle = "a second backward()"
    default_text = "One backward() has run. Say what a second one, with no zero_grad() between, leaves in .grad."

    def zero_grad(self) -> ZeroGradExercise:
        """The part's exercise."""
        exercise = self.exercise
        assert isinstance(exercise, ZeroGradExercise)
        return exercise

    def prompt(self, name: str) -> str:
        return f"{zero_grad.parameter_of(name)}.grad after the second backward()"

    def status(self, name: str, values: dict[str, float]) -> str:
        return zero_grad.status(str(zero_grad.parameter_of(name)), self.count(name))

    def picture(self, values: dict[str, float]) -> tuple[str, str]:
        """The parameters and the output at these numbers, then the gradients one backward() left."""
        exercise = self.zero_grad()
        output = exercise.output_name
        where = "   ".join(f"{name} = {format_number(values[name])}" for name in self.part.parameters)
        grads = "   ".join(f"{name}.grad = {format_number(grad)}" for name, grad in exercise.grads().items())
        return f"{where}   {output} = {format_number(values[output])}", f"after one backward():   {grads}"

    def done_line(self) -> str:
        exercise = self.zero_grad()
        found = exercise.order[0]
        return f"Found: {exercise.right_words(found)[:-1]} after two backward() calls."


class ZeroGradKind(GraphKind):
    """`kind = "zero-grad"`: a graph and its `parameters`; what each one's `.grad` holds after a
    second backward() with no zero_grad() between."""

    name = "zero-grad"
    flow_type = ZeroGradFlow
    drawn = False
    reviewable = False

    def check(self, reader: TableReader, part: Part, graph: Graph) -> None:
        if not part.parameters:
            raise reader.fail('a zero-grad part needs parameters = ["m", "b"]: the gradients it asks about',
                              "kind")

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return ZeroGradExercise(part, inputs)

    def questions(self, part: Part) -> tuple[str, ...]:
        return ZeroGradExercise(part).order

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        """No gradient rule is asked: the question is about the engine, not a node's derivative."""
        return ()


KIND = ZeroGradKind()
