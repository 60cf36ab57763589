"""Skills of a node from the graph's shape, and mastery from the learner's recent answers."""

from __future__ import annotations

import pytest

from tui_grad.core.skills import SKILLS, mastery, skills_of_node, skills_to_review
from tui_grad.engine import Value, topological_order


def test_skills_are_the_six_of_the_design_then_the_engines_in_teaching_order():
    assert list(SKILLS) == ["product", "sum", "chain", "paths", "function", "update", "rules"]
    assert all(description for description in SKILLS.values())


@pytest.mark.parametrize(
    ("node", "expected"),
    [
        ("L", ()),
        ("d", ("product",)),
        ("f", ("product",)),
        ("e", ("sum", "chain")),
        ("c", ("sum", "chain")),
        ("a", ("product", "chain")),
        ("b", ("product", "chain")),
    ],
)
def test_skills_of_the_chain_rule_lesson_graph(node, expected):
    a, b, c, f = (Value(x, label=name) for x, name in ((2.0, "a"), (-3.0, "b"), (10.0, "c"), (-2.0, "f")))
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    out = d * f
    out.label = "L"
    nodes = {value.label: value for value in topological_order(out)}
    assert skills_of_node(nodes[node], nodes, out) == expected


def _graph(output: Value) -> list[Value]:
    return topological_order(output)


def test_a_node_used_by_two_parents_has_several_paths():
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    p = a * b
    s = a + b
    out = p + s
    assert skills_of_node(a, _graph(out), out) == ("product", "sum", "chain", "paths")
    assert skills_of_node(p, _graph(out), out) == ("sum",)


def test_a_node_used_twice_by_one_parent_has_several_paths():
    x = Value(3.0, label="x")
    out = x * x
    assert skills_of_node(x, [x, out], out) == ("product", "paths")


@pytest.mark.parametrize("make", [Value.tanh, Value.exp, Value.relu, Value.sigmoid, Value.__neg__,
                                  lambda v: v ** 2, lambda v: v ** 0.5, Value.log])
def test_function_nodes(make):
    x = Value(0.5, label="x")
    y = make(x)
    out = y * Value(2.0, label="two")
    assert skills_of_node(x, _graph(out), out) == ("chain", "function")


def test_division_is_a_product_and_subtraction_a_sum():
    a, b = Value(1.0, label="a"), Value(4.0, label="b")
    q = a / b
    out = q - b
    assert skills_of_node(a, _graph(out), out) == ("product", "chain")
    assert skills_of_node(q, _graph(out), out) == ("sum",)
    assert skills_of_node(b, _graph(out), out) == ("product", "sum", "chain", "paths")


def attempt(node: str, correct: bool, at: float, *, skills=("product",), hints: int = 0,
            shown: bool = False, value: float | None = 1.0, lesson: str = "l", kind: str = "gradient") -> dict:
    return {"lesson": lesson, "part": 0, "node": node, "kind": kind, "text": "1", "value": value,
            "correct": correct, "shown": shown, "mistake": None, "hints": hints, "skills": list(skills),
            "seed": None, "at": at}


def test_nothing_practised_means_level_zero_and_nothing_to_review():
    table = mastery([])
    assert set(table) == set(SKILLS)
    assert all(m.recent == 0 and m.level == 0 and not m.mastered for m in table.values())
    assert skills_to_review([]) == []


def test_three_right_first_time_is_mastered_but_one_is_not_enough():
    one = [attempt("a", True, 1)]
    assert mastery(one)["product"].level == pytest.approx(1 / 3)
    assert not mastery(one)["product"].mastered
    three = [attempt(n, True, t) for t, n in enumerate("abc")]
    product = mastery(three)["product"]
    assert (product.recent, product.correct, product.level, product.mastered) == (3, 3, 1.0, True)


def test_a_wrong_first_answer_makes_the_try_wrong_even_when_fixed():
    attempts = [attempt("a", False, 1), attempt("a", True, 2), attempt("b", True, 3), attempt("c", True, 4)]
    product = mastery(attempts)["product"]
    assert (product.recent, product.correct) == (3, 2)
    assert not product.mastered


def test_hints_and_shown_answers_do_not_count_as_right():
    attempts = [attempt("a", True, 1, hints=1), attempt("b", False, 2, shown=True), attempt("c", True, 3)]
    assert mastery(attempts)["product"].correct == 1


def test_a_rule_line_is_a_try_by_its_verdict_though_it_has_no_number():
    wrong = dict(attempt("mul:self", False, 1, value=None, kind="rule"), skills=["rules"], mistake="own-value")
    right = dict(attempt("mul:self", True, 2, value=None, kind="rule"), skills=["rules"])
    rules = mastery([wrong, right])["rules"]
    assert (rules.recent, rules.correct) == (1, 0)


def test_unreadable_text_is_not_a_try():
    attempts = [attempt("a", False, 1, value=None), attempt("a", True, 2)]
    product = mastery(attempts)["product"]
    assert (product.recent, product.correct) == (1, 1)


def test_only_the_last_five_tries_count():
    old_mistakes = [attempt(f"w{i}", False, i) for i in range(10)]
    recent_rights = [attempt(f"r{i}", True, 100 + i) for i in range(4)]
    product = mastery(old_mistakes + recent_rights)["product"]
    assert (product.recent, product.correct, product.level, product.mastered) == (5, 4, 0.8, True)


def test_attempts_are_read_in_time_order_whatever_the_list_order():
    attempts = [attempt("a", True, 2), attempt("a", False, 1)]
    assert mastery(attempts)["product"].correct == 0


def test_update_attempts_count_for_the_update_skill_even_without_skills():
    attempts = [attempt(f"p{i}", True, i, skills=(), kind="update") for i in range(3)]
    assert mastery(attempts)["update"].mastered


def test_review_lists_practised_unmastered_skills_weakest_first():
    attempts = [
        *(attempt(f"s{i}", True, i, skills=("sum",)) for i in range(3)),  # mastered
        attempt("p", False, 10, skills=("paths",)),  # 0 right
        attempt("c", True, 11, skills=("chain",)),  # 1 right of 1
        attempt("f1", True, 12, skills=("function",)),
        attempt("f2", False, 13, skills=("function",)),
    ]
    assert skills_to_review(attempts) == ["paths", "chain", "function"]
