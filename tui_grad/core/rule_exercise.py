"""Writing the backward rules, one line per input of each op, as a learner's exercise.

The questions are rule keys ("mul:self", "tanh:self"), asked in the order a part lists its ops. An
answer is a line of code, checked by `rule_checker`: a line we cannot read costs nothing, a wrong
one is named and counted, a right one is kept as written. What the learner wrote lives in the
attempt log as text (each attempt's `text`), which is where `learner_rules` finds it again for the
lesson your-engine and for exports; it is never run, only interpreted.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tui_grad.core.exercise import (
    EARNED,
    PENDING,
    SHOWN,
    Attempt,
    Questions,
    Verdict,
)
from tui_grad.core.rule_checker import OPS, SYNTAX, check_rule

RULE_ATTEMPT_KIND = "rule"
"""What an attempt at a rule is filed as in the attempt log."""
RULES_LESSON = "backward-rules"
"""The lesson whose attempts hold the learner's rules."""

_THINK = {
    "add": "out = self + other. If self moves up by a little, how much does out move?",
    "mul": "out = self * other. If self moves by a little, out moves by that times what?",
    "pow": "out = self ** k, with k a plain number. Which rule gives the slope of x**k?",
    "tanh": "t = tanh(self.data) is out's value. tanh's slope is written with its own output.",
    "exp": "out = e ** self.data. Which function is its own slope?",
    "relu": "out = max(0, self.data). Where is its slope 1, and where 0?",
}
_LOCAL = {
    "add": "The local slope of a sum is 1 for each input.",
    "mul": "The local slope is the other factor: d(self*other)/d(self) = other.data, d/d(other) = self.data.",
    "pow": "The power rule: d(x**k)/dx = k * x**(k - 1).",
    "tanh": "d tanh(x)/dx = 1 - tanh(x)**2 = 1 - t**2.",
    "exp": "d e**x/dx = e**x, which is out.data.",
    "relu": "1 where the input was positive, else 0: (out.data > 0).",
}


def rule_keys(ops: Sequence[str]) -> tuple[str, ...]:
    """The questions for these ops: one per input, "mul:self" then "mul:other"."""
    return tuple(f"{op}:{target}" for op in ops for target in OPS[op].inputs)


def split_key(key: str) -> tuple[str, str]:
    """("mul", "other") from "mul:other"."""
    op, _, target = key.partition(":")
    return op, target


_SYMBOL = {"add": "+", "mul": "*", "pow": "**k"}
"""How an op with two sides or a power is named in a sentence (the functions go by their names)."""


def op_name(op: str) -> str:
    """An op as a sentence names it: `*`, `**k`, `tanh`."""
    return _SYMBOL.get(op, op)


def rule_name(key: str) -> str:
    """A rule key as a learner reads it: `other's line of *`, `the tanh line`."""
    op, target = split_key(key)
    if op in OPS and len(OPS[op].inputs) == 1:
        return f"the {op_name(op)} line"
    return f"{target}'s line of {op_name(op)}"


def rule_names(keys: Sequence[str]) -> str:
    """Rule keys as a learner reads them, one entry per op: `* (both lines), + (other's line) and tanh`."""
    groups: dict[str, list[str]] = {}
    for key in keys:
        op, target = split_key(key)
        groups.setdefault(op, []).append(target)
    named = []
    for op, targets in groups.items():
        inputs = OPS[op].inputs if op in OPS else ()
        if len(inputs) < 2:
            named.append(op_name(op))
        else:
            lines = "both lines" if len(targets) == 2 else f"{targets[0]}'s line"
            named.append(f"{op_name(op)} ({lines})")
    if len(named) < 2:
        return "".join(named)
    return ", ".join(named[:-1]) + " and " + named[-1]


def answer_of(key: str) -> str:
    """micrograd's own line for a rule key."""
    op, target = split_key(key)
    return OPS[op].answers[target]


@dataclass
class RuleExercise(Questions):
    """The learner's rules for some ops, asked one line at a time, with hints and a kept log."""

    ops: tuple[str, ...]
    order: tuple[str, ...] = field(init=False)
    status: dict[str, str] = field(init=False)
    texts: dict[str, str] = field(init=False)
    """Each answered rule as the learner wrote it (micrograd's line when shown)."""
    hints: dict[str, int] = field(init=False)
    attempts: list[Attempt] = field(init=False)
    answers: dict[str, float] = field(init=False)
    """Always empty: a rule is text, kept in `texts` and in the attempt log, never a number."""
    output_name: str = field(init=False, default="out")

    def __post_init__(self) -> None:
        unknown = [op for op in self.ops if op not in OPS]
        if unknown:
            raise ValueError(f"no backward rule is taught for {unknown[0]!r}; the ops are {', '.join(OPS)}")
        self.order = rule_keys(self.ops)
        self.status = {key: PENDING for key in self.order}
        self.texts, self.hints, self.attempts, self.answers = {}, {}, [], {}

    @property
    def current(self) -> str | None:
        """The rule asked now, or None when every one is in."""
        return next((key for key in self.order if self.status[key] == PENDING), None)

    @property
    def done(self) -> bool:
        """True when every rule is written or shown."""
        return self.current is None

    def prompt(self, key: str) -> str:
        """How the question reads: `out = self * other: write other's line`."""
        op, target = split_key(key)
        return f"{OPS[op].forward}: write {target}'s line"

    def submit(self, text: str) -> Verdict:
        """Check a typed line for the current rule; an unreadable one costs nothing."""
        key = self._asked()
        op, target = split_key(key)
        verdict = check_rule(op, target, text)
        hints = self.hints.get(key, 0)
        if verdict.mistake == SYNTAX:
            return Verdict(key, False, None, f"Could not read that, at column {verdict.column}: {verdict.message}.",
                           readable=False, mistake=SYNTAX)
        now = time.time()
        if verdict.correct:
            self.attempts.append(Attempt(key, text, None, True, False, now, hints=hints))
            self.status[key], self.texts[key] = EARNED, text.strip()
            return Verdict(key, True, None, f"your line adds the right share (micrograd writes it "
                                            f"{answer_of(key)}).", _why(key))
        self.attempts.append(Attempt(key, text, None, False, False, now, verdict.mistake, hints))
        return Verdict(key, False, None, verdict.message, mistake=verdict.mistake)

    def reveal(self) -> Verdict:
        """Show micrograd's line for the current rule; it counts as shown, not earned."""
        key = self._asked()
        answer = answer_of(key)
        self.attempts.append(Attempt(key, "", None, False, True, time.time(), hints=self.hints.get(key, 0)))
        self.status[key], self.texts[key] = SHOWN, answer
        return Verdict(key, False, None, f"Shown: {answer}", _why(key), shown=True)

    def hint_texts(self, key: str) -> dict[int, str]:
        """What to think about, the local slope, the line's shape (the fourth rung shows the answer)."""
        op, target = split_key(key)
        return {1: _THINK[op], 2: _LOCAL[op],
                3: f"The line adds (local slope) * out.grad to {target}.grad, with +=: {target}.grad += ..."}

    def restore(self, status: Mapping[str, str], answers: Mapping[str, float], hints: Mapping[str, int]) -> None:
        """Pick up a saved session: rules written or shown, and hints used (the saved record keeps no
        text: `remember` brings the lines back from the attempt log)."""
        for key, state in status.items():
            if key in self.status and state in (EARNED, SHOWN):
                self.status[key] = state
                self.texts[key] = answer_of(key) if state == SHOWN else ""
        self.hints.update({key: max(0, int(count)) for key, count in hints.items() if key in self.status})

    def remember(self, attempts: Iterable[Mapping[str, Any]]) -> None:
        """The lines of earned rules, from this part's attempts in the log. A line that no longer
        checks (a damaged or edited log) is asked again rather than trusted."""
        found = learner_rules(attempts, lesson=None)
        for key, state in self.status.items():
            if state != EARNED or key not in found:
                continue
            op, target = split_key(key)
            if check_rule(op, target, found[key]).correct:
                self.texts[key] = found[key]
            else:
                self.status[key], self.texts[key] = PENDING, ""

    def _asked(self) -> str:
        key = self.current
        if key is None:
            raise RuntimeError("every rule is already in")
        return key


def _why(key: str) -> str:
    op, _ = split_key(key)
    return _LOCAL[op] + " Times out.grad (the chain rule), added with += (a node used twice gets both shares)."


def learner_rules(attempts: Iterable[Mapping[str, Any]], lesson: str | None = RULES_LESSON) -> dict[str, str]:
    """The rules a learner wrote, from their attempt log (of `lesson`, or of any when None): for each
    rule key, the text of their last right attempt, or micrograd's line if they asked to see it.
    Keys never got right are left out."""
    rules: dict[str, str] = {}
    for attempt in attempts:
        if (lesson is not None and attempt.get("lesson") != lesson) or attempt.get("kind") != RULE_ATTEMPT_KIND:
            continue
        key = str(attempt.get("node", ""))
        op, target = split_key(key)
        if op not in OPS or target not in OPS[op].inputs:
            continue
        if attempt.get("shown"):
            rules[key] = answer_of(key)
        elif attempt.get("correct"):
            rules[key] = str(attempt.get("text", "")).strip()
    return rules
