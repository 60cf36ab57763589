"""Practice without end: one generated exercise after another, at the learner's level.

Nothing about practice is stored but the attempts themselves, each tagged with the level, the
seed and the skill of its exercise, and a summary folded from them as they are recorded. The
learner's level, streak, next seeds, due skills and the exercise they left unfinished are all
worked out from those attempts (`PracticeState.take`, one at a time; the store keeps the result
with the progress and rebuilds it from the log when it is missing), so practice can never
disagree with what the export shows an instructor.

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
from typing import Any

from tui_grad.core.attempt_log import PRACTICE_ID, practice_attempts
from tui_grad.core.generator import LEVELS, level_of, skills_of_part
from tui_grad.core.practice_state import (
    DAY,
    REVIEW_DAYS,
    STREAK_TO_LEVEL_UP,
    PracticeItem,
    PracticeState,
    describe_due,
    easier_level,
    generated,
    streak_words,
)

__all__ = ["DAY", "PRACTICE_ID", "REVIEW_DAYS", "STREAK_TO_LEVEL_UP", "PracticeItem", "PracticeRun", "PracticeState",
           "choose", "describe_due", "easier_level", "level_for", "replay"]


def replay(attempts: Iterable[Mapping[str, Any]]) -> PracticeState:
    """Work out the learner's practice state from their attempts (see `PracticeState.take`)."""
    state = PracticeState()
    for attempt in practice_attempts(attempts):
        state.take(attempt)
    return state


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
        if skill in skills_of_part(generated(level, seed + offset)):
            return PracticeItem(level, seed + offset, skill)
    return PracticeItem(level, seed, skill)


def _all_skills() -> set[str]:
    return {skill for info in LEVELS for skill in info.skills}


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
        """The learner's practice state now (a copy: the store's summary goes on as answers come)."""
        state = self.store.history.practice_state() if self.store else PracticeState()
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
            table = self.store.history.mastery() if self.store else mastery([])
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
        news = state.news_since(before)
        lines = [f"Exercise done. Level {state.level}, {streak_words(state)}."]
        lines += [f"Level change: {event}." for event in news]
        if due := describe_due(state):
            lines.append(due)
        return "\n\n".join(lines)

    def successor(self) -> Any:
        """The session after this one: the next exercise (none after a fixed one)."""
        return None if self.fixed is not None else self.session()
