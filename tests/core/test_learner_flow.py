"""The shared flow as a learner meets it (issue 19): the backward pass's last step shown as a step,
recaps that report what happened, gradients marked stale after a step, and speed and progress kept
across leaving."""

from __future__ import annotations

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession

from tests.core.drive import text_of


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def at_replay(lesson) -> LessonSession:
    """A session of `lesson` with every answer of its first part shown, at the start of its replay."""
    session = LessonSession(lesson, None, transient=True)
    session.go_on()
    while session.asked:
        session.reveal()
    assert session.replay is not None and session.replay.position == 0
    return session


@pytest.mark.parametrize("lesson_id", ["two-paths", "chain-rule", "two-bugs"])
def test_the_last_backward_step_is_shown_as_a_step_before_done(catalog, lesson_id):
    """two-paths went from "Step 1 of 2" straight to "Backward pass done": its second `a.grad +=`,
    the step the lesson exists to show, was never lit."""
    session = at_replay(catalog.find(lesson_id))
    length = session.replay.length
    for _ in range(length):
        session.step()
    last = session.flow.replay_steps()[-1]
    assert not session.replay.done
    assert f"Step {length} of {length}" in text_of((session.status(),))
    assert session.active_edge == (last.node, last.child)
    assert f"{last.child}.grad" in text_of(session.message)
    session.step()
    assert session.replay.done and session.active_edge is None
    assert "done" in text_of((session.status(),))
    assert f"{last.child}.grad" in text_of(session.message)  # the last step stays above the summary


def test_skip_goes_to_the_end_with_the_last_step_above_the_summary(catalog):
    session = at_replay(catalog.find("two-paths"))
    session.skip()
    assert session.replay.done and "a.grad +=" in text_of(session.message)


def test_line_mode_prints_each_step_once_then_the_summary():
    from tests.core.test_teaching_words import plain_lesson

    printed = plain_lesson("two-paths", ["show"] * 3)
    assert "1. a.grad += " in printed and "2. a.grad += " in printed and "3. a.grad" not in printed
    assert printed.count("so a.grad = ") == 1  # the second step, printed once
    assert printed.index("2. a.grad += ") < printed.index("You earned")


def recap_after(lesson, updates: int, store=None) -> str:
    """The recap of `lesson` for a learner who worked every part, showing each answer, and took
    `updates` extra update steps (U) wherever a part offers them."""
    from tui_grad.core.views import UPDATE

    session = LessonSession(lesson, store, transient=store is None)
    session.go_on()
    while session.phase not in ("outro", "finished") and not session.over:
        if session.asked:
            session.reveal()
        elif session.replay is not None and not session.replay.done:
            session.skip()
        elif UPDATE in session.allowed and updates:
            updates -= 1
            session.update()
        else:
            session.go_on()
    return text_of(session.message)


@pytest.mark.parametrize(("updates", "said"), [
    (0, "you took no update step, so L stayed at -8"),
    (1, "L went from -8 to -7.286496 in the one step you took"),
    (2, "in the 2 steps you took"),
])
def test_the_chain_rule_recap_reports_the_steps_taken(catalog, tmp_path, updates, said):
    """The recap said "L went from -8 to -7.286496" with no step taken, and with two."""
    from tui_grad.core.progress import ProgressStore

    recap = recap_after(catalog.find("chain-rule"), updates, ProgressStore(tmp_path).load())
    assert said in recap and "{{" not in recap
    if updates != 1:
        assert "-7.286496 in the one step" not in recap


def test_first_graph_recap_counts_the_step_its_update_part_takes(catalog, tmp_path):
    from tui_grad.core.progress import ProgressStore

    recap = recap_after(catalog.find("first-graph"), 0, ProgressStore(tmp_path).load())
    assert "L went from 80 to 77.376 in the one step you took" in recap
    recap = recap_after(catalog.find("first-graph"), 1, ProgressStore(tmp_path / "two").load())
    assert "in the 2 steps you took" in recap and "80 to 77.376 in the one" not in recap


def test_line_mode_recap_says_no_step_was_taken():
    from tests.core.test_teaching_words import plain_lesson

    printed = plain_lesson("chain-rule", ["show"] * 7 + [""] * 6)  # Enter at the update: no U
    assert "you took no update step, so L stayed at -8" in printed and "-7.286496" not in printed


def test_a_shown_answer_is_not_called_yours_in_the_comparison(catalog):
    """"dL/dd: yours 8, engine 8, ~ shown" called a revealed value the learner's."""
    session = LessonSession(catalog.find("chain-rule"), None, transient=True)
    session.go_on()
    session.answer("1")  # dL/dL, found
    while session.asked:
        session.reveal()
    session.skip()
    said = text_of(session.message)
    assert "dL/dL: yours 1, engine 1, ✓ earned" in said
    assert "dL/dd: engine -2, ~ shown to you" in said and "yours -2" not in said


def test_gradients_after_an_update_are_said_to_be_from_before_it(catalog):
    """first-graph after its step showed `data 4.9` beside `grad = 10` with nothing to say the 10
    belongs to a = 5."""
    from tests.core.drive import through_part

    session = through_part(catalog.find("first-graph"), None)
    while session.asked:
        session.answer(repr(session.flow.exercise.expected(session.asked)))
    while session.replay is not None and not session.replay.done:
        session.skip()
    said = text_of(session.message)
    assert "The gradients shown are from before step 1, at the old values" in said
    boxes = {node.name: node for node in session.nodes()}
    assert boxes["a"].value == "4.9" and boxes["a"].grad == "10"


def test_a_training_run_left_part_way_is_started_and_reopens_on_the_run(catalog, tmp_path):
    """Esc after 21 steps of small-network left it "not started", and the introduction came again."""
    from tui_grad.core.home import part_summary
    from tui_grad.core.progress import ProgressStore

    lesson = catalog.find("small-network")
    store = ProgressStore(tmp_path).load()
    session = LessonSession(lesson, store)
    session.go_on()
    assert session.phase == "watch"
    session.drawn(21)
    session.leave()
    reread = ProgressStore(tmp_path).load()
    assert part_summary(lesson, reread.lessons.get(lesson.id)) == "in progress"
    again = LessonSession(lesson, reread)
    assert again.phase == "watch" and again.resumed
