"""An update part can ask each parameter's gradient first, from the graph, then the step
(`ask_gradients = true`): one place for practice and lessons alike."""

from __future__ import annotations

import pytest

from tui_grad.core.kinds.registry import kind_of
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import part_from_table
from tui_grad.core.update import UpdateExercise

TABLE = {"kind": "update", "inputs": {"w": 3.0, "x": 2.0, "b": 1.0, "y": 4.0},
         "nodes": ["z = w * x", "p = z + b", "e = p - y", "L = e ** 2"], "parameters": ["w", "b"],
         "step_size": 0.1, "ask_gradients": True}
# e = 3·2 + 1 − 4 = 3, dL/de = 6, dL/dw = 6·2 = 12, dL/db = 6; w ← 3 − 1.2, b ← 1 − 0.6


def exercise(**changes) -> UpdateExercise:
    part = part_from_table({**TABLE, **changes})
    made = kind_of(part).exercise(part)
    assert isinstance(made, UpdateExercise)
    return made


def test_the_gradients_are_asked_first_then_each_new_value() -> None:
    made = exercise()
    assert made.order == ("dL/dw", "dL/db", "w", "b")
    assert kind_of(made.lesson).questions(made.lesson) == made.order
    assert made.submit("12").correct and made.submit("6").correct
    assert made.submit("1.8").correct and made.submit("0.4").correct and made.done


def test_without_ask_gradients_only_the_new_values_are_asked() -> None:
    assert exercise(ask_gradients=False).order == ("w", "b")


def test_a_gradient_slip_is_named_as_a_gradient_exercise_names_it() -> None:
    made = exercise()
    verdict = made.submit("6")  # dL/dz, the upstream, without the local x = 2
    assert not verdict.correct and verdict.mistake == "forgot-local"
    assert made.submit("-12").mistake == "sign"
    made.submit("12")
    assert made.current == "dL/db"
    assert made.hint().text and "dL/db" in made.explain("dL/db")


def test_the_graph_hides_gradients_until_they_are_found() -> None:
    made = exercise()
    flow = kind_of(made.lesson).flow(made.lesson, made, None)
    grads = {view.name: view.grad for view in flow.nodes({})}
    assert set(grads.values()) == {""}
    assert {view.name: view.state for view in flow.nodes({})}["w"] == "asked"
    assert "Find dL/dw" in flow.status("dL/dw", {})
    made.submit("12")
    made.submit("6")
    shown = {view.name: view.grad for view in flow.nodes({})}
    assert shown["w"] == "12" and shown["e"] == "6"
    assert "New value of w" in flow.status("w", {})


def test_a_gradient_question_trains_its_node_s_skills_and_a_new_value_the_update() -> None:
    made = exercise()
    kind = kind_of(made.lesson)
    assert "chain" in kind.skills_of(made, "dL/dw")
    assert kind.skills_of(made, "w") == ("update",)


def test_ask_gradients_must_be_true_or_false() -> None:
    with pytest.raises(LessonError, match="ask_gradients"):
        part_from_table({**TABLE, "ask_gradients": "yes"})


def test_a_graph_two_boxes_high_may_be_one_column_deeper_but_no_taller_one() -> None:
    """A neuron, its loss and a step are six columns deep; two boxes high, they fit 80 columns (the
    leaves sit beside the next column), so the drawing rule lets them through, and nothing taller."""
    neuron = {"kind": "update", "inputs": {"w": 2.0, "x": 3.0, "b": -5.0, "y": 1.0},
              "nodes": ["n = w * x + b", "o = tanh(n)", "e = o - y", "L = e ** 2"], "parameters": ["w", "b"]}
    assert part_from_table(neuron).output == "L"
    taller = {**neuron, "inputs": {"w": 2.0, "x": 3.0, "b": -5.0, "y": 1.0, "c": 2.0},
              "nodes": ["n = w * x + b * c", "o = tanh(n)", "e = o - y", "L = e ** 2"]}
    with pytest.raises(LessonError, match="6 steps deep and 4 nodes tall"):
        part_from_table(taller)
    deeper = {**neuron, "nodes": ["n = w * x + b", "o = tanh(n)", "e = o - y", "s = e ** 2", "L = s * 2"]}
    with pytest.raises(LessonError, match="7 steps deep"):
        part_from_table(deeper)


def test_practice_level_6_asks_the_gradients_its_text_promises_and_speaks_of_no_lesson() -> None:
    """Level 6 said "Find the gradient of w and b first" but gave them; its rule said "This lesson"."""
    from tui_grad.core.generator import generate

    part = generate(6, 3)
    made = kind_of(part).exercise(part)
    assert isinstance(made, UpdateExercise)
    assert made.order[: len(part.parameters)] == tuple(f"dL/d{name}" for name in part.parameters)
    assert all(f"dL/d{name}" in part.text for name in part.parameters)
    for name in made.order[: len(part.parameters)]:
        made.submit(str(made.expected(name)))
    name = made.current
    assert name in part.parameters
    wrong_way = made.move(name).before + made.move(name).grad * part.update.step_size
    said = [made.submit(repr(wrong_way)).message, *made.hint_texts(name).values()]
    assert all("lesson" not in text for text in said), said
