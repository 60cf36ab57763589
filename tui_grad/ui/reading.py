"""A page to read: a lesson's introduction before the exercise, or its recap after."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static

from tui_grad.ui.prose import prose


class ReadingScreen(Screen):
    """Markdown to read, scrollable by keyboard; Enter goes on, Escape goes back."""

    DEFAULT_CSS = """
    ReadingScreen VerticalScroll { padding: 1 2; }
    ReadingScreen #text { max-width: 88; }
    """
    BINDINGS = [
        Binding("enter", "go_on", "Continue", id="reading.continue"),
        Binding("escape", "app.pop_screen", "Back", id="reading.back"),
    ]

    def __init__(self, title: str, markdown: str, go_on: Callable[[], None] | None = None) -> None:
        super().__init__()
        self.page_title = title
        self.markdown = markdown
        self.go_on = go_on

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="page"):
            yield Static(prose(self.markdown), id="text")
        yield Footer()

    def on_mount(self) -> None:
        self.title = self.page_title
        self.query_one("#page").focus()

    def action_go_on(self) -> None:
        """Leave the page: to the exercise after an introduction, back after a recap."""
        self.app.pop_screen()
        if self.go_on is not None:
            self.go_on()
