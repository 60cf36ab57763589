"""The instructor's class view: one row per learner, one per lesson node, and below them the other
side of the row selected (a learner's nodes, or a node's learners: who made which mistake where),
then the unreadable files; read again every few seconds, so it follows the class as they work."""

from __future__ import annotations

import math
import time
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui_grad.core.catalog import Catalog
from tui_grad.core.classroom import ClassView, LearnerNodeRow, mistakes_text, read_class
from tui_grad.core.skills import SKILLS
from tui_grad.ui.chrome import Footer, Header
from tui_grad.ui.render import palette_commands

REFRESH_SECONDS = 5.0
"""How often the class is read again."""
LEARNER_COLUMNS = ("learner", "finished", "now", "skills", "answers", "last active")
NODE_COLUMNS = ("lesson", "part", "node", "tried", "right 1st time", "common mistakes", "hints")
LEARNER_NODE_COLUMNS = ("lesson", "part", "node", "tries", "1st try", "mistakes", "hints")
NODE_LEARNER_COLUMNS = ("learner", "tries", "1st try", "mistakes", "hints")


def ago(moment: float | None, now: float) -> str:
    """'12 s ago', '5 min ago', '3 h ago', '2 d ago', 'never', or what is odd about a time read from a
    learner's file (a clock ahead of this one, a time no calendar holds)."""
    if moment is None:
        return "never"
    if not math.isfinite(moment) or abs(now - moment) > 1e12:
        return "not a date"
    if moment - now > 60:
        return "ahead of this clock"
    seconds = max(0, int(now - moment))
    for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


class ClassScreen(Screen):
    """The class at a glance, refreshed every REFRESH_SECONDS (R refreshes now)."""

    DEFAULT_CSS = """
    ClassScreen #summary { padding: 0 1; height: auto; }
    ClassScreen DataTable { height: auto; max-height: 30%; margin: 1 0 0 0; }
    ClassScreen #detail-title { padding: 0 1; height: auto; margin: 1 0 0 0; text-style: bold; }
    ClassScreen #detail { margin: 0; max-height: 1fr; }
    ClassScreen #unreadable { padding: 0 1; height: auto; color: $text-warning; }
    """
    BINDINGS = [
        Binding("r,f5", "refresh_now", "Refresh", tooltip="Read every learner's progress again", id="class.refresh"),
    ]

    def __init__(self, folder: Path | tuple[Path, ...], catalog: Catalog | None,
                 interval: float = REFRESH_SECONDS) -> None:
        super().__init__()
        self.folders = (folder,) if isinstance(folder, Path) else folder
        """The homes folders read (one per lab server)."""
        self.catalog = catalog
        self.interval = interval
        self.view: ClassView | None = None
        """The class as last read; None until the first read is done."""
        self.selected: tuple[str, int] = ("learners", 0)
        """The table whose highlighted row the detail shows the other side of, and that row."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the class…", id="summary")
        learners: DataTable[str | Text] = DataTable(id="learners", cursor_type="row", zebra_stripes=True)
        learners.add_columns(*LEARNER_COLUMNS)
        yield learners
        nodes: DataTable[str | Text] = DataTable(id="nodes", cursor_type="row", zebra_stripes=True)
        nodes.add_columns(*NODE_COLUMNS)
        yield nodes
        yield Static(id="detail-title")
        yield DataTable(id="detail", cursor_type="row", zebra_stripes=True)
        yield Static(id="unreadable")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "tui-grad"
        self.sub_title = "the class"
        self.read()
        self.set_interval(self.interval, self.read)

    def action_refresh_now(self) -> None:
        self.read()

    @work(thread=True, exclusive=True, group="class-read")
    def read(self) -> None:
        """Read every learner's folder off the screen's thread, then show it."""
        try:
            view = read_class(self.folders, self.catalog)
        except ValueError as error:
            self.app.call_from_thread(self.query_one("#summary", Static).update, Text(str(error)))
            return
        self.app.call_from_thread(self.show, view)

    def show(self, view: ClassView) -> None:
        """Fill the tables from a fresh read, keeping the cursor where it was."""
        self.view = view
        now = time.time()
        working = sum(1 for row in view.learners if row.last_active and now - row.last_active < 600)
        self.query_one("#summary", Static).update(Text(
            f"{len(view.learners)} learners in {', '.join(map(str, view.folders))}; {working} worked in the last "
            "10 minutes. "
            f"Read at {time.strftime('%H:%M:%S')}, again every {self.interval:g} s."))
        learners = self.query_one("#learners", DataTable)
        row = learners.cursor_row
        learners.clear()
        for entry in view.learners:  # Text: names and ids come from the learners' folders, never markup
            learners.add_row(Text(entry.learner), str(entry.finished), Text(entry.now),
                             f"{entry.mastered} of {len(SKILLS)}", str(entry.answers), ago(entry.last_active, now))
        learners.move_cursor(row=min(row, max(learners.row_count - 1, 0)))
        nodes = self.query_one("#nodes", DataTable)
        row = nodes.cursor_row
        nodes.clear()
        for node in view.nodes:
            nodes.add_row(Text(node.lesson), str(node.part), Text(node.node), str(node.tried),
                          f"{node.right_first_time} of {node.tried}", Text(mistakes_text(node.mistakes) or "—"),
                          str(node.hints))
        nodes.move_cursor(row=min(row, max(nodes.row_count - 1, 0)))
        self.show_detail()
        lines = [f"⚠ {entry.learner}: {entry.reason}" for entry in view.unreadable]
        self.query_one("#unreadable", Static).update(Text("\n".join(lines)))

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """A learner or a node chosen (by the instructor, not by a refresh): show its other side."""
        table = event.data_table.id or ""
        if table in ("learners", "nodes") and (event.data_table.has_focus or table == self.selected[0]):
            self.selected = (table, event.cursor_row)
            self.show_detail()

    def on_descendant_focus(self, _event: events.DescendantFocus) -> None:
        """Tab to the other table: the detail follows it."""
        table = self.focused
        if isinstance(table, DataTable) and table.id in ("learners", "nodes"):
            self.selected = (table.id, table.cursor_row)
            self.show_detail()

    def show_detail(self) -> None:
        """The selected learner's nodes, or the selected node's learners, each with tries and mistakes."""
        view = self.view
        if view is None:
            return
        table, row = self.selected
        detail = self.query_one("#detail", DataTable)
        detail.clear(columns=True)
        rows: list[LearnerNodeRow] = []
        title = ""
        if table == "learners" and row < len(view.learners):
            learner = view.learners[row].learner
            rows, title = view.of_learner(learner), f"{learner}, node by node"
            fill(detail, LEARNER_NODE_COLUMNS,
                 [(Text(entry.lesson), str(entry.part), Text(entry.node), *cells(entry)) for entry in rows])
        elif table == "nodes" and row < len(view.nodes):
            node = view.nodes[row]
            rows = view.of_node(node.lesson, node.part, node.node)
            title = f"{node.lesson}, part {node.part}, node {node.node}, learner by learner"
            fill(detail, NODE_LEARNER_COLUMNS, [(Text(entry.learner), *cells(entry)) for entry in rows])
        if title and not rows:
            title += ": no answers yet"
        self.query_one("#detail-title", Static).update(Text(title))


def fill(table: DataTable[str | Text], columns: tuple[str, ...], rows: list[tuple[str | Text, ...]]) -> None:
    """Columns as wide as their widest cell, given when they are added: a table cleared and filled
    again between two layouts otherwise kept the widths of its header alone ('chain-' for 'chain-rule')."""
    for index, label in enumerate(columns):
        widest = max((Text(cell).cell_len if isinstance(cell, str) else cell.cell_len for cell in
                      (row[index] for row in rows)), default=0)
        table.add_column(label, width=max(len(label), widest))
    for row in rows:
        table.add_row(*row)


def cells(entry: LearnerNodeRow) -> tuple[str | Text, ...]:
    """Tries, first try, mistakes and hints of one learner on one node, as the detail shows them."""
    return (str(entry.tries), "✓ right" if entry.first_try_right else "✗ not right",
            Text(mistakes_text(entry.mistakes) or "—"), str(entry.hints))


class ClassApp(App):
    """`tui-grad class DIR`: the class view alone, for an instructor's terminal or browser tab."""

    TITLE = "tui-grad"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
                Binding("q", "quit", "Quit", show=False, id="class.quit")]

    def __init__(self, folder: Path | tuple[Path, ...], catalog: Catalog | None = None,
                 interval: float = REFRESH_SECONDS) -> None:
        super().__init__()
        self.folder = folder
        self.catalog = catalog
        self.interval = interval

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        return palette_commands(super().get_system_commands(screen))

    def on_mount(self) -> None:
        self.push_screen(ClassScreen(self.folder, self.catalog, self.interval))
