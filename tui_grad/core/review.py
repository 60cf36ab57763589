"""A short review of a skill not yet mastered, as both faces offer it (the home screen's R, line
mode's `r`): the nodes of a shipped lesson's graph that exercise the skill, on numbers drawn fresh
for the review (never the lesson's own, which the learner may have just answered).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from typing import Any

from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import Lesson
from tui_grad.core.skills import SKILLS, skills_of_node
from tui_grad.core.tutor import draw_inputs

FRESH_RANGE = (-6.0, 6.0)
"""Where a review draws an input that its lesson does not randomize itself."""


@dataclass(frozen=True)
class ReviewOffer:
    """What a face shows for "review": the lesson to run and its skill, or why there is none."""

    lesson: Lesson | None
    skill: str | None
    message: str = ""


def offer_review(catalog: Any, history: Any, seed: int | None = None) -> ReviewOffer:
    """The review of the learner's weakest skill (from the history's summaries), or a sentence
    saying why there is nothing to review."""
    due = history.to_review() if history is not None else []
    if not due:
        return ReviewOffer(None, None, "Nothing to review: every skill you have practised is mastered.")
    lesson = review_lesson(catalog, due[0], random.randrange(1, 10_000) if seed is None else seed)
    if lesson is None:
        return ReviewOffer(None, due[0], f"No lesson has a {due[0]} node to review.")
    return ReviewOffer(lesson, due[0])


def review_lesson(catalog: Any, skill: str, seed: int) -> Lesson | None:
    """A one-part lesson that asks only the nodes exercising `skill`, from a shipped lesson's graph,
    with input values drawn for `seed` that differ from the lesson's own (a part of rules written as
    code, which has no numbers, asks its own questions); None when no lesson has such a node."""
    rng = random.Random(seed)
    candidates = []
    for lesson in catalog.lessons:
        for part in lesson.parts:
            kind = kind_of(part)
            if kind.reviews_without_graph(part, skill):  # rules written as code: the part's own questions
                candidates.append((lesson, part, tuple(kind.questions(part))))
                continue
            if not kind.reviewable:
                continue
            graph = part.build()
            graph.output.backward()
            asked = tuple(name for name in graph.named
                          if skill in skills_of_node(graph.nodes[name], graph.nodes, graph.output))
            if asked:
                candidates.append((lesson, part, asked))
    rng.shuffle(candidates)
    for lesson, part, asked in candidates:
        if not part.assignments:  # no numbers to draw: the part's own questions, said as such
            return Lesson(f"review-{skill}", f"Review: {skill}", SKILLS[skill], lesson.path, 0, "", "",
                          (replace(part, title=f"Review: {SKILLS[skill]}",
                                   text=f"A short review of {SKILLS[skill]}, from '{lesson.title}'."),))
        ranges = part.randomize or {name: FRESH_RANGE for name in part.inputs}
        for attempt in range(8):
            values = draw_inputs(replace(part, randomize=ranges), seed + attempt, f"review:{lesson.id}")
            if values != dict(part.inputs):  # fresh numbers, never the lesson's own
                return Lesson(f"review-{skill}", f"Review: {skill}", SKILLS[skill], lesson.path, 0, "", "",
                              (replace(part, ask=asked, inputs=values, randomize={},
                                       title=f"Review: {SKILLS[skill]}",
                                       text=f"A short review of {SKILLS[skill]}, on the graph of "
                                            f"'{lesson.title}' with new numbers."),))
    return None
