"""Draw a computation graph as boxes and edges on a character grid (pure: no Textual, no Rich).

Nodes are laid out in columns by their distance from the output (leaves left, output right), so
every leaf sits next to the node that uses it. Each cell carries a style name; the widget turns
those into theme colours, and every state also has a glyph, so nothing rests on colour alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
LIGHT = {LEFT | RIGHT: "─", UP | DOWN: "│", DOWN | RIGHT: "┌", DOWN | LEFT: "┐", UP | RIGHT: "└",
         UP | LEFT: "┘", UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤", DOWN | LEFT | RIGHT: "┬",
         UP | LEFT | RIGHT: "┴", UP | DOWN | LEFT | RIGHT: "┼", LEFT: "─", RIGHT: "─", UP: "│", DOWN: "│"}
HEAVY = {mask: glyph for mask, glyph in zip(LIGHT, "━┃┏┓┗┛┣┫┳┻╋━━┃┃", strict=True)}
BORDERS = {"normal": "╭─╮│╰╯", "current": "┏━┓┃┗┛", "constant": "┌┄┐┆└┘", "flash": "╔═╗║╚╝"}
GLYPHS = {"asked": "▶", "found": "✓", "shown": "~", "unknown": "?", "constant": "", "flash": "•", "given": "="}
LEGEND_MARKS = ("▶ asked now", "✓ found by you", "~ shown to you", "? not found yet", "= given")
SHORT_LEGEND_MARKS = ("▶ asked", "✓ found by you", "~ shown", "? not yet", "= given")
UNLABELLED_NOTE = "data over grad"
MAX_BOX, MAX_GAP = 30, 8
ASKED_MARKER = "▶ "


@dataclass(frozen=True, slots=True)
class DiagramNode:
    """What one box shows: name, formula, value, gradient and state (asked/found/shown/unknown)."""

    name: str
    title: str
    children: tuple[str, ...]
    value: str
    grad: str
    state: str = "unknown"


@dataclass(frozen=True, slots=True)
class Diagram:
    """A drawn graph: lines of (text, style) runs, the legend lines under it, and the width it needs."""

    lines: tuple[tuple[tuple[str, str], ...], ...]
    width: int
    fits: bool
    legend: tuple[str, ...] = ()

    def text(self) -> list[str]:
        """The drawing and its legend as plain lines, as a terminal without colour shows them."""
        return ["".join(run for run, _ in line).rstrip() for line in self.lines] + list(self.legend)


@dataclass(frozen=True, slots=True)
class _Style:
    """How much decoration a box gets: the words "data"/"grad", inner padding, room between columns."""

    labelled: bool
    pad: int
    gap: int


# From roomiest to tightest: decorations go first, digits never.
STYLES = (_Style(True, 1, 4), _Style(True, 1, 3), _Style(False, 1, 4), _Style(False, 1, 3), _Style(False, 0, 3))


def draw(nodes: list[DiagramNode], width: int, active_edge: tuple[str, str] | None = None,
         highlight: str | None = None) -> Diagram:
    """Lay out and draw `nodes` (children before parents, output last) within `width` columns.

    Every value and gradient is written in full. Boxes are as wide as their numbers need; when
    `width` allows, they widen to show each node's formula as its title. A graph too wide even
    without the words "data"/"grad" is drawn as several bands of columns, one under the other.
    Constants get no box of their own: the formula in their parent's title already shows them."""
    constants = {node.name for node in nodes if node.state == "constant"}
    if constants:
        nodes = [DiagramNode(node.name, node.title, tuple(c for c in node.children if c not in constants),
                             node.value, node.grad, node.state) for node in nodes if node.name not in constants]
    if not nodes:
        return Diagram((), 0, True)
    by_name = {node.name: node for node in nodes}
    columns = _columns(nodes)
    compact = max(len(column) for column in columns) >= 3  # tall: the grad moves into the bottom border
    for style in STYLES:
        inners = [max(_inner_need(by_name[name], style) for name in column) for column in columns]
        if _band_width(inners, style.gap, 0) <= width:
            inners, gap, formulas = _use_room(columns, by_name, inners, style, width)
            bands = [list(range(len(columns)))]
            break
    else:
        style = STYLES[-1]
        inners = [max(_inner_need(by_name[name], style) for name in column) for column in columns]
        gap, formulas = style.gap, False
        bands = _bands(nodes, columns, inners, gap, width)
    tallest = max(len(column) for column in columns)
    drawn = [_draw_band(nodes, columns, band, inners, gap, style, formulas, compact, tallest, active_edge,
                        highlight) for band in bands]
    lines: list[tuple[tuple[str, str], ...]] = []
    for index, band_lines in enumerate(drawn):
        if index:
            lines.append((("", "edge"),))
        lines.extend(_trim(band_lines) if len(drawn) > 1 else band_lines)
    needed = max(sum(len(run) for run, _ in line) for line in lines)
    return Diagram(tuple(lines), needed, needed <= width, _legend(width, style.labelled))


def changed_spans(old: Diagram, new: Diagram) -> list[tuple[int, int, int | None]]:
    """Where `new` differs from `old` drawn at the same place: (line, first column, columns) for
    each line that differs, from its first to its last differing cell (legend lines count, after
    the drawing's). A line with a character that may not take exactly one terminal cell (a
    formula in a lesson's own script, say) is given whole: (line, 0, None)."""
    old_rows, new_rows = _rows(old), _rows(new)
    spans: list[tuple[int, int, int | None]] = []
    for y in range(max(len(old_rows), len(new_rows))):
        before = old_rows[y] if y < len(old_rows) else ()
        after = new_rows[y] if y < len(new_rows) else ()
        if before == after:
            continue
        cells_before, cells_after = _cells(before), _cells(after)
        if cells_before is None or cells_after is None:
            spans.append((y, 0, None))
            continue
        differing = [x for x, (a, b) in enumerate(zip(cells_before, cells_after, strict=False)) if a != b]
        if len(cells_before) != len(cells_after):  # every cell past the shorter line's end differs
            differing += [min(len(cells_before), len(cells_after)), max(len(cells_before), len(cells_after)) - 1]
        spans.append((y, differing[0], differing[-1] + 1 - differing[0]))
    return spans


def _rows(diagram: Diagram) -> list[tuple[tuple[str, str], ...]]:
    """The drawing's lines of runs, then each legend line as one run."""
    return list(diagram.lines) + [((line, "legend"),) for line in diagram.legend]


def _cells(row: tuple[tuple[str, str], ...]) -> list[tuple[str, str]] | None:
    """A line as one (character, style) pair a terminal cell, or None if some character may not
    take exactly one cell."""
    if not all(_ONE_CELL.fullmatch(run) for run, _ in row):
        return None
    return [(char, style) for run, style in row for char in run]


_ONE_CELL = re.compile("[ -~\u2500-\u257f▶▷✓•]*")
"""Runs every terminal draws one cell a character: printable ASCII, box drawing and the
diagram's own marks."""


def _trim(lines: tuple[tuple[tuple[str, str], ...], ...]) -> tuple[tuple[tuple[str, str], ...], ...]:
    """A band without the blank lines above and below it."""
    filled = [index for index, line in enumerate(lines) if any(run.strip() for run, _ in line)]
    return lines[filled[0]:filled[-1] + 1] if filled else lines


def _inner_need(node: DiagramNode, style: _Style) -> int:
    """The narrowest inside of a box that shows this node's name, value and grad in full."""
    title = len(ASKED_MARKER) + len(node.name) + (3 if style.pad else 0)  # "─ ▶ name " or "▶name"
    value = 2 * style.pad + len(_value_text(node, style.labelled))
    grad = 2 * style.pad + len(_grad_text(node, style.labelled, "?"))
    return max(title, value, grad)


def _value_text(node: DiagramNode, labelled: bool) -> str:
    """The data line's text, with or without the word "data"."""
    return f"data {node.value}" if labelled else node.value


def _grad_text(node: DiagramNode, labelled: bool, glyph: str) -> str:
    """The grad line's text: the state's glyph and the gradient, with or without the word "grad"."""
    if node.state == "constant":
        return ""
    text = f"{glyph} {node.grad}" if node.grad else glyph
    return f"grad {text}" if labelled else text


def _band_width(inners: list[int], gap: int, margin: int) -> int:
    """Columns needed for boxes with these insides side by side, after a left margin."""
    return margin + sum(inner + 2 for inner in inners) + gap * (len(inners) - 1)


def _use_room(columns: list[list[str]], by_name: dict[str, DiagramNode], inners: list[int], style: _Style,
              width: int) -> tuple[list[int], int, bool]:
    """Widen the boxes to show every formula as a title, then the gaps, while `width` has room."""
    inners = list(inners)
    gap = style.gap
    wants = [min(MAX_BOX - 2, max(len(by_name[name].title) + len(ASKED_MARKER) + 4 for name in column))
             for column in columns]
    grown = [max(inner, want) for inner, want in zip(inners, wants, strict=True)]
    formulas = _band_width(grown, gap, 0) <= width  # all or none: a mix reads as two kinds of node
    if formulas:
        inners = grown
    spare = width - _band_width(inners, gap, 0)
    if len(columns) > 1:
        gap = min(MAX_GAP, gap + spare // (len(columns) - 1))
    return inners, gap, formulas


def _bands(nodes: list[DiagramNode], columns: list[list[str]], inners: list[int], gap: int,
           width: int) -> list[list[int]]:
    """Columns grouped into bands, each as wide as fits `width` (a band holds at least one column)."""
    bands: list[list[int]] = [[]]
    for index in range(len(columns)):
        candidate = bands[-1] + [index]
        ghosts = _ghosts(nodes, [name for i in candidate for name in columns[i]])
        margin = max((len(name) + 1 + gap for name in ghosts), default=0)
        if bands[-1] and _band_width([inners[i] for i in candidate], gap, margin) + 2 > width:
            bands.append([index])
        else:
            bands[-1] = candidate
    return bands


def _ghosts(nodes: list[DiagramNode], shown: list[str]) -> list[str]:
    """Nodes drawn in an earlier band that feed one drawn here: named at the band's left edge."""
    inside = set(shown)
    ghosts: dict[str, None] = {}
    for node in nodes:
        if node.name in inside:
            ghosts.update((child, None) for child in node.children if child not in inside)
    return list(ghosts)


def _draw_band(nodes: list[DiagramNode], columns: list[list[str]], band: list[int], inners: list[int], gap: int,
               style: _Style, formulas: bool, compact: bool, tallest: int, active_edge: tuple[str, str] | None,
               highlight: str | None) -> tuple[tuple[tuple[str, str], ...], ...]:
    """One band of columns with its boxes and edges; earlier nodes that feed it are named at its left."""
    band_columns = [columns[index] for index in band]
    shown = [name for column in band_columns for name in column]
    inside = set(shown)
    ghosts = _ghosts(nodes, shown)
    lanes: list[tuple[list[str], int]] = [(ghosts, max(len(name) + 1 for name in ghosts))] if ghosts else []
    lanes += [(column, inners[index] + 2) for column, index in zip(band_columns, band, strict=True)]
    box_height, spacing = (3, 0 if tallest >= 4 else 1) if compact else (4, 1)
    rows = max(len(names) for names, _ in lanes)
    height = rows * box_height + (rows - 1) * spacing
    lane_of = {name: index for index, (names, _) in enumerate(lanes) for name in names}
    widths = {name: lane_width for names, lane_width in lanes for name in names}
    here = [node for node in nodes if node.name in inside]
    skip = any(lane_of[node.name] - lane_of[child] > 1 for node in here for child in node.children)
    later = {child for node in nodes if node.name not in inside for child in node.children}
    stubs = [name for name in band_columns[-1] if name in later]
    width = sum(lane_width for _, lane_width in lanes) + gap * (len(lanes) - 1) + (2 if stubs else 0)
    canvas = _Canvas(width, height + (2 if skip else 0))
    place: dict[str, tuple[int, int]] = {}
    x = 0
    for names, lane_width in lanes:
        top = (height - (len(names) * box_height + (len(names) - 1) * spacing)) // 2
        for row, name in enumerate(names):
            place[name] = (x, top + row * (box_height + spacing))
        x += lane_width + gap
    for node in here:
        for child in dict.fromkeys(node.children):
            heavy = active_edge == (node.name, child)
            skips = lane_of[node.name] - lane_of[child] > 1
            _route(canvas, place[child], place[node.name], widths[child], height + 1 if skips else None, heavy)
            uses = node.children.count(child)
            if uses > 1:  # b = a + a: one line, but two paths to count
                child_x, child_y = place[child]
                canvas.put(child_x + widths[child] + 1, child_y + 1, f"×{uses}", "edge-active" if heavy else "edge")
    for name in ghosts:  # fed from the band above: the name stands in for its box
        ghost_x, ghost_y = place[name]
        canvas.put(ghost_x, ghost_y + 1, name, "value")
    for name in stubs:  # feeds the band below
        stub_x, stub_y = place[name]
        canvas.put(stub_x + widths[name], stub_y + 1, "─▷", "edge")
    for node in here:
        _box(canvas, node, place[node.name], widths[node.name], node.name == highlight, compact, style, formulas)
    return canvas.lines()


def _legend(width: int, labelled: bool) -> tuple[str, ...]:
    """What the marks mean (and, when the words are dropped, which line is which), in as few lines
    of `width` as will hold it."""
    note = [] if labelled else [UNLABELLED_NOTE]
    for marks, spacing in ((LEGEND_MARKS, "   "), (LEGEND_MARKS, "  "), (SHORT_LEGEND_MARKS, "  ")):
        if len(spacing.join(note + list(marks))) <= width:
            return (spacing.join(note + list(marks)),)
    lines = [""]
    for mark in note + list(SHORT_LEGEND_MARKS):
        if lines[-1] and len(lines[-1]) + 2 + len(mark) > width:
            lines.append("")
        lines[-1] += ("  " if lines[-1] else "") + mark
    return tuple(lines)


def _columns(nodes: list[DiagramNode]) -> list[list[str]]:
    """Nodes grouped by longest distance to the output, leaves first, ordered to limit crossings."""
    distance = {nodes[-1].name: 0}
    for node in reversed(nodes):
        for child in node.children:
            distance[child] = max(distance.get(child, 0), distance.get(node.name, 0) + 1)
    deepest = max(distance.values())
    columns: list[list[str]] = [[] for _ in range(deepest + 1)]
    position = {node.name: index for index, node in enumerate(nodes)}
    parents: dict[str, list[str]] = {}
    for node in nodes:
        for child in node.children:
            parents.setdefault(child, []).append(node.name)
    row: dict[str, float] = {nodes[-1].name: 0.0}
    for node in sorted(nodes, key=lambda n: (distance.get(n.name, 0), position[n.name])):
        mine = parents.get(node.name, [])
        row[node.name] = sum(row.get(p, 0.0) for p in mine) / len(mine) if mine else 0.0
        columns[deepest - distance.get(node.name, 0)].append(node.name)
    for column in columns:
        column.sort(key=lambda name: (row[name], position[name]))
        for index, name in enumerate(column):
            row[name] = float(index)
    return columns


class _Canvas:
    """A grid of characters with a style per cell; edges merge through direction bitmasks."""

    def __init__(self, width: int, height: int) -> None:
        self.width, self.height = width, height
        self.chars = [[" "] * width for _ in range(height)]
        self.styles = [["edge"] * width for _ in range(height)]
        self.masks = [[0] * width for _ in range(height)]
        self.heavy = [[False] * width for _ in range(height)]

    def put(self, x: int, y: int, text: str, style: str) -> None:
        for offset, char in enumerate(text):
            if 0 <= x + offset < self.width and 0 <= y < self.height:
                self.chars[y][x + offset] = char
                self.styles[y][x + offset] = style
                self.masks[y][x + offset] = -1  # a box cell: edges never draw over it

    def link(self, x: int, y: int, direction: int, heavy: bool) -> None:
        if 0 <= x < self.width and 0 <= y < self.height and self.masks[y][x] >= 0:
            self.masks[y][x] |= direction
            self.heavy[y][x] |= heavy
            glyphs = HEAVY if self.heavy[y][x] else LIGHT
            self.chars[y][x] = glyphs[self.masks[y][x]]
            self.styles[y][x] = "edge-active" if self.heavy[y][x] else "edge"

    def line(self, x0: int, y0: int, x1: int, y1: int, heavy: bool) -> None:
        """A straight horizontal or vertical run, each cell linked to its neighbours."""
        if y0 == y1:
            for x in range(min(x0, x1), max(x0, x1)):
                self.link(x, y0, RIGHT, heavy)
                self.link(x + 1, y0, LEFT, heavy)
        else:
            for y in range(min(y0, y1), max(y0, y1)):
                self.link(x0, y, DOWN, heavy)
                self.link(x0, y + 1, UP, heavy)

    def lines(self) -> tuple[tuple[tuple[str, str], ...], ...]:
        result = []
        for chars, styles in zip(self.chars, self.styles, strict=True):
            runs: list[tuple[str, str]] = []
            for char, style in zip(chars, styles, strict=True):
                if runs and runs[-1][1] == style:
                    runs[-1] = (runs[-1][0] + char, style)
                else:
                    runs.append((char, style))
            result.append(tuple(runs))
        return tuple(result)


def _route(canvas: _Canvas, child: tuple[int, int], parent: tuple[int, int], box: int,
           channel: int | None, heavy: bool) -> None:
    """An edge from the child's right side into the parent's left side, with an arrow head."""
    start_x, start_y = child[0] + box, child[1] + 1
    end_x, end_y = parent[0] - 1, parent[1] + 1
    bend = end_x - 1
    if channel is None:
        canvas.line(start_x, start_y, bend, start_y, heavy)
    else:  # skip a column: drop to the channel under the boxes, run along it, then climb
        out = start_x + 1
        canvas.line(start_x, start_y, out, start_y, heavy)
        canvas.line(out, start_y, out, channel, heavy)
        canvas.line(out, channel, bend, channel, heavy)
        start_y = channel
    canvas.line(bend, start_y, bend, end_y, heavy)
    canvas.line(bend, end_y, end_x, end_y, heavy)
    canvas.put(end_x, end_y, "▶" if heavy else "▷", "edge-active" if heavy else "edge")


def _box(canvas: _Canvas, node: DiagramNode, at: tuple[int, int], box: int, flash: bool, compact: bool,
         style: _Style, formulas: bool) -> None:
    """One node's box: the title in the top border, then its data and its grad (in the bottom
    border when compact). The box is wide enough for both numbers in full (see `_inner_need`)."""
    x, y = at
    kind = ("flash" if flash else "current" if node.state == "asked"
            else "constant" if node.state == "constant" else "normal")
    tl, h, tr, v, bl, br = tuple(BORDERS[kind])
    border = f"box-{kind}"
    inner = box - 2
    marker = ASKED_MARKER if node.state == "asked" else ""
    reserve = len(ASKED_MARKER)  # the same title whether asked or not, so boxes never jump
    if formulas and len(node.title) + reserve + 3 <= inner:
        top = h + f" {marker}{node.title} "
    elif len(node.name) + reserve + 3 <= inner:
        top = h + f" {marker}{node.name} "
    else:
        top = f"{marker}{node.name}"
    canvas.put(x, y, tl + top + h * (inner - len(top)) + tr, border)
    pad = " " * style.pad
    canvas.put(x, y + 1, v, border)
    value = (pad + _value_text(node, style.labelled)).ljust(inner)
    canvas.put(x + 1, y + 1, value, "value-flash" if flash else "value")
    canvas.put(x + box - 1, y + 1, v, border)
    grad = _grad_text(node, style.labelled, GLYPHS[node.state])
    if compact:
        text = f"{pad}{grad}{pad}" if grad else ""
        lead = h if style.pad and len(text) < inner else ""
        canvas.put(x, y + 2, bl + lead, border)
        canvas.put(x + 1 + len(lead), y + 2, text, f"grad-{node.state}")
        canvas.put(x + 1 + len(lead) + len(text), y + 2, h * (inner - len(lead) - len(text)) + br, border)
        return
    canvas.put(x, y + 2, v, border)
    canvas.put(x + 1, y + 2, (pad + grad).ljust(inner), f"grad-{node.state}")
    canvas.put(x + box - 1, y + 2, v, border)
    canvas.put(x, y + 3, bl + h * inner + br, border)
