"""Gradients by hand: find dL/dnode for each node, then watch the engine's backward pass."""

from __future__ import annotations

from collections.abc import Mapping

from tui_grad.core.exercise import (
    EARNED,
    SHOWN,
    GradientExercise,
    Questions,
    describe_step,
    format_number,
    grads_after,
)
from tui_grad.core.kinds.base import GraphKind, PartFlow
from tui_grad.core.lesson import Part, UpdateRule
from tui_grad.core.parts import REPLAY
from tui_grad.core.skills import skills_of_node
from tui_grad.core.views import MARKS, ComparisonRow, NodeView
from tui_grad.engine import BackwardStep


class GradientsFlow(PartFlow):
    """Find dL/dnode for each node by hand, then watch the engine's backward pass; one update step
    follows where the lesson gives the part an update rule of its own and no later part asks it."""


    def after_answers(self) -> str:
        return REPLAY

    def can_nudge(self, name: str) -> bool:
        exercise = self.exercise
        return isinstance(exercise, GradientExercise) and name in exercise.graph.nodes

    def can_update(self) -> bool:
        """Only a part with parameters and an update rule, and never the step the next part asks
        for by hand (that would give its answers away)."""
        return bool(self.part.parameters) and self.part.update != UpdateRule() and not (
            self.following is not None and self.following.asks_the_step)

    def needed(self) -> set[str]:
        """Nodes not asked whose gradient the asked ones are built from (every node above an asked
        one, up to the output); a leaf's gradient would only give the next answer away."""
        exercise = self.exercise
        assert isinstance(exercise, GradientExercise)
        above: set[str] = set()  # nodes with an asked node somewhere beneath them
        for name, node in exercise.graph.nodes.items():  # children are built before their parents
            if any(child.label in exercise.status or child.label in above for child in node.children):
                above.add(name)
        return above - set(exercise.status)

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        exercise = self.exercise
        assert isinstance(exercise, GradientExercise)
        needed = self.needed() if replay is None else set()
        views = []
        for name, node in exercise.graph.nodes.items():
            status = exercise.status.get(name)
            if status is None and not node.children and name not in self.part.inputs:
                state, grad = "constant", ""
            elif replay is not None and not finished:  # the replay: the engine's numbers so far
                state = "asked" if name == active else "engine" if name in replay else "unknown"
                grad = format_number(replay[name]) if name in replay else ""
            elif status is None:
                shown = finished or name in needed
                state, grad = ("given", format_number(node.grad)) if shown else ("hidden", "")
            elif status in (EARNED, SHOWN):
                state = "found" if status == EARNED else "shown"
                grad = format_number(exercise.answers[name])
            else:
                state, grad = ("asked" if name == exercise.current else "unknown"), ""
            views.append(NodeView(name, self.formula_title(name), tuple(child.label for child in node.children),
                                  format_number(values.get(name, node.data)), grad, state))
        return tuple(views)

    def formula_title(self, name: str) -> str:
        """The box's title: the node's assignment, or its name for an input."""
        return next((a.text for a in self.part.assignments if a.name == name), name)

    def comparison(self) -> tuple[ComparisonRow, ...]:
        """Each asked node: the learner's answer, the engine's, and whether it was earned or shown."""
        exercise = self.exercise
        return tuple(ComparisonRow(name, format_number(exercise.answers[name]), format_number(exercise.expected(name)),
                                   MARKS["earned" if exercise.status[name] == EARNED else "shown"])
                     for name in exercise.order)

    def replay_steps(self) -> list[BackwardStep]:
        """The backward steps the replay shows now: the engine's."""
        exercise = self.exercise
        assert isinstance(exercise, GradientExercise)
        return exercise.steps

    def describe(self, step: BackwardStep) -> tuple[str, str]:
        """One replayed step: the `+=` line and the chain rule behind it."""
        return describe_step(step, self.exercise.output_name)

    def replay_grads(self, position: int) -> dict[str, float]:
        """Every gradient as the backward pass stands after `position` steps."""
        exercise = self.exercise
        assert isinstance(exercise, GradientExercise)
        return grads_after(exercise.steps, position, exercise.output_name)


class GradientsKind(GraphKind):
    """`kind = "gradients"`: every asked node's gradient, by hand, then the backward replay."""

    name = "gradients"
    flow_type = GradientsFlow
    reviewable = True

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return GradientExercise(part, inputs)

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        """The skills of a node's gradient (a bug hunt's "which node?" names a node: no skill)."""
        if not isinstance(exercise, GradientExercise) or node not in exercise.graph.nodes:
            return ()
        graph = exercise.graph
        return tuple(skills_of_node(graph.nodes[node], graph.nodes, graph.output))


KIND = GradientsKind()
