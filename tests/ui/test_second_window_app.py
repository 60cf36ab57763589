"""The app with the same progress folder open in a second window (issue 20): a question found in the
other window is said to be found there and not asked again, for a typed answer as for showing it,
and reopening the lesson does not ask it either."""

from __future__ import annotations

import pytest
from textual import events
from textual.pilot import Pilot

from tui_grad.core.catalog import load_catalog
from tui_grad.core.flow import LessonSession
from tui_grad.core.progress import ProgressStore
from tui_grad.core.views import ANSWER
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen
from tui_grad.ui.page import PageScreen

CATALOG = load_catalog()
ANSWERS = {"L": "1", "d": "-2", "f": "4", "e": "-2", "c": "-2", "a": "6"}


def feedback(screen: ExerciseScreen) -> str:
    return str(screen.query_one("#feedback").render())


async def open_chain_rule(app: TuiGradApp, pilot: Pilot) -> ExerciseScreen:
    app.open_lesson("chain-rule")
    await pilot.pause()
    if isinstance(app.screen, PageScreen):
        await pilot.press("enter")
        await pilot.pause()
    assert isinstance(app.screen, ExerciseScreen)
    return app.screen


@pytest.mark.parametrize("keys", [("-", "5", "enter"), ("ctrl+r",)], ids=["answer", "show"])
async def test_the_app_says_the_other_window_found_the_question_and_goes_on(tmp_path, keys):
    app = TuiGradApp(CATALOG, step_interval=30, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_chain_rule(app, pilot)
        for node, answer in ANSWERS.items():
            assert screen.session.asked == node
            await pilot.press(*answer, "enter")
            await pilot.pause()
        assert screen.session.asked == "b"
        lesson = CATALOG.find("chain-rule")
        assert lesson is not None
        other = LessonSession(lesson, ProgressStore(tmp_path).load())  # the second window, at dL/db too
        assert other.asked == "b" and other.act(ANSWER, "-4")

        await pilot.press(*keys)
        await pilot.pause()

        assert "dL/db was found in your other window: -4" in feedback(screen)
        assert screen.session.asked is None
        await pilot.press("escape")  # leave, and come back: the question is not asked again
        await pilot.pause()
        assert isinstance(app.screen, HomeScreen)
        screen = await open_chain_rule(app, pilot)
        assert screen.session.asked is None
    saved = ProgressStore(tmp_path).load()
    assert saved.lesson("chain-rule").parts[0].status["b"] == "earned"
    assert [a["text"] for a in saved.attempts if a["node"] == "b"] == ["-4"]


async def test_coming_back_to_the_window_catches_up_before_any_key(tmp_path):
    app = TuiGradApp(CATALOG, step_interval=30, store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_chain_rule(app, pilot)
        assert screen.session.asked == "L"
        app.post_message(events.AppBlur())  # the learner goes to the other window
        await pilot.pause()
        lesson = CATALOG.find("chain-rule")
        assert lesson is not None
        other = LessonSession(lesson, ProgressStore(tmp_path).load())
        # the first window went on from the introduction and that is saved: the other opens at the part
        assert other.asked == "L" and other.act(ANSWER, "1")

        app.post_message(events.AppFocus())  # and comes back
        await pilot.pause()

        assert "dL/dL was found in your other window: 1" in feedback(screen)
        assert screen.session.asked == "d"
