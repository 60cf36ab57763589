"""The network step as a learner's exercise: the gradients a gradients part would ask, then an update
step and the zero_grad question, every expected number the engine's (checked against mlp_step, which
tests/core/test_mlp_step.py checks against central differences)."""

from __future__ import annotations

import pytest

from tui_grad.core.exercise import EARNED, format_number
from tui_grad.core.lesson_file import part_from_table
from tui_grad.core.mlp_exercise import MlpStepExercise
from tui_grad.core.mlp_step import DEFAULT_NUMBERS, run, update

TABLE = {
    "title": "Into the first layer", "kind": "train",  # drawn as a network, not a graph
    "inputs": dict(DEFAULT_NUMBERS),
    "nodes": ["z1 = w11 * x1 + w12 * x2 + b1", "h1 = tanh(z1)", "z2 = w21 * x1 + w22 * x2 + b2", "h2 = tanh(z2)",
              "yhat = v1 * h1 + v2 * h2 + c", "e = yhat - y", "L = e ** 2"],
    "output": "L", "parameters": ["v1", "w11"], "ask": ["yhat", "v1", "v2", "h1", "z1", "w11"],
    "step_size": 0.1, "relative_tolerance": 1e-2, "absolute_tolerance": 1e-3,
}


@pytest.fixture
def exercise() -> MlpStepExercise:
    return MlpStepExercise(part_from_table(TABLE, "<test>"))


def test_the_questions_run_from_the_loss_into_w11_then_the_step_then_zero_grad(exercise):
    assert exercise.order == ("yhat", "v1", "v2", "h1", "z1", "w11", "v1 after the step", "w11 after the step",
                              "v1.grad without zero_grad")


def test_every_expected_number_is_the_engines(exercise):
    result = run()
    for name in ("yhat", "v1", "v2", "h1", "z1", "w11"):
        assert exercise.expected(name) == pytest.approx(result.grads[name], rel=1e-12)
    after = update(result, ("v1", "w11"), 0.1)
    assert exercise.expected("v1 after the step") == pytest.approx(after["v1"], rel=1e-12)
    assert exercise.expected("w11 after the step") == pytest.approx(after["w11"], rel=1e-12)
    assert exercise.expected("v1.grad without zero_grad") == pytest.approx(2 * result.grads["v1"], rel=1e-12)


def test_answers_worked_from_the_shown_four_digits_pass(exercise):
    for text in ("-1.8521", "-1.8521 * 0.4621", "1.4105", "-1.8521 * 1.5", "-2.7781 * 0.7864", "-2.1848 * 0.5",
                 "1.5 - 0.1 * -0.8559", "1 - 0.1 * -1.0924", "2 * -0.8559"):
        verdict = exercise.submit(text)
        assert verdict.correct, (text, verdict.message)
    assert exercise.done and all(state == EARNED for state in exercise.status.values())


def walk_to(exercise, question):
    while exercise.current != question:
        exercise.submit(format_number(exercise.expected(exercise.current)))


@pytest.mark.parametrize(("answer", "code"), [("1.5 + 0.1 * -0.8559", "update-wrong-way"),
                                              ("1.5 + 0.8559", "update-no-step-size"),
                                              ("0.08559", "update-change-only")])
def test_update_slips_are_named(exercise, answer, code):
    walk_to(exercise, "v1 after the step")
    assert exercise.submit(answer).mistake == code


def test_forgetting_that_micrograd_adds_is_named(exercise):
    walk_to(exercise, "v1.grad without zero_grad")
    verdict = exercise.submit("-0.8559")
    assert verdict.mistake == "zero-grad-replaced" and "backward() only adds with +=" in verdict.message
    right = exercise.submit("-1.7117")
    assert right.correct and "Reset with zero_grad()" in right.explanation


def test_a_tanh_slip_on_z1_is_diagnosed_like_any_gradient(exercise):
    walk_to(exercise, "z1")
    verdict = exercise.submit("-2.7781")  # dL/dh1 again: the tanh's local slope forgotten
    assert not verdict.correct and verdict.mistake == "forgot-local"


def test_hints_for_the_new_questions_climb_to_the_answer(exercise):
    walk_to(exercise, "w11 after the step")
    texts = [exercise.hint().text for _ in range(4)]
    assert "w11 ← w11 − 0.1 × dL/dw11" in texts[1]
    assert texts[3].startswith("Shown: w11 after the step = 1.109241")
