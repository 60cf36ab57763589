"""The instructor's class view: one row per learner, one per lesson node, and the unreadable files;
read again every few seconds, so it follows the class as they work."""

from __future__ import annotations

import math
import time
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Static

from tui_grad.core.catalog import Catalog
from tui_grad.core.classroom import ClassView, mistakes_text, read_class
from tui_grad.core.skills import SKILLS
from tui_grad.ui.chrome import Footer, Header

REFRESH_SECONDS = 5.0
"""How often the class is read again."""
LEARNER_COLUMNS = ("learner", "finished", "now", "skills", "answers", "last active")
NODE_COLUMNS = ("lesson", "part", "node", "tried", "right 1st time", "common mistakes", "hints")


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
    ClassScreen DataTable { height: auto; max-height: 50%; margin: 1 0 0 0; }
    ClassScreen #unreadable { padding: 0 1; height: auto; color: $text-warning; }
    """
    BINDINGS = [
        Binding("r,f5", "refresh_now", "Refresh", tooltip="Read every learner's progress again", id="class.refresh"),
    ]

    def __init__(self, folder: Path, catalog: Catalog | None, interval: float = REFRESH_SECONDS) -> None:
        super().__init__()
        self.folder = folder
        self.catalog = catalog
        self.interval = interval
        self.view: ClassView | None = None
        """The class as last read; None until the first read is done."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Reading the class…", id="summary")
        learners: DataTable[str | Text] = DataTable(id="learners", cursor_type="row", zebra_stripes=True)
        learners.add_columns(*LEARNER_COLUMNS)
        yield learners
        nodes: DataTable[str | Text] = DataTable(id="nodes", cursor_type="row", zebra_stripes=True)
        nodes.add_columns(*NODE_COLUMNS)
        yield nodes
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
            view = read_class(self.folder, self.catalog)
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
            f"{len(view.learners)} learners in {view.folder}; {working} worked in the last 10 minutes. "
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
        lines = [f"⚠ {entry.learner}: {entry.reason}" for entry in view.unreadable]
        self.query_one("#unreadable", Static).update(Text("\n".join(lines)))


class ClassApp(App):
    """`tui-grad class DIR`: the class view alone, for an instructor's terminal or browser tab."""

    TITLE = "tui-grad"
    BINDINGS = [Binding("ctrl+q", "quit", "Quit", priority=True, id="app.quit"),
                Binding("q", "quit", "Quit", show=False, id="class.quit")]

    def __init__(self, folder: Path, catalog: Catalog | None = None, interval: float = REFRESH_SECONDS) -> None:
        super().__init__()
        self.folder = folder
        self.catalog = catalog
        self.interval = interval

    def on_mount(self) -> None:
        self.push_screen(ClassScreen(self.folder, self.catalog, self.interval))
