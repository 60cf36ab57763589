"""The topological-order lesson: its graph, a wrong order run as given and explained, build_topo's
walk after the right one, bad tables refused, and leaving and coming back in both faces."""

from __future__ import annotations

import io

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.lesson import LessonError
from tui_grad.core.lesson_file import part_from_table
from tui_grad.core.parts import ANSWERING, DONE
from tui_grad.core.progress import ProgressStore
from tui_grad.core.views import text_of
from tui_grad.plain import run_plain

CATALOG = load_catalog()
LESSON = CATALOG.find("topological-order")


def test_the_graph_and_numbers_the_file_states():
    part = LESSON.parts[0]
    graph = part.build()
    graph.output.backward()
    assert {name: node.data for name, node in graph.nodes.items()} == {"a": 2, "b": -3, "c": 10, "d": -6, "e": 4,
                                                                       "L": -24}
    assert {name: node.grad for name, node in graph.nodes.items()} == {"a": 6, "b": -4, "c": -6, "d": -2, "e": -6,
                                                                       "L": 1}
    assert "a gradient of 4, where\n-2 belonged" in LESSON.outro


def test_a_wrong_order_is_run_and_the_right_one_is_followed_by_build_topo(tmp_path):
    session = LessonSession(LESSON, ProgressStore(tmp_path).load())
    session.go_on()
    assert session.phase == ANSWERING and session.prompt_line == "backward order:"
    assert not session.answer("L d e a b c")
    assert "a = -12 (should be 6), b = 8 (should be -4)" in text_of(session.message)
    assert not [node for node in session.nodes() if node.grad]  # no gradient shown before the order is in
    assert session.answer("L, e, c, d, b, a")
    words = text_of(session.message)
    assert "9.     build_topo(d): already visited, skip" in words
    assert "backward() runs that list reversed: L e c d b a." in words
    assert session.phase == DONE and session.status()[0].text.startswith("Order found by you: L e c d b a.")
    assert {node.name: node.grad for node in session.nodes()}["d"] == "-2"


@pytest.mark.parametrize(("nodes", "message"), [
    (["d = a * b", "L = d * c"], "needs a node, not an input, used by two others"),
    (["d = a * b", "L = d * (d + c)"], "give 'd \\+ c' a name of its own"),
])
def test_an_order_part_needs_a_reused_named_node(nodes, message):
    with pytest.raises(LessonError, match=message):
        part_from_table({"kind": "order", "inputs": {"a": 2.0, "b": -3.0, "c": 10.0}, "nodes": nodes})


def test_both_faces_leave_before_the_order_and_come_back(tmp_path):
    first = LessonSession(LESSON, ProgressStore(tmp_path / "core").load())
    first.go_on()
    first.answer("L d e a b c")
    first.hint()
    first.leave()
    again = LessonSession(LESSON, ProgressStore(tmp_path / "core").load())
    assert again.phase == ANSWERING and again.resumed and again.asked == "order"
    assert again.flow.exercise.hints == {"order": 1}

    def plain(lines):
        out = io.StringIO()
        run_plain(CATALOG, "topological-order", ProgressStore(tmp_path / "plain").load(), None,
                  stdin=io.StringIO("".join(line + "\n" for line in lines)), stdout=out)
        return out.getvalue()

    plain(["L d e a b c", "hint", "lessons"])
    out = plain(["L e d c b a", ""])
    assert "Resuming at part 1 of 1, question backward order." in out
    assert "backward() runs that list reversed" in out and "Lesson finished" in out
