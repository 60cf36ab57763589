"""Tutoring depth: each mistake named on two lessons, the hint ladder, symbolic answers, nudges,
update slips, and a session that resumes where the learner left off."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.exercise import SHOWN, GradientExercise
from tui_grad.core.lesson_file import load_lesson
from tui_grad.core.progress import ProgressStore
from tui_grad.core.tutor import Tutor, draw_inputs
from tui_grad.core.update import UpdateExercise

from tests.conftest import GOOD_LESSON


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def part_of(catalog, lesson_id: str, index: int = 0):
    lesson = catalog.find(lesson_id)
    assert lesson is not None, f"lesson {lesson_id} is not shipped"
    return lesson.parts[index]


def answer_up_to(exercise: GradientExercise, node: str) -> None:
    """Answer every question before `node` correctly."""
    while exercise.current != node:
        assert exercise.submit(repr(exercise.expected(exercise.current))).correct


# (lesson, part, node, wrong answer, mistake code) - each rule on two different lessons
MISTAKES = [
    ("chain-rule", 0, "a", "-3", "forgot-upstream"),
    ("first-graph", 0, "a", "1", "forgot-upstream"),
    ("chain-rule", 0, "a", "-2", "forgot-local"),
    ("first-graph", 0, "c", "1", "forgot-local"),
    ("chain-rule", 0, "a", "-4", "own-value"),
    ("first-graph", 0, "c", "8", "own-value"),
    ("chain-rule", 0, "c", "12", "sum-as-product"),
    ("first-graph", 0, "a", "30", "sum-as-product"),
    ("chain-rule", 0, "a", "-6", "sign"),
    ("first-graph", 0, "c", "-10", "sign"),
    ("chain-rule", 0, "f", "-8", "value-not-gradient"),
    ("first-graph", 0, "d", "80", "value-not-gradient"),
    ("two-paths", 0, "a", "1", "one-path"),
    ("two-paths", 1, "x", "75", "one-path"),
]


@pytest.mark.parametrize(("lesson_id", "index", "node", "wrong", "code"), MISTAKES,
                         ids=[f"{m[4]}-{m[0]}-{m[2]}" for m in MISTAKES])
def test_each_mistake_is_named_with_the_graphs_numbers(catalog, lesson_id, index, node, wrong, code):
    exercise = GradientExercise(part_of(catalog, lesson_id, index))
    answer_up_to(exercise, node)
    verdict = exercise.submit(wrong)
    assert not verdict.correct and verdict.mistake == code, verdict.message
    assert exercise.attempts[-1].mistake == code
    assert f"is not {wrong}" in verdict.message


def test_one_path_on_a_second_lesson(write_lesson):
    exercise = GradientExercise(load_lesson(write_lesson(GOOD_LESSON)).parts[0])
    answer_up_to(exercise, "x")  # x feeds p = x * y and L = p + x: dL/dx = y + 1 = -1
    verdict = exercise.submit("-2")
    assert verdict.mistake == "one-path" and "Add the contributions of every path" in verdict.message


def test_an_unexplained_answer_gets_a_pointer_to_the_chain_rule(catalog):
    exercise = GradientExercise(part_of(catalog, "chain-rule"))
    answer_up_to(exercise, "a")
    verdict = exercise.submit("17")
    assert verdict.mistake == "unexplained"
    assert "dL/de = -2" in verdict.message and "de/da" in verdict.message


def test_the_hint_ladder_goes_one_step_further_each_time(catalog):
    exercise = GradientExercise(part_of(catalog, "chain-rule"))
    answer_up_to(exercise, "a")
    hints = [exercise.hint() for _ in range(4)]
    assert [hint.level for hint in hints] == [1, 2, 3, 4]
    assert "e (e = a * b)" in hints[0].text and "dL/de = -2" in hints[0].text
    assert "de/da = b = -3" in hints[1].text
    assert "dL/da = dL/de · de/da = -2 · (-3)" in hints[2].text and "= 6" not in hints[2].text
    assert "6" in hints[3].text and exercise.status["a"] == SHOWN
    assert exercise.hints["a"] == 4 and exercise.current == "b"


@pytest.mark.parametrize(("text", "value"), [("b*f", 6.0), ("-2*1", -2.0), ("-(e + c) / 2", -2.0), ("d", 4.0)])
def test_answers_may_name_nodes(catalog, text, value):
    exercise = GradientExercise(part_of(catalog, "chain-rule"))
    assert exercise.read(text) == value


def test_nudges_converge_on_the_gradient(catalog):
    exercise = GradientExercise(part_of(catalog, "derivative-slope"))
    errors = [abs(exercise.nudge("x", h).estimate - 14.0) for h in (1.0, 0.1, 0.01, 0.001)]
    assert errors == sorted(errors, reverse=True) and errors[-1] < 0.01 < errors[0]
    chain = GradientExercise(part_of(catalog, "chain-rule"))
    assert chain.nudge("d", 0.001).estimate == pytest.approx(-2.0)  # an intermediate node nudged too


UPDATE_SLIPS = [  # (lesson, wrong new value of a, mistake)
    ("chain-rule", "1.94", "update-wrong-way"),      # ascent: 2 + 0.01 * 6 = 2.06
    ("first-graph", "5.1", "update-wrong-way"),      # descent: 5 - 0.01 * 10 = 4.9
    ("chain-rule", "8", "update-no-step-size"),
    ("first-graph", "-5", "update-no-step-size"),
    ("chain-rule", "1.96", "update-wrong-gradient"),  # b's gradient -4
    ("first-graph", "4.92", "update-wrong-gradient"),  # d's gradient 8
    ("chain-rule", "0.06", "update-change-only"),
    ("first-graph", "-0.1", "update-change-only"),
]


@pytest.mark.parametrize(("lesson_id", "wrong", "code"), UPDATE_SLIPS, ids=[f"{s[2]}-{s[0]}" for s in UPDATE_SLIPS])
def test_update_slips_are_named(catalog, lesson_id, wrong, code):
    part = part_of(catalog, lesson_id)
    exercise = UpdateExercise(replace(part, kind="update", ask=("a",)))
    verdict = exercise.submit(wrong)
    assert verdict.mistake == code, verdict.message
    right = {"chain-rule": "2.06", "first-graph": "4.9"}[lesson_id]
    assert exercise.submit(right).correct and exercise.done


def test_the_update_part_of_first_graph_reaches_the_lecture_number(catalog):
    lesson = catalog.find("first-graph")
    update = next(part for part in lesson.parts if part.kind == "update")
    exercise = UpdateExercise(update)
    for name, value in {"a": "4.9", "b": "2.9", "d": "9.92"}.items():
        assert exercise.current == name and exercise.submit(value).correct
    assert exercise.step.output_after == pytest.approx(77.376)


def test_the_tutor_saves_every_answer_and_resumes_mid_lesson(tmp_path, catalog):
    lesson = catalog.find("chain-rule")
    tutor = Tutor(lesson, ProgressStore(tmp_path).load())
    assert tutor.submit("1").correct
    assert not tutor.submit("5").correct
    tutor.hint()
    again = Tutor(lesson, ProgressStore(tmp_path).load())  # a new process, as after a dropped connection
    assert again.exercise.current == "d" and again.exercise.hints == {"d": 1}
    attempts = ProgressStore(tmp_path).load().attempts
    assert [(a["node"], a["correct"], a["mistake"]) for a in attempts] == [
        ("L", True, None), ("d", False, "unexplained")]
    assert attempts[1]["skills"] == ["product"]


def test_a_seed_draws_fresh_values_that_avoid_trivial_steps(catalog):
    part = part_of(catalog, "chain-rule")
    if not part.randomize:
        pytest.skip("chain-rule has no randomize ranges")
    drawn = [draw_inputs(part, seed, "chain-rule:0") for seed in range(30)]
    assert drawn[3] == draw_inputs(part, 3, "chain-rule:0")  # the same seed, the same numbers
    assert len({tuple(sorted(d.items())) for d in drawn}) > 10
    for values in drawn:
        graph = part.build(values)
        graph.output.backward()
        assert all(graph.nodes[name].data != 0 and graph.nodes[name].grad != 0 for name in graph.named)
