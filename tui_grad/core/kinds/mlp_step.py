"""One training step of a small network by hand: gradients from the loss into a first-layer weight,
an update step for the part's parameters, and the gradient a forgotten zero_grad leaves; then the
engine's backward pass replays. The network is too deep to draw as boxes at 80x24, so the screen
shows its layers as two lines of numbers instead."""

from __future__ import annotations

from collections.abc import Mapping

from tui_grad.core import zero_grad
from tui_grad.core.exercise import Questions, format_number
from tui_grad.core.kinds.gradients import GradientsFlow, GradientsKind
from tui_grad.core.lesson import Graph, Part
from tui_grad.core.mlp_exercise import MlpStepExercise
from tui_grad.core.tables import TableReader
from tui_grad.core.views import ComparisonRow

NETWORK_NODES = ("z1", "h1", "z2", "h2", "yhat")
"""The named nodes the network picture shows: both neurons and the output."""


class MlpStepFlow(GradientsFlow):
    """The gradients, the step and zero_grad by hand, then the engine's backward pass."""

    draws_graph = False
    subtitle = "a network step by hand"
    default_text = "Work back from the loss into the first layer; then one step by hand."

    def mlp(self) -> MlpStepExercise:
        """The part's exercise."""
        exercise = self.exercise
        assert isinstance(exercise, MlpStepExercise)
        return exercise

    def prompt(self, name: str) -> str:
        if self.mlp().parameter_of(name) is None:
            return super().prompt(name)
        return name

    def answer_hint(self, name: str) -> str:
        if self.mlp().parameter_of(name) is None:
            return super().answer_hint(name)
        return "a number or a little arithmetic; Enter"  # after `v1.grad without zero_grad =`, in 80 columns

    def status(self, name: str, values: dict[str, float]) -> str:
        exercise = self.mlp()
        parameter = exercise.parameter_of(name)
        if parameter is None:
            return f"▶ Find {self.prompt(name)}   {self.count(name)}   {self.formula_of(name, values)}"
        if zero_grad.parameter_of(name) is not None:
            return zero_grad.status(parameter, self.count(name))
        return (f"▶ {parameter} after one step of {format_number(exercise.step_size)}   {self.count(name)}   "
                f"d{exercise.output_name}/d{parameter} = {format_number(exercise.grad(parameter))}")

    def picture(self, values: dict[str, float]) -> tuple[str, str]:
        """The layer and the output with their numbers (tanh's outputs to four places, as the text
        says a learner may use them)."""
        def shown(name: str) -> str:
            return format_number(round(values[name], 4)) if name in values else "?"

        output = self.part.output
        layer = (f"z1 = {shown('z1')}  h1 = tanh(z1) = {shown('h1')}   "
                 f"z2 = {shown('z2')}  h2 = tanh(z2) = {shown('h2')}")
        top = (f"yhat = v1·h1 + v2·h2 + c = {shown('yhat')}   y = {shown('y')}   "  # named as the questions name it
               f"{output} = (yhat − y)² = {shown(output)}")
        return layer, top

    def needed(self) -> set[str]:
        """No gradient is given: the unnamed steps above an asked node (v1·h1) would give away the
        one before it (ŷ); the learner works each out from the last."""
        return set()

    def comparison(self) -> tuple[ComparisonRow, ...]:
        """The gradients only: the step and zero_grad answers were checked as they were typed."""
        questions = set(self.mlp().gradient_questions)
        return tuple(row for row in super().comparison() if row.node in questions)


class MlpStepKind(GradientsKind):
    """`kind = "mlp-step"`: a network's gradients into its first layer by hand (`ask`, in the order
    asked), then one step for `parameters` at `step_size`, then what a forgotten zero_grad leaves."""

    name = "mlp-step"
    flow_type = MlpStepFlow
    drawn = False
    reviewable = False

    def check(self, reader: TableReader, part: Part, graph: Graph) -> None:
        if not part.ask:
            raise reader.fail("an mlp-step part needs ask = [...]: the gradients to find, in the order asked",
                              "kind")
        if not part.parameters:
            raise reader.fail('an mlp-step part needs parameters = ["v1", "w11"]: the weights the step moves',
                              "kind")
        missing = [name for name in NETWORK_NODES if name not in graph.nodes]
        if missing:
            raise reader.fail(f"an mlp-step part draws a layer z1, h1, z2, h2 and an output yhat; "
                              f"'{missing[0]}' is not a node", "nodes")

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return MlpStepExercise(part, inputs)

    def questions(self, part: Part) -> tuple[str, ...]:
        exercise = MlpStepExercise(part)
        return exercise.order

    def attempt_kind_of(self, exercise: Questions, node: str) -> str:
        if isinstance(exercise, MlpStepExercise) and exercise.parameter_of(node) is not None:
            return "update"
        return self.attempt_kind

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        if isinstance(exercise, MlpStepExercise) and exercise.parameter_of(node) is not None:
            return ("update",)
        return super().skills_of(exercise, node)

    def answers_use_step(self, part: Part) -> float | None:
        return part.update.step_size


KIND = MlpStepKind()
