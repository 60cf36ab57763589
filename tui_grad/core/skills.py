"""Skills: the kinds of step backpropagation is made of, and how well the learner knows each.

A node's skills come from the graph's structure alone (which operations use it, how many times,
whether the gradient above it is the output's own). Mastery comes from the learner's recent
attempts, as saved by `tui_grad.core.progress`: plain dicts with `skills`, `correct`, `shown`,
`hints`, `lesson`, `part`, `node`, `kind` and `at`.

The rule, in one place:

- Attempts are grouped into *tries*: the answers typed for one node (same lesson, part, node and
  kind) until it is answered right or its answer is shown. A try counts once, for each of the
  skills its first attempt lists.
- A try is *right* when its first answer was correct, with no hint taken and the answer not shown.
  A wrong first answer followed by a right one is a try that was not right first time.
- Only the last `RECENT` tries of a skill count. `level` is the share of them that were right,
  counted over at least `MIN_EVIDENCE` tries (one right answer out of one is 1/3, not 100%).
- A skill is *mastered* when `level >= MASTERED_LEVEL`, which needs at least `MIN_EVIDENCE` recent
  tries, of which at least 80% right.

Text the tutor could not read (no value, no verdict, not shown) is not a try: it costs the learner
nothing. A backward rule written as code is an answer without a number: its verdict makes it a try.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tui_grad.engine import Value

SKILLS: dict[str, str] = {
    "product": "a product node: the local derivative is the other factor",
    "sum": "a sum node: the local derivative is 1 (or -1 for what is subtracted)",
    "chain": "the chain rule: the gradient from above times the local derivative",
    "paths": "a node with several paths to the output: add every path's contribution",
    "function": "a function node such as tanh, exp or a power: its own derivative rule",
    "update": "an update step: move a parameter by the step size times its gradient",
    "rules": "a backward rule in code: the local slope times out.grad, added to .grad with +=",
}
"""Every skill, in teaching order, with a one-line description for the learner."""

RECENT = 5
"""How many of a skill's latest tries count towards its mastery."""
MIN_EVIDENCE = 3
"""The fewest tries that can show mastery; fewer scale the level down."""
MASTERED_LEVEL = 0.8
"""The level from which a skill counts as mastered."""

PRODUCT_OPS = ("*", "/")
SUM_OPS = ("+", "-")
FUNCTION_OPS = ("tanh", "exp", "log", "relu", "sigmoid", "neg")


@dataclass(frozen=True, slots=True)
class Mastery:
    """How well one skill is known: recent tries, how many were right first time, and the verdict."""

    skill: str
    recent: int
    correct: int
    level: float
    mastered: bool

    @property
    def practised(self) -> bool:
        """True when the learner has tried this skill at least once."""
        return self.recent > 0


def skills_of_node(node: Value, nodes: Iterable[Value] | Mapping[str, Value], output: Value) -> tuple[str, ...]:
    """The skills that finding d(output)/d(node) exercises, in the order of `SKILLS`.

    `nodes` is every node of the graph (a list, or a name -> node mapping such as `Graph.nodes`);
    a node's parents are the nodes that list it among their children. The output has none.
    """
    if node is output:
        return ()
    graph = nodes.values() if isinstance(nodes, Mapping) else nodes
    found: set[str] = set()
    uses = 0
    for parent in graph:
        positions = sum(1 for child in parent.children if child is node)
        if not positions:
            continue
        uses += positions
        op = parent.op
        if op in PRODUCT_OPS:
            found.add("product")
        elif op in SUM_OPS:
            found.add("sum")
        elif op in FUNCTION_OPS or op.startswith("**"):
            found.add("function")
        if parent is not output:
            found.add("chain")
    if uses >= 2:  # two parents, or one parent using it twice (x * x): the paths add up
        found.add("paths")
    return tuple(skill for skill in SKILLS if skill in found)


def _skills_of_attempt(attempt: Mapping[str, Any]) -> list[str]:
    skills = [skill for skill in attempt.get("skills") or () if skill in SKILLS]
    if not skills and attempt.get("kind") == "update":
        skills = ["update"]
    return skills


def first_tries(attempts: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The first attempt of every try, in the order given (see the module docstring)."""
    tally = Tally()
    return [attempt for attempt in attempts if tally.take(attempt)]


def right_first_time(attempt: Mapping[str, Any]) -> bool:
    """A first answer that was correct, with no hint taken and the answer not shown."""
    return bool(attempt.get("correct")) and not attempt.get("shown") and not int(attempt.get("hints") or 0)


class Tally:
    """Mastery kept up to date one attempt at a time (the rule of the module docstring): the tries
    still open, and each skill's latest outcomes. What the store keeps, so a start never reads the log."""

    def __init__(self) -> None:
        self.open: set[tuple] = set()
        """(lesson, part, node, kind) of each try not yet answered right or shown."""
        self.outcomes: dict[str, list[bool]] = {skill: [] for skill in SKILLS}
        """Each skill's last RECENT tries: right first time or not, oldest first."""

    def take(self, attempt: Mapping[str, Any]) -> bool:
        """Count one attempt (oldest first); True when it is the first attempt of a try."""
        if attempt.get("value") is None and not (attempt.get("shown") or attempt.get("correct")
                                                 or attempt.get("mistake")):
            return False  # unreadable text: not an answer (a line of code has no number, but a verdict)
        key = (attempt.get("lesson"), attempt.get("part"), attempt.get("node"), attempt.get("kind"))
        first = key not in self.open
        if first:
            self.open.add(key)
            right = right_first_time(attempt)
            for skill in _skills_of_attempt(attempt):
                outcomes = self.outcomes[skill]
                outcomes.append(right)
                if len(outcomes) > RECENT:
                    del outcomes[0]
        if attempt.get("correct") or attempt.get("shown"):
            self.open.discard(key)
        return first

    def table(self) -> dict[str, Mastery]:
        """Every skill's mastery; unpractised skills have level 0."""
        table = {}
        for skill, recent in self.outcomes.items():
            correct = sum(recent)
            level = correct / max(len(recent), MIN_EVIDENCE)
            table[skill] = Mastery(skill, len(recent), correct, level, level >= MASTERED_LEVEL)
        return table

    def to_json(self) -> dict[str, Any]:
        """Plain data for the state file."""
        return {"open": sorted((list(key) for key in self.open), key=repr), "outcomes": self.outcomes}

    @classmethod
    def from_json(cls, data: Any) -> Tally:
        """Read a tally back; ValueError (or TypeError) when it is not one."""
        tally = cls()
        for key in data["open"]:
            if not isinstance(key, list) or len(key) != 4:
                raise ValueError("an open try is not (lesson, part, node, kind)")
            tally.open.add(tuple(key))
        for skill, outcomes in data["outcomes"].items():
            if skill not in SKILLS or not isinstance(outcomes, list) or len(outcomes) > RECENT \
                    or not all(isinstance(outcome, bool) for outcome in outcomes):
                raise ValueError(f"the outcomes of skill {skill!r} are not a list of at most {RECENT} flags")
            tally.outcomes[skill] = list(outcomes)
        return tally


def mastery(attempts: Iterable[Mapping[str, Any]]) -> dict[str, Mastery]:
    """Every skill's mastery from these attempts (oldest first); unpractised skills have level 0."""
    tally = Tally()
    for attempt in sorted(attempts, key=lambda attempt: float(attempt.get("at") or 0.0)):
        tally.take(attempt)
    return tally.table()


def skills_to_review(attempts: Iterable[Mapping[str, Any]]) -> list[str]:
    """Skills practised but not mastered, weakest first: what a short review should bring back."""
    return weakest(mastery(attempts))


def weakest(table: Mapping[str, Mastery]) -> list[str]:
    """The skills of a mastery table practised but not mastered, weakest first."""
    order = list(SKILLS)
    weak = [m for m in table.values() if m.practised and not m.mastered]
    weak.sort(key=lambda m: (m.level, m.correct, order.index(m.skill)))
    return [m.skill for m in weak]
