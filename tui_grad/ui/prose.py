"""Lesson prose: the Markdown instructors write, turned into styled text for a Static.

Lessons use a small part of Markdown: headings, paragraphs, `-` and `1.` lists, indented
formulas, **bold**, *italic* and `code`. Drawing that needs no Markdown parser: Textual's
Markdown widget and Rich's renderer each cost megabytes and tens of milliseconds to load, and a
lab server runs one tutor per learner (docs/performance.md). Anything else reads as plain text.
"""

from __future__ import annotations

import re

from textual.content import Content
from textual.css.styles import RulesMap
from textual.strip import Strip
from textual.style import Style
from textual.visual import RenderOptions, Visual

_INLINE = re.compile(r"\*\*(.+?)\*\*|`([^`]+)`|(?<![\w*])\*(?!\s)([^*]+?)\*(?![\w*])|(?<!\w)_(?!\s)([^_]+?)_(?!\w)")
_ITEM = re.compile(r"(\s*)([-*+]|\d+[.)])\s+(.*)")
_STYLES = ("bold", "$text-accent", "italic", "italic")


def inline(text: str, style: str = "") -> list[tuple[str, str]]:
    """Runs of text with their styles, for **bold**, `code` and *italic* (or _italic_)."""
    runs: list[tuple[str, str]] = []
    position = 0
    for match in _INLINE.finditer(text):
        if match.start() > position:
            runs.append((text[position:match.start()], style))
        group = next(index for index in range(4) if match.group(index + 1) is not None)
        runs.append((match.group(group + 1), f"{style} {_STYLES[group]}".strip()))
        position = match.end()
    if position < len(text):
        runs.append((text[position:], style))
    return runs


def blocks(markdown: str) -> list[list[str]]:
    """The text's blocks: runs of lines between blank lines."""
    result: list[list[str]] = [[]]
    for line in markdown.strip("\n").splitlines():
        if line.strip():
            result[-1].append(line.rstrip())
        elif result[-1]:
            result.append([])
    return [block for block in result if block]


def prose(markdown: str) -> Content:
    """The Markdown as styled text: a blank line between blocks, lists one item a line."""
    parts: list[tuple[str, str]] = []
    for index, block in enumerate(blocks(markdown)):
        if index:
            parts.append(("\n\n", ""))
        first = block[0]
        if first.startswith("#"):
            level = len(first) - len(first.lstrip("#"))
            parts.extend(inline(first[level:].strip(), "bold $text-accent" if level == 1 else "bold"))
            rest = block[1:]
            if rest:
                parts.append(("\n", ""))
                parts.extend(inline(" ".join(line.strip() for line in rest)))
        elif all(line.startswith(("    ", "\t")) for line in block):
            parts.append(("\n".join("  " + line.strip() for line in block), "$text-accent"))
        elif _ITEM.match(first):
            parts.extend(_list(block))
        else:
            parts.extend(inline(" ".join(line.strip() for line in block)))
    return Content.assemble(*parts)


def _list(block: list[str]) -> list[tuple[str, str]]:
    """A list block: each item on its own line, its continuation lines joined to it."""
    items: list[tuple[str, str]] = []  # (marker, text)
    for line in block:
        match = _ITEM.match(line)
        if match:
            marker = "•" if match.group(2) in "-*+" else match.group(2)
            items.append((marker, match.group(3).strip()))
        elif items:
            items[-1] = (items[-1][0], f"{items[-1][1]} {line.strip()}")
        else:
            items.append(("", line.strip()))
    parts: list[tuple[str, str]] = []
    for number, (marker, text) in enumerate(items):
        if number:
            parts.append(("\n", ""))
        parts.append((f"  {marker} " if marker else "  ", "$text-accent"))
        parts.extend(inline(text))
    return parts


_MARKER = re.compile(r"\s*(?:•|\d+[.)]) ")


class HangingIndent(Visual):
    """Content whose list items (`  • `, `  1. `) wrap under their own text, not under the marker:
    wrapped by the widget alone, a long item's second line began at the left edge, a lone "and" at
    column 0 under lesson 4's numbered steps. Laid out anew for each width it is drawn at."""

    def __init__(self, content: Content) -> None:
        self.content = content
        self._laid_out: tuple[int, Content] | None = None

    def __str__(self) -> str:
        return self.content.plain

    @property
    def plain(self) -> str:
        """The text without styles, as the content's."""
        return self.content.plain

    def at_width(self, width: int) -> Content:
        """The content with each list item that is wider than `width` wrapped under its text."""
        if self._laid_out is not None and self._laid_out[0] == width:
            return self._laid_out[1]
        rows: list[Content] = []
        for row in self.content.split("\n", allow_blank=True):
            marker = _MARKER.match(row.plain)
            indent = marker.end() if marker else 0
            if marker is None or row.cell_length <= width or width - indent < 12:
                rows.append(row)
                continue
            head, body = row.divide([indent])
            wrapped = body.wrap(width - indent)
            rows.append(head + wrapped[0].rstrip())
            rows.extend(line.rstrip().pad_left(indent) for line in wrapped[1:])
        laid_out = Content("\n").join(rows)
        self._laid_out = (width, laid_out)
        return laid_out

    def render_strips(self, width: int, height: int | None, style: Style, options: RenderOptions) -> list[Strip]:
        return self.at_width(width).render_strips(width, height, style, options)

    def get_optimal_width(self, rules: RulesMap, container_width: int) -> int:
        return self.content.get_optimal_width(rules, container_width)

    def get_minimal_width(self, rules: RulesMap) -> int:
        return self.content.get_minimal_width(rules)

    def get_height(self, rules: RulesMap, width: int) -> int:
        return self.at_width(width).get_height(rules, width)
