"""The mlp-step lesson: its numbers are the engine's (and mlp_step's, which are checked against central
differences), its training part falls as the comment says, and a learner can leave and come back."""

from __future__ import annotations

import io

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.exercise import format_number
from tui_grad.core.flow import LessonSession
from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import part_from_table
from tui_grad.core.mlp_exercise import MlpStepExercise
from tui_grad.core.mlp_step import DEFAULT_NUMBERS, run, train, update
from tui_grad.core.parts import REPLAY
from tui_grad.core.progress import ProgressStore
from tui_grad.core.training import train_steps
from tui_grad.plain import run_plain

CATALOG = load_catalog()
LESSON = CATALOG.find("mlp-step")


def test_the_lesson_uses_the_numbers_checked_against_central_differences():
    first = LESSON.parts[0]
    assert first.inputs == dict(DEFAULT_NUMBERS)
    exercise = kind_of(first).exercise(first)
    assert isinstance(exercise, MlpStepExercise)
    result = run()
    for name in exercise.gradient_questions:
        assert exercise.expected(name) == pytest.approx(result.grads[name], rel=1e-12)
    assert exercise.expected("w11 after the step") == pytest.approx(update(result, ("w11",), 0.1)["w11"])
    for number in ("0.4621", "0.7616", "h1 = 0.4621"):
        assert number in LESSON.intro + first.text


def test_the_twenty_steps_fall_as_the_file_says():
    losses = [step.loss for step in train_steps(LESSON.parts[1])]
    assert losses == pytest.approx(train())
    assert (round(losses[0], 4), round(losses[-1], 4), len(losses)) == (0.8575, 0.0011, 21)


def test_no_gradient_is_given_away_before_it_is_asked(tmp_path):
    session = LessonSession(LESSON, ProgressStore(tmp_path).load())
    session.go_on()
    assert not [node for node in session.nodes() if node.state == "given"]
    assert session.flow.picture(session.values) == (
        "z1 = 0.5  h1 = tanh(z1) = 0.4621   z2 = -1  h2 = tanh(z2) = -0.7616",
        "yhat = v1·h1 + v2·h2 + c = 1.074   y = 2   L = (yhat − y)² = 0.8575")


def test_an_mlp_step_part_must_say_what_it_asks_and_moves():
    table = {"kind": "mlp-step", "inputs": dict(DEFAULT_NUMBERS), "nodes": [
        "z1 = w11 * x1 + w12 * x2 + b1", "h1 = tanh(z1)", "z2 = w21 * x1 + w22 * x2 + b2", "h2 = tanh(z2)",
        "yhat = v1 * h1 + v2 * h2 + c", "L = (yhat - y) ** 2"], "ask": ["yhat"], "parameters": ["v1"]}
    assert part_from_table(table).kind == "mlp-step"
    with pytest.raises(LessonError, match="needs ask"):
        part_from_table({**table, "ask": []})
    with pytest.raises(LessonError, match="needs parameters"):
        part_from_table({**table, "parameters": []})
    with pytest.raises(LessonError, match="'z2' is not a node"):
        inputs = {name: value for name, value in DEFAULT_NUMBERS.items() if name not in ("w21", "w22", "b2", "v2")}
        part_from_table({**table, "inputs": inputs, "nodes": ["z1 = w11 * x1 + w12 * x2 + b1", "h1 = tanh(z1)",
                                                              "yhat = v1 * h1 + c", "L = (yhat - y) ** 2"]})


def test_a_learner_leaves_mid_part_and_comes_back_in_both_faces(tmp_path):
    session = LessonSession(LESSON, ProgressStore(tmp_path / "core").load())
    session.go_on()
    for _ in range(3):
        session.answer(format_number(session.flow.exercise.expected(session.asked)))
    session.leave()
    again = LessonSession(LESSON, ProgressStore(tmp_path / "core").load())
    assert again.asked == "h1" and again.resumed
    while again.asked:
        again.answer(format_number(again.flow.exercise.expected(again.asked)))
    assert again.phase == REPLAY

    def plain(lines):
        out = io.StringIO()
        run_plain(CATALOG, "mlp-step", ProgressStore(tmp_path / "plain").load(), None,
                  stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=out)
        return out.getvalue()

    plain(["", "-1.8521", "-0.8559", "lessons"])
    out = plain(["1.4105", "-2.7781", "lessons"])
    assert "Resuming at part 1 of 2, question dL/dv2." in out and "Question 5 of 9." in out
