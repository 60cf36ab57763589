"""Where a learner stands in practice, folded one attempt at a time.

Kept light (the generator loads only when a practice attempt is taken in, to know whether its
exercise is complete): the home screen reads a stored state without importing practice at all.
The rules are described in `practice.py`.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

STREAK_TO_LEVEL_UP = 3
REVIEW_DAYS = (1, 3, 7, 21)
"""Days until a practised skill comes due again, by how many separate days it was practised."""
DAY = 86_400.0
EVENTS_KEPT = 20
"""How many of the latest level changes a state keeps in words (`event_count` counts them all)."""


@dataclass(frozen=True, slots=True)
class PracticeItem:
    """One exercise of practice: its level, its seed and the skill it is chosen to train."""

    level: int
    seed: int
    skill: str

    def part(self) -> Any:
        """The exercise's graph, the same on every machine."""
        return generated(self.level, self.seed)

    def lesson(self) -> Any:
        """The exercise as a one-part lesson the tutoring flow runs."""
        from tui_grad.core.attempt_log import PRACTICE_ID
        from tui_grad.core.generator import level_of
        from tui_grad.core.lesson import Lesson

        info = level_of(self.level)
        part = generated(self.level, self.seed)
        return Lesson(PRACTICE_ID, f"Practice · level {self.level}: {info.name}", info.description, part.path,
                      0, "", "", (part,))


@dataclass
class PracticeState:
    """Where a learner stands in practice: `take` each practice attempt in the log's order."""

    level: int = 1
    streak: int = 0
    next_seed: dict[int, int] = field(default_factory=dict)
    current: PracticeItem | None = None
    """The exercise last started, while it still has unanswered questions."""
    answered: dict[str, tuple[str, float]] = field(default_factory=dict)
    """Each question of `current` answered so far: its status (earned or shown) and the answer."""
    hints: dict[str, int] = field(default_factory=dict)
    easier_for: str | None = None
    """After a miss: the skill the next exercise trains, one level easier."""
    practised_days: dict[str, set[int]] = field(default_factory=dict)
    last_practised: dict[str, float] = field(default_factory=dict)
    exercises: int = 0
    events: list[str] = field(default_factory=list)
    """The latest changes, in words, in the order they happened: `level 2 → 3 (three right in a row)`."""
    event_count: int = 0
    """How many changes happened in all (`events` keeps the last EVENTS_KEPT)."""
    missed: bool = False
    """Whether the current exercise has had a miss yet."""
    missed_skill: str = ""
    """The skill of the node first missed in the current exercise (see `skill_missed`)."""

    def due(self, now: float | None = None) -> list[tuple[str, float]]:
        """Each practised skill with the moment it comes due for review, soonest first."""
        moments = []
        for skill, last in self.last_practised.items():
            days = len(self.practised_days.get(skill, ()))
            moments.append((skill, last + REVIEW_DAYS[min(days, len(REVIEW_DAYS)) - 1] * DAY))
        return sorted(moments, key=lambda item: item[1])

    def news_since(self, before: PracticeState | None) -> list[str]:
        """The changes since `before` (a copy of this state taken earlier), in words."""
        if before is None:
            return []
        fresh = self.event_count - before.event_count
        return self.events[-fresh:] if fresh > 0 else []

    def take(self, attempt: Mapping[str, Any]) -> None:
        """Apply one practice attempt: an exercise counts once all its questions are in, as right
        (every answer right first time, no hint) or as a miss."""
        level, seed = int(attempt["level"]), int(attempt.get("seed") or 0)
        item = PracticeItem(level, seed, str(attempt.get("practice_skill") or ""))
        if self.current is None or (self.current.level, self.current.seed) != (level, seed):
            self.current, self.answered, self.hints, self.missed, self.missed_skill = item, {}, {}, False, ""
            self.exercises += 1
            self.next_seed[level] = max(self.next_seed.get(level, 0), seed + 1)
            self.level = max(self.level, level) if self.exercises > 1 else level
        node, moment = str(attempt.get("node", "")), float(attempt.get("at", 0.0))
        self.hints[node] = max(self.hints.get(node, 0), int(attempt.get("hints", 0) or 0))
        for practised in attempt.get("skills") or ():
            self.last_practised[practised] = moment
            self.practised_days.setdefault(practised, set()).add(int(moment // DAY))
        was_missed = self.missed
        if attempt.get("correct") and not attempt.get("shown"):
            self.answered[node] = ("earned", float(attempt.get("value") or 0.0))
            self.missed = self.missed or self.hints[node] > 0
        elif attempt.get("shown") or attempt.get("value") is not None:
            if attempt.get("shown"):
                self.answered[node] = ("shown", float(attempt.get("value") or 0.0))
            self.missed = True
        if self.missed and not was_missed:  # an attempt saved before attempts carried skills: the exercise's
            self.missed_skill = skill_missed(attempt) if "skills" in attempt else item.skill
        if is_finished(item, self.answered):
            missed_item = replace(item, skill=self.missed_skill) if self.missed else item
            apply_finished(self, missed_item, self.missed)
            self.current, self.answered, self.hints = None, {}, {}

    def event(self, words: str) -> None:
        """Note one change, in words."""
        self.events = [*self.events[-(EVENTS_KEPT - 1):], words]
        self.event_count += 1

    def to_json(self) -> dict[str, Any]:
        """Plain data for the state file."""
        current = self.current
        return {"level": self.level, "streak": self.streak,
                "next_seed": {str(level): seed for level, seed in self.next_seed.items()},
                "current": None if current is None else [current.level, current.seed, current.skill],
                "answered": {node: list(pair) for node, pair in self.answered.items()}, "hints": self.hints,
                "easier_for": self.easier_for,
                "practised_days": {skill: sorted(days) for skill, days in self.practised_days.items()},
                "last_practised": self.last_practised, "exercises": self.exercises, "events": self.events,
                "event_count": self.event_count, "missed": self.missed, "missed_skill": self.missed_skill}

    @classmethod
    def from_json(cls, data: Any) -> PracticeState:
        """Read a state back; ValueError (or TypeError) when it is not one."""
        if not isinstance(data, dict):
            raise TypeError("the practice summary is not a table")
        current = data["current"]
        state = cls(
            level=_whole(data["level"]), streak=_whole(data["streak"]),
            next_seed={_whole(int(level)): _whole(seed) for level, seed in data["next_seed"].items()},
            current=None if current is None else PracticeItem(_whole(current[0]), _whole(current[1]),
                                                               str(current[2])),
            answered={str(node): (str(status), float(value)) for node, (status, value) in data["answered"].items()},
            hints={str(node): _whole(count) for node, count in data["hints"].items()},
            easier_for=None if data["easier_for"] is None else str(data["easier_for"]),
            practised_days={str(skill): {_whole(day) for day in days}
                            for skill, days in data["practised_days"].items()},
            last_practised={str(skill): float(moment) for skill, moment in data["last_practised"].items()},
            exercises=_whole(data["exercises"]), events=[str(event) for event in data["events"]][-EVENTS_KEPT:],
            event_count=_whole(data["event_count"]), missed=bool(data["missed"]),
            missed_skill=str(data.get("missed_skill", "")))
        if state.current is None and (state.answered or state.hints):
            raise ValueError("the practice summary answers an exercise it has not started")
        return state


def describe_due(state: PracticeState, now: float | None = None) -> str:
    """`Due for review: paths now, chain in 2 days.` ("" when nothing has been practised)."""
    now = time.time() if now is None else now
    parts = []
    for skill, moment in state.due(now)[:3]:
        days = (moment - now) / DAY
        parts.append(f"{skill} now" if days <= 0 else f"{skill} in {max(1, round(days))} day"
                     + ("s" if round(days) > 1 else ""))
    return f"Due for review: {', '.join(parts)}." if parts else ""


@lru_cache(maxsize=256)
def generated(level: int, seed: int) -> Any:
    """The exercise of this level and seed, the same on every machine (the generator loads here,
    when a practice answer is first taken in)."""
    from tui_grad.core.generator import generate

    return generate(level, seed)


def apply_finished(state: PracticeState, item: PracticeItem, missed: bool) -> None:
    """Apply one finished exercise: a miss brings an easier graph of its skill next; three right in
    a row move the learner up a level."""
    from tui_grad.core.generator import LEVELS

    if missed:
        state.streak, state.easier_for = 0, item.skill or None
        easier = easier_level(item.skill, item.level)
        if easier < state.level:
            state.event(f"level {state.level} → {easier} (a miss: an easier graph for {item.skill} next)")
            state.level = easier
        elif item.skill:
            state.event(f"level {state.level} again (a miss: no easier level trains {item.skill})")
        else:  # the output's own gradient (dL/dL = 1): every level asks it, no easier graph trains it
            state.event(f"level {state.level} again (a miss on the output's own gradient, which every level asks)")
        return
    state.easier_for = None
    state.streak += 1
    if state.streak >= STREAK_TO_LEVEL_UP and state.level < len(LEVELS):
        state.event(f"level {state.level} → {state.level + 1} (three exercises right in a row)")
        state.level, state.streak = state.level + 1, 0


def streak_words(state: PracticeState) -> str:
    """`streak 1 of 3` toward the next level; at the top level, where no streak moves the learner
    up, the run of exercises right (`top level, 3 right in a row`): 'streak 3 of 3' there
    promised a level that does not come.

    The list of lessons reads this without loading the generator (and so without knowing the top
    level): there a streak of three or more tells it, since below the top one moves the learner up.
    A practice session has the generator loaded and says so from the first exercise right."""
    import sys

    generator = sys.modules.get("tui_grad.core.generator")
    top = (state.streak >= STREAK_TO_LEVEL_UP if generator is None
           else state.level >= len(generator.LEVELS))
    if top:
        return f"top level, {state.streak} right in a row"
    return f"streak {state.streak} of {STREAK_TO_LEVEL_UP}"


def is_finished(item: PracticeItem, answered: Mapping[str, tuple[str, float]]) -> bool:
    """Whether every question of the exercise is answered."""
    return all(name in answered for name in questions(item.level, item.seed))


@lru_cache(maxsize=256)
def questions(level: int, seed: int) -> tuple[str, ...]:
    """The nodes (or parameters) an exercise asks about, in the order it asks them."""
    from tui_grad.core.kinds.registry import kind_of

    part = generated(level, seed)
    return tuple(kind_of(part).questions(part))


def easier_level(skill: str, level: int) -> int:
    """The level below `level` that still trains `skill` (or `level` itself when none does)."""
    from tui_grad.core.generator import level_of

    for lower in range(level - 1, 0, -1):
        if skill in level_of(lower).skills:
            return lower
    return level


def skill_missed(attempt: Mapping[str, Any]) -> str:
    """The skill a miss on this attempt's node lowers the level by: the node's most advanced skill
    (the last in `SKILLS` order), or "" when the node has none."""
    from tui_grad.core.skills import SKILLS

    known = [skill for skill in attempt.get("skills") or () if skill in SKILLS]
    return max(known, key=list(SKILLS).index) if known else ""


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**53:
        raise ValueError("the practice summary holds a count that is not one")
    return value
