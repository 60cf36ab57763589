"""A picture from `tui_grad.ui.plot` in a bordered widget, coloured by role with theme variables."""

from __future__ import annotations

from collections.abc import Callable

from textual.content import Content
from textual.widget import Widget

from tui_grad.ui import plot

ROLE_STYLES = {
    "label": "$foreground-muted", "axis": "$foreground-muted", "curve": "$accent", "line": "$primary",
    "point": "bold $text-warning", "error": "$text-error", "trail": "$foreground-muted", "ball": "bold $text-warning",
    "region-plus": "$primary on $primary 20%", "region-minus": "on $warning 10%",
    "point-plus-right": "bold $primary on $primary 20%", "point-plus-wrong": "bold $primary on $warning 10%",
    "point-minus-right": "bold $warning on $warning 10%", "point-minus-wrong": "bold $warning on $primary 20%",
}

class PlotView(Widget):
    """A bordered picture redrawn from a painter `(width, height) -> Canvas` at its current size."""

    DEFAULT_CSS = "PlotView { height: 1fr; width: 1fr; }"

    def __init__(self, title: str, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = title
        self.painter: Callable[[int, int], plot.Canvas] | None = None

    def paint(self, painter: Callable[[int, int], plot.Canvas]) -> None:
        """Draw with this painter now (and again whenever the view is resized)."""
        self.painter = painter
        self.refresh()

    def render(self) -> Content:
        width, height = self.content_size
        if self.painter is None or width < 4 or height < 4:
            return Content("")
        rows = self.painter(width, height).runs()
        return Content("\n").join(Content.assemble(*((text, ROLE_STYLES.get(role, "")) for text, role in row))
                                  for row in rows)

    def text(self) -> str:
        """The picture as plain text, as a learner without colour sees it."""
        width, height = self.content_size
        return "\n".join(self.painter(width, height).lines()) if self.painter else ""
