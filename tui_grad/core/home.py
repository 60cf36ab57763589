"""What the home screen and line mode's menu offer, as plain data: the lesson to point at, practice
with the learner's level and the skills due for review, and the learner's own formula read from
two typed fields. Both faces render these; neither decides them on its own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from tui_grad.core.formula import FormulaError, formula_lesson, parse_values
from tui_grad.core.history import History
from tui_grad.core.lesson import FIRST_GROUP, Lesson
from tui_grad.core.practice_state import describe_due, streak_words

PRACTICE, FORMULA = "practice", "formula"
"""The two entries after the lessons: endless practice, and the learner's own formula."""
ENTRY_TITLES = {PRACTICE: "Practice", FORMULA: "Your own formula"}
ENTRY_SUMMARIES = {PRACTICE: "Endless fresh exercises at your level; missed skills come back more often.",
                   FORMULA: "Type a formula and its values (like `(x+2)**2 + x**3` at x=5) and work it."}
"""One line each (at most 76 characters, so the home screen keeps it to one row at 80 columns)."""


_CODE = re.compile(r"`([^`\n]*)`")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")


def summary_text(summary: str) -> str:
    """A lesson's one-line summary as plain words: its Markdown marks (`code`, **bold**) dropped, as
    the home screen draws them styled instead of showing them."""
    parts = _CODE.split(summary)  # code spans are kept as written: `x**2` is not bold
    return "".join(part if index % 2 else _STRONG.sub(r"\2", part) for index, part in enumerate(parts))


def group_headings(lessons: Sequence[Lesson]) -> dict[int, str]:
    """Where each group of lessons starts in the list (index from 0) and its heading; nothing when
    every lesson is in one group, so a folder of one's own lessons lists as it always did."""
    titles = [lesson.group or FIRST_GROUP for lesson in lessons]
    if len(set(titles)) < 2:
        return {}
    return {index: title for index, title in enumerate(titles) if index == 0 or titles[index - 1] != title}


def resume_index(lesson_ids: Sequence[str], records: Mapping[str, Any]) -> int | None:
    """The lesson to offer on arrival: the one touched last, or the next one not finished after it
    when the learner finished it; None for a learner with no progress."""
    touched = [(record.updated, lesson_id) for lesson_id, record in records.items() if lesson_id in lesson_ids]
    if not touched:
        return None
    last = max(touched)[1]
    if not records[last].finished:
        return lesson_ids.index(last)
    return next_unfinished(lesson_ids, records, last)


def next_unfinished(lesson_ids: Sequence[str], records: Mapping[str, Any], after: str | None) -> int | None:
    """The first lesson not finished after `after` (from the top when None), wrapping round; None
    when every lesson is finished."""
    start = lesson_ids.index(after) + 1 if after in lesson_ids else 0
    for offset in range(len(lesson_ids)):
        index = (start + offset) % len(lesson_ids)
        record = records.get(lesson_ids[index])
        if record is None or not record.finished:
            return index
    return None


def practice_status(history: History | None) -> str:
    """`level 2 · streak 1 of 3`, or `starts at level 1` before any practice."""
    state = history.practice if history is not None else None
    if state is None:
        return "starts at level 1"
    return f"level {state.level} · {streak_words(state)}"


def due_for_review(history: History | None, now: float | None = None) -> str:
    """Which practised skills come due for spaced review, and when: `Due for review: paths now,
    chain in 2 days.` ("" before any practice)."""
    state = history.practice if history is not None else None
    return "" if state is None else describe_due(state, now)


REVIEW = "review"
"""The short review of the weakest skill: the home screen's R, line mode's r."""


def review_due(history: History | None) -> str:
    """`Review due: product (not yet mastered)`, or "" when every practised skill is mastered."""
    weak = history.to_review() if history is not None else []
    return f"Review due: {weak[0]} (not yet mastered)" if weak else ""


def part_summary(lesson: Any, record: Any) -> str:
    """Where a learner stands in a lesson, in a few words for the home screen, the menu and `progress`."""
    if record is None or not record.started:
        return "not started"
    if record.finished:
        return "finished"
    if len(lesson.parts) == 1:
        from tui_grad.core.kinds.registry import kind_of

        if not kind_of(lesson.parts[0]).asks:  # a run to watch has nothing to count
            return "in progress"
        status = record.parts[0].status if record.parts else {}
        found = sum(1 for value in status.values() if value == "earned")
        shown = sum(1 for value in status.values() if value == "shown")
        return f"in progress ({found} found" + (f", {shown} shown)" if shown else ")")
    return f"part {min(record.part, len(lesson.parts) - 1) + 1} of {len(lesson.parts)}"


@dataclass(frozen=True, slots=True)
class FieldError:
    """What is wrong with one field of the formula form: the field, the sentence, and the column
    (from 1; 0 when the sentence names no place)."""

    field: str
    message: str
    column: int = 0

    def pointer(self, text: str) -> tuple[str, str]:
        """The field's text and a second line with a caret under the column and the sentence, or
        just the sentence when there is no column: what a face shows under the field."""
        if not self.column:
            return "", self.message
        column = min(self.column, len(text) + 1)
        where = "" if f"column {self.column}" in self.message else f"column {self.column}: "
        return text, " " * (column - 1) + f"^ {where}{self.message}"


def read_formula(formula: str, values: str) -> dict[str, float] | FieldError:
    """The values (`x=5, y=2`) of the learner's own formula once both fields can be worked as a
    lesson, or what is wrong and where. The values are read first: the formula's names are checked
    against them."""
    if not formula.strip():
        return FieldError("formula", "type a formula, like (x+2)**2 + x**3")
    try:
        given = parse_values(values)
    except FormulaError as error:
        return FieldError("values", error.message)
    try:
        formula_lesson(formula, given)
    except FormulaError as error:
        return FieldError("formula", error.message, error.column)
    return given
