"""The table after a backward pass (each node, the learner's answer, the engine's, a mark), laid out
to fit a width (pure: no Textual, no Rich).

Wide enough, it reads across: one column per node, the four headings down the left. Too many
nodes for one screen's width and the columns wrap into blocks, one under another, each with its
headings. When that would take more lines than reading down (one line per node under a heading
line), or the width holds not even one column, it reads down.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

HEADINGS = ("node", "yours", "engine", "")
COLUMN_GAP = 2


@dataclass(frozen=True, slots=True)
class ComparisonRow:
    """One node in the table: its name, the learner's answer, the engine's gradient, and a mark."""

    node: str
    yours: str
    engine: str
    mark: str

    def cells(self) -> tuple[str, str, str, str]:
        """The four cells in the order of `HEADINGS`."""
        return self.node, self.yours, self.engine, self.mark


def comparison_lines(rows: Sequence[ComparisonRow], width: int) -> list[str]:
    """The table as plain lines no wider than `width`, every cell in full (blocks are separated by a
    blank line). A cell longer than `width` itself is the only thing that can overflow."""
    if not rows:
        return []
    label_width = max(len(heading) for heading in HEADINGS) + 1
    column_widths = [max(len(cell) for cell in row.cells()) + COLUMN_GAP for row in rows]
    down = _down(rows, width)
    if label_width + max(column_widths) > width:
        return down
    blocks = _blocks(column_widths, width - label_width)
    if len(blocks) * (len(HEADINGS) + 1) - 1 > len(down):
        return down  # many short blocks read worse than one line per node
    lines: list[str] = []
    for block in blocks:
        if lines:
            lines.append("")
        for index, heading in enumerate(HEADINGS):
            cells = "".join(f"{rows[i].cells()[index]:>{column_widths[i]}}" for i in block)
            lines.append((f"{heading:<{label_width}}" + cells).rstrip())
    return lines


def _blocks(column_widths: list[int], room: int) -> list[list[int]]:
    """Columns split into as few blocks as fit `room`, as even in count as the widths allow."""
    greedy: list[list[int]] = [[]]
    for index, column_width in enumerate(column_widths):
        if greedy[-1] and sum(column_widths[i] for i in greedy[-1]) + column_width > room:
            greedy.append([])
        greedy[-1].append(index)
    count = len(greedy)
    size = -(-len(column_widths) // count)  # ceiling: the first blocks take one more when uneven
    even = [list(range(start, min(start + size, len(column_widths))))
            for start in range(0, len(column_widths), size)]
    fits = all(sum(column_widths[i] for i in block) <= room for block in even)
    return even if fits and len(even) == count else greedy


def _down(rows: Sequence[ComparisonRow], width: int) -> list[str]:
    """One line per node under a heading line; a node whose line is too long gets a line per cell."""
    widths = [max(len(heading), *(len(row.cells()[index]) for row in rows)) for index, heading in enumerate(HEADINGS)]
    line_width = sum(widths) + COLUMN_GAP * (len(widths) - 1)
    if line_width <= width:
        gap = " " * COLUMN_GAP
        header = gap.join(f"{heading:<{w}}" if index == 0 else f"{heading:>{w}}"
                          for index, (heading, w) in enumerate(zip(HEADINGS, widths)))
        lines = [header.rstrip()]
        for row in rows:
            node, yours, engine, mark = row.cells()
            lines.append(gap.join((f"{node:<{widths[0]}}", f"{yours:>{widths[1]}}", f"{engine:>{widths[2]}}",
                                   mark)).rstrip())
        return lines
    lines = []
    for row in rows:
        lines.append(row.node)
        lines.extend(f"  {heading} {cell}" for heading, cell in zip(HEADINGS[1:3], (row.yours, row.engine)))
        if row.mark:
            lines.append(f"  {row.mark}")
    return lines
