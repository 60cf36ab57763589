"""Backward rules written as code: for each op the part names, one line per input, checked by the
whitelist parser and its interpreter (never run). No graph: the screen shows the op's code and the
lines written so far."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from tui_grad.core.exercise import EARNED, SHOWN, Questions
from tui_grad.core.kinds.base import Kind, PartFlow
from tui_grad.core.lesson import Part
from tui_grad.core.rule_checker import OPS, points
from tui_grad.core.rule_exercise import (
    RULE_ATTEMPT_KIND,
    RuleExercise,
    rule_keys,
    split_key,
)
from tui_grad.core.tables import TableReader

RULES_SKILL = "rules"
"""The skill a rule line exercises."""


class RulesFlow(PartFlow):
    """Write each input's line of each op's `_backward`; once all are in, the part is done."""

    hint_labels = ("Think", "Local slope", "The line", "Answer")
    subtitle = "write the backward rules"
    default_text = "Write one line per input: the local slope times out.grad, added with +=."
    draws_graph = False

    def rules(self) -> RuleExercise:
        """The part's exercise."""
        exercise = self.exercise
        assert isinstance(exercise, RuleExercise)
        return exercise

    def prompt(self, name: str) -> str:
        _, target = split_key(name)
        return f"{target}'s line"

    def prompt_end(self, name: str) -> str:
        return ":"

    def answer_hint(self, name: str) -> str:
        _, target = split_key(name)  # no example line: for one of the questions it would be the answer
        return f"{target}.grad += (local slope) * out.grad; Enter to check"

    def answer_form(self, name: str) -> str:
        _, target = split_key(name)
        return f"one line of code, {target}.grad += (local slope) * out.grad (never run: the tutor reads it)"

    def status(self, name: str, values: dict[str, float]) -> str:
        op, target = split_key(name)
        return f"▶ {OPS[op].forward}: write {target}'s line   {self.count(name)}"

    def done_line(self) -> str:
        exercise = self.rules()
        earned = sum(state == EARNED for state in exercise.status.values())
        return f"All {len(exercise.order)} lines in: {earned} written by you, {len(exercise.order) - earned} shown."

    def picture(self, values: dict[str, float]) -> tuple[str, str]:
        """The op being written and the lines so far: `out = self * other` and
        `✓ self.grad += other.data * out.grad   ▶ other's line`."""
        exercise = self.rules()
        asked = exercise.current or exercise.order[-1]
        op, _ = split_key(asked)
        marks = []
        for key in rule_keys((op,)):
            state = exercise.status[key]
            if state in (EARNED, SHOWN):
                marks.append(("✓ " if state == EARNED else "~ ") + (exercise.texts.get(key) or f"{key} written"))
            else:
                marks.append(f"{'▶' if key == exercise.current else '…'} {split_key(key)[1]}'s line")
        return f"def _backward():   # {OPS[op].forward}", "   ".join(marks)


class RulesKind(Kind):
    """`kind = "rules"` with `ops = ["add", "mul"]`: the learner writes each op's backward rule."""

    name = "rules"
    flow_type = RulesFlow
    remembers = True
    attempt_kind = RULE_ATTEMPT_KIND

    def read(self, reader: TableReader, table: dict[str, Any], where: str, common: dict[str, Any]) -> Part:
        ops = reader.field(table, "ops", list, where, 'ops = ["add", "mul"]')
        known = ", ".join(OPS)
        if not ops:
            raise reader.fail(f"'ops' names no operation (ops: {known})", "ops")
        for op in ops:
            if not isinstance(op, str) or op not in OPS:
                raise reader.fail(f"'ops' lists {op!r}, which has no backward rule to write (ops: {known})", "ops")
        if len(set(ops)) != len(ops):
            raise reader.fail("'ops' lists an operation twice", "ops")
        return Part(**common, ask=rule_keys(tuple(ops)))

    def exercise(self, part: Part, inputs: Mapping[str, float] | None = None) -> Questions | None:
        ops = tuple(dict.fromkeys(split_key(key)[0] for key in part.ask))
        return RuleExercise(ops)

    def questions(self, part: Part) -> tuple[str, ...]:
        return part.ask

    def skills_of(self, exercise: Questions, node: str) -> tuple[str, ...]:
        return (RULES_SKILL,)

    def reviews_without_graph(self, part: Part, skill: str) -> bool:
        return skill == RULES_SKILL

    def trace_without_graph(self, part: Part) -> dict[str, Any] | None:
        """Each rule asked: its op, micrograd's line, and the points a learner's line is checked at."""
        rules = []
        for key in part.ask:
            op, target = split_key(key)
            checked = points(OPS[op])
            rules.append({"rule": key, "op": OPS[op].forward, "answer": OPS[op].answers[target],
                          "local_grads": [OPS[op].local[target](point) for point in checked],
                          "points": checked})
        return {"rules": rules}

    def remember(self, exercise: Questions, attempts: Sequence[Mapping[str, Any]]) -> None:
        if isinstance(exercise, RuleExercise):
            exercise.remember(attempts)


KIND = RulesKind()
