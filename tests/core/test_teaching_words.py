"""What the tutor says to a wrong answer: the slip it really is, named in words the lesson has
taught, and no more of the answer than the learner asked for (issue 19's teaching words)."""

from __future__ import annotations

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.exercise import Questions, Verdict
from tui_grad.core.formula import formula_lesson
from tui_grad.core.kinds.registry import kind_of


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def exercise_at(part, node: str) -> Questions:
    """The part's exercise, every question before `node` answered right."""
    exercise = kind_of(part).exercise(part)
    assert exercise is not None
    while exercise.current != node:
        assert exercise.submit(repr(exercise.expected(exercise.current))).correct
    return exercise


def wrong(catalog, lesson_id: str, node: str, typed: str, part: int = 0) -> Verdict:
    lesson = catalog.find(lesson_id)
    verdict = exercise_at(lesson.parts[part], node).submit(typed)
    assert not verdict.correct
    return verdict


def test_a_slope_of_the_wrong_sign_is_not_blamed_on_the_chain_rule(catalog):
    """Lesson 1 comes before the chain rule: a sign slip is put as which way f goes."""
    verdict = wrong(catalog, "derivative-slope", "x", "-14")
    assert verdict.mistake == "sign"
    assert "chain rule" not in verdict.message and "does f go up" in verdict.message


@pytest.mark.parametrize(("typed", "what"), [("20", "the value of f at x = 3"), ("3", "the value of x at x = 3")])
def test_a_value_typed_for_a_slope_is_named_as_in_the_gradient_lessons(catalog, typed, what):
    verdict = wrong(catalog, "derivative-slope", "x", typed)
    assert verdict.mistake == "value-not-gradient", verdict.message
    assert what in verdict.message and "not the slope" in verdict.message


def test_a_node_the_output_uses_directly_is_not_sent_to_the_chain_rule(catalog):
    """Lesson 2: d = a·b + c uses c directly; there is no chain to apply."""
    verdict = wrong(catalog, "partial-derivatives", "c", "9")
    assert verdict.mistake == "unexplained"
    assert "chain rule" not in verdict.message and "uses c directly" in verdict.message


def test_tanhs_derivative_without_the_square_is_a_named_mistake(catalog):
    """The neuron: 1 − o (0.29) for do/dn = 1 − o² (0.5)."""
    verdict = wrong(catalog, "neuron", "n", "0.29")
    assert verdict.mistake == "tanh-no-square", verdict.message
    assert "chain rule" not in verdict.message and "1 − o²" in verdict.message


def test_the_first_wrong_answer_names_the_local_derivative_without_giving_it(catalog):
    """Lesson 4, a: -2 is dL/de alone; the message says what to multiply by, the hints give its number."""
    verdict = wrong(catalog, "chain-rule", "a", "-2")
    assert verdict.mistake == "forgot-local"
    assert "de/da" in verdict.message and "-3" not in verdict.message


def test_a_local_derivative_of_the_output_is_not_written_as_the_gradient_asked(catalog):
    """first-graph, c: 'multiply it by the local derivative dL/dc' named the very thing asked for."""
    verdict = wrong(catalog, "first-graph", "c", "1")
    assert verdict.mistake == "forgot-local"
    assert "local derivative ∂L/∂c" in verdict.message and "local derivative dL/dc" not in verdict.message


def test_an_answer_rounded_too_early_is_close_not_a_wrong_rule(catalog):
    verdict = wrong(catalog, "chain-rule", "a", "6.02")  # dL/da = 6
    assert verdict.mistake == "rounded", verdict.message
    assert verdict.message.count("Close: keep more digits") == 1


def formula_at(formula: str, values: dict[str, float], node: str) -> Questions:
    lesson = formula_lesson(formula, values)
    return exercise_at(lesson.parts[0], node)


@pytest.mark.parametrize(("x", "typed"), [
    (1.5, "0.1807"),       # 1 − tanh(1.5)² = 0.180707 to four digits
    (5.0, "0.00018159"),   # 1 − 0.9999092², worked from the value as shown; the engine has 1.81583e-4
])
def test_an_own_formula_takes_answers_within_the_rounding_of_what_is_shown(x, typed):
    verdict = formula_at("tanh(x)", {"x": x}, "x").submit(typed)
    assert verdict.correct, verdict.message


def test_an_own_formula_answer_near_but_outside_the_rounding_is_told_to_keep_digits():
    verdict = formula_at("tanh(x)", {"x": 1.5}, "x").submit("0.181")
    assert not verdict.correct and verdict.mistake == "rounded"
    assert "Close: keep more digits" in verdict.message and "chain rule" not in verdict.message
    far = formula_at("tanh(x)", {"x": 1.5}, "x").submit("0.2")
    assert far.mistake != "rounded"


# --- lesson texts -------------------------------------------------------------------------------


def test_each_lesson_by_hand_points_to_the_next_one(catalog):
    """Lesson 9's recap read as the end of the course, with lesson 10 still to come; the last lesson
    by hand points on to the next group of lessons."""
    by_hand = [lesson for lesson in catalog.lessons if not lesson.group]
    following = [lesson for lesson in catalog.lessons if lesson.group]
    for lesson in by_hand:
        assert "Next" in lesson.outro, f"{lesson.id}'s recap does not point to the next lesson"
    if following:
        assert following[0].group in by_hand[-1].outro


def test_no_lesson_text_speaks_of_a_screen_line_mode_lacks(catalog):
    """Line mode has no status line or footer: lesson 3 told its learners the status line shows each
    gradient."""
    for lesson in catalog.lessons:
        for text in (lesson.intro, lesson.outro, *(part.text for part in lesson.parts)):
            assert "status line" not in text and "footer" not in text, lesson.id


def update_rules(text: str) -> list[str]:
    """The symbol of each update rule written in `text`: `m` of `m ← m − 0.01 × dL/dm`."""
    import re

    return re.findall(r"(\S+) ← \1\b", text)


def test_an_update_rule_is_written_with_a_parameter_or_a_symbol_that_is_not_a_node(catalog):
    """line-fit has a node p: `p ← p − 0.01 × dL/dp` read as a step for it."""
    from tui_grad.core.generator import generate

    parts = [part for lesson in catalog.lessons for part in lesson.parts]
    parts += [generate(6, seed) for seed in range(12)]  # practice's update level, with and without p
    checked = 0
    for part in parts:
        nodes = set(part.inputs) | {assignment.name for assignment in part.assignments}
        for name in update_rules(part.text):
            checked += 1
            assert name in part.parameters or name not in nodes, f"{part.title}: '{name} ← {name}' names a node"
    assert checked >= 3


# --- numbers that change between parts -------------------------------------------------------------


def plain_lesson(lesson_id: str, answers: list[str], seed: int | None = None) -> str:
    """Everything line mode prints for a lesson worked with these input lines (nothing saved)."""
    import io

    from tui_grad.plain import run_plain

    stdout = io.StringIO()
    run_plain(load_catalog(), lesson_id, None, seed, stdin=io.StringIO("".join(f"{a}\n" for a in answers)),
              stdout=stdout)
    return stdout.getvalue()


def first_graph_part_two(seed: int | None) -> str:
    """What the second part of first-graph says as it opens, as the shared flow words it."""
    from tests.core.drive import text_of, through_part

    session = through_part(load_catalog().find("first-graph"), seed)
    return text_of(session.message)


def test_seeded_numbers_that_change_between_parts_are_said_to_be_new():
    """With --seed, part 1 of first-graph draws a = 6, d = 4 and part 2 works its own 5, 3, 10."""
    assert "New numbers in this part: a = 5 (was 6), d = 10 (was 4)." in first_graph_part_two(7)
    assert "New numbers" not in first_graph_part_two(None)


def test_line_mode_says_the_numbers_are_new_too():
    answers = ["1", "4", "9", "4", "4", "", "", "", "", ""]  # seed 7: a = 6, b = 3, d = 4; L = 36
    printed = plain_lesson("first-graph", answers, seed=7)
    assert "New numbers in this part: a = 5 (was 6), d = 10 (was 4)." in printed


def test_line_mode_writes_a_hidden_nodes_gradient_as_one_symbol():
    """partial-derivatives hides a·b: `dd/da * b = 1` read as dd/da times b."""
    printed = plain_lesson("partial-derivatives", [])
    assert "Gradients given: dd/d(a * b) = 1" in printed and "dd/da * b" not in printed


def test_line_mode_prints_the_nudge_table_once_not_after_every_wrong_answer():
    """Lesson 1 reprinted the whole table after each wrong answer: noisy on a screen reader."""
    printed = plain_lesson("derivative-slope", ["nudge", "nudge", "5", "6", "14"])
    header = "Nudge x by h, run forward again"
    assert printed.count(header) == 2  # once for each nudge, the table growing
    assert printed.count("h = 0.1 ") == 1
    assert printed.count("Your nudges so far are printed above.") == 2
