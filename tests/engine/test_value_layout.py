"""How nodes are stored: one object per node, at most two children, and the same order as recursion."""

from __future__ import annotations

import gc

import pytest
from hypothesis import given, settings, strategies as st

from tui_grad.engine import Value, topological_order


def recursive_order(output: Value) -> list[Value]:
    """The textbook recursive post-order depth-first search, children in operand order."""
    order: list[Value] = []
    seen: set[Value] = set()

    def visit(node: Value) -> None:
        seen.add(node)
        for child in node.children:
            if child not in seen:
                visit(child)
        order.append(node)

    visit(output)
    return order


# Each step picks two earlier nodes (by index from the end) and an operation, so nodes get shared.
graph_steps = st.lists(
    st.tuples(st.sampled_from(["+", "-", "*", "tanh", "neg", "relu"]), st.integers(0, 7), st.integers(0, 7)),
    min_size=1,
    max_size=40,
)


def build(steps) -> Value:
    """A graph with shared nodes from the drawn steps; the last node is the output."""
    nodes = [Value(0.5, label="x"), Value(-1.5, label="y"), Value(2.0, label="z")]
    for op, first, second in steps:
        a, b = nodes[-1 - first % len(nodes)], nodes[-1 - second % len(nodes)]
        nodes.append({"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b,
                      "tanh": lambda a, _: a.tanh(), "neg": lambda a, _: -a, "relu": lambda a, _: a.relu()}[op](a, b))
    return nodes[-1]


@settings(max_examples=200, deadline=None)
@given(graph_steps)
def test_topological_order_is_the_recursive_depth_first_order(steps):
    output = build(steps)
    assert topological_order(output) == recursive_order(output)


def test_a_node_used_as_both_operands_gets_both_contributions():
    a = Value(3.0, label="a")
    square = a * a
    square.backward()
    assert square.children == (a, a) and square.local_grads == (3.0, 3.0)
    assert a.grad == 6.0


def test_nodes_built_by_hand_like_micrograd_take_part_in_backward():
    a, b = Value(2.0, label="a"), Value(5.0, label="b")
    out = Value(10.0, (a, b), "*", _local_grads=(5, 2))
    out.backward()
    assert (a.grad, b.grad) == (5.0, 2.0)
    assert out.children == (a, b) == out._prev and out.local_grads == (5.0, 2.0)


def test_more_than_two_children_is_refused_with_a_reason():
    a = Value(1.0)
    with pytest.raises(ValueError, match="at most two children"):
        Value(3.0, (a, a, a), "sum", _local_grads=(1.0, 1.0, 1.0))


def test_each_node_is_a_single_object():
    """Graph memory: building n nodes leaves n new objects for the collector, not 2n or 3n."""
    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        x, w = Value(0.5), Value(1.001)
        before = len(gc.get_objects())
        out = x
        for _ in range(1000):
            out = (out * w).tanh()
        assert len(gc.get_objects()) - before <= 2000 + 10
        del out
    finally:
        if was_enabled:
            gc.enable()
