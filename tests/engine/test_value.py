"""Value: forward values, gradients against central differences, errors, order and memory."""

from __future__ import annotations

import gc
import math

import pytest
from hypothesis import assume, given, reject, settings, strategies as st

from tui_grad.engine import EngineError, Value, topological_order

STEP = 1e-6


def design_graph(a=2.0, b=-3.0, c=10.0, f=-2.0):
    """The design lesson's graph: L = (a*b + c) * f, every node labelled."""
    a, b, c, f = Value(a, label="a"), Value(b, label="b"), Value(c, label="c"), Value(f, label="f")
    e = a * b
    e.label = "e"
    d = e + c
    d.label = "d"
    L = d * f
    L.label = "L"
    return {"a": a, "b": b, "c": c, "f": f, "e": e, "d": d, "L": L}


def gradients_by_central_differences(function, inputs):
    """d function / d input for each input, from (f(x + h) - f(x - h)) / 2h on rebuilt graphs."""
    grads = []
    for index in range(len(inputs)):
        up = list(inputs)
        down = list(inputs)
        up[index] += STEP
        down[index] -= STEP
        high = function(*[Value(x) for x in up]).data
        low = function(*[Value(x) for x in down]).data
        grads.append((high - low) / (2 * STEP))
    return grads


def engine_gradients(function, inputs):
    """The engine's gradients of function at inputs."""
    leaves = [Value(x) for x in inputs]
    function(*leaves).backward()
    return [leaf.grad for leaf in leaves]


# --- the design example ----------------------------------------------------------------------


def test_design_forward_values():
    g = design_graph()
    assert (g["e"].data, g["d"].data, g["L"].data) == (-6.0, 4.0, -8.0)


def test_design_gradients():
    g = design_graph()
    g["L"].backward()
    grads = {name: node.grad for name, node in g.items()}
    assert grads == {"L": 1.0, "d": -2.0, "f": 4.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0}


def test_one_gradient_step_then_forward_again():
    g = design_graph()
    g["L"].backward()
    for name in "abcf":
        g[name].data += 0.01 * g[name].grad
    again = design_graph(*(g[name].data for name in "abcf"))
    assert again["L"].data == pytest.approx(-7.286496, abs=1e-9)


# --- every op: forward value, op string, local gradients, central differences ------------------

UNARY_OPS = {
    "neg": (lambda a: -a, lambda x: -x, [-2.0, 0.0, 1.5]),
    "tanh": (lambda a: a.tanh(), math.tanh, [-2.0, 0.0, 0.7]),
    "exp": (lambda a: a.exp(), math.exp, [-3.0, 0.0, 2.5]),
    "log": (lambda a: a.log(), math.log, [0.2, 1.0, 7.0]),
    "relu": (lambda a: a.relu(), lambda x: max(0.0, x), [-1.5, 0.3, 4.0]),
    "sigmoid": (lambda a: a.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), [-4.0, 0.0, 2.0]),
    "**2": (lambda a: a**2, lambda x: x**2, [-3.0, 0.5, 2.0]),
    "**3": (lambda a: a**3, lambda x: x**3, [-1.5, 0.0, 2.0]),
    "**-1": (lambda a: a**-1, lambda x: 1 / x, [-2.0, 0.5, 3.0]),
    "**0.5": (lambda a: a**0.5, math.sqrt, [0.25, 1.0, 9.0]),
    "**0": (lambda a: a**0, lambda x: 1.0, [-2.0, 3.0]),
}
BINARY_OPS = {
    "+": (lambda a, b: a + b, lambda x, y: x + y),
    "-": (lambda a, b: a - b, lambda x, y: x - y),
    "*": (lambda a, b: a * b, lambda x, y: x * y),
    "/": (lambda a, b: a / b, lambda x, y: x / y),
}
BINARY_INPUTS = [(2.0, -3.0), (-0.5, 4.0), (1.25, 0.75)]


@pytest.mark.parametrize(
    "op, x", [(op, x) for op, (_, _, xs) in UNARY_OPS.items() for x in xs], ids=lambda v: str(v)
)
def test_unary_op(op, x):
    build, reference, _ = UNARY_OPS[op]
    leaf = Value(x)
    out = build(leaf)
    assert out.op == op
    assert out.children == (leaf,)
    assert out.data == pytest.approx(reference(x), rel=1e-12)
    assert engine_gradients(build, [x]) == pytest.approx(
        gradients_by_central_differences(build, [x]), rel=1e-4, abs=1e-7
    )


@pytest.mark.parametrize("op", BINARY_OPS)
@pytest.mark.parametrize("x, y", BINARY_INPUTS)
def test_binary_op(op, x, y):
    build, reference = BINARY_OPS[op]
    left, right = Value(x), Value(y)
    out = build(left, right)
    assert out.op == op
    assert out.children == (left, right)
    assert out.data == reference(x, y)
    assert engine_gradients(build, [x, y]) == pytest.approx(
        gradients_by_central_differences(build, [x, y]), rel=1e-4, abs=1e-7
    )


@pytest.mark.parametrize(
    "build, expected_data, expected_grad",
    [
        (lambda a: a + 2, 5.0, 1.0),
        (lambda a: 2 + a, 5.0, 1.0),
        (lambda a: a - 2, 1.0, 1.0),
        (lambda a: 2 - a, -1.0, -1.0),
        (lambda a: a * 2, 6.0, 2.0),
        (lambda a: 2 * a, 6.0, 2.0),
        (lambda a: a / 2, 1.5, 0.5),
        (lambda a: 6 / a, 2.0, -6 / 9),
    ],
    ids=["a+2", "2+a", "a-2", "2-a", "a*2", "2*a", "a/2", "6/a"],
)
def test_plain_numbers_on_either_side(build, expected_data, expected_grad):
    a = Value(3.0, label="a")
    out = build(a)
    a_position = out.children.index(a)
    constant = out.children[1 - a_position]
    assert out.data == pytest.approx(expected_data)
    assert constant.op == "" and constant.children == () and constant.label in ("2", "6")
    out.backward()
    assert a.grad == pytest.approx(expected_grad)


def test_number_on_the_left_stays_the_left_child():
    a = Value(3.0, label="a")
    out = 2 - a
    assert [child.label for child in out.children] == ["2", "a"]
    assert out.op == "-" and out.local_grads == (1.0, -1.0)


def test_subtraction_and_negation_are_single_nodes():
    a, b = Value(1.0), Value(4.0)
    assert len(topological_order(a - b)) == 3
    assert len(topological_order(-a)) == 2


@pytest.mark.parametrize(
    "build, local_grads",
    [
        (lambda a, b: a + b, (1.0, 1.0)),
        (lambda a, b: a - b, (1.0, -1.0)),
        (lambda a, b: a * b, (-4.0, 2.0)),
        (lambda a, b: a / b, (-0.25, -0.125)),
        (lambda a, b: -a, (-1.0,)),
        (lambda a, b: a**3, (12.0,)),
        (lambda a, b: a.relu(), (1.0,)),
        (lambda a, b: b.relu(), (0.0,)),
    ],
    ids=["+", "-", "*", "/", "neg", "**3", "relu+", "relu-"],
)
def test_local_grads_are_plain_floats_known_at_forward_time(build, local_grads):
    out = build(Value(2.0), Value(-4.0))
    assert out.local_grads == local_grads
    assert all(type(g) is float for g in out.local_grads)


def test_sigmoid_is_stable_for_large_inputs():
    assert Value(-800.0).sigmoid().data == 0.0
    assert Value(800.0).sigmoid().data == 1.0
    low = Value(-40.0)
    low.sigmoid().backward()
    assert low.grad == pytest.approx(math.exp(-40.0), rel=1e-9)


def test_exponent_must_be_a_plain_number():
    with pytest.raises(TypeError, match="exponent must be a number"):
        Value(2.0) ** Value(2.0)


def test_data_is_always_a_float():
    assert type(Value(3).data) is float and type(Value(True).data) is float
    assert Value(3).grad == 0.0


# --- Hypothesis: random expressions against central differences ------------------------------

LEAF_NAMES = ("x", "y", "z")
UNARY = ("neg", "tanh", "exp", "sigmoid", "relu", "**2")
BINARY = ("+", "-", "*", "/")

expressions = st.recursive(
    st.sampled_from(LEAF_NAMES) | st.floats(-3, 3, allow_nan=False).map(lambda v: round(v, 2)),
    lambda inner: st.tuples(st.sampled_from(UNARY), inner)
    | st.tuples(st.sampled_from(BINARY), inner, inner),
    max_leaves=8,
)
leaf_values = st.tuples(*[st.floats(-3, 3, allow_nan=False) for _ in LEAF_NAMES])


def build_expression(tree, leaves: dict, kinks: list) -> Value:
    """Build `tree` over `leaves`; record each relu's side in `kinks`; skip near-singular cases."""
    if isinstance(tree, str):
        return leaves[tree]
    if isinstance(tree, float):
        return Value(tree)
    op, *operands = tree
    values = [build_expression(operand, leaves, kinks) for operand in operands]
    if op == "/":
        assume(abs(values[1].data) > 0.1)
    if op == "relu":
        kinks.append(values[0].data > 0)
    return {
        "neg": lambda a: -a,
        "tanh": lambda a: a.tanh(),
        "exp": lambda a: a.exp(),
        "sigmoid": lambda a: a.sigmoid(),
        "relu": lambda a: a.relu(),
        "**2": lambda a: a**2,
        "+": lambda a, b: a + b,
        "-": lambda a, b: a - b,
        "*": lambda a, b: a * b,
        "/": lambda a, b: a / b,
    }[op](*values)


def evaluate(tree, values, kinks):
    """The output Value of `tree` with fresh leaves holding `values`."""
    leaves = {name: Value(v, label=name) for name, v in zip(LEAF_NAMES, values, strict=True)}
    try:
        return build_expression(tree, leaves, kinks), leaves
    except EngineError:
        reject()  # exp overflowed: not a gradient question


@settings(max_examples=300, deadline=None)
@given(expressions, leaf_values)
def test_random_expressions_match_central_differences(tree, values):
    kinks: list[bool] = []
    out, leaves = evaluate(tree, values, kinks)
    assume(abs(out.data) < 1e6)
    out.backward()
    for index, name in enumerate(LEAF_NAMES):
        up, down = list(values), list(values)
        up[index] += STEP
        down[index] -= STEP
        up_kinks: list[bool] = []
        down_kinks: list[bool] = []
        high = evaluate(tree, up, up_kinks)[0].data
        low = evaluate(tree, down, down_kinks)[0].data
        assume(up_kinks == kinks == down_kinks)  # a relu switching sides has no derivative here
        numeric = (high - low) / (2 * STEP)
        assert leaves[name].grad == pytest.approx(numeric, rel=1e-4, abs=1e-6 * max(1.0, abs(out.data)))


# --- gradient accumulation ------------------------------------------------------------------------


def test_node_used_twice_sums_both_paths():
    a = Value(3.0, label="a")
    b = a + a
    b.backward()
    assert a.grad == 2.0


def test_variable_on_two_paths():
    x = Value(5.0, label="x")
    out = (x + 2) ** 2 + x**3
    out.backward()
    assert x.grad == 89.0


def test_second_backward_replaces_instead_of_adding():
    g = design_graph()
    g["L"].backward()
    first = {name: node.grad for name, node in g.items()}
    assert g["L"].backward() is None
    assert {name: node.grad for name, node in g.items()} == first


def test_backward_from_an_inner_node_after_the_output():
    g = design_graph()
    g["L"].backward()
    g["e"].backward()
    assert (g["a"].grad, g["b"].grad, g["e"].grad) == (-3.0, 2.0, 1.0)


def test_gradient_overflow_is_an_engine_error():
    x, w = Value(1e-300, label="x"), Value(1e300, label="w")
    out = x * w * w  # every value and local gradient is finite, but dout/dx = 1e600
    out.label = "out"
    with pytest.raises(EngineError) as caught:
        out.backward()
    assert caught.value.operands == ("out", "x")
    assert "dout/dx" in str(caught.value) and "overflows" in str(caught.value)


# --- errors -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make, op, operands, words",
    [
        (lambda: Value(-3, label="x").log(), "log", ("x",), ["log(x)", "x = -3", "not positive"]),
        (lambda: Value(0, label="x").log(), "log", ("x",), ["log(x)", "x = 0", "not positive"]),
        (lambda: Value(1, label="a") / Value(0, label="b"), "/", ("a", "b"), ["a / b", "b = 0", "zero"]),
        (lambda: Value(1, label="a") / 0, "/", ("a", "0"), ["a / 0", "division by zero"]),
        (lambda: 1 / Value(0, label="b"), "/", ("1", "b"), ["1 / b", "b = 0", "division by zero"]),
        (lambda: Value(1000, label="x").exp(), "exp", ("x",), ["exp(x)", "x = 1000", "too large"]),
        (lambda: Value(-8, label="x") ** 0.5, "**0.5", ("x",), ["x ** 0.5", "x = -8", "negative"]),
        (lambda: Value(0, label="x") ** -1, "**-1", ("x",), ["x ** -1", "x = 0", "negative power"]),
        (lambda: Value(0, label="x") ** 0.5, "**0.5", ("x",), ["x ** 0.5", "x = 0", "infinite"]),
        (lambda: Value(1e200, label="a") * Value(1e200, label="b"), "*", ("a", "b"), ["a * b", "overflows"]),
        (lambda: Value(1e200, label="a") ** 2, "**2", ("a",), ["a ** 2", "too large"]),
        (lambda: Value(1e-320, label="x").log(), "log", ("x",), ["log(x)", "infinite"]),
        (lambda: Value(float("inf"), label="x"), "", ("x",), ["x = inf", "not a finite number"]),
        (lambda: Value(float("nan")), "", ("nan",), ["not a finite number"]),
        (lambda: Value(1, label="a") + float("inf"), "", ("inf",), ["not a finite number"]),
        (lambda: Value(10**400), "", ("number",), ["too large"]),
    ],
    ids=["log(-3)", "log(0)", "Value/Value(0)", "Value/0", "1/Value(0)", "exp(1000)", "(-8)**0.5",
         "0**-1", "0**0.5", "overflowing product", "overflowing power", "log(tiny)", "Value(inf)",
         "Value(nan)", "Value+inf", "Value(10**400)"],
)
def test_engine_errors_name_the_operation_and_operands(make, op, operands, words):
    with pytest.raises(EngineError) as caught:
        make()
    error = caught.value
    assert isinstance(error, ArithmeticError)
    assert (error.op, error.operands) == (op, operands)
    assert error.reason and error.reason in str(error)
    for word in words:
        assert word in str(error)


def test_log_error_message_reads_as_designed():
    with pytest.raises(EngineError) as caught:
        Value(-3, label="x").log()
    assert str(caught.value) == "log(x): x = -3 is not positive; log needs a positive number"


def test_unlabelled_operands_are_named_by_their_data():
    with pytest.raises(EngineError) as caught:
        Value(-2.5).log()
    assert caught.value.operands == ("-2.5",)
    assert str(caught.value).startswith("log(-2.5): -2.5 is not positive")


@pytest.mark.parametrize("op", ["tanh", "exp", "log", "relu", "sigmoid"])
def test_non_finite_data_set_after_creation_is_refused(op):
    x = Value(1.0, label="x")
    x.data = float("nan")
    with pytest.raises(EngineError, match="x = nan is not a finite number"):
        getattr(x, op)()


@pytest.mark.parametrize("divide", [lambda x: x / 2, lambda x: 1 / x], ids=["x/2", "1/x"])
def test_division_with_non_finite_operand_is_refused(divide):
    x = Value(1.0, label="x")
    x.data = float("inf")
    with pytest.raises(EngineError, match="x = inf is not a finite number"):
        divide(x)


def test_engine_errors_survive_pickling():
    import pickle

    with pytest.raises(EngineError) as caught:
        Value(0, label="x").log()
    copy = pickle.loads(pickle.dumps(caught.value))
    assert (copy.op, copy.operands, str(copy)) == ("log", ("x",), str(caught.value))


# --- topological order ------------------------------------------------------------------------


def test_topological_order_of_the_design_graph():
    g = design_graph()
    assert [node.label for node in topological_order(g["L"])] == ["a", "b", "e", "c", "d", "f", "L"]


def test_topological_order_is_deterministic_across_rebuilds():
    def labels():
        x, y = Value(1.0, label="x"), Value(2.0, label="y")
        p = x * y
        p.label = "p"
        q = p + x
        q.label = "q"
        r = q.tanh() - y * p
        r.label = "r"
        return [node.label or node.op for node in topological_order(r)]

    first = labels()
    assert all(labels() == first for _ in range(20))
    assert first == ["x", "y", "p", "q", "tanh", "*", "r"]


def test_topological_order_lists_each_node_once_children_first():
    x = Value(2.0, label="x")
    shared = x * x
    out = shared + shared.exp() + x
    order = topological_order(out)
    assert len(order) == len(set(map(id, order)))
    position = {id(node): index for index, node in enumerate(order)}
    for node in order:
        for child in node.children:
            assert position[id(child)] < position[id(node)]
    assert order[-1] is out


def test_a_million_node_chain_needs_no_recursion():
    x = Value(0.5, label="x")
    out = x
    for _ in range(1_000_000):
        out = -out
    out.backward()
    assert (out.data, x.grad, out.grad) == (0.5, 1.0, 1.0)
    del out  # freeing the chain by reference counting must not crash either


# --- identity, labels, repr, memory --------------------------------------------------------------


def test_identity_semantics_and_hashable():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a
    assert len({a, b, a}) == 2


def test_labels_can_be_set_later():
    e = Value(2.0) * Value(3.0)
    e.label = "e"
    assert e.label == "e"


def test_repr_matches_micrograd_and_shows_labels():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2, label="a")) == "Value(label='a', data=2.0, grad=0.0)"


def test_values_are_lean():
    assert not hasattr(Value(1.0), "__dict__")


def test_dropped_graphs_are_freed_without_the_cycle_collector():
    from tui_grad.engine import backward_steps

    def live_values():
        return sum(1 for obj in gc.get_objects() if type(obj) is Value)

    gc.collect()
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        before = live_values()
        g = design_graph()
        out = (g["L"].tanh() * g["a"] + 3).sigmoid() / (g["b"] ** 2)
        out.backward()
        backward_steps(out)
        topological_order(out)
        assert live_values() > before
        del g, out
        assert live_values() == before
    finally:
        if was_enabled:
            gc.enable()


# --- compatibility with micrograd ---------------------------------------------------------------

COMPATIBLE_EXPRESSIONS = {
    "design": lambda a, b, c: (a * b + c) * -2.0,
    "two paths": lambda a, b, c: (a + 2) ** 2 + a**3,
    "quotients": lambda a, b, c: a / b - 3 * a + 2 / c,
    "relu": lambda a, b, c: (a * b + 1).relu() + (c - a).relu() * b,
    "negative power": lambda a, b, c: (a - c) ** -1 * b - -a,
}


@pytest.mark.parametrize("name", COMPATIBLE_EXPRESSIONS)
def test_same_numbers_as_micrograd(name):
    micrograd_engine = pytest.importorskip("micrograd.engine")
    build = COMPATIBLE_EXPRESSIONS[name]
    inputs = (2.0, -3.0, 10.0)
    ours = [Value(x) for x in inputs]
    theirs = [micrograd_engine.Value(x) for x in inputs]
    our_out, their_out = build(*ours), build(*theirs)
    our_out.backward()
    their_out.backward()
    assert our_out.data == pytest.approx(their_out.data, rel=1e-12)
    assert [v.grad for v in ours] == pytest.approx([v.grad for v in theirs], rel=1e-12)
