"""Checking a learner's backward rule against the true one, and naming the mistake when it is not.

A line is parsed by `rule_parser`, then run by its evaluator at several points (one with friendly
numbers that messages quote, the rest drawn at random), each with the input's `.grad` already
holding a share from another use of the node, as it does when a node is used twice. The line is
right when it leaves `.grad` at that share plus the true contribution at every point, so every
equivalent form passes. When it is wrong, the share it added is compared with each named mistake
of its operation, computed here independently of the parser, and the first that matches at every
point names what went wrong.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from tui_grad.core.exercise import format_number, written_sum
from tui_grad.core.rule_parser import (
    RuleEvaluationError,
    RuleLine,
    RuleSyntaxError,
    evaluate,
    parse_rule,
)

Point = Mapping[str, float]
"""The numbers a rule is checked at: "self.data", "self.grad" (the share already there),
"other.data", "other.grad", "out.data", "out.grad", and "t" / "k" where the op has them."""
_CHECK_POINTS = 8
_RELATIVE_TOLERANCE = 1e-9
_ABSOLUTE_TOLERANCE = 1e-12

RIGHT = "right"
SYNTAX = "syntax"
WRONG_TARGET = "wrong-target"
ARITHMETIC = "arithmetic"
ASSIGN = "assign"
SUBTRACT = "subtract"
MISSING_OUT_GRAD = "missing-out-grad"
ONLY_OUT_GRAD = "only-out-grad"
SIGN = "sign"
OWN_VALUE = "own-value"
PRODUCT_FOR_SUM = "product-for-sum"
TANH_ONE_MINUS_T = "tanh-one-minus-t"
TANH_INPUT = "tanh-input"
POWER_OFF_BY_ONE = "power-off-by-one"
POWER_MISSING_K = "power-missing-k"
EXP_WITHOUT_OUT_DATA = "exp-without-out-data"
EXP_INPUT = "exp-input"
RELU_WRONG_SIDE = "relu-wrong-side"
RELU_OUTPUT = "relu-output"
RELU_AT_ZERO = "relu-at-zero"
RELU_EVERYWHERE = "relu-everywhere"
POWER_FIXED_K = "power-fixed-k"
ADDS_NOTHING = "adds-nothing"
OTHER = "other"


@dataclass(frozen=True)
class Mistake:
    """A named wrong rule: what it adds, as a function of the point, and what to tell the learner."""

    name: str
    adds: Callable[[Point], float]
    message: str


@dataclass(frozen=True)
class RuleOp:
    """One operation whose backward rule the learner writes, one line per input."""

    key: str
    """"add", "mul", "pow", "tanh", "exp" or "relu": the op's id in lessons and progress."""
    forward: str
    """How the op reads in code: `out = self * other`."""
    inputs: tuple[str, ...]
    """The Values that get a line: ("self", "other") or ("self",)."""
    owners: tuple[str, ...]
    """The Values a line may read: inputs and out."""
    symbols: tuple[str, ...]
    """Plain-number names: ("t",) for tanh, ("k", "other") for a power (micrograd calls k other)."""
    answers: Mapping[str, str]
    """micrograd's own line for each input."""
    local: Mapping[str, Callable[[Point], float]]
    """d(out)/d(input) at a point, for each input: the true local slope, written independently."""
    mistakes: Mapping[str, tuple[Mistake, ...]]
    """This op's named mistakes for each input, beyond the ones every op shares."""
    shown_point: Mapping[str, float]
    """Friendly inputs that messages quote: "self", "other" (or "k")."""


@dataclass(frozen=True)
class RuleVerdict:
    """What checking one line found."""

    correct: bool
    mistake: str
    """RIGHT, or the mistake's name (SYNTAX, ASSIGN, TANH_ONE_MINUS_T, OTHER, ...)."""
    message: str
    column: int = 0
    """For SYNTAX: the 1-based column the message is about."""
    expected: float | None = None
    """At the quoted point: the gradient .grad should end with."""
    got: float | None = None
    """At the quoted point: the gradient the line left."""


def _forward(key: str, x: float, y: float, k: float) -> float:
    """out.data for the op at self.data = x, other.data = y, exponent k."""
    if key == "add":
        return x + y
    if key == "mul":
        return x * y
    if key == "pow":
        return x**k
    if key == "tanh":
        return math.tanh(x)
    if key == "exp":
        return math.exp(x)
    return x if x > 0 else 0.0


def _mistakes(pairs: list[tuple[str, Callable[[Point], float], str]]) -> tuple[Mistake, ...]:
    return tuple(Mistake(name, adds, message) for name, adds, message in pairs)


_G = "out.grad"


def _build_ops() -> dict[str, RuleOp]:
    """The six operations of the lesson, with their true local slopes and named mistakes."""
    sum_message = ("a sum's local slope is 1: out.grad passes to each input unchanged. Multiplying by "
                   "the other input is the product's rule")
    wrong_side = ("relu's gradient is on the wrong side: it passes out.grad where the input was positive "
                  "(out.data > 0) and nothing where it was negative")
    own_message = ("that multiplies by this input's own value. In out = self * other, nudging self "
                   "moves out by other.data, so self's share is the other factor: other.data * out.grad, "
                   "and other's is self.data * out.grad")
    return {
        "add": RuleOp(
            "add", "out = self + other", ("self", "other"), ("self", "other", "out"), (),
            {"self": "self.grad += out.grad", "other": "other.grad += out.grad"},
            {"self": lambda p: 1.0, "other": lambda p: 1.0},
            {"self": _mistakes([(PRODUCT_FOR_SUM, lambda p: p["other.data"] * p[_G], sum_message)]),
             "other": _mistakes([(PRODUCT_FOR_SUM, lambda p: p["self.data"] * p[_G], sum_message)])},
            {"self": 2.0, "other": -3.0}),
        "mul": RuleOp(
            "mul", "out = self * other", ("self", "other"), ("self", "other", "out"), (),
            {"self": "self.grad += other.data * out.grad", "other": "other.grad += self.data * out.grad"},
            {"self": lambda p: p["other.data"], "other": lambda p: p["self.data"]},
            {"self": _mistakes([(OWN_VALUE, lambda p: p["self.data"] * p[_G], own_message)]),
             "other": _mistakes([(OWN_VALUE, lambda p: p["other.data"] * p[_G], own_message)])},
            {"self": 2.0, "other": -3.0}),
        "pow": RuleOp(
            "pow", "out = self ** k", ("self",), ("self", "out"), ("k", "other"),
            {"self": "self.grad += k * self.data**(k - 1) * out.grad"},
            {"self": lambda p: p["k"] * p["self.data"] ** (p["k"] - 1)},
            {"self": _mistakes([
                (POWER_OFF_BY_ONE, lambda p: p["k"] * p["self.data"] ** p["k"] * p[_G],
                 ("the power rule is off by one: the slope of x**k is k * x**(k - 1), one power lower "
                  "(x**2 has slope 2x, not 2x**2)")),
                (POWER_MISSING_K, lambda p: p["self.data"] ** (p["k"] - 1) * p[_G],
                 "the power comes down in front: the slope of x**k is k * x**(k - 1)")])},
            {"self": 2.0, "k": 3.0}),
        "tanh": RuleOp(
            "tanh", "t = math.tanh(self.data); out = Value(t)", ("self",), ("self", "out"), ("t",),
            {"self": "self.grad += (1 - t**2) * out.grad"},
            {"self": lambda p: 1.0 - math.tanh(p["self.data"]) ** 2},
            {"self": _mistakes([
                (TANH_ONE_MINUS_T, lambda p: (1.0 - p["t"]) * p[_G],
                 "tanh's slope is 1 - t**2, with t squared: 1 - t is not it"),
                (TANH_INPUT, lambda p: (1.0 - p["self.data"] ** 2) * p[_G],
                 "that squares tanh's input x; the slope is 1 - t**2 with t = tanh(x), its output")])},
            {"self": 0.5}),
        "exp": RuleOp(
            "exp", "out = Value(math.exp(self.data))", ("self",), ("self", "out"), (),
            {"self": "self.grad += out.data * out.grad"},
            {"self": lambda p: math.exp(p["self.data"])},
            {"self": _mistakes([
                (EXP_WITHOUT_OUT_DATA, lambda p: p[_G],
                 ("exp without out.data: e**x is its own slope, so the local factor is out.data "
                  "(e**x itself), not 1")),
                (EXP_INPUT, lambda p: p["self.data"] * p[_G],
                 "the slope of e**x is e**x itself, out.data, not the input x")])},
            {"self": 1.0}),
        "relu": RuleOp(
            "relu", "out = Value(max(0, self.data))", ("self",), ("self", "out"), (),
            {"self": "self.grad += (out.data > 0) * out.grad"},
            {"self": lambda p: 1.0 if p["self.data"] > 0 else 0.0},
            {"self": _mistakes([
                (RELU_WRONG_SIDE, lambda p: (1.0 if p["self.data"] <= 0 else 0.0) * p[_G], wrong_side),
                (RELU_WRONG_SIDE, lambda p: (1.0 if p["self.data"] < 0 else 0.0) * p[_G], wrong_side),
                (RELU_OUTPUT, lambda p: p["out.data"] * p[_G],
                 "relu's slope is 1 or 0, not its output: (out.data > 0) * out.grad"),
                (RELU_AT_ZERO, lambda p: (1.0 if p["self.data"] >= 0 else 0.0) * p[_G],
                 ("right except where the input is exactly 0: there relu is flat and micrograd passes nothing. "
                  "Compare strictly: (out.data > 0) * out.grad")),
                (RELU_EVERYWHERE, lambda p: p[_G],
                 ("that passes out.grad on everywhere, as a sum would; relu passes it only where the input was "
                  "positive: (out.data > 0) * out.grad, with > (out.data is never negative, so out.data >= 0 "
                  "always holds)"))])},
            {"self": 2.0}),
    }


OPS: Mapping[str, RuleOp] = _build_ops()
"""Every operation the learner writes a rule for, by key, in teaching order."""


def points(op: RuleOp, *, count: int = _CHECK_POINTS, seed: int = 0) -> list[dict[str, float]]:
    """The check points: the shown one first, then random ones (both signs where the op allows)."""
    rng = random.Random(f"{op.key}:{seed}")
    result = [_point(op, op.shown_point["self"], op.shown_point.get("other", 0.0),
                     op.shown_point.get("k", 2.0), upstream=1.5, share=4.0)]
    if op.key == "relu":  # where > and >= part: micrograd passes nothing at an input of exactly 0
        result.append(_point(op, 0.0, 0.0, 2.0, upstream=-2.0, share=1.0))
    for index in range(count - len(result)):
        sign = 1.0 if index % 2 == 0 else -1.0
        x = rng.uniform(0.5, 2.5) if op.key == "pow" else sign * rng.uniform(0.3, 2.5)
        k = rng.choice((2.0, 3.0, 4.0, -1.0, 0.5, 1.5)) if op.key == "pow" else 2.0
        result.append(_point(op, x, rng.uniform(-2.5, 2.5), k, upstream=rng.choice((-1, 1)) * rng.uniform(0.5, 3),
                             share=rng.choice((-1, 1)) * rng.uniform(0.5, 3)))
    return result


def _point(op: RuleOp, x: float, y: float, k: float, *, upstream: float, share: float) -> dict[str, float]:
    out = _forward(op.key, x, y, k)
    point = {"self.data": x, "self.grad": share, "other.data": y, "other.grad": share,
             "out.data": out, "out.grad": upstream}
    if op.key == "pow":
        point["k"] = point["other"] = k
    if op.key == "tanh":
        point["t"] = out
    return point


def run_line(line: RuleLine, point: Point) -> float:
    """What the target's .grad holds after the line runs at point (its .grad starting at the share)."""
    fields = {tuple(name.split(".")): value for name, value in point.items() if "." in name}
    symbols = {name: value for name, value in point.items() if "." not in name}
    added = evaluate(line.expr, fields, symbols)  # type: ignore[arg-type]  # keys are (owner, field) pairs
    before = point[f"{line.target}.grad"]
    if line.mode == "+=":
        return before + added
    if line.mode == "-=":
        return before - added
    return added


def close(a: float, b: float) -> bool:
    """Equal up to float rounding, as two correct forms of a rule are."""
    return math.isclose(a, b, rel_tol=_RELATIVE_TOLERANCE, abs_tol=_ABSOLUTE_TOLERANCE)


def check_rule(op_key: str, target: str, text: str) -> RuleVerdict:
    """Check the learner's line for `target`'s gradient in op `op_key`; never raises on bad text."""
    op = OPS[op_key]
    try:
        line = parse_rule(text, symbols=op.symbols, owners=op.owners)
    except RuleSyntaxError as error:
        return RuleVerdict(False, SYNTAX, error.message, column=error.column)
    if line.target != target:
        return RuleVerdict(False, WRONG_TARGET, f"this line is for {target}'s gradient: start it with "
                                                 f"{target}.grad += ...")
    checks = points(op)
    local = op.local[target]
    results: list[float] = []
    for point in checks:
        try:
            results.append(run_line(line, point))
        except RuleEvaluationError as error:
            return RuleVerdict(False, ARITHMETIC, f"at {_where(op, point)} your line fails: {error}")
    shares = [point[f"{target}.grad"] for point in checks]
    expected = [share + local(point) * point["out.grad"] for share, point in zip(shares, checks, strict=True)]
    shown, wanted, got = checks[0], expected[0], results[0]
    if all(close(result, right) for result, right in zip(results, expected, strict=True)):
        return RuleVerdict(True, RIGHT, "right: " + _explain(op, target), expected=wanted, got=got)
    if op.key == "pow" and close(got, wanted):
        return RuleVerdict(False, POWER_FIXED_K, f"right for k = {format_number(shown['k'])} only: write k "
                                                  "(micrograd calls it other), so the rule holds for every power",
                           expected=wanted, got=got)
    added = [result - share if line.mode != "=" else result for result, share in zip(results, shares, strict=True)]
    if line.mode == "-=":
        added = [-value for value in added]
    truths = [local(point) * point["out.grad"] for point in checks]
    if all(close(value, truth) for value, truth in zip(added, truths, strict=True)):
        if line.mode == "=":
            return RuleVerdict(False, ASSIGN, _lost_path(target, shown, truths[0]), expected=wanted, got=got)
        return RuleVerdict(False, SUBTRACT, f"-= takes the share away; a rule adds it: {target}.grad += ...",
                           expected=wanted, got=got)
    fix = "" if line.mode == "+=" else f" Also: add with +=, not {line.mode}, or a node used twice loses a path."
    for mistake in _all_mistakes(op, target, local):
        if all(close(value, mistake.adds(point)) for value, point in zip(added, checks, strict=True)):
            return RuleVerdict(False, mistake.name, mistake.message + "." + fix, expected=wanted, got=got)
    message = (f"at {_where(op, shown)} the rule adds {format_number(truths[0])} to {target}.grad; your line "
               f"adds {format_number(added[0])}. The local slope is d(out)/d({target}); times out.grad.{fix}")
    return RuleVerdict(False, OTHER, message, expected=wanted, got=got)


def _all_mistakes(op: RuleOp, target: str, local: Callable[[Point], float]) -> list[Mistake]:
    """The op's own named mistakes, then the ones any rule can make."""
    shared = [
        Mistake(MISSING_OUT_GRAD, local, "out.grad is missing: the local slope must be multiplied by the "
                                         "gradient that arrived at out (the chain rule)"),
        Mistake(SIGN, lambda p: -local(p) * p[_G], "the sign is flipped"),
        Mistake(ADDS_NOTHING, lambda p: 0.0, "your line adds 0 wherever it is checked, so no gradient flows "
                                             "back through this op"),
    ]
    if op.key not in ("add", "exp"):  # a sum's slope is 1; exp's names this mistake itself
        shared.append(Mistake(ONLY_OUT_GRAD, lambda p: p[_G],
                              "only out.grad: the local slope of this op is missing (out.grad passes "
                              "unchanged only through a sum)"))
    return [*op.mistakes[target], *shared]


def _where(op: RuleOp, point: Point) -> str:
    """The inputs of a point as a message quotes them: `self.data = 2, other.data = -3, out.grad = 1.5`."""
    names = ["self.data", *(["other.data"] if "other" in op.inputs else []), *(["k"] if op.key == "pow" else []),
             "out.grad"]
    return ", ".join(f"{name} = {format_number(point[name])}" for name in names)


def _lost_path(target: str, point: Point, share: float) -> str:
    """The `=` mistake, shown on a node used twice whose other use has already added its share."""
    before = point[f"{target}.grad"]
    return (f"= replaces what {target}.grad already held. A node used twice gets a share from each use: say "
            f"{target}.grad held {format_number(before)} from its other use when this rule ran. Your line "
            f"leaves {format_number(share)} where {written_sum([before, share])} = "
            f"{format_number(before + share)} belongs: the path through the other use is lost. "
            f"Write {target}.grad += ...")


def _explain(op: RuleOp, target: str) -> str:
    """What a right line does, in micrograd's form."""
    return f"{op.answers[target]}  ({op.forward})"
