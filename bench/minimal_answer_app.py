"""The baseline for answering: a minimal Textual app that checks what is typed in an Input.

Header, a line of text, one focused Input, a feedback line and Footer. Enter empties the field
and writes the verdict ("✓ Right: ..." for 1) under it: the least an app that grades an answer
does, as Textual ships it.
"""

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Input, Static

QUESTION = "A minimal Textual app: what is dL/dL?"
"""Its line of text, which also tells that its first frame is complete."""


class MinimalAnswerApp(App):
    """Header, a question, one Input, a feedback line, Footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(QUESTION)
        yield Input(placeholder="a number; Enter to check")
        yield Static(id="feedback")
        yield Footer()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        right = event.value.strip() == "1"
        event.input.clear()
        verdict = "✓ Right: dL/dL = 1." if right else f"✗ Not quite: {event.value!r}."
        self.query_one("#feedback", Static).update(verdict)


if __name__ == "__main__":
    MinimalAnswerApp().run()
