"""Draw a computation graph as boxes and edges on a character grid (pure: no Textual, no Rich).

Nodes are laid out in columns by their distance from the output (leaves left, output right), so
every leaf sits next to the node that uses it. Each cell carries a style name; the widget turns
those into theme colours, and every state also has a glyph, so nothing rests on colour alone.
"""

from __future__ import annotations

from dataclasses import dataclass

UP, DOWN, LEFT, RIGHT = 1, 2, 4, 8
LIGHT = {LEFT | RIGHT: "─", UP | DOWN: "│", DOWN | RIGHT: "┌", DOWN | LEFT: "┐", UP | RIGHT: "└",
         UP | LEFT: "┘", UP | DOWN | RIGHT: "├", UP | DOWN | LEFT: "┤", DOWN | LEFT | RIGHT: "┬",
         UP | LEFT | RIGHT: "┴", UP | DOWN | LEFT | RIGHT: "┼", LEFT: "─", RIGHT: "─", UP: "│", DOWN: "│"}
HEAVY = {mask: glyph for mask, glyph in zip(LIGHT, "━┃┏┓┗┛┣┫┳┻╋━━┃┃")}
BORDERS = {"normal": "╭─╮│╰╯", "current": "┏━┓┃┗┛", "constant": "┌┄┐┆└┘", "flash": "╔═╗║╚╝"}
GLYPHS = {"asked": "▶", "found": "✓", "shown": "~", "unknown": "?", "constant": "", "flash": "•", "given": "="}
LEGEND = "▶ asked now   ✓ found by you   ~ shown to you   ? not found yet   = given"
MIN_BOX, MAX_BOX, MIN_GAP = 12, 18, 4


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
    """A drawn graph: lines of (text, style) runs, and the size it needs."""

    lines: tuple[tuple[tuple[str, str], ...], ...]
    width: int
    fits: bool


def draw(nodes: list[DiagramNode], width: int, active_edge: tuple[str, str] | None = None,
         highlight: str | None = None) -> Diagram:
    """Lay out and draw `nodes` (children before parents, output last) within `width` columns.

    Constants get no box of their own: the formula in their parent's title already shows them."""
    constants = {node.name for node in nodes if node.state == "constant"}
    if constants:
        nodes = [DiagramNode(node.name, node.title, tuple(c for c in node.children if c not in constants),
                             node.value, node.grad, node.state) for node in nodes if node.name not in constants]
    columns = _columns(nodes)
    count = len(columns)
    box = max(MIN_BOX, min(MAX_BOX, (width - MIN_GAP * (count - 1)) // max(count, 1)))
    gap = max(MIN_GAP, (width - box * count) // max(count - 1, 1)) if count > 1 else 0
    needed = box * count + gap * (count - 1)
    tallest = max(len(column) for column in columns)
    compact = tallest >= 3  # a tall graph: the grad moves into the bottom border, boxes touch
    box_height, spacing = (3, 0 if tallest >= 4 else 1) if compact else (4, 1)
    height = tallest * box_height + (tallest - 1) * spacing
    skip = _has_skip_edges(nodes, columns)
    canvas = _Canvas(max(needed, 1), height + (2 if skip else 0))
    place: dict[str, tuple[int, int]] = {}
    for index, column in enumerate(columns):
        top = (height - (len(column) * box_height + (len(column) - 1) * spacing)) // 2
        for row, name in enumerate(column):
            place[name] = (index * (box + gap), top + row * (box_height + spacing))
    column_of = {name: index for index, column in enumerate(columns) for name in column}
    for node in nodes:
        for child in dict.fromkeys(node.children):
            heavy = active_edge == (node.name, child)
            skips = column_of[node.name] - column_of[child] > 1
            _route(canvas, place[child], place[node.name], box, height + 1 if skips else None, heavy)
            uses = node.children.count(child)
            if uses > 1:  # b = a + a: one line, but two paths to count
                x, y = place[child]
                canvas.put(x + box + 1, y + 1, f"×{uses}", "edge-active" if heavy else "edge")
    for node in nodes:
        _box(canvas, node, place[node.name], box, node.name == highlight, compact)
    return Diagram(canvas.lines(), needed, needed <= width)


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


def _has_skip_edges(nodes: list[DiagramNode], columns: list[list[str]]) -> bool:
    column_of = {name: index for index, column in enumerate(columns) for name in column}
    return any(column_of[n.name] - column_of[c] > 1 for n in nodes for c in n.children)


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
        for chars, styles in zip(self.chars, self.styles):
            runs: list[tuple[str, str]] = []
            for char, style in zip(chars, styles):
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


def _box(canvas: _Canvas, node: DiagramNode, at: tuple[int, int], box: int, flash: bool,
         compact: bool = False) -> None:
    """One node's box: the title in the top border, then its data and its grad (in the bottom
    border when compact)."""
    x, y = at
    kind = "flash" if flash else "current" if node.state == "asked" else "constant" if node.state == "constant" else "normal"
    tl, h, tr, v, bl, br = BORDERS[kind]
    style = f"box-{kind}"
    inner = box - 2
    marker = "▶ " if node.state == "asked" else ""
    title = _fit(f" {marker}{node.title} ", inner - 1)
    canvas.put(x, y, tl + h + title + h * (inner - 1 - len(title)) + tr, style)
    canvas.put(x, y + 1, v, style)
    value = _fit_number(node.value, inner - len(" data "))
    canvas.put(x + 1, y + 1, _fit(f" data {value}", inner).ljust(inner), "value-flash" if flash else "value")
    canvas.put(x + box - 1, y + 1, v, style)
    glyph = GLYPHS[node.state]
    grad_text = _fit_number(node.grad, inner - len(" grad ? ") - (2 if compact else 0))
    grad = "" if node.state == "constant" else f" grad {glyph} {grad_text}" if node.grad else f" grad {glyph}"
    if compact:
        grad = _fit(f"{grad} ", inner - 1) if grad else ""
        canvas.put(x, y + 2, bl + h, style)
        canvas.put(x + 2, y + 2, grad, f"grad-{node.state}")
        canvas.put(x + 2 + len(grad), y + 2, h * (inner - 1 - len(grad)) + br, style)
        return
    canvas.put(x, y + 2, v, style)
    canvas.put(x + 1, y + 2, _fit(grad, inner).ljust(inner), f"grad-{node.state}")
    canvas.put(x + box - 1, y + 2, v, style)
    canvas.put(x, y + 3, bl + h * inner + br, style)


def _fit_number(text: str, width: int) -> str:
    """A number written to fit `width`, rounded to fewer significant digits if need be."""
    try:
        number = float(text)
    except ValueError:
        return text
    for digits in (6, 5, 4, 3, 2):
        if len(text) <= width:
            break
        text = f"{number:.{digits}g}"
    return text


def _fit(text: str, width: int) -> str:
    """Cut text to width, marking the cut with an ellipsis."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"
