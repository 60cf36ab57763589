"""A tutor left open through a long lesson holds the same widgets after fifty answers as after one:
the footer's old keys, a screen's header and the lesson list under a lesson are let go."""

from __future__ import annotations

import gc

from textual.widgets import Footer, Header, OptionList
from textual.widgets._footer import FooterKey

from tui_grad.core.catalog import load_catalog
from tui_grad.core.progress import ProgressStore
from tui_grad.ui.app import TuiGradApp
from tui_grad.ui.exercise import ExerciseScreen
from tui_grad.ui.home import HomeScreen


def alive(kind: type) -> int:
    """How many objects of `kind` exist, mounted or not."""
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, kind))


async def test_answers_and_hints_leave_no_footer_keys_behind(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load(), start_lesson="chain-rule")
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, ExerciseScreen)
        counts = []
        for _ in range(5):
            await pilot.press("9", "enter")  # wrong, then a hint: the footer's keys change each time
            await pilot.pause()
            await pilot.press("ctrl+g")
            await pilot.pause()
            counts.append(alive(FooterKey))
        assert counts[-1] == counts[0], counts


async def test_leaving_lessons_leaves_no_headers_behind(tmp_path):
    app = TuiGradApp(load_catalog(), store=ProgressStore(tmp_path).load())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for _ in range(4):  # open a lesson and go back to the list, four times
            await pilot.press("enter")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, HomeScreen)
        assert alive(Header) == len(app.screen.query(Header)) == 1
