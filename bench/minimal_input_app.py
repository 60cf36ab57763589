"""The baseline for the idle lab: a minimal Textual app with one focused Input, as Textual ships it."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input

PLACEHOLDER = "A minimal Textual app: one input."


class MinimalInputApp(App):
    """Header, one Input (focused, its cursor blinking as Textual's does), Footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(placeholder=PLACEHOLDER)
        yield Footer()


if __name__ == "__main__":
    MinimalInputApp().run()
