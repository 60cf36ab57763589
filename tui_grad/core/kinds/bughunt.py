"""The bug hunt: the engine run with `=` where `+=` belongs; name the node it got wrong and give
that node's real gradient, then the real backward pass replays."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from tui_grad.core.bughunt import (
    WHICH,
    BugHuntExercise,
    buggy_steps,
    describe_buggy_step,
)
from tui_grad.core.exercise import (
    EARNED,
    Questions,
    describe_step,
    format_number,
    grads_after,
)
from tui_grad.core.kinds.base import trace_step
from tui_grad.core.kinds.gradients import GradientsFlow, GradientsKind
from tui_grad.core.lesson import Graph, Part
from tui_grad.core.parts import ANSWERING, REPLAY
from tui_grad.core.tables import TableReader
from tui_grad.core.views import MARKS, ComparisonRow, NodeView
from tui_grad.engine import BackwardStep, backward_steps


class BugHuntFlow(GradientsFlow):
    """The engine run with `=` where `+=` belongs: watch its replay, name the node it got wrong and
    give that node's real gradient; then the real backward pass replays."""

    hint_labels = ("Think", "Look again", "The node", "Answer")
    subtitle = "find the bug"
    default_text = ("This engine has a bug: its backward pass sets each gradient with `=` where it should add "
                    "with `+=`. Watch it run, then find the node whose gradient came out wrong.")

    @property
    def hunting(self) -> bool:
        """True until every answer is in: the replay and the boxes show the buggy engine's numbers."""
        return self.exercise.current is not None

    def first_phase(self) -> str:
        exercise = self.exercise
        watched = any(status != "pending" for status in exercise.status.values())
        return ANSWERING if exercise.current is not None and watched else REPLAY

    def can_update(self) -> bool:
        return False

    def replay_name(self) -> str:
        return "the buggy engine's backward pass" if self.hunting else super().replay_name()

    def replay_steps(self) -> list[BackwardStep]:
        exercise = self.exercise
        assert isinstance(exercise, BugHuntExercise)
        steps = exercise.buggy if self.hunting else exercise.steps
        # a constant's gradient (c = 3 * a: "3.grad = 3") is no step of the lesson: nothing uses it
        return [step for step in steps if step.child in self.part.inputs or step.child in exercise.graph.named]

    def describe(self, step: BackwardStep) -> tuple[str, str]:
        if not self.hunting:
            return super().describe(step)
        # the lost gradient is what the learner is to find: said once they have answered, not before
        return describe_buggy_step(step, tell_loss=False), describe_step(step, self.exercise.output_name)[1]

    def replay_grads(self, position: int) -> dict[str, float]:
        return grads_after(self.replay_steps(), position, self.exercise.output_name)

    def prompt(self, name: str) -> str:
        return "Which node's gradient is wrong" if name == WHICH else f"the real d{self.exercise.output_name}/d{name}"

    def prompt_end(self, name: str) -> str:
        return "?" if name == WHICH else " ="

    def answer_hint(self, name: str) -> str:
        return "a node's name, as its box shows it; Enter to check" if name == WHICH else super().answer_hint(name)

    def answer_form(self, name: str) -> str:
        return "a node's name, as the graph shows it" if name == WHICH else super().answer_form(name)

    def status(self, name: str, values: dict[str, float]) -> str:
        if name == WHICH:
            return f"▶ Which node's gradient did the bug get wrong?   {self.count(name)}   type its name"
        return f"▶ What should d{self.exercise.output_name}/d{name} be?   {self.count(name)}"

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        exercise = self.exercise
        assert isinstance(exercise, BugHuntExercise)
        if (replay is not None and not finished) or not self.hunting:
            return super().nodes(values, replay, active, finished)
        views = []
        for name, node in exercise.graph.nodes.items():
            if not node.children and name not in self.part.inputs:
                state, grad = "constant", ""
            else:
                state = "asked" if name == exercise.current else "given"
                grad = format_number(exercise.buggy_grads.get(name, 0.0))
            views.append(NodeView(name, self.formula_title(name), tuple(c.label for c in node.children),
                                  format_number(values.get(name, node.data)), grad, state))
        return tuple(views)

    def comparison(self) -> tuple[ComparisonRow, ...]:
        exercise = self.exercise
        assert isinstance(exercise, BugHuntExercise)
        return tuple(ComparisonRow(name, format_number(exercise.answers[name]), format_number(exercise.expected(name)),
                                   MARKS["earned" if exercise.status[name] == EARNED else "shown"])
                     for name in exercise.wrong)


class BugHuntKind(GradientsKind):
    """`kind = "bughunt"`: a graph with a node used twice whose paths both carry gradient."""

    name = "bughunt"
    flow_type = BugHuntFlow
    reviewable = False

    def check(self, reader: TableReader, part: Part, graph: Graph) -> None:
        if not bug_shows(graph):
            raise reader.fail("with these inputs `=` in place of `+=` changes no gradient: a bughunt part needs a "
                              "node used twice whose paths both carry gradient", "nodes")

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return BugHuntExercise(part, inputs)

    def trace_extras(self, graph: Graph, steps: list[BackwardStep]) -> dict[str, Any]:
        """What the learner watches first: the same steps with `=` for `+=`."""
        return {"buggy_backward": [trace_step(record) | {"lost": record.child_grad_before}
                                   for record in buggy_steps(steps, graph.output.label)]}


def bug_shows(graph: Graph) -> bool:
    """True when the `=`-for-`+=` bug gets some gradient of the graph wrong."""
    steps = backward_steps(graph.output)
    buggy: dict[str, float] = {}
    for step in buggy_steps(steps, graph.output.label):
        buggy[step.child] = step.child_grad_after
    return any(not math.isclose(buggy.get(name, node.grad), node.grad, rel_tol=1e-9, abs_tol=1e-12)
               for name, node in graph.nodes.items())


KIND = BugHuntKind()
