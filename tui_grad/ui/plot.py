"""Character-grid drawings for the training screen: a loss curve, a line fitted to points, a loss
landscape for one parameter, and a classifier's decision boundary.

Pure Python with no textual or rich import, so every picture can be unit-tested as plain text.
A `Canvas` holds one character and one role ("axis", "curve", "point-plus", ...) per cell; the
screen maps roles to theme styles. Every role has its own glyph, so a picture reads the same
without colour. Curves are drawn with braille dots: two columns and four rows of dots per cell.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

PLUS_POINT, MINUS_POINT = "●", "○"
"""Data points of class +1 and class -1 on the decision-boundary picture."""
PLUS_REGION, MINUS_REGION = "·", " "
"""Where the network predicts +1 (dotted) and -1 (blank)."""
POINT, BALL, TRAIL = "●", "●", "•"
_BRAILLE_BASE = 0x2800
_BRAILLE_BITS = ((0x01, 0x08), (0x02, 0x10), (0x04, 0x20), (0x40, 0x80))  # [row][column] in a cell


@dataclass
class Canvas:
    """A width x height grid of (character, role) cells; role "" is plain background."""

    width: int
    height: int
    cells: list[list[tuple[str, str]]] = field(init=False)
    dots: dict[tuple[int, int], tuple[int, str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.width, self.height = max(self.width, 1), max(self.height, 1)
        self.cells = [[(" ", "")] * self.width for _ in range(self.height)]

    def put(self, column: int, row: int, char: str, role: str = "") -> None:
        """Set one cell; anything outside the grid is ignored."""
        if 0 <= column < self.width and 0 <= row < self.height:
            self.cells[row][column] = (char, role)

    def write(self, column: int, row: int, text: str, role: str = "") -> None:
        """Write text from (column, row) rightwards, clipped at the edge."""
        for offset, char in enumerate(text):
            self.put(column + offset, row, char, role)

    def dot(self, x: int, y: int, role: str) -> None:
        """Set one braille dot at dot coordinates (two per column, four per row)."""
        column, row = x // 2, y // 4
        if 0 <= column < self.width and 0 <= row < self.height and x >= 0 and y >= 0:
            bits, _ = self.dots.get((column, row), (0, role))
            self.dots[(column, row)] = (bits | _BRAILLE_BITS[y % 4][x % 2], role)

    def segment(self, x0: int, y0: int, x1: int, y1: int, role: str,
                clip: tuple[int, int, int, int] | None = None) -> None:
        """A straight run of braille dots from one dot to another (Bresenham's line), keeping only
        the dots inside `clip` = (left, top, right, bottom) in dot coordinates, if given."""
        left, top, right, bottom = clip or (0, 0, self.width * 2 - 1, self.height * 4 - 1)
        dx, dy = abs(x1 - x0), -abs(y1 - y0)
        step_x, step_y = (1 if x0 < x1 else -1), (1 if y0 < y1 else -1)
        error = dx + dy
        for _ in range(dx - dy + 1):
            if left <= x0 <= right and top <= y0 <= bottom:
                self.dot(x0, y0, role)
            if x0 == x1 and y0 == y1:
                break
            doubled = 2 * error
            if doubled >= dy:
                error += dy
                x0 += step_x
            if doubled <= dx:
                error += dx
                y0 += step_y

    def flush_dots(self) -> None:
        """Turn the braille dots into characters, under whatever was written on top of them later."""
        for (column, row), (bits, role) in self.dots.items():
            if self.cells[row][column][1] in ("", "grid"):
                self.cells[row][column] = (chr(_BRAILLE_BASE + bits), role)
        self.dots.clear()

    def lines(self) -> list[str]:
        """The picture as plain text, one string per row."""
        self.flush_dots()
        return ["".join(char for char, _ in row) for row in self.cells]

    def runs(self) -> list[list[tuple[str, str]]]:
        """Each row as runs of (text, role), neighbouring cells of one role merged: ready to style."""
        self.flush_dots()
        result = []
        for row in self.cells:
            merged: list[tuple[str, str]] = []
            for char, role in row:
                if merged and merged[-1][1] == role:
                    merged[-1] = (merged[-1][0] + char, role)
                else:
                    merged.append((char, role))
            result.append(merged)
        return result


def tick(value: float) -> str:
    """An axis label in at most six characters: `56`, `0.25`, `1.2k`, `3e-5`."""
    if value == 0 or not math.isfinite(value):
        return "0" if value == 0 else "?"
    size = abs(value)
    if size >= 1e4:
        return f"{value / 1e3:.0f}k" if size < 1e6 else f"{value:.0e}".replace("e+0", "e").replace("e+", "e")
    if size >= 100:
        return f"{value:.0f}"
    if size >= 1e-3:
        text = f"{value:.3g}"
        return text if len(text) <= 6 else f"{value:.2g}"
    return f"{value:.0e}".replace("e-0", "e-")


class Frame:
    """A plotting area inside a canvas with labelled axes: maps data (x, y) to braille dots."""

    def __init__(self, canvas: Canvas, x_range: tuple[float, float], y_range: tuple[float, float],
                 x_name: str = "", y_labels: Sequence[float] | None = None, log_y: bool = False) -> None:
        self.canvas, self.log_y = canvas, log_y
        self.x_min, self.x_max = _widen(*x_range)
        low, high = y_range
        if log_y:
            low, high = math.log10(max(low, 1e-300)), math.log10(max(high, 1e-300))
        self.y_min, self.y_max = _widen(low, high)
        labels = [self.y_max, (self.y_min + self.y_max) / 2, self.y_min] if y_labels is None else list(y_labels)
        texts = [tick(10 ** v if log_y else v) for v in labels]
        self.left = max(len(text) for text in texts) + 1
        self.top, self.bottom = 0, canvas.height - 3  # last plot row; then the axis and its labels
        self.columns, self.rows = canvas.width - self.left, self.bottom - self.top + 1
        for value, text in zip(labels, texts, strict=True):
            row = self.row_of(10 ** value if log_y else value)
            canvas.write(self.left - 1 - len(text), row, text, "label")
            canvas.put(self.left - 1, row, "┤", "axis")
        for row in range(self.top, self.bottom + 1):
            if canvas.cells[row][self.left - 1][1] != "axis":
                canvas.put(self.left - 1, row, "│", "axis")
        canvas.put(self.left - 1, self.bottom + 1, "└", "axis")
        canvas.write(self.left, self.bottom + 1, "─" * self.columns, "axis")
        low_text, high_text = tick(self.x_min), tick(self.x_max)
        canvas.write(self.left, self.bottom + 2, low_text, "label")
        canvas.write(canvas.width - len(high_text), self.bottom + 2, high_text, "label")
        if x_name:
            canvas.write(self.left + (self.columns - len(x_name)) // 2, self.bottom + 2, x_name, "label")

    def dot_x(self, x: float) -> int:
        span = self.x_max - self.x_min
        return self.left * 2 + round((x - self.x_min) / span * (self.columns * 2 - 1))

    def dot_y(self, y: float) -> int:
        if self.log_y:
            y = math.log10(max(y, 1e-300))
        span = self.y_max - self.y_min
        return round((self.y_max - y) / span * (self.rows * 4 - 1))

    def column_of(self, x: float) -> int:
        return self.dot_x(x) // 2

    def row_of(self, y: float) -> int:
        return self.dot_y(y) // 4

    def inside(self, x: float, y: float) -> bool:
        return self.x_min <= x <= self.x_max and (self.y_min <= (math.log10(max(y, 1e-300)) if self.log_y else y)
                                                  <= self.y_max)

    def curve(self, xs: Sequence[float], ys: Sequence[float | None], role: str = "curve") -> None:
        """Join the points in order with braille lines, clipped to the frame."""
        limit = (self.rows * 4 - 1)
        previous = None
        for x, y in zip(xs, ys, strict=True):
            if y is None or not math.isfinite(y):
                previous = None
                continue
            point = (self.dot_x(x), max(-4, min(self.dot_y(y), limit + 4)))
            if previous is not None:
                self.segment(previous, point, role)
            previous = point
        if previous is not None:
            self.segment(previous, previous, role)

    def segment(self, start: tuple[int, int], end: tuple[int, int], role: str) -> None:
        """A braille line between two dots, clipped to the plotting area."""
        clip = (self.left * 2, self.top * 4, (self.left + self.columns) * 2 - 1, (self.bottom + 1) * 4 - 1)
        self.canvas.segment(*start, *end, role, clip=clip)

    def mark(self, x: float, y: float, char: str, role: str) -> None:
        """Put a character at the cell holding (x, y), if it is inside the frame."""
        if self.inside(x, y):
            self.canvas.put(self.column_of(x), self.row_of(y), char, role)


def _widen(low: float, high: float) -> tuple[float, float]:
    """A range that is never empty."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return 0.0, 1.0
    if high - low < 1e-12:
        pad = max(abs(low) * 0.1, 1e-6)
        return low - pad, high + pad
    return low, high


# --- the four pictures -------------------------------------------------------------------------


def loss_curve(losses: Sequence[float], total_steps: int, width: int, height: int,
               log_scale: bool = False) -> Canvas:
    """The loss after each step so far (index = step), over an x axis running to `total_steps`.

    Linear from 0 to the highest loss seen, or, with `log_scale`, a decade scale that shows the
    slow last stretch of training as well as the first fall.
    """
    canvas = Canvas(width, height)
    finite = [loss for loss in losses if math.isfinite(loss)]
    if not finite:
        Frame(canvas, (0, max(total_steps, 1)), (0, 1), "step")
        return canvas
    high = max(finite)
    if log_scale:
        positive = [loss for loss in finite if loss > 0] or [1e-12]
        low = 10 ** math.floor(math.log10(min(positive)))
        high = 10 ** math.ceil(math.log10(max(max(positive), low * 10)))
        frame = Frame(canvas, (0, max(total_steps, 1)), (low, high), "step", log_y=True,
                      y_labels=_decades(low, high))
    else:
        frame = Frame(canvas, (0, max(total_steps, 1)), (min(0.0, min(finite)), high or 1.0), "step")
    frame.curve(range(len(losses)), [max(loss, 1e-300) if log_scale else loss for loss in losses])
    return canvas


def _decades(low: float, high: float) -> list[float]:
    """Log-scale labels: the top and bottom decades and one between (as exponents of ten)."""
    top, bottom = math.log10(high), math.log10(low)
    return [top, round((top + bottom) / 2), bottom]


def line_fit(points: Sequence[tuple[float, float]], slope: float, intercept: float, width: int, height: int
             ) -> Canvas:
    """The data points, the line y = slope·x + intercept through the frame, and each point's error
    drawn as a dotted stroke between the point and the line."""
    canvas = Canvas(width, height)
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x_low, x_high = min(0.0, min(xs)), max(xs)
    pad = (x_high - x_low) * 0.1 or 1.0
    x_range = (x_low, x_high + pad)
    y_low, y_high = min(0.0, min(ys)), max(ys)
    y_range = (y_low, y_high + (y_high - y_low) * 0.15 or 1.0)
    frame = Frame(canvas, x_range, y_range, "x")
    for x, y in points:  # errors first, so the line and points are drawn over them
        on_line = slope * x + intercept
        column = frame.column_of(x)
        top, bottom = sorted((frame.row_of(max(min(y, frame.y_max), frame.y_min)),
                              frame.row_of(max(min(on_line, frame.y_max), frame.y_min))))
        for row in range(top + 1, bottom):
            canvas.put(column, row, "┊", "error")
    samples = [x_range[0] + (x_range[1] - x_range[0]) * i / (frame.columns * 2) for i in range(frame.columns * 2 + 1)]
    frame.curve(samples, [slope * x + intercept for x in samples], "line")
    for x, y in points:
        frame.mark(x, y, POINT, "point")
    return canvas


def landscape(losses: Sequence[tuple[float, float | None]], trail: Sequence[tuple[float, float]],
              name: str, width: int, height: int) -> Canvas:
    """The loss as a function of one parameter (sampled pairs), the values it took so far as dots,
    and where it is now as a ball: gradient descent rolling downhill."""
    canvas = Canvas(width, height)
    values = [loss for _, loss in losses if loss is not None and math.isfinite(loss)]
    values += [loss for _, loss in trail]
    x_range = (min(x for x, _ in losses), max(x for x, _ in losses))
    frame = Frame(canvas, x_range, (min(0.0, min(values)), max(values) * 1.05 or 1.0), name)
    frame.curve([x for x, _ in losses], [loss for _, loss in losses], "curve")
    for x, loss in trail[:-1]:
        frame.mark(x, loss, TRAIL, "trail")
    if trail:
        frame.mark(*trail[-1], BALL, "ball")
    return canvas


def boundary(scores: Sequence[Sequence[float]], points: Sequence[tuple[float, float]], labels: Sequence[int],
             bounds: tuple[float, float, float, float]) -> Canvas:
    """The plane shaded by the sign of a classifier's score (one score per cell, top row first), with
    the data on top: class +1 as ●, class -1 as ○; the +1 region dotted, the -1 region blank."""
    rows, columns = len(scores), len(scores[0]) if scores else 0
    canvas = Canvas(columns, rows)
    for row, line in enumerate(scores):
        for column, score in enumerate(line):
            canvas.put(column, row, *((PLUS_REGION, "region-plus") if score > 0 else (MINUS_REGION, "region-minus")))
    x_min, x_max, y_min, y_max = bounds
    for (x, y), label in zip(points, labels, strict=True):
        column = min(int((x - x_min) / (x_max - x_min) * columns), columns - 1)
        row = min(int((y_max - y) / (y_max - y_min) * rows), rows - 1)
        if 0 <= column < columns and 0 <= row < rows:
            predicted_plus = scores[row][column] > 0
            glyph = PLUS_POINT if label > 0 else MINUS_POINT
            right = "right" if predicted_plus == (label > 0) else "wrong"
            canvas.put(column, row, glyph, f"point-{'plus' if label > 0 else 'minus'}-{right}")
    return canvas


def fit_grid(scores: Sequence[Sequence[float]], width: int, height: int) -> list[list[float]]:
    """A grid of scores stretched or shrunk to `width` x `height` cells (nearest cell), so a picture
    scored at one size fills a view of another until it is scored again."""
    rows, columns = len(scores), len(scores[0]) if scores else 0
    if not rows or not columns or (rows, columns) == (height, width):
        return [list(row) for row in scores]
    return [[scores[min(row * rows // height, rows - 1)][min(column * columns // width, columns - 1)]
             for column in range(width)] for row in range(height)]
