"""The home screen: every lesson in teaching order; Enter opens one."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from tui_grad.core.catalog import Catalog


class HomeScreen(Screen):
    """Lists the lessons with title and summary, and any broken lesson file with its reason."""

    DEFAULT_CSS = """
    HomeScreen #welcome { padding: 1 2 0 2; height: auto; }
    HomeScreen OptionList { margin: 1 1; height: 1fr; }
    """
    BINDINGS = [
        Binding("enter", "open", "Open lesson", id="home.open", show=True),
        Binding("q", "app.quit", "Quit", id="home.quit"),
    ]

    def __init__(self, catalog: Catalog) -> None:
        super().__init__()
        self.catalog = catalog

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Learn backpropagation by doing it: pick a lesson and press Enter.", id="welcome")
        options = [
            Option(Content.assemble((f"{number}. {lesson.title}", "bold"), "\n   ", lesson.summary), id=lesson.id)
            for number, lesson in enumerate(self.catalog.lessons, start=1)
        ]
        options += [
            Option(Content.assemble((f"✗ {error.path.name} is unavailable", "bold"), "\n   ", error.message),
                   disabled=True)
            for error in self.catalog.broken
        ]
        yield OptionList(*options, id="lessons")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "tui-grad"
        self.sub_title = "lessons"
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.app.open_lesson(event.option.id)

    def action_open(self) -> None:
        option_list = self.query_one(OptionList)
        if option_list.highlighted is not None:
            option_list.action_select()
