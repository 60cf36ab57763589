"""Read what the app shows, as plain text, the way a learner would see it."""

from __future__ import annotations

import html
import re

from rich.cells import cell_len
from textual.app import App

# One run of text in Rich's SVG export: its x, its width, the line it is clipped to, its characters.
_TEXT_RUN = re.compile(r'<text class="[^"]*" x="([0-9.]+)" y="[0-9.]+" textLength="([0-9.]+)" '
                       r'clip-path="url\(#[^)]*-line-([0-9]+)\)">(.*?)</text>', re.DOTALL)


def screen_text(app: App) -> str:
    """Every line of the current screen, as the terminal would show it (no styles).

    Read from `App.export_screenshot()`, Textual's public picture of the screen: each run of text
    in the SVG names its line and its x, which says its column."""
    rows: dict[int, dict[int, str]] = {}
    for x, width, line, content in _TEXT_RUN.findall(app.export_screenshot()):
        text = html.unescape(content).replace("\xa0", " ")
        cells = cell_len(text)
        if not cells or text == "\n":
            continue
        column = round(float(x) / (float(width) / cells))
        rows.setdefault(int(line), {})[column] = text
    height = app.size.height
    lines = []
    for index in range(height):
        line = ""
        for column, text in sorted(rows.get(index, {}).items()):
            line = line.ljust(column) + text if cell_len(line) <= column else line + text
        lines.append(line.rstrip())
    return "\n".join(lines)
