"""Ordering the backward pass, walked as a learner would: arranging, a wrong order run and explained,
a typed order, hints, and a restored session that is checked again."""

from __future__ import annotations

from tui_grad.core.exercise import EARNED, PENDING, SHOWN
from tui_grad.core.order_exercise import (
    EARLY_NODE,
    LEAF_OUT_OF_ORDER,
    ORDER,
    OrderExercise,
)

from tests.core.test_topo_order import graph  # the same graph: d = a*b used by e and by L


def test_the_arrangement_starts_alphabetical_and_moves_one_place_at_a_time():
    exercise = OrderExercise(graph())
    assert exercise.arrangement == ["a", "b", "c", "d", "e", "L"]
    exercise.move("L", -1)
    exercise.move("a", -1)
    assert exercise.arrangement == ["a", "b", "c", "d", "L", "e"]


def test_a_wrong_arrangement_is_run_and_the_early_node_named():
    exercise = OrderExercise(graph())
    exercise.arrangement = ["L", "d", "e", "a", "b", "c"]
    verdict = exercise.submit()
    assert not verdict.correct and verdict.mistake == EARLY_NODE
    assert "d's _backward ran when d.grad held 4" in verdict.message and "a = -12 (should be 6)" in verdict.message
    assert exercise.status[ORDER] == PENDING and exercise.last_run.wrong == ("a", "b")


def test_a_leaf_out_of_place_is_a_mistake_of_its_own():
    exercise = OrderExercise(graph())
    verdict = exercise.submit("c L e d a b")
    assert verdict.mistake == LEAF_OUT_OF_ORDER and "only because a leaf has no _backward" in verdict.message


def test_a_typed_order_that_cannot_be_read_costs_nothing():
    exercise = OrderExercise(graph())
    verdict = exercise.submit("L e d a b")
    assert not verdict.readable and "c is missing" in verdict.message and exercise.attempts == []


def test_a_right_order_is_earned_and_logged_as_text():
    exercise = OrderExercise(graph())
    verdict = exercise.submit("L, e, d, c, b, a")
    assert verdict.correct and exercise.status[ORDER] == EARNED and exercise.done
    assert exercise.attempts[-1].text == "L e d c b a"
    assert exercise.topo_replay()[-1].topo == ("a", "b", "d", "c", "e", "L")


def test_hints_name_the_reused_node_then_show_the_order():
    exercise = OrderExercise(graph())
    texts = [exercise.hint().text for _ in range(4)]
    assert "d (used by e and L)" in texts[1]
    assert texts[3].startswith("Shown: L e c d b a")
    assert exercise.status[ORDER] == SHOWN


def test_restore_brings_back_a_found_order_as_build_topos():
    found = OrderExercise(graph())
    found.restore({ORDER: EARNED}, {}, {ORDER: 1})
    assert found.done and found.hints == {ORDER: 1} and found.arrangement == ["L", "e", "c", "d", "b", "a"]
    fresh = OrderExercise(graph())
    fresh.restore({ORDER: "pending", "x": EARNED}, {}, {})
    assert not fresh.done
