"""Anything a learner or an instructor can type: a number, or a clear ExprError, quickly, and nothing run.

Two parsers are fuzzed with the same 10,500 generated inputs (5,000 of any text, 5,500 shaped like formulas):
the answer parser as the exercise calls it (`evaluate_number(text, values, names=...)`), and the lesson
formula parser as the lesson loader calls it (`parse(rhs, names=defined)`, which also computes the parts
made of numbers alone), followed by a round trip through `to_text`. No test here measures time: "quickly"
is guaranteed by the bounds on length, nesting and float-only powers, and the worst inputs those bounds
allow are run below, so a change that loosens a bound shows up as a slow or failing test.
"""

from __future__ import annotations

import math
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from tui_grad.core import expr as ex
from tui_grad.core.expr import FUNCTIONS, ExprError, evaluate_number, names_in, parse, to_text

# The chain-rule lesson's nodes and values, as GradientExercise.submit passes them.
VALUES = {"a": 2.0, "b": -3.0, "c": 10.0, "e": -6.0, "d": 4.0, "f": -2.0, "L": -8.0}
DEFINED = ["a", "b", "c", "f", "e", "d"]  # what a lesson's last line may use


def fuzz(examples: int) -> settings:
    """Repeatable runs (CI sees the same inputs every time) with no wall-clock deadline."""
    return settings(max_examples=examples, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


WHOLE_TEXT = ("nothing to read:", "the text is too long")


def answer(text: str) -> float:
    """Grade-side reading of a typed answer, exactly as the exercise does it."""
    return evaluate_number(text, VALUES, names=list(VALUES))


def lesson_formula(text: str) -> ex.Expr:
    """Load-side reading of a formula as lesson.py does it (parse also computes the numbers-only parts);
    its names are the defined ones and its canonical text, shown in the graph, reads back the same."""
    tree = parse(text, names=DEFINED)
    assert set(names_in(tree)) <= set(DEFINED)
    assert parse(to_text(tree), names=DEFINED) == tree
    return tree


def assert_clear(error: ExprError, text: str) -> None:
    """A message fit for "Could not read that: <message>.": one printable line that says where."""
    message = error.message
    assert type(error) is ExprError and message == str(error)
    assert message and len(message) <= 300 and not message.endswith((".", " ", ":"))
    assert all(char.isprintable() for char in message), ascii(message)  # never echo control characters
    assert "Traceback" not in message and "Error" not in message
    assert 1 <= error.column <= len(text) + 1
    if not message.startswith(WHOLE_TEXT):
        assert f"column {error.column}" in message, message


def check_both_parsers(text: str) -> None:
    """The property: each parser returns a finite float or a tree, or raises a clear ExprError, nothing else."""
    try:
        number = answer(text)
    except ExprError as error:
        assert_clear(error, text)
    else:
        assert type(number) is float and math.isfinite(number)
    try:
        lesson_formula(text)
    except ExprError as error:
        assert_clear(error, text)


# --- any text at all ------------------------------------------------------------------------------

SPECIALS = "\x00\x07\x1b\x7f\x85\t\n\r\u00a0\u200b\u202e\u2028\ufeff\ud800\u0301\u00b2\u221a\u221e\u00bd\u0430\uff12"
ANY_CHARACTER = st.characters(codec=None, exclude_categories=()) | st.sampled_from(SPECIALS)
FORMULA_ALPHABET = "0123456789.eE+-*/^(),_ abcdfLxyz\u2212\u00d7\u00f7\u00b7"
PIECES = [
    "__import__", "('os')", "lambda", "os", ".system", "(", ")", "**", "^", "tanh(", "log(", "exp(", "sigmoid(",
    "relu(", "print(", "1e308", "1e999", "1e-999", "9", "10", "0", ".5", "2.", "-", "/0", "/", "*", ".", "a", "b",
    "L", "l", "x", ",", "'", "[", "]", "{", ":", "=", ";", "#", "\n", "\r\n", "\x00", "\x1b[31m", "\t", " ", "nan",
    "inf", "Infinity", "NaN", "None", "True", "_", "\u2212", "\u00f7", "\u200b", "\u221e", "\u00b2", "dL/da",
]
TEXTS = (
    st.text(ANY_CHARACTER, max_size=80)
    | st.text(FORMULA_ALPHABET, max_size=60)
    | st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
    | st.tuples(st.sampled_from(PIECES), st.integers(150, 520)).map(lambda piece: piece[0] * piece[1])
)


@fuzz(5_000)
@given(TEXTS)
def test_any_text_is_read_or_refused_clearly_by_both_parsers(text):
    check_both_parsers(text)


# --- text shaped like formulas --------------------------------------------------------------------

NUMBERS = st.sampled_from(["0", "1", "2", "9", "10", ".5", "2.", "1e308", "1e-999", "1e999", "9" * 50, "9" * 51,
                           "0.000001", "1_000", "1,5", "3.14.15"]) | st.integers(0, 10**6).map(str) \
    | st.sampled_from([repr(x) for x in (1e-300, 2.5e-8, 0.1, 1 / 3, 6.02e23, 1.7976931348623157e308)])
NAMES = st.sampled_from([*VALUES, "x", "nan", "inf", "e1", "_x", "__class__", "if", "tanh", "l"])
OPERATORS = st.sampled_from(["+", "-", "*", "/", "**", "^", "\u2212", "\u00d7", "\u00f7", "\u00b7", "//", "%"])
SPACES = st.sampled_from(["", "", " ", "  ", "\t"])
CALLABLE = st.sampled_from([*FUNCTIONS, "print", "a", "__import__"])


def formula_shapes(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """One step up: an operation, a sign, a group, a call, a tower of powers or a deep nesting of `inner`."""
    return st.one_of(
        st.tuples(inner, SPACES, OPERATORS, SPACES, inner).map("".join),
        st.tuples(st.sampled_from(["-", "+", "--", "\u2212"]), inner).map("".join),
        inner.map(lambda part: f"({part})"),
        st.tuples(CALLABLE, inner).map(lambda call: f"{call[0]}({call[1]})"),
        st.lists(NUMBERS | NAMES, min_size=2, max_size=8).map("**".join),
        st.tuples(st.integers(1, 80), st.sampled_from(["(", "-", "tanh(", "2**", "x**"]), inner).map(
            lambda nest: nest[1] * nest[0] + nest[2] + (")" * nest[0] if nest[1].endswith("(") else "")),
    )


FORMULAS = st.recursive(NUMBERS | NAMES, formula_shapes, max_leaves=8)


@st.composite
def damaged_formulas(draw: st.DrawFn) -> str:
    """A formula-like text, sometimes with a few characters inserted or deleted, as a slip of the keyboard."""
    text = draw(FORMULAS)
    for _ in range(draw(st.integers(0, 3))):
        position = draw(st.integers(0, len(text)))
        if draw(st.booleans()):
            text = text[:position] + draw(st.sampled_from(FORMULA_ALPHABET + SPECIALS)) + text[position:]
        else:
            text = text[:position] + text[position + 1:]
    return text


@fuzz(5_500)
@given(damaged_formulas())
def test_any_formula_shaped_text_is_read_or_refused_clearly_by_both_parsers(text):
    check_both_parsers(text)


# --- the worst inputs the bounds allow ------------------------------------------------------------

LONGEST = 1000  # parse's default max_length, the longest text either parser reads


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+".join(["a"] * 500), 1000.0),  # the longest flat formula: 500 names, 499 operators
        ("-".join(["9" * 10] * 91)[:LONGEST], None),
        ("*".join(["c"] * 500), "too large"),  # 10 ** 500, refused at the first product past 1.8e308
        ("(" * 64 + "a" + ")" * 64, 2.0),  # the deepest nesting allowed
        ("-" * 64 + "a", 2.0),
        ("tanh(" * 64 + "a" + ")" * 64, None),
        ("exp(" * 64 + "a" + ")" * 64, "too large"),
        ("a**" * 64 + "a", "too large"),  # a tower of 65 powers: 2 ** 2 ** ... overflows at once
        ("9**" * 64 + "9", "too large"),
        ("1**" * 64 + "9", 1.0),
        ("9" * 50 + "**9" * 60, "too large"),
        ("(" * 65 + "a" + ")" * 65, "nested too deeply"),
        ("-" * 999 + "a", "nested too deeply"),
        ("(" * 999 + "a", "nested too deeply"),
        ("a" * LONGEST, "unknown name"),
        ("1" * LONGEST, "too long"),
        ("1+" * 499 + "\x00", "control character"),
        ("1" * (LONGEST + 1), "the text is too long"),
    ],
)
def test_the_worst_inputs_the_bounds_allow_are_answered(text, expected):
    assert len(text) <= LONGEST + 1
    try:
        number = answer(text)
    except ExprError as error:
        assert_clear(error, text)
        assert isinstance(expected, str) and expected in error.message, error.message
    else:
        assert expected is None or number == pytest.approx(expected)
    try:
        lesson_formula(text.replace("L", "a"))
    except ExprError as error:
        assert_clear(error, text)


def test_texts_longer_than_the_bound_are_refused_before_reading(monkeypatch):
    def never(*_):
        raise AssertionError("a text over the length bound must not be tokenized")

    monkeypatch.setattr(ex, "_tokenize", never)
    for text in ("x" * 10_000, "(" * 100_000, "9**" * 50_000, "\n" * 5000):
        with pytest.raises(ExprError, match=r"^the text is too long \(\d+ characters; at most 1000\)"):
            answer(text)


def test_powers_are_float_powers_never_big_integers():
    """The only operation whose cost could grow with its operands must be constant-time float math."""
    tree = parse("x ** 9 ** 9 ** 1")
    assert [type(node.value) for node in ex._postorder(tree) if isinstance(node, ex.Num)] == [float] * 3
    assert ex._FLOAT_OPERATORS["**"] is ex._float_power
    with pytest.raises(ExprError, match="too large"):
        evaluate_number(tree, {"x": 9.0})


# --- the issue's list, one by one ----------------------------------------------------------------

ISSUE_LIST = [
    ("", "nothing to read: type a number such as -2 or 1/2"),
    ("abc", "unknown name 'abc' at column 1: use a number or one of the names"),
    ("two", "unknown name 'two' at column 1"),
    ("nan", "'nan' at column 1 is not a number we accept: type a finite number such as -2 or 0.5"),
    ("inf", "'inf' at column 1 is not a number we accept"),
    ("-Infinity", "'Infinity' at column 2 is not a number we accept"),
    ("1e999", "the number 1e999 at column 1 is too large: numbers must stay below about 1.8e308"),
    ("10**10**10", "the result of '**' at column 3 is too large"),
    ("9**9**9**9", "the result of '**' at column 5 is too large"),
    ("x" * 10_000, "the text is too long (10000 characters; at most 1000): type a shorter formula"),
    ("__import__('os')", "'__import__' at column 1 is not allowed: names cannot start with '_' or contain '__'"),
    ("\x07", "control character U+0007 at column 1: delete it"),
    ("-2\x1b[A", "control character U+001B at column 3: delete it"),
    ("\u202e2-", "invisible character U+202E at column 1: delete it"),
    ("-2\nmy working:\nb*f = 6", "only one line can be read: remove the line break at column 3"),
]


@pytest.mark.parametrize(("text", "fragment"), ISSUE_LIST, ids=[ascii(text[:20]) for text, _ in ISSUE_LIST])
def test_each_listed_input_gets_a_clear_message_in_the_answer_area(text, fragment):
    with pytest.raises(ExprError) as caught:
        answer(text)
    error = caught.value
    assert_clear(error, text)
    assert fragment in error.message
    shown = f"Could not read that: {error.message}."  # as GradientExercise.submit words it
    assert shown.count(".") - error.message.count(".") == 1 and "\n" not in shown
    with pytest.raises(ExprError) as caught:  # and a lesson formula gets the same message
        lesson_formula(text)
    assert caught.value.message.startswith(fragment.split(":")[0])


@pytest.mark.parametrize(("text", "expected"), [("b*f", 6.0), ("d", 4.0), ("-2*1", -2.0), ("e + c", 4.0),
                                                ("-b * 2", 6.0), ("d/2", 2.0), ("tanh(L - L)", 0.0)])
def test_symbolic_answers_use_the_nodes_current_values(text, expected):
    assert answer(text) == expected


def test_generated_characters_cover_what_learners_paste():
    """Guard the generator itself: control, format, surrogate, combining and line-separator characters."""
    categories = {unicodedata.category(char) for char in SPECIALS}
    assert {"Cc", "Cf", "Cs", "Mn", "Zl", "Zs"} <= categories
