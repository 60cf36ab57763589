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


def relative_luminance(red: int, green: int, blue: int) -> float:
    """WCAG's relative luminance of an sRGB colour."""
    def linear(channel: int) -> float:
        value = channel / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: tuple[int, int, int], second: tuple[int, int, int]) -> float:
    """WCAG's contrast ratio of two colours: 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((relative_luminance(*first), relative_luminance(*second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def faint_text(app: App, minimum: float) -> list[str]:
    """Every run of letters or digits on the current screen drawn in a colour too close to the colour
    behind it (contrast below `minimum`), as 'row N: text (fg on bg, ratio)'.

    The colours are those of the cells the terminal is sent, after Textual's filters (NO_COLOR's
    among them). The terminal's default colours on each other read as the terminal reads; a
    default colour against a set one is taken as the app's terminal theme paints it."""
    terminal = app.ansi_theme
    faint: list[str] = []
    for row, strip in enumerate(app.screen._compositor.render_strips()):
        for segment in strip:
            style = segment.style
            if style is None or not any(character.isalnum() for character in segment.text):
                continue
            fore, back = style.color, style.bgcolor
            if style.reverse:
                fore, back = back, fore
            if (fore is None or fore.is_default) and (back is None or back.is_default):
                continue
            fore_rgb = (terminal.foreground_color if fore is None or fore.is_default
                        else fore.get_truecolor(terminal))
            back_rgb = (terminal.background_color if back is None or back.is_default
                        else back.get_truecolor(terminal))
            ratio = contrast(tuple(fore_rgb), tuple(back_rgb))
            if ratio < minimum:
                faint.append(f"row {row}: {segment.text.strip()!r} ({fore_rgb.hex} on {back_rgb.hex}, {ratio:.2f})")
    return faint
