"""Your engine: the backward rules the learner wrote in the lesson backward-rules, run over a graph
edge by edge beside the engine's own pass. Nothing is typed: the pass is watched, and the first edge
where the two part is named with the rule that made the difference. The rules come from the attempt
log as text and are only ever interpreted (`your_engine`), never run."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tui_grad.core.exercise import GradientExercise, Questions, format_number, grads_after
from tui_grad.core.kinds.base import Kind
from tui_grad.core.kinds.gradients import GradientsFlow, GradientsKind
from tui_grad.core.lesson import Graph, Part
from tui_grad.core.parts import DONE, REPLAY
from tui_grad.core.rule_exercise import RULES_LESSON, learner_rules, rule_names
from tui_grad.core.views import MARKS, ComparisonRow
from tui_grad.core.your_engine import EngineRun, describe_step, missing_rules, rules_needed, run_your_engine
from tui_grad.engine import BackwardStep


@dataclass
class WatchedGraph(GradientExercise):
    """The graph and the engine's pass, with no question asked: the learner watches."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self._start(())


class YourEngineFlow(GradientsFlow):
    """The learner's rules replayed edge by edge beside the engine's; the boxes show their engine's
    gradients as it goes."""

    subtitle = "your engine"
    default_text = "Your rules run as an engine of their own, beside tui-grad's."

    def __init__(self, part: Part, exercise: Questions | None = None, following: Kind | None = None,
                 rules: Mapping[str, str] | None = None) -> None:
        super().__init__(part, exercise, following)
        graph = self.watched().graph
        self.rules = dict(rules or {})
        self.missing = missing_rules(graph.output, self.rules)
        self.run: EngineRun = run_your_engine(graph.output, self.rules)
        self.steps = self._as_steps()

    def watched(self) -> WatchedGraph:
        """The part's graph and the engine's pass."""
        exercise = self.exercise
        assert isinstance(exercise, WatchedGraph)
        return exercise

    def _as_steps(self) -> list[BackwardStep]:
        """The learner's pass as backward steps the replay can show: each edge's change to the
        child's gradient under their rule (none where the rule is missing or fails)."""
        steps = []
        for recorded, mine in zip(self.watched().steps, self.run.steps, strict=True):
            after = mine.yours if mine.yours is not None else mine.before
            steps.append(BackwardStep(recorded.node, recorded.child, recorded.op, recorded.child_position,
                                      recorded.local_grad, mine.upstream_grad, after - mine.before, mine.before,
                                      after))
        return steps

    def first_phase(self) -> str:
        return DONE if self.missing else REPLAY

    def can_update(self) -> bool:
        return False

    def blocked(self) -> bool:
        return bool(self.missing)

    def replay_name(self) -> str:
        return "your engine beside tui-grad's"

    def replay_steps(self) -> list[BackwardStep]:
        return self.steps

    def replay_grads(self, position: int) -> dict[str, float]:
        """Your engine's gradients after `position` edges."""
        return grads_after(self.steps, position, self.part.output)

    def describe(self, step: BackwardStep) -> tuple[str, str]:
        """Your rule's line and its number beside the engine's; at the first difference, why."""
        index = self.steps.index(step)
        mine = self.run.steps[index]
        text = describe_step(mine)
        if index == self.run.first_difference:
            return text, self.run.verdict()
        engine_rule = f"the engine: {step.child}.grad = {format_number(mine.engine)}"
        return text, engine_rule

    def comparison(self) -> tuple[ComparisonRow, ...]:
        """Each node's gradient from your engine and from tui-grad's."""
        engine = {name: node.grad for name, node in self.watched().graph.nodes.items()}
        yours = {self.part.output: 1.0}
        for step in self.steps:
            yours[step.child] = step.child_grad_after
        rows = []
        for name in self.watched().graph.named:
            if name == self.part.output:
                continue
            same = abs(yours.get(name, 0.0) - engine[name]) <= 1e-9 * max(1.0, abs(engine[name]))
            rows.append(ComparisonRow(name, format_number(yours.get(name, 0.0)), format_number(engine[name]),
                                      MARKS["earned"] if same else "✗ differs"))
        return tuple(rows)

    def opening(self) -> str:
        return self.done_line() if self.missing else ""

    def done_line(self) -> str:
        if self.missing:
            return (f"Your engine has no rule yet for {rule_names(self.missing)}: write them in the lesson "
                    f"'{RULES_LESSON}' first, then come back here.")
        return self.run.verdict() + "."


class YourEngineKind(GradientsKind):
    """`kind = "your-engine"`: a graph (inputs, nodes) the learner's own rules run over, watched."""

    name = "your-engine"
    flow_type = YourEngineFlow
    steps_parameters = False
    reviewable = False

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        return WatchedGraph(part, inputs)

    def questions(self, part: Part) -> tuple[str, ...]:
        return ()

    def flow(self, part: Part, exercise: Questions | None, following: Kind | None,
             history: Sequence[Mapping[str, Any]] = ()) -> YourEngineFlow:
        return YourEngineFlow(part, exercise, following, learner_rules(history))

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        return ()

    def trace_extras(self, graph: Graph, steps: list[BackwardStep]) -> dict[str, Any]:
        """What the learner's engine needs: each rule this graph calls, in the order it calls them."""
        return {"rules_needed": list(rules_needed(graph.output))}


KIND = YourEngineKind()
