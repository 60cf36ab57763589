"""The answer field's cursor blinks while the learner is busy, then holds still and stays shown,
so an idle exercise screen costs (almost) nothing; a key starts the blinking again."""

from __future__ import annotations

import time

from tui_grad.core.catalog import load_catalog
from tui_grad.ui import settling_cursor
from tui_grad.ui.answer import AnswerInput
from tui_grad.ui.app import TuiGradApp

from tests.ui.test_exercise_app import open_exercise

SETTLE_WITHIN = 20.0  # a ceiling that fails only a cursor that never settles; not a speed figure


async def wait_until_settled(pilot, field: AnswerInput) -> None:
    deadline = time.monotonic() + SETTLE_WITHIN
    while not field.cursor_settled:
        assert time.monotonic() < deadline, "the cursor never stopped blinking"
        await pilot.pause(0.05)


async def test_the_cursor_settles_visible_and_a_key_wakes_it(monkeypatch):
    monkeypatch.setattr(settling_cursor, "BLINK_FOR", 1.0)
    app = TuiGradApp(load_catalog(), step_interval=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_exercise(app, pilot)
        field = app.screen.query_one(AnswerInput)
        assert field.has_focus and field.cursor_blinking
        await wait_until_settled(pilot, field)
        assert not field.cursor_blinking and field.cursor_settled  # still, and drawn: visibly a cursor
        await pilot.press("1")
        await pilot.pause()
        assert field.cursor_blinking and not field.cursor_settled and field.value == "1"
        await wait_until_settled(pilot, field)
        assert field.has_focus and field.cursor_settled
