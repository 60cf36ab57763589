"""One slope of a formula, found by nudging its input: no graph is drawn, since its boxes' gradients
would give the answer away, and the hints and diagnoses speak of terms, not paths."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tui_grad.core import expr as ex
from tui_grad.core.diagnosis import Diagnosis
from tui_grad.core.exercise import (
    EARNED,
    NUDGE_SIZES,
    GradientExercise,
    Questions,
    format_number,
    written_sum,
)
from tui_grad.core.kinds.base import GraphKind
from tui_grad.core.kinds.gradients import GradientsFlow
from tui_grad.core.lesson import Part
from tui_grad.core.parts import DONE
from tui_grad.core.tables import TableReader
from tui_grad.core.views import NodeView


@dataclass
class SlopeExercise(GradientExercise):
    """The slope of the output at one input, graded like a gradient but worded as a slope."""

    def chain_rule(self, name: str) -> str:
        out = self.output_name
        return (f"As h shrinks, ({out}({name}+h) − {out}({name}))/h settles on {format_number(self.expected(name))}: "
                f"the slope of {out} at {name} = {format_number(self.graph.nodes[name].data)}.")

    def pointer(self, name: str) -> str:
        out = self.output_name
        return (f"Nudge {name} by smaller and smaller h ({{{{key:nudge}}}}) and watch where ({out}({name}+h) − "
                f"{out}({name}))/h settles.")

    def diagnose(self, name: str, answer: float) -> Diagnosis | None:
        """A coarse estimate read as the slope, one term's slope, a sign slip, a value for the slope, or
        a close one, each worded for slopes: no graph, no paths, and no chain rule yet."""
        for h in NUDGE_SIZES[:4]:
            try:
                estimate = self.nudge(name, h).estimate
            except ex.ExprError:  # the nudge leaves the function's domain: no estimate to match
                continue
            if math.isclose(answer, estimate, rel_tol=1e-4) and not self.is_close(estimate, self.expected(name)):
                return Diagnosis("coarse-estimate",
                                 f"{format_number(answer)} is the estimate with h = {format_number(h)}. A "
                                 "smaller h gets closer to the slope itself: keep nudging.")
        found = super().diagnose(name, answer)
        if found is None:
            return None
        out, point = self.output_name, format_number(self.graph.nodes[name].data)
        if found.code == "one-path":
            return Diagnosis("one-term", f"{format_number(answer)} is the slope of only some of the terms of "
                                         f"{out} that contain {name}. Each of them adds its own slope: add them all.")
        if found.code == "sign":
            return Diagnosis("sign", f"Right size, wrong sign: when {name} grows a little from {point}, does {out} "
                                     "go up (a positive slope) or down (a negative one)? Nudge and look.")
        if found.code == "value-not-gradient":
            named = [name, out, *(label for label in self.graph.nodes if label.isidentifier())]
            which = next((label for label in named if self.is_close(answer, self.graph.nodes[label].data)), out)
            return Diagnosis("value-not-gradient",
                             f"{format_number(answer)} is the value of {which} at {name} = {point}, not the slope: "
                             f"the slope says how much {out} moves for each unit {name} moves.")
        if found.code == "rounded":
            return Diagnosis("rounded", f"Close: keep more digits. {format_number(answer)} is within 1% of the "
                                        "slope but not it: nudge with a smaller h and read more of its digits.")
        return None

    def hint_texts(self, name: str) -> dict[int, str]:
        """The ladder for a slope: what a slope is, nudges small enough to read it, each term's share."""
        out = self.output_name
        try:
            small = [self.nudge(name, h) for h in (0.001, 0.0001)]
        except ex.ExprError:
            small = []
        shares = [step.contribution for step in self.steps if step.child == name]
        return {
            1: f"The slope says how much {out} moves per unit of {name}, for a tiny move: nudge {name} by h, "
               f"see how far {out} moves, and divide by h.",
            2: ("With h = " + " and h = ".join(f"{format_number(n.h)} the estimate is {format_number(n.estimate)}"
                                              for n in small) + ". Where is it heading?") if small else
               f"{name} cannot be nudged here without leaving where {out} is defined: think of each term's slope.",
            3: f"Each term of {out} that contains {name} adds its own slope: "
               + written_sum(sorted(shares, reverse=True)) + ". Work it out.",
        }



class SlopeFlow(GradientsFlow):
    """One slope of a formula, found by nudging its input; no graph is drawn, since its boxes'
    gradients would give the answer away."""

    hint_labels = ("Think", "Estimate", "Each term", "Answer")
    draws_graph = False
    subtitle = "find the slope"
    default_text = ("Nudge the input (each nudge uses a smaller h) and watch the estimate settle; then type "
                    "the slope.")

    def after_answers(self) -> str:
        return DONE

    def can_update(self) -> bool:
        return False

    def prompt(self, name: str) -> str:
        exercise = self.exercise
        assert isinstance(exercise, GradientExercise)
        return f"slope d{exercise.output_name}/d{name} at {name} = {format_number(exercise.graph.nodes[name].data)}"

    def prompt_end(self, name: str) -> str:
        return ":"

    def status(self, name: str, values: dict[str, float]) -> str:
        out = self.exercise.output_name
        return f"▶ Find the {self.prompt(name)}   {self.formula_of(out, values)}"

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        return ()

    def picture(self, values: dict[str, float]) -> tuple[str, str]:
        """The function and the point in place of a graph: `f = 3*x**2 - 4*x + 5` and
        `at x = 3:  f = 20   slope ?` (the slope with its mark once found or shown)."""
        exercise = self.exercise
        out, x = exercise.output_name, exercise.order[0]
        found = exercise.answers.get(x)
        slope = "?" if found is None else ("✓ " if exercise.status[x] == EARNED else "~ ") + format_number(found)
        return (self.formula_of(out, values),
                f"at {x} = {format_number(values[x])}:  {out} = {format_number(values[out])}   slope {slope}")


class SlopeKind(GraphKind):
    """`kind = "slope"`: the slope at exactly one input (the first, unless `ask` names another)."""

    name = "slope"
    flow_type = SlopeFlow
    drawn = False
    attempt_kind = "slope"

    def ask_default(self, inputs: Mapping[str, float], parameters: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(inputs)[:1]

    def read_ask(self, reader: TableReader, table: dict[str, Any], inputs: Mapping[str, float], defined: list[str],
                 parameters: tuple[str, ...]) -> tuple[str, ...]:
        names = super().read_ask(reader, table, inputs, defined, parameters)
        if len(names) != 1:
            raise reader.fail("a slope part asks about exactly one input, like ask = [\"x\"]", "ask")
        return names

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return SlopeExercise(part, inputs)


KIND = SlopeKind()
