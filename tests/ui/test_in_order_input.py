"""Keys that reach the app together take effect in the order they were typed: a Backspace and the
character after it, a Left and the character after it (Textualize/textual#6605). Keys are posted in
one burst, as a browser's websocket or a slow link delivers them, then the app settles."""

from __future__ import annotations

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.keys import _character_to_key

from tui_grad.core.catalog import load_catalog
from tui_grad.ui.answer import AnswerInput
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.in_order_input import InOrderInput

from tests.ui.test_exercise_app import open_exercise


def burst(app: App, *keys: str) -> None:
    """Post every key to the app at once, as the driver does with keys read together."""
    for key in keys:
        if len(key) == 1:
            app.post_message(events.Key(_character_to_key(key), key))
        else:
            app.post_message(events.Key(key, None))


class OneField(App):
    def compose(self) -> ComposeResult:
        yield InOrderInput()


@pytest.mark.parametrize(("keys", "expected"), [
    (("b", "a", "backspace", "c"), "bc"),
    (("1", "2", "left", "-"), "1-2"),
    (("x", "y", "home", "delete", "z"), "zy"),
])
async def test_editing_keys_and_characters_in_one_burst_apply_in_order(keys, expected):
    app = OneField()
    async with app.run_test() as pilot:
        burst(app, *keys)
        await pilot.pause()
        await pilot.pause()
        assert app.query_one(InOrderInput).value == expected


async def test_an_answer_typed_over_the_selected_wrong_one_after_backspaces_stays_whole():
    app = TuiGradApp(load_catalog(), step_interval=0.05)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_exercise(app, pilot)
        field = app.screen.query_one(AnswerInput)
        await pilot.press("7", "enter")  # wrong: it comes back selected
        await pilot.pause()
        assert field.value == "7" and not field.selection.is_empty
        burst(app, "backspace", "backspace", "-", "1", "1")
        await pilot.pause()
        await pilot.pause()
        assert field.value == "-11"
