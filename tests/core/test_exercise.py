"""Grading the chain-rule exercise: the order asked, what is accepted, what is said."""

from __future__ import annotations

import pytest

from tui_grad.core.exercise import EARNED, PENDING, SHOWN, GradientExercise, describe_step, format_number
from tui_grad.core.update import describe_move, describe_rule, take_steps

DESIGN_GRADS = {"L": 1.0, "d": -2.0, "f": 4.0, "e": -2.0, "c": -2.0, "a": 6.0, "b": -4.0}


@pytest.fixture
def part(chain_rule):
    return chain_rule.parts[0]


@pytest.fixture
def exercise(part):
    return GradientExercise(part)


def test_asks_from_the_output_back_to_the_leaves(exercise):
    assert exercise.order == ("L", "d", "f", "e", "c", "a", "b")
    assert exercise.current == "L"


def test_expected_gradients_are_the_engines(exercise):
    assert {name: exercise.expected(name) for name in exercise.order} == DESIGN_GRADS


def test_every_right_answer_walks_to_the_end(exercise):
    for name in exercise.order:
        verdict = exercise.submit(format_number(DESIGN_GRADS[name]))
        assert verdict.correct, verdict.message
    assert exercise.done
    assert set(exercise.status.values()) == {EARNED}


@pytest.mark.parametrize("text", ["-2", "-2.0", "−2", "-2*1", "-4/2", " -2 ", "-2.0000000001", "f", "-(4/2)"])
def test_answer_forms_accepted_for_d(exercise, text):
    exercise.submit("1")
    verdict = exercise.submit(text)
    assert verdict.correct, verdict.message
    assert verdict.understood == pytest.approx(-2.0)


def test_tolerance_is_relative_1e_6(exercise):
    exercise.submit("1")
    assert not exercise.submit("-2.00001").correct
    assert exercise.submit("-2.000001").correct


def test_wrong_answer_says_so_and_points_at_the_chain_rule(exercise):
    for name in ("L", "d", "f", "e", "c"):
        exercise.submit(format_number(DESIGN_GRADS[name]))
    verdict = exercise.submit("-3")
    assert not verdict.correct and verdict.readable
    assert verdict.understood == -3.0
    assert "dL/da is not -3" in verdict.message
    assert "dL/de = -2" in verdict.message and "de/da" in verdict.message
    assert exercise.current == "a"
    assert exercise.attempts[-1].correct is False


def test_unreadable_answer_costs_nothing(exercise):
    verdict = exercise.submit("two")
    assert not verdict.readable and "Could not read" in verdict.message
    assert exercise.attempts == []
    assert exercise.current == "L"


def test_right_answer_writes_out_the_chain_rule(exercise):
    for name in ("L", "d", "f", "e"):
        exercise.submit(format_number(DESIGN_GRADS[name]))
    verdict = exercise.submit("-2")
    assert verdict.explanation == "dL/dc = dL/dd · dd/dc = -2 · 1 = -2"


def test_reveal_marks_shown_not_earned(exercise):
    verdict = exercise.reveal()
    assert verdict.shown and verdict.understood == 1.0
    assert exercise.status["L"] == SHOWN and exercise.status["d"] == PENDING
    assert exercise.current == "d"


def test_backward_steps_narrated_like_the_lecture(exercise):
    first = exercise.steps[0]
    line, why = describe_step(first, "L")
    assert line == "d.grad += -2 × 1 = -2"
    assert "dL/dL = 1" in why
    c_step = next(step for step in exercise.steps if step.child == "c")
    assert describe_step(c_step, "L")[0] == "c.grad += 1 × -2 = -2"


def test_one_update_reaches_the_lecture_number(part):
    [step] = take_steps(part, None, 1)
    assert step.output_before == -8.0
    assert step.output_after == pytest.approx(-7.286496, abs=1e-9)
    moves = {move.name: move for move in step.parameters}
    assert moves["a"].after == pytest.approx(2.06)
    assert describe_move(moves["a"], part) == "a ← 2 + 0.01 × 6 = 2.06"
    assert describe_move(moves["b"], part) == "b ← -3 + 0.01 × (-4) = -3.04"
    assert "along the gradient" in describe_rule(part) and "against" in describe_rule(part)
    assert dict(step.forward)["L"] == pytest.approx(-7.286496, abs=1e-9)


def test_more_steps_keep_raising_l(part):
    steps = take_steps(part, None, 3)
    outputs = [step.output_after for step in steps]
    assert outputs == sorted(outputs) and outputs[-1] < 0
    assert [step.step for step in steps] == [1, 2, 3]


@pytest.mark.parametrize(("value", "text"), [(6.0, "6"), (-2.0, "-2"), (2.06, "2.06"), (-7.286496, "-7.286496"),
                                             (-0.0, "0"), (1e-12, "1e-12"), (0.1 + 0.2, "0.3")])
def test_format_number(value, text):
    assert format_number(value) == text
