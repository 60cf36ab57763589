"""What the exercise screen shows above the status line while a part asks its questions: the graph
of boxes, or, for a part whose flow draws no graph, the two lines of its `picture` (a slope's
function and point). A board only paints what the session says; it never asks which kind it shows.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from tui_grad.core.flow import LessonSession
from tui_grad.core.kinds.base import PartFlow
from tui_grad.core.views import NodeView
from tui_grad.ui.diagram import DiagramNode
from tui_grad.ui.graph_view import GraphView

DIAGRAM_STATES = {"engine": "given", "hidden": "unknown"}
"""Core box states the diagram draws like another: the replay's numbers as given, a gradient
not to give away as not yet known."""


class GraphBoard(VerticalScroll):
    """The part's graph: each box's value and gradient as the session shows them, the replay's edge."""

    def __init__(self) -> None:
        super().__init__(id="graph-area", can_focus=False)

    def compose(self) -> ComposeResult:
        """The graph's view, filled by `show`."""
        yield GraphView(id="graph")

    def show(self, session: LessonSession) -> None:
        """Paint the boxes as the session says they stand now."""
        nodes = tuple(diagram_node(node) for node in session.nodes())
        self.query_one(GraphView).show(nodes, session.active_edge, session.highlight)  # compared once, not thrice


class PictureBoard(Static):
    """Two lines in place of a graph (a slope's function and point, whose boxes would give the answer away)."""

    def __init__(self) -> None:
        super().__init__(id="function")

    def show(self, session: LessonSession) -> None:
        """Paint the flow's picture as it stands (a slope's, with the slope once found)."""
        first, second = session.flow.picture(session.values)
        self.update(Content.assemble(("  " + first, "bold"), f"\n  {second}"))


def board_for(flow: PartFlow) -> GraphBoard | PictureBoard:
    """A new board for this part's flow: its graph, or its picture when it draws no graph."""
    return GraphBoard() if flow.draws_graph else PictureBoard()


def diagram_node(node: NodeView) -> DiagramNode:
    """A core box as the diagram draws it."""
    return DiagramNode(node.name, node.title, node.children, node.value, node.grad,
                       DIAGRAM_STATES.get(node.state, node.state))
