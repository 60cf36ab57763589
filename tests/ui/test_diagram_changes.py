"""Repainting only what changed: painting the spans `changed_spans` gives over the old drawing, as
a terminal keeps it, must leave exactly the new drawing, whatever changed between the two."""

from __future__ import annotations

import itertools

import pytest

from tui_grad.ui.diagram import Diagram, DiagramNode, changed_spans, draw

from tests.ui.diagram_cases import diagram_nodes, graph_parts

STATES = ("asked", "found", "shown", "unknown", "given")


def screen(diagram: Diagram, width: int) -> list[list[tuple[str, str]]]:
    """The drawing as a terminal holds it: `width` cells a line, blank beyond the drawing."""
    rows = [[(char, style) for run, style in line for char in run] for line in diagram.lines]
    rows += [[(char, "legend") for char in line] for line in diagram.legend]
    return [row + [(" ", "")] * (width - len(row)) for row in rows]


def repaint(old: Diagram, new: Diagram, width: int) -> list[list[tuple[str, str]]]:
    """What a terminal shows after only the changed spans of `new` are painted over `old`."""
    cells, fresh = screen(old, width), screen(new, width)
    for y, x, columns in changed_spans(old, new):
        end = width if columns is None else x + columns
        cells[y][x:end] = fresh[y][x:end]
    return cells


def states_of(nodes: tuple[DiagramNode, ...], asked: int) -> tuple[DiagramNode, ...]:
    """The boxes as a learner sees them with the gradients before `asked` found, that one asked."""
    return tuple(DiagramNode(node.name, node.title, node.children, node.value,
                             node.grad if index < asked else "", "found" if index < asked else
                             "asked" if index == asked else "unknown") if node.state != "constant" else node
                 for index, node in enumerate(reversed(nodes)))[::-1]


PARTS = list(graph_parts())


@pytest.mark.parametrize("label, part", PARTS, ids=[label for label, _ in PARTS])
def test_each_answer_repaints_to_exactly_the_new_drawing(label, part):
    nodes = diagram_nodes(part, dict(part.inputs))
    width = 76
    drawings = [draw(list(states_of(nodes, asked)), width) for asked in range(len(nodes) + 1)]
    for old, new in itertools.pairwise(drawings):
        assert len(old.lines) == len(new.lines)
        assert repaint(old, new, width) == screen(new, width)


def test_a_right_answer_in_the_chain_rule_repaints_two_boxes_not_the_whole_graph():
    """The chain-rule exercise's first answer (bench/answering.py's): the answered box and the
    next one asked change, the rest of the drawing and the legend stay as they are."""
    part = dict(PARTS)["chain-rule:0"]
    nodes = diagram_nodes(part, dict(part.inputs))
    old, new = (draw(list(states_of(nodes, asked)), 76) for asked in (0, 1))
    spans = changed_spans(old, new)
    assert repaint(old, new, 76) == screen(new, 76)
    assert len(spans) < len(new.lines) and all(columns is not None and columns < 40 for _, _, columns in spans)


def test_the_active_edge_and_a_highlight_repaint_to_exactly_the_new_drawing():
    _, part = PARTS[0]
    nodes = list(diagram_nodes(part, dict(part.inputs)))
    plain = draw(nodes, 76)
    edges = [(node.name, child) for node in nodes for child in node.children]
    for edge in edges:
        heavy = draw(nodes, 76, active_edge=edge)
        assert repaint(plain, heavy, 76) == screen(heavy, 76)
        assert repaint(heavy, plain, 76) == screen(plain, 76)
    flashed = draw(nodes, 76, highlight=nodes[-1].name)
    assert repaint(plain, flashed, 76) == screen(flashed, 76)


def test_unchanged_drawings_repaint_nothing():
    _, part = PARTS[0]
    nodes = list(diagram_nodes(part, dict(part.inputs)))
    assert changed_spans(draw(nodes, 76), draw(nodes, 76)) == []


def test_a_line_whose_characters_may_be_wide_is_repainted_whole():
    """A lesson may name a node in any script; a wide character moves every cell after it, so a
    column counted in characters would repaint the wrong cells."""
    old = Diagram(((("a = 1", "value"),),), 5, True)
    new = Diagram(((("日 = 2", "value"),),), 6, True)
    assert changed_spans(old, new) == [(0, 0, None)]


def test_lines_that_grow_or_shrink_are_repainted_to_their_longer_end():
    short = Diagram(((("ab", "value"),),), 2, True)
    long = Diagram(((("abcd", "value"),),), 4, True)
    assert changed_spans(short, long) == [(0, 2, 2)]
    assert changed_spans(long, short) == [(0, 2, 2)]
    assert repaint(long, short, 6) == screen(short, 6)
