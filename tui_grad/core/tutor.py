"""One learner working through one lesson: the part in front of them, its exercise, and saving.

The full-screen app and the line-mode tutor both drive a `Tutor`, so grading, diagnoses, hints and
saved progress are the same whichever way the learner works. Every answer, hint and reveal is
saved at once, so a dropped connection loses at most the answer being typed.
"""

from __future__ import annotations

import random
import time
from collections.abc import Mapping
from typing import Any

from tui_grad.core.exercise import EARNED, SHOWN, Hint, Questions, Verdict
from tui_grad.core.kinds.base import Kind
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import Lesson, LessonError, Part
from tui_grad.core.progress import LessonProgress, ProgressStore


def draw_inputs(part: Part, seed: int, salt: str = "") -> dict[str, float]:
    """Input values drawn for `seed` from the part's `randomize` ranges, avoiding values that make
    a step trivial: 0 and ±1 as inputs, ties between them, and any node whose value or gradient
    is 0. The same seed always gives the same values, so an instructor can see what a learner saw."""
    if not part.randomize:
        return dict(part.inputs)
    rng = random.Random(f"{salt}:{seed}")
    for _ in range(500):
        values = dict(part.inputs)
        for name, (low, high) in part.randomize.items():
            values[name] = float(rng.randint(int(low), int(high)))
        drawn = [values[name] for name in part.randomize]
        if any(value in (0.0, 1.0, -1.0) for value in drawn) or len(set(drawn)) < len(drawn):
            continue
        try:
            graph = part.build(values)
            graph.output.backward()
        except (LessonError, ArithmeticError):
            continue
        if all(graph.nodes[name].data != 0 and graph.nodes[name].grad != 0 for name in graph.named):
            return values
    return dict(part.inputs)


class Tutor:
    """A lesson in progress: which part, its exercise restored from saved progress, and the saving."""

    def __init__(self, lesson: Lesson, store: ProgressStore | None = None, seed: int | None = None, *,
                 transient: bool = False, extra: Mapping[str, Any] | None = None) -> None:
        self.lesson = lesson
        self.store = store
        self.extra = dict(extra or {})
        """Fields every attempt record carries besides the usual (practice: level, seed, skill)."""
        self.transient = transient
        """True for a session saved as attempts only (a review, practice, a typed formula)."""
        self.record: LessonProgress = store.lesson(lesson.id) if store and not transient else LessonProgress()
        """Where the learner stands; a transient session (a review) keeps it out of the saved lessons
        and saves its attempts only."""
        if seed is not None:
            self.record.use_seed(seed)  # another seed's work stays apart, for when it is taken up again
        self.part_index = min(max(self.record.part, 0), len(lesson.parts) - 1)
        self.exercise: Questions | None = None
        self.problem = ""
        """Why the last save failed, in a sentence for the learner ("" when all is saved)."""
        self.load_part()

    @property
    def seed(self) -> int | None:
        """The seed the learner's input values come from (None: the lesson's own values)."""
        return self.record.seed

    def history(self) -> list[dict[str, Any]]:
        """The learner's attempt log, oldest first (empty without a store)."""
        return self.store.attempts if self.store is not None else []

    @property
    def part(self) -> Part:
        """The part in front of the learner."""
        return self.lesson.parts[self.part_index]

    @property
    def finished(self) -> bool:
        """True once every part is done."""
        return self.record.finished

    @property
    def started(self) -> bool:
        """True when the learner has done anything in this lesson before."""
        return self.record.started

    @property
    def kind(self) -> Kind:
        """The kind of the part in front of the learner."""
        return kind_of(self.part)

    @property
    def following(self) -> Kind | None:
        """The kind of the part after this one, if there is one."""
        following = self.lesson.parts[self.part_index + 1:self.part_index + 2]
        return kind_of(following[0]) if following else None

    def inputs(self, part_index: int | None = None) -> dict[str, float]:
        """The input values of a part: drawn from the seed where the part allows, else its own."""
        index = self.part_index if part_index is None else part_index
        part = self.lesson.parts[index]
        if self.seed is None:
            return dict(part.inputs)
        return draw_inputs(part, self.seed, f"{self.lesson.id}:{index}")

    def load_part(self) -> None:
        """Make the current part's exercise and restore what was already answered."""
        state = self.record.part_progress(self.part_index)
        self.exercise = self.kind.exercise(self.part, self.inputs())
        if self.exercise is not None:
            self.exercise.restore(state.status, state.answers, state.hints)
            if self.kind.remembers:  # only then: a long log is not walked for every part
                mine = [attempt for attempt in self.history() if attempt.get("lesson") == self.lesson.id
                        and attempt.get("part") == self.part_index + 1]
                self.kind.remember(self.exercise, mine)

    # --- answering ------------------------------------------------------------------------------

    def catch_up(self) -> str | None:
        """Take in what other copies saved (the same link open in a second tab, a second terminal on
        the same home). When one of them found the question asked here, it counts as found here too
        and its node is returned, so the session says so and asks the next one (None otherwise)."""
        exercise = self.exercise
        if self.store is None or self.transient or exercise is None or exercise.current is None:
            return None
        self.save()  # the save merges the other copies' work into `record` (and writes only what changed)
        node = exercise.current
        state = self.record.part_progress(self.part_index)
        if node is None or state.status.get(node) != EARNED:
            return None
        found = {name: status for name, status in state.status.items() if status == EARNED}
        exercise.restore(found, state.answers, {})  # what is only shown elsewhere can still be found here
        return node

    def submit(self, text: str) -> Verdict:
        """Grade an answer for the current question and save it (an unreadable text costs nothing)."""
        verdict = self._exercise().submit(text)
        if verdict.readable:
            self._log(verdict, text)
        return verdict

    def reveal(self) -> Verdict:
        """Show the current answer, marked as shown, and save that."""
        verdict = self._exercise().reveal()
        self._log(verdict, "")
        return verdict

    def hint(self) -> Hint:
        """The next hint for the current question; the last one reveals the answer."""
        exercise = self._exercise()
        hint = exercise.hint()
        node = hint.node
        if exercise.status.get(node) == SHOWN:
            self._log(Verdict(node, False, exercise.answers[node], hint.text, shown=True), "")
        else:
            self._sync()
            self.save()
        return hint

    def note_updates(self, count: int) -> None:
        """Remember how many update steps the learner has taken in this part."""
        self.record.part_progress(self.part_index).updates = count
        self.save()

    def finish_part(self) -> bool:
        """Mark the current part done and move on; returns True when there is a next part."""
        self.record.part_progress(self.part_index).done = True
        if self.part_index + 1 < len(self.lesson.parts):
            self.part_index += 1
            self.record.part = self.part_index
            self.load_part()
            self.save()
            return True
        self.record.finished = True
        self.save()
        return False

    def restart(self) -> None:
        """Start the lesson over; the attempts already made stay for mastery and the export.

        The store's own reset leaves a dated marker, so the next save does not merge the finished
        copy on disk back in."""
        seed = self.record.seed
        if self.store is not None:
            self.store.reset(self.lesson.id, attempts=False)
            self.record = self.store.lesson(self.lesson.id)
        else:
            self.record = LessonProgress()
        self.record.seed = seed
        self.part_index = 0
        self.load_part()
        self.save()

    def save(self) -> str:
        """Write progress now; returns "" or a sentence saying why it could not be saved."""
        self.record.updated = time.time()
        if self.store is None:
            return ""
        self.problem = self.store.save() or ""
        return self.problem

    def _exercise(self) -> Questions:
        if self.exercise is None:
            raise RuntimeError(f"part {self.part_index + 1} of '{self.lesson.id}' asks no questions")
        return self.exercise

    def _sync(self) -> None:
        """Copy the exercise's state into the saved record."""
        exercise = self._exercise()
        state = self.record.part_progress(self.part_index)
        found_elsewhere = {name: state.answers.get(name) for name, value in state.status.items()
                           if value == EARNED and exercise.status.get(name) != EARNED}  # another tab's, merged
        state.status = {name: value for name, value in exercise.status.items() if value in (EARNED, SHOWN)}
        state.answers = dict(exercise.answers)
        for name, answer in found_elsewhere.items():  # found in either copy beats shown
            state.status[name] = EARNED
            if answer is not None:
                state.answers[name] = answer
        state.hints = dict(exercise.hints)

    def _log(self, verdict: Verdict, text: str) -> None:
        """Record one attempt for the instructor's export, then save everything."""
        self._sync()
        if self.store is not None:
            self.store.record(self.attempt_record(verdict, text))
        self.save()

    def attempt_record(self, verdict: Verdict, text: str) -> dict[str, Any]:
        """The attempt as saved and exported: lesson, part, node, answer, verdict, mistake, hints."""
        exercise = self._exercise()
        return {
            "lesson": self.lesson.id, "part": self.part_index + 1, "node": verdict.node, "kind": self.kind.attempt_kind,
            "text": text, "value": verdict.understood, "correct": verdict.correct, "shown": verdict.shown,
            "mistake": verdict.mistake, "hints": exercise.hints.get(verdict.node, 0),
            "skills": list(self.skills_of(verdict.node)), "seed": self.seed, "at": time.time(),
            **self.extra,
        }

    def skills_of(self, node: str) -> tuple[str, ...]:
        """The skills a question exercises, for mastery, as the part's kind says."""
        return self.kind.skills_of(self._exercise(), node)

