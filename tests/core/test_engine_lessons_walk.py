"""What a walk through the lessons that build the engine found, in the core flow and line mode: the
last hint, the recap, the help, the words a wrong answer gets (the app's side is in
tests/ui/test_engine_lessons_walk.py)."""

from __future__ import annotations

import io
import json

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.parts import ANSWERING
from tui_grad.core.progress import ProgressStore
from tui_grad.core.rule_checker import OPS, check_rule, points
from tui_grad.core.views import text_of
from tui_grad.plain import run_plain

CATALOG = load_catalog()


def plain(home, lesson: str, lines: list[str]) -> str:
    out = io.StringIO()
    run_plain(CATALOG, lesson, ProgressStore(home).load(), None,
              stdin=io.StringIO("".join(text + "\n" for text in lines)), stdout=out)
    return out.getvalue()


@pytest.mark.parametrize(("lesson", "asked", "shown"), [
    ("backward-rules", "add:self", "Shown: self.grad += out.grad"),
    ("topological-order", "order", "Shown: L e c d b a"),
])
def test_the_fourth_hint_shows_the_answer_and_saves_it_as_shown(tmp_path, lesson, asked, shown):
    session = LessonSession(CATALOG.find(lesson), ProgressStore(tmp_path).load())
    session.go_on()
    for _ in range(3):
        session.hint()
    session.leave()
    again = LessonSession(CATALOG.find(lesson), ProgressStore(tmp_path).load())  # hints saved: 3
    assert again.asked == asked and again.flow.exercise.hints == {asked: 3}
    again.hint()
    assert text_of(again.message).startswith(f"Hint 4 of 4 · Answer: {shown}")
    assert again.asked != asked
    store = ProgressStore(tmp_path).load()
    assert store.lesson(CATALOG.find(lesson).id).part_progress(0).status[asked] == "shown"
    assert [(a["node"], a["shown"]) for a in store.attempts] == [(asked, True)]


@pytest.mark.parametrize(("lesson", "shown"), [
    ("backward-rules", "Answer: Shown: self.grad += out.grad"),
    ("topological-order", "Answer: Shown: L e c d b a"),
])
def test_the_fourth_hint_in_line_mode(tmp_path, lesson, shown):
    out = plain(tmp_path, lesson, ["", "hint", "hint", "hint", "hint", "lessons"])
    assert "Hint 4 of 4" in out and shown in out


def test_your_engine_without_rules_stops_until_they_are_written(tmp_path):
    from tests.core.test_your_engine_kind import write_rules

    lesson = CATALOG.find("your-engine")
    session = LessonSession(lesson, ProgressStore(tmp_path).load())
    session.go_on()
    assert session.allowed == ("leave",)
    assert not session.act("continue") and session.part_index == 0
    session.leave()
    store = ProgressStore(tmp_path).load()
    assert not store.lesson("your-engine").finished and not store.lesson("your-engine").part_progress(0).done

    again = LessonSession(lesson, write_rules(tmp_path))  # the rules written since: the part runs them
    assert again.phase == "replay" and again.part_index == 0


def test_your_engine_without_rules_in_line_mode_is_not_finished(tmp_path):
    out = plain(tmp_path, "your-engine", ["", "", "", "lessons"])
    assert "Your engine has no rule yet for * (both lines) and + (both lines)" in out
    assert "Lesson finished" not in out
    assert not ProgressStore(tmp_path).load().lesson("your-engine").finished


def answer_all_but_the_last(session: LessonSession) -> str:
    """Show every answer of the part but the last; returns the last one's right answer."""
    exercise = session.flow.exercise
    while [name for name in exercise.order if exercise.status[name] == "pending"][1:]:
        session.act("reveal")
    return format(exercise.expected(session.asked), ".10g")


@pytest.mark.parametrize("lesson", ["mlp-step", "chain-rule"])
def test_the_last_verdict_stays_above_the_replay_that_follows_it(tmp_path, lesson):
    session = LessonSession(CATALOG.find(lesson), ProgressStore(tmp_path).load())
    session.go_on()
    assert session.phase == ANSWERING
    last = answer_all_but_the_last(session)
    assert session.answer(last)
    verdict = text_of(session.message)
    assert verdict.startswith("✓ Right")
    session.advance()  # the replay's first step: the app shows it at once
    assert text_of(session.message).startswith(verdict)
    assert session.status()[0].text.startswith("Step 1 of")
    session.skip()  # at the end the comparison takes the room
    assert not text_of(session.message).startswith(verdict) and "engine" in text_of(session.message)


@pytest.mark.parametrize(("lesson", "form"), [
    ("backward-rules", "Type your answer: one line of code, self.grad += (local slope) * out.grad"),
    ("topological-order", "Type your answer: the 6 names (a, b, c, d, e, L) separated by spaces"),
])
def test_line_modes_help_says_what_this_answer_is_and_offers_no_nudge(tmp_path, lesson, form):
    out = plain(tmp_path, lesson, ["", "help", "nudge", "lessons"])
    assert form in out and "a fraction (1/2)" not in out
    assert "nudge [h]" not in out and "update rule" not in out
    assert "Nudging is for gradients and slopes; here, type " + form.removeprefix("Type your answer: ") in out


def test_line_modes_help_at_a_gradient_still_offers_nudge(tmp_path):
    out = plain(tmp_path, "chain-rule", ["", "help", "lessons"])
    assert "Type your answer: a number (-2), a fraction (1/2)" in out and "nudge [h]" in out


@pytest.mark.parametrize(("line", "mistake", "words"), [
    ("self.grad += (out.data >= 0) * out.grad", "relu-everywhere", "with > (out.data is never negative"),
    ("self.grad += (self.data >= 0) * out.grad", "relu-at-zero", "right except where the input is exactly 0"),
])
def test_relu_compared_with_greater_or_equal_is_named_and_checked_at_zero(line, mistake, words):
    verdict = check_rule("relu", "self", line)
    assert not verdict.correct and verdict.mistake == mistake and words in verdict.message
    assert any(point["self.data"] == 0 for point in points(OPS["relu"]))
    assert check_rule("relu", "self", "self.grad += (self.data > 0) * out.grad").correct


@pytest.mark.parametrize(("lesson", "part"), [("topological-order", None), ("your-engine", 1), ("your-engine", 2)])
def test_trace_lists_no_update_steps_for_a_lesson_that_takes_none(capsys, lesson, part):
    from tui_grad.cli import main

    where = ["--part", str(part)] if part else []
    assert main(["trace", lesson, *where]) == 0
    assert "Updates" not in capsys.readouterr().out
    assert main(["trace", lesson, *where, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["updates"] == []


def test_your_engine_left_mid_replay_comes_back_to_the_part_not_the_introduction(tmp_path):
    from tests.core.test_your_engine_kind import write_rules

    lesson = CATALOG.find("your-engine")
    session = LessonSession(lesson, write_rules(tmp_path))
    session.go_on()
    session.advance()
    session.advance()
    session.leave()
    again = LessonSession(lesson, ProgressStore(tmp_path).load())
    assert again.phase == "replay" and again.resumed
    assert "You are back where you left off." in text_of(again.message)

    home = tmp_path / "plain"
    write_rules(home)
    first = plain(home, "your-engine", ["lessons"])  # line mode shows the whole pass, then asks
    assert "The lines you wrote in Write the backward rules" in first
    out = plain(home, "your-engine", ["lessons"])
    assert "Resuming at part 1 of 2." in out and "The lines you wrote in Write the backward rules" not in out


def test_mlp_step_names_the_missing_two_and_no_hidden_node(tmp_path):
    session = LessonSession(CATALOG.find("mlp-step"), ProgressStore(tmp_path).load())
    session.go_on()
    assert session.prompt_line == "dL/dyhat ="
    assert not session.answer("-0.9260")  # ŷ − y, the power rule's 2 left out
    words = text_of(session.message)
    assert "without the factor 2 of the power rule: L = (yhat - y)^2" in words
    assert " e " not in words and "dL/de" not in words
    session.act("reveal")
    assert "dL/dyhat = dL/d(yhat - y) · d(yhat - y)/dyhat" in text_of(session.message)
    while session.phase == ANSWERING:
        session.act("reveal")
    session.act("skip")
    out = plain(tmp_path / "plain", "mlp-step", ["show"] * 9 + ["lessons"])
    assert "(v1 * h1 + v2 * h2).grad += 1 × -1.852054" in out


def test_the_rules_screen_gives_no_answer_away_and_names_lines_as_the_learner_reads_them(tmp_path):
    from tui_grad.core.rule_exercise import answer_of

    session = LessonSession(CATALOG.find("backward-rules"), ProgressStore(tmp_path).load())
    session.go_on()
    assert session.flow.picture(session.values)[1] == "▶ self's line   … other's line"
    for key in CATALOG.find("backward-rules").parts[0].ask:
        assert answer_of(key) not in session.flow.answer_hint(key)
        assert len(f"{session.flow.prompt(key)}: {session.flow.answer_hint(key)}") <= 76  # inside 80 columns


def test_a_right_order_is_called_right_once(tmp_path):
    session = LessonSession(CATALOG.find("topological-order"), ProgressStore(tmp_path).load())
    session.go_on()
    assert session.answer("L e d c b a")
    assert text_of(session.message).startswith("✓ Right: every node ran after all the nodes that use it")


def test_line_mode_offers_an_update_step_in_words(tmp_path):
    out = plain(tmp_path, "mlp-step", ["show"] * 9 + ["lessons"])
    assert "update to take an update step" in out and "update to update step" not in out


def test_an_update_step_in_practice_does_not_call_itself_a_lesson():
    from tui_grad.core.generator import generate
    from tui_grad.core.update import UpdateExercise, describe_rule

    part = generate(6, 1)
    exercise = UpdateExercise(part)
    while exercise.current in exercise.gradient_questions:  # level 6 asks the gradients first
        exercise.submit(format(exercise.expected(exercise.current), ".12g"))
    name = exercise.current
    move = exercise.move(name)
    wrong_way = move.before + part.update.step_size * move.grad
    verdict = exercise.submit(format(wrong_way, ".12g"))
    assert verdict.mistake == "update-wrong-way"
    assert "This lesson" not in verdict.message + describe_rule(part)


def test_mlp_steps_update_answers_are_filed_as_updates_and_their_line_fits(tmp_path):
    session = LessonSession(CATALOG.find("mlp-step"), ProgressStore(tmp_path).load())
    session.go_on()
    while session.phase == ANSWERING:
        asked = session.asked
        assert len(f"{session.prompt_line} {session.answer_hint}") <= 76, asked  # the answer line at 80 columns
        session.act("reveal")
    kinds = {a["node"]: a["kind"] for a in ProgressStore(tmp_path).load().attempts}
    assert kinds["yhat"] == "gradient" and kinds["v1 after the step"] == "update"
    assert kinds["v1.grad without zero_grad"] == "update"


def test_a_sum_of_paths_brackets_a_negative_gradient_after_the_plus():
    from tui_grad.core.exercise import GradientExercise
    from tui_grad.core.generator import generate

    exercise = GradientExercise(generate(3, 2))
    assert exercise.chain_terms("x").endswith("= -3 · (-6) + (-3) · 1")
