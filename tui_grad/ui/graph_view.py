"""The computation graph widget: draws what `diagram.draw` lays out, in the theme's colours."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region, Size
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tui_grad.ui.diagram import Diagram, DiagramNode, changed_spans, draw

STYLES = ("box-normal", "box-current", "box-constant", "box-flash", "edge", "edge-active", "value",
          "value-flash", "grad-asked", "grad-found", "grad-shown", "grad-unknown", "grad-constant", "grad-given")


class GraphView(Widget):
    """Boxes for nodes and lines for edges; the asked node and the active edge are drawn heavy.

    The drawing is laid out for the widget's own width, so a resize lays it out again. A new state
    repaints only the cells that differ from the drawing on screen: an answer changes a box or
    two, and the terminal need not be sent the other lines again."""

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

    nodes: reactive[tuple[DiagramNode, ...]] = reactive((), repaint=False)
    """The boxes to draw, children before parents, the output last."""
    active_edge: reactive[tuple[str, str] | None] = reactive(None, repaint=False)
    """The (parent, child) edge the backward pass is crossing now, drawn heavy."""
    highlight: reactive[str | None] = reactive(None, repaint=False)
    """A node drawn with a double border: the one the forward pass just recomputed."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._drawn: tuple[tuple, Diagram] | None = None
        self._height = 0
        self._on_screen: tuple[int, Diagram] | None = None
        """The width and drawing last rendered, to repaint only what differs from it."""
        self._strips: dict[tuple, Strip] = {}
        """Each line drawn so far, by its runs and width: a line an answer leaves alone is not
        styled again."""
        self._styles: dict[str, Style] | None = None
        """The theme's style for each of the diagram's style names (None until asked for)."""

    def show(self, nodes: tuple[DiagramNode, ...], active_edge: tuple[str, str] | None,
             highlight: str | None) -> None:
        """Set the whole state at once, so that it is drawn and compared once, not once a field."""
        self.set_reactive(GraphView.nodes, nodes)
        self.set_reactive(GraphView.active_edge, active_edge)
        self.set_reactive(GraphView.highlight, highlight)
        self.repaint_changes()

    def diagram(self, width: int) -> Diagram:
        """The drawing for the current state at `width`, drawn once however often it is asked for."""
        key = (self.nodes, width, self.active_edge, self.highlight)
        if self._drawn is None or self._drawn[0] != key:
            self._drawn = (key, draw(list(self.nodes), width, self.active_edge, self.highlight))
        return self._drawn[1]

    def watch_nodes(self) -> None:
        self.repaint_changes()

    def watch_active_edge(self) -> None:
        self.repaint_changes()

    def watch_highlight(self) -> None:
        self.repaint_changes()

    def repaint_changes(self) -> None:
        """Lay the screen out again only when the graph's height changes, and repaint only the
        cells that differ from the drawing on screen (all of it after a resize)."""
        width = self.size.width or 80
        diagram = self.diagram(width)
        height = len(diagram.lines) + len(diagram.legend) if self.nodes else 0
        before = self._on_screen
        if height != self._height:
            self._height = height
            self.refresh(layout=True)
        elif before is None or before[0] != width:
            self.refresh()
        else:
            regions = [Region(x, y, width - x if columns is None else columns, 1)
                       for y, x, columns in changed_spans(before[1], diagram)]
            if regions:
                self.refresh(*regions)

    def render_line(self, y: int) -> Strip:
        """Line `y` of the drawing (then of its legend), styled once and kept: Textual asks only for
        the lines a repaint covers."""
        width = self.size.width or 80
        if not self.nodes:
            self._on_screen = None
            return Strip.blank(width, self.rich_style)
        diagram = self.diagram(width)
        self._on_screen = (width, diagram)
        rows = len(diagram.lines)
        runs = diagram.lines[y] if y < rows else ((diagram.legend[y - rows], "legend"),) if y - rows < len(
            diagram.legend) else ()
        key = (runs, width)
        strip = self._strips.get(key)
        if strip is None:
            styles = self.component_styles()
            segments = [Segment(run, styles.get(style)) for run, style in runs]
            strip = Strip(segments).crop_extend(0, width, self.rich_style)
            if len(self._strips) > 200:  # lines of states long gone
                self._strips.clear()
            self._strips[key] = strip
        return strip

    def render(self) -> Text:
        """The whole drawing as one Text, as a screenshot or a test reads it."""
        if not self.nodes:
            return Text("")
        diagram = self.diagram(self.size.width or 80)
        styles = self.component_styles()
        text = Text(no_wrap=True, overflow="crop")
        for number, line in enumerate(diagram.lines):
            if number:
                text.append("\n")
            for run, style in line:
                text.append(run, styles.get(style))
        for legend_line in diagram.legend:
            text.append("\n")
            text.append(legend_line, styles["legend"])
        return text

    def component_styles(self) -> dict[str, Style]:
        """The theme's style for each style name the diagram uses ("legend" for its legend)."""
        if self._styles is None:
            styles = {name: self.get_component_rich_style(f"graph--{name}") for name in STYLES}
            self._styles = {**styles, "legend": styles["grad-unknown"]}
        return self._styles

    def notify_style_update(self) -> None:
        """A new theme or stylesheet: style every line again."""
        super().notify_style_update()
        self._styles = None
        self._strips.clear()

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        if not self.nodes:
            return 0
        diagram = self.diagram(width or 80)
        return len(diagram.lines) + len(diagram.legend)
