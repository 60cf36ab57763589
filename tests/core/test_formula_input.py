"""The own-formula form and options: what a learner types is read as they meant it, or refused
with what is wrong at the column they typed (issue 19's formula input)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tui_grad.cli import _joined_values
from tui_grad.core.formula import FormulaError, formula_lesson, parse_values


@pytest.mark.parametrize(("formula", "values", "name", "column"), [
    ("x**y", "x=1 y=2", "y", 4),
    ("2**x", "x=1", "x", 4),
    ("x + x**(2*y)", "x=1, y=1", "y", 11),
])
def test_a_name_as_exponent_is_refused_at_the_column_typed(formula, values, name, column):
    """x**y said "unknown name 'y' at column 6", a column of an internal rewrite."""
    with pytest.raises(FormulaError) as caught:
        formula_lesson(formula, parse_values(values))
    assert caught.value.column == column
    assert "exponent of ** must be a number" in caught.value.message and f"'{name}'" in caught.value.message
    assert "unknown name" not in str(caught.value)


def test_an_input_given_twice_is_refused():
    """--values "x=1 x=2" silently took 2."""
    with pytest.raises(FormulaError) as caught:
        parse_values("x=1 x=2")
    assert "x is given twice (x=1 and x=2)" in caught.value.message


@pytest.mark.parametrize(("text", "value"), [("x=1/2", 0.5), ("x=-3/4", -0.75), ("x=2.5e-1", 0.25)])
def test_values_take_fractions_as_answers_do(text, value):
    assert parse_values(text) == {"x": value}


@pytest.mark.parametrize("text", ["x=1/0", "x=abc", "x=nan", "x=2**2000"])
def test_values_that_are_no_finite_number_are_still_refused(text):
    with pytest.raises(FormulaError):
        parse_values(text)


def test_a_formula_starting_with_a_minus_is_taken_as_the_options_value():
    assert _joined_values(["--formula", "-x**2", "--values", "x=3"]) == ["--formula=-x**2", "--values", "x=3"]
    assert _joined_values(["--values", "-1"]) == ["--values=-1"]
    assert _joined_values(["--formula", "--json"]) == ["--formula", "--json"]  # a missing value stays missing


def test_trace_works_a_formula_starting_with_a_minus(tmp_path):
    """`--formula "-x**2"` failed as an option ('expected one argument')."""
    done = subprocess.run([sys.executable, "-m", "tui_grad", "trace", "--formula", "-x**2", "--values", "x=3",
                           "--json"], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TUI_GRAD_HOME": str(tmp_path)})
    assert done.returncode == 0, done.stderr
    nodes = {node["name"]: node for node in json.loads(done.stdout)["nodes"]}
    assert nodes["x"]["grad"] == -6 and nodes["L"]["data"] == -9
