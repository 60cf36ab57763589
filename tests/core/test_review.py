"""The short review, in core and offered by both faces: fresh numbers, every gradient it builds on
given, a recap that reads, and line mode's `r` (issue 17 item 4, issue 19)."""

from __future__ import annotations

import io

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.history import History
from tui_grad.core.progress import ProgressStore
from tui_grad.core.review import offer_review, review_lesson
from tui_grad.plain import run_plain

CATALOG = load_catalog()


def to_questions(session: LessonSession) -> None:
    while session.phase == "intro":
        session.go_on()


@pytest.mark.parametrize("skill", ["product", "sum", "chain", "paths", "function"])  # the graph skills
@pytest.mark.parametrize("seed", [1, 7, 4242])
def test_a_review_has_new_numbers_and_gives_every_gradient_above_its_questions(skill, seed):
    lesson = review_lesson(CATALOG, skill, seed)
    assert lesson is not None
    part = lesson.parts[0]
    source = next(p for les in CATALOG.lessons for p in les.parts if p.path == part.path and p.kind == part.kind
                  and set(p.inputs) == set(part.inputs) and p.assignments == part.assignments)
    assert part.inputs != source.inputs  # never the lesson's own numbers
    session = LessonSession(lesson, None, review=skill)
    to_questions(session)
    views = {view.name: view for view in session.nodes()}
    asked = set(session.flow.exercise.order)
    graph = session.flow.exercise.graph
    for name in graph.nodes:  # a node above a question: its gradient is given
        beneath, todo = set(), [name]
        while todo:
            for child in graph.nodes[todo.pop()].children:
                if child.label not in beneath:
                    beneath.add(child.label)
                    todo.append(child.label)
        if name not in asked and beneath & asked:
            assert views[name].state == "given" and views[name].grad, (skill, name, views[name])


def test_the_recap_names_the_skill_plainly():
    lesson = review_lesson(CATALOG, "paths", 3)
    session = LessonSession(lesson, None, review="paths")
    to_questions(session)
    while session.asked:
        session.reveal()
    for _ in range(20):
        if session.phase in ("outro", "finished"):
            break
        session.skip() if "skip" in session.allowed else session.go_on()
    text = " ".join(span.text for row in session.message for span in row)
    assert "Review done: paths (" in text and "contribution done." not in text


def test_nothing_to_review_is_said():
    assert offer_review(CATALOG, History()).message.startswith("Nothing to review")


def test_line_mode_offers_the_review_and_comes_back_to_the_lessons(tmp_path):
    """Before: only the home screen's R had a review; line mode had none."""
    store = ProgressStore(tmp_path).load()
    out = io.StringIO()
    typed = ["", "1", "5", "-2", "lessons", "r", "lessons", "q"]  # dL/dd wrong first: product is weak
    status = run_plain(CATALOG, "chain-rule", store, None, stdin=io.StringIO("".join(t + "\n" for t in typed)),
                       stdout=out)
    text = out.getvalue()
    assert status == 0
    assert "r. Review due: product (not yet mastered)" in text
    assert "Review: product" in text and "with new numbers" in text
    assert text.rstrip().endswith(f"Progress is saved in {store.path}.")
    assert text.count("Lessons:") >= 2  # back at the lessons after the review
    saved = ProgressStore(tmp_path).load()
    assert not any(key.startswith("review-") for key in saved.lessons)
