"""Lesson files: good ones load, and every broken one says file, line and what to fix."""

from __future__ import annotations

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import load_lesson

from tests.conftest import GOOD_LESSON


def test_chain_rule_lesson_has_the_design_graph(chain_rule):
    assert chain_rule.id == "chain-rule"
    [part] = chain_rule.parts
    assert part.inputs == {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
    assert [a.text for a in part.assignments] == ["e = a * b", "d = e + c", "L = d * f"]
    assert part.parameters == ("a", "b", "c", "f")
    assert part.update.direction == "ascent" and part.update.step_size == 0.01
    graph = part.build()
    assert {name: graph.value_of(name) for name in graph.nodes} == {
        "a": 2.0, "b": -3.0, "e": -6.0, "c": 10.0, "d": 4.0, "f": -2.0, "L": -8.0}


def test_assignment_lines_point_into_the_file(chain_rule):
    source = chain_rule.path.read_text().splitlines()
    for assignment in chain_rule.parts[0].assignments:
        assert assignment.text in source[assignment.line - 1]


def test_compound_formulas_get_named_intermediate_nodes(write_lesson):
    lesson = load_lesson(write_lesson(GOOD_LESSON.replace('"L = p + x",', '"L = (p - 2*x)**2",')))
    graph = lesson.parts[0].build()
    assert graph.value_of("L") == pytest.approx((-6 - 6) ** 2)
    assert "p - 2 * x" in graph.nodes
    assert graph.named == ("x", "y", "p", "L")


def test_shipped_catalog_loads_without_broken_files(catalog):
    assert not catalog.broken, [str(e) for e in catalog.broken]
    assert catalog.find("chain-rule") is not None


BROKEN = [
    ("malformed toml", GOOD_LESSON.replace('title = "A tiny lesson"', 'title = "A tiny lesson'), 2, "not valid TOML"),
    ("missing title", GOOD_LESSON.replace('title = "A tiny lesson"\n', ""), None, "missing 'title'"),
    ("unknown name", GOOD_LESSON.replace('"p = x * y"', '"p = x * z"'), 8, "unknown name 'z'"),
    ("defined twice", GOOD_LESSON.replace('"L = p + x"', '"p = p + x"'), 9, "defined twice"),
    ("depends on itself", GOOD_LESSON.replace('"L = p + x"', '"L = L + x"'), 9, "cannot depend on itself"),
    ("dunder", GOOD_LESSON.replace('"p = x * y"', '"p = __import__(x)"'), 8, "'_'"),
    ("attribute", GOOD_LESSON.replace('"p = x * y"', '"p = x.real * y"'), 8, "attribute"),
    ("lambda", GOOD_LESSON.replace('"p = x * y"', '"p = lambda: x"'), 8, "lambda"),
    ("comprehension", GOOD_LESSON.replace('"p = x * y"', '"p = [x for x in y]"'), 8, "not allowed"),
    ("other call", GOOD_LESSON.replace('"p = x * y"', '"p = print(x)"'), 8, "not a function"),
    ("log of negative", GOOD_LESSON.replace('"p = x * y"', '"p = log(y)"'), 8, "forward pass fails"),
    ("division by zero", GOOD_LESSON.replace('"p = x * y"', '"p = x / (y + 2)"'), 8, "forward pass fails"),
    ("overflow", GOOD_LESSON.replace('"p = x * y"', '"p = exp(x * 1000)"'), 8, "forward pass fails"),
    ("unused input", GOOD_LESSON.replace("y = -2.0 }", "y = -2.0, z = 1.0 }"), 6, "does not feed"),
    ("bad direction", GOOD_LESSON.replace('"descent"', '"sideways"'), 15, "direction"),
    ("bad parameter", GOOD_LESSON.replace('["x", "y"]', '["x", "q"]'), 11, "parameter 'q'"),
    ("variable exponent", GOOD_LESSON.replace('"p = x * y"', '"p = x ** y"'), 8, "plain number"),
    ("not a string", GOOD_LESSON.replace('"p = x * y",', "3,"), None, "must be a string"),
    ("too deep to draw", GOOD_LESSON.replace(
        '"L = p + x",', '"q1 = p + x", "q2 = q1 * x", "q3 = q2 + y", "q4 = q3 * y", "L = q4 + x",'),
     7, "7 steps deep"),
    ("too tall to draw",
     GOOD_LESSON.replace("y = -2.0 }", "y = -2.0, u = 1.5, v = 2.5, w = 0.5, z = 2.0, a = 3.0, b = 1.0 }")
     .replace('"L = p + x",', '"q = u * v", "r = w * z", "s = a * b", "m = p * q", "n = r * s", "L = m * n",'),
     7, "8 nodes tall"),
]


@pytest.mark.parametrize(("case", "text", "line", "fragment"), BROKEN, ids=[case[0] for case in BROKEN])
def test_broken_lessons_name_file_line_and_fix(write_lesson, case, text, line, fragment):
    path = write_lesson(text)
    with pytest.raises(LessonError) as caught:
        load_lesson(path)
    error = caught.value
    assert fragment in error.message
    assert error.path == path
    if line is not None:
        assert error.line == line, str(error)
        assert str(error).startswith(f"{path}:{line}: ")


def test_a_broken_file_does_not_hide_the_others(write_lesson, tmp_path):
    write_lesson(GOOD_LESSON, "good.toml")
    write_lesson("id = ", "bad.toml")
    catalog = load_catalog(tmp_path)
    assert [lesson.id for lesson in catalog.lessons] == ["tiny"]
    assert len(catalog.broken) == 1 and catalog.broken[0].path.name == "bad.toml"


def test_not_utf8_is_reported(tmp_path):
    path = tmp_path / "latin.toml"
    path.write_bytes(b"title = \"caf\xe9\"\n")
    with pytest.raises(LessonError, match="UTF-8"):
        load_lesson(path)
