"""The computation graph widget: draws what `diagram.draw` lays out, in the theme's colours."""

from __future__ import annotations

from rich.text import Text
from textual.geometry import Size
from textual.reactive import reactive
from textual.widget import Widget

from tui_grad.ui.diagram import Diagram, DiagramNode, draw

STYLES = ("box-normal", "box-current", "box-constant", "box-flash", "edge", "edge-active", "value",
          "value-flash", "grad-asked", "grad-found", "grad-shown", "grad-unknown", "grad-constant", "grad-given")


class GraphView(Widget):
    """Boxes for nodes and lines for edges; the asked node and the active edge are drawn heavy.

    The drawing is laid out for the widget's own width, so a resize lays it out again."""

    COMPONENT_CLASSES = {f"graph--{name}" for name in STYLES}
    DEFAULT_CSS = """
    GraphView { height: auto; width: 1fr; }
    GraphView > .graph--box-normal { color: $foreground-muted; }
    GraphView > .graph--box-current { color: $text-accent; text-style: bold; }
    GraphView > .graph--box-constant { color: $text-disabled; }
    GraphView > .graph--box-flash { color: $text-warning; text-style: bold; }
    GraphView > .graph--edge { color: $foreground-muted; }
    GraphView > .graph--edge-active { color: $text-warning; text-style: bold; }
    GraphView > .graph--value { color: $foreground; }
    GraphView > .graph--value-flash { color: $text-warning; text-style: bold; }
    GraphView > .graph--grad-asked { color: $text-accent; text-style: bold; }
    GraphView > .graph--grad-found { color: $text-success; }
    GraphView > .graph--grad-shown { color: $text-warning; }
    GraphView > .graph--grad-unknown { color: $foreground-muted; }
    GraphView > .graph--grad-constant { color: $text-disabled; }
    GraphView > .graph--grad-given { color: $foreground; }
    """

    nodes: reactive[tuple[DiagramNode, ...]] = reactive(())
    """The boxes to draw, children before parents, the output last."""
    active_edge: reactive[tuple[str, str] | None] = reactive(None)
    """The (parent, child) edge the backward pass is crossing now, drawn heavy."""
    highlight: reactive[str | None] = reactive(None)
    """A node drawn with a double border: the one the forward pass just recomputed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn: tuple[tuple, Diagram] | None = None
        self._height = 0

    def diagram(self, width: int) -> Diagram:
        """The drawing for the current state at `width`, drawn once however often it is asked for."""
        key = (self.nodes, width, self.active_edge, self.highlight)
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, draw(list(self.nodes), width, self.active_edge, self.highlight))
        return self._drawn[1]

    def watch_nodes(self) -> None:
        """Lay the screen out again only when the graph's height changes, not on every new number."""
        diagram = self.diagram(self.size.width or 80)
        height = len(diagram.lines) + len(diagram.legend) if self.nodes else 0
        if height != self._height:
            self._height = height
            self.refresh(layout=True)

    def render(self) -> Text:
        if not self.nodes:
            return Text("")
        diagram = self.diagram(self.size.width or 80)
        styles = {name: self.get_component_rich_style(f"graph--{name}") for name in STYLES}
        text = Text(no_wrap=True, overflow="crop")
        for number, line in enumerate(diagram.lines):
            if number:
                text.append("\n")
            for run, style in line:
                text.append(run, styles.get(style))
        for legend_line in diagram.legend:
            text.append("\n")
            text.append(legend_line, styles["grad-unknown"])
        return text

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.nodes:
            return 0
        diagram = self.diagram(width or 80)
        return len(diagram.lines) + len(diagram.legend)
