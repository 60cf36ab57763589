"""The rule-line parser: what it reads, what it refuses (with a column), and that it never runs text."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tui_grad.core import rule_parser
from tui_grad.core.rule_checker import OPS, check_rule
from tui_grad.core.rule_parser import (
    BinaryOp,
    Compare,
    Exp,
    Field,
    Number,
    RuleEvaluationError,
    RuleSyntaxError,
    Symbol,
    evaluate,
    parse_rule,
    reads,
)


def refused(text: str, **kwargs) -> RuleSyntaxError:
    with pytest.raises(RuleSyntaxError) as caught:
        parse_rule(text, **kwargs)
    return caught.value


def test_a_rule_reads_into_our_own_tree():
    line = parse_rule("self.grad += other.data * out.grad")
    assert (line.target, line.mode) == ("self", "+=")
    assert line.expr == BinaryOp("*", Field("other", "data"), Field("out", "grad"))
    assert parse_rule("  other.grad = (out.data > 0) * out.grad").expr == BinaryOp(
        "*", Compare(">", Field("out", "data"), Number(0.0)), Field("out", "grad"))
    assert parse_rule("self.grad -= math.exp(-t)").expr == Exp(rule_parser.Negate(Symbol("t")))


def test_evaluate_reads_fields_and_symbols():
    line = parse_rule("self.grad += (1 - t**2) * out.grad + 0 * self.data / 4")
    value = evaluate(line.expr, {("out", "grad"): 2.0, ("self", "data"): 1.0}, {"t": 0.5})
    assert value == 1.5
    assert reads(line.expr) == {("out", "grad"), ("self", "data")}


@pytest.mark.parametrize(("text", "message"), [
    ("self.grad += 1 / (out.grad - out.grad)", "it divides by zero"),
    ("self.grad += math.exp(1000)", "a number grows too large for a float"),
    ("self.grad += (0 - 8) ** 0.5", "a power is undefined there"),
    ("self.grad += 10.0 ** 300 * 10.0 ** 300", "too large for a float"),
])
def test_arithmetic_that_fails_is_an_error_not_a_crash(text, message):
    line = parse_rule(text)
    with pytest.raises(RuleEvaluationError, match=re.escape(message)):
        evaluate(line.expr, {("out", "grad"): 1.0}, {})


@pytest.mark.parametrize(("text", "column", "message"), [
    ("import os", 1, "import is not allowed"),
    ("from os import system", 1, "import is not allowed"),
    ("self.grad += self.__class__", 18, "names with double underscores are not allowed"),
    ("self.grad += __import__('os')", 14, "__import__: names with double underscores are not allowed"),
    ("__builtins__.grad += 1", 1, "names with double underscores are not allowed"),
    ("self.grad += open('/etc/passwd')", 14, "open(...) is not allowed: the only function a rule calls is math.exp"),
    ("self.grad += math.tanh(self.data) * out.grad", 14, "math.tanh(...) is not allowed"),
    ("self.grad += math.exp(x=1)", 14, "math.exp takes one number"),
    ("self.grad += ((out.grad)", 14, "unbalanced brackets: this '(' is never closed"),
    ("self.grad += out.grad)", 22, "unbalanced brackets: this ')' closes nothing"),
    ("self.grad += (out.grad]", 23, "']' cannot close the '(' of column 14"),
    ("self.grad += wibble * out.grad", 14, "unknown name 'wibble': this rule reads self, other, out, t, k"),
    ("self.grad += x * out.grad", 14, "unknown name 'x'"),
    ("self.grad += self * out.grad", 14, "self is a Value: write self.data for its number"),
    ("self.grad += self.value", 18, "a Value has .data and .grad, not .value"),
    ("self.grad += t.data", 14, "t is already a plain number"),
    ("self.grad += self.data ^ 2", 24, "^ is not a power in Python: write **"),
    ("self.grad += self.data // 2", 24, "// rounds down"),
    ("self.grad += other.data \u00d7 out.grad", 25, "'\u00d7' is not Python: write *"),
    ("self.grad += out.grad if t else 0", 14, "if ... else is not allowed in a rule"),
    ("self.grad += lambda: 0", 14, "lambda is not allowed"),
    ("self.grad += [1][0]", 14, "indexing [] is not allowed"),
    ("self.grad += 'abc'", 14, "'abc' is not a number a rule can use"),
    ("self.grad += True", 14, "True is not a number"),
    ("self.grad += 1e999", 14, "too large for a float"),
    ("self.grad *= 2", 1, "a rule adds its share with +="),
    ("self.grad += 1; import os", 17, "write one statement on the line"),
    ("out.grad += 1", 1, "the left side must be self.grad or other.grad"),
    ("other.data * out.grad", 1, "write the whole line"),
    ("self.grad +=", 13, "this is not a line of Python"),
    ("", 1, "nothing to read"),
    ("self.grad += 0 < out.data < 1", 14, "compare two things at most"),
    ("self.grad += (out.data == 0)", 15, "compares with > < >= <= only"),
    ("self.grad += not t", 14, "only - can stand before a value"),
    ("self.grad += math", 14, "math is only for math.exp"),
    ("self.grad += math.exp", 14, "needs its argument in brackets"),
    ("self.grad += out.grad\x1b[2J", 22, "U+001B is not part of a rule"),
])
def test_bad_lines_are_refused_with_the_column(text, column, message):
    error = refused(text)
    assert message in error.message
    assert error.column == column, error


def test_a_ten_thousand_character_line_is_refused_before_parsing():
    error = refused("self.grad += " + "1 + " * 2500 + "1")
    assert error.message.startswith("the line is 10014 characters long; a rule fits in 300")


def test_deep_brackets_are_refused_before_parsing():
    error = refused("self.grad += " + "(" * 40 + "1" + ")" * 40)
    assert error.message == "brackets nest more than 12 deep" and error.column == 26


def test_each_op_has_its_own_names():
    assert parse_rule("self.grad += other * out.grad", symbols=("k", "other"), owners=("self", "out")).expr == \
        BinaryOp("*", Symbol("other"), Field("out", "grad"))
    assert "this rule reads self, out, t" in refused("self.grad += k", symbols=("t",), owners=("self", "out")).message


def test_the_parser_never_makes_code_from_text():
    source = Path(rule_parser.__file__).read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])(eval|exec|compile)\(", source)
    assert re.findall(r"ast\.parse\([^)]*\)", source) == ['ast.parse(line, mode="exec")']


def fuzz(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


LINE_PARTS = st.sampled_from(["self", "other", "out", "t", "k", ".data", ".grad", "+=", "=", "-=", "+", "-",
                              "*", "/", "**", "(", ")", "math.exp(", "1", "0", "2.5", " ", ">", "__class__",
                              "import", ";", "[", "]", ",", "lambda", ":", "'", "\u2212", "\n"])


@fuzz(3000)
@given(st.one_of(st.text(max_size=80), st.lists(LINE_PARTS, max_size=30).map("".join)))
def test_any_text_is_a_rule_or_a_clear_error_and_checking_never_raises(text):
    try:
        line = parse_rule(text)
    except RuleSyntaxError as error:
        assert error.message and 1 <= error.column <= max(len(text), 1) + 1
    else:
        assert line.target in ("self", "other") and line.mode in ("+=", "=", "-=")
    for op in ("mul", "tanh", "pow"):
        verdict = check_rule(op, OPS[op].inputs[0], text)
        assert verdict.message
