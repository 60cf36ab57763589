"""A notice shown over everything while the terminal is smaller than the tutor needs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Center, Middle
from textual.screen import ModalScreen
from textual.widgets import Static

MIN_WIDTH, MIN_HEIGHT = 80, 24


def too_small(width: int, height: int) -> bool:
    """True when a terminal of this size cannot show the exercise screen properly."""
    return width < MIN_WIDTH or height < MIN_HEIGHT


class TooSmallScreen(ModalScreen[None]):
    """Asks for a bigger window; goes away by itself when the window grows. Nothing is lost."""

    DEFAULT_CSS = """
    TooSmallScreen { align: center middle; background: $background; }
    TooSmallScreen Static { width: auto; max-width: 100%; padding: 0 1; text-align: center; }
    """

    def compose(self) -> ComposeResult:
        with Middle(), Center():
            yield Static(size_message(self.app.size.width, self.app.size.height), id="too-small-message")

    def show_size(self, width: int, height: int) -> None:
        """Say how big the window is now (a resize can come before the notice is built: compose then
        says it)."""
        for message in self.query("#too-small-message").results(Static):
            message.update(size_message(width, height))


def size_message(width: int, height: int) -> str:
    """How big the window is and how big it needs to be."""
    return (f"This window is {width}×{height}.\ntui-grad needs at least {MIN_WIDTH}×{MIN_HEIGHT}.\n"
            "Make the window larger; your place is kept.\n(Ctrl+Q quits.)")
