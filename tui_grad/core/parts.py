"""One type per kind of part: what the learner does in it, what comes after the answers, which
boxes show what, and how its questions read. `PART_FLOWS` finds the type for a part's kind; the
faces keep their own registries of screens and line renderers under the same kind names.
"""

from __future__ import annotations

import math
from typing import ClassVar

from tui_grad.core.bughunt import WHICH, BugHuntExercise, describe_buggy_step
from tui_grad.core.exercise import EARNED, SHOWN, GradientExercise, describe_step, format_number, grads_after
from tui_grad.core.lesson import LessonError, Part, UpdateRule
from tui_grad.core.tutor import Tutor
from tui_grad.core.update import UpdateExercise, UpdateStep, take_steps
from tui_grad.core.views import MARKS, ComparisonRow, NodeView
from tui_grad.engine import BackwardStep

ANSWERING, REPLAY, UPDATING, DONE, WATCH = "answer", "replay", "update", "done", "watch"
"""The phases of a part: answering by hand, the engine's backward replay, an update step (its
forward pass replayed), finished, or watching a training run."""


class PartFlow:
    """What every kind of part shares: the tutor behind it and the phase that follows the answers."""

    kind: ClassVar[str] = ""
    asks: ClassVar[bool] = True
    """True when the learner types answers in this kind of part."""
    hint_labels: ClassVar[tuple[str, ...]] = ("Think", "Local rule", "Chain rule", "Answer")
    subtitle: ClassVar[str] = "find each gradient"
    default_text: ClassVar[str] = "Work from the output back to the leaves."
    """What the part says first when its lesson file gives it no text of its own."""

    @property
    def hunting(self) -> bool:
        """True while a replay shows a bug whose questions come after it (a bug hunt)."""
        return False

    def replay_name(self) -> str:
        """What the backward replay shows, in a few words."""
        return "the engine's backward pass"

    def __init__(self, tutor: Tutor) -> None:
        self.tutor = tutor
        self.part: Part = tutor.part

    @property
    def exercise(self) -> GradientExercise | UpdateExercise:
        """The part's exercise (kinds that ask questions only)."""
        exercise = self.tutor.exercise
        if exercise is None:
            raise RuntimeError(f"a {self.kind} part asks no questions")
        return exercise

    def first_phase(self) -> str:
        """The phase a learner meets on entering the part (or coming back to it)."""
        return ANSWERING if self.exercise.current is not None else self.after_answers()

    def after_answers(self) -> str:
        """The phase once every answer is in."""
        return DONE

    def can_update(self) -> bool:
        """Whether U (another update step) makes sense once the answers and replay are done."""
        return False

    def prompt(self, name: str) -> str:
        """The question as the answer line asks it: `dL/dd`."""
        return f"d{self.exercise.output_name}/d{name}"

    def prompt_end(self, name: str) -> str:
        """What the answer line puts between the question and the answer: `dL/dd =`."""
        return " ="

    def answer_hint(self, name: str) -> str:
        """What an empty answer field suggests typing."""
        return "a number, a fraction or a little arithmetic; Enter to check"

    def status(self, name: str, values: dict[str, float]) -> str:
        """The status line while `name` is asked."""
        return f"▶ Find {self.prompt(name)}   {self.count(name)}   {self.formula_of(name, values)}"

    def count(self, name: str) -> str:
        """`(3 of 7)`: which question this is."""
        order = self.exercise.order
        return f"({order.index(name) + 1} of {len(order)})"

    def formula_of(self, name: str, values: dict[str, float]) -> str:
        """The assignment that defines `name` (`e = a * b`), or that it is an input."""
        text = next((a.text for a in self.part.assignments if a.name == name), None)
        return text or f"{name} is an input ({format_number(values[name])})"

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        """Every box: by hand, the learner's answers and the gradients they need; in a replay, the
        engine's gradients as they stand; once it is finished, each mark as it was earned."""
        return ()


class GradientsFlow(PartFlow):
    """Find dL/dnode for each node by hand, then watch the engine's backward pass; one update step
    follows where the lesson gives the part an update rule of its own and no later part asks it."""

    kind = "gradients"

    def after_answers(self) -> str:
        return REPLAY

    def can_update(self) -> bool:
        """Only a part with parameters and an update rule, and never the step the next part asks
        for by hand (that would give its answers away)."""
        lesson, index = self.tutor.lesson, self.tutor.part_index
        following = lesson.parts[index + 1:index + 2]
        return bool(self.part.parameters) and self.part.update != UpdateRule() and not (
            following and following[0].kind == "update")

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
            elif status == EARNED or status == SHOWN:
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


class BugHuntFlow(GradientsFlow):
    """The engine run with `=` where `+=` belongs: watch its replay, name the node it got wrong and
    give that node's real gradient; then the real backward pass replays."""

    kind = "bughunt"
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
        return exercise.buggy if self.hunting else exercise.steps

    def describe(self, step: BackwardStep) -> tuple[str, str]:
        if not self.hunting:
            return super().describe(step)
        return describe_buggy_step(step), describe_step(step, self.exercise.output_name)[1]

    def replay_grads(self, position: int) -> dict[str, float]:
        return grads_after(self.replay_steps(), position, self.exercise.output_name)

    def prompt(self, name: str) -> str:
        return "Which node's gradient is wrong" if name == WHICH else f"the real d{self.exercise.output_name}/d{name}"

    def prompt_end(self, name: str) -> str:
        return "?" if name == WHICH else " ="

    def answer_hint(self, name: str) -> str:
        return "a node's name, as its box shows it; Enter to check" if name == WHICH else super().answer_hint(name)

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


class SlopeFlow(GradientsFlow):
    """One slope of a formula, found by nudging its input; no graph is drawn, since its boxes'
    gradients would give the answer away."""

    kind = "slope"
    hint_labels = ("Think", "Estimate", "Each term", "Answer")
    subtitle = "find the slope"
    default_text = ("Nudge the input (each nudge uses a smaller h) and watch the estimate settle; then type "
                    "the slope.")

    def after_answers(self) -> str:
        return DONE

    def can_update(self) -> bool:
        return False

    def prompt(self, name: str) -> str:
        exercise = self.exercise
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


class UpdateFlow(PartFlow):
    """Work out each parameter's value after one step by hand; then the step runs and the forward
    pass is replayed with the new values, and U takes further steps."""

    kind = "update"
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
        return (f"▶ New value of {name}   {self.count(name)}   d{exercise.output_name}/d{name} = "
                f"{format_number(exercise.grads[name])}")

    def nodes(self, values: dict[str, float], replay: dict[str, float] | None = None,
              active: str | None = None, finished: bool = False) -> tuple[NodeView, ...]:
        exercise = self.exercise
        assert isinstance(exercise, UpdateExercise)
        grads = replay if replay is not None else exercise.grads
        views = []
        for name, node in exercise.graph.nodes.items():
            if not node.children and name not in self.part.inputs:
                state, grad = "constant", ""
            else:
                state = "asked" if name == exercise.current else "given" if name in self.part.parameters else "engine"
                grad = format_number(grads[name]) if name in grads else ""
            title = next((a.text for a in self.part.assignments if a.name == name), name)
            views.append(NodeView(name, title, tuple(child.label for child in node.children),
                                  format_number(values.get(name, node.data)), grad, state))
        return tuple(views)


class TrainFlow(PartFlow):
    """Many update steps on a formula, watched: the loss and the fitted line.

    The pace is decided here, for both faces: a run lasts about `run_seconds` at 1× in ticks of at
    least `MIN_TICK` seconds; a formula takes few steps a tick early on and more later (the steps
    done grow with the square of the time), so the first big moves can be watched and the long
    fine-tuning does not drag."""

    kind = "train"
    asks = False
    subtitle = "watch it train"
    default_text = ""
    run_seconds: ClassVar[float] = 5.0
    """How long a whole run lasts at 1×, whatever its step count (a very long one may lag)."""
    MIN_TICK: ClassVar[float] = 0.05
    """The shortest pause between two redraws at 1×."""

    def first_phase(self) -> str:
        return WATCH

    @property
    def total_steps(self) -> int:
        """The update steps the run takes."""
        return self.part.update.steps

    def tick_seconds(self) -> float:
        """Seconds between two ticks of the run at 1×."""
        return max(self.run_seconds / max(self.total_steps, 1), self.MIN_TICK)

    def ticks(self) -> int:
        """Ticks in a whole run at 1×."""
        return max(1, min(self.total_steps, round(self.run_seconds / self.MIN_TICK)))

    def steps_per_tick(self, position: int) -> int:
        """Steps the next tick takes from `position`: one for a short run; for a long one, with s
        steps done after t of T ticks, s = total·(t/T)², so ds/dt = 2·sqrt(s·total)/T."""
        total, ticks = self.total_steps, self.ticks()
        if total <= ticks:  # a short run: one step a tick, each one seen
            return 1
        return max(1, math.ceil(2 * math.sqrt(position * total) / ticks))

    def report_every(self) -> int:
        """Line mode prints one line every this many steps (a tenth of the way)."""
        return max(1, self.total_steps // 10)


class NetworkFlow(TrainFlow):
    """A small network trained on a toy dataset, watched: the loss and the decision boundary.

    One step at a time, evenly: the small network's 100 steps take 15 s at 1×, slow enough to
    watch the boundary bend (a step takes about 16 ms to compute)."""

    kind = "network"
    run_seconds = 15.0

    @property
    def total_steps(self) -> int:
        network = self.part.network
        return network.steps if network is not None else 0

    def steps_per_tick(self, position: int) -> int:
        return max(1, math.ceil(self.total_steps / self.ticks()))

    def failure(self, step: int, reason: str) -> str:
        """Why training stopped at `step` (a weight or the loss overflowed), and what to try."""
        network = self.part.network
        size = format_number(network.step_size) if network is not None else "?"
        return (f"Training stopped at step {step}: {reason}. The step size {size} is too large for this "
                "network; try a smaller one.")


PART_FLOWS: dict[str, type[PartFlow]] = {flow.kind: flow for flow in
                                         (GradientsFlow, SlopeFlow, UpdateFlow, TrainFlow, NetworkFlow, BugHuntFlow)}
"""The flow type of each part kind (the same keys as `tui_grad.core.lesson.PART_KINDS`)."""


def first_update(part: Part, inputs: dict[str, float]) -> UpdateStep | None:
    """The first update step of a part with parameters, for text that quotes where it leads."""
    if not part.parameters or not part.assignments:
        return None
    try:
        return take_steps(part, inputs, 1)[0]
    except (LessonError, ArithmeticError):  # a step that leaves the formula's domain: no number to quote
        return None
