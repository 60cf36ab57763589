"""The formula parser: answers learners type, formulas lessons write, and everything else refused clearly."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import assume, given, settings, strategies as st

from tui_grad.core import expr as ex
from tui_grad.core.expr import (
    FUNCTIONS,
    Binary,
    Call,
    ExprError,
    Name,
    Num,
    Unary,
    evaluate,
    evaluate_number,
    names_in,
    parse,
    to_text,
)

ENV = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}


def refusal(text, **options) -> ExprError:
    """The ExprError that evaluate_number raises for `text`."""
    with pytest.raises(ExprError) as caught:
        evaluate_number(text, **options)
    return caught.value


# --- answers learners type ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-2", -2.0), ("-2.0", -2.0), (".5", 0.5), ("1e-3", 0.001), ("2E+2", 200.0), ("1/2", 0.5),
        ("\u22122", -2.0), ("\u20132", -2.0), ("-2*1", -2.0), ("2^3", 8.0), ("-2**2", -4.0),
        ("2**-1", 0.5), ("2**3**2", 512.0), ("(1+2)*3", 9.0), (" 4 ", 4.0), ("1 \u00d7 2", 2.0),
        ("3\u00b72", 6.0), ("3 \u22c5 2", 6.0), ("6 \u00f7 4", 1.5), ("8-2-1", 5.0), ("8/2/2", 2.0),
        ("+3", 3.0), ("--2", 2.0), ("-(-2)", 2.0), ("2.", 2.0), ("\t1 +\t1\n", 2.0), ("1\u00a0+ 1", 2.0),
        ("tanh(0)", 0.0), ("exp(0)", 1.0), ("log(1)", 0.0), ("relu(-3)", 0.0), ("relu(3)", 3.0),
        ("sigmoid(0)", 0.5), ("sigmoid(-1000)", 0.0), ("sigmoid(1000)", 1.0), ("(-2)**3", -8.0),
        ("-0", 0.0), ("1e-999", 0.0), ("1e308", 1e308), ("9" * 50, 1e50), ("0**0", 1.0), ("(-1)**1e300", 1.0),
    ],
)
def test_accepted_answers(text, expected):
    assert evaluate_number(text) == pytest.approx(expected, rel=1e-15)


def test_answers_with_names():
    env = {"b": -3, "f": -2}
    assert evaluate_number("b*f", env) == 6.0
    assert evaluate_number("b * f", env, names=list(env)) == 6.0
    assert evaluate_number("(a*b + c) * f", ENV, names=ENV) == -8.0
    assert evaluate_number("1 - tanh(a)**2", ENV) == pytest.approx(1 - math.tanh(2.0) ** 2)


def test_the_answer_is_a_plain_float_and_never_negative_zero():
    result = evaluate_number("-0 * 5")
    assert type(result) is float and math.copysign(1.0, result) == 1.0


# --- refusals -------------------------------------------------------------------------------------


ALLOWED = "a formula uses numbers, names, + - * / ** and parentheses"
TOO_LARGE = "too large: numbers must stay below about 1.8e308"


@pytest.mark.parametrize(
    ("text", "options", "message", "column"),
    [
        ("", {}, "nothing to read: type a number such as -2 or 1/2", 1),
        ("   ", {}, "nothing to read: type a number such as -2 or 1/2", 1),
        ("abc", {"names": {}}, "unknown name 'abc' at column 1: type a number such as -2 or 1/2", 1),
        ("1 + q", {"names": ["c", "a", "b"]}, "unknown name 'q' at column 5: use a number or one of the names a, b, c",
         5),
        ("l", {"names": ["L", "a"]}, "unknown name 'l' at column 1: did you mean 'L'? Names are case-sensitive", 1),
        ("z", {"names": [f"n{i:02}" for i in range(20)]}, "unknown name 'z' at column 1: use a number or one of the "
         "names n00, n01, n02, n03, n04, n05, n06, n07, n08, n09, n10, n11, ...", 1),
        ("nan", {"names": ["a"]}, "'nan' at column 1 is not a number we accept: type a finite number such as -2 or 0.5",
         1),
        ("2 * Infinity", {}, "'Infinity' at column 5 is not a number we accept: type a finite number such as -2 or "
         "0.5", 5),
        ("-\u221e", {}, "'\u221e' at column 2 is not a number we accept: type a finite number such as -2 or 0.5", 2),
        ("1e999", {}, f"the number 1e999 at column 1 is {TOO_LARGE}", 1),
        ("10**10**10", {}, f"the result of '**' at column 3 is {TOO_LARGE}", 3),
        ("9**9**9**9", {}, f"the result of '**' at column 5 is {TOO_LARGE}", 5),
        ("exp(1000)", {}, f"the result of exp() at column 1 is {TOO_LARGE}", 1),
        ("1e308 * 10", {}, f"the result of '*' at column 7 is {TOO_LARGE}", 7),
        ("__import__('os')", {}, "'__import__' at column 1 is not allowed: names cannot start with '_' or contain "
         "'__'", 1),
        ("a__b", {}, "'a__b' at column 1 is not allowed: names cannot start with '_' or contain '__'", 1),
        ("a.b", {}, "'.' at column 2 is not allowed after 'a': formulas have no attribute access", 2),
        ("(a).b", {}, "'.' at column 4 is not allowed after ')': formulas have no attribute access", 4),
        ("lambda: 1", {}, f"'lambda' at column 1 is not allowed: {ALLOWED}", 1),
        ("1 if a else 2", {}, f"'if' at column 3 is not allowed: {ALLOWED}", 3),
        ("None", {}, f"'None' at column 1 is not allowed: {ALLOWED}", 1),
        ("[x for x in y]", {}, f"'[' at column 1 is not allowed: {ALLOWED}", 1),
        ("a = 1", {}, "'=' at column 3 is not allowed: type only the formula, without '='", 3),
        ("'1'", {}, f"\"'\" at column 1 is not allowed: {ALLOWED}", 1),
        ("x\u00b2", {}, "'\u00b2' (U+00B2) at column 2 is not allowed: write powers with ** or ^, like x**2", 2),
        ("\u221a2", {}, "'\u221a' (U+221A) at column 1 is not allowed: write a square root as a power, like x**0.5",
         1),
        ("\u00bd", {}, "'\u00bd' (U+00BD) at column 1 is not allowed: write fractions with /, like 1/2", 1),
        ("\u0430", {}, f"'\u0430' (U+0430) at column 1 is not allowed: {ALLOWED}", 1),  # Cyrillic, looks like a
        ("1, 2", {}, f"',' at column 2 is not allowed: {ALLOWED}", 2),
        ("-1,5", {}, "',' at column 3 is not allowed: write decimals with '.', like 1.5", 3),
        ("2.,2", {}, f"',' at column 3 is not allowed: {ALLOWED}", 3),
        ("1,5e3", {}, f"',' at column 2 is not allowed: {ALLOWED}", 2),
        ("y" * 30, {"names": ["x" * 30]}, "unknown name 'yyyyyyyyyyyyyyyyyyyyy...' at column 1: use a number or one "
         "of the names xxxxxxxxxxxxxxxxxxxxx...", 1),
        ("2 " + "z" * 990, {}, "expected an operator such as * between '2' and 'zzzzzzzzzzzzzzzzzzzzz...' at column 3",
         3),
        ("2.5.1", {}, "the number at column 1 has more than one '.': write decimals like 2.5", 1),
        ("1_000", {}, "the number at column 1 has a '_': write numbers without separators, like 1000", 1),
        ("print(1)", {}, "'print' at column 1 is not a function you can use (functions: tanh, exp, log, relu, "
         "sigmoid); to multiply, write print * (...)", 1),
        ("a(2)", {"names": ["a"]}, "'a' at column 1 is not a function you can use (functions: tanh, exp, log, relu, "
         "sigmoid); to multiply, write a * (...)", 1),
        ("q(2)", {"names": ["a"]}, "'q' at column 1 is not a function you can use (functions: tanh, exp, log, relu, "
         "sigmoid)", 1),
        ("tanh", {}, "'tanh' at column 1 is a function: write tanh(x)", 1),
        ("tanh(1, 2)", {}, "tanh() takes exactly one value: remove the ',' at column 7", 7),
        ("1/0", {}, "division by zero at column 2", 2),
        ("1/(a-a)", {"env": ENV}, "division by zero at column 2", 2),
        ("0**-1", {}, "division by zero at column 2", 2),
        ("log(-1)", {}, "log at column 1 needs a positive number, not -1", 1),
        ("2 * log(0)", {}, "log at column 5 needs a positive number, not 0", 5),
        ("(-8)**0.5", {}, "a negative number raised to a fractional power at column 5 has no real value", 5),
        ("2 3", {}, "expected an operator such as * between '2' and '3' at column 3", 3),
        ("2a", {}, "expected an operator such as * between '2' and 'a' at column 2", 2),
        ("a b", {}, "expected an operator such as * between 'a' and 'b' at column 3", 3),
        ("a 2", {}, "expected an operator such as * between 'a' and '2' at column 3", 3),
        ("(1)2", {}, "expected an operator such as * between ')' and '2' at column 4", 4),
        ("2(3)", {}, "expected an operator such as * between '2' and '(' at column 2", 2),
        ("(1+2", {}, "the '(' at column 1 is never closed: add a ')'", 1),
        ("2*(1+tanh(2)", {}, "the '(' at column 3 is never closed: add a ')'", 3),
        ("1+2)", {}, "the ')' at column 4 has no matching '(': remove it or add a '('", 4),
        (")", {}, "the ')' at column 1 has no matching '(': remove it or add a '('", 1),
        (",", {}, f"',' at column 1 is not allowed: {ALLOWED}", 1),
        ("1 +", {}, "the formula stops after '+' at column 3: add a number or a name", 3),
        ("2 \u00d7", {}, "the formula stops after '\u00d7' at column 3: add a number or a name", 3),
        ("()", {}, "something is missing between '(' and ')' at column 2: add a number or a name", 2),
        ("1 + * 2", {}, "something is missing between '+' and '*' at column 5: add a number or a name", 5),
        ("*2", {}, "the formula cannot start with '*' (column 1): begin with a number, a name or '('", 1),
        ("1\n2", {}, "only one line can be read: remove the line break at column 2", 2),
        ("1\r\n2", {}, "only one line can be read: remove the line break at column 2", 2),
        ("\x07", {}, "control character U+0007 at column 1: delete it", 1),
        ("1 +\x00 2", {}, "control character U+0000 at column 4: delete it", 4),
        ("1\u200b", {}, "invisible character U+200B at column 2: delete it", 2),
        ("x" * 10000, {}, "the text is too long (10000 characters; at most 1000): type a shorter formula", 1),
        ("(" * 1000 + "1" + ")" * 1000, {}, "the text is too long (2001 characters; at most 1000): type a shorter "
         "formula", 1),
        ("1" * 51, {}, "the number at column 1 is too long (at most 50 characters): write it with fewer digits", 1),
        ("q", {"env": {"a": 1.0}}, "unknown name 'q' at column 1: use a number or one of the names a", 1),
        ("a", {"env": {"a": math.inf}}, "'a' at column 1 is not a finite number", 1),
        ("a", {"env": {"a": 10**400}}, f"'a' at column 1 is {TOO_LARGE}", 1),
    ],
)
def test_refusals_say_what_and_where(text, options, message, column):
    error = refusal(text, **options)
    assert (error.message, error.column) == (message, column)
    assert str(error) == message and isinstance(error, ValueError)


@pytest.mark.parametrize(("opening", "closing"), [("(", ")"), ("-", ""), ("+", ""), ("x**", ""), ("tanh(", ")")])
def test_nesting_is_capped_before_python_recursion_could_fail(opening, closing):
    def nested(depth: int) -> str:
        return opening * depth + "1" + closing * depth

    assert isinstance(parse(nested(64)), ex.Num | ex.Unary | ex.Binary | ex.Call)
    for depth in (65, 1000, 100_000):
        with pytest.raises(ExprError, match=r"^nested too deeply at column"):
            parse(nested(depth), max_length=10**6)


def test_long_flat_formulas_and_deep_hand_built_trees_never_recurse():
    long_sum = parse("+".join(["a"] * 20_000), max_length=10**6)
    assert evaluate_number(long_sum, {"a": 0.5}) == 10_000.0
    assert names_in(long_sum) == ["a"]
    deep: ex.Expr = Name("x")
    for _ in range(50_000):  # far deeper than Python's recursion limit
        deep = Unary("-", deep)
    assert evaluate(deep, {"x": 3.0}) == 3.0 and evaluate_number(deep, {"x": 3.0}) == 3.0
    assert to_text(deep) == "-" * 50_000 + "x" and names_in(deep) == ["x"]


def test_non_text_is_a_programming_error():
    with pytest.raises(TypeError):
        parse(12)  # type: ignore[arg-type]


# --- structure and canonical text -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("-2", Unary("-", Num(2.0))),
        ("-2**2", Unary("-", Binary("**", Num(2.0), Num(2.0)))),
        ("2**-1", Binary("**", Num(2.0), Unary("-", Num(1.0)))),
        ("a**b**c", Binary("**", Name("a"), Binary("**", Name("b"), Name("c")))),
        ("a-b-c", Binary("-", Binary("-", Name("a"), Name("b")), Name("c"))),
        ("+a", Name("a")),
        ("tanh(n)", Call("tanh", Name("n"))),
        ("(w*x - y)**2", Binary("**", Binary("-", Binary("*", Name("w"), Name("x")), Name("y")), Num(2.0))),
    ],
)
def test_parse_trees(text, tree):
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("b*f", "b * f"), ("(a+b)*c", "(a + b) * c"), ("-2*1", "-2 * 1"), ("x^2", "x ** 2"),
        ("tanh(n)", "tanh(n)"), ("3*x**2 - 4*x + 5", "3 * x ** 2 - 4 * x + 5"), ("a-(b-c)", "a - (b - c)"),
        ("(a**b)**c", "(a ** b) ** c"), ("(-a)**2", "(-a) ** 2"), ("-(a**2)", "-a ** 2"), ("a*(-b)", "a * -b"),
        ("((a))", "a"), ("-(a+b)", "-(a + b)"), ("1e-9", "1e-09"), ("0.50", "0.5"), ("2.0", "2"),
        ("x/(y*z)", "x / (y * z)"),
    ],
)
def test_canonical_text(text, canonical):
    assert to_text(parse(text)) == canonical


def test_numbers_print_in_shortest_form():
    assert [to_text(Num(v)) for v in (2.0, -3.0, 0.5, 1e-9, 1e16)] == ["2", "-3", "0.5", "1e-09", "1e+16"]
    assert to_text(Binary("*", Num(math.inf), Num(-math.inf))) == "1e999 * -1e999"  # built by hand only
    assert to_text(Binary("**", Num(-3.0), Num(2.0))) == "(-3) ** 2"


def test_names_in_first_appearance_order():
    assert names_in(parse("(w*x - y)**2 + w*b")) == ["w", "x", "y", "b"]
    assert names_in(parse("2 * 3")) == []


def test_columns_are_kept_but_not_compared():
    tree = parse("a  /  b")
    assert tree.column == 4 and tree.left.column == 1 and tree.right.column == 7
    assert tree == Binary("/", Name("a"), Name("b"))
    assert hash(tree) == hash(Binary("/", Name("a"), Name("b")))


# --- generic evaluation ---------------------------------------------------------------------------


def test_evaluate_works_on_any_arithmetic_type():
    env = {"a": Fraction(1, 3), "b": Fraction(3, 4)}
    assert evaluate(parse("-a*b + b/a - a*a"), env) == Fraction(17, 9)
    doubled = parse("double(a)", functions=["double"])
    assert evaluate(doubled, env, functions={"double": lambda v: 2 * v}) == Fraction(2, 3)


def test_evaluate_allows_a_variable_exponent_on_floats():
    assert evaluate(parse("a ** b"), {"a": 2.0, "b": 3.0}) == 8.0


def test_evaluate_refuses_unknown_names_and_functions():
    with pytest.raises(ExprError, match=r"^unknown name 'c' at column 5: use a number or one of the names a, b$"):
        evaluate(parse("a + c"), {"a": 1.0, "b": 2.0})
    with pytest.raises(ExprError, match=r"^'tanh' at column 1 is not a function you can use \(functions: exp\)$"):
        evaluate(parse("tanh(a)"), {"a": 1.0}, functions={"exp": math.exp})


# --- properties -----------------------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "x", "w_1", "bias"])
LEAVES = st.floats(min_value=0, allow_infinity=False).map(Num) | NAMES.map(Name)
TREES = st.recursive(
    LEAVES,
    lambda inner: inner.map(lambda e: Unary("-", e))
    | st.builds(Binary, st.sampled_from(["+", "-", "*", "/", "**"]), inner, inner)
    | st.builds(Call, st.sampled_from(FUNCTIONS), inner),
    max_leaves=16,
)


def height(tree) -> int:
    """How many nodes deep `tree` goes."""
    return 1 + max((height(child) for child in ex._children(tree)), default=0)


@settings(max_examples=500, deadline=None)
@given(TREES, st.floats(-4, 4), st.floats(-4, 4))
def test_canonical_text_reads_back_as_the_same_tree(tree, a, b):
    assume(height(tree) <= 25)  # each level adds at most two of the 64 allowed nesting levels
    env = {"a": a, "b": b, "x": 0.5, "w_1": -1.0, "bias": 2.0}
    try:
        assert parse(to_text(tree)) == tree
    except ExprError:  # only when a part made of numbers alone cannot be computed
        with pytest.raises(ExprError):
            evaluate_number(tree, env)
        return
    try:
        number = evaluate_number(tree, env)
    except ExprError:
        return
    assert evaluate(tree, env) == number and math.isfinite(number)


# Any text at all, and text shaped like formulas, are fuzzed in test_fuzz.py.


def test_module_never_runs_text_as_python():
    source = Path(ex.__file__).read_text(encoding="utf-8")
    assert not re.search(r"(?<![\w.])(eval|exec|compile)\(|^\s*(import|from) (ast|textual|rich)\b",
                         source, re.MULTILINE)


def test_exact_powers_are_computed_only_while_they_stay_small():
    tower = parse("a ** a ** a")
    with pytest.raises(ExprError, match=r"^the power at column 3 is too large: numbers must stay below about 1.8e308$"):
        evaluate(tower, {"a": 9})  # 9 ** 387420489 would take minutes as an exact int
    assert evaluate(tower, {"a": 2}) == 16 and evaluate(parse("a ** b"), {"a": 2, "b": 1000}) == 2**1000
    assert evaluate(parse("a ** b"), {"a": Fraction(1, 2), "b": 3}) == Fraction(1, 8)
    assert evaluate(parse("a ** b"), {"a": -1, "b": 10**12}) == 1
    assert evaluate(parse("a ** b"), {"a": 0, "b": 10**12}) == 0


def test_columns_can_count_from_where_the_formula_starts_in_its_line():
    line = "p = x * z"  # a lesson's assignment: the formula starts at column 4
    with pytest.raises(ExprError) as caught:
        parse(line[3:], names=["x"], first_column=4)
    assert caught.value.column == 9 and caught.value.message.startswith("unknown name 'z' at column 9:")
    assert parse(line[3:], names=["x", "z"], first_column=4).right.column == 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x * 10**10**10", "the result of '**' at column 7 is too large: numbers must stay below about 1.8e308"),
        ("x + 1/0", "division by zero at column 6"),
        ("x ** (2 - 2)**-1", "division by zero at column 13"),
        ("log(0) * x", "log at column 1 needs a positive number, not 0"),
    ],
)
def test_parts_made_of_numbers_alone_are_computed_when_read(text, message):
    with pytest.raises(ExprError) as caught:
        parse(text, names=["x"])  # a lesson formula: refused with its line, not later in the forward pass
    assert caught.value.message == message


def test_only_known_functions_of_numbers_are_computed_when_read():
    assert parse("double(1/3) + x", functions=["double"]) == Binary(
        "+", Call("double", Binary("/", Num(1.0), Num(3.0))), Name("x"))
