"""Lesson 10, two bugs every backprop writer makes: the `=`-for-`+=` bug hunt and the training loop
without zero_grad. Every number the lesson states is checked against what the engine does with the
bug switched on; the bug hunt's questions are walked as a learner would."""

from __future__ import annotations

import math

import pytest

from tui_grad.core.bughunt import WHICH, buggy_steps
from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.parts import ANSWERING, REPLAY
from tui_grad.core.progress import ProgressStore
from tui_grad.core.training import train_steps
from tui_grad.core.views import CONTINUE, text_of
from tui_grad.engine import Value, backward_steps

LESSON = load_catalog().find("two-bugs")


def test_the_buggy_engine_keeps_only_the_last_path_of_seed_004s_example():
    a = Value(3.0, label="a")
    b = a**2
    b.label = "b"
    c = 3 * a
    c.label = "c"
    loss = b + c
    loss.label = "L"
    steps = backward_steps(loss)
    assert a.grad == 9  # seed 004: dL/da = dL/db · db/da + dL/dc · dc/da = 1·6 + 1·3
    buggy = buggy_steps(steps, "L")
    last_a = [step for step in buggy if step.child == "a"][-1]
    assert (last_a.child_grad_before, last_a.child_grad_after) == (3, 6)  # the 3 from c's path is lost


def losses(part):
    return [step.loss for step in train_steps(part)]


def test_the_loop_without_zero_grad_never_settles_and_the_fixed_one_does():
    buggy_part, fixed_part = LESSON.parts[2], LESSON.parts[3]
    assert (buggy_part.zero_grad, fixed_part.zero_grad) == (False, True)
    buggy, fixed = losses(buggy_part), losses(fixed_part)
    assert [round(loss, 2) for loss in buggy[:6]] == [56, 25.06, 0.93, 13.05, 46.62, 60.65]
    assert [round(loss, 2) for loss in fixed[:5]] == [56, 25.06, 11.28, 5.14, 2.41]
    assert round(buggy[-1], 2) == 26.74 and round(max(buggy[1:]), 2) == 60.93
    assert round(fixed[-1], 2) == 0.10
    last_buggy = list(train_steps(buggy_part))[-1].params
    last_fixed = list(train_steps(fixed_part))[-1].params
    assert (round(last_buggy["m"], 2), round(last_buggy["b"], 2)) == (3.03, 0.82)
    assert (round(last_fixed["m"], 2), round(last_fixed["b"], 2)) == (1.79, 0.48)
    assert "56 to 0.10" in LESSON.outro and "about 61" in LESSON.outro


def test_without_zero_grad_each_step_follows_the_sum_of_every_gradient_so_far():
    buggy, fixed = list(train_steps(LESSON.parts[2])), list(train_steps(LESSON.parts[3]))
    assert buggy[1].params == fixed[1].params  # the first step is the same: nothing old to add yet
    # fixed's gradients are the ones at each point; the buggy loop's are their running sums
    running = {name: 0.0 for name in ("m", "b")}
    for step in buggy[:5]:
        fresh = next(train_steps(LESSON.parts[3], step.params, steps=0)).grads
        running = {name: running[name] + fresh[name] for name in running}
        assert all(math.isclose(step.grads[name], running[name]) for name in running)


def test_the_bug_hunt_asks_which_node_then_its_real_gradient(tmp_path):
    session = LessonSession(LESSON, ProgressStore(tmp_path).load())
    session.go_on()  # the introduction
    assert session.phase == REPLAY and "buggy" in session.subtitle
    told = "This engine's backward pass has bug 1"
    while session.replay is not None and not session.replay.done:
        session.advance()
        assert text_of(session.message).startswith(told)  # the part's text stays above every step
    # the last buggy step stays on screen, without saying what it lost: that is the question
    assert "a.grad = 6 × 1 = 6" in text_of(session.message) and "lost" not in text_of(session.message)
    assert "3.grad" not in text_of(session.message)  # a constant's gradient is no step of the lesson
    session.go_on()
    assert session.phase == ANSWERING and session.asked == WHICH
    assert told not in text_of(session.message)
    assert session.prompt_line == "Which node's gradient is wrong?"
    session.answer("nosuch")
    assert "there is no node called 'nosuch'" in text_of(session.message)
    session.answer("b")
    assert "b's gradient is right" in text_of(session.message)
    session.answer("a")
    assert session.asked == "a" and session.prompt_line == "the real dL/da ="
    session.answer("6")
    assert "6 counts only the path through b" in text_of(session.message)
    session.answer("9")
    assert session.phase == REPLAY and "buggy" not in session.subtitle  # now the real pass replays
    while not session.replay.done:
        session.advance()
    assert "You earned 1 of 1" in text_of(session.message) and "yours 9, engine 9" in text_of(session.message)
    assert CONTINUE in session.allowed


def test_a_bug_hunt_comes_back_to_its_question_after_leaving(tmp_path):
    session = LessonSession(LESSON, ProgressStore(tmp_path).load())
    session.go_on()
    session.skip()
    session.go_on()
    session.answer("a")
    session.leave()
    again = LessonSession(LESSON, ProgressStore(tmp_path).load())
    assert again.resumed and again.phase == ANSWERING and again.asked == "a"


def test_a_bughunt_part_whose_bug_changes_nothing_is_refused(write_lesson):
    path = write_lesson("""
id = "nobug"
title = "No bug"
summary = "s"
[text]
intro = "# i"
outro = "o"
[[parts]]
title = "p"
kind = "bughunt"
inputs = { a = 3.0, b = 2.0 }
nodes = ["c = a * b", "L = c + 1"]
output = "L"
""")
    with pytest.raises(LessonError, match="changes no gradient"):
        load_lesson(path)


def test_zero_grad_must_be_true_or_false(write_lesson):
    source = LESSON.path.read_text(encoding="utf-8").replace("zero_grad = false", 'zero_grad = "no"')
    with pytest.raises(LessonError, match="zero_grad"):
        load_lesson(write_lesson(source, "two-bugs.toml"))


def test_line_mode_prints_the_first_steps_of_both_loops(tmp_path):
    """Line mode printed every sixth training step, so the first two, the ones the text asks to
    watch (the same in both loops), never appeared."""
    import io

    from tui_grad.core.catalog import load_catalog
    from tui_grad.plain import run_plain

    stdout = io.StringIO()
    answers = ["", "a", "9", "", "-112", "-48", "", "", "", "", "", ""]
    run_plain(load_catalog(), "two-bugs", None, stdin=io.StringIO("".join(f"{a}\n" for a in answers)), stdout=stdout)
    printed = stdout.getvalue()
    tables = printed.split("  step ")[1:]
    assert len(tables) == 2, printed[-2000:]
    for table in tables:
        rows = [row.split()[0] for row in table.splitlines()[1:] if row.strip() and row.split()[0].isdigit()]
        assert rows[:4] == ["0", "1", "2", "3"], rows


def to_the_zero_grad_part(session):
    """Through the bug hunt, right, to the question about a second backward()."""
    session.go_on()
    while session.part_index == 0:
        if session.phase == ANSWERING and session.asked:
            session.answer("a")
            session.answer("9")
        elif session.replay is not None and not session.replay.done:
            session.advance()
        else:
            session.go_on()
    return session


def test_bug_2_is_asked_the_doubled_gradient_against_the_engine(tmp_path):
    """Bug 2 was only watched: now the learner says what .grad holds after a second backward()."""
    m, b = Value(0.0, label="m"), Value(0.0, label="b")
    loss = (m * 1 + b - 2) ** 2 + (m * 2 + b - 4) ** 2 + (m * 3 + b - 6) ** 2
    backward_steps(loss)
    first = (m.grad, b.grad)
    assert (loss.data, *first) == (56, -56, -24)
    session = to_the_zero_grad_part(LessonSession(LESSON, ProgressStore(tmp_path).load()))
    assert session.phase == ANSWERING and session.asked == "m.grad without zero_grad"
    assert session.flow.picture(session.values) == ("m = 0   b = 0   L = 56",
                                                    "after one backward():   m.grad = -56   b.grad = -24")
    for typed, code in (("-56", "zero-grad-replaced"), ("3136", "zero-grad-squared"), ("0", "zero-grad-cleared"),
                        ("-100", "unexplained")):
        session.answer(typed)
        assert session.flow.exercise.attempts[-1].mistake == code
    assert "as if the second replaced the first" not in text_of(session.message)
    session.answer(str(2 * first[0]))
    assert session.asked == "b.grad without zero_grad" and "-56 + (-56) = -112" in text_of(session.message)
    session.answer(str(2 * first[1]))
    assert session.asked is None and "-48" in text_of(session.message)
    assert "-56 to −112" not in LESSON.outro and "−56 to −112" in LESSON.outro


def test_the_zero_grad_question_comes_back_after_leaving_in_both_faces(tmp_path):
    import io

    from tui_grad.plain import run_plain

    session = to_the_zero_grad_part(LessonSession(LESSON, ProgressStore(tmp_path / "core").load()))
    session.answer("-112")
    session.leave()
    again = LessonSession(LESSON, ProgressStore(tmp_path / "core").load())
    assert again.part_index == 1 and again.asked == "b.grad without zero_grad"

    def plain(lines):
        out = io.StringIO()
        run_plain(load_catalog(), "two-bugs", ProgressStore(tmp_path / "plain").load(), None,
                  stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=out)
        return out.getvalue()

    first = plain(["", "a", "9", "", "-56", "-112", "lessons"])
    assert "m.grad after the second backward() =" in first and "as if the second replaced the first" in first
    out = plain(["-48", "lessons"])
    assert "Resuming at part 2 of 4" in out and "b.grad = -48." in out
