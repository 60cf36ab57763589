"""The baseline for start-up and memory: a minimal Textual app with a header, one line and a footer."""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

GREETING = "A minimal Textual app: one line of text."


class MinimalApp(App):
    """Header, one Static line, Footer: what any Textual program pays before doing anything."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(GREETING)
        yield Footer()


if __name__ == "__main__":
    MinimalApp().run()
