"""The comparison table after the backward pass, laid out for the width it is given."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tui_grad.core.catalog import load_catalog
from tui_grad.core.exercise import format_number
from tui_grad.ui.table import ComparisonRow, comparison_lines


def neuron_rows() -> list[ComparisonRow]:
    """The neuron lesson's ten nodes, every third shown rather than earned, with the engine's numbers."""
    part = load_catalog().find("neuron").parts[0]
    graph = part.build()
    graph.output.backward()
    rows = []
    for index, name in enumerate(["o", "n", "x1w1x2w2", "b", "x1w1", "x2w2", "x1", "w1", "x2", "w2"]):
        engine = format_number(graph.nodes[name].grad)
        shown = index % 3 == 0
        rows.append(ComparisonRow(name, engine, engine, "~ shown" if shown else "✓ earned"))
    return rows


def cells_in_order(lines: list[str]) -> list[str]:
    return " ".join(lines).split()


@pytest.mark.parametrize("width", [20, 30, 40, 60, 76, 78, 118, 200])
def test_every_cell_is_there_and_no_line_is_wider_than_the_width(width):
    rows = neuron_rows()
    lines = comparison_lines(rows, width)
    assert all(len(line) <= width for line in lines), "\n".join(lines)
    words = " ".join(lines).split()
    for row in rows:
        assert row.node in words and row.engine in words
    assert " ".join(lines).count("earned") == sum(row.mark == "✓ earned" for row in rows)
    assert " ".join(lines).count("shown") == sum(row.mark == "~ shown" for row in rows)


def test_wide_it_reads_across_in_four_lines():
    lines = comparison_lines(neuron_rows(), 118)
    assert len(lines) == 4
    assert lines[0].split() == ["node", "o", "n", "x1w1x2w2", "b", "x1w1", "x2w2", "x1", "w1", "x2", "w2"]
    assert lines[2].split()[0] == "engine" and lines[2].split()[7] == "-1.5"


def test_at_80_columns_it_wraps_into_two_blocks_each_with_its_headings():
    lines = comparison_lines(neuron_rows(), 78)
    assert len(lines) == 9 and lines[4] == ""
    first, second = lines[:4], lines[5:]
    assert [line.split()[0] for line in first[:3]] == ["node", "yours", "engine"]
    assert [line.split()[0] for line in second[:3]] == ["node", "yours", "engine"]
    assert first[0].split()[1:] == ["o", "n", "x1w1x2w2", "b", "x1w1"]
    assert second[0].split()[1:] == ["x2w2", "x1", "w1", "x2", "w2"]
    # a node's cells stay in one column: right-aligned to the same edge
    column_end = first[0].index("x1w1x2w2") + len("x1w1x2w2")
    assert first[3][:column_end].endswith("✓ earned")


def test_narrow_it_reads_down_one_line_per_node():
    lines = comparison_lines(neuron_rows(), 40)
    assert lines[0].split() == ["node", "yours", "engine"]
    assert lines[7].split() == ["x1", "-1.5", "-1.5", "~", "shown"]
    assert len(lines) == 11


def test_too_narrow_even_for_that_each_cell_gets_its_own_line():
    lines = comparison_lines(neuron_rows(), 16)
    assert lines[:4] == ["o", "  yours 1", "  engine 1", "  ~ shown"]
    assert all(len(line) <= 16 for line in lines)


def test_no_rows_no_lines():
    assert comparison_lines([], 80) == []


@pytest.mark.parametrize("module", ["tui_grad.ui.diagram", "tui_grad.ui.table"])
def test_drawing_modules_are_pure(module):
    """The layout modules never load a UI library, so the line mode and tests can use them alone."""
    check = (f"import importlib, sys; importlib.import_module({module!r}); "
             "loaded = [name for name in ('textual', 'rich') if name in sys.modules]; "
             "assert not loaded, loaded")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
