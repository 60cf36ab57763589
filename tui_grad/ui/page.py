"""A page of a lesson to read: its introduction, its recap, or a finished lesson reopened, with the
session's choices (continue, start again, back to the lessons) as keys."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui_grad.core.flow import LessonSession
from tui_grad.core.views import CONTINUE, LEAVE, RESTART
from tui_grad.ui.chrome import Footer, Header
from tui_grad.ui.render import (
    LeftLesson,
    SessionScreen,
    bindings,
    header_texts,
    message_content,
)


class PageScreen(SessionScreen):
    """Lesson text to read, scrollable by keyboard; the footer offers what the session allows."""

    DEFAULT_CSS = """
    PageScreen VerticalScroll { padding: 1 2; }
    PageScreen #text { max-width: 88; }
    PageScreen #more { height: 1; padding: 0 2; color: $text-muted; }
    """
    BINDINGS = bindings(CONTINUE, RESTART, LEAVE)

    def __init__(self, session: LessonSession, on_change: Callable[[LessonSession], None]) -> None:
        super().__init__()
        self.session = session
        self.on_change = on_change
        self.phase = session.phase

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="page"):
            yield Static(message_content(self.session.message), id="text")
        yield Static(id="more")
        yield Footer()

    def on_mount(self) -> None:
        self.fit_header()
        page = self.query_one("#page", VerticalScroll)
        page.focus()
        self.watch(page, "scroll_y", self.show_more_cue, init=False)
        self.call_after_refresh(self.show_more_cue)

    def on_resize(self) -> None:
        self.fit_header()
        self.call_after_refresh(self.show_more_cue)

    def fit_header(self) -> None:
        """Title and subtitle, as far as the window's width holds them."""
        self.title, self.sub_title = header_texts(self.session.title, self.session.subtitle, self.app.size.width)

    def show_more_cue(self) -> None:
        """Say that more text follows below when the page does not fit the window."""
        page = self.query_one("#page", VerticalScroll)
        more = page.max_scroll_y > 0 and page.scroll_y < page.max_scroll_y
        self.query_one("#more", Static).update("▼ more below: ↓ or PgDn to read on" if more else "")

    def action_flow(self, action: str) -> None:
        """Send the key's action to the session and follow where it leads."""
        if not self.session.act(action):
            return
        if action == LEAVE:
            self.post_message(LeftLesson())
            return
        self.on_change(self.session)

