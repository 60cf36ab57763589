"""backward_steps: the backward pass recorded edge by edge, exactly as backward() runs it."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given, settings, strategies as st

from tui_grad.engine import BackwardStep, EngineError, Value, backward_steps, topological_order


def design_output() -> tuple[Value, dict[str, Value]]:
    """L = (a*b + c) * f from the design, every node labelled."""
    a, b, c, f = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return L, {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": L}


def test_fields_in_documented_order():
    assert [field.name for field in dataclasses.fields(BackwardStep)] == [
        "node", "child", "op", "child_position", "local_grad", "upstream_grad",
        "contribution", "child_grad_before", "child_grad_after",
    ]  # fmt: skip


def test_records_are_frozen_plain_data():
    step = backward_steps(design_output()[0])[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.local_grad = 0.0  # type: ignore[misc]
    assert not hasattr(step, "__dict__")


def test_first_step_of_the_design_graph():
    steps = backward_steps(design_output()[0])
    assert steps[0] == BackwardStep(
        node="L", child="d", op="*", child_position=0, local_grad=-2.0, upstream_grad=1.0,
        contribution=-2.0, child_grad_before=0.0, child_grad_after=-2.0,
    )  # fmt: skip


def test_design_graph_steps_in_the_order_they_ran():
    steps = backward_steps(design_output()[0])
    assert [(s.node, s.child, s.op, s.child_position) for s in steps] == [
        ("L", "d", "*", 0), ("L", "f", "*", 1), ("d", "e", "+", 0),
        ("d", "c", "+", 1), ("e", "a", "*", 0), ("e", "b", "*", 1),
    ]  # fmt: skip
    assert [(s.local_grad, s.upstream_grad, s.contribution) for s in steps] == [
        (-2.0, 1.0, -2.0), (4.0, 1.0, 4.0), (1.0, -2.0, -2.0),
        (1.0, -2.0, -2.0), (-3.0, -2.0, 6.0), (2.0, -2.0, -4.0),
    ]  # fmt: skip


def test_grads_are_filled_in_as_backward_would():
    output, nodes = design_output()
    backward_steps(output)
    assert {name: node.grad for name, node in nodes.items()} == {
        "L": 1.0, "d": -2.0, "f": 4.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0,
    }  # fmt: skip


def test_a_node_used_twice_gets_two_steps_that_add_up():
    a = Value(3.0, label="a")
    b = a + a
    b.label = "b"
    first, second = backward_steps(b)
    assert (first.child, second.child) == ("a", "a")
    assert (first.child_position, second.child_position) == (0, 1)
    assert (first.child_grad_before, first.child_grad_after) == (0.0, 1.0)
    assert second.child_grad_before == first.child_grad_after
    assert second.child_grad_after == a.grad == 2.0


def test_unlabelled_nodes_are_named_by_their_place_in_topological_order():
    x = Value(2.0)
    out = x * x + 1
    assert [step.node for step in backward_steps(out)] == ["#3", "#3", "#1", "#1"]
    assert [step.child for step in backward_steps(out)] == ["#1", "1", "#0", "#0"]


def test_repeated_calls_record_the_same_steps():
    output, _ = design_output()
    output.backward()
    assert backward_steps(output) == backward_steps(output)


def test_a_leaf_output_has_no_steps():
    leaf = Value(4.0, label="x")
    leaf.grad = 7.0
    assert backward_steps(leaf) == []
    assert leaf.grad == 1.0


def test_overflowing_gradient_is_an_engine_error():
    x, w = Value(1e-300, label="x"), Value(1e300, label="w")
    with pytest.raises(EngineError, match="overflows"):
        backward_steps(x * w * w)


def test_deep_chain_is_recorded_without_recursion():
    x = Value(0.25, label="x")
    out = x
    for _ in range(100_000):
        out = out.relu()
    steps = backward_steps(out)
    assert len(steps) == 100_000
    assert steps[-1].child == "x" and x.grad == 1.0


# --- properties over random expressions -----------------------------------------------------------

OPS = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "tanh": lambda a, b: a.tanh(),
    "sigmoid": lambda a, b: b.sigmoid(),
    "neg": lambda a, b: -a,
    "**2": lambda a, b: a**2,
}


@st.composite
def graphs(draw) -> tuple[Value, list[Value]]:
    """A random graph in which later nodes reuse earlier ones, so paths often merge."""
    nodes = [Value(draw(st.floats(-2, 2)), label=name) for name in ("x", "y")]
    for _ in range(draw(st.integers(1, 12))):
        op = draw(st.sampled_from(sorted(OPS)))
        left = draw(st.sampled_from(nodes))
        right = draw(st.sampled_from(nodes))
        nodes.append(OPS[op](left, right))
    return nodes[-1], nodes


@settings(max_examples=200, deadline=None)
@given(graphs())
def test_steps_replay_exactly_what_backward_does(graph):
    output, nodes = graph
    output.backward()
    expected = {id(node): node.grad for node in nodes}
    steps = backward_steps(output)
    order = topological_order(output)
    assert {id(node): node.grad for node in nodes} == expected
    assert len(steps) == sum(len(node.children) for node in order)

    names = {node: node.label or f"#{index}" for index, node in enumerate(order)}
    by_name = {names[node]: node for node in order}
    edges = [(names[node], names[child], position)
             for node in reversed(order) for position, child in enumerate(node.children)]  # fmt: skip
    assert [(s.node, s.child, s.child_position) for s in steps] == edges

    running = {name: 0.0 for name in by_name}
    running[names[output]] = 1.0
    for step in steps:
        parent = by_name[step.node]
        assert step.op == parent.op
        assert step.upstream_grad == parent.grad  # a parent's grad is complete before it passes it on
        assert step.local_grad == parent.local_grads[step.child_position]
        assert step.contribution == step.local_grad * step.upstream_grad
        assert step.child_grad_before == running[step.child]
        assert step.child_grad_after == step.child_grad_before + step.contribution
        running[step.child] = step.child_grad_after
    assert running == {name: node.grad for name, node in by_name.items()}
