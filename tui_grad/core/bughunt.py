"""The bug every backprop writer makes once: a node used twice whose gradient is *set* with `=`
where the engine *adds* with `+=`. The learner watches the engine run with that bug switched on,
names the node whose gradient came out wrong, and says what it should be; then the real backward
pass replays beside it.

The buggy pass is computed from the engine's own recorded steps (which edge, its local derivative),
replaying them with `=`: nothing here takes a derivative of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from tui_grad.core import expr as ex
from tui_grad.core.exercise import GradientExercise, Verdict, format_number, grads_after
from tui_grad.engine import BackwardStep

WHICH = "which"
"""The first question: which node's gradient came out wrong."""


def buggy_steps(steps: list[BackwardStep], output: str) -> list[BackwardStep]:
    """The engine's steps replayed with `child.grad = local × parent.grad` (the bug) in place of
    `+=`: a later path overwrites an earlier one, and what flows on from it is wrong too."""
    grads: dict[str, float] = {output: 1.0}
    result = []
    for step in steps:
        upstream = grads.get(step.node, 0.0)
        contribution = step.local_grad * upstream
        before = grads.get(step.child, 0.0)
        grads[step.child] = contribution
        result.append(replace(step, upstream_grad=upstream, contribution=contribution, child_grad_before=before,
                              child_grad_after=contribution))
    return result


def describe_buggy_step(step: BackwardStep, tell_loss: bool = True) -> str:
    """One buggy step: `a.grad = 3 × 1 = 3`, and what it threw away (unless `tell_loss` is False:
    while the learner is still to say which gradient came out wrong, that would tell them)."""
    text = (f"{step.child}.grad = {format_number(step.local_grad)} × {format_number(step.upstream_grad)} = "
            f"{format_number(step.contribution)}")
    if step.child_grad_before != 0 and tell_loss:
        text += f"   (the {format_number(step.child_grad_before)} it held is lost)"
    return text


@dataclass
class BugHuntExercise(GradientExercise):
    """Which node did the bug get wrong, and what is its gradient really?"""

    buggy: list[BackwardStep] = field(init=False)
    wrong: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.buggy = buggy_steps(self.steps, self.output_name)
        buggy = grads_after(self.buggy, len(self.buggy), self.output_name)
        self.wrong = tuple(name for name in self.graph.named
                           if not self.is_close(buggy.get(name, 0.0), self.graph.nodes[name].grad))
        self.buggy_grads = buggy
        # The node the bug hit: wrong, and used more than once (what flows on from it is wrong too).
        self.culprit = next((name for name in self.wrong if len(self.parents(name)) > 1), self.wrong[0])
        self._start((WHICH, *self.wrong))

    def expected(self, name: str) -> float:
        if name == WHICH:
            return float(list(self.graph.nodes).index(self.culprit))
        return super().expected(name)

    def read(self, text: str) -> float:
        if self.current == WHICH:
            name = text.strip()
            if name not in self.graph.nodes:
                raise ex.ExprError(f"there is no node called '{name}': type one of {', '.join(self.graph.named)}")
            return float(list(self.graph.nodes).index(name))
        return super().read(text)

    def submit(self, text: str) -> Verdict:
        verdict = super().submit(text)
        return replace(verdict, understood=None) if verdict.node == WHICH else verdict  # a name, not a number

    def right_words(self, name: str) -> str:
        if name == WHICH:
            bad = self.culprit
            return (f"{bad}'s gradient is the wrong one: the bug left it at {format_number(self.buggy_grads[bad])}.")
        return super().right_words(name)

    def wrong_words(self, name: str, answer: float) -> str:
        if name == WHICH:
            picked = list(self.graph.nodes)[int(answer)]
            return f"{picked}'s gradient is right: only one path reaches it, so `=` and `+=` agree there."
        return super().wrong_words(name, answer)

    def explain(self, name: str) -> str:
        if name == WHICH:
            bad = self.culprit
            return (f"{bad} is used {len(self.parents(bad))} times, so its gradient needs one `+=` per use; "
                    f"with `=`, the last path overwrote the others.")
        return super().explain(name)

    def diagnose(self, name: str, answer: float):  # type: ignore[no-untyped-def]
        return None if name == WHICH else super().diagnose(name, answer)

    def pointer(self, name: str) -> str:
        if name == WHICH:
            return "Look for a node used more than once: its gradient should collect one contribution per use."
        return super().pointer(name)

    def hint_texts(self, name: str) -> dict[int, str]:
        if name != WHICH:
            return super().hint_texts(name)
        bad = self.culprit
        return {1: "The bug only matters where a node gets more than one contribution. Which node feeds two others?",
                2: "Read the replay again: which `.grad = ` line threw away the number the node already held?",
                3: f"{bad} feeds {' and '.join(p.label for p, _ in self.parents(bad))}. Type its name."}
