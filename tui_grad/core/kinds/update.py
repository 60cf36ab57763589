"""An update step by hand: each parameter's new value after one step, then the step runs and its
forward pass replays. With `ask_gradients = true` each parameter's gradient is asked first, from
the graph, and the graph keeps its gradients hidden until they are found."""

from __future__ import annotations

from collections.abc import Mapping

from tui_grad.core.exercise import Questions, format_number
from tui_grad.core.kinds.base import GraphKind, PartFlow
from tui_grad.core.lesson import Part
from tui_grad.core.parts import UPDATING
from tui_grad.core.skills import skills_of_node
from tui_grad.core.update import UpdateExercise, gradient_questions
from tui_grad.core.views import NodeView


class UpdateFlow(PartFlow):
    """Work out each parameter's value after one step by hand; then the step runs and the forward
    pass is replayed with the new values, and U takes further steps."""

    hint_labels = ("Think", "The rule", "The step", "Answer")
    subtitle = "take a step by hand"
    default_text = "Work out each parameter's new value after one step and type it."

    def after_answers(self) -> str:
        return UPDATING

    def can_update(self) -> bool:
        return True

    def prompt(self, name: str) -> str:
        exercise = self.exercise
        assert isinstance(exercise, UpdateExercise)
        return exercise.question(name)

    def status(self, name: str, values: dict[str, float]) -> str:
        exercise = self.exercise
        assert isinstance(exercise, UpdateExercise)
        if name in exercise.gradient_questions:
            return (f"▶ Find {name}   {self.count(name)}   back from {exercise.output_name} through the graph, "
                    "then the step")
        return (f"▶ New value of {name}   {self.count(name)}   d{exercise.output_name}/d{name} = "
                f"{format_number(exercise.grads[name])}")

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        exercise = self.exercise
        assert isinstance(exercise, UpdateExercise)
        grads = replay if replay is not None else exercise.grads
        pending = [question for question in exercise.gradient_questions if exercise.status[question] == "pending"]
        if pending and replay is None:  # gradients asked first: only those found so far show
            grads = {parameter: exercise.grads[parameter] for question, parameter in exercise.gradient_questions.items()
                     if question not in pending}
        asked = exercise.gradient_questions.get(exercise.current or "", exercise.current)
        views = []
        for name, node in exercise.graph.nodes.items():
            if not node.children and name not in self.part.inputs:
                state, grad = "constant", ""
            else:
                state = ("asked" if name == asked else "unknown" if name not in grads
                         else "given" if name in self.part.parameters else "engine")
                grad = format_number(grads[name]) if name in grads else ""
            title = next((a.text for a in self.part.assignments if a.name == name), name)
            views.append(NodeView(name, title, tuple(child.label for child in node.children),
                                  format_number(values.get(name, node.data)), grad, state))
        return tuple(views)

    def done_line(self) -> str:
        exercise = self.exercise
        assert isinstance(exercise, UpdateExercise)
        last = exercise.order[-1]
        return f"Found: {exercise.right_words(last)}"

    def graph_note(self) -> str:
        rule = self.part.update
        return f"One {rule.direction} step with step size {format_number(rule.step_size)}."


class UpdateKind(GraphKind):
    """`kind = "update"`: the parameters' new values after one step, asked by hand."""

    name = "update"
    flow_type = UpdateFlow
    asks_the_step = True
    attempt_kind = "update"
    ask_what = "parameter"

    def ask_default(self, inputs: Mapping[str, float], parameters: tuple[str, ...]) -> tuple[str, ...]:
        return parameters

    def ask_allowed(self, defined: list[str], parameters: tuple[str, ...]) -> list[str] | tuple[str, ...]:
        return parameters

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return UpdateExercise(part, inputs)

    def questions(self, part: Part) -> tuple[str, ...]:
        return (*(question for question, _ in gradient_questions(part)), *(part.ask or part.parameters))

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        """A new value trains the update; a gradient asked first, the skills of its parameter's node."""
        if isinstance(exercise, UpdateExercise) and exercise.gradients is not None \
                and node in exercise.gradient_questions:
            graph = exercise.gradients.graph
            return tuple(skills_of_node(graph.nodes[exercise.gradient_questions[node]], graph.nodes, graph.output))
        return ("update",)

    def answers_use_step(self, part: Part) -> float | None:
        return part.update.step_size


KIND = UpdateKind()
