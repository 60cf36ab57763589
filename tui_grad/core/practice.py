"""Practice without end: one generated exercise after another, at the learner's level.

Nothing about practice is stored except the attempts themselves, each tagged with the level, the
seed and the skill of its exercise. The learner's level, streak, next seeds, due skills and the
exercise they left unfinished are all worked out again from those attempts (`PracticeState`), so
practice can never disagree with what the export shows an instructor.

The rules, as step-based tutors use them:
- three exercises right in a row (every answer right first time, without a hint) at a level move
  the learner up one;
- a miss (a wrong answer, a hint, or an answer shown) brings an easier graph for the skill of the
  node missed next (its most advanced skill: a product inside a chain is a chain skill), or the
  exercise's own skill when that node has none (the output's dL/dL);
- a skill not yet mastered comes back more often, and a skill not practised for a while comes due
  again after 1, 3, 7 and then 21 days (spaced review).
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from tui_grad.core.generator import LEVELS, generate, level_of, skills_of_part
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import Lesson, Part
from tui_grad.core.progress import PRACTICE_ID, practice_attempts
from tui_grad.core.skills import SKILLS

STREAK_TO_LEVEL_UP = 3
REVIEW_DAYS = (1, 3, 7, 21)
"""Days until a practised skill comes due again, by how many separate days it was practised."""
DAY = 86_400.0


@dataclass(frozen=True, slots=True)
class PracticeItem:
    """One exercise of practice: its level, its seed and the skill it is chosen to train."""

    level: int
    seed: int
    skill: str

    def part(self) -> Part:
        """The exercise's graph, the same on every machine."""
        return _generated(self.level, self.seed)

    def lesson(self) -> Lesson:
        """The exercise as a one-part lesson the tutoring flow runs."""
        info = level_of(self.level)
        part = self.part()
        return Lesson(PRACTICE_ID, f"Practice · level {self.level}: {info.name}", info.description, part.path,
                      0, "", "", (part,))


@lru_cache(maxsize=256)
def _generated(level: int, seed: int) -> Part:
    return generate(level, seed)


@dataclass
class PracticeState:
    """Where a learner stands in practice, replayed from their practice attempts."""

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
    """What changed, in words, in the order it happened: `level 2 → 3 (three right in a row)`."""

    def due(self, now: float | None = None) -> list[tuple[str, float]]:
        """Each practised skill with the moment it comes due for review, soonest first."""
        moments = []
        for skill, last in self.last_practised.items():
            days = len(self.practised_days.get(skill, ()))
            moments.append((skill, last + REVIEW_DAYS[min(days, len(REVIEW_DAYS)) - 1] * DAY))
        return sorted(moments, key=lambda item: item[1])


def replay(attempts: Iterable[Mapping[str, Any]]) -> PracticeState:
    """Work out the learner's practice state from their attempts, applying the rules in order: an
    exercise counts once all its questions are in, as right (every answer right first time, no
    hint) or as a miss."""
    state = PracticeState()
    missed, missed_skill = False, ""
    for attempt in practice_attempts(attempts):
        level, seed = int(attempt["level"]), int(attempt.get("seed") or 0)
        item = PracticeItem(level, seed, str(attempt.get("practice_skill") or ""))
        if state.current is None or (state.current.level, state.current.seed) != (level, seed):
            state.current, state.answered, state.hints, missed, missed_skill = item, {}, {}, False, ""
            state.exercises += 1
            state.next_seed[level] = max(state.next_seed.get(level, 0), seed + 1)
            state.level = max(state.level, level) if state.exercises > 1 else level
        node, moment = str(attempt.get("node", "")), float(attempt.get("at", 0.0))
        state.hints[node] = max(state.hints.get(node, 0), int(attempt.get("hints", 0) or 0))
        for practised in attempt.get("skills") or ():
            state.last_practised[practised] = moment
            state.practised_days.setdefault(practised, set()).add(int(moment // DAY))
        was_missed = missed
        if attempt.get("correct") and not attempt.get("shown"):
            state.answered[node] = ("earned", float(attempt.get("value") or 0.0))
            missed = missed or state.hints[node] > 0
        elif attempt.get("shown") or attempt.get("value") is not None:
            if attempt.get("shown"):
                state.answered[node] = ("shown", float(attempt.get("value") or 0.0))
            missed = True
        if missed and not was_missed:  # an attempt saved before attempts carried skills: the exercise's
            missed_skill = skill_missed(attempt) if "skills" in attempt else item.skill
        if _finished(item, state.answered):
            _count(state, replace(item, skill=missed_skill) if missed else item, missed)
            state.current, state.answered, state.hints = None, {}, {}
    return state


def skill_missed(attempt: Mapping[str, Any]) -> str:
    """The skill a miss on this attempt's node lowers the level by: the node's most advanced skill
    (the last in `SKILLS` order), or "" when the node has none."""
    known = [skill for skill in attempt.get("skills") or () if skill in SKILLS]
    return max(known, key=list(SKILLS).index) if known else ""


def _count(state: PracticeState, item: PracticeItem, missed: bool) -> None:
    """Apply one finished exercise: a miss brings an easier graph of its skill next; three right in
    a row move the learner up a level."""
    if missed:
        state.streak, state.easier_for = 0, item.skill or None
        easier = easier_level(item.skill, item.level)
        if easier < state.level:
            state.events.append(f"level {state.level} → {easier} (a miss: an easier graph for {item.skill} next)")
            state.level = easier
        elif item.skill:
            state.events.append(f"level {state.level} again (a miss: no easier level trains {item.skill})")
        else:  # the output's own gradient (dL/dL = 1): every level asks it, no easier graph trains it
            state.events.append(f"level {state.level} again (a miss on the output's own gradient, which every "
                                "level asks)")
        return
    state.easier_for = None
    state.streak += 1
    if state.streak >= STREAK_TO_LEVEL_UP and state.level < len(LEVELS):
        state.events.append(f"level {state.level} → {state.level + 1} (three exercises right in a row)")
        state.level, state.streak = state.level + 1, 0


def streak_words(state: PracticeState) -> str:
    """`streak 1 of 3` toward the next level; at the top level, where no streak moves the learner
    up, the run of exercises right (`top level, 3 right in a row`): 'streak 3 of 3' there
    promised a level that does not come."""
    if state.level >= len(LEVELS):
        return f"top level, {state.streak} right in a row"
    return f"streak {state.streak} of {STREAK_TO_LEVEL_UP}"


def _finished(item: PracticeItem, answered: Mapping[str, tuple[str, float]]) -> bool:
    return all(name in answered for name in _questions(item.level, item.seed))


@lru_cache(maxsize=256)
def _questions(level: int, seed: int) -> tuple[str, ...]:
    """The nodes (or parameters) an exercise asks about, in the order it asks them."""
    part = _generated(level, seed)
    return kind_of(part).questions(part)


def easier_level(skill: str, level: int) -> int:
    """The level below `level` that still trains `skill` (or `level` itself when none does)."""
    for lower in range(level - 1, 0, -1):
        if skill in level_of(lower).skills:
            return lower
    return level


def level_for(skill: str, level: int) -> int:
    """The level nearest to `level` from below whose graphs train `skill` (else the first that does)."""
    for candidate in range(level, 0, -1):
        if skill in level_of(candidate).skills:
            return candidate
    return next(info.number for info in LEVELS if skill in info.skills)


def choose(state: PracticeState, mastered: Mapping[str, bool], now: float | None = None) -> PracticeItem:
    """The next exercise: the one left unfinished; else a due skill; else, after a miss, the same
    skill one level easier; else a skill of the learner's level, unmastered ones three times as
    likely. The choice is a function of the learner's history alone, so it is reproducible."""
    if state.current is not None:
        return state.current
    now = time.time() if now is None else now
    rng = random.Random(f"practice:{state.exercises}")
    due = [skill for skill, moment in state.due(now) if moment <= now and skill in _all_skills()]
    if due:
        skill = due[0]
        level = level_for(skill, state.level)
    elif state.easier_for:
        skill = state.easier_for
        level = level_for(skill, state.level)
    else:
        skills = level_of(state.level).skills
        weights = [1 if mastered.get(skill) else 3 for skill in skills]
        skill = rng.choices(skills, weights)[0]
        level = state.level
    seed = state.next_seed.get(level, 0)
    for offset in range(32):  # a graph that exercises the skill chosen, nearest in the seed order
        if skill in skills_of_part(_generated(level, seed + offset)):
            return PracticeItem(level, seed + offset, skill)
    return PracticeItem(level, seed, skill)


def _all_skills() -> set[str]:
    return {skill for info in LEVELS for skill in info.skills}


def describe_due(state: PracticeState, now: float | None = None) -> str:
    """`Due for review: paths now, chain in 2 days.` ("" when nothing has been practised)."""
    now = time.time() if now is None else now
    parts = []
    for skill, moment in state.due(now)[:3]:
        days = (moment - now) / DAY
        parts.append(f"{skill} now" if days <= 0 else f"{skill} in {max(1, round(days))} day"
                     + ("s" if round(days) > 1 else ""))
    return f"Due for review: {', '.join(parts)}." if parts else ""


class PracticeRun:
    """A practice series for one learner: makes each exercise's session, tagged so its attempts
    carry level, seed and skill, and says how the last one went. With `level` and `seed` given it
    is one fixed exercise (an instructor reproducing what a learner saw), and nothing is saved."""

    def __init__(self, store: Any, level: int | None = None, seed: int | None = None) -> None:
        self.store = store
        self.fixed = PracticeItem(level or 1, seed, "") if seed is not None else None
        self.start_level = level
        """Where a learner with no practice yet starts (their attempts say where they are after)."""
        self.item: PracticeItem | None = None
        self.before: PracticeState | None = None

    def state(self) -> PracticeState:
        """The learner's practice state now."""
        state = replay(self.store.attempts if self.store else [])
        if self.start_level and not state.exercises:
            state.level = self.start_level
        return state

    def session(self) -> Any:
        """The next exercise's session: the unfinished one, or a fresh choice."""
        from tui_grad.core.flow import LessonSession
        from tui_grad.core.skills import mastery

        state = self.before = self.state()
        if self.fixed is not None:
            item = self.fixed
        else:
            table = mastery(self.store.attempts if self.store else [])
            item = choose(state, {skill: m.mastered for skill, m in table.items()})
        self.item = item
        restore = None
        if state.current == item and state.answered:
            restore = ({n: s for n, (s, _) in state.answered.items()},
                       {n: v for n, (_, v) in state.answered.items()}, dict(state.hints))
        store = None if self.fixed is not None else self.store
        extra = {"level": item.level, "seed": item.seed, "practice_skill": item.skill}
        return LessonSession(item.lesson(), store, context=self, extra=extra, restore=restore)

    def heading(self) -> str:
        """The title bar: level, streak and the skill practised."""
        item, state = self.item, self.state()
        assert item is not None
        skill = f" · {item.skill}" if item.skill else ""
        return (f"Practice · level {item.level}, {level_of(item.level).name.lower()} · "
                f"{streak_words(state)}{skill}")

    def summary(self) -> str:
        """What this exercise changed: the streak, any level change, what comes due."""
        state, before = self.state(), self.before
        news = state.events[len(before.events):] if before else []
        lines = [f"Exercise done. Level {state.level}, {streak_words(state)}."]
        lines += [f"Level change: {event}." for event in news]
        if due := describe_due(state):
            lines.append(due)
        return "\n\n".join(lines)

    def successor(self) -> Any:
        """The session after this one: the next exercise (none after a fixed one)."""
        return None if self.fixed is not None else self.session()
