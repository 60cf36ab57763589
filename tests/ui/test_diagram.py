"""The graph drawing: every number in full, within the width, at every shipped lesson's widest."""

from __future__ import annotations

import re

import pytest

from tui_grad.ui.diagram import DiagramNode, draw

from tests.ui.diagram_cases import diagram_nodes, graph_cases, graph_parts, numbers, tokens

# What the graph gets at 80 and 120 columns: the widget's padding takes two, a scrollbar two more.
NARROW, WIDE = (76, 78), 118
CASES = graph_cases()


def assert_in_full(nodes, lines: list[str], width: int) -> None:
    missing = numbers(nodes) - tokens(lines)
    assert not missing, f"not drawn in full: {dict(missing)}\n" + "\n".join(lines)
    assert not any("…" in line for line in lines)
    too_long = [line for line in lines if len(line) > width]
    assert not too_long, f"wider than {width}:\n" + "\n".join(too_long)


@pytest.mark.parametrize("width", [*NARROW, WIDE])
@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_every_number_is_drawn_in_full_within_the_width(case, width):
    diagram = draw(list(case.nodes), width)
    assert diagram.fits
    assert_in_full(case.nodes, diagram.text(), width)


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_shipped_graphs_fit_the_graph_area_at_80x24_without_bands(case):
    """The exercise screen gives the graph 13 rows at 80x24: no shipped graph needs more."""
    lines = draw(list(case.nodes), NARROW[0]).text()
    assert len(lines) <= 13, "\n".join(lines)


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_at_120_columns_every_box_says_data_and_grad(case):
    shown = [node for node in case.nodes if node.state != "constant"]
    text = "\n".join(draw(list(case.nodes), WIDE).text())
    assert text.count("data ") == len(shown) and text.count("grad ") == len(shown)


def test_wide_screens_show_each_formula_and_narrow_ones_the_name():
    nodes = list(diagram_nodes(dict(graph_parts())["chain-rule:0"], {"a": 2, "b": -3, "c": 10, "f": -2}))
    wide = "\n".join(draw(nodes, WIDE).text())
    assert "e = a * b" in wide and "d = e + c" in wide and "L = d * f" in wide
    narrow = draw(nodes, 60)
    assert "e = a * b" not in "\n".join(narrow.text()) and "─ e ─" in "\n".join(narrow.text())
    assert draw(nodes, WIDE).width > draw(nodes, 60).width


def test_the_legend_says_which_line_is_which_when_the_words_are_dropped():
    nodes = list(diagram_nodes(dict(graph_parts())["neuron:0"], dict(dict(graph_parts())["neuron:0"].inputs)))
    narrow, wide = draw(nodes, 78), draw(nodes, WIDE)
    assert "data over grad" in narrow.legend[0] and "data " not in "\n".join(narrow.text()[:-1])
    assert "data over grad" not in " ".join(wide.legend)


def test_an_update_shows_the_moved_values_not_rounded_ones():
    """After U in line-fit, L is 12.96 and m is 0.16: no box rounds them to 13 or 0.2."""
    part = dict(graph_parts())["line-fit:0"]
    nodes = diagram_nodes(part, {"m": 0.16, "b": 0.08, "x": 2.0, "y": 4.0})
    lines = draw(list(nodes), 76).text()
    assert {"12.96", "0.16", "-14.4", "-7.2"} <= set(tokens(lines))
    assert "13" not in tokens(lines)


def long_chain(length: int) -> list[DiagramNode]:
    """A graph too wide for any terminal: a chain of products, each with its own weight."""
    nodes = [DiagramNode("x0", "x0", (), "-0.001234567", "123456.7", "found")]
    for index in range(1, length):
        nodes.append(DiagramNode(f"w{index}", f"w{index}", (), "-2.345678", "", "unknown"))
        nodes.append(DiagramNode(f"x{index}", f"x{index} = x{index - 1} * w{index}", (f"x{index - 1}", f"w{index}"),
                                 "1.234567e-5", "-9.876543", "asked" if index == 3 else "shown"))
    return nodes


@pytest.mark.parametrize("width", [40, 60, 78])
def test_a_graph_too_wide_for_the_screen_is_drawn_in_bands(width):
    nodes = long_chain(8)
    diagram = draw(nodes, width)
    lines = diagram.text()
    assert diagram.fits
    assert_in_full(nodes, lines, width)
    # each later band names the node that feeds it from the band above, where its edge starts
    assert any(re.match(r"x\d \s*─", line) for line in lines), "\n".join(lines)


def test_bands_keep_every_edge_and_arrow():
    """Each of the seven products keeps its arrow head; a band's last boxes point on to the next."""
    nodes = long_chain(8)
    one_row, bands = draw(nodes, 400), draw(nodes, 60)
    assert "\n".join(one_row.text()[:len(one_row.lines)]).count("▷") == 7
    band_text = "\n".join(bands.text()[:len(bands.lines)])
    assert band_text.count("├▷") + band_text.count("┬▷") == 7
    assert "x2 ─┬▷" in band_text and "w3 ─┘" in band_text and "│─▷" in band_text


def test_the_legend_wraps_to_the_width():
    nodes = long_chain(2)
    for width in (30, 40, 50):
        assert all(len(line) <= width for line in draw(nodes, width).legend)


def chain_of(columns: int, number: str) -> list[DiagramNode]:
    """A chain of `columns` nodes, every value and gradient the same `number`."""
    nodes = [DiagramNode("a", "a", (), number, number, "found")]
    for index in range(1, columns):
        nodes.append(DiagramNode(f"n{index}", f"n{index} = tanh(x)", (nodes[-1].name,), number, number, "found"))
    return nodes


@pytest.mark.parametrize(("columns", "number", "one_band"), [
    (5, "-7.286496", True), (7, "-16", True), (6, "-7.286496", False), (5, "1.234567e-5", False)])
def test_what_the_lessons_readme_promises_fits_at_80_columns(columns, number, one_band):
    """lessons/README.md, "How graphs are drawn": what an instructor can count on at 78 columns."""
    diagram = draw(chain_of(columns, number), 78)
    assert (len(diagram.lines) <= 4) == one_band, "\n".join(diagram.text())
    assert_in_full(chain_of(columns, number), diagram.text(), 78)


def test_a_box_is_as_wide_whatever_its_state():
    """The asked mark and the glyphs take the same room, so boxes do not jump as the learner answers."""
    nodes = chain_of(4, "-7.286496")
    widths = {state: draw([DiagramNode(n.name, n.title, n.children, n.value, n.grad, state) for n in nodes], 78).width
              for state in ("found", "asked", "shown", "unknown", "given")}
    assert len(set(widths.values())) == 1, widths
