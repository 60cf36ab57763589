"""The order of the backward pass on a graph with a reused node: d = a·b is used by e = d + c and by
L = d·e (a = 2, b = -3, c = 10, the numbers of seeds 002 and 003). Right: dL/dd = e + d = 4 − 6 = -2,
dL/da = b·(-2) = 6, dL/db = a·(-2) = -4, dL/dc = d = -6, dL/de = d = -6."""

from __future__ import annotations

import pytest

from tui_grad.core.topo_order import (
    OrderError,
    build_topo_steps,
    describe_topo_step,
    explain,
    named_nodes,
    read_order,
    run_order,
)
from tui_grad.engine import Value, topological_order


def graph() -> Value:
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    d = a * b
    d.label = "d"
    e = d + c
    e.label = "e"
    loss = d * e
    loss.label = "L"
    return loss


NAMES = ["a", "b", "d", "c", "e", "L"]


def run(text: str):
    loss = graph()
    return run_order(loss, read_order(text, list(named_nodes(loss))))


def test_the_graphs_gradients():
    result = run("L e d a b c")
    assert result.right == {"a": 6, "b": -4, "c": -6, "d": -2, "e": -6, "L": 1}
    assert result.valid and not result.wrong and explain(result).startswith("every node ran after all")


@pytest.mark.parametrize("text", ["L e d c a b", "L, e, c, d, b, a", "L -> e -> d -> a -> b -> c"])
def test_every_reversed_topological_order_is_right(text):
    result = run(text)
    assert result.valid and result.grads == result.right


def test_a_node_run_before_all_its_paths_are_in_passes_on_too_little():
    result = run("L d e a b c")
    assert not result.valid
    assert result.wrong == ("a", "b")
    assert (result.grads["a"], result.grads["b"]) == (-12, 8)
    early = [step for step in result.steps if step.early]
    assert [(step.node, step.grad_when_run, step.grad_complete) for step in early] == [("d", 4, -2)]
    assert explain(result) == (
        "d's _backward ran when d.grad held 4, before the path through e had added its share; the full "
        "gradient is -2. What d passed on was incomplete, so these came out wrong: a = -12 (should be 6), "
        "b = 8 (should be -4). A node must run after every node that uses it.")


def test_a_leaf_out_of_place_changes_nothing_but_is_still_out_of_order():
    result = run("a L e d b c")
    assert result.grads == result.right and not result.valid
    assert "only because a leaf has no _backward" in explain(result)


def test_the_output_run_last_feeds_only_its_own_children():
    result = run("a b c d e L")
    assert result.wrong == ("a", "b", "c", "d")  # e's only path is from L, so e alone is right
    assert (result.grads["a"], result.grads["d"]) == (0, 4)
    assert explain(result).startswith("d's _backward ran when d.grad held 0, before the path through e and L")


@pytest.mark.parametrize(("text", "message"), [
    ("L e d a b", "c is missing: order all 6 nodes"),
    ("L e d a", "b, c are missing"),
    ("L e e d a b c", "e is given twice"),
    ("L e x d a b c", "name 3, 'x', is not in this graph: its nodes are a, b, c, d, e, L"),
    ("", "type the 6 names (a, b, c, d, e, L)"),
    ("L " * 400, "type just the 6 names"),
])
def test_a_typed_order_that_cannot_be_read_says_why(text, message):
    with pytest.raises(OrderError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_order(text, NAMES)


def test_build_topo_replay_ends_in_the_engines_order_and_skips_the_reused_node():
    loss = graph()
    steps = build_topo_steps(loss)
    assert list(steps[-1].topo) == [node.label for node in topological_order(loss)]
    assert [(step.action, step.node) for step in steps if step.action != "append"] == [
        ("visit", "L"), ("visit", "d"), ("visit", "a"), ("visit", "b"), ("visit", "e"), ("seen", "d"),
        ("visit", "c")]
    assert describe_topo_step(steps[-1]) == "L done: topo = [a, b, d, c, e, L]"
    seen = next(step for step in steps if step.action == "seen")
    assert describe_topo_step(seen) == "    build_topo(d): already visited, skip"


def test_reversed_build_topo_is_a_right_order():
    loss = graph()
    order = list(reversed(build_topo_steps(loss)[-1].topo))
    result = run_order(loss, order)
    assert result.valid and result.grads == result.right
