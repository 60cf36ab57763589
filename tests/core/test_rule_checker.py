"""Backward rules a learner writes in code: every op's right forms pass, every named mistake is named,
and the truth the checker holds lines against is the engine's own local gradient."""

from __future__ import annotations

import math

import pytest

from tui_grad.core import rule_checker as rc
from tui_grad.core.rule_checker import OPS, check_rule, points
from tui_grad.core.rule_parser import parse_rule
from tui_grad.engine import Value

# Two right forms of each line, neither of them the form the checker shows as the answer.
EQUIVALENT = [
    ("add", "self", "self.grad += 1.0 * out.grad"),
    ("add", "self", "self.grad = self.grad + out.grad"),
    ("add", "other", "other.grad += out.grad * 1"),
    ("add", "other", "other.grad += (out.grad)"),
    ("mul", "self", "self.grad += out.grad * other.data"),
    ("mul", "self", "self.grad += (other.data) * (out.grad)"),
    ("mul", "other", "other.grad += out.grad * self.data"),
    ("mul", "other", "other.grad -= -self.data * out.grad"),
    ("pow", "self", "self.grad += (other * self.data**(other-1)) * out.grad"),
    ("pow", "self", "self.grad += k * out.data / self.data * out.grad"),
    ("tanh", "self", "self.grad += (1 - t*t) * out.grad"),
    ("tanh", "self", "self.grad += out.grad * (1 - out.data**2)"),
    ("exp", "self", "self.grad += math.exp(self.data) * out.grad"),
    ("exp", "self", "self.grad += out.grad * out.data"),
    ("relu", "self", "self.grad += (self.data > 0) * out.grad"),
    ("relu", "self", "self.grad += out.grad * (0 < out.data)"),
]

# Each named mistake, as a learner would write it.
MISTAKES = [
    ("mul", "self", "self.grad = other.data * out.grad", rc.ASSIGN),
    ("add", "other", "other.grad = out.grad", rc.ASSIGN),
    ("tanh", "self", "self.grad = (1 - t**2) * out.grad", rc.ASSIGN),
    ("mul", "self", "self.grad -= other.data * out.grad", rc.SUBTRACT),
    ("mul", "self", "self.grad += other.data", rc.MISSING_OUT_GRAD),
    ("tanh", "self", "self.grad += 1 - t**2", rc.MISSING_OUT_GRAD),
    ("pow", "self", "self.grad += k * self.data**(k - 1)", rc.MISSING_OUT_GRAD),
    ("mul", "self", "self.grad += self.data * out.grad", rc.OWN_VALUE),
    ("mul", "other", "other.grad += other.data * out.grad", rc.OWN_VALUE),
    ("add", "self", "self.grad += other.data * out.grad", rc.PRODUCT_FOR_SUM),
    ("tanh", "self", "self.grad += (1 - t) * out.grad", rc.TANH_ONE_MINUS_T),
    ("tanh", "self", "self.grad += (1 - self.data**2) * out.grad", rc.TANH_INPUT),
    ("pow", "self", "self.grad += k * self.data**k * out.grad", rc.POWER_OFF_BY_ONE),
    ("pow", "self", "self.grad += self.data**(k - 1) * out.grad", rc.POWER_MISSING_K),
    ("pow", "self", "self.grad += 3 * self.data**2 * out.grad", rc.POWER_FIXED_K),
    ("exp", "self", "self.grad += out.grad", rc.EXP_WITHOUT_OUT_DATA),
    ("exp", "self", "self.grad += self.data * out.grad", rc.EXP_INPUT),
    ("relu", "self", "self.grad += (out.data <= 0) * out.grad", rc.RELU_WRONG_SIDE),
    ("relu", "self", "self.grad += (out.data < 0) * out.grad", rc.ADDS_NOTHING),
    ("relu", "self", "self.grad += (self.data <= 0) * out.grad", rc.RELU_WRONG_SIDE),
    ("relu", "self", "self.grad += (self.data < 0) * out.grad", rc.RELU_WRONG_SIDE),
    ("relu", "self", "self.grad += (self.data >= 0) * out.grad", rc.RELU_AT_ZERO),
    ("relu", "self", "self.grad += (out.data >= 0) * out.grad", rc.RELU_EVERYWHERE),
    ("relu", "self", "self.grad += out.data * out.grad", rc.RELU_OUTPUT),
    ("mul", "self", "self.grad += out.grad", rc.ONLY_OUT_GRAD),
    ("tanh", "self", "self.grad += -(1 - t**2) * out.grad", rc.SIGN),
    ("mul", "other", "self.grad += self.data * out.grad", rc.WRONG_TARGET),
    ("mul", "self", "self.grad += other.data / (self.data - self.data)", rc.ARITHMETIC),
    ("mul", "self", "self.grad += other.data * out.grad * 2", rc.OTHER),
    ("mul", "self", "self.grad += other.data * out.grad +", rc.SYNTAX),
]


@pytest.mark.parametrize(("op", "target"), [(op.key, target) for op in OPS.values() for target in op.inputs])
def test_micrograds_own_line_passes(op, target):
    verdict = check_rule(op, target, OPS[op].answers[target])
    assert verdict.correct and verdict.mistake == rc.RIGHT


@pytest.mark.parametrize(("op", "target", "line"), EQUIVALENT)
def test_equivalent_forms_pass(op, target, line):
    verdict = check_rule(op, target, line)
    assert verdict.correct, verdict.message


@pytest.mark.parametrize(("op", "target", "line", "mistake"), MISTAKES)
def test_each_mistake_is_named(op, target, line, mistake):
    verdict = check_rule(op, target, line)
    assert not verdict.correct
    assert verdict.mistake == mistake, verdict.message


def test_every_named_mistake_is_exercised():
    named = {value for name, value in vars(rc).items()
             if name.isupper() and not name.startswith("_") and isinstance(value, str)} - {rc.RIGHT}
    assert len(named) >= 20
    assert named <= {mistake for *_, mistake in MISTAKES}


def test_assign_shows_the_node_used_twice_losing_its_other_path():
    verdict = check_rule("mul", "self", "self.grad = other.data * out.grad")
    # At the quoted point self.data = 2, other.data = -3, out.grad = 1.5 and the other use added 4.
    assert (verdict.got, verdict.expected) == (-4.5, -0.5)
    assert "held 4 from its other use" in verdict.message
    assert "leaves -4.5 where 4 − 4.5 = -0.5 belongs" in verdict.message
    assert "path through the other use is lost" in verdict.message


def test_a_line_that_divides_by_zero_says_where():
    verdict = check_rule("mul", "self", "self.grad += other.data / (self.data - self.data)")
    assert verdict.message == "at self.data = 2, other.data = -3, out.grad = 1.5 your line fails: it divides by zero"


def test_a_syntax_error_keeps_its_column():
    verdict = check_rule("tanh", "self", "self.grad += (1 - t**2 * out.grad")
    assert verdict.mistake == rc.SYNTAX and verdict.column == 14
    assert verdict.message == "unbalanced brackets: this '(' is never closed"


def test_names_belong_to_their_op():
    assert check_rule("mul", "self", "self.grad += t * out.grad").message.startswith("unknown name 't'")
    assert check_rule("tanh", "self", "self.grad += other.data * out.grad").message.startswith("unknown name 'other'")
    assert "plain number" in check_rule("pow", "self", "self.grad += other.data * out.grad").message


def test_accumulation_matters_at_every_check_point():
    """A line that only works when .grad starts at 0 fails: every point has a share already there."""
    for op in OPS.values():
        for point in points(op):
            for target in op.inputs:
                assert point[f"{target}.grad"] != 0


def engine_op(key: str, a: Value, b: Value, k: float) -> Value:
    """The engine's own node for the op."""
    if key == "add":
        return a + b
    if key == "mul":
        return a * b
    if key == "pow":
        return a**k
    return {"tanh": a.tanh, "exp": a.exp, "relu": a.relu}[key]()


@pytest.mark.parametrize("key", list(OPS))
def test_the_checkers_truth_is_the_engines_local_gradient_and_central_differences(key):
    op = OPS[key]
    for point in points(op):
        x, y, k = point["self.data"], point["other.data"], point.get("k", 2.0)
        out = engine_op(key, Value(x), Value(y), k)
        assert math.isclose(out.data, point["out.data"], rel_tol=1e-12)
        for target, engine_local in zip(op.inputs, out.local_grads, strict=True):
            assert math.isclose(op.local[target](point), engine_local, rel_tol=1e-12, abs_tol=1e-15)
            h = 1e-6
            if key == "relu" and x == 0:  # the kink: no slope to measure; micrograd's convention is 0 there
                continue
            shifted = {"self": (x + h, y), "other": (x, y + h)}[target]
            back = {"self": (x - h, y), "other": (x, y - h)}[target]
            slope = (rc._forward(key, *shifted, k) - rc._forward(key, *back, k)) / (2 * h)
            assert math.isclose(slope, engine_local, rel_tol=1e-5, abs_tol=1e-6)


def test_relu_is_checked_on_both_sides():
    signs = {point["self.data"] > 0 for point in points(OPS["relu"])}
    assert signs == {True, False}


def test_the_answers_parse_in_their_ops_language():
    for op in OPS.values():
        for target in op.inputs:
            line = parse_rule(op.answers[target], symbols=op.symbols, owners=op.owners)
            assert (line.target, line.mode) == (target, "+=")
