"""How nodes are stored: one object per node, at most two children, and the same order as recursion."""

from __future__ import annotations

import gc

import pytest
from hypothesis import assume, given, settings, strategies as st

from tui_grad.engine import EngineError, Value, topological_order


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


def build_finite(steps) -> Value:
    """build(steps), for graphs whose values and gradients stay finite (repeated squaring of 2
    overflows, which the engine refuses with an error tested elsewhere)."""
    try:
        output = build(steps)
        output.backward()
    except EngineError:
        assume(False)
    return output


def textbook_backward(output: Value) -> dict[Value, float]:
    """Every node's gradient by the plain recipe over the recursive order: zero, seed, then each
    node in reverse adds local_grad * its grad to each child, in operand order."""
    order = recursive_order(output)
    grads = dict.fromkeys(order, 0.0)
    grads[output] = 1.0
    for node in reversed(order):
        for child, local_grad in zip(node.children, node.local_grads, strict=True):
            grads[child] += local_grad * grads[node]
    return grads


@settings(max_examples=200, deadline=None)
@given(graph_steps)
def test_gradients_are_bit_for_bit_the_textbook_ones(steps):
    """The faster search must not change a single bit: a node with three or more parents sums
    their contributions in an order, and a different order rounds differently."""
    output = build_finite(steps)
    output.backward()
    for node, grad in textbook_backward(output).items():
        assert node.grad == grad


@settings(max_examples=100, deadline=None)
@given(graph_steps, st.integers(0, 40))
def test_searches_over_shared_nodes_do_not_see_each_others_marks(steps, inner_index):
    """An inner node's graph is ordered between two orders of the whole graph, and an
    interrupted search leaves nothing behind: each order is still the recursive one."""
    output = build_finite(steps)
    nodes = recursive_order(output)
    inner = nodes[inner_index % len(nodes)]
    assert topological_order(output) == recursive_order(output)
    assert topological_order(inner) == recursive_order(inner)
    assert topological_order(output) == recursive_order(output)
    inner.backward()
    output.backward()
    assert topological_order(output) == recursive_order(output)


def test_a_search_stopped_halfway_leaves_the_next_one_whole():
    """A search interrupted (KeyboardInterrupt while a graph is ordered) marks some nodes; the
    next search must not take them for its own."""
    x = Value(0.5, label="x")
    out = x
    for _ in range(50):
        out = out * x + x
    expected = recursive_order(out)

    class Interrupted(Exception):
        pass

    calls = 0
    original = Value.__dict__["_left"]

    class Tripwire:
        def __get__(self, node, owner=None):
            nonlocal calls
            calls += 1
            if calls == 60:
                raise Interrupted
            return original.__get__(node, owner)

    Value._left = Tripwire()  # type: ignore[assignment]  # a descriptor that fails once, mid-search
    try:
        with pytest.raises(Interrupted):
            topological_order(out)
    finally:
        Value._left = original  # type: ignore[assignment]  # the slot's own descriptor back
    assert topological_order(out) == expected
