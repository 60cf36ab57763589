"""The answer line: a prompt naming the gradient asked for, and a one-line input."""

from __future__ import annotations

from collections.abc import Callable

from rich.cells import cell_len
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.geometry import Size
from textual.reactive import Reactive, reactive
from textual.widgets import Input, Label

from tui_grad.ui.in_order_input import InOrderInput
from tui_grad.ui.settling_cursor import SettlingCursorInput

MAX_ANSWER = 200


class AnswerInput(InOrderInput, SettlingCursorInput):
    """An Input that submits and empties itself the moment Enter reaches it, in key order.

    Textual runs a focused widget's Enter binding only after the key has bubbled up to the app,
    by which time a fast typist's next keys are already in the field; a priority binding is worse,
    running before the keys typed just ahead of Enter have reached the field. Handling Enter in
    the field's own key handler (and `prevent_default`, Textual's documented way to skip Input's
    handler) keeps every answer whole, and emptying the field at once keeps the next one apart.
    Its editing keys take effect in order with the characters (see in_order_input), and its cursor
    stops blinking after a while without a key (see settling_cursor).
    """

    virtual_size = Reactive(Size(0, 0), layout=False)
    """What scrolls inside the field, which Textual's Input sets at every change of its value: here
    without a layout of the whole screen each time, as the field itself stays one line as wide as
    the answer line. A layout of the exercise screen was half the time from Enter to the verdict."""

    async def on_key(self, event: events.Key) -> None:
        if event.key != "enter":
            return
        event.stop()
        event.prevent_default()
        text, self.value = self.value, ""
        entry = self.parent
        assert isinstance(entry, AnswerEntry)
        entry.submit(text)


class AnswerEntry(Horizontal):
    """Asks the session's question and hands each answer to `on_submit` when the learner presses Enter."""

    DEFAULT_CSS = """
    AnswerEntry { height: 1; width: 1fr; }
    AnswerEntry > Label { width: auto; padding: 0 1 0 0; color: $text-accent; text-style: bold; }
    AnswerEntry > Input { width: 1fr; }
    """

    question: reactive[str] = reactive("")
    """The prompt with its end, as the session words it: `dL/dd =`, `a after one step =`."""
    hint: reactive[str] = reactive("")
    """What the empty field suggests typing, as the session words it."""

    def __init__(self, on_submit: Callable[[str], None], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.on_submit = on_submit
        """Called with each answer within the Enter key's own handler: the emptied field and the
        verdict then land in one frame, instead of a frame for each and a wait for the next
        frame slot between them (a message would arrive two hops later)."""

    def compose(self) -> ComposeResult:
        yield Label(id="answer-prompt")
        yield AnswerInput(compact=True, max_length=MAX_ANSWER, select_on_focus=False, id="answer-input")

    def watch_question(self, old: str, question: str) -> None:
        # The screen is laid out again only when the prompt's width changes (dL/dL = to dL/dd =
        # does not): a layout is most of the time an answer takes to show.
        self.query_one(Label).update(question, layout=cell_len(question) != cell_len(old))

    def watch_hint(self, hint: str) -> None:
        self.fit_placeholder()

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_placeholder)

    def fit_placeholder(self) -> None:
        """The hint as the field's placeholder, shortened to fit the field (at 80 columns, after a
        long question, the whole hint ended '...; Enter to')."""
        field = self.query_one(Input)
        width = field.content_size.width
        field.placeholder = fitted(self.hint, width - 1) if width else self.hint

    def submit(self, text: str) -> None:
        """Hand `text` on as the answer for the current node."""
        with self.app.batch_update():
            self.on_submit(text)

    def clear(self) -> None:
        """Empty the input for the next answer."""
        self.query_one(Input).clear()

    def offer_again(self, text: str) -> None:
        """Put a wrong answer back, selected, so the learner can edit it or type over it."""
        field = self.query_one(Input)
        field.value = text
        field.select_all()

    def focus_input(self) -> None:
        """Put the cursor in the input (refocusing would disturb what is being typed)."""
        field = self.query_one(Input)
        if not field.has_focus:
            field.focus()


def fitted(hint: str, width: int) -> str:
    """`hint` in at most `width` columns: whole; else with what to type cut to its first clause
    (`a number; Enter to check`); else that clause alone; else cut with an ellipsis."""
    if len(hint) <= width:
        return hint
    what, separator, how = hint.partition("; ")
    short = what.split(", ")[0]
    for candidate in (f"{short}{separator}{how}", short):
        if len(candidate) <= width:
            return candidate
    return short[:max(width - 1, 0)] + "…" if width > 1 else ""
