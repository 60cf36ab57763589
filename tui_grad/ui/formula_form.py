"""The form for the learner's own formula: the formula and its values; Enter works it like a lesson,
or says under the field what is wrong and at which column. What was typed stays, on an error and
for the next time the form opens."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Input, Static

from tui_grad.core.home import FieldError, read_formula
from tui_grad.core.safe_text import safe_text
from tui_grad.ui.chrome import Footer, Header
from tui_grad.ui.in_order_input import InOrderInput

if TYPE_CHECKING:  # the app imports this screen
    from tui_grad.ui.app import TuiGradApp

FIELDS = ("formula", "values")


class FormulaForm(Screen):
    """Two fields, a formula and its values; Enter opens the formula's session."""

    DEFAULT_CSS = """
    FormulaForm #intro { padding: 1 2 0 2; height: auto; }
    FormulaForm .label { padding: 1 2 0 2; height: auto; text-style: bold; }
    FormulaForm Input { margin: 0 1; }
    FormulaForm .error { padding: 0 2 0 4; height: auto; color: $text-error; }
    """
    BINDINGS = [Binding("escape", "back", "Lessons", tooltip="Back to the lessons; what you typed stays",
                        id="formula.back")]

    def __init__(self, formula: str = "", values: str = "",
                 on_change: Callable[[tuple[str, str]], None] | None = None) -> None:
        super().__init__()
        self.initial = (formula, values)
        self.on_change = on_change
        """Told what is typed whenever the form is left, so it can be filled in again next time."""
        self.error: FieldError | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Your own formula: type it with the names of its inputs, then give each input a value. "
                     "You work its gradients like a lesson: hints, nudges and the engine's replay.", id="intro")
        yield Static("Formula, like (x+2)**2 + x**3 (functions: tanh, exp, log, relu, sigmoid)", classes="label")
        # select_on_focus off: coming back to a field must not put what was typed at risk of one key
        yield InOrderInput(self.initial[0], placeholder="(x+2)**2 + x**3", id="formula", select_on_focus=False)
        yield Static(id="formula-error", classes="error")
        yield Static("Values, like x=5 or x=2, y=-1", classes="label")
        yield InOrderInput(self.initial[1], placeholder="x=5", id="values", select_on_focus=False)
        yield Static(id="values-error", classes="error")
        yield Footer()

    def on_mount(self) -> None:
        self.title, self.sub_title = "Your own formula", "type it, then Enter"
        for name in FIELDS:
            self.query_one(f"#{name}-error", Static).display = False
        self.query_one("#formula", Input).focus()

    def fields(self) -> tuple[str, str]:
        """What is typed now: (formula, values)."""
        return self.query_one("#formula", Input).value, self.query_one("#values", Input).value

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        _, values = self.fields()
        if event.input.id == "formula" and not values.strip():  # Enter in the first field: on to the second
            self.query_one("#values", Input).focus()
            return
        self.submit()

    def submit(self) -> None:
        """Work the formula, or show what is wrong under its field and put the cursor there."""
        formula, values = self.fields()
        result = read_formula(formula, values)
        self._remember()
        if isinstance(result, FieldError):
            self.show_error(result)
            return
        self.show_error(None)
        app = cast("TuiGradApp", self.app)
        app.pop_screen()
        app.open_formula(formula, result)

    def show_error(self, error: FieldError | None) -> None:
        """The message under its field (a caret under the column, with the field's text above it)."""
        self.error = error
        for name in FIELDS:
            label = self.query_one(f"#{name}-error", Static)
            if error is None or error.field != name:
                label.display = False
                continue
            text, message = error.pointer(safe_text(self.query_one(f"#{name}", Input).value))
            label.update(Content("\n".join(part for part in (text, message) if part)))
            label.display = True
            field = self.query_one(f"#{name}", Input)
            field.focus()
            if error.column:
                field.cursor_position = min(error.column - 1, len(field.value))

    def action_back(self) -> None:
        """Back to the lessons, keeping what was typed."""
        self._remember()
        self.app.pop_screen()

    def _remember(self) -> None:
        if self.on_change is not None:
            self.on_change(self.fields())
